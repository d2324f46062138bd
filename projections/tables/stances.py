"""Each party's stance on a proposal (rule 4), read by indexed seeks.

Every seek is on the evidence table's (negotiation, proposal, party, stance,
occurred_on, position) index, so the cost does not grow with history; the
seeks of all parties go to the database as two statements (not five per
party: on PostgreSQL each statement is a round trip).
"""

from __future__ import annotations

from typing import Any

from projections.tables.schema import EVIDENCE

# `cut` below is a `read.Cut` (a WHERE tail and its parameters; not imported:
# read.py imports this module).


def stances_of(
    views: Any, negotiation: str, proposal: str, parties: list[str], cut: Any
) -> dict[str, dict[str, Any]]:
    """Each party's stance row in the rows `cut` (on the alias `q`) sees: its
    latest row of each
    stance (the latest of those gives the stance, evidence and conditions;
    the latest of the others, where the current run began), then the first
    row of the current stance after that, whose date is `since`."""
    from domain.vocabulary import UNKNOWN

    found: dict[str, dict[tuple[str, int], tuple[Any, ...]]] = {}
    for party, stance, on, position, ref, conditions in _latest_of_each(
        views, negotiation, proposal, parties, cut
    ):
        found.setdefault(party, {})[(on, position)] = (stance, ref, conditions)
    runs = {}  # party -> (stance, ref, conditions, run began after (on, position))
    for party, latest in found.items():
        stance, ref, conditions = latest.pop(max(latest))
        # With no other stance the run is the whole history: after ('', -1),
        # as every row's occurred_on is a non-empty date.
        runs[party] = (stance, ref, conditions, max(latest) if latest else ("", -1))
    since = _first_after(views, negotiation, proposal, runs, cut)
    unknown = (UNKNOWN, None, None, None)
    view = {}
    for party in parties:
        stance, ref, conditions, _ = runs.get(party, unknown)
        view[party] = {
            "stance": stance,
            "since": since.get(party),
            "evidence": ref,
            "conditions": conditions,
        }
    return view


def _values(views: Any, rows: list[tuple[Any, ...]], names: str) -> str:
    """A common table expression `name(columns)` of literal rows (as parameters)."""
    p = views.placeholder
    width = len(rows[0])
    row = "(" + ", ".join([p] * width) + ")"
    return f"{names} AS (VALUES {', '.join([row] * len(rows))})"


def _latest_of_each(
    views: Any, negotiation: str, proposal: str, parties: list[str], cut: Any
) -> list[tuple[Any, ...]]:
    """(party, stance, occurred_on, position, ref, conditions) of each party's
    latest visible row of each stance, one seek per (party, stance)."""
    from domain.vocabulary import STANCES

    if not parties:
        return []
    p = views.placeholder
    name = views.table(EVIDENCE)
    pairs = [(party, stance) for party in parties for stance in STANCES]
    latest = (
        f"FROM {name} AS q WHERE q.negotiation={p} AND q.proposal={p} "
        f"AND q.party = s.party AND q.stance = s.stance{cut.sql} "
        "ORDER BY q.occurred_on DESC, q.position DESC LIMIT 1"
    )
    columns = "e.occurred_on, e.position, e.ref, e.conditions"
    if views.row_id is None:  # PostgreSQL: LATERAL
        body = f"CROSS JOIN LATERAL (SELECT q.* {latest}) AS e"
    else:  # SQLite: joined by rowid (one seek, then the row)
        body = (
            f"JOIN {name} AS e ON e.{views.row_id} = (SELECT q.{views.row_id} {latest})"
        )
    sql = (
        f"WITH {_values(views, pairs, 's(party, stance)')} "
        f"SELECT s.party, s.stance, {columns} FROM s {body}"
    )
    params = [value for pair in pairs for value in pair]
    return list(views.rows(sql, *params, negotiation, proposal, *cut.params))


def _first_after(
    views: Any,
    negotiation: str,
    proposal: str,
    runs: dict[str, tuple[Any, ...]],
    cut: Any,
) -> dict[str, str]:
    """Each party's first visible row of its current stance after the given
    (occurred_on, position): the date its run began (`since`)."""
    if not runs:
        return {}
    p = views.placeholder
    name = views.table(EVIDENCE)
    starts = [(party, run[0], *run[3]) for party, run in runs.items()]
    # A range on the index's occurred_on (an OR alone would scan).
    sql = (
        f"WITH {_values(views, starts, 's(party, stance, after_on, after_pos)')} "
        f"SELECT s.party, (SELECT q.occurred_on FROM {name} AS q "
        f"WHERE q.negotiation={p} AND q.proposal={p} AND q.party = s.party "
        "AND q.stance = s.stance AND q.occurred_on >= s.after_on "
        f"AND (q.occurred_on > s.after_on OR q.position > s.after_pos){cut.sql} "
        "ORDER BY q.occurred_on, q.position LIMIT 1) FROM s"
    )
    params = [value for start in starts for value in start]
    rows = views.rows(sql, *params, negotiation, proposal, *cut.params)
    return {party: on for party, on in rows}
