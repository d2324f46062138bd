"""A store written by summit 0.1.0 opens, verifies and answers as it did then."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

OLD = Path(__file__).parent / "data" / "store-v0.1"

QUERIES = {
    "timeline-hague-2025.json": ["timeline", "hague-2025"],
    "timeline-bench-0000.json": ["timeline", "bench-0000"],
    "stance-hague-2025.json": ["stance", "hague-2025"],
    "stance-hague-2025-asof.json": ["stance", "hague-2025", "--as-of", "2025-06-10"],
    "consensus-hague-2025.json": ["consensus", "hague-2025"],
    "stance-bench-0000-p-main.json": ["stance", "bench-0000", "--proposal", "p-main"],
    "stance-bench-0000-p-alt.json": ["stance", "bench-0000", "--proposal", "p-alt"],
    "consensus-bench-0000-p-main.json": [
        "consensus",
        "bench-0000",
        "--proposal",
        "p-main",
    ],
    "consensus-bench-0000-p-alt.json": [
        "consensus",
        "bench-0000",
        "--proposal",
        "p-alt",
    ],
}


def _summit(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", *args],
        env={"PATH": "/usr/bin:/bin", "SUMMIT_STORE": str(store), "HOME": "/tmp"},
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent.parent,
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("old") / "store.db"
    shutil.copyfile(OLD / "store.db", copy)
    return copy


def test_old_store_verifies_with_the_same_heads(store: Path) -> None:
    result = _summit(store, "audit", "verify")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (OLD / "audit-verify.txt").read_text()


@pytest.mark.parametrize("expected", sorted(QUERIES))
def test_old_store_answers_as_it_did(store: Path, expected: str) -> None:
    result = _summit(store, *QUERIES[expected], "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == json.loads((OLD / expected).read_text())


def test_old_store_exports_the_same_log(store: Path) -> None:
    result = _summit(store, "export")
    assert result.returncode == 0, result.stderr
    got = [json.loads(line) for line in result.stdout.splitlines()]
    want = [
        json.loads(line) for line in (OLD / "export.jsonl").read_text().splitlines()
    ]
    assert got == want


def test_old_export_reimports_to_the_same_views(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.db"
    result = _summit(fresh, "import", str(OLD / "export.jsonl"))
    assert result.returncode == 0, result.stderr
    for expected in ("stance-hague-2025.json", "consensus-bench-0000-p-alt.json"):
        result = _summit(fresh, *QUERIES[expected], "--format", "json")
        assert json.loads(result.stdout) == json.loads((OLD / expected).read_text())


def test_old_store_gains_the_spending_view_and_answers_delivery(store: Path) -> None:
    # Its views were caught up by 0.1.0, without the `summit_spending` table:
    # the first query creates it (no 0.1.0 log can hold a spending figure).
    result = _summit(store, "delivery", "hague-2025", "--format", "json")
    assert result.returncode == 0, result.stderr
    view = json.loads(result.stdout)
    assert [s["counts"]["no_data"] for s in view["summary"]] == [32, 32, 32]
    result = _summit(
        store, "spending", "hague-2025", "--year", "2024", "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["allies"] == []
    import sqlite3

    with sqlite3.connect(store) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "summit_spending" in tables


def test_old_views_are_rebuilt_under_the_current_schema(tmp_path: Path) -> None:
    # 0.1.0 kept a copy of each record in `summit_facts`, tracked as
    # "summit-views": the first query drops those views and refolds the log.
    import sqlite3

    copy = tmp_path / "store.db"
    shutil.copyfile(OLD / "store.db", copy)
    result = _summit(copy, "stance", "hague-2025", "--format", "json")
    assert result.returncode == 0, result.stderr
    expected = json.loads((OLD / "stance-hague-2025.json").read_text())
    assert json.loads(result.stdout) == expected
    with sqlite3.connect(copy) as conn:
        names = {
            r[0]
            for r in conn.execute("SELECT application_name FROM tracking")
            if r[0].startswith("summit-views")
        }
        columns = {r[1] for r in conn.execute("PRAGMA table_info(summit_facts)")}
        head = conn.execute("SELECT MAX(rowid) FROM stored_events").fetchone()[0]
        tracked = conn.execute(
            "SELECT MAX(notification_id) FROM tracking "
            "WHERE application_name='summit-views-2'"
        ).fetchone()
    conn.close()
    assert names == {"summit-views-2"}
    assert "record" not in columns and "position" in columns
    assert tracked[0] == head
    status = json.loads(_summit(copy, "views", "status", "--format", "json").stdout)
    assert status["behind"] == 0 and status["rows"] == head
