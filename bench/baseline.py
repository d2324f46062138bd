"""Baselines for bench/run.py: what eventsourcing alone costs on the same store.

    python bench/baseline.py save STORE.db EVENTS.jsonl
        read the file, put one event per line (carrying the same record) on one
        plain aggregate per negotiation, and save them all in one save().
    python bench/baseline.py read STORE.db
        read and decode the whole notification log in batches.

Prints the seconds taken by the work itself (after imports). bench/run.py
takes the whole process's time for the ratio, as it does for summit's side
(issue 12: "both sides whole processes"), and reports this figure beside it.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate


class Table(Aggregate):
    """A plain aggregate: one event class that carries a record."""

    class Noted(Aggregate.Event):
        record: dict[str, Any]
        recorded_by: str

    def __init__(self, slug: str) -> None:
        self.slug = slug

    def note(self, record: dict[str, Any]) -> None:
        self.trigger_event(self.Noted, record=record, recorded_by="bench")


class Baseline(Application[Any]):
    name = "baseline"


def env(store: str) -> dict[str, str]:
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": store,
        "CREATE_TABLE": "y",
    }


def save(store: str, path: str) -> float:
    start = time.perf_counter()
    app = Baseline(env=env(store))
    tables: dict[str, Table] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            slug = record["negotiation"]
            if slug not in tables:
                tables[slug] = Table._create(
                    Table.Created, id=uuid5(NAMESPACE_URL, slug), slug=slug
                )
            else:
                tables[slug].note(record)
    app.save(*tables.values())
    return time.perf_counter() - start


def read(store: str) -> float:
    from cli.store import open_store

    app = open_store(store, write=False)
    start_time = time.perf_counter()
    start = 1
    while True:
        notifications = app.recorder.select_notifications(start, 5000)
        if not notifications:
            break
        for n in notifications:
            app.mapper.to_domain_event(n)
        start = notifications[-1].id + 1
    return time.perf_counter() - start_time


if __name__ == "__main__":
    sys.path.insert(0, __file__.rsplit("/bench/", 1)[0])
    kind = sys.argv[1]
    seconds = save(sys.argv[2], sys.argv[3]) if kind == "save" else read(sys.argv[2])
    print(f"{seconds:.4f}")
