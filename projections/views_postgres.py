"""The views' tables and writes on PostgreSQL, on eventsourcing's tracking recorder."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from psycopg.sql import SQL, Identifier

from projections.views import FACTS, TRACKING_NAME, create_statements


class PostgresViewsRecorder(PostgresTrackingRecorder):
    """Writes view rows and the tracking record in one PostgreSQL transaction."""

    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        schema = self.datastore.schema
        for statement in create_statements("bigint", "text", schema):
            self.sql_create_statements.append(SQL(statement))  # type: ignore[arg-type]
        self.facts = SQL("{0}.{1}").format(Identifier(schema), Identifier(FACTS))

    def write(self, rows: Sequence[tuple[Any, ...]], tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as c:
            if rows:
                marks = SQL(",").join([SQL("%s")] * len(rows[0]))
                c.executemany(
                    SQL("INSERT INTO {0} VALUES ({1})").format(self.facts, marks), rows
                )
            self._insert_tracking(c, tracking)

    def drop(self) -> None:
        """Forget every view row and the tracked position (for a rebuild)."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(SQL("DELETE FROM {0}").format(self.facts))
            c.execute(
                SQL("DELETE FROM {0}.{1} WHERE application_name=%s").format(
                    Identifier(self.datastore.schema),
                    Identifier(self.tracking_table_name),
                ),
                (TRACKING_NAME,),
            )
