"""The consensus path's end-of-day counts as rows (SPEC §3 rule 6), kept
incrementally, and the `consensus` view read from them.

`summit_days` holds a row for each (negotiation, proposal, day) with
evidence: the stance counts of the parties with evidence by the end of that
day (a party with none yet is unknown: the reader adds those) and how many
evidence rows the day holds, versioned like the derived rows (known_from,
known_to). An evidence row of party P on day D, made or closed, changes the
counts of D and of the days with rows before P's next evidence day only
(usually one or two rows): `DayCounts`, called by the writer for each
evidence operation in log order, closes those rows' current versions and
makes new ones, known from the operation's instant. The query reads at most
one row a day, and the refs of the days its path moves on.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from collections.abc import Iterator
from datetime import datetime
from operator import itemgetter
from typing import Any

from projections.tables.schema import CLOSE, DAY_COUNTS, DAYS, EVIDENCE

_STANCE = {stance: i for i, stance in enumerate(DAY_COUNTS[:5])}
_RUN = len(DAY_COUNTS)  # a count slot past the stances: the evidence rows
_ON = itemgetter(0)
# Where an evidence row keeps its party, stance, day and position.
_PARTY, _STANCE_AT, _DAY, _POSITION = 2, 3, 6, 7


class _Day:
    """A day's current counts, known from `known`; `row` is its version made
    in this batch (None: the version is the stored one)."""

    __slots__ = ("counts", "known", "row")

    def __init__(self, counts: list[int], known: int, row: list[Any] | None) -> None:
        self.counts = counts
        self.known = known
        self.row = row


class _Proposal:
    """One proposal's evidence by party (current rows: (day, position,
    stance), sorted, each party read when first needed) and its day rows."""

    __slots__ = ("days", "fresh", "order", "parties")

    def __init__(self, fresh: bool) -> None:
        self.parties: dict[str, list[tuple[str, int, str]]] = {}
        self.days: dict[str, _Day] = {}
        self.order: list[str] = []  # the days with rows, sorted
        self.fresh = fresh  # nothing stored yet: read nothing


class DayCounts:
    """Keeps `summit_days` in step with the evidence rows, through one
    catch-up: the writer calls `before` with each operation (before it runs
    it) and `flush` at the end of each batch."""

    MAX_ROWS = 200_000  # evidence rows held between batches, in all

    def __init__(self, *, from_empty: bool = False) -> None:
        self.from_empty = from_empty  # no day rows stored when it began
        self.held: dict[tuple[str, str], _Proposal] = {}  # least recent first
        self.seen: set[tuple[str, str]] = set()
        self.made: list[list[Any]] = []  # versions made in this batch
        self.closes: list[tuple[Any, ...]] = []  # (known, *key, day) stored
        self.drops: list[tuple[Any, ...]] = []  # (*key, day, known) stored

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
            for row in params:
                self._change(writer, cursor, row, +1, row[-2])
        elif kind == CLOSE and params[0] == EVIDENCE:
            _, position, known = params
            found = made.get(position)
            if found is not None:
                _, start, count = found
                rows = pending[EVIDENCE][start : start + count]
            else:
                rows = _evidence_at(writer, cursor, position)
            for row in rows:
                self._change(writer, cursor, row, -1, known)

    def _change(
        self, writer: Any, cursor: Any, row: tuple[Any, ...], sign: int, known: int
    ) -> None:
        """One evidence row made (+1) or closed (-1) at instant `known`."""
        key = (row[0], row[1])
        state = self._state(writer, cursor, key)
        party, day = row[_PARTY], row[_DAY]
        runs = state.parties.get(party)
        if runs is None:
            runs = [] if state.fresh else _runs(writer, cursor, *key, party)
            runs.sort()
            state.parties[party] = runs
        was = _stance_on(runs, day)
        item = (day, row[_POSITION], row[_STANCE_AT])
        if sign > 0:
            insort(runs, item)
        else:
            runs.remove(item)
        now = _stance_on(runs, day)
        after = bisect_right(runs, day, key=_ON)
        until = runs[after][0] if after < len(runs) else None
        at = bisect_right(state.order, day)
        if was != now:  # the days after, up to the party's next evidence day
            for later in state.order[at:]:
                if until is not None and later >= until:
                    break
                counts = list(state.days[later].counts)
                self._set(key, state, later, _moved(counts, was, now), known)
        current = state.days.get(day)
        if current is not None:
            counts = list(current.counts)
        elif at:  # a new day: the day before's counts, no evidence rows yet
            counts = [*state.days[state.order[at - 1]].counts[:5], 0]
        else:
            counts = [0] * _RUN
        counts[5] += sign
        self._set(key, state, day, _moved(counts, was, now), known)

    def _state(self, writer: Any, cursor: Any, key: tuple[str, str]) -> _Proposal:
        state = self.held.pop(key, None)
        if state is None:
            state = _Proposal(self.from_empty and key not in self.seen)
            self.seen.add(key)
            if not state.fresh:
                for day, *counts, known in _current(writer, cursor, *key):
                    state.days[day] = _Day(counts, known, None)
                state.order = sorted(state.days)
        self.held[key] = state  # most recently used last
        return state

    def _set(
        self,
        key: tuple[str, str],
        state: _Proposal,
        day: str,
        counts: list[int],
        known: int,
    ) -> None:
        """A day's counts from instant `known`: its current version closed,
        a new one made (none when the day holds no evidence any more)."""
        current = state.days.get(day)
        if current is not None:
            if current.counts == counts:
                return
            if current.row is not None:  # made in this batch
                current.row[-1] = known  # (closed as made: never visible)
            elif current.known == known:
                self.drops.append((*key, day, known))
            else:
                self.closes.append((known, *key, day))
        if counts[5] == 0:
            del state.days[day]
            state.order.remove(day)
            return
        row = [*key, day, *counts, known, None]
        self.made.append(row)
        state.days[day] = _Day(counts, known, row)
        if current is None:
            insort(state.order, day)

    def flush(self, writer: Any, cursor: Any) -> None:
        """Write the batch's day rows (after its evidence operations)."""
        made = [r for r in self.made if r[-1] != r[-2]]  # not closed as made
        _write(writer, cursor, self.drops, self.closes, made)
        for state in self.held.values():
            for days in state.days.values():
                days.row = None
        self.made, self.closes, self.drops = [], [], []
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
) -> list[tuple[str, int, str]]:
    """A party's current evidence rows on a proposal: (day, position, stance)."""
    rows = _select(
        writer,
        cursor,
        f"SELECT occurred_on, position, stance FROM {writer._table(EVIDENCE)} "
        "WHERE negotiation=? AND proposal=? AND party=? AND known_to IS NULL",
        negotiation,
        proposal,
        party,
    )
    return [(day, position, stance) for day, position, stance in rows]


def _current(
    writer: Any, cursor: Any, negotiation: str, proposal: str
) -> list[list[Any]]:
    """A proposal's current day rows: (day, *counts, known_from)."""
    return _select(
        writer,
        cursor,
        f"SELECT occurred_on, {', '.join(DAY_COUNTS)}, known_from "
        f"FROM {writer._table(DAYS)} WHERE negotiation=? AND proposal=? "
        "AND known_to IS NULL",
        negotiation,
        proposal,
    )


def _write(
    writer: Any,
    cursor: Any,
    drops: list[tuple[Any, ...]],
    closes: list[tuple[Any, ...]],
    made: list[list[Any]],
) -> None:
    """Stored versions dropped (closed at the instant they were made) or
    closed, then the batch's versions inserted."""
    table, p = writer._table(DAYS), writer.placeholder
    key = f"negotiation={p} AND proposal={p} AND occurred_on={p}"
    if drops:
        cursor.executemany(f"DELETE FROM {table} WHERE {key} AND known_from={p}", drops)
    if closes:
        cursor.executemany(
            f"UPDATE {table} SET known_to={p} WHERE {key} AND known_to IS NULL", closes
        )
    if made:
        marks = ", ".join([p] * len(made[0]))
        cursor.executemany(f"INSERT INTO {table} VALUES ({marks})", made)


def days_missing(writer: Any, cursor: Any) -> bool:
    """Whether the views were written before the day rows existed (evidence
    rows and no day row: every evidence row stored makes one), so are to be
    refolded."""
    evidence, days = writer._table(EVIDENCE), writer._table(DAYS)
    found = _select(
        writer,
        cursor,
        f"SELECT EXISTS (SELECT 1 FROM {evidence}) AND NOT EXISTS "
        f"(SELECT 1 FROM {days}) AS missing",
    )
    return bool(found[0][0])


def _stance_on(runs: list[tuple[str, int, str]], day: str) -> str | None:
    """A party's stance at the end of `day` (None: no evidence yet)."""
    at = bisect_right(runs, day, key=_ON)
    return runs[at - 1][2] if at else None


def _moved(counts: list[int], was: str | None, now: str | None) -> list[int]:
    """Counts with one party moved from stance `was` to `now`."""
    if was != now:
        if was is not None:
            counts[_STANCE[was]] -= 1
        if now is not None:
            counts[_STANCE[now]] += 1
    return counts


def consensus_from_tables(
    views: Any,
    negotiation: str,
    proposal: str | None,
    as_of: str | None,
    known_at: datetime | None,
    known_text: str | None,
) -> dict[str, Any]:
    """The `summit consensus` document (SPEC §4) read from the day rows:
    the path's counts and reached_on from at most one row a day, holdouts
    from each party's stance (indexed seeks), refs only of the path's days."""
    from projections.consensus import document, walk
    from projections.tables.read import Cut, inputs_from_tables

    inputs = inputs_from_tables(
        views, negotiation, proposal, as_of, known_at, needs=("stances",)
    )
    p = views.placeholder
    cut = Cut.of(views, as_of, known_at)
    rows = views.rows(
        f"SELECT occurred_on, {', '.join(DAY_COUNTS[:5])} FROM {views.table(DAYS)} "
        f"WHERE negotiation={p} AND proposal={p}{cut.sql} ORDER BY occurred_on",
        negotiation,
        inputs.proposal,
        *cut.params,
    )
    parties = len(inputs.parties)
    path, counts, reached_on = walk(_days(rows, parties), parties)
    if path:
        refs = _refs(views, negotiation, inputs.proposal, cut, path)
        for step in path:
            step["refs"] = refs.get(step["on"], [])
    assert inputs.stances is not None
    holdouts = [p for p, row in inputs.stances.items() if row["stance"] != "supports"]
    return document(
        inputs, as_of, known_text, counts, sorted(holdouts), reached_on, path
    )


def _days(
    rows: list[tuple[Any, ...]], parties: int
) -> Iterator[tuple[str, dict[str, int], None]]:
    """Each day row's end-of-day counts, the parties without evidence unknown."""
    for day, *counts in rows:
        found = dict(zip(DAY_COUNTS[:5], map(int, counts), strict=True))
        found["unknown"] += parties - sum(found.values())
        yield day, found, None


def _refs(
    views: Any,
    negotiation: str,
    proposal: str,
    cut: Any,
    path: list[dict[str, Any]],
) -> dict[str, list[str]]:
    """The refs of the path's days, in rule-2 order, each once a day: one
    statement over the evidence rows of the days from the first to the last."""
    p = views.placeholder
    wanted = {step["on"] for step in path}
    rows = views.rows(
        f"SELECT occurred_on, ref FROM {views.table(EVIDENCE)} "
        f"WHERE negotiation={p} AND proposal={p}{cut.sql} "
        f"AND occurred_on >= {p} AND occurred_on <= {p} "
        "GROUP BY occurred_on, position, ref ORDER BY occurred_on, position",
        negotiation,
        proposal,
        *cut.params,
        path[0]["on"],
        path[-1]["on"],
    )
    refs: dict[str, list[str]] = {}
    for day, ref in rows:
        if day in wanted:
            refs.setdefault(day, []).append(ref)
    return refs
