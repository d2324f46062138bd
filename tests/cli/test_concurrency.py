"""Concurrent writers on one store, with real processes: nothing lost, nothing twice.

Each writer is its own Python process that runs the CLI once per event (click's
runner, so every event opens the store, validates against the log and saves,
as `summit record --json` does). Writers load first, then start together on a
signal, so their records interleave. Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.builders import opened, said, tabled

ROOT = Path(__file__).resolve().parents[2]
ALLIES = ("DEU", "FRA", "GBR", "ITA")
STANCES = ("supports", "undecided", "opposes")

# A writer: for each step, say "ready", wait for "go", record the step's events
# one CLI run at a time, then print [[exit code, stderr], ...].
WRITER = """
import json, sys
from click.testing import CliRunner
from cli.main import cli
store, by = sys.argv[1], sys.argv[2]
steps = json.loads(sys.stdin.readline())
runner = CliRunner()
for records in steps:
    print("ready", flush=True)
    sys.stdin.readline()
    out = []
    for record in records:
        args = ["--store", store, "--by", by, "record", "--json", json.dumps(record)]
        result = runner.invoke(cli, args)
        out.append([result.exit_code, result.stderr.strip()])
    print(json.dumps(out), flush=True)
"""


class Writers:
    """Writer processes on one store, started together step by step."""

    def __init__(self, store: str, plans: list[list[list[dict[str, Any]]]]) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SUMMIT_")}
        self.procs = [
            subprocess.Popen(
                [sys.executable, "-c", WRITER, store, f"writer-{i}"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=ROOT,
                env=env,
            )
            for i in range(len(plans))
        ]
        for proc, steps in zip(self.procs, plans, strict=True):
            self._send(proc, json.dumps(steps))

    def ready(self) -> None:
        for proc in self.procs:
            line = self._read(proc)
            assert line == "ready", line

    def go(self) -> None:
        for proc in self.procs:
            self._send(proc, "go")

    def results(self) -> list[list[tuple[int, str]]]:
        return [[tuple(r) for r in json.loads(self._read(p))] for p in self.procs]

    def step(self) -> list[list[tuple[int, str]]]:
        self.ready()
        self.go()
        return self.results()

    def close(self) -> None:
        for proc in self.procs:
            assert proc.stdin is not None
            proc.stdin.close()
            proc.wait(timeout=60)
            assert proc.stderr is not None
            err = proc.stderr.read()
            assert proc.returncode == 0 and "Traceback" not in err, err

    @staticmethod
    def _send(proc: subprocess.Popen[str], line: str) -> None:
        assert proc.stdin is not None
        proc.stdin.write(line + "\n")
        proc.stdin.flush()

    @staticmethod
    def _read(proc: subprocess.Popen[str]) -> str:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            assert proc.stderr is not None
            raise AssertionError(f"writer died: {proc.stderr.read()}")
        return line.strip()


@pytest.fixture
def store(make_summit: Any) -> Any:
    """A store with negotiation `t` opened for four allies and proposal p5 tabled."""
    summit = make_summit("shared")
    summit.load([opened(parties=ALLIES), tabled(occurred_on="2025-01-15")])
    return summit


def day(n: int) -> str:
    return (date(2025, 2, 1) + timedelta(days=n)).isoformat()


def statements(ally_index: int, count: int) -> list[dict[str, Any]]:
    """`count` statements by one ally, a day apart, its stance changing each time."""
    ally = ALLIES[ally_index]
    return [
        said(
            f"{ally.lower()}-{k:02d}",
            ally,
            day(k),
            STANCES[(ally_index + k) % len(STANCES)],
        )
        for k in range(count)
    ]


def export(summit: Any) -> list[dict[str, Any]]:
    return [json.loads(x) for x in summit.ok("export", "t").stdout.splitlines()]


def test_four_writers_of_fifty_events_each_store_exactly_two_hundred(
    store: Any,
) -> None:
    count = 50
    writers = Writers(store.store, [[statements(i, count)] for i in range(4)])
    results = writers.step()
    writers.close()

    for i, codes in enumerate(results):
        failed = [(n, c, err) for n, (c, err) in enumerate(codes) if c != 0]
        assert not failed, f"writer {i}: {failed[:3]}"
    lines = export(store)
    refs = [line["ref"] for line in lines]
    assert len(lines) == 2 + 4 * count
    assert len(set(refs)) == len(refs)
    assert set(refs) == {"open", "tab"} | {
        r["ref"] for i in range(4) for r in statements(i, count)
    }
    assert {line["_recorded"]["by"] for line in lines[2:]} == {
        f"writer-{i}" for i in range(4)
    }

    last = count - 1
    stance = store.json("stance", "t", "--proposal", "p5")
    for i, ally in enumerate(stance["allies"]):
        assert ally["ally"] == ALLIES[i]
        assert ally["stance"] == STANCES[(i + last) % len(STANCES)]
        assert ally["evidence"] == f"{ALLIES[i].lower()}-{last:02d}"
        assert ally["since"] == day(last)
    counts = store.json("consensus", "t", "--proposal", "p5")["counts"]
    assert sum(counts.values()) == 4
    timeline = store.json("timeline", "t")["events"]
    assert len([e for e in timeline if e["type"] == "statement.made"]) == 4 * count
    verified = store.ok("audit", "verify")
    assert f"{2 + 4 * count} events checked" in verified.stdout


def test_two_writers_racing_for_one_ref_one_wins_the_other_exits_2(store: Any) -> None:
    rounds = 3
    a = [[said(f"race-{n}", "DEU", "2025-03-01", "supports")] for n in range(rounds)]
    b = [[said(f"race-{n}", "FRA", "2025-03-02", "opposes")] for n in range(rounds)]
    writers = Writers(store.store, [a, b])
    outcomes = [writers.step() for _ in range(rounds)]
    writers.close()

    for n, results in enumerate(outcomes):
        (code_a, err_a), (code_b, err_b) = results[0][0], results[1][0]
        assert sorted((code_a, code_b)) == [0, 2], results
        loser = err_b if code_a == 0 else err_a
        assert "already exists" in loser and "Traceback" not in loser
        winner = a[n][0] if code_a == 0 else b[n][0]
        stored = [line for line in export(store) if line["ref"] == f"race-{n}"]
        assert len(stored) == 1
        assert stored[0]["actor"] == winner["actor"]


@contextlib.contextmanager
def write_lock(store: str) -> Iterator[None]:
    """Hold the log's write lock from another connection, as a busy writer would."""
    if not store.startswith("postgresql://"):
        import sqlite3

        conn = sqlite3.connect(store, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    import psycopg

    from cli.store.postgres import events_table, parse_url, password_for

    t = parse_url(store)
    with psycopg.connect(
        host=t.host, port=t.port, dbname=t.dbname, user=t.user, password=password_for(t)
    ) as conn:
        conn.execute(f'LOCK TABLE "{t.schema}"."{events_table()}" IN EXCLUSIVE MODE')
        yield
        conn.rollback()


def test_a_second_writer_waits_for_the_first_instead_of_failing(store: Any) -> None:
    held = 1.0
    writers = Writers(store.store, [[[said("waited", "GBR", "2025-03-03", "opposes")]]])
    writers.ready()
    with write_lock(store.store):
        writers.go()
        started = time.monotonic()
        time.sleep(held)
        assert writers.procs[0].poll() is None, "the writer gave up instead of waiting"
    results = writers.results()
    writers.close()
    assert results == [[(0, "")]]
    assert time.monotonic() - started >= held
    assert [r["ref"] for r in export(store)][-1] == "waited"


def one(record: dict[str, Any]) -> list[Any]:
    from domain.interchange import Line, record_problems

    parsed, problems = record_problems(record)
    assert not problems, problems
    return [Line(1, parsed)]


@contextlib.contextmanager
def two_writers(store: str) -> Iterator[tuple[Any, Any]]:
    """Two applications on one store; the first is overtaken by the second once."""
    from cli.store import open_store

    mine, theirs = open_store(store, write=True), open_store(store, write=True)
    try:
        yield mine, theirs
    finally:
        mine.close()
        theirs.close()


def overtaken_by(
    monkeypatch: pytest.MonkeyPatch, mine: Any, theirs: Any, record: dict[str, Any]
) -> None:
    """Make `theirs` store `record` between `mine` validating and saving."""
    write = mine._write

    def write_after_theirs(*args: Any) -> Any:
        monkeypatch.setattr(mine, "_write", write)
        theirs.record_lines(one(record), "them")
        return write(*args)

    monkeypatch.setattr(mine, "_write", write_after_theirs)


def test_a_conflict_is_retried_against_the_new_state_of_the_log(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with two_writers(store.store) as (mine, theirs):
        overtaken_by(
            monkeypatch, mine, theirs, said("theirs", "FRA", day(1), "opposes")
        )
        report = mine.record_lines(one(said("mine", "DEU", day(2), "supports")), "me")
    assert report.stored == ["mine"] and report.conflicts_retried == 1
    assert [r["ref"] for r in export(store)] == ["open", "tab", "theirs", "mine"]


def test_a_ref_taken_while_validating_is_refused_on_retry(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from domain.errors import InvalidInput

    with two_writers(store.store) as (mine, theirs):
        overtaken_by(monkeypatch, mine, theirs, said("same", "FRA", day(1), "opposes"))
        with pytest.raises(InvalidInput, match="already exists"):
            mine.record_lines(one(said("same", "DEU", day(2), "supports")), "me")
    assert [r["actor"] for r in export(store) if r["ref"] == "same"] == ["FRA"]
