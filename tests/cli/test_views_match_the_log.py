"""The persisted views are proven equal to what the log gives, not just trusted.

Each case edits a view table behind summit's back (UPDATE, DELETE, INSERT
with sqlite3 or psycopg) and expects `audit verify` to exit 1 naming the
first row that differs, and `views status` to say the views do not match.
The tables come from the views' own DDL, so a new view is covered unedited.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.tamper import (
    forge_row,
    number_column,
    one_row,
    sql,
    text_column,
    tracking_table,
    view_tables,
)

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hague-2025.jsonl"
NEG = "hague-2025"


def sample_lines() -> str:
    """The whole 2025 sample, less any event type this build does not know yet
    (and what retracts or corrects those), so every view table gets rows."""
    from domain.vocabulary import EVENT_TYPE

    kept, dropped = [], set()
    for line in SAMPLE.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        record = json.loads(line)
        if record["type"] not in EVENT_TYPE or record.get("target") in dropped:
            dropped.add(record["ref"])
        else:
            kept.append(line)
    return "\n".join(kept) + "\n"


@pytest.fixture
def stored(summit: Any) -> Any:
    summit.ok("import", "-", input=sample_lines())
    summit.ok("stance", NEG)  # the views caught up with the log
    return summit


def tamper(store: str, table: str, how: str) -> None:
    if how == "update":
        column = text_column(store, table)
        change = f"COALESCE({column}, '') || 'x'"
        if (
            column is None
        ):  # no text to change (the consensus paths, the facts): a number
            column = number_column(store, table)
            change = f"{column} + 7"
        sql(
            store,
            f"UPDATE {table} SET {column} = {change} WHERE {one_row(store, table)}",
        )
    elif how == "delete":
        sql(store, f"DELETE FROM {table} WHERE {one_row(store, table)}")
    else:
        forge_row(store, table)


def verify_fails_naming(summit: Any, *words: str) -> str:
    result = summit.run("audit", "verify")
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr)
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)
    return str(result.stderr)


def test_intact_views_match_the_log(stored: Any) -> None:
    assert stored.ok("audit", "verify").stdout.startswith("ok: ")
    status = stored.json("views", "status")
    assert status["matches_log"] is True and status["difference"] is None
    assert "every view row matches the log" in stored.ok("views", "status").stdout


@pytest.mark.parametrize("how", ["update", "delete", "insert"])
@pytest.mark.parametrize("table", view_tables())
def test_a_tampered_view_row_is_named_by_verify_and_status(
    stored: Any, table: str, how: str
) -> None:
    if not sql(stored.store, f"SELECT 1 FROM {table} LIMIT 1"):
        pytest.fail(f"the sample gives {table} no rows: choose a sample that does")
    tamper(stored.store, table, how)
    words = {
        "update": ("in the store", "from the log"),
        "delete": ("missing from the store",),
        "insert": ("in the store but not given by the log",),
    }[how]
    verify_fails_naming(stored, "tampering in the views", f"view table {table}", *words)
    status = stored.run("views", "status", "--format", "json")
    assert status.exit_code == 1, (status.exit_code, status.stderr)  # a failed check
    assert json.loads(status.stdout)["matches_log"] is False
    assert table in json.loads(status.stdout)["difference"]
    status = stored.run("views", "status")
    assert status.exit_code == 1 and "do NOT match the log" in status.stdout
    stored.ok("views", "rebuild")  # the log is intact: the views come back
    stored.ok("audit", "verify")


def test_the_reported_tampering_is_caught_with_both_values(stored: Any) -> None:
    # The reproduction: GBR's evidence made to say it supports.
    before = stored.json("stance", NEG)
    sql(stored.store, "UPDATE summit_evidence SET stance='supports' WHERE party='GBR'")
    message = verify_fails_naming(
        stored, "view table summit_evidence", "party='GBR'", "stance is 'supports'"
    )
    assert "from the log" in message and "position=" in message
    stored.ok("views", "rebuild")
    assert stored.json("stance", NEG) == before


def test_a_forged_tracking_position_is_caught(stored: Any) -> None:
    # Views claiming to have processed less than their rows hold.
    tracking = tracking_table(stored.store)
    sql(stored.store, f"UPDATE {tracking} SET notification_id = notification_id - 5")
    verify_fails_naming(stored, "in the store but not given by the log")


@pytest.mark.parametrize(
    "edit",
    [
        "UPDATE summit_targets SET targets = 'not json'",
        "UPDATE summit_targets SET targets = '[1]'",
        "UPDATE summit_pledges SET pct_gdp = 'abc'",
        "UPDATE summit_evidence SET stance = 'bogus'",
        # The facts keep no copy of the record (it is read from the log's
        # row): their recording time (microseconds) is what a fact row
        # holds of its own.
        "UPDATE summit_facts SET recorded_us = 'x'",
    ],
)
def test_queries_on_views_that_no_longer_decode_never_crash(
    stored: Any, edit: str
) -> None:
    if not stored.store.endswith(".db"):
        pytest.skip("PostgreSQL's column types refuse most of these")
    sql(stored.store, edit)
    for command in ("stance", "consensus", "timeline"):
        for fmt in ("table", "json"):
            result = stored.run(command, NEG, "--format", fmt)
            assert result.exit_code in (0, 1), (command, fmt, result.stderr)
            assert "Traceback" not in result.stderr
            if result.exit_code == 1:
                assert "views were changed outside summit" in result.stderr
    verify_fails_naming(stored, "tampering in the views")
