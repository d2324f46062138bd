"""The views' tables: names, DDL, and a log entry as a `summit_facts` row and back.

`summit_facts` holds one row of keys per stored event (position,
negotiation, version, ref, recording time), indexed by negotiation and
recording order, so a query reads only the rows of the negotiation it is
about. It keeps the columns queries filter on, not a second copy of the
record: a row's record (with its type and day) is read from the log's own
row at its position (`facts_source`, a join on the notification id). The derived
tables (targets, evidence, pledges) hold what stance and consensus read;
`summit_spending` the reported figures delivery and spending read (shares
kept as the JSON text they were written as, for exact decimals);
`summit_days`, `summit_paths` and `summit_refs` the consensus paths. The
last processed log position is an eventsourcing tracking record written in
the same transaction as the rows it covers.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from projections.log import LogEntry

# Views written under another tracking name (0.1.0's "summit-views") or with
# other columns in any view table (e.g. `summit_facts` with a copy of each
# record, or derived rows without their known_from/known_to versions) are
# dropped and rebuilt from the log on the next catch-up: the schema is
# recognised by its columns, so the name need not change with it.
TRACKING_NAME = "summit-views-2"
TRACKING_PREFIX = "summit-views"
FACTS = "summit_facts"
TARGETS = "summit_targets"
EVIDENCE = "summit_evidence"
PLEDGES = "summit_pledges"
SPENDING = "summit_spending"
DERIVED = (TARGETS, EVIDENCE, PLEDGES, SPENDING)
DAYS = "summit_days"  # the consensus paths' days (`days.py`)
PATHS = "summit_paths"  # each proposal's id in DAYS
REFS = "summit_refs"  # the refs each path day lists (`refs.py`)
DAYREFS = "summit_dayrefs"  # each path day's current refs as one text (`refs.py`)
TABLES = (FACTS, *DERIVED, PATHS, DAYS, REFS, DAYREFS)  # every view table
CLOSE = "close"  # the operation that ends a world event's current rows
# A day's refs joined in key (position) order, by backend, where the texts
# are made (`refs.py`) and at a cut (`days_read.py`): PostgreSQL is told the
# order; SQLite 3.40 takes no ORDER BY in an aggregate, and its group_concat
# takes the rows as its search along the key meets them.
JOINED_REFS_SQLITE = "group_concat(r.ref, ' ')"
JOINED_REFS_POSTGRES = "string_agg(r.ref, ' ' ORDER BY r.position)"

# How a day row moves the counts of the stances (SPEC §4's order; the
# parties with no evidence are unknown).
DAY_COUNTS = ("supports", "conditional", "undecided", "opposes")

# Keys only: a fact's type and day are its record's, read with it from the
# log's row (no query filters on them; `ref` finds which negotiation holds
# a ref named on the command line).
COLUMNS = ("position", "negotiation", "version", "ref", "recorded_us")
# What a facts reader selects: the stored columns, then the log row's state.
READ_COLUMNS = ", ".join((*COLUMNS, "state"))

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


_DAY_ZERO = date(2000, 1, 1).toordinal()


@functools.cache
def ordinal(day: str) -> int:
    """A day as the day and ref rows store it (`days.py`): days since
    2000-01-01 (2 bytes, where its text is 10)."""
    return date.fromisoformat(day).toordinal() - _DAY_ZERO


@functools.cache
def day_text(n: int) -> str:
    return date.fromordinal(n + _DAY_ZERO).isoformat()


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
        micros(entry.recorded_at),
    )


def log_rows_sql(table: str, position: str, p: str) -> str:
    """The statement reading the log's rows from one position to another, at
    most a number of them (parameters in that order, marked by `p`):
    (position, originator id, version, state), in recording order."""
    return (
        f"SELECT {position}, originator_id, originator_version, state "
        f"FROM {table} WHERE {position}>={p} AND {position}<={p} "
        f"ORDER BY {position} LIMIT {p}"
    )


def facts_source(facts: str, events: str, event_id: str) -> str:
    """The facts table joined with the log's rows (for their stored state).

    No column name is shared between the two tables, so queries on it name
    columns bare; `event_id` is the log's notification id column.
    """
    return f"{facts} JOIN {events} ON {events}.{event_id} = {facts}.position"


def entry_of(row: tuple[Any, ...]) -> LogEntry:
    """A LogEntry back from a `summit_facts` row and its log row's state."""
    from domain.stored import state_json
    from projections.log import LogEntry

    (position, negotiation, version, ref, _, state) = row
    stored = state_json(state)
    record = stored["record"]
    # The recording time as stored: the event's own timestamp in the log's
    # row (the facts keep it only as integer microseconds, to order and cut).
    at = stored["timestamp"]["_data_"]
    return LogEntry(
        position=position,
        negotiation=negotiation,
        ref=ref,
        type=record["type"],
        record=record,
        recorded_at=datetime.fromisoformat(at),
        recorded_by=stored["recorded_by"],
        digest=stored["digest"],
        version=version,
    )


def create_statements(
    integer: str = "INTEGER", text: str = "TEXT", schema: str = ""
) -> list[str]:
    """DDL of the view tables (types and schema vary by database)."""
    table = f"{schema}.{FACTS}" if schema else FACTS
    cols = (
        f"position {integer} PRIMARY KEY, negotiation {text} NOT NULL, "
        f"version {integer} NOT NULL, ref {text} NOT NULL, "
        f"recorded_us {integer} NOT NULL"
    )

    def t(name: str) -> str:
        return f"{schema}.{name}" if schema else name

    real = "double precision" if integer != "INTEGER" else "REAL"
    # Every derived row is one version of what a world event gives: made by
    # the entry known from `known_from` (microseconds, recorded_at), closed
    # by the correction or retraction known from `known_to` (NULL: current).
    known = f"known_from {integer} NOT NULL, known_to {integer}"
    statements = [
        f"CREATE TABLE IF NOT EXISTS {t(TARGETS)} (negotiation {text} NOT NULL, "
        f"proposal {text} NOT NULL, kind {text} NOT NULL, ref {text} NOT NULL, "
        f"occurred_on {text} NOT NULL, position {integer} NOT NULL, "
        f"targets {text} NOT NULL, {known})",
        f"CREATE INDEX IF NOT EXISTS {TARGETS}_asof "
        f"ON {t(TARGETS)} (negotiation, proposal, occurred_on, position)",
        # The tablings (which proposals exist) without reading the revisions.
        f"CREATE INDEX IF NOT EXISTS {TARGETS}_kind "
        f"ON {t(TARGETS)} (negotiation, kind, proposal)",
        # `since` (rule 4) is read at query time by indexed seeks
        # (`tables/read.py`), so no row's value depends on later rows.
        f"CREATE TABLE IF NOT EXISTS {t(EVIDENCE)} (negotiation {text} NOT NULL, "
        f"proposal {text} NOT NULL, party {text} NOT NULL, stance {text} NOT NULL, "
        f"conditions {text}, ref {text} NOT NULL, occurred_on {text} NOT NULL, "
        f"position {integer} NOT NULL, {known})",
        # One index serves stance (rule 4: five seeks per ally, `stances.py`)
        # and the consensus read (its (negotiation, proposal) prefix).
        f"CREATE INDEX IF NOT EXISTS {EVIDENCE}_stance ON {t(EVIDENCE)} "
        "(negotiation, proposal, party, stance, occurred_on, position)",
        f"CREATE TABLE IF NOT EXISTS {t(PLEDGES)} (negotiation {text} NOT NULL, "
        f"party {text} NOT NULL, metric {text} NOT NULL, by_year {integer} NOT NULL, "
        f"pct_gdp {real} NOT NULL, firmness {text} NOT NULL, ref {text} NOT NULL, "
        f"occurred_on {text} NOT NULL, position {integer} NOT NULL, {known})",
        # Each (party, metric, by_year)'s pledges in rule-2 order: rule 5's
        # latest of each is read without sorting.
        f"CREATE INDEX IF NOT EXISTS {PLEDGES}_latest ON {t(PLEDGES)} "
        "(negotiation, party, metric, by_year, occurred_on, position)",
        f"CREATE TABLE IF NOT EXISTS {t(SPENDING)} (negotiation {text} NOT NULL, "
        f"party {text} NOT NULL, metric {text} NOT NULL, year {integer} NOT NULL, "
        f"pct_gdp {text} NOT NULL, basis {text} NOT NULL, ref {text} NOT NULL, "
        f"occurred_on {text} NOT NULL, position {integer} NOT NULL, {known})",
        f"CREATE INDEX IF NOT EXISTS {SPENDING}_latest ON {t(SPENDING)} "
        "(negotiation, party, metric, year, occurred_on, position)",
    ]
    # How each day moves a proposal's stance counts (`days.py`), the day as
    # its proleptic ordinal (3 bytes, not 10), the proposal by a small id,
    # versioned by known_from and `current` (0 or 1: no bytes in SQLite);
    # clustered by day (SQLite: no rowid, so no second copy of the keys),
    # the current versions by a partial index.
    without_rowid = " WITHOUT ROWID" if integer == "INTEGER" else ""
    counts = ", ".join(f"{c} {integer} NOT NULL" for c in DAY_COUNTS)
    statements += [
        f"CREATE TABLE IF NOT EXISTS {t(PATHS)} (negotiation {text} NOT NULL, "
        f"proposal {text} NOT NULL, id {integer} NOT NULL, "
        f"PRIMARY KEY (negotiation, proposal)){without_rowid}",
        f"CREATE TABLE IF NOT EXISTS {t(DAYS)} (id {integer} NOT NULL, "
        f"day {integer} NOT NULL, {counts}, known_from {integer} NOT NULL, "
        f"current {integer} NOT NULL, PRIMARY KEY (id, day, known_from))"
        f"{without_rowid}",
        f"CREATE INDEX IF NOT EXISTS {DAYS}_current ON {t(DAYS)} (id, day) "
        "WHERE current = 1",
        # One row a version of a world event's evidence on a proposal (one
        # for all of a sign-off's signatories), its known_from and known_to
        # kept from the opening as the days' are: the refs a path day lists
        # (rule 6) in rule-2 order, read along the key (`refs.py`).
        f"CREATE TABLE IF NOT EXISTS {t(REFS)} (id {integer} NOT NULL, "
        f"day {integer} NOT NULL, position {integer} NOT NULL, "
        f"known_from {integer} NOT NULL, known_to {integer}, ref {text} NOT NULL, "
        f"PRIMARY KEY (id, day, position, known_from)){without_rowid}",
        # Each day's current refs joined in that order (one space between),
        # and the last instant any of its ref rows was made or closed: a cut
        # at or after it sees that text too (`refs.py`).
        f"CREATE TABLE IF NOT EXISTS {t(DAYREFS)} (id {integer} NOT NULL, "
        f"day {integer} NOT NULL, changed {integer} NOT NULL, refs {text} NOT NULL, "
        f"PRIMARY KEY (id, day)){without_rowid}",
    ]
    # A world event's rows are closed by its position (unique in the log).
    statements += [
        f"CREATE INDEX IF NOT EXISTS {name}_pos ON {t(name)} (position)"
        for name in DERIVED
    ]
    return [
        *statements,
        f"CREATE TABLE IF NOT EXISTS {table} ({cols})",
        # A negotiation's rows in recording order (the first is its opening).
        f"CREATE INDEX IF NOT EXISTS {FACTS}_neg_pos "
        f"ON {table} (negotiation, position)",
    ]


@functools.cache
def table_columns() -> dict[str, tuple[str, ...]]:
    """Each view table's column names, in order, as the DDL creates them."""
    tables = {}
    for statement in create_statements():
        if statement.startswith("CREATE TABLE IF NOT EXISTS "):
            name, _, body = statement.split(" ", 5)[5].partition(" (")
            body = body.partition(", PRIMARY KEY")[0]
            tables[name] = tuple(c.split()[0] for c in body.split(", "))
    return tables


# The view tables' columns as stored, in order, by backend (`schema_state`).
SQLITE_COLUMNS = (
    "SELECT m.name AS t, c.cid AS i, c.name AS n "
    "FROM sqlite_master AS m, pragma_table_info(m.name) AS c "
    "WHERE m.type = 'table' AND m.name LIKE 'summit!_%' ESCAPE '!' "
    "UNION ALL SELECT '', 0, name FROM sqlite_master "
    "WHERE type = 'index' AND name LIKE 'summit!_%' ESCAPE '!' ORDER BY 1, 2"
)
POSTGRES_COLUMNS = (  # pg_class alone, not information_schema (10× slower)
    "SELECT c.relname, a.attnum, a.attname FROM pg_catalog.pg_attribute AS a "
    "JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid "
    "WHERE c.relnamespace = to_regnamespace(%s) AND c.relkind = 'r' "
    "AND c.relname LIKE 'summit!_%%' ESCAPE '!' AND a.attnum > 0 "
    "AND NOT a.attisdropped UNION ALL SELECT '', 0, relname FROM pg_catalog.pg_class "
    "WHERE relnamespace = to_regnamespace(%s) AND relkind = 'i' "
    "AND relname LIKE 'summit!_%%' ESCAPE '!' ORDER BY 1, 2"
)


def schema_state(found: Iterable[Sequence[Any]]) -> str:
    """The views' schema against this summit's: "current"; "missing" (a view
    table or index not created yet: a store written before it existed, or a
    rebuild stopped before indexing); or "stale" (a view table of other
    columns: written by an older summit, to be dropped and refolded).
    `found` holds (table, number, column) rows in column order, and ("", 0,
    index) rows (`SQLITE_COLUMNS`, `POSTGRES_COLUMNS`)."""
    stored: dict[str, list[str]] = {}
    for table, _, column in found:
        stored.setdefault(table, []).append(column)
    if EVIDENCE in stored and (REFS not in stored or DAYREFS not in stored):
        return "stale"  # views from before the ref rows, or before the texts
    state = "current"
    for table, columns in table_columns().items():
        if table not in stored:
            state = "missing"
        elif tuple(stored[table]) != columns:
            return "stale"
    indexes = set(stored.get("", ()))
    if any(name not in indexes for name in all_indexes()):
        state = "missing"
    return state


@functools.cache
def all_indexes() -> tuple[str, ...]:
    """The names of the views' indexes, as the DDL creates them."""
    prefix = "CREATE INDEX IF NOT EXISTS "
    return tuple(
        s[len(prefix) :].split()[0] for s in create_statements() if s.startswith(prefix)
    )


# Where each derived table keeps its world event's position.
POSITION = {name: table_columns()[name].index("position") for name in DERIVED}


def index_names() -> list[str]:
    """The views' indexes (dropped during a full rebuild, created after it)."""
    names = []
    for statement in create_statements():
        # Keep the indexes the rebuild itself reads or closes rows by.
        if statement.startswith("CREATE INDEX IF NOT EXISTS ") and not (
            f"{FACTS}_neg_pos" in statement or "_pos " in statement
        ):
            names.append(statement.split()[5])
    return names


# A plain class: a NamedTuple compiles its __new__ from text at every
# query's start (tests/cli/test_query_start.py).
class Status:
    """Where the persisted views stand against the log."""

    __slots__ = ("head", "rows", "tracked")

    def __init__(self, head: int, tracked: int, rows: int) -> None:
        self.head = head
        self.tracked = tracked
        self.rows = rows

    @property
    def behind(self) -> int:
        return self.head - self.tracked
