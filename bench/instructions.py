"""Instruction counts of the cold queries, beside their wall-clock medians.

On a shared VM a query's wall-clock median moves by several milliseconds
between two scale points of one run, enough to swing a 1.3× ratio or a
1.2 flatness. The instructions a process executes (callgrind, one process
each, the same cached stores) repeat to within a fraction of a percent
whatever else the machine does, so `bench/run.py --instructions` prints them
too: each query at each point against `summit --help`, and the slowest
point against the fastest. The wall-clock rows stay the targets' measure;
this table shows which of their misses are the VM's and which the code's.
"""

from __future__ import annotations

import re
import shutil
import subprocess

from measure import ENV, PY, SUMMIT, summit

LIMIT = 1.3  # the queries' target against `summit --help`


def available() -> bool:
    return shutil.which("valgrind") is not None


def count(cmd: list[str]) -> int:
    """Instructions one process executes (callgrind), after a warm-up run."""
    subprocess.run(cmd, capture_output=True, env=ENV, check=True)
    proc = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
        capture_output=True,
        env=ENV,
    )
    found = re.search(rb"Collected : (\d+)", proc.stderr)
    if proc.returncode != 0 or found is None:
        raise SystemExit(f"callgrind failed: {' '.join(cmd)}\n{proc.stderr[-2000:]!r}")
    return int(found[1])


def table(points: dict[str, str], queries: dict[str, list[str]]) -> str:
    """The markdown table: rows are queries, columns the scale points."""
    help_n = count([PY, SUMMIT, "--help"])
    names = list(points)
    lines = [
        f"Instructions (callgrind) / `summit --help` ({help_n / 1e6:.1f}M), "
        "one process each on the same stores, SQLite:",
        "",
        "| query | " + " | ".join(names) + " | slowest / fastest |",
        "| --- |" + " --- |" * (len(names) + 1),
    ]
    for label, args in queries.items():
        counts = [count([PY, *summit(store, *args)]) for store in points.values()]
        cells = []
        for n in counts:
            cell = f"{n / help_n:.2f}×"
            cells.append(f"**{cell}**" if n / help_n > LIMIT else cell)
        flat = max(counts) / min(counts)
        lines.append(f"| `{label}` | " + " | ".join(cells) + f" | {flat:.2f} |")
    return "\n".join(lines)
