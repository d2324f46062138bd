"""The views on PostgreSQL: read over one plain psycopg connection, written
through eventsourcing's datastore.

A query on views that are up to date reads them without the write-side
application (no eventsourcing, no pydantic): one connection, one read-only
REPEATABLE READ transaction (every read sees one state of the store), and
one statement that checks the views' schema, the log's head and the
position they processed. Only views that are behind (or missing, or of an
older schema) open the application to catch them up.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from projections.tables.read import CATCH_UPS, ReadOnlyStore
from projections.tables.schema import (
    FACTS,
    JOINED_REFS_POSTGRES,
    POSTGRES_COLUMNS,
    TABLES,
    TRACKING_NAME,
    Status,
    create_statements,
    facts_source,
    schema_state,
)

# eventsourcing's tables, named after the application (`Summit.name`): a
# reader names them without importing the application (tests check them).
EVENTS = "summit_events"
TRACKING = "summit_tracking"

# Where the views stand, in one round trip: the log's head, the position the
# views processed, and the views' tables' columns and indexes (`schema_state`).
_STATE_SQL = (
    "SELECT (SELECT MAX(notification_id) FROM {schema}.{events}), "
    "(SELECT MAX(notification_id) FROM {schema}.{tracking} "
    "WHERE application_name=%s), "
    "(SELECT array_agg(t::text ORDER BY t, i) FROM ({columns}) AS c(t, i, n)), "
    "(SELECT array_agg(n::text ORDER BY t, i) FROM ({columns}) AS c(t, i, n))"
)


class PostgresTables:
    """Read the views over `conn`, the store's psycopg connection (`reader()`),
    in one read-only transaction, ended by `close` (the store closes the
    connection)."""

    placeholder = "%s"
    row_id = None  # no rowid: `read._latest` joins by value (LATERAL)

    def __init__(self, conn: Any, schema: str) -> None:
        self.conn = conn
        self.schema = schema
        self.facts = facts_source(
            self.table(FACTS), self.table(EVENTS), "notification_id"
        )
        self.seen: Status | None = None

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.rollback()

    def table(self, name: str) -> str:
        return f"{self.schema}.{name}"

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """The statement's rows; a server's refusal is the store's problem
        (exit 3, as eventsourcing's errors are), never an internal error."""
        from psycopg import Error

        from domain.errors import StoreUnavailable

        try:
            rows: list[tuple[Any, ...]] = self.conn.execute(sql, params).fetchall()
        except Error as e:
            said = " ".join(str(e).split())
            raise StoreUnavailable(f"the store could not be read: {said}") from e
        return rows

    def state(self) -> tuple[Status, str]:
        """Where the views stand and their schema ("current", "missing",
        "stale"), in one statement; an error when the log or the tracking
        table cannot be read (missing, or not this role's to read)."""
        sql = _STATE_SQL.format(
            schema=self.schema,
            events=EVENTS,
            tracking=TRACKING,
            columns=POSTGRES_COLUMNS,
        )
        schema = (self.schema, self.schema)
        row = self.rows(sql, TRACKING_NAME, *schema, *schema)[0]
        head, tracked, tables, columns = row
        self.seen = Status(head or 0, tracked or 0, -1)
        found = zip(tables or (), range(len(tables or ())), columns or (), strict=True)
        return self.seen, schema_state(found)

    def status(self, *, count: bool = False) -> Status:
        """Where the views stand (fixed for the transaction, so read once)."""
        if self.seen is None:
            self.state()
        assert self.seen is not None
        if not count:
            return self.seen
        rows = self.rows(f"SELECT COUNT(*) FROM {self.table(FACTS)}")[0][0]
        return Status(self.seen.head, self.seen.tracked, rows)

    def renew(self) -> None:
        """A new transaction, seeing what was committed since (a catch-up)."""
        self.conn.rollback()
        self.seen = None


@functools.cache
def recorder_class() -> type[Any]:
    """The views recorder (eventsourcing is imported only when writing)."""
    from eventsourcing.postgres import PostgresTrackingRecorder
    from psycopg.sql import SQL

    from projections.tables.writer import ViewsWriter

    class PostgresViewsRecorder(ViewsWriter, PostgresTrackingRecorder):
        """Writes view rows and the tracking record in one PostgreSQL transaction."""

        placeholder = "%s"
        joined_refs = JOINED_REFS_POSTGRES
        greatest = "GREATEST"

        def __init__(self, datastore: Any, **kwargs: Any) -> None:
            super().__init__(datastore, **kwargs)
            self.schema = self.datastore.schema
            self.columns_query = (POSTGRES_COLUMNS, (self.schema, self.schema))
            for statement in create_statements("bigint", "text", self.schema):
                self.sql_create_statements.append(SQL(statement))  # type: ignore[arg-type]

        def tables_exist(self) -> bool:
            """Whether the views' tables and the tracking table are all there."""
            names = [*TABLES, self.tracking_table_name]
            with self.datastore.transaction(commit=False) as c:
                c.execute(
                    "SELECT count(*) AS n FROM pg_catalog.pg_tables "
                    "WHERE schemaname = %s AND tablename = ANY(%s)",
                    (self.schema, names),
                )
                row = c.fetchone()
            return row is not None and row["n"] == len(names)

        @contextlib.contextmanager
        def atomically(self) -> Iterator[None]:
            """Every write of this recorder inside, one transaction (PostgreSQL's
            DDL is transactional): a rebuild killed at any point leaves the views
            as they were, never dropped and half refolded."""
            if isinstance(self.datastore, _Pinned):  # already inside one
                yield
                return
            shared = self.datastore
            with shared.get_connection() as conn, conn.transaction():
                self.datastore = _Pinned(shared, conn)
                try:
                    yield
                finally:
                    self.datastore = shared

        def _table(self, name: str) -> str:
            return f"{self.schema}.{name}"

        streams = True

        def insert(
            self,
            cursor: Any,
            name: str,
            rows: Sequence[Any],
            null_at: int | None = None,
        ) -> None:
            """Whole rows by one COPY: a row costs a tenth of its INSERT's
            binding and round trip (README, Performance)."""
            if not rows:
                return
            with cursor.copy(f"COPY {self._table(name)} FROM STDIN") as copy:
                if null_at is None:
                    for row in rows:
                        copy.write_row(row)
                else:
                    for row in rows:
                        copy.write_row((*row[:null_at], None, *row[null_at:]))

        @contextlib.contextmanager
        def writing(self, cursor: Any) -> Iterator[None]:
            """One views write at a time in this schema: a transaction-level
            advisory lock, taken first. Two processes that both found the
            views stale refold them one after the other (the second finds
            them current, under the lock), not both at once."""
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))",
                (f"summit-views:{self.schema}",),
            )
            yield

        def _tracking_table(self) -> str:
            return self._table(self.tracking_table_name)

    return PostgresViewsRecorder


class _Pinned:
    """The shared datastore, every transaction of it one savepoint of `conn`'s
    open transaction (so the recorder's reads see its own writes)."""

    def __init__(self, shared: Any, conn: Any) -> None:
        self.shared = shared
        self.conn = conn

    def __getattr__(self, name: str) -> Any:
        return getattr(self.shared, name)

    @contextlib.contextmanager
    def get_connection(self) -> Iterator[Any]:
        yield self.conn

    @contextlib.contextmanager
    def transaction(self, *, commit: bool = False) -> Iterator[Any]:
        from eventsourcing.persistence import IntegrityError
        from psycopg import errors

        try:
            with self.conn.transaction(force_rollback=not commit):
                yield self.conn.cursor()
        except errors.IntegrityError as e:  # as eventsourcing's own datastore
            raise IntegrityError(str(e)) from e


def recorder(app: Any, *, create: bool = True) -> Any:
    """A tracking recorder on the application's database that also keeps the views.

    The views' tables are created only when missing (and `create`): roles
    other than the owner may not run DDL, even `IF NOT EXISTS`.
    """
    found = app.factory.tracking_recorder(recorder_class())
    schema = found.schema
    events = f"{schema}.{app.recorder.events_table_name}"
    found.facts = facts_source(f"{schema}.{FACTS}", events, "notification_id")
    found.log = (events, "notification_id")
    if create and not app.factory.env_create_table() and not found.tables_exist():
        found.create_table()
    return found


def _reader(store: Any) -> PostgresTables:
    conn, schema = store.reader()
    return PostgresTables(conn, schema)


def current(store: Any) -> PostgresTables:
    """A reader of the views as they stand (their tables created if this role may)."""
    app = store.app()
    if not recorder(app, create=False).tables_exist():
        recorder(store.app(write=True))
    return _reader(store)


def fresh(store: Any, catch_up: Callable[[], Any]) -> PostgresTables:
    """A reader of the views caught up with the log (ReadOnlyStore if it cannot be).

    Views that are up to date are read without opening the application;
    when they are not (or cannot be checked: a missing table, a role that
    may not read one), the application opens, which says what is wrong
    with the store, and catches them up.
    """
    views = _reader(store)
    need = None  # the log's head when first read: the views must reach it
    for _ in range(CATCH_UPS):
        try:
            status, schema = views.state()
            need = status.head if need is None else need
            if status.tracked >= need and schema == "current":
                return views
        except Exception:  # a table missing, or not this role's to read
            pass
        try:
            views.renew()  # no lock held while the views are written
            store.app()  # a store that cannot be read says why here
            try:
                catch_up()
            except Exception as e:  # a read-only role cannot write the views
                raise ReadOnlyStore from e
        except BaseException:
            views.close()
            raise
        # Read again in a new transaction: another process may have
        # refolded the views (emptied them) since this one caught them up.
        views.renew()
    return views
