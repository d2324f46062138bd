"""Persisted read models, kept in the same database as the log and caught up lazily.

`summit_facts` holds one decoded row per stored event (the timeline index),
indexed by negotiation, recording order and recording time, so a query reads
only the rows of the negotiation it is about — never the whole log — and
`--known-at` is an indexed range. The last processed log position is an
eventsourcing tracking record written in the same transaction as the rows it
covers, so catching up is exactly-once even with concurrent readers.

The SQLite read path uses the standard library only (no eventsourcing, no
pydantic): a query on an up-to-date store starts as fast as `summit --help`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from projections.log import LogEntry

TRACKING_NAME = "summit-views"
FACTS = "summit_facts"
BATCH = 5000

_COLUMNS = (
    "position",
    "negotiation",
    "version",
    "ref",
    "type",
    "occurred_on",
    "recorded_us",
    "recorded_at",
    "recorded_by",
    "digest",
    "record",
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(instant: datetime) -> int:
    """An instant as integer microseconds since the epoch (exact, sortable)."""
    delta = instant - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def fact_row(entry: LogEntry) -> tuple[Any, ...]:
    """The `summit_facts` row of one log entry."""
    return (
        entry.position,
        entry.negotiation,
        entry.version,
        entry.ref,
        entry.type,
        entry.record.get("occurred_on"),
        micros(entry.recorded_at),
        entry.recorded_at.isoformat(),
        entry.recorded_by,
        entry.digest,
        json.dumps(entry.record, ensure_ascii=False, separators=(",", ":")),
    )


def entry_of(row: tuple[Any, ...]) -> LogEntry:
    """A LogEntry back from a `summit_facts` row."""
    (position, negotiation, version, ref, kind, _, _, at, by, digest, record) = row
    return LogEntry(
        position=position,
        negotiation=negotiation,
        ref=ref,
        type=kind,
        record=json.loads(record),
        recorded_at=datetime.fromisoformat(at),
        recorded_by=by,
        digest=digest,
        version=version,
    )


def create_statements(
    integer: str = "INTEGER", text: str = "TEXT", schema: str = ""
) -> list[str]:
    """DDL of the view tables (types and schema vary by database)."""
    table = f"{schema}.{FACTS}" if schema else FACTS
    cols = (
        f"position {integer} PRIMARY KEY, negotiation {text} NOT NULL, "
        f"version {integer} NOT NULL, ref {text} NOT NULL, type {text} NOT NULL, "
        f"occurred_on {text}, recorded_us {integer} NOT NULL, "
        f"recorded_at {text} NOT NULL, recorded_by {text} NOT NULL, "
        f"digest {text} NOT NULL, record {text} NOT NULL"
    )
    return [
        f"CREATE TABLE IF NOT EXISTS {table} ({cols})",
        f"CREATE INDEX IF NOT EXISTS {FACTS}_neg_pos "
        f"ON {table} (negotiation, position)",
        f"CREATE INDEX IF NOT EXISTS {FACTS}_neg_known "
        f"ON {table} (negotiation, recorded_us)",
        f"CREATE INDEX IF NOT EXISTS {FACTS}_neg_occurred "
        f"ON {table} (negotiation, occurred_on)",
    ]


@dataclass(frozen=True)
class Status:
    """Where the persisted views stand against the log."""

    head: int
    tracked: int
    rows: int

    @property
    def behind(self) -> int:
        return self.head - self.tracked


# -- reading (standard library only for SQLite) ---------------------------------


class SQLiteViews:
    """Read the views of a SQLite store with sqlite3 alone."""

    placeholder = "?"
    facts = FACTS

    def __init__(self, path: str) -> None:
        self.path = path
        self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def close(self) -> None:
        self.conn.close()

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


class DatastoreViews:
    """Read the views through an eventsourcing recorder's datastore (PostgreSQL)."""

    placeholder = "%s"

    def __init__(self, app: Any, recorder: Any) -> None:
        self.app = app
        self.recorder = recorder
        self.facts = f"{recorder.datastore.schema}.{FACTS}"

    def close(self) -> None:
        pass

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


def read_facts(
    views: Any, negotiation: str, known_at: datetime | None = None
) -> Iterator[LogEntry]:
    """A negotiation's rows in recording order, as known at `known_at`."""
    p = views.placeholder
    sql = f"SELECT {', '.join(_COLUMNS)} FROM {views.facts} WHERE negotiation={p}"
    params: list[Any] = [negotiation]
    if known_at is not None:
        sql += f" AND recorded_us <= {p}"
        params.append(micros(known_at))
    sql += " ORDER BY position"
    for row in views.rows(sql, *params):
        yield entry_of(row)


def negotiation_slugs(views: Any) -> list[str]:
    """Slugs of every negotiation in the views, in opening order."""
    rows = views.rows(
        f"SELECT negotiation FROM {views.facts} WHERE version=1 ORDER BY position"
    )
    return [r[0] for r in rows]


# -- writing (through eventsourcing's tracking recorders) ------------------------


def views_recorder(app: Any) -> Any:
    """A tracking recorder on the application's database that also keeps the views."""
    from eventsourcing.sqlite import SQLiteFactory

    if isinstance(app.factory, SQLiteFactory):
        from projections.views_sqlite import SQLiteViewsRecorder

        return app.factory.tracking_recorder(SQLiteViewsRecorder)
    from projections.views_postgres import PostgresViewsRecorder

    recorder = app.factory.tracking_recorder(PostgresViewsRecorder)
    if not app.factory.env_create_table():
        # The log's tables exist already; the views' may not yet.
        recorder.create_table()
    return recorder


def catch_up(
    app: Any,
    recorder: Any,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Process every notification after the tracked position; return how many."""
    from eventsourcing.persistence import IntegrityError, Tracking

    from projections.log import decode

    done = 0
    head = app.recorder.max_notification_id() or 0
    while True:
        start = (recorder.max_tracking_id(TRACKING_NAME) or 0) + 1
        if start > head:
            return done
        notifications = app.recorder.select_notifications(start, BATCH, stop=head)
        if not notifications:
            return done
        rows = [fact_row(decode(app, n)) for n in notifications]
        try:
            recorder.write(rows, Tracking(TRACKING_NAME, notifications[-1].id))
        except IntegrityError:
            continue  # another process caught up these positions first
        done += len(rows)
        if progress is not None:
            progress(notifications[-1].id, head)
