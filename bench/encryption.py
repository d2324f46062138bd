"""The cost of encryption at rest: import and query, plain vs encrypted (SQLite).

    python bench/encryption.py [RUNS]

Times, with the real `summit` command in a fresh process each, an import of
the seed sample and of a 20,000-event generated file, then the first query
(a plain store builds its views then) and a repeated one, into a plain and
an encrypted store. Prints a Markdown table of medians over RUNS (default 3).
"""

from __future__ import annotations

import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).parent.parent
SUMMIT = [sys.executable, "-c", "from cli.main import main; main()"]


def timed(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([*SUMMIT, *args], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def one_run(tmp: Path, data: Path, query: list[str], key: str | None) -> list[float]:
    store = tmp / f"s-{time.monotonic_ns()}.db"
    base = ["--store", str(store), *(["--key", key] if key else [])]
    return [
        timed(*base, "import", str(data)),
        timed(*base, *query),
        timed(*base, *query),
    ]


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        generated = tmp / "events-20000.jsonl"
        with generated.open("w") as out:
            subprocess.run(
                [sys.executable, "bench/generate.py", "20000"], cwd=ROOT, stdout=out
            )
        key = str(tmp / "bench.key")
        subprocess.run([*SUMMIT, "store", "keygen", "--out", key], check=True)
        cases = [
            (
                "seed (23 events)",
                ROOT / "examples/hague-2025-seed.jsonl",
                ["stance", "hague-2025", "--format", "json"],
            ),
            (
                "generated (20,000 events)",
                generated,
                ["stance", "bench-0000", "--proposal", "p-main", "--format", "json"],
            ),
        ]
        print(
            f"{platform.node()} · {platform.processor() or platform.machine()} · "
            f"Python {platform.python_version()} · {datetime.now(UTC):%Y-%m-%d}"
        )
        print("\n| data | store | import | first query | next query |")
        print("|---|---|---:|---:|---:|")
        for name, data, query in cases:
            for kind, k in (("plain", None), ("encrypted", key)):
                times = [one_run(tmp, data, query, k) for _ in range(runs)]
                med = [statistics.median(t[i] for t in times) for i in range(3)]
                print(
                    f"| {name} | {kind} | "
                    + " | ".join(f"{s:.2f} s" for s in med)
                    + " |"
                )


if __name__ == "__main__":
    main()
