"""The log is stored compressed, and a store written before compression still
reads, takes new events beside its old rows, and verifies."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

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
