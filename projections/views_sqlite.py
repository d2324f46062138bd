"""The views' tables and writes on SQLite, on eventsourcing's tracking recorder."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.sqlite import SQLiteTrackingRecorder

from projections.views import (
    _COLUMNS,
    DERIVED,
    FACTS,
    TRACKING_NAME,
    create_statements,
    index_names,
    run_operations,
)


class SQLiteViewsRecorder(SQLiteTrackingRecorder):
    """Writes view rows and the tracking record in one SQLite transaction."""

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *create_statements()]

    def write(
        self,
        rows: Sequence[tuple[Any, ...]],
        ops: list[tuple[str, tuple[Any, ...]]],
        tracking: Tracking,
    ) -> None:
        with self.datastore.transaction(commit=True) as c:
            if rows:
                marks = ",".join("?" * len(rows[0]))
                c.executemany(f"INSERT INTO {FACTS} VALUES ({marks})", rows)
            run_operations(c, ops, lambda name: name, lambda n: ",".join("?" * n), "?")
            self._insert_tracking(c, tracking)

    def facts_of(self, negotiation: str) -> list[tuple[Any, ...]]:
        """A negotiation's committed fact rows, in recording order."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM {FACTS} "
                "WHERE negotiation=? ORDER BY position",
                (negotiation,),
            )
            return [tuple(r) for r in c.fetchall()]

    def drop(self) -> None:
        """Forget every view row, the tracked position and (until `create_table`)
        the indexes: a rebuild inserts in bulk and indexes once at the end."""
        with self.datastore.transaction(commit=True) as c:
            for name in index_names():
                c.execute(f"DROP INDEX IF EXISTS {name}")
            for table in (FACTS, *DERIVED):
                c.execute(f"DELETE FROM {table}")
            c.execute("DELETE FROM tracking WHERE application_name=?", (TRACKING_NAME,))
