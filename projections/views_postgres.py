"""The views' tables on PostgreSQL, on eventsourcing's tracking recorder."""

from __future__ import annotations

from typing import Any

from eventsourcing.postgres import PostgresTrackingRecorder
from psycopg.sql import SQL

from projections.views import DERIVED, FACTS, ViewsWriter, create_statements


class PostgresViewsRecorder(ViewsWriter, PostgresTrackingRecorder):
    """Writes view rows and the tracking record in one PostgreSQL transaction."""

    placeholder = "%s"

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

    def _tracking_table(self) -> str:
        return self._table(self.tracking_table_name)
