"""summit's speed, size and memory against its targets, measured in one run.

    python bench/run.py                 # 2,000,000 / 200,000 / 20,000 events
    python bench/run.py --quick         # 20,000 events, 3 runs: under 2 minutes
    python bench/run.py --sizes 200000,20000 --runs 3   # a middle way

Every figure is a median over --runs runs in fresh processes (the spread is
the lowest and highest run), and every target is a ratio against a baseline
measured in the same run on the same machine (which is shared and noisy:
absolute times mean little). Generated inputs are cached in bench/out/.
"""

from __future__ import annotations

import argparse
import json
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
NEG = "bench-0000"

# As on a user's machine after `pip install`: compiled bytecode is used (some
# sandboxes set PYTHONDONTWRITEBYTECODE, which makes every start recompile).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

Row = tuple[str, str, str, str, str, str]


def events_file(n: int, per: int = 2000) -> Path:
    path = OUT / (f"events-{n}.jsonl" if per == 2000 else f"events-{n}-{per}.jsonl")
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        with tmp.open("w", encoding="utf-8") as f:
            subprocess.run(
                [PY, str(ROOT / "bench" / "generate.py"), str(n), str(per)],
                stdout=f,
                check=True,
            )
        tmp.rename(path)
    return path


def timed(cmd: list[str]) -> tuple[float, str]:
    """Wall seconds and stdout of one fresh process."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, env=ENV)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr.decode()[-2000:]}")
    return seconds, proc.stdout.decode()


def peak_rss(cmd: list[str]) -> tuple[float, int]:
    """Seconds and peak RSS (KiB) of one process (its own, not the children's)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV
    )
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return time.perf_counter() - start, usage.ru_maxrss


def med(xs: list[float]) -> float:
    return statistics.median(xs)


def spread(xs: list[float], scale: float = 1.0, unit: str = "s") -> str:
    fmt = "{:.0f}" if unit == "ms" else "{:.2f}"
    return f"{fmt.format(min(xs) * scale)}–{fmt.format(max(xs) * scale)} {unit}"


def met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def store_bytes(store: Path) -> int:
    return sum(
        Path(f"{store}{s}").stat().st_size
        for s in ("", "-wal")
        if Path(f"{store}{s}").exists()
    )


def fresh_store(tmp: Path, name: str) -> Path:
    store = tmp / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    return store


def summit(store: Path, *args: str) -> list[str]:
    return [SUMMIT, "--store", str(store), *args]


def bench_import(tmp: Path, n: int, runs: int, rows: list[Row]) -> Path:
    """Import against eventsourcing's batched save; memory; store size."""
    path = events_file(n)
    ours, rss, base = [], [], []
    kept = fresh_store(tmp, f"import-{n}")
    for i in range(runs):
        store = kept if i == 0 else fresh_store(tmp, f"import-{n}-{i}")
        seconds, peak = peak_rss(summit(store, "import", str(path)))
        ours.append(seconds)
        rss.append(peak)
        bstore = fresh_store(tmp, f"baseline-{n}-{i}")
        _, out = timed(
            [PY, str(ROOT / "bench" / "baseline.py"), "save", str(bstore), str(path)]
        )
        base.append(float(out))
        bstore.unlink()
        if i:
            fresh_store(tmp, f"import-{n}-{i}")
    ratio = med(base) / med(ours)
    rows.append(
        (
            f"import {n:,} events (whole process)",
            f"{n / med(ours):,.0f} ev/s ({med(ours):.1f} s; {spread(ours)})",
            f"eventsourcing save(): {n / med(base):,.0f} ev/s ({med(base):.1f} s)",
            f"{ratio:.2f}×",
            "≥ 0.8×",
            met(ratio >= 0.8),
        )
    )
    mb = max(rss) / 1024
    rows.append(
        (
            "peak memory of that import",
            f"{mb:.0f} MB (highest run)",
            "",
            "",
            "≤ 300 MB",
            met(mb <= 300),
        )
    )
    # Size with the views caught up (the first query does that).
    timed(summit(kept, "stance", NEG, "-p", "p-main", "--format", "json"))
    size = store_bytes(kept)
    jsonl = path.stat().st_size
    rows.append(
        (
            f"store size, {n:,} events, views included",
            f"{size / 1e6:.1f} MB",
            f"the JSON Lines imported: {jsonl / 1e6:.1f} MB",
            f"{size / jsonl:.2f}×",
            "≤ 2.5×",
            met(size / jsonl <= 2.5),
        )
    )
    return kept


def bench_rebuild(store: Path, n: int, runs: int, rows: list[Row]) -> None:
    rebuild, read = [], []
    for _ in range(runs):
        rebuild.append(timed(summit(store, "views", "rebuild"))[0])
        _, out = timed([PY, str(ROOT / "bench" / "baseline.py"), "read", str(store)])
        read.append(float(out))
    ratio = med(read) / med(rebuild)
    rows.append(
        (
            f"views rebuild of {n:,} events",
            f"{med(rebuild):.1f} s ({spread(rebuild)})",
            f"read+decode the log: {med(read):.1f} s",
            f"{ratio:.2f}×",
            "≥ 0.5×",
            met(ratio >= 0.5),
        )
    )


QUERIES = {
    f"{view}{label}": [view, NEG, "-p", "p-main", *extra, "--format", "json"]
    for view in ("stance", "consensus", "delivery")
    for label, extra in (
        ("", []),
        (" --as-of", ["--as-of", "2025-03-01"]),
        (" --known-at", ["--known-at", "2100-01-01T00:00:00Z"]),
    )
}


def bench_queries(stores: dict[str, Path], runs: int, rows: list[Row]) -> None:
    """Cold processes, interleaved so drift hits all alike."""
    samples: dict[str, list[float]] = {"help": [], "click": []}
    for _ in range(max(runs, 5) * 2):
        samples["help"].append(timed([SUMMIT, "--help"])[0])
        samples["click"].append(timed([PY, "-c", "import click"])[0])
        for label, q in QUERIES.items():
            for size, store in stores.items():
                samples.setdefault(f"{label} @{size}", []).append(
                    timed(summit(store, *q))[0]
                )
    help_s = med(samples["help"])
    names = " / ".join(stores)
    for label in QUERIES:
        xs = [samples[f"{label} @{size}"] for size in stores]
        ratios = [med(x) / help_s for x in xs]
        rows.append(
            (
                f"cold `{label}` ({names} events)",
                " / ".join(f"{med(x) * 1000:.0f}" for x in xs) + " ms",
                f"`summit --help`: {help_s * 1000:.0f} ms",
                " / ".join(f"{r:.2f}×" for r in ratios),
                "≤ 1.3×, no growth",
                met(max(ratios) <= 1.3),
            )
        )
    click_s = med(samples["click"])
    rows.append(
        (
            "`summit --help`",
            f"{help_s * 1000:.0f} ms ({spread(samples['help'], 1000, 'ms')})",
            f"`python -c 'import click'`: {click_s * 1000:.0f} ms",
            f"{help_s / click_s:.2f}×",
            "≤ 1.5×",
            met(help_s / click_s <= 1.5),
        )
    )


def statement(ref: str) -> str:
    return json.dumps(
        {
            "type": "statement.made",
            "negotiation": NEG,
            "ref": ref,
            "occurred_on": "2025-05-01",
            "actor": "DEU",
            "speaker": "Bench",
            "position": {"proposal": "p-main", "stance": "supports"},
            "source": {"outlet": "Bench Wire", "reliability": "reported"},
        }
    )


def bench_record(tmp: Path, big: int, runs: int, rows: list[Row]) -> Path:
    """`summit record` into a negotiation of 20 events against one of `big`."""
    stores = {}
    for size in (20, big):
        store = fresh_store(tmp, f"record-{size}")
        timed(summit(store, "import", str(events_file(size, size))))
        timed(summit(store, "stance", NEG, "-p", "p-main"))  # views current
        stores[size] = store
    samples: dict[int, list[float]] = {20: [], big: []}
    for i in range(max(runs, 5)):
        for size, store in stores.items():
            samples[size].append(
                timed(summit(store, "record", "--json", statement(f"bench-w{i}")))[0]
            )
    ratio = med(samples[big]) / med(samples[20])
    rows.append(
        (
            f"`summit record` into a negotiation of {big:,} events",
            f"{med(samples[big]) * 1000:.0f} ms ({spread(samples[big], 1000, 'ms')})",
            f"into one of 20: {med(samples[20]) * 1000:.0f} ms",
            f"{ratio:.2f}×",
            "≤ 1.5×",
            met(ratio <= 1.5),
        )
    )
    return stores[big]


def commit() -> str:
    out = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() or "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 events, 3 runs")
    parser.add_argument("--sizes", default="2000000,200000,20000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--negotiation",
        type=int,
        default=50_000,
        help="events in the one big negotiation",
    )
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.runs, args.negotiation = "20000", 3, 5000
    sizes = sorted((int(s) for s in args.sizes.split(",")), reverse=True)
    runs = args.runs
    started = time.time()
    subprocess.run(
        [PY, "-m", "compileall", "-q", "domain", "projections", "cli"],
        cwd=ROOT,
        env=ENV,
        check=True,
    )
    tmp = Path(tempfile.mkdtemp(prefix="summit-bench-"))
    rows: list[Row] = []
    try:
        stores: dict[str, Path] = {}
        for n in sizes:
            # The largest store is imported once (minutes); the rest `runs` times.
            store = bench_import(tmp, n, 1 if n >= 1_000_000 else runs, rows)
            stores[f"{n // 1000:,}k"] = store
        mid = sizes[1] if len(sizes) > 2 else sizes[0]
        bench_rebuild(stores[f"{mid // 1000:,}k"], mid, runs, rows)
        one = bench_record(tmp, args.negotiation, runs, rows)
        stores = dict(reversed(stores.items()))
        stores[f"one negotiation of {args.negotiation // 1000:,}k"] = one
        bench_queries(stores, runs, rows)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load = os.getloadavg()
    print(
        f"summit benchmark{' (--quick)' if args.quick else ''}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {commit()}, "
        f"{platform.node()}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"medians of {runs} runs (queries: {max(runs, 5) * 2}), "
        f"load average {load[0]:.1f}, took {time.time() - started:.0f} s\n"
    )
    print("| measure | summit (spread) | baseline (same run) | ratio | target | |")
    print("| --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
