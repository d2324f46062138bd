"""Concurrent writers: 1, 2 and 4 processes recording into one negotiation at once.

    python bench/concurrent_writers.py                  # 100 events per writer
    python bench/concurrent_writers.py --events 50 --writers 1,2,4,8
    python bench/concurrent_writers.py --stores sqlite --runs 3

Each writer is a process with its own `Summit` application (opened as the CLI
opens it, cli.store.open_store), recording one event per call to
`record_lines`, as `summit record` does; all start together on a barrier.
Every run gets a fresh store: a SQLite file in a temporary folder, or a
PostgreSQL database this script creates (summit_bench_<pid>_<n>, on the server
of --pg, default postgresql://postgres@127.0.0.1:5432/postgres) and drops.
Prints a Markdown table: events/s, how many conflicts were retried and how
many events were given up (the writer got "try again"); with --runs, the run
of median events/s.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, __file__.rsplit("/bench/", 1)[0])

from domain.vocabulary import STANCES as STANCE_WORDS

PARTIES = ["DEU", "FRA", "GBR", "ITA", "ESP", "POL", "NLD", "CAN"]
STANCES = list(STANCE_WORDS)
NEG = "bench"


def record(kind: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "negotiation": NEG, **fields}


def opening() -> list[dict[str, Any]]:
    return [
        record(
            "negotiation.opened",
            ref="open",
            occurred_on="2025-01-01",
            title="Bench table",
            summit_on="2025-06-24",
            venue="The Hague",
            parties=PARTIES,
        ),
        record(
            "proposal.tabled",
            ref="tab",
            occurred_on="2025-01-02",
            proposal="p5",
            by="NATO",
            title="Five percent",
            targets=[{"metric": "core_defence", "pct_gdp": 3.5, "by_year": 2035}],
        ),
    ]


def statement(writer: int, k: int) -> dict[str, Any]:
    ally = PARTIES[writer % len(PARTIES)]
    return record(
        "statement.made",
        ref=f"w{writer}-{k}",
        occurred_on=(date(2025, 2, 1) + timedelta(days=k % 120)).isoformat(),
        actor=ally,
        speaker=f"Minister of {ally}",
        position={"proposal": "p5", "stance": STANCES[(writer + k) % len(STANCES)]},
        source={"outlet": "Bench Wire", "reliability": "reported"},
    )


def lines(records: list[dict[str, Any]]) -> list[Any]:
    from domain.interchange import Line, record_problems

    out = []
    for n, raw in enumerate(records, start=1):
        parsed, problems = record_problems(raw)
        if problems:
            raise SystemExit(f"bench record {raw['ref']} is invalid: {problems}")
        out.append(Line(n, parsed))
    return out


def writer(store: str, index: int, events: int, barrier: Any, out: Any) -> None:
    """One process: open the store, wait for the others, record `events` events."""
    from cli.store import open_store
    from domain.errors import SummitError

    app = open_store(store, write=True)
    batch = [lines([statement(index, k)]) for k in range(events)]
    retried = failed = 0
    barrier.wait()
    for one in batch:
        try:
            retried += app.record_lines(one, f"writer-{index}").conflicts_retried
        except SummitError:
            failed += 1
    out.put((index, retried, failed, time.perf_counter()))
    app.close()


def run(store: str, writers: int, events: int) -> dict[str, Any]:
    """Record writers × events into a fresh store; the figures of that run."""
    from cli.store import open_store

    app = open_store(store, write=True)
    app.record_lines(lines(opening()), "bench")
    app.close()
    barrier = mp.Barrier(writers + 1)
    out: Any = mp.Queue()
    procs = [
        mp.Process(target=writer, args=(store, i, events, barrier, out))
        for i in range(writers)
    ]
    for p in procs:
        p.start()
    barrier.wait()
    started = time.perf_counter()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = max(r[3] for r in results) - started
    stored = _count(store) - 2
    return {
        "writers": writers,
        "events": writers * events,
        "stored": stored,
        "seconds": elapsed,
        "per_s": stored / elapsed,
        "retried": sum(r[1] for r in results),
        "failed": sum(r[2] for r in results),
    }


def _count(store: str) -> int:
    from cli.store import open_store
    from projections.log import read_log

    app = open_store(store, write=False)
    try:
        return sum(1 for _ in read_log(app, negotiation=NEG))
    finally:
        app.close()


@contextmanager
def sqlite_stores() -> Iterator[Any]:
    with tempfile.TemporaryDirectory(prefix="summit-bench-") as tmp:
        names = iter(range(1, 1000))
        yield lambda: str(Path(tmp) / f"bench-{next(names)}.db")


@contextmanager
def postgres_stores(admin_url: str) -> Iterator[Any]:
    import psycopg

    from cli.store.postgres import parse_url, password_for

    t = parse_url(admin_url)
    admin = psycopg.connect(
        host=t.host,
        port=t.port,
        dbname=t.dbname,
        user=t.user,
        password=password_for(t),
        autocommit=True,
    )
    tag = f"summit_bench_{os.getpid()}_{secrets.token_hex(3)}"
    made: list[str] = []

    def new() -> str:
        name = f"{tag}_{len(made) + 1}"
        admin.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return admin_url.rsplit("/", 1)[0] + "/" + name

    try:
        yield new
    finally:
        for name in made:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100, help="per writer")
    parser.add_argument("--writers", default="1,2,4", help="comma-separated counts")
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--runs", type=int, default=1, help="report the median run")
    parser.add_argument(
        "--pg", default="postgresql://postgres@127.0.0.1:5432/postgres", metavar="URL"
    )
    args = parser.parse_args()
    counts = [int(n) for n in args.writers.split(",")]
    print(
        "| store | writers | events | stored | seconds | events/s | retried | failed |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for kind in args.stores.split(","):
        stores = sqlite_stores() if kind == "sqlite" else postgres_stores(args.pg)
        with stores as new_store:
            for n in counts:
                runs = [run(new_store(), n, args.events) for _ in range(args.runs)]
                middle = statistics.median_low(x["per_s"] for x in runs)
                r = next(x for x in runs if x["per_s"] == middle)
                print(
                    f"| {kind} | {n} | {r['events']} | {r['stored']} | "
                    f"{r['seconds']:.2f} | {r['per_s']:.0f} | {r['retried']} | "
                    f"{r['failed']} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
