"""Open the store a user named: a SQLite file or a PostgreSQL URL."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from domain.errors import StoreUnavailable

if TYPE_CHECKING:
    from domain.application import Summit

SQLITE_BUSY_TIMEOUT_S = 30


def open_store(store: str, *, write: bool) -> Summit:
    """The summit application on `store`; StoreUnavailable when it cannot be used."""
    if store.startswith(("postgresql://", "postgres://")):
        from cli.pgstore import postgres_env

        env = postgres_env(store, write=write)
    else:
        env = _sqlite_env(store, write=write)
    from domain.application import Summit

    try:
        return Summit(env=env)
    except StoreUnavailable:
        raise
    except Exception as e:
        raise StoreUnavailable(_describe(store, e)) from None


def _describe(store: str, e: Exception) -> str:
    if store.startswith(("postgresql://", "postgres://")):
        from cli.pgstore import describe_failure

        return describe_failure(store, e)
    return f"cannot open store {store}: {e}"


def _sqlite_env(store: str, *, write: bool) -> dict[str, str]:
    check_sqlite(store, write=write)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(Path(store)),
        "SQLITE_LOCK_TIMEOUT": str(SQLITE_BUSY_TIMEOUT_S),
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
