"""The `consensus` view read from the day rows (`days.py`): the path's
counts and reached_on from at most one row a path entry, holdouts from the
stance seeks, and the refs of the path's days from the ref rows (`refs.py`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from projections.tables.schema import (
    DAY_COUNTS,
    DAYREFS,
    DAYS,
    FACTS,
    JOINED_REFS_POSTGRES,
    JOINED_REFS_SQLITE,
    PATHS,
    REFS,
    day_text,
    ordinal,
)


def consensus_answer(
    reader: Any,
    negotiation: str,
    proposal: str | None,
    as_of: str | None,
    known_at: datetime | None,
    joined_refs: bool = False,
) -> dict[str, Any]:
    """`Reader.consensus`: from the day rows when the views can be caught up,
    else folded from the log's evidence known at `known_at`. With
    `joined_refs`, a path step read from the day rows may hold its refs as
    the database joined them (`consensus_from_tables`)."""
    from projections.consensus import consensus_from
    from projections.filters import instant_text
    from projections.inputs import inputs_from_history

    known = instant_text(known_at)
    found: dict[str, Any] = reader._answer(
        negotiation,
        known_at,
        lambda v: consensus_from_tables(
            v, negotiation, proposal, as_of, known_at, known, joined_refs
        ),
        lambda history: consensus_from(
            inputs_from_history(history, proposal, as_of), as_of=as_of, known_at=known
        ),
    )
    return found


def consensus_from_tables(
    views: Any,
    negotiation: str,
    proposal: str | None,
    as_of: str | None,
    known_at: datetime | None,
    known_text: str | None,
    joined_refs: bool = False,
) -> dict[str, Any]:
    """The `summit consensus` document (SPEC §4) read from the day rows:
    the path's counts and reached_on from at most one row a day, holdouts
    from each party's stance (indexed seeks), refs only of the path's days.

    With `joined_refs` each step's refs are one text, the refs in order with
    one space between them ("" for none), as the database joined them: a
    JSON writer can then put them out without making 11,000 strings and
    encoding each (`cli.render.formats.consensus_json`)."""
    from projections.consensus import document, walk
    from projections.tables.read import inputs_from_tables

    inputs = inputs_from_tables(
        views, negotiation, proposal, as_of, known_at, needs=("stances",)
    )
    parties = len(inputs.parties)
    rows = _day_rows(views, negotiation, inputs.proposal, as_of, known_at)
    path, counts, reached_on = walk(_days(rows, parties), parties)
    if path:
        refs = _refs(views, negotiation, inputs.proposal, known_at, path)
        for step in path:
            text = refs.get(step["on"], "")
            step["refs"] = text if joined_refs else text.split(" ") if text else []
    assert inputs.stances is not None
    holdouts = [p for p, row in inputs.stances.items() if row["stance"] != "supports"]
    return document(
        inputs, as_of, known_text, counts, sorted(holdouts), reached_on, path
    )


def _day_rows(
    views: Any,
    negotiation: str,
    proposal: str,
    as_of: str | None,
    known_at: datetime | None,
) -> list[tuple[Any, ...]]:
    """(day, *moves) of each day's version in the cut, in date order: the
    current ones, or the latest known by `known_at` of each day."""

    p = views.placeholder
    moves = ", ".join(f"d.{c}" for c in DAY_COUNTS)
    paths, days = views.table(PATHS), views.table(DAYS)
    each = "d" if known_at is None else "c"  # the row that walks the days
    where = f"WHERE k.negotiation={p} AND k.proposal={p}"
    params: list[Any] = [negotiation, proposal]
    if as_of is not None:
        where += f" AND {each}.day <= {p}"
        params.append(ordinal(as_of))
    # SQLite's planner needs telling (see INDEXED BY below).
    current = f" INDEXED BY {DAYS}_current" if views.row_id is not None else ""
    if known_at is None:
        sql = (
            f"SELECT d.day, {moves} FROM {paths} AS k JOIN {days} AS d{current} "
            f"ON d.id = k.id {where} AND d.current = 1 ORDER BY d.day"
        )
        return list(views.rows(sql, *params))
    known, known_params = _known_from_opening(views, negotiation, known_at)
    # Each day once (its current row, along the partial index), then one seek
    # back along the key to its latest version known by then; a day with none
    # is left out by the join. (Grouping every version instead sorted 19,000
    # rows on PostgreSQL at the 50,000-event negotiation: 41 ms, not 4.)
    sql = (
        f"SELECT d.day, {moves} FROM {paths} AS k "
        f"JOIN {days} AS c{current} ON c.id = k.id "
        f"JOIN {days} AS d ON d.id = c.id AND d.day = c.day AND d.known_from = "
        f"(SELECT MAX(e.known_from) FROM {days} AS e "
        f"WHERE e.id = c.id AND e.day = c.day AND e.known_from <= {known}) "
        f"{where} AND c.current = 1 ORDER BY c.day"
    )
    return list(views.rows(sql, *known_params, *params))


# INDEXED BY: with no statistics SQLite's planner walks every version of the
# proposal's days along the key (38,000 rows at the 50,000-event
# negotiation: 1.5 ms; for --known-at, grouped: 5.7 ms) rather than the
# partial index of the current ones (180 rows: 0.24 ms), so the queries
# name the index.


def _days(
    rows: list[tuple[Any, ...]], parties: int
) -> Iterator[tuple[str, dict[str, int], None]]:
    """Each day's end-of-day counts (the sums of the moves up to it), the
    parties without evidence unknown."""
    counts = [0] * len(DAY_COUNTS)
    for day, *moves in rows:
        for i in range(len(counts)):
            counts[i] += int(moves[i])
        found = dict(zip(DAY_COUNTS, counts, strict=True))
        found["unknown"] = parties - sum(counts)
        yield day_text(day), found, None


def _refs(
    views: Any,
    negotiation: str,
    proposal: str,
    known_at: datetime | None,
    path: list[dict[str, Any]],
) -> dict[str, str]:
    """The refs of the path's days in rule-2 order, one text a day (its refs
    with one space between: a ref never holds a space, SPEC §2's pattern, so
    the texts split back exactly): the days' texts (`refs.py`: one row a
    day, not a row a ref) from the first path day to the last, kept for the
    path's days. At a `--known-at` cut, a day whose ref rows changed after it
    is read from them instead: the version of each world event visible then,
    joined by the database in the key's (position) order."""
    p = views.placeholder
    params: list[Any] = [negotiation, proposal, ordinal(path[0]["on"])]
    params.append(ordinal(path[-1]["on"]))
    text = "t.refs"
    if known_at is not None:
        known, known_params = _known_from_opening(views, negotiation, known_at)
        postgres = views.row_id is None
        joined = JOINED_REFS_POSTGRES if postgres else JOINED_REFS_SQLITE
        text = (
            f"CASE WHEN t.changed <= {known} THEN t.refs ELSE "
            f"(SELECT {joined} FROM {views.table(REFS)} AS r "
            f"WHERE r.id = t.id AND r.day = t.day AND r.known_from <= {known} "
            f"AND (r.known_to IS NULL OR r.known_to > {known})) END"
        )
        params = [*known_params * 3, *params]
    rows = views.rows(
        f"SELECT t.day, {text} FROM {views.table(PATHS)} AS k "
        f"JOIN {views.table(DAYREFS)} AS t ON t.id = k.id "
        f"WHERE k.negotiation={p} AND k.proposal={p} "
        f"AND t.day >= {p} AND t.day <= {p} ORDER BY t.day",
        *params,
    )
    wanted = {ordinal(step["on"]) for step in path}
    return {day_text(day): refs for day, refs in rows if refs and day in wanted}


# Why SQLite's group_concat joins a day's refs in position order (here and
# where `refs.py` makes the texts): the only index on summit_refs is its key
# (id, day, position, known_from), id and day are fixed, so the search
# meets the rows in position order and the aggregate takes them as it
# meets them. tests/cli/test_consensus_days.py checks the plan (a search
# along the key, no temporary B-tree) and the refs against the fold.


def _known_from_opening(
    views: Any, negotiation: str, known_at: datetime
) -> tuple[str, list[Any]]:
    """`known_at` as the day and ref rows keep their instants: counted from
    the negotiation's opening (its first fact's recorded_us), as SQL and its
    parameters."""
    from projections.tables.schema import micros

    p = views.placeholder
    opened = (
        f"(SELECT recorded_us FROM {views.table(FACTS)} "
        f"WHERE negotiation={p} ORDER BY position LIMIT 1)"
    )
    return f"({p} - {opened})", [micros(known_at), negotiation]
