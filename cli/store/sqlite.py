"""SQLite stores: a file path turned into eventsourcing's settings, and bulk writes."""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Iterable
from types import ModuleType
from typing import Any
from uuid import UUID

from domain.errors import StoreUnavailable

SHARED = False  # one user's file: each reader catches the views up itself


def env(store: str, *, write: bool) -> dict[str, str]:
    """eventsourcing's settings for the SQLite file `store`, after checking it.

    A reader opens the file read-only (SQLite can neither create nor change
    it); only a writer may create the store.
    """
    from cli.store.locks import lock_timeout_s
    from projections.tables.sqlite import read_only_uri

    check_sqlite(store, write=write)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": store if write else read_only_uri(store),
        "SQLITE_LOCK_TIMEOUT": str(lock_timeout_s()),
        "CREATE_TABLE": "y" if write else "n",
    }


def check_sqlite(store: str, *, write: bool) -> None:
    """StoreUnavailable unless `store` is a summit store we may read (or, for a
    writer, a file it may create one in: missing, empty, or a SQLite database
    with no tables). Nothing is created or changed here."""
    folder = _folder(store)
    if os.path.isdir(store):
        raise StoreUnavailable(f"{store}: not a summit store (it is a directory)")
    if not os.path.exists(store):
        if not write:
            raise StoreUnavailable(
                f"store not found: {store} (record or import something first, "
                "or name another with --store / SUMMIT_STORE)"
            )
        if not os.path.exists(folder):
            raise StoreUnavailable(
                f"cannot create store {store}: folder {folder} does not exist"
            )
        if not os.access(folder, os.W_OK):
            raise StoreUnavailable(f"cannot create store {store}: permission denied")
        return
    if not os.access(store, os.R_OK):
        raise StoreUnavailable(f"cannot open store {store}: permission denied")
    if write and not os.access(store, os.W_OK):
        raise StoreUnavailable(f"cannot write store {store}: the file is read-only")
    if write and not os.access(folder, os.W_OK):
        raise StoreUnavailable(
            f"cannot write store {store}: its folder {folder} is read-only"
        )
    problem = _not_summit(store)
    if problem is not None and not (write and problem == _NO_TABLES):
        raise StoreUnavailable(f"{store}: not a summit store ({problem})")


_NO_TABLES = "it holds no tables"


def _folder(store: str) -> str:
    """The folder of the file `store` (os.path, not pathlib: pathlib imports
    urllib and ipaddress, which would slow every query's start)."""
    return os.path.dirname(store.rstrip("/")) or "."


def _not_summit(store: str) -> str | None:
    """Why the existing file `store` is not a summit store, or None when it is."""
    from projections.tables.sqlite import read_only_uri

    if os.path.getsize(store) == 0:
        return _NO_TABLES
    try:
        c = sqlite3.connect(read_only_uri(store, probe=True), uri=True)
        try:
            names = {r[0] for r in c.execute("SELECT name FROM sqlite_master")}
            if "stored_events" in names:
                c.execute("SELECT MAX(rowid) FROM stored_events").fetchone()
        finally:
            c.close()
    except sqlite3.Error as e:
        return f"SQLite says: {e}"
    if "stored_events" in names:
        return None
    if names:
        return "it is another program's SQLite database"
    return _NO_TABLES


def describe_failure(store: str, e: Exception) -> str:
    """One line for a store that would not open."""
    return f"cannot open store {store}: {e}"


def display(store: str) -> str:
    """How the store is named in messages."""
    return store


def readable_file(store: str) -> str:
    """The file, after checking that it may be read."""
    check_sqlite(store, write=False)
    return store


def tables() -> ModuleType:
    """The views' tables on SQLite."""
    from projections.tables import sqlite

    return sqlite


@functools.cache
def application() -> type[Any]:
    """The application class: summit, writing an import in one SQLite transaction."""
    from domain.application import Summit

    class SQLiteSummit(Summit):
        def insert_stored(self, chunks: Iterable[list[Any]]) -> None:
            """One SQLite transaction, written chunk by chunk: one statement a
            chunk (eventsourcing's own insert runs one a row, to return each
            row's position, which an import does not need)."""
            from cli.store.locks import busy_means_unavailable

            recorder: Any = self.recorder
            with (
                busy_means_unavailable(),
                recorder.datastore.transaction(commit=True) as cursor,
            ):
                for chunk in chunks:
                    cursor.executemany(
                        recorder.insert_events_statement,
                        [
                            (
                                _id_text(e.originator_id),
                                e.originator_version,
                                e.topic,
                                e.state,
                            )
                            for e in chunk
                        ],
                    )

        def forget_snapshots(self, aggregate_id: Any, before: int) -> None:
            """Delete the aggregate's snapshots older than version `before`."""
            assert self.snapshots is not None
            recorder: Any = self.snapshots.recorder
            with recorder.datastore.transaction(commit=True) as cursor:
                cursor.execute(
                    f"DELETE FROM {recorder.events_table_name} "
                    "WHERE originator_id = ? AND originator_version < ?",
                    (aggregate_id.hex, before),
                )

    return SQLiteSummit


def _id_text(originator_id: Any) -> Any:
    """An originator id as eventsourcing's SQLite recorder stores it."""
    return originator_id.hex if isinstance(originator_id, UUID) else originator_id
