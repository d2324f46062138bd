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
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from projections.log import LogEntry

TRACKING_NAME = "summit-views"
FACTS = "summit_facts"
TARGETS = "summit_targets"
EVIDENCE = "summit_evidence"
PLEDGES = "summit_pledges"
DERIVED = (TARGETS, EVIDENCE, PLEDGES)
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
        # The stored event's JSON when we have it (no re-encoding), else the
        # record wrapped the same way: either way {"record": {...}, ...}.
        entry.state.decode("utf-8")
        if entry.state is not None
        else json.dumps({"record": entry.record}, ensure_ascii=False),
    )


def entry_of(row: tuple[Any, ...]) -> LogEntry:
    """A LogEntry back from a `summit_facts` row."""
    (position, negotiation, version, ref, kind, _, _, at, by, digest, record) = row
    return LogEntry(
        position=position,
        negotiation=negotiation,
        ref=ref,
        type=kind,
        record=json.loads(record)["record"],
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

    def t(name: str) -> str:
        return f"{schema}.{name}" if schema else name

    real = "double precision" if integer != "INTEGER" else "REAL"
    return [
        f"CREATE TABLE IF NOT EXISTS {t(TARGETS)} (negotiation {text} NOT NULL, "
        f"proposal {text} NOT NULL, kind {text} NOT NULL, ref {text} NOT NULL, "
        f"occurred_on {text} NOT NULL, position {integer} NOT NULL, "
        f"targets {text} NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS {TARGETS}_asof "
        f"ON {t(TARGETS)} (negotiation, proposal, occurred_on, position)",
        f"CREATE INDEX IF NOT EXISTS {TARGETS}_ref ON {t(TARGETS)} (negotiation, ref)",
        f"CREATE TABLE IF NOT EXISTS {t(EVIDENCE)} (negotiation {text} NOT NULL, "
        f"proposal {text} NOT NULL, party {text} NOT NULL, stance {text} NOT NULL, "
        f"conditions {text}, ref {text} NOT NULL, occurred_on {text} NOT NULL, "
        f"position {integer} NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS {EVIDENCE}_asof "
        f"ON {t(EVIDENCE)} (negotiation, proposal, occurred_on, position)",
        f"CREATE INDEX IF NOT EXISTS {EVIDENCE}_ref "
        f"ON {t(EVIDENCE)} (negotiation, ref)",
        f"CREATE TABLE IF NOT EXISTS {t(PLEDGES)} (negotiation {text} NOT NULL, "
        f"party {text} NOT NULL, metric {text} NOT NULL, by_year {integer} NOT NULL, "
        f"pct_gdp {real} NOT NULL, firmness {text} NOT NULL, ref {text} NOT NULL, "
        f"occurred_on {text} NOT NULL, position {integer} NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS {PLEDGES}_asof "
        f"ON {t(PLEDGES)} (negotiation, occurred_on, position)",
        f"CREATE INDEX IF NOT EXISTS {PLEDGES}_ref ON {t(PLEDGES)} (negotiation, ref)",
        f"CREATE TABLE IF NOT EXISTS {table} ({cols})",
        f"CREATE INDEX IF NOT EXISTS {FACTS}_neg_pos "
        f"ON {table} (negotiation, position)",
        f"CREATE INDEX IF NOT EXISTS {FACTS}_neg_known "
        f"ON {table} (negotiation, recorded_us)",
        f"CREATE INDEX IF NOT EXISTS {FACTS}_neg_occurred "
        f"ON {table} (negotiation, occurred_on)",
    ]


def index_names() -> list[str]:
    """The views' indexes (dropped during a full rebuild, created after it)."""
    names = []
    for statement in create_statements():
        # Keep the indexes the rebuild itself reads or deletes by.
        if statement.startswith("CREATE INDEX IF NOT EXISTS ") and not (
            f"{FACTS}_neg_pos" in statement or "_ref " in statement
        ):
            names.append(statement.split()[5])
    return names


class Status(NamedTuple):
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
        self.schema = recorder.datastore.schema
        self.facts = f"{self.schema}.{FACTS}"

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


def _table(views: Any, name: str) -> str:
    return f"{views.schema}.{name}" if getattr(views, "schema", "") else name


def inputs_from_tables(
    views: Any, negotiation: str, proposal: str | None, as_of: str | None
) -> Any:
    """Stance and consensus inputs read from the derived tables (no known_at)."""
    from domain.book import expand_parties
    from domain.errors import NotFound
    from projections.inputs import Evidence, Inputs, Pledge, choose_proposal

    p = views.placeholder
    opening = views.rows(
        f"SELECT record FROM {views.facts} WHERE negotiation={p} AND version=1",
        negotiation,
    )
    if not opening:
        raise NotFound(f"negotiation '{negotiation}' is not in this store")
    record = json.loads(opening[0][0])["record"]
    tabled = views.rows(
        f"SELECT DISTINCT proposal FROM {_table(views, TARGETS)} "
        f"WHERE negotiation={p} AND kind='proposal.tabled'",
        negotiation,
    )
    proposal = choose_proposal(negotiation, proposal, [r[0] for r in tabled])
    cut = f" AND occurred_on <= {p}" if as_of is not None else ""
    extra = (as_of,) if as_of is not None else ()
    latest = views.rows(
        f"SELECT targets FROM {_table(views, TARGETS)} WHERE negotiation={p} "
        f"AND proposal={p}{cut} ORDER BY occurred_on DESC, position DESC LIMIT 1",
        negotiation,
        proposal,
        *extra,
    )
    evidence = [
        Evidence(*row)
        for row in views.rows(
            "SELECT party, stance, conditions, ref, occurred_on, position "
            f"FROM {_table(views, EVIDENCE)} WHERE negotiation={p} AND proposal={p}"
            f"{cut} ORDER BY occurred_on, position, party",
            negotiation,
            proposal,
            *extra,
        )
    ]
    pledges = [
        Pledge(*row)
        for row in views.rows(
            "SELECT party, metric, by_year, pct_gdp, firmness, ref, occurred_on, "
            f"position FROM {_table(views, PLEDGES)} WHERE negotiation={p}{cut} "
            "ORDER BY occurred_on, position",
            negotiation,
            *extra,
        )
    ]
    return Inputs(
        negotiation=negotiation,
        proposal=proposal,
        parties=expand_parties(record),
        rule=record["rule"],
        targets=json.loads(latest[0][0]) if latest else [],
        evidence=evidence,
        pledges=pledges,
    )


def negotiations_holding(
    views: Any, ref: str, negotiation: str | None = None
) -> list[str]:
    """Slugs of the negotiations with an event of this ref."""
    p = views.placeholder
    sql = f"SELECT DISTINCT negotiation FROM {views.facts} WHERE ref={p}"
    params: list[Any] = [ref]
    if negotiation is not None:
        sql += f" AND negotiation={p}"
        params.append(negotiation)
    return sorted(r[0] for r in views.rows(sql, *params))


def negotiation_slugs(views: Any) -> list[str]:
    """Slugs of every negotiation in the views, in opening order."""
    rows = views.rows(
        f"SELECT negotiation FROM {views.facts} WHERE version=1 ORDER BY position"
    )
    return [r[0] for r in rows]


# -- writing (through eventsourcing's tracking recorders) ------------------------


def views_recorder(app: Any, *, create: bool = True) -> Any:
    """A tracking recorder on the application's database that also keeps the views.

    On PostgreSQL the views' tables are created only when missing (and
    `create`): roles other than the owner may not run DDL, even `IF NOT EXISTS`.
    """
    from eventsourcing.sqlite import SQLiteFactory

    if isinstance(app.factory, SQLiteFactory):
        from projections.views_sqlite import SQLiteViewsRecorder

        return app.factory.tracking_recorder(SQLiteViewsRecorder)
    from projections.views_postgres import PostgresViewsRecorder

    recorder = app.factory.tracking_recorder(PostgresViewsRecorder)
    if create and not app.factory.env_create_table() and not recorder.tables_exist():
        recorder.create_table()
    return recorder


class Derived:
    """Keeps the derived tables in step with the log, one batch at a time.

    Holds each recently touched negotiation's record book (consistent with the
    committed view rows) and turns each new log entry into ordered operations:
    delete the rows a world event gave, insert the rows it gives now.
    """

    MAX_BOOKS = 64

    def __init__(self, recorder: Any, *, from_empty: bool = False) -> None:
        self.recorder = recorder
        self.books: dict[str, Any] = {}
        # From an empty view, a negotiation never seen in this run has no rows.
        self.from_empty = from_empty
        self.seen: set[str] = set()

    def book(self, negotiation: str) -> Any:
        from domain.book import RecordBook

        book = self.books.pop(negotiation, None)
        if book is None:
            book = RecordBook()
            if not self.from_empty or negotiation in self.seen:
                for row in self.recorder.facts_of(negotiation):
                    entry = entry_of(row)
                    book.apply(entry.record, entry.position)
            self.seen.add(negotiation)
        self.books[negotiation] = book  # most recently used last
        return book

    def trim(self) -> None:
        """Forget the least recently used books (only between batches)."""
        while len(self.books) > self.MAX_BOOKS:
            self.books.pop(next(iter(self.books)))

    def operations(self, entry: LogEntry) -> list[tuple[str, tuple[Any, ...]]]:
        book = self.book(entry.negotiation)
        book.apply(entry.record, entry.position)
        if entry.type == "negotiation.opened":
            return []
        world = book.world_entry(entry.ref)
        if world.type == "negotiation.opened":
            return []
        ops: list[tuple[str, tuple[Any, ...]]] = []
        if world.ref != entry.ref:
            ops.append(("delete", (entry.negotiation, world.ref)))
        if not world.retracted:
            ops.extend(derived_rows(entry.negotiation, world, book))
        return ops


def derived_rows(
    negotiation: str, entry: Any, book: Any
) -> list[tuple[str, tuple[Any, ...]]]:
    """The derived-table rows of one unretracted world event, as it stands now."""
    from projections.inputs import evidence_of

    r = entry.record
    kind = entry.type
    if kind in ("proposal.tabled", "proposal.revised"):
        targets = json.dumps(r["targets"], separators=(",", ":"))
        row = (negotiation, r["proposal"], kind, entry.ref, r["occurred_on"])
        return [(TARGETS, (*row, entry.position, targets))]
    if kind == "pledge.made":
        return [
            (
                PLEDGES,
                (
                    negotiation,
                    r["actor"],
                    r["metric"],
                    r["by_year"],
                    r["pct_gdp"],
                    r["firmness"],
                    entry.ref,
                    r["occurred_on"],
                    entry.position,
                ),
            )
        ]
    return [
        (
            EVIDENCE,
            (
                negotiation,
                proposal,
                ev.party,
                ev.stance,
                ev.conditions,
                ev.ref,
                ev.occurred_on,
                ev.position,
            ),
        )
        for proposal, ev in evidence_of(
            entry.ref, kind, r, entry.position, book.parties, book.members
        )
    ]


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
    tracked = recorder.max_tracking_id(TRACKING_NAME) or 0
    derived = Derived(recorder, from_empty=tracked == 0)
    while True:
        start = (recorder.max_tracking_id(TRACKING_NAME) or 0) + 1
        if start > head:
            return done
        notifications = app.recorder.select_notifications(start, BATCH, stop=head)
        if not notifications:
            return done
        entries = [decode(app, n) for n in notifications]
        rows = [fact_row(e) for e in entries]
        ops = [op for e in entries for op in derived.operations(e)]
        try:
            recorder.write(rows, ops, Tracking(TRACKING_NAME, notifications[-1].id))
        except IntegrityError:
            # Another process caught up these positions first: start afresh.
            derived = Derived(recorder)
            continue
        derived.trim()
        done += len(rows)
        if progress is not None:
            progress(notifications[-1].id, head)


class ViewsWriter:
    """The writes both views recorders share (mixed into eventsourcing's
    SQLite and PostgreSQL tracking recorders, which differ here only in the
    parameter placeholder and how tables are named)."""

    placeholder = "?"
    datastore: Any

    if TYPE_CHECKING:

        def _insert_tracking(self, c: Any, tracking: Any) -> None: ...

    def _table(self, name: str) -> str:
        return name

    def _tracking_table(self) -> str:
        return "tracking"

    def _marks(self, n: int) -> str:
        return ",".join([self.placeholder] * n)

    def write(
        self,
        rows: Sequence[tuple[Any, ...]],
        ops: list[tuple[str, tuple[Any, ...]]],
        tracking: Any,
    ) -> None:
        """Fact rows, derived-table operations and the tracking record, atomically."""
        with self.datastore.transaction(commit=True) as c:
            if rows:
                c.executemany(
                    f"INSERT INTO {self._table(FACTS)} "
                    f"VALUES ({self._marks(len(rows[0]))})",
                    rows,
                )
            self._run(c, ops)
            self._insert_tracking(c, tracking)

    def _run(self, cursor: Any, ops: list[tuple[str, tuple[Any, ...]]]) -> None:
        """Execute delete/insert operations in order, batching inserts per table.

        Inserts into different tables commute; a delete flushes what is pending
        first, so it always sees the rows inserted before it.
        """
        pending: dict[str, list[tuple[Any, ...]]] = {}
        p = self.placeholder

        def flush() -> None:
            for name, rows in pending.items():
                cursor.executemany(
                    f"INSERT INTO {self._table(name)} "
                    f"VALUES ({self._marks(len(rows[0]))})",
                    rows,
                )
            pending.clear()

        for kind, params in ops:
            if kind == "delete":
                flush()
                for name in DERIVED:
                    cursor.execute(
                        f"DELETE FROM {self._table(name)} "
                        f"WHERE negotiation={p} AND ref={p}",
                        params,
                    )
            else:
                pending.setdefault(kind, []).append(params)
        flush()

    def facts_of(self, negotiation: str) -> list[tuple[Any, ...]]:
        """A negotiation's committed fact rows, in recording order."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM {self._table(FACTS)} "
                f"WHERE negotiation={self.placeholder} ORDER BY position",
                (negotiation,),
            )
            return [
                tuple(r.values()) if isinstance(r, dict) else tuple(r)
                for r in c.fetchall()
            ]

    def drop(self) -> None:
        """Forget every view row, the tracked position and (until `create_table`)
        the indexes: a rebuild inserts in bulk and indexes once at the end."""
        with self.datastore.transaction(commit=True) as c:
            for name in index_names():
                c.execute(f"DROP INDEX IF EXISTS {self._table(name)}")
            for table in (FACTS, *DERIVED):
                c.execute(f"DELETE FROM {self._table(table)}")
            c.execute(
                f"DELETE FROM {self._tracking_table()} "
                f"WHERE application_name={self.placeholder}",
                (TRACKING_NAME,),
            )
