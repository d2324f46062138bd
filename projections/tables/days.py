"""The consensus path as rows (SPEC §3 rule 6), kept incrementally, and the
`consensus` view read from them.

`summit_days` holds, for each proposal (a small number, `summit_paths`) and
day, how the day moved the stance counts of the parties with evidence (a
party with none yet is unknown: the reader adds those): the end-of-day
counts less those of the day before. A day that moved nothing has no row,
so the rows are the path's days, and a day's counts are the sum of the rows
up to it. A party P's evidence row on day D, made or closed, moves P's
stance from D up to P's next evidence day N only: it changes the rows of D
and N, nothing else. `DayCounts`, called by the writer for each evidence
operation in log order, makes those two rows' new versions, known from the
operation's instant.

Versions: every version of a day is current until the day's next one
(`known_from`, kept from the negotiation's opening instant: 4 to 6 bytes,
not 8, orders them; `current` flags the last, 1 or 0, stored in no bytes),
so a cut at `--known-at` reads each day's latest version known by then, and
the day rows need no `known_to` (8 bytes a version: the store-size target).
A day moved back to nothing keeps a version of zeros.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from typing import Any

from projections.tables.refs import RefRows
from projections.tables.schema import (
    CLOSE,
    DAY_COUNTS,
    DAYREFS,
    DAYS,
    EVIDENCE,
    FACTS,
    PATHS,
    REFS,
    ordinal,
)

_STANCE = {stance: i for i, stance in enumerate(DAY_COUNTS)}
# A party's current evidence row on a proposal as one integer that sorts as
# (day, position) and carries its stance: day ordinal, position, stance index
# (`_key`), so the runs are bisected by C's int compare, not tuples'.
_SHIFT = 42  # positions below 2**40, then two bits of stance
assert len(DAY_COUNTS) <= 4  # (two bits)
# Where an evidence row keeps its party, stance, day and position.
_PARTY, _STANCE_AT, _DAY, _POSITION = 2, 3, 6, 7
# A day's current version, as a list: its row (id, day, the moves by
# stance, known_from, current) then whether it was made in this batch
# (False: as stored).
_MOVES, _KNOWN, _CURRENT, _MADE = 2, 2 + len(DAY_COUNTS), 3 + len(DAY_COUNTS), -1
_ZERO = [0] * len(DAY_COUNTS)


def _key(day: int, position: int, stance: str) -> int:
    return (day << _SHIFT) + (position << 2) + _STANCE[stance]  # as `_change` packs


class _Proposal:
    """One proposal's id, its evidence by party (current rows as sorted
    `_key`s, each party read when first needed) and its days' current
    versions (by day ordinal)."""

    __slots__ = ("days", "fresh", "id", "opened", "parties")

    def __init__(self, fresh: bool) -> None:
        self.id = 0
        self.opened = 0  # when the negotiation was opened (recorded_us)
        self.parties: dict[str, list[int]] = {}
        self.days: dict[int, list[Any]] = {}
        self.fresh = fresh  # nothing stored yet: read nothing


class DayCounts:
    """Keeps `summit_days` in step with the evidence rows, through one
    catch-up: the writer calls `before` with each operation (before it runs
    it) and `flush` at the end of each batch."""

    MAX_ROWS = 200_000  # evidence rows held between batches, in all

    def __init__(self, *, from_empty: bool = False) -> None:
        self.from_empty = from_empty  # no view rows stored when it began
        self.held: dict[tuple[str, str], _Proposal] = {}  # least recent first
        self.seen: set[tuple[str, str]] = set()
        self.made: list[list[Any]] = []  # versions made in this batch
        # Stored versions changed: their moves (made at this instant, never
        # seen by a cut), or no longer current.
        self.sets: list[tuple[Any, ...]] = []
        self.closes: list[tuple[Any, ...]] = []
        self.last: _Proposal | None = None  # the proposal changed last
        self.last_key = ("", "")
        self.refs = RefRows()  # the refs the days list (`refs.py`)

    def before(
        self,
        writer: Any,
        cursor: Any,
        op: tuple[str, Any],
        made: dict[int, tuple[str, int, int]],
        pending: dict[str, list[Any]],
    ) -> None:
        """Apply one writer operation's effect on evidence to the day rows."""
        kind, params = op
        if kind == EVIDENCE:
            self._change(writer, cursor, params, +1, params[0][-1])
        elif kind == CLOSE and params[0] == EVIDENCE:
            _, position, known = params
            found = made.get(position)
            if found is not None:
                _, start, count = found
                rows = pending[EVIDENCE][start : start + count]
            else:
                rows = _evidence_at(writer, cursor, position)
            if rows:
                self._change(writer, cursor, rows, -1, known)

    def _change(
        self, writer: Any, cursor: Any, rows: list[Any], sign: int, known: int
    ) -> None:
        """One world event's evidence rows (one proposal's, of one day and
        position: an insert's rows or those a close ends) made (+1) or closed
        (-1) at instant `known`: each party's stance at the end of the day
        moves, and back on the party's next day; the days so moved get a
        version each (`_version`)."""
        first = rows[0]
        key = (first[0], first[1])
        state = self.last
        if state is None or key != self.last_key:  # not the proposal of before
            state = self._state(writer, cursor, key)
            self.last, self.last_key = state, key
        day = ordinal(first[_DAY])
        after = (day + 1) << _SHIFT  # after every row of the day
        at = (day << _SHIFT) + (first[_POSITION] << 2)  # the rows' `_key`s less stance
        # The version's ref row (`refs.py`): the rows' ref, position and
        # known_from are all alike, so the first tells.
        self.refs.change(state.id, state.opened, day, first, sign, known)
        moved: dict[int, list[int]] = {}  # day -> how its counts move
        parties = state.parties
        for row in rows:
            runs = parties.get(row[_PARTY])
            if runs is None:
                runs = [] if state.fresh else _runs(writer, cursor, *key, row[_PARTY])
                runs.sort()
                parties[row[_PARTY]] = runs
            end = bisect_left(runs, after)  # after the party's day
            was = runs[end - 1] & 3 if end else -1  # its stance at the day's end
            if sign > 0:
                insort(runs, at + _STANCE[row[_STANCE_AT]], hi=end)
            else:
                del runs[bisect_left(runs, at + _STANCE[row[_STANCE_AT]], hi=end)]
            end += sign
            now = runs[end - 1] & 3 if end else -1
            if was == now:  # no day's end-of-day counts change
                continue
            moves = moved.get(day)
            if moves is None:
                moves = moved[day] = _ZERO.copy()
            if was >= 0:
                moves[was] -= 1
            if now >= 0:
                moves[now] += 1
            if end < len(runs):  # the party's next day: back as it was
                moves = moved.get(runs[end] >> _SHIFT)
                if moves is None:
                    moves = moved[runs[end] >> _SHIFT] = _ZERO.copy()
                if now >= 0:
                    moves[now] -= 1
                if was >= 0:
                    moves[was] += 1
        known -= state.opened  # kept (and stored) from the opening's instant
        for day, moves in moved.items():
            self._version(state, day, moves, known)

    def _version(
        self, state: _Proposal, day: int, moves: list[int], known: int
    ) -> None:
        """The day's counts moved by `moves`, from `known`: a new version of
        the day (the current one changed in place when made at the same
        instant: it was never visible to any cut)."""
        current = state.days.get(day)
        if current is None:
            version = [state.id, day, *moves, known, 1, True]
        elif current[_KNOWN] == known:
            for i, n in enumerate(moves, _MOVES):
                current[i] += n
            if not current[_MADE]:
                self.sets.append((*current[_MOVES:_KNOWN], state.id, day, known))
            return
        else:
            if current[_MADE]:
                current[_CURRENT] = 0
            else:
                self.closes.append((state.id, day, current[_KNOWN]))
            version = current.copy()
            version[_KNOWN], version[_CURRENT], version[_MADE] = known, 1, True
            for i, n in enumerate(moves, _MOVES):
                version[i] += n
        self.made.append(version)
        state.days[day] = version

    def _state(self, writer: Any, cursor: Any, key: tuple[str, str]) -> _Proposal:
        state = self.held.pop(key, None)
        if state is None:
            state = _Proposal(self.from_empty and key not in self.seen)
            self.seen.add(key)
            state.id = _path_id(writer, cursor, *key)
            state.opened = _opened(writer, cursor, key[0])
            if not state.fresh:
                for version in _current(writer, cursor, state.id):
                    state.days[version[1]] = version
        self.held[key] = state  # most recently used last
        return state

    def flush(self, writer: Any, cursor: Any) -> None:
        """Insert the batch's new versions (after its evidence operations)."""
        table, p = writer._table(DAYS), writer.placeholder
        key = f"id={p} AND day={p} AND known_from={p}"
        if self.sets:
            sets = ", ".join(f"{c}={p}" for c in DAY_COUNTS)
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE {key}", self.sets)
        if self.closes:
            sql = f"UPDATE {table} SET current=0 WHERE {key}"
            cursor.executemany(sql, self.closes)
        writer.insert(cursor, DAYS, [version[:_MADE] for version in self.made])
        self.refs.flush(writer, cursor)
        for version in self.made:
            version[_MADE] = False  # stored now
        self.made, self.sets, self.closes = [], [], []
        self.last = None  # (may be evicted below)
        held = sum(len(r) for s in self.held.values() for r in s.parties.values())
        while len(self.held) > 1 and held > self.MAX_ROWS:
            state = self.held.pop(next(iter(self.held)))
            held -= sum(len(runs) for runs in state.parties.values())


def _select(writer: Any, cursor: Any, sql: str, *params: Any) -> list[list[Any]]:
    """Rows of a statement in the writer's transaction, as lists (PostgreSQL's
    cursors give dicts)."""
    cursor.execute(sql.replace("?", writer.placeholder), params)
    return [
        list(r.values()) if isinstance(r, dict) else list(r) for r in cursor.fetchall()
    ]


def _path_id(writer: Any, cursor: Any, negotiation: str, proposal: str) -> int:
    """The proposal's id in `summit_paths`, given one if it has none."""
    paths = writer._table(PATHS)
    found = _select(
        writer,
        cursor,
        f"SELECT id FROM {paths} WHERE negotiation=? AND proposal=?",
        negotiation,
        proposal,
    )
    if found:
        return int(found[0][0])
    new = int(
        _select(writer, cursor, f"SELECT COALESCE(MAX(id), 0) + 1 FROM {paths}")[0][0]
    )
    insert = f"INSERT INTO {paths} VALUES (?, ?, ?)".replace("?", writer.placeholder)
    cursor.execute(insert, (negotiation, proposal, new))
    return new


def _evidence_at(writer: Any, cursor: Any, position: int) -> list[list[Any]]:
    """The current evidence rows of the world event at `position`, stored."""
    return _select(
        writer,
        cursor,
        f"SELECT * FROM {writer._table(EVIDENCE)} "
        "WHERE position=? AND known_to IS NULL",
        position,
    )


def _runs(
    writer: Any, cursor: Any, negotiation: str, proposal: str, party: str
) -> list[int]:
    """A party's current evidence rows on a proposal, as `_key`s."""
    rows = _select(
        writer,
        cursor,
        f"SELECT occurred_on, position, stance FROM {writer._table(EVIDENCE)} "
        "WHERE negotiation=? AND proposal=? AND party=? AND known_to IS NULL",
        negotiation,
        proposal,
        party,
    )
    return [_key(ordinal(day), position, stance) for day, position, stance in rows]


def _current(writer: Any, cursor: Any, path: int) -> list[list[Any]]:
    """A proposal's days' current versions, as stored (`_MADE`: False)."""
    rows = _select(
        writer,
        cursor,
        f"SELECT id, day, {', '.join(DAY_COUNTS)}, known_from, current "
        f"FROM {writer._table(DAYS)} WHERE id=? AND current=1",
        path,
    )
    return [[*row, False] for row in rows]


def _opened(writer: Any, cursor: Any, negotiation: str) -> int:
    """When a negotiation was opened: its first fact's recorded_us (a day
    version's known_from is kept from it: 4 or 6 bytes, not 8)."""
    found = _select(
        writer,
        cursor,
        f"SELECT recorded_us FROM {writer._table(FACTS)} WHERE negotiation=? "
        "ORDER BY position LIMIT 1",
        negotiation,
    )
    return int(found[0][0])


def days_missing(writer: Any, cursor: Any) -> bool:
    """Whether the views were written before the day rows, the ref rows or
    their texts existed (evidence rows and no day row, ref row or text: the
    first evidence on a proposal always makes all three), so are to be
    refolded."""
    evidence, days = writer._table(EVIDENCE), writer._table(DAYS)
    refs, texts = writer._table(REFS), writer._table(DAYREFS)
    found = _select(
        writer,
        cursor,
        f"SELECT EXISTS (SELECT 1 FROM {evidence}) AND (NOT EXISTS "
        f"(SELECT 1 FROM {days}) OR NOT EXISTS (SELECT 1 FROM {refs}) "
        f"OR NOT EXISTS (SELECT 1 FROM {texts})) AS missing",
    )
    return bool(found[0][0])
