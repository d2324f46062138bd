"""The views on PostgreSQL: read and written through eventsourcing's datastore."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from eventsourcing.postgres import PostgresTrackingRecorder
from psycopg.sql import SQL

from projections.tables.read import ReadOnlyStore
from projections.tables.schema import (
    DERIVED,
    FACTS,
    POSTGRES_COLUMNS,
    TRACKING_NAME,
    Status,
    create_statements,
    facts_source,
    schema_state,
)
from projections.tables.writer import ViewsWriter


class PostgresTables:
    """Read the views through an eventsourcing recorder's datastore."""

    placeholder = "%s"
    row_id = None  # no rowid: `read._latest` joins by value (LATERAL)
    seen: Status | None = None  # the status `fresh` found current (not re-read)

    def __init__(self, app: Any, recorder: Any) -> None:
        self.app = app
        self.recorder = recorder
        self.schema = recorder.datastore.schema
        self.facts = recorder.facts

    def close(self) -> None:
        pass

    def table(self, name: str) -> str:
        return f"{self.schema}.{name}"

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with self.recorder.datastore.transaction(commit=False) as c:
            c.execute(sql, params)
            return [
                tuple(r.values()) if isinstance(r, dict) else r for r in c.fetchall()
            ]

    def status(self, *, count: bool = False) -> Status:
        head = self.app.recorder.max_notification_id() or 0
        tracked = self.recorder.max_tracking_id(TRACKING_NAME) or 0
        rows = self.rows(f"SELECT COUNT(*) FROM {self.facts}")[0][0] if count else -1
        return Status(head, tracked, rows)


class PostgresViewsRecorder(ViewsWriter, PostgresTrackingRecorder):
    """Writes view rows and the tracking record in one PostgreSQL transaction."""

    placeholder = "%s"

    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.schema = self.datastore.schema
        self.columns_query = (POSTGRES_COLUMNS, (self.schema, self.schema))
        for statement in create_statements("bigint", "text", self.schema):
            self.sql_create_statements.append(SQL(statement))  # type: ignore[arg-type]

    def tables_exist(self) -> bool:
        """Whether the views' tables and the tracking table are all there."""
        names = [FACTS, *DERIVED, self.tracking_table_name]
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

    def _tracking_table(self) -> str:
        return self._table(self.tracking_table_name)


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
    found = app.factory.tracking_recorder(PostgresViewsRecorder)
    schema = found.schema
    events = f"{schema}.{app.recorder.events_table_name}"
    found.facts = facts_source(f"{schema}.{FACTS}", events, "notification_id")
    if create and not app.factory.env_create_table() and not found.tables_exist():
        found.create_table()
    return found


def current(store: Any) -> PostgresTables:
    """A reader of the views as they stand (their tables created if this role may)."""
    app = store.app()
    found = recorder(app, create=False)
    if not found.tables_exist():
        app = store.app(write=True)
        found = recorder(app)
    return PostgresTables(app, found)


def fresh(store: Any, catch_up: Callable[[], Any]) -> PostgresTables:
    """A reader of the views caught up with the log (ReadOnlyStore if it cannot be)."""
    app = store.app()
    views: PostgresTables | None = None
    with contextlib.suppress(Exception):  # the views' tables may be missing
        found = recorder(app, create=False)
        if found.tables_exist():
            views = PostgresTables(app, found)
            columns = views.rows(POSTGRES_COLUMNS, views.schema, views.schema)
            views.seen = views.status()
            if views.seen.behind > 0 or schema_state(columns) != "current":
                views = None
    if views is None:
        try:
            views = PostgresTables(app, catch_up())
        except Exception as e:  # a read-only role cannot write the views
            raise ReadOnlyStore from e
    return views
