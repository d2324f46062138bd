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

`summit_dayrefs` keeps, for each (id, day) that ever had a ref row, the
day's current refs joined in that order with one space between ("" when
none is current: a ref never holds a space, SPEC §2), and `changed`, the
latest instant any of the day's ref rows was made or closed at. A consensus
reads a path's refs from these texts, one short row a day instead of a row
a ref (11,700 at the bench's 50,000-event negotiation); at a `--known-at`
cut no earlier than a day's `changed`, every ref row of that day is as it
is now (each was made, and each closed one closed, by then), so its text is
the day's refs as known then; only a day changed after the cut is read
from its ref rows. At the end of a batch, each day it touched gets its text
again from its current ref rows, in key order (`flush`).
"""

from __future__ import annotations

from typing import Any

from projections.tables.schema import DAYREFS, REFS

# Where an evidence row keeps its ref and position, and its known_from (as
# stored, and as the writer holds a current row: less its known_to).
_REF, _POSITION, _KNOWN_FROM = 5, 7, 8


class RefRows:
    """The ref rows one catch-up batch makes and closes (`DayCounts` calls
    `change` for each evidence row, `flush` at the end of the batch)."""

    __slots__ = ("closed", "closes", "drops", "made", "pending", "touched")

    def __init__(self) -> None:
        self.made: list[list[Any]] = []  # rows made in this batch
        # (id, position, known_from) -> its row in `made`, while current
        self.pending: dict[tuple[int, int, int], list[Any]] = {}
        self.closed: set[tuple[int, int, int]] = set()  # versions closed
        self.closes: list[tuple[int, int, int, int, int]] = []  # stored rows
        self.drops: list[tuple[int, int, int, int]] = []
        # (id, day) -> the latest instant a ref row of it changed in this batch
        self.touched: dict[tuple[int, int], int] = {}

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
        at = made_from if sign > 0 else known - opened
        if self.touched.get((path, day), at) <= at:
            self.touched[(path, day)] = at
        if sign > 0:
            if key not in self.pending:  # the version's first row
                new = [path, day, key[1], made_from, None, row[_REF]]
                self.pending[key] = new
                self.made.append(new)
                # A version closed at the instant it was made, then made
                # again at that instant (a correction recorded in the same
                # microsecond) has the same key: the new one is open.
                self.closed.discard(key)
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
        writer.insert(cursor, REFS, current, null_at=4)
        ended = [r for r in self.made if r[3] is not None and r[4] is not None]
        writer.insert(cursor, REFS, ended)
        if self.touched:
            _texts(writer, cursor, self.touched)
        self.made, self.pending, self.closed = [], {}, set()
        self.closes, self.drops, self.touched = [], [], {}


def _texts(writer: Any, cursor: Any, touched: dict[tuple[int, int], int]) -> None:
    """Each touched day's text made again from its current ref rows (after
    the batch's ref rows are written), its `changed` moved on."""
    rows = [(i, day, at, i, day) for (i, day), at in touched.items()]
    cursor.executemany(texts_sql(writer), rows)


def texts_sql(writer: Any) -> str:
    """The statement `_texts` runs a day: (id, day, instant, id, day)."""
    refs, texts, p = writer._table(REFS), writer._table(DAYREFS), writer.placeholder
    joined = (
        f"COALESCE((SELECT {writer.joined_refs} FROM {refs} AS r "
        f"WHERE r.id={p} AND r.day={p} AND r.known_to IS NULL), '')"
    )
    return (
        f"INSERT INTO {texts} AS t VALUES ({p},{p},{p},{joined}) "
        f"ON CONFLICT (id, day) DO UPDATE SET refs=excluded.refs, "
        f"changed={writer.greatest}(t.changed, excluded.changed)"
    )
