"""The views' tables and writes on PostgreSQL, on eventsourcing's tracking recorder."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from psycopg.sql import SQL, Identifier

from projections.views import (
    _COLUMNS,
    DERIVED,
    FACTS,
    TRACKING_NAME,
    create_statements,
    index_names,
    run_operations,
)


class PostgresViewsRecorder(PostgresTrackingRecorder):
    """Writes view rows and the tracking record in one PostgreSQL transaction."""

    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.schema = self.datastore.schema
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

    def _table(self, name: str) -> str:
        return f"{self.schema}.{name}"

    def write(
        self,
        rows: Sequence[tuple[Any, ...]],
        ops: list[tuple[str, tuple[Any, ...]]],
        tracking: Tracking,
    ) -> None:
        with self.datastore.transaction(commit=True) as c:
            if rows:
                marks = ",".join(["%s"] * len(rows[0]))
                c.executemany(
                    f"INSERT INTO {self._table(FACTS)} VALUES ({marks})",
                    rows,
                )
            run_operations(c, ops, self._table, lambda n: ",".join(["%s"] * n), "%s")
            self._insert_tracking(c, tracking)

    def facts_of(self, negotiation: str) -> list[tuple[Any, ...]]:
        """A negotiation's committed fact rows, in recording order."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM {self._table(FACTS)} "
                "WHERE negotiation=%s ORDER BY position",
                (negotiation,),
            )
            return [tuple(r.values()) for r in c.fetchall()]

    def drop(self) -> None:
        """Forget every view row, the tracked position and (until `create_table`)
        the indexes: a rebuild inserts in bulk and indexes once at the end."""
        with self.datastore.transaction(commit=True) as c:
            for name in index_names():
                c.execute(f"DROP INDEX IF EXISTS {self._table(name)}")
            for table in (FACTS, *DERIVED):
                c.execute(f"DELETE FROM {self._table(table)}")
            c.execute(
                SQL("DELETE FROM {0}.{1} WHERE application_name=%s").format(
                    Identifier(self.schema), Identifier(self.tracking_table_name)
                ),
                (TRACKING_NAME,),
            )
