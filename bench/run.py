"""summit's speed and memory against its targets, measured in one run.

    python bench/run.py                 # 200,000 and 20,000 events, 5 runs each
    python bench/run.py --events 50000 --small 5000 --runs 3   # a quicker look

Every figure is a median over --runs runs in fresh processes, and every
target is a ratio against a baseline measured in the same run on the same
machine (which is shared and noisy: absolute times mean little).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
PY = sys.executable
SUMMIT = str(Path(PY).with_name("summit"))


def events_file(n: int) -> Path:
    path = OUT / f"events-{n}.jsonl"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as f:
            subprocess.run(
                [PY, str(ROOT / "bench" / "generate.py"), str(n)], stdout=f, check=True
            )
    return path


# As on a user's machine after `pip install`: compiled bytecode is used (some
# sandboxes set PYTHONDONTWRITEBYTECODE, which makes every start recompile).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (KiB) and stdout of one fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=ENV
    )
    out = proc.stdout.read().decode() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return seconds, usage.ru_maxrss, out


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def import_store(tmp: Path, path: Path, name: str) -> tuple[float, int, Path]:
    store = tmp / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    seconds, rss, _ = timed([SUMMIT, "--store", str(store), "import", str(path)])
    return seconds, rss, store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--small", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    runs = args.runs
    subprocess.run(
        [PY, "-m", "compileall", "-q", "domain", "projections", "cli"],
        cwd=ROOT,
        env=ENV,
        check=True,
    )
    big, small = events_file(args.events), events_file(args.small)
    tmp = Path(tempfile.mkdtemp(prefix="summit-bench-"))
    rows: list[tuple[str, str, str, str, str]] = []
    try:
        # 1 and 5: import, against eventsourcing's batched save of the same events.
        ours, rss, base = [], [], []
        for i in range(runs):
            seconds, peak, store = import_store(tmp, big, f"import-{i}")
            ours.append(seconds)
            rss.append(peak)
            bstore = tmp / f"baseline-{i}.db"
            _, _, out = timed(
                [PY, str(ROOT / "bench" / "baseline.py"), "save", str(bstore), str(big)]
            )
            base.append(float(out))
            if i:
                store.unlink()
                bstore.unlink()
        n = args.events
        rows.append(
            (
                f"import {n:,} events (whole process)",
                f"{n / median(ours):,.0f} ev/s ({median(ours):.1f} s)",
                f"eventsourcing save(): {n / median(base):,.0f} ev/s",
                f"{median(base) / median(ours):.2f}×",
                "≥ 0.8×",
            )
        )
        rows.append(
            (
                "peak memory of that import",
                f"{median(rss) / 1024:.0f} MB",
                "",
                "",
                "≤ 300 MB",
            )
        )
        big_store = tmp / "import-0.db"

        # 2: views rebuild, against reading and decoding the whole log.
        rebuild, read = [], []
        for _ in range(runs):
            seconds, _, _ = timed(
                [SUMMIT, "--store", str(big_store), "views", "rebuild"]
            )
            rebuild.append(seconds)
            _, _, out = timed(
                [PY, str(ROOT / "bench" / "baseline.py"), "read", str(big_store)]
            )
            read.append(float(out))
        rows.append(
            (
                f"views rebuild of {n:,} events",
                f"{median(rebuild):.1f} s",
                f"read+decode the log: {median(read):.1f} s",
                f"{median(read) / median(rebuild):.2f}×",
                "≥ 0.5×",
            )
        )

        # 3 and 4: cold processes, interleaved so drift hits all alike.
        _, _, small_store = import_store(tmp, small, "small")
        for store in (small_store, big_store):  # catch the views up once
            timed(
                [
                    SUMMIT,
                    "--store",
                    str(store),
                    "stance",
                    "bench-0001",
                    "-p",
                    "p-main",
                    "--format",
                    "json",
                ]
            )
        queries = {
            "stance": ["stance", "bench-0001", "-p", "p-main", "--format", "json"],
            "stance --as-of": [
                "stance",
                "bench-0001",
                "-p",
                "p-main",
                "--as-of",
                "2025-03-01",
                "--format",
                "json",
            ],
            "consensus": [
                "consensus",
                "bench-0001",
                "-p",
                "p-main",
                "--format",
                "json",
            ],
            "consensus --as-of": [
                "consensus",
                "bench-0001",
                "-p",
                "p-main",
                "--as-of",
                "2025-03-01",
                "--format",
                "json",
            ],
        }
        samples: dict[str, list[float]] = {"help": [], "click": []}
        for _ in range(max(runs, 5) * 2):
            samples["help"].append(timed([SUMMIT, "--help"])[0])
            samples["click"].append(timed([PY, "-c", "import click"])[0])
            for label, q in queries.items():
                for size, store in (("20k", small_store), ("200k", big_store)):
                    key = f"{label} @{size}"
                    samples.setdefault(key, []).append(
                        timed([SUMMIT, "--store", str(store), *q])[0]
                    )
        help_s = median(samples["help"])
        for label in queries:
            s20, s200 = (
                median(samples[f"{label} @20k"]),
                median(samples[f"{label} @200k"]),
            )
            rows.append(
                (
                    f"cold `{label}` ({args.small:,} / {n:,} events)",
                    f"{s20 * 1000:.0f} / {s200 * 1000:.0f} ms",
                    f"`summit --help`: {help_s * 1000:.0f} ms",
                    f"{s20 / help_s:.2f}× / {s200 / help_s:.2f}×",
                    "≤ 1.3×, no growth",
                )
            )
        click_s = median(samples["click"])
        rows.append(
            (
                "`summit --help`",
                f"{help_s * 1000:.0f} ms",
                f"`python -c 'import click'`: {click_s * 1000:.0f} ms",
                f"{help_s / click_s:.2f}×",
                "≤ 1.5×",
            )
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(
        f"summit benchmark, {time.strftime('%Y-%m-%d')}, {platform.node()}, "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, medians of {runs} runs\n"
    )
    print("| measure | summit | baseline (same run) | ratio | target |")
    print("| --- | --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
