"""The views' tables and writes on SQLite, on eventsourcing's tracking recorder."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.sqlite import SQLiteTrackingRecorder

from projections.views import FACTS, TRACKING_NAME, create_statements


class SQLiteViewsRecorder(SQLiteTrackingRecorder):
    """Writes view rows and the tracking record in one SQLite transaction."""

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *create_statements()]

    def write(self, rows: Sequence[tuple[Any, ...]], tracking: Tracking) -> None:
        marks = ",".join("?" * len(rows[0])) if rows else ""
        with self.datastore.transaction(commit=True) as c:
            if rows:
                c.executemany(f"INSERT INTO {FACTS} VALUES ({marks})", rows)
            self._insert_tracking(c, tracking)

    def drop(self) -> None:
        """Forget every view row and the tracked position (for a rebuild)."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"DELETE FROM {FACTS}")
            c.execute("DELETE FROM tracking WHERE application_name=?", (TRACKING_NAME,))
