"""A SQLite query reads one snapshot: what another process commits while it
runs (a rebuild emptying the views and dropping their indexes) is not seen
between its statements (projections/tables/sqlite.py)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from projections.tables.days_read import consensus_from_tables
from projections.tables.sqlite import SQLiteTables
from tests.builders import NEG, opened, said, tabled


def _store(tmp_path: Path) -> str:
    store = str(tmp_path / "s.db")
    records = (
        opened(),
        tabled(),
        said("a", "DEU", "2025-06-10", "supports"),
        said("b", "FRA", "2025-06-11", "opposes"),
    )
    text = "\n".join(json.dumps(r) for r in records)
    run = CliRunner().invoke
    assert run(cli, ["--store", store, "import", "-"], input=text).exit_code == 0
    assert run(cli, ["--store", store, "consensus", NEG]).exit_code == 0
    return store


@pytest.mark.parametrize("known_at", [None, "2100-01-01T00:00:00+00:00"])
def test_a_query_reads_one_snapshot(tmp_path: Path, known_at: str | None) -> None:
    store = _store(tmp_path)
    instant = None if known_at is None else datetime.fromisoformat(known_at)
    views = SQLiteTables(store)
    try:
        before = consensus_from_tables(views, NEG, None, None, instant, known_at)
        other = sqlite3.connect(store)  # another process's rebuild, midway
        with other:
            other.execute("DROP INDEX summit_days_current")
            for table in ("summit_days", "summit_refs", "summit_evidence"):
                other.execute(f"DELETE FROM {table}")
        other.close()
        after = consensus_from_tables(views, NEG, None, None, instant, known_at)
    finally:
        views.close()
    assert after == before
    assert [step["refs"] for step in before["path"]] == [["a"], ["b"]]
    fresh = SQLiteTables(store)
    try:  # a new reader sees the change (the next query catches up)
        assert fresh.rows("SELECT COUNT(*) FROM summit_days") == [(0,)]
    finally:
        fresh.close()
