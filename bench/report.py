"""bench/run.py's report: header, tables, profiles of missed targets, README.

`python bench/run.py --write-readme` replaces the README's text between
BEGIN and END (the measured part of its Performance section) with the
report; the prose around the markers is written by hand.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

from measure import ROOT, Row
from stores import KEY

BEGIN = "<!-- bench/run.py --write-readme: begin -->"
END = "<!-- bench/run.py --write-readme: end -->"
HEAD = ("measure", "summit (spread)", "baseline (same run)", "ratio", "target", "")


def table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEAD) + " |", "|" + " --- |" * len(HEAD)]
    lines += [
        "| " + " | ".join(cell.replace("|", "\\|") for cell in r) + " |" for r in rows
    ]
    return "\n".join(lines)


def profile_block(label: str, summary: dict[str, Any], file: str) -> str:
    """A missed target's top functions by own time, folded."""
    lines = [
        f"<details><summary>{label}: where the time goes "
        f"(cProfile, one process, {summary['seconds']:.2f} s; "
        f"<code>{file}</code>)</summary>",
        "",
        f"`summit {' '.join(summary['command'])}`: "
        f"{summary['loading']:.2f} s of it loading modules.",
        "",
        "| own s | cumulative s | calls | function |",
        "| ---: | ---: | ---: | --- |",
    ]
    for t in summary["top"]:
        name = t["function"].replace("|", "\\|")
        lines.append(
            f"| {t['own']:.3f} | {t['cumulative']:.3f} | {t['calls']} | `{name}` |"
        )
    return "\n".join([*lines, "", "</details>"])


def sizes_block(label: str, breakdown: list[tuple[str, int]], file: str) -> str:
    lines = [
        f"<details><summary>{label}: bytes per table and index "
        f"(SQLite dbstat; <code>{file}</code>)</summary>",
        "",
        "| table or index | MB |",
        "| --- | ---: |",
    ]
    lines += [f"| `{name}` | {size / 1e6:.1f} |" for name, size in breakdown[:12]]
    return "\n".join([*lines, "", "</details>"])


def render(
    header: str,
    sections: list[tuple[str, list[Row]]],
    notes: list[str],
    extra: list[str] | None = None,
) -> str:
    """The whole report: header line, one table per store kind, `extra`
    (the instruction counts), profiles."""
    parts = [f"> {header}"]
    for title, rows in sections:
        if rows:
            parts += [f"**{title}**", table(rows)]
    parts += extra or []
    if notes:
        parts += ["For each target not met, where the time (or the space) goes:"]
        parts += notes
    return "\n\n".join(parts) + "\n"


def write_readme(readme: Path, report: str) -> None:
    """Replace the text between the markers; the rest stays as written."""
    text = readme.read_text(encoding="utf-8")
    if (
        text.count(BEGIN) != 1
        or text.count(END) != 1
        or text.index(BEGIN) > text.index(END)
    ):
        raise SystemExit(f"{readme}: expected one {BEGIN} and one {END} after it")
    before, rest = text.split(BEGIN)
    _, after = rest.split(END)
    readme.write_text(f"{before}{BEGIN}\n{report}{END}{after}", encoding="utf-8")


def header(args: argparse.Namespace, pg: str, loads: list[float], took: float) -> str:
    rev = (
        subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        or "?"
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "domain", "projections", "cli", "bench"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    parts = [
        f"summit benchmark{' (--quick)' if args.quick else ''}",
        when,
        f"commit {rev}{' (with uncommitted changes)' if dirty else ''}",
        platform.node(),
        platform.processor() or platform.machine(),
        f"{os.cpu_count()} CPUs",
        f"Python {platform.python_version()}",
        f"SQLite {sqlite3.sqlite_version}" + (f", PostgreSQL {pg}" if pg else ""),
        f"medians of {args.runs} runs (imports of 100,000 events or more: "
        f"up to 3; queries: {max(args.runs, 5) * 2})",
        f"load average {min(loads):.1f}–{max(loads):.1f} during the run",
        f"took {took:.0f} s",
        f"store cache {KEY}",
    ]
    if pg and (args.pg_sizes or args.pg_negotiations):
        pg_points = args.pg_sizes or args.sizes
        pg_negs = args.pg_negotiations or args.negotiations
        parts.append(f"PostgreSQL at stores of {pg_points}, negotiations of {pg_negs}")
    return ", ".join(parts)
