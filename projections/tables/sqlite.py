"""The views on SQLite: read with sqlite3 alone, written by a tracking recorder.

The read path uses the standard library only (no eventsourcing, no pydantic):
a query on an up-to-date store starts as fast as `summit --help`.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

from projections.tables.read import CATCH_UPS, ReadOnlyStore
from projections.tables.schema import (
    FACTS,
    SQLITE_COLUMNS,
    TRACKING_NAME,
    Status,
    create_statements,
    facts_source,
    schema_state,
)


def read_only_uri(path: str, *, probe: bool = False) -> str:
    """A URI that opens `path` for reading only: SQLite can neither create nor
    change the file. In a folder this user may not write (where SQLite could
    not make its shared-memory file), or to `probe` a file that may not be a
    store at all (no side files made), a checkpointed file opens as immutable.
    """
    where = os.path.realpath(path)
    uri = f"file:{_quote(where)}?mode=ro"
    wal = where + "-wal"
    writable = os.access(os.path.dirname(where), os.W_OK)
    if (probe or not writable) and not os.path.exists(wal):
        uri += "&immutable=1"
    return uri


_PLAIN = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-._~"
)


def _quote(path: str) -> str:
    """A path percent-encoded for a URI (as `urllib.parse.quote`, which costs
    a query's start more than the rest of its imports together)."""
    return "".join(
        c if c in _PLAIN else "".join(f"%{b:02X}" for b in c.encode()) for c in path
    )


class SQLiteTables:
    """Read the views of a SQLite store with sqlite3 alone."""

    placeholder = "?"
    row_id = "rowid"
    facts = facts_source(FACTS, "stored_events", "rowid")
    seen: Status | None = None  # the status `fresh` found current (not re-read)

    def __init__(self, path: str) -> None:
        self.path = path
        self.conn = sqlite3.connect(read_only_uri(path), uri=True)
        # One read transaction, as PostgreSQL's reader keeps: the status
        # check and every read of a query see one snapshot of the file, so
        # another process's rebuild cannot empty the views, or drop an index
        # a query names (`days_read.py`), between two of its statements.
        self.conn.execute("BEGIN")

    def close(self) -> None:
        self.conn.close()

    def table(self, name: str) -> str:
        return name

    def _one(self, sql: str, *params: Any) -> Any:
        try:
            row = self.conn.execute(sql, params).fetchone()
        except sqlite3.OperationalError:  # table not there yet
            return None
        return None if row is None else row[0]

    def status(self, *, count: bool = False) -> Status:
        head = self._one("SELECT MAX(rowid) FROM stored_events") or 0
        tracked = (
            self._one(
                "SELECT MAX(notification_id) FROM tracking WHERE application_name=?",
                TRACKING_NAME,
            )
            or 0
        )
        rows = (self._one(f"SELECT COUNT(*) FROM {FACTS}") or 0) if count else -1
        return Status(head, tracked, rows)

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, params).fetchall()

    def schema_state(self) -> str:
        """The views' schema: "current", "missing" or "stale" (`schema_state`)."""
        return schema_state(self.conn.execute(SQLITE_COLUMNS).fetchall())


# `PRAGMA secure_delete` as it reads (0, 1, 2) and as it is set ("2" is not FAST).
_SECURE_DELETE = ("OFF", "ON", "FAST")


@functools.cache
def recorder_class() -> type[Any]:
    """The views recorder (eventsourcing is imported only when writing)."""
    from eventsourcing.sqlite import SQLiteTrackingRecorder

    from projections.tables.writer import ViewsWriter

    class SQLiteViewsRecorder(ViewsWriter, SQLiteTrackingRecorder):
        """Writes view rows and the tracking record in one SQLite transaction."""

        columns_query = (SQLITE_COLUMNS,)
        bulk_indexes = True

        def construct_create_table_statements(self) -> list[str]:
            return [*super().construct_create_table_statements(), *create_statements()]

        def _create_table(self, c: Any) -> None:
            _lock(c)  # (it reads the schema, then writes: see `writing`)
            super()._create_table(c)

        @contextlib.contextmanager
        def writing(self, cursor: Any) -> Iterator[None]:
            """The write lock taken by the transaction's first statement, and
            `secure_delete` off while it writes the views (as it was after).

            eventsourcing begins a deferred transaction: one that read
            before it wrote holds a snapshot, and when another process
            committed since, its first write fails at once with "database
            is locked", whatever the busy timeout (two queries refolding
            views at once). Taking the lock first waits for it instead
            (`_lock`), and reads what the other committed.

            Debian's SQLite has `secure_delete` on: every page a rebuild
            frees (the old views, dropped) was zeroed and written twice, to
            the WAL and back (0.4 s of a 200,000-event rebuild). The views
            keep nothing the log in the same file does not (an encrypted
            store keeps no views), so their freed pages need no zeroing;
            what else the connection does keeps the setting."""
            _lock(cursor)
            cursor.execute("PRAGMA secure_delete")
            was = f"PRAGMA secure_delete={_SECURE_DELETE[int(cursor.fetchone()[0])]}"
            cursor.execute("PRAGMA secure_delete=OFF")
            try:
                yield
            except BaseException:
                with contextlib.suppress(Exception):  # the failure tells
                    cursor.execute(was)
                raise
            cursor.execute(was)

    return SQLiteViewsRecorder


def _lock(cursor: Any) -> None:
    """Take the write lock now, in a transaction eventsourcing has just begun
    (deferred, nothing done in it yet): it ends, and an immediate one
    begins, waiting for the lock as long as the busy timeout allows; the
    transaction's end (commit or rollback) ends this one."""
    cursor.execute("COMMIT")
    cursor.execute("BEGIN IMMEDIATE")


def recorder(app: Any, *, create: bool = True) -> Any:
    """A tracking recorder on the application's database that also keeps the views."""
    found = app.factory.tracking_recorder(recorder_class())
    found.facts = facts_source(FACTS, app.recorder.events_table_name, "rowid")
    found.log = (app.recorder.events_table_name, "rowid")
    pool = app.recorder.datastore.pool
    found.file = None if pool.is_sqlite_memory_mode else pool.db_name
    return found


def current(store: Any) -> SQLiteTables:
    """A reader of the views as they stand (not caught up)."""
    return SQLiteTables(store.readable_file())


def fresh(store: Any, catch_up: Callable[[], Any]) -> SQLiteTables:
    """A reader of the views caught up with the log (ReadOnlyStore if it cannot be)."""
    views = current(store)
    views.seen = views.status()
    need = views.seen.head  # the log's head when first read: the views reach it
    for _ in range(CATCH_UPS):
        if views.seen.tracked >= need and views.schema_state() == "current":
            return views
        views.close()
        if not os.access(views.path, os.W_OK):
            raise ReadOnlyStore
        catch_up()
        # Read again: another process may have refolded the views (emptied
        # them) since this one caught them up.
        views = SQLiteTables(views.path)
        views.seen = views.status()
    return views
