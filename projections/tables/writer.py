"""The writes every backend's views recorder shares (mixed into eventsourcing's
tracking recorders, which differ here only in the placeholder and table names)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from domain.vocabulary import UNKNOWN
from projections.tables.schema import (
    COLUMNS,
    DERIVED,
    EVIDENCE,
    FACTS,
    READ_COLUMNS,
    TRACKING_NAME,
    TRACKING_PREFIX,
    index_names,
)


class ViewsWriter:
    """The writes both views recorders share (mixed into eventsourcing's
    SQLite and PostgreSQL tracking recorders, which differ here only in the
    parameter placeholder and how tables are named)."""

    placeholder = "?"
    datastore: Any
    facts: str  # the facts table joined with the log (set by the backend)

    if TYPE_CHECKING:

        def _insert_tracking(self, c: Any, tracking: Any) -> None: ...

        def create_table(self) -> None: ...

    def _table(self, name: str) -> str:
        return name

    def _tracking_table(self) -> str:
        return "tracking"

    def _marks(self, n: int) -> str:
        return ",".join([self.placeholder] * n)

    @contextlib.contextmanager
    def atomically(self) -> Iterator[None]:
        """Every write of this recorder inside, one transaction where the
        backend allows (PostgreSQL: see `postgres.py`); SQLite: each as it is."""
        yield

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
        runs: set[tuple[Any, ...]] = set()  # (negotiation, proposal, party) changed

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
                cursor.execute(
                    f"SELECT negotiation, proposal, party FROM "
                    f"{self._table(EVIDENCE)} WHERE negotiation={p} AND ref={p}",
                    params,
                )
                runs.update(_values(r) for r in cursor.fetchall())
                for name in DERIVED:
                    cursor.execute(
                        f"DELETE FROM {self._table(name)} "
                        f"WHERE negotiation={p} AND ref={p}",
                        params,
                    )
            else:
                pending.setdefault(kind, []).append(params)
                if kind == EVIDENCE:
                    runs.add(params[:3])
        flush()
        for key in sorted(runs):
            self._since(cursor, key)

    def _since(self, cursor: Any, key: tuple[Any, ...]) -> None:
        """Set `since` on one party's evidence rows for one proposal (rule 4:
        the day its current stance began), updating only the rows that change."""
        p = self.placeholder
        table = self._table(EVIDENCE)
        where = f"negotiation={p} AND proposal={p} AND party={p}"
        cursor.execute(
            f"SELECT ref, stance, occurred_on, since FROM {table} WHERE {where} "
            "ORDER BY occurred_on, position",
            key,
        )
        stance, since, changed = UNKNOWN, None, []
        for ref, now, on, stored in map(_values, cursor.fetchall()):
            if now != stance:
                since = on
            stance = now
            if since != stored:
                changed.append((since, *key, ref))
        if changed:
            cursor.executemany(
                f"UPDATE {table} SET since={p} WHERE {where} AND ref={p}", changed
            )

    def facts_of(self, negotiation: str) -> list[tuple[Any, ...]]:
        """A negotiation's committed fact rows, in recording order."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT {READ_COLUMNS} FROM {self.facts} "
                f"WHERE negotiation={self.placeholder} ORDER BY position",
                (negotiation,),
            )
            return [_values(r) for r in c.fetchall()]

    def reset_if_stale(self) -> bool:
        """Drop the views if they were written under another schema (another
        tracking name, or a facts table of other columns); True if dropped.

        Called before catching up from nothing; the tables are created again
        as they are now, and the caller refolds the whole log into them.
        """
        p = self.placeholder
        with self.atomically():  # a kill leaves the old views or the new tables
            with self.datastore.transaction(commit=True) as c:
                c.execute(f"SELECT * FROM {self._table(FACTS)} LIMIT 0")
                # eventsourcing's SQLite cursor wraps sqlite3's (which has it).
                width = len(getattr(c, "sqlite_cursor", c).description)
                c.execute(
                    f"SELECT COUNT(*) AS n FROM {self._tracking_table()} "
                    f"WHERE application_name LIKE {p} AND application_name <> {p}",
                    (f"{TRACKING_PREFIX}%", TRACKING_NAME),
                )
                row = c.fetchone()
                others = row["n"] if isinstance(row, dict) else row[0]
                stale = width != len(COLUMNS) or others > 0
                if stale:
                    for table in (FACTS, *DERIVED):
                        c.execute(f"DROP TABLE IF EXISTS {self._table(table)}")
                    c.execute(
                        f"DELETE FROM {self._tracking_table()} "
                        f"WHERE application_name LIKE {p}",
                        (f"{TRACKING_PREFIX}%",),
                    )
            if stale:
                self.create_table()
        return stale

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


def _values(row: Any) -> tuple[Any, ...]:
    """A row as a tuple (PostgreSQL's cursors give dicts)."""
    return tuple(row.values()) if isinstance(row, dict) else tuple(row)
