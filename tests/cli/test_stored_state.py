"""The log is stored compressed, and a store written before compression still
reads, takes new events beside its old rows, and verifies."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from tests.builders import corrected, opened, retracted, said, tabled
from tests.conftest import Summit

OLD = Path(__file__).parents[1] / "data" / "store-v0.1"
SEED = Path(__file__).parents[2] / "examples" / "hague-2025-seed.jsonl"


def _first_bytes(store: Path) -> list[bytes]:
    with sqlite3.connect(store) as c:
        return [
            bytes(r[0])[:1]
            for r in c.execute("SELECT state FROM stored_events ORDER BY rowid")
        ]


def test_a_new_store_holds_every_state_compressed(tmp_path: Path) -> None:
    summit = Summit(store=str(tmp_path / "new.db"), tmp=tmp_path)
    summit.ok("import", str(SEED))
    assert set(_first_bytes(tmp_path / "new.db")) == {b"\x78"}
    assert summit.ok("audit", "verify").stdout.startswith("ok: 23 events checked")


def test_an_old_store_takes_compressed_events_beside_its_plain_rows(
    tmp_path: Path,
) -> None:
    store = tmp_path / "old.db"
    shutil.copyfile(OLD / "store.db", store)
    summit = Summit(store=str(store), tmp=tmp_path)
    before = summit.ok("export").stdout
    summit.ok(
        "record",
        "pledge",
        "-n",
        "hague-2025",
        "--on",
        "2025-06-24",
        "--actor",
        "GBR",
        "--metric",
        "core_defence",
        "--pct",
        "3.5",
        "--by-year",
        "2035",
        "--outlet",
        "Reuters",
        "--ref",
        "late-pledge",
    )
    firsts = _first_bytes(store)
    assert set(firsts[:-1]) == {b"{"} and firsts[-1] == b"\x78"
    assert summit.ok("audit", "verify").stdout.startswith("ok: ")
    after = summit.ok("export").stdout
    assert after.startswith(before) and "late-pledge" in after[len(before) :]


def _snapshots(store: str) -> list[tuple[Any, ...]]:
    from tests.tamper import is_sqlite, sql

    table = "stored_snapshots" if is_sqlite(store) else "summit_snapshots"
    return sql(store, f"SELECT originator_version FROM {table}")


def _statements(first: int, count: int) -> list[dict[str, Any]]:
    return [said(f"s{i}", "GBR", "2025-06-10", "supports") for i in range(first, count)]


def test_a_long_negotiation_keeps_one_snapshot_and_writes_from_it(
    summit: Summit,
) -> None:
    from domain.snapshots import SNAPSHOT_EVERY

    summit.load([opened(), tabled(), *_statements(0, SNAPSHOT_EVERY)])
    assert _snapshots(summit.store) == [(SNAPSHOT_EVERY + 2,)]
    for i in range(SNAPSHOT_EVERY, SNAPSHOT_EVERY + 3):  # a few: no new snapshot
        summit.ok("record", "--json", json.dumps(_statements(i, i + 1)[0]))
    summit.load(_statements(SNAPSHOT_EVERY + 3, 2 * SNAPSHOT_EVERY + 2))
    assert _snapshots(summit.store) == [(2 * SNAPSHOT_EVERY + 4,)]  # the older gone
    # from the snapshot: a repeated ref is still refused, a retraction still fits
    again = dict(_statements(5, 6)[0], occurred_on="2025-06-11")
    result = summit.run("record", "--json", json.dumps(again))
    assert result.exit_code == 2 and "already exists" in result.stderr
    summit.ok("record", "--json", json.dumps(retracted("r-s5", "s5")))
    summit.ok("record", "--json", json.dumps(retracted("r-r-s5", "r-s5")))
    assert summit.ok("audit", "verify").stdout.startswith("ok: ")


def test_a_store_without_snapshots_is_read_by_replaying_it(tmp_path: Path) -> None:
    from domain.snapshots import SNAPSHOT_EVERY

    store = tmp_path / "s.db"
    summit = Summit(store=str(store), tmp=tmp_path)
    summit.load([opened(), tabled(), *_statements(0, SNAPSHOT_EVERY)])
    with sqlite3.connect(store) as c:
        c.execute("DROP TABLE stored_snapshots")  # as written before snapshots
    summit.ok("record", "--json", json.dumps(_statements(500, 501)[0]))
    assert _snapshots(str(store)) == [(SNAPSHOT_EVERY + 3,)]  # taken again
    result = summit.run("record", "--json", json.dumps(_statements(7, 8)[0]))
    assert result.exit_code == 0 and "already recorded" in result.stderr


def test_a_store_from_before_snapshots_gains_their_table_on_a_write(
    summit: Summit,
) -> None:
    from domain.snapshots import SNAPSHOT_EVERY
    from tests.tamper import is_sqlite, sql

    summit.load([opened(), tabled(), *_statements(0, SNAPSHOT_EVERY)])
    table = "stored_snapshots" if is_sqlite(summit.store) else "summit_snapshots"
    sql(summit.store, f"DROP TABLE {table}")  # as written before snapshots
    summit.load(_statements(SNAPSHOT_EVERY, 2 * SNAPSHOT_EVERY))
    assert _snapshots(summit.store) == [(2 * SNAPSHOT_EVERY + 2,)]


def test_a_correction_after_a_snapshot_of_an_older_record_still_reads_it(
    summit: Summit,
) -> None:
    from domain.snapshots import SNAPSHOT_EVERY

    summit.load([opened(), tabled(), *_statements(0, SNAPSHOT_EVERY)])
    change = {"position": {"proposal": "p5", "stance": "opposes"}}
    summit.ok("record", "--json", json.dumps(corrected("c-s1", "s1", change)))
    # The next write restores the book from the snapshot, then replays the
    # correction: it reads s1's record (not kept in the snapshot) from the log.
    summit.ok("record", "--json", json.dumps(retracted("r-c-s1", "c-s1")))
    assert summit.ok("audit", "verify").stdout.startswith("ok: ")
