"""summit's speed, size and memory against its targets, measured in one run.

    python bench/run.py                 # the full run: tens of minutes
    python bench/run.py --quick         # 20,000 events, 3 runs: under 2 minutes
    python bench/run.py --sizes 2000 --negotiations 2000 --runs 1 --no-postgres
    python bench/run.py --write-readme  # ... and put the report in README.md
    python bench/run.py --instructions  # ... and count each query's instructions

The full run measures stores of 2,000,000, 200,000 and 20,000 generated
events (bench/generate.py: negotiations of about 2,000 events) and one
negotiation of 5,000 events and one of 50,000, on SQLite and, beside it, on
the PostgreSQL server of --pg (a database summit_bench_<pid> made for the
run and dropped after it; --no-postgres skips it): imports of 20,000 and
200,000 events against eventsourcing's own batched save() (bench/baseline.py),
peak memory, store size against the JSON Lines, a views rebuild against
reading the log, `summit record` into the big negotiations against one of 20
events, and cold `stance`, `consensus` and `delivery` with and without
--as-of and --known-at at every scale point against `summit --help`.

Every figure is a median over --runs runs in fresh processes (the spread is
the lowest and highest run), and every target is a ratio against a baseline
measured in the same run on the same machine (which is shared and noisy:
absolute times mean little). Stores of a million events or more are not
imported in the run: they are built once into bench/out/ (see stores.py)
and their import's time and memory are reported from that build. For every
target not met, one more process runs under cProfile and the report shows
its top functions (bench/out/profile-*.txt holds the longer lists).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import extras
import instructions
from kinds import Kind, profile, statement
from measure import (
    ENV,
    PY,
    ROOT,
    SUMMIT,
    kilo,
    med,
    ms,
    peak_rss,
    spread,
    summit,
    timed,
)
from report import header, render, sizes_block, write_readme
from stores import (
    NEG,
    OUT,
    WARM,
    Postgres,
    events_file,
    sqlite_breakdown,
)

FLAT = 1.2  # "the same within noise": slowest point ≤ 1.2 × the fastest
BASELINE = str(ROOT / "bench" / "baseline.py")
QUERIES = {
    f"{view}{label}": [view, NEG, "-p", "p-main", *extra, "--format", "json"]
    for view in ("stance", "consensus", "delivery")
    for label, extra in (
        ("", []),
        (" --as-of", ["--as-of", "2025-03-01"]),
        (" --known-at", ["--known-at", "2100-01-01T00:00:00Z"]),
    )
}


def baseline(*args: str) -> tuple[float, float]:
    """One bench/baseline.py process: its wall seconds (the ratio's side:
    both sides whole processes, issue 12) and those of its work alone after
    its imports (what it prints, shown beside)."""
    whole, said = timed([PY, BASELINE, *args])
    return whole, float(said)


def bench_imports(
    kind: Kind, sizes: list[int], runs: int, sqlite: Kind, cached_from: int
) -> None:
    """Imports (each run a fresh store) against eventsourcing's batched save;
    peak memory; store size with the views caught up."""
    rss: list[str] = []
    peak_mb = 0.0
    size_cells: list[tuple[int, int]] = []
    for n in sizes:
        path = events_file(n)
        if n >= cached_from:
            store, meta = kind.cached(n, 2000, writable=False)
            kind.points[kilo(n)] = store
            if not kind.pg:  # (PostgreSQL's copy is made by `store copy`)
                mb = meta["peak_kb"] / 1024
                peak_mb = max(peak_mb, mb)
                rss.append(f"{mb:.0f} MB ({kilo(n)}, cache built {meta['built']})")
            size_cells.append((n, kind.size(store)))
            continue
        imported = [m for m in sizes if m < cached_from]
        ours, peaks, base, work, dry = [], [], [], [], []
        big = n >= 100_000
        times = (
            (1 if big else min(runs, 3)) if kind.pg else (min(runs, 3) if big else runs)
        )
        for i in range(times):
            store = kind.fresh(f"import_{n}_{i}")
            seconds, peak = peak_rss(summit(store, "import", str(path)))
            ours.append(seconds)
            peaks.append(peak / 1024)
            if i:
                kind.discard(store)
            else:
                kind.points[kilo(n)] = store
            if not kind.pg:
                bstore = kind.fresh(f"baseline_{n}_{i}")
                whole, alone = baseline("save", bstore, str(path))
                base.append(whole)
                work.append(alone)
                kind.discard(bstore)
                # The same input checked and nothing stored: what SPEC §2's
                # validation and checks alone cost, beside the same baseline.
                dstore = kind.fresh(f"dry_{n}_{i}")
                dry.append(timed(summit(dstore, "import", "--dry-run", str(path)))[0])
                kind.discard(dstore)
        kind.imports[n] = med(ours)
        mine = f"{n / med(ours):,.0f} ev/s ({med(ours):.1f} s; {spread(ours)})"
        label = f"import {n:,} events (whole process)"
        if kind.pg:
            assert sqlite is not None
            theirs = sqlite.imports[n]
            ratio = f"{theirs / med(ours):.2f}× SQLite"
            kind.target(
                (label, mine, f"SQLite: {n / theirs:,.0f} ev/s", ratio, "—", ""),
                True,
                None,
            )
        else:
            r = med(base) / med(ours)
            row = (
                label,
                mine,
                f"eventsourcing save(): {n / med(base):,.0f} ev/s ({med(base):.1f} s;"
                f" its work alone {med(work):.1f} s)",
                f"{r:.2f}×",
                "≥ 0.8×",
                "",
            )
            kind.target(
                row,
                r >= 0.8,
                profile(  # at the smallest size: a profile of 200,000 takes minutes
                    f"import of {kilo(imported[-1])} events",
                    f"import-{kilo(imported[-1])}",
                    kind.fresh("profiled_import"),
                    "import",
                    str(events_file(imported[-1])),
                ),
            )
            rd = med(base) / med(dry)
            kind.target(
                (
                    f"its checks alone: `import --dry-run` of {n:,} events "
                    "(read, validate, SPEC §2's checks; nothing stored)",
                    f"{med(dry):.1f} s ({spread(dry)}): {med(dry) / med(ours):.0%} "
                    "of the import",
                    f"eventsourcing save(): {med(base):.1f} s",
                    f"{rd:.2f}×",
                    "—",
                    "",
                ),
                True,
                None,
            )
        peak_mb = max(peak_mb, max(peaks))
        rss.append(f"{max(peaks):.0f} MB ({kilo(n)})")
        timed(summit(kind.points[kilo(n)], *WARM))  # views caught up
        size_cells.append((n, kind.size(kind.points[kilo(n)])))
    kind.target(
        (
            "peak memory of an import (highest run)",
            " / ".join(rss),
            "",
            "",
            "≤ 300 MB",
            "",
        ),
        peak_mb <= 300,
        None,
    )
    jsonl = [events_file(n).stat().st_size for n, _ in size_cells]
    ratios = [s / j for (_, s), j in zip(size_cells, jsonl, strict=True)]
    names = " / ".join(kilo(n) for n, _ in size_cells)
    row = (
        f"store size, views included ({names} events)",
        " / ".join(f"{s / 1e6:,.1f}" for _, s in size_cells) + " MB",
        "the JSON Lines: " + " / ".join(f"{j / 1e6:,.1f}" for j in jsonl) + " MB",
        " / ".join(f"{r:.2f}×" for r in ratios),
        "≤ 2.5×",
        "",
    )
    smallest = kind.points[kilo(size_cells[-1][0])]

    def breakdown() -> str:
        parts = sqlite_breakdown(smallest)
        out = OUT / "profile-store-size.txt"
        out.write_text("".join(f"{size:>12} {name}\n" for name, size in parts))
        return sizes_block(
            f"store size at {kilo(size_cells[-1][0])}",
            parts,
            "bench/out/profile-store-size.txt",
        )

    kind.target(row, max(ratios) <= 2.5, breakdown)


def bench_rebuild(kind: Kind, n: int, runs: int) -> None:
    store = kind.points[kilo(n)]
    rebuild, read, work = [], [], []
    for _ in range(runs if n < 100_000 else min(runs, 3)):
        rebuild.append(timed(summit(store, "views", "rebuild"))[0])
        whole, alone = baseline("read", store)
        read.append(whole)
        work.append(alone)
    r = med(read) / med(rebuild)
    label = f"views rebuild of {n:,} events"
    row = (
        label,
        f"{med(rebuild):.1f} s ({spread(rebuild)})",
        f"read+decode the log: {med(read):.1f} s (its work alone {med(work):.1f} s)",
        f"{r:.2f}×",
        "≥ 0.5×",
        "",
    )
    kind.target(
        row,
        r >= 0.5,
        profile(label, f"{kind.name.lower()}-views-rebuild", store, "views", "rebuild"),
    )


def bench_record(kind: Kind, negotiations: list[int], runs: int) -> None:
    """`summit record` into one negotiation of 20 events against bigger ones;
    the big negotiations are then queried as scale points too."""
    stores = {n: kind.cached(n, n, writable=True)[0] for n in [20, *negotiations]}
    samples: dict[int, list[float]] = {n: [] for n in stores}
    for i in range(max(runs, 5)):
        for n, store in stores.items():
            samples[n].append(
                timed(summit(store, "record", "--json", statement(f"bench-w{i}")))[0]
            )
    small = med(samples[20])
    for n in negotiations:
        r = med(samples[n]) / small
        label = f"`summit record` into a negotiation of {n:,} events"
        row = (
            label,
            f"{ms(med(samples[n]))} ms ({spread(samples[n], 1000, 'ms')})",
            f"into one of 20: {ms(small)} ms",
            f"{r:.2f}×",
            "≤ 1.5×",
            "",
        )
        why = profile(
            label,
            f"{kind.name.lower()}-record-{kilo(n)}",
            stores[n],
            "record",
            "--json",
            statement("bench-profiled"),
        )
        kind.target(row, r <= 1.5, why)
        kind.points[f"negotiation of {kilo(n)}"] = stores[n]


def point_order(item: tuple[str, str]) -> tuple[bool, float]:
    """20k, 200k, 2M, then negotiation of 5k, of 50k."""
    label = item[0].rsplit(" ", 1)[-1]
    scale = {"k": 1e3, "M": 1e6}.get(label[-1], 1.0)
    number = float(label.rstrip("kM")) * scale
    return item[0].startswith("negotiation"), number


def bench_queries(kinds: list[Kind], runs: int, loads: list[float]) -> None:
    """Cold processes, interleaved so drift hits all alike."""
    samples: dict[tuple[str, ...], list[float]] = {("help",): [], ("click",): []}
    for _ in range(max(runs, 5) * 2):
        samples[("help",)].append(timed([SUMMIT, "--help"])[0])
        samples[("click",)].append(timed([PY, "-c", "import click"])[0])
        for kind in kinds:
            for label, q in QUERIES.items():
                for point, store in kind.points.items():
                    key = (kind.name, label, point)
                    samples.setdefault(key, []).append(timed(summit(store, *q))[0])
        loads.append(os.getloadavg()[0])
    help_s = med(samples[("help",)])
    flat = f"flat: slowest/fastest ≤ {FLAT}"
    for kind in kinds:
        names = " / ".join(kind.points)
        for label, q in QUERIES.items():
            meds = {p: med(samples[(kind.name, label, p)]) for p in kind.points}
            growth = max(meds.values()) / min(meds.values())
            ratios = [m / help_s for m in meds.values()]
            row = (
                f"cold `{label}` ({names})",
                " / ".join(ms(m) for m in meds.values()) + " ms",
                f"`summit --help`: {ms(help_s)} ms",
                " / ".join(f"{r:.2f}×" for r in ratios)
                + f" (slowest/fastest {growth:.2f})",
                flat if kind.pg else f"≤ {instructions.LIMIT}×; {flat}",
                "",
            )
            ok = growth <= FLAT and (
                kind.pg is not None or max(ratios) <= instructions.LIMIT
            )
            worst = max(meds, key=lambda p: meds[p])
            slug = f"{kind.name.lower()}-{label.replace(' --', '-')}"
            kind.target(
                row,
                ok,
                profile(f"`{label}` at {worst}", slug, kind.points[worst], *q),
                True,
            )
    click_s = med(samples[("click",)])
    r = help_s / click_s
    row = (
        "`summit --help`",
        f"{ms(help_s)} ms ({spread(samples[('help',)], 1000, 'ms')})",
        f"`python -c 'import click'`: {ms(click_s)} ms",
        f"{r:.2f}×",
        "≤ 1.5×",
        "",
    )
    kinds[0].target(
        row, r <= 1.5, profile("`summit --help`", "help", ":memory:", "--help")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="20,000 events, 3 runs, SQLite only"
    )
    parser.add_argument(
        "--sizes", default="2000000,200000,20000", help="store sizes (events)"
    )
    parser.add_argument(
        "--negotiations", default="5000,50000", help="sizes of the one big negotiation"
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--cached-from",
        type=int,
        default=1_000_000,
        metavar="EVENTS",
        help="stores this big are built once into bench/out/, not imported each run",
    )
    parser.add_argument(
        "--pg",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        metavar="URL",
        help="server for the PostgreSQL column",
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--pg-sizes",
        metavar="SIZES",
        help="store sizes for PostgreSQL (default: --sizes); its copy of the"
        " 2,000,000-event store alone takes tens of minutes to build",
    )
    parser.add_argument(
        "--pg-negotiations",
        metavar="SIZES",
        help="big negotiations for PostgreSQL (default: --negotiations)",
    )
    parser.add_argument(
        "--write-readme", action="store_true", help="replace README.md's measured part"
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count each cold query's instructions (callgrind; minutes)",
    )
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.negotiations, args.runs, args.no_postgres = (
            "20000",
            "5000",
            3,
            True,
        )
    sizes = sorted((int(s) for s in args.sizes.split(",")), reverse=True)
    negotiations = sorted(int(s) for s in args.negotiations.split(","))
    pg_sizes = sorted(
        (int(s) for s in (args.pg_sizes or args.sizes).split(",")), reverse=True
    )
    pg_negotiations = sorted(
        int(s) for s in (args.pg_negotiations or args.negotiations).split(",")
    )
    started = time.time()
    loads = [os.getloadavg()[0]]
    subprocess.run(
        [PY, "-m", "compileall", "-q", "domain", "projections", "cli"],
        cwd=ROOT,
        env=ENV,
        check=True,
    )
    for stale in OUT.glob("profile-*"):  # a met target leaves no profile
        stale.unlink()
    tmp = Path(tempfile.mkdtemp(prefix="summit-bench-"))
    kinds = [Kind(tmp)]
    try:
        if not args.no_postgres:
            kinds.append(Kind(tmp, Postgres(args.pg)))
        for kind in kinds:
            ns = pg_sizes if kind.pg else sizes
            imported = [n for n in ns if n < args.cached_from]
            bench_imports(kind, ns, args.runs, kinds[0], args.cached_from)
            if imported:
                bench_rebuild(kind, imported[0], args.runs)
            bench_record(kind, pg_negotiations if kind.pg else negotiations, args.runs)
            if not args.quick and imported:
                if not kind.pg:
                    extras.encryption(kind, imported[-1], args.runs)
                extras.writers(kind)
            kind.points = dict(sorted(kind.points.items(), key=point_order))
            loads.append(os.getloadavg()[0])
        bench_queries(kinds, args.runs, loads)
        extra = []
        if args.instructions:
            extra.append(
                instructions.table(kinds[0].points, QUERIES)
                if instructions.available()
                else "(No instruction counts: valgrind is not installed.)"
            )
        notes = [explain() for kind in kinds for explain in kind.missed]
        pg_version = kinds[-1].pg.version if kinds[-1].pg else ""
    finally:
        for kind in kinds:
            if kind.pg:
                kind.pg.close()
        shutil.rmtree(tmp, ignore_errors=True)
    report = render(
        header(args, pg_version, loads, time.time() - started),
        [(f"{kind.name}", kind.rows) for kind in kinds],
        [note for note in notes if note],
        extra,
    )
    print(report)
    if args.write_readme:
        write_readme(ROOT / "README.md", report)


if __name__ == "__main__":
    main()
