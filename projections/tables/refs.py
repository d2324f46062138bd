"""`summit_refs`: the refs a consensus path day lists (SPEC rule 6), kept so
that `consensus` reads one short row a world event instead of every evidence
row of the proposal (a sign-off has one evidence row a signatory).

A row is one version of a world event's evidence on one proposal: (proposal
id, day, position, known_from, known_to, ref), the instants kept from the
negotiation's opening as the day rows keep theirs (`days.py`). Its key is
(id, day, position, known_from), so a path's refs come out in rule-2 order
(day, then recording order) along the key, and `--known-at` is a filter on
the versions, as everywhere else. `RefRows` is fed by `days.DayCounts`,
which sees every evidence row made or closed with its proposal's id: the
first row of a version makes the version's ref row; closing it closes (or,
when closed at the instant it was made, drops) that row once.
"""

from __future__ import annotations

from typing import Any

from projections.tables.schema import REFS

# Where an evidence row keeps its ref and position, and its known_from (as
# stored, and as the writer holds a current row: less its known_to).
_REF, _POSITION, _KNOWN_FROM = 5, 7, 8


class RefRows:
    """The ref rows one catch-up batch makes and closes (`DayCounts` calls
    `change` for each evidence row, `flush` at the end of the batch)."""

    __slots__ = ("closed", "closes", "drops", "made", "pending")

    def __init__(self) -> None:
        self.made: list[list[Any]] = []  # rows made in this batch
        # (id, position, known_from) -> its row in `made`, while current
        self.pending: dict[tuple[int, int, int], list[Any]] = {}
        self.closed: set[tuple[int, int, int]] = set()  # versions closed
        self.closes: list[tuple[int, int, int, int, int]] = []  # stored rows
        self.drops: list[tuple[int, int, int, int]] = []

    def change(
        self,
        path: int,
        opened: int,
        day: int,
        row: tuple[Any, ...],
        sign: int,
        known: int,
    ) -> None:
        """One evidence row of proposal `path` on `day` (as stored) made (+1)
        or closed (-1) at instant `known` (microseconds; `opened`: the
        negotiation's opening)."""
        made_from = row[_KNOWN_FROM] - opened
        key = (path, row[_POSITION], made_from)
        if sign > 0:
            if key not in self.pending:  # the version's first row
                new = [path, day, key[1], made_from, None, row[_REF]]
                self.pending[key] = new
                self.made.append(new)
            return
        if key in self.closed:  # another signatory's row of the same version
            return
        self.closed.add(key)
        until = known - opened
        found = self.pending.pop(key, None)
        if found is not None:  # made in this batch
            found[4] = until
            if until == made_from:  # never visible to any cut
                found[3] = None
            return
        if until == made_from:
            self.drops.append((path, day, key[1], made_from))
        else:
            self.closes.append((until, path, day, key[1], made_from))

    def flush(self, writer: Any, cursor: Any) -> None:
        """Write the batch's changes (stored rows closed first, then the new)."""
        table, p = writer._table(REFS), writer.placeholder
        key = f"id={p} AND day={p} AND position={p} AND known_from={p}"
        if self.drops:
            cursor.executemany(f"DELETE FROM {table} WHERE {key}", self.drops)
        if self.closes:
            sql = f"UPDATE {table} SET known_to={p} WHERE {key}"
            cursor.executemany(sql, self.closes)
        # Current rows with their NULL known_to written, not bound (binding
        # None costs sqlite3 an adapter lookup: `inserts.py`).
        current = [
            (*r[:4], r[5]) for r in self.made if r[3] is not None and r[4] is None
        ]
        if current:
            sql = f"INSERT INTO {table} VALUES ({p},{p},{p},{p},NULL,{p})"
            cursor.executemany(sql, current)
        ended = [r for r in self.made if r[3] is not None and r[4] is not None]
        if ended:
            marks = writer._marks(len(ended[0]))
            cursor.executemany(f"INSERT INTO {table} VALUES ({marks})", ended)
        self.made, self.pending, self.closed = [], {}, set()
        self.closes, self.drops = [], []
