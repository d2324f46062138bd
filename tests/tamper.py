"""Editing a store behind summit's back, as someone with a plain SQL client would.

`sql(store, statement)` runs one statement on a SQLite file (sqlite3) or on a
team store (psycopg, in the store's schema); `{events}` names the log's table.
"""

from __future__ import annotations

import sqlite3
from typing import Any


def is_sqlite(store: str) -> bool:
    return not store.startswith("postgresql://")


def sql(store: str, statement: str, *params: Any) -> list[tuple[Any, ...]]:
    """Run `statement` (with `{events}` for the log's table); return its rows."""
    if is_sqlite(store):
        conn = sqlite3.connect(store)
        try:
            with conn:
                cur = conn.execute(statement.format(events="stored_events"), params)
                return cur.fetchall()
        finally:
            conn.close()
    from cli.store.postgres import events_table, parse_url
    from tests.pgserver import _connect

    with _connect(store) as conn:
        conn.execute(f'SET search_path TO "{parse_url(store).schema}"')
        cur = conn.execute(statement.format(events=events_table()), params)
        return cur.fetchall() if cur.description else []


def tracking_table(store: str) -> str:
    """The table the views' tracking record is kept in."""
    if is_sqlite(store):
        return "tracking"
    (name,) = sql(
        store,
        "SELECT table_name FROM information_schema.tables WHERE table_schema "
        "= current_schema() AND table_name LIKE '%%tracking'",
    )[0]
    return str(name)


def position_column(store: str) -> str:
    """The log's position column (SQLite's rowid, PostgreSQL's notification_id)."""
    return "rowid" if is_sqlite(store) else "notification_id"


def view_tables() -> list[str]:
    """Every persisted view table, as the views' own DDL names them."""
    from projections.tables.schema import create_statements

    prefix = "CREATE TABLE IF NOT EXISTS "
    return [
        s[len(prefix) :].split()[0] for s in create_statements() if s.startswith(prefix)
    ]


def text_column(store: str, table: str) -> str | None:
    """The last text column of `table` other than `negotiation` and `proposal`
    (None: it has none)."""
    if is_sqlite(store):
        found = [
            r[1] for r in sql(store, f"PRAGMA table_info({table})") if r[2] == "TEXT"
        ]
    else:
        found = [
            r[0]
            for r in sql(
                store,
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = %s "
                "AND data_type = 'text' ORDER BY ordinal_position",
                table,
            )
        ]
    found = [c for c in found if c not in ("negotiation", "proposal")]
    return found[-1] if found else None


def number_column(store: str, table: str) -> str:
    """A column of counts or ids to change in a table with no text to change."""
    columns = _columns(store, table)
    return next(c for c in ("supports", "id", "version") if c in columns)


def one_row(store: str, table: str) -> str:
    """A WHERE clause that picks one row of `table`."""
    if is_sqlite(store):
        if not _without_rowid(store, table):
            return f"rowid = (SELECT MIN(rowid) FROM {table})"
        # Its primary key (a whole row could hold a NULL, never equal).
        info = sql(store, f"PRAGMA table_info({table})")
        listed = ", ".join(r[1] for r in sorted(info, key=lambda r: r[5]) if r[5])
        return f"({listed}) = (SELECT {listed} FROM {table} LIMIT 1)"
    return f"ctid = (SELECT ctid FROM {table} LIMIT 1)"


def _without_rowid(store: str, table: str) -> bool:
    (found,) = sql(store, "SELECT sql FROM sqlite_master WHERE name = ?", table)
    return str(found[0]).endswith("WITHOUT ROWID")


def _columns(store: str, table: str) -> list[str]:
    if is_sqlite(store):
        return [r[1] for r in sql(store, f"PRAGMA table_info({table})")]
    rows = sql(
        store,
        "SELECT column_name FROM information_schema.columns WHERE table_schema "
        "= current_schema() AND table_name = %s ORDER BY ordinal_position",
        table,
    )
    return [r[0] for r in rows]


def forge_row(store: str, table: str) -> None:
    """Insert a copy of one row of `table`, at a log position that does not exist."""
    columns = _columns(store, table)
    # A table without positions (the consensus paths' days) keyed otherwise:
    # the copy made a new key, as no log entry gives.
    forged = (
        {"position": "1000000000"}
        if "position" in columns
        else {"id": "1000000000", "known_from": "1000000000", "proposal": "'forged'"}
    )
    picked = [forged.get(c, c) for c in columns]
    sql(store, f"INSERT INTO {table} SELECT {', '.join(picked)} FROM {table} LIMIT 1")
