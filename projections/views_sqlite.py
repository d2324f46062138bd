"""The views' tables on SQLite, on eventsourcing's tracking recorder."""

from __future__ import annotations

from eventsourcing.sqlite import SQLiteTrackingRecorder

from projections.views import ViewsWriter, create_statements


class SQLiteViewsRecorder(ViewsWriter, SQLiteTrackingRecorder):
    """Writes view rows and the tracking record in one SQLite transaction."""

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *create_statements()]
