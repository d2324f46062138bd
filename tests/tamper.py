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
    import psycopg

    from cli.store.postgres import events_table, parse_url, password_for

    t = parse_url(store)
    with psycopg.connect(
        host=t.host,
        port=t.port,
        dbname=t.dbname,
        user=t.user,
        password=password_for(t),
        autocommit=True,
    ) as conn:
        conn.execute(f'SET search_path TO "{t.schema}"')
        cur = conn.execute(statement.format(events=events_table()), params)
        return cur.fetchall() if cur.description else []


def position_column(store: str) -> str:
    """The log's position column (SQLite's rowid, PostgreSQL's notification_id)."""
    return "rowid" if is_sqlite(store) else "notification_id"
