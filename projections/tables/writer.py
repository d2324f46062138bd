"""The writes every backend's views recorder shares (mixed into eventsourcing's
tracking recorders, which differ here only in the placeholder and table names)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from projections.tables.days import days_missing
from projections.tables.inserts import insert_current
from projections.tables.schema import (
    CLOSE,
    DERIVED,
    EVIDENCE,
    FACTS,
    JOINED_REFS_SQLITE,
    POSITION,
    READ_COLUMNS,
    TABLES,
    TRACKING_NAME,
    TRACKING_PREFIX,
    index_names,
    log_rows_sql,
    schema_state,
)


class ViewsWriter:
    """The writes both views recorders share (mixed into eventsourcing's
    SQLite and PostgreSQL tracking recorders, which differ here only in the
    parameter placeholder and how tables are named)."""

    placeholder = "?"
    bulk_indexes = False  # may a first catch-up index once, at the end
    # A day's current refs as one text, in key order (`refs.py`), and the
    # larger of two values.
    joined_refs = JOINED_REFS_SQLITE
    greatest = "MAX"
    datastore: Any
    facts: str  # the facts table joined with the log (set by the backend)
    # The log's table and its position column (set by the backend), read
    # straight by a catch-up: None (a scratch database) reads through `app`.
    log: tuple[str, str] | None = None
    # The SQLite file the log is in (set by that backend): a long fold reads
    # it ahead in a second process (`prefetch.py`).
    file: str | None = None
    # The SQL (and parameters) listing the view tables' columns as stored.
    columns_query: tuple[Any, ...]

    if TYPE_CHECKING:

        def _insert_tracking(self, c: Any, tracking: Any) -> None: ...

        def create_table(self) -> None: ...

    def _table(self, name: str) -> str:
        return name

    def _tracking_table(self) -> str:
        return "tracking"

    # Whether `insert` streams rows (PostgreSQL's COPY) rather than binding
    # each: then a row's shared values cost nothing to repeat (`inserts.py`).
    streams = False

    def insert(
        self, cursor: Any, name: str, rows: Sequence[Any], null_at: int | None = None
    ) -> None:
        """Insert whole rows into view table `name`, each with a NULL at
        column `null_at` if given (SQLite: written in the statement, not
        bound: `inserts.py`)."""
        if not rows:
            return
        marks = [self.placeholder] * len(rows[0])
        if null_at is not None:
            marks.insert(null_at, "NULL")
        sql = f"INSERT INTO {self._table(name)} VALUES ({','.join(marks)})"
        cursor.executemany(sql, rows)

    @contextlib.contextmanager
    def writing(self, cursor: Any) -> Iterator[None]:
        """Around each transaction that writes the views, from its first
        statement: what the backend needs (SQLite: the write lock taken
        first, and freed pages not zeroed: see `sqlite.py`); elsewhere
        nothing."""
        yield

    @contextlib.contextmanager
    def atomically(self) -> Iterator[None]:
        """Every write of this recorder inside, one transaction where the
        backend allows (PostgreSQL: see `postgres.py`); SQLite: each as it is."""
        yield

    def write(
        self,
        rows: Sequence[tuple[Any, ...]],
        ops: list[tuple[str, Any]],
        tracking: Any,
        days: Any = None,
    ) -> None:
        """Fact rows, derived-table operations and the tracking record,
        atomically; `days` (a `days.DayCounts`) keeps the day rows in step."""
        with self.datastore.transaction(commit=True) as c, self.writing(c):
            self.insert(c, FACTS, rows)
            self._run(c, ops, rows[0][0] if rows else None, days)
            self._insert_tracking(c, tracking)

    def _run(
        self,
        cursor: Any,
        ops: list[tuple[str, Any]],
        first: int | None,
        days: Any = None,
    ) -> None:
        """Execute close/insert operations in order, inserting once per table.

        An insert is a table and the rows one world event gives it now (one
        position), current: each row as stored less its last column,
        `known_to`; a close ends the current version of a world event's rows
        (found by its position) at the instant the closing entry is known
        from; a version closed at the instant it was made was never visible
        to any cut, and is dropped. Rows of this batch (a world event at
        position `first` or later) are closed in memory before they are
        inserted; only older ones are closed by SQL, which never sees this
        batch's rows.
        """
        pending: dict[str, list[tuple[Any, ...] | None]] = {
            name: [] for name in DERIVED
        }
        closed: dict[str, list[tuple[Any, ...]]] = {name: [] for name in DERIVED}
        # position -> where its current rows are in `pending` (a newer version
        # of a world event is made only after its older one is closed).
        made: dict[int, tuple[str, int, int]] = {}
        p = self.placeholder
        for kind, params in ops:
            if days is not None and kind in (EVIDENCE, CLOSE):
                days.before(self, cursor, (kind, params), made, pending)
            if kind != CLOSE:
                rows = pending[kind]
                made[params[0][POSITION[kind]]] = (kind, len(rows), len(params))
                rows.extend(params)
                continue
            table, position, known = params
            found = made.pop(position, None)
            if found is not None:
                name, start, count = found
                rows = pending[name]
                for i in range(start, start + count):
                    row = rows[i]
                    assert row is not None
                    if row[-1] != known:
                        closed[name].append((*row, known))
                    rows[i] = None
            if first is None or position < first:
                current = f"position={p} AND known_to IS NULL"
                cursor.execute(
                    f"DELETE FROM {self._table(table)} "
                    f"WHERE {current} AND known_from={p}",
                    (position, known),
                )
                cursor.execute(
                    f"UPDATE {self._table(table)} SET known_to={p} WHERE {current}",
                    (known, position),
                )
        for name, rows in pending.items():
            insert_current(self, cursor, name, [r for r in rows if r is not None])
            self.insert(cursor, name, closed[name])
        if days is not None:
            days.flush(self, cursor)

    def facts_of(
        self, negotiation: str, last: int | None = None
    ) -> list[tuple[Any, ...]]:
        """A negotiation's committed fact rows (only its `last` ones, if given),
        in recording order."""
        if last == 0:
            return []
        p = self.placeholder
        order = (
            "ORDER BY position" if last is None else f"ORDER BY position DESC LIMIT {p}"
        )
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT {READ_COLUMNS} FROM {self.facts} "
                f"WHERE negotiation={p} {order}",
                (negotiation,) if last is None else (negotiation, last),
            )
            rows = [_values(r) for r in c.fetchall()]
        return rows if last is None else rows[::-1]

    def log_rows(self, start: int, stop: int, limit: int) -> list[tuple[Any, ...]]:
        """The log's rows from position `start` to `stop`, at most `limit`:
        (position, originator id, version, state), in recording order."""
        assert self.log is not None
        with self.datastore.transaction(commit=False) as c:
            c.execute(log_rows_sql(*self.log, self.placeholder), (start, stop, limit))
            rows = c.fetchall()
        if rows and isinstance(rows[0], dict):  # PostgreSQL's
            return [_values(r) for r in rows]
        return rows  # type: ignore[no-any-return]  # SQLite's: sequences already

    def stand(self, negotiation: str) -> tuple[int, int] | None:
        """How far the committed rows cover a negotiation: the version of its
        last row and the latest recorded_at of its rows (microseconds), or
        None when it has none."""
        p, facts = self.placeholder, self._table(FACTS)
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT version FROM {facts} WHERE negotiation={p} "
                "ORDER BY position DESC LIMIT 1",
                (negotiation,),
            )
            row = c.fetchone()
            if row is None:
                return None
            c.execute(
                f"SELECT MAX(recorded_us) FROM {facts} WHERE negotiation={p}",
                (negotiation,),
            )
            (known,) = _values(c.fetchone())
        return _values(row)[0], known

    def position_of(self, negotiation: str, version: int, last: int) -> int:
        """The log position of a negotiation's event at `version`, its rows
        covering versions up to `last`: the row that many before its last
        (an index walk), checked, else looked for by version."""
        p, facts = self.placeholder, self._table(FACTS)
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT position FROM {facts} WHERE negotiation={p} "
                f"ORDER BY position DESC LIMIT 1 OFFSET {p}",
                (negotiation, last - version),
            )
            row = c.fetchone()
            if row is not None:
                (position,) = _values(row)
                c.execute(
                    f"SELECT version FROM {facts} WHERE position={p}", (position,)
                )
                if _values(c.fetchone())[0] == version:
                    return int(position)
            c.execute(
                f"SELECT position FROM {facts} WHERE negotiation={p} AND version={p}",
                (negotiation, version),
            )
            return int(_values(c.fetchone())[0])

    def reset_if_stale(self) -> bool:
        """Drop the views if they were written under another schema (another
        tracking name, or a view table of other columns); True if dropped.

        Called before every catch-up; the tables are created again as they
        are now, and the caller refolds the whole log into them.
        """
        with self.datastore.transaction(commit=False) as c:
            if not self._stale(c):  # (most often: and no write lock taken)
                return False
        with self.atomically():  # a kill leaves the old views or the new tables
            with self.datastore.transaction(commit=True) as c, self.writing(c):
                # Again, under the write lock: another process may have just
                # refolded them (two queries on the day after an upgrade).
                stale = self._stale(c)
                if stale:
                    for table in TABLES:
                        c.execute(f"DROP TABLE IF EXISTS {self._table(table)}")
                    c.execute(
                        f"DELETE FROM {self._tracking_table()} "
                        f"WHERE application_name LIKE {self.placeholder}",
                        (f"{TRACKING_PREFIX}%",),
                    )
            if stale:
                self.create_table()
        return stale

    def _stale(self, c: Any) -> bool:
        """Whether the views were written under another schema."""
        p = self.placeholder
        c.execute(*self.columns_query)
        stale = schema_state(map(_values, c.fetchall())) == "stale"
        c.execute(
            f"SELECT COUNT(*) AS n FROM {self._tracking_table()} "
            f"WHERE application_name LIKE {p} AND application_name <> {p}",
            (f"{TRACKING_PREFIX}%", TRACKING_NAME),
        )
        row = c.fetchone()
        others = row["n"] if isinstance(row, dict) else row[0]
        return bool(stale or others > 0 or days_missing(self, c))

    def drop_indexes(self, cursor: Any = None) -> None:
        """Drop the indexes a bulk load need not keep (`create_table` makes
        them again, once, packed): all but those a catch-up reads by."""
        if cursor is None:
            with self.datastore.transaction(commit=True) as c, self.writing(c):
                self.drop_indexes(c)
            return
        for name in index_names():
            cursor.execute(f"DROP INDEX IF EXISTS {self._table(name)}")

    def drop(self) -> None:
        """Forget every view row, the tracked position and (until `create_table`)
        the indexes: a rebuild inserts in bulk and indexes once at the end."""
        with self.datastore.transaction(commit=True) as c, self.writing(c):
            self.drop_indexes(c)
            for table in TABLES:
                c.execute(f"DELETE FROM {self._table(table)}")
            c.execute(
                f"DELETE FROM {self._tracking_table()} "
                f"WHERE application_name={self.placeholder}",
                (TRACKING_NAME,),
            )


def _values(row: Any) -> tuple[Any, ...]:
    """A row as a tuple (PostgreSQL's cursors give dicts)."""
    return tuple(row.values()) if isinstance(row, dict) else tuple(row)
