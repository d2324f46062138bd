"""SQLite stores: a file path turned into eventsourcing's settings, and bulk writes."""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

from domain.errors import StoreUnavailable

SHARED = False  # one user's file: each reader catches the views up itself


def env(store: str, *, write: bool) -> dict[str, str]:
    """eventsourcing's settings for the SQLite file `store`, after checking it."""
    from cli.store import lock_timeout_s

    check_sqlite(store, write=write)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(Path(store)),
        "SQLITE_LOCK_TIMEOUT": str(lock_timeout_s()),
        "CREATE_TABLE": "y",
    }


def check_sqlite(store: str, *, write: bool) -> None:
    """StoreUnavailable unless `store` is a SQLite file we may read (or create)."""
    path = Path(store)
    if path.is_dir():
        raise StoreUnavailable(f"cannot open store {store}: it is a directory")
    if not path.exists():
        if not write:
            raise StoreUnavailable(
                f"store not found: {store} (record or import something first, "
                "or name another with --store / SUMMIT_STORE)"
            )
        if not path.parent.exists():
            raise StoreUnavailable(
                f"cannot create store {store}: folder {path.parent} does not exist"
            )
        if not os.access(path.parent, os.W_OK):
            raise StoreUnavailable(f"cannot create store {store}: permission denied")
    else:
        if not os.access(path, os.R_OK) or (write and not os.access(path, os.W_OK)):
            raise StoreUnavailable(f"cannot open store {store}: permission denied")
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as c:
                c.execute("PRAGMA schema_version").fetchone()
            c.close()
        except sqlite3.Error as e:
            raise StoreUnavailable(f"cannot open store {store}: {e}") from None


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
            """One SQLite transaction, written chunk by chunk."""
            from cli.store import busy_means_unavailable

            recorder: Any = self.recorder
            with (
                busy_means_unavailable(),
                recorder.datastore.transaction(commit=True) as cursor,
            ):
                for chunk in chunks:
                    recorder._insert_events(cursor, chunk)

    return SQLiteSummit
