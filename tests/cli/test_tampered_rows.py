"""A log row edited into something that no longer decodes is tampering, not a crash.

Each case edits one stored row with a plain SQL client (sqlite3, psycopg) and
expects `summit audit verify` to exit 1 naming that row's position, and every
other command to refuse with one line (never exit 70, never a traceback).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.builders import opened, pledged, said, tabled
from tests.tamper import is_sqlite, position_column, sql

# (what was done, SET clause, backends whose column types allow it)
TAMPERINGS = [
    ("bad originator_id", "originator_id = 'deadbeef'", ("sqlite",)),
    ("integer originator_id", "originator_id = 5", ("sqlite",)),
    ("bad topic", "topic = 'summit.nowhere:Nothing'", ("sqlite", "postgres")),
    ("empty topic", "topic = ''", ("sqlite", "postgres")),
    ("non-JSON state", "state = {text}", ("sqlite", "postgres")),
    (
        "wrong version",
        "originator_version = originator_version + 7",
        ("sqlite", "postgres"),
    ),
    ("version zero", "originator_version = 0", ("sqlite", "postgres")),
    ("text version", "originator_version = 'abc'", ("sqlite",)),
    ("missing version", "originator_version = NULL", ("sqlite",)),
]


@pytest.fixture
def loaded(summit: Any) -> Any:
    summit.load([opened(), tabled(), said("a", "GBR", "2025-06-10", "supports")])
    summit.load([pledged("p", "GBR", "2025-06-11", 2.5, 2030)])
    summit.load([said("b", "FRA", "2025-06-12", "opposes")])
    return summit


def tamper(store: str, set_clause: str, position: int) -> None:
    text = "'not json'" if is_sqlite(store) else "'not json'::bytea"
    where = f"{position_column(store)} = {position}"
    sql(store, f"UPDATE {{events}} SET {set_clause.format(text=text)} WHERE {where}")


@pytest.mark.parametrize(
    "what,set_clause,backends", TAMPERINGS, ids=[t[0] for t in TAMPERINGS]
)
@pytest.mark.parametrize("position", [1, 2, 5])  # 1: read to tell plain from encrypted
def test_an_undecodable_or_inconsistent_row_is_tampering_at_its_position(
    loaded: Any, what: str, set_clause: str, backends: tuple[str, ...], position: int
) -> None:
    backend = "sqlite" if is_sqlite(loaded.store) else "postgres"
    if backend not in backends:
        pytest.skip(f"{backend}'s column types refuse {what}")
    tamper(loaded.store, set_clause, position)
    result = loaded.run("audit", "verify")
    assert result.exit_code == 1, (result.exit_code, result.stderr)
    assert f"at log position {position}" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ("export",),
        ("audit", "log"),
        ("audit", "checkpoint"),
        ("stance", "t"),
        ("consensus", "t"),
        ("timeline", "t"),
        ("views", "rebuild"),
        ("replay", "t", "--until", "3"),
    ],
)
def test_every_command_refuses_a_store_with_an_unreadable_row_in_one_line(
    loaded: Any, command: tuple[str, ...]
) -> None:
    if not is_sqlite(loaded.store):
        pytest.skip("only SQLite lets an originator_id be a non-UUID")
    tamper(loaded.store, "originator_id = 'deadbeef'", 2)
    if command[0] in {"stance", "consensus", "timeline"}:
        # Writes keep the views current, so a query answers from them without
        # reading the log; wind the views back so that it must read row 2.
        sql(loaded.store, "UPDATE tracking SET notification_id = 1")
    result = loaded.run(*command)
    assert result.exit_code in (1, 3), (result.exit_code, result.stderr)
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "audit verify" in result.stderr or "position 2" in result.stderr


def test_the_first_unreadable_row_is_named_among_thousands(summit: Any) -> None:
    if not is_sqlite(summit.store):
        pytest.skip("only SQLite lets an originator_id be a non-UUID")
    events = [opened(parties=["GBR"]), tabled()]
    events += [said(f"s{i}", "GBR", "2025-06-10", "supports") for i in range(6_200)]
    summit.load(events)
    tamper(summit.store, "originator_id = 'deadbeef'", 6_101)
    tamper(summit.store, "originator_id = 'feedface'", 6_150)
    result = summit.run("audit", "verify")
    assert result.exit_code == 1
    assert "at log position 6101:" in result.stderr
