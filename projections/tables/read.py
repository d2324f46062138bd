"""Queries on the views, the same SQL for every backend's reader.

A reader has `placeholder`, `facts` (the facts table joined with the log's
rows, `schema.facts_source`),
`table(name)` and `rows(sql, *params)`; see `sqlite.py` and `postgres.py`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from projections.log import LogEntry
from projections.tables.schema import (
    EVIDENCE,
    PLEDGES,
    READ_COLUMNS,
    SPENDING,
    TARGETS,
    entry_of,
    micros,
)


class ReadOnlyStore(Exception):
    """The views are behind and this user cannot write them: fold the log instead."""


def _facts(
    views: Any, columns: str, conditions: Iterable[tuple[str, Any]], tail: str = ""
) -> list[tuple[Any, ...]]:
    """Rows of the facts table that meet every condition whose value is not None."""
    kept = [(test, value) for test, value in conditions if value is not None]
    where = " AND ".join(f"{test}{views.placeholder}" for test, _ in kept)
    sql = f"SELECT {columns} FROM {views.facts} WHERE {where}{tail}"
    rows: list[tuple[Any, ...]] = views.rows(sql, *(value for _, value in kept))
    return rows


def read_facts(
    views: Any, negotiation: str, known_at: datetime | None = None
) -> Iterator[LogEntry]:
    """A negotiation's rows in recording order, as known at `known_at`."""
    cut = micros(known_at) if known_at is not None else None
    conditions = (("negotiation=", negotiation), ("recorded_us <= ", cut))
    for row in _facts(views, READ_COLUMNS, conditions, " ORDER BY position"):
        yield entry_of(row)


def inputs_from_tables(
    views: Any,
    negotiation: str,
    proposal: str | None,
    as_of: str | None,
    *,
    stances_only: bool = False,
) -> Any:
    """Stance and consensus inputs read from the derived tables (no known_at).

    With `stances_only` (the stance view), each party's stance is one indexed
    lookup of its latest evidence row as of `as_of` (which carries `since`),
    and no evidence list is read: the cost does not grow with history.
    """
    from domain.book import expand_parties
    from projections.inputs import Evidence, Inputs, Pledge, choose_proposal

    p = views.placeholder
    record = opening_of(views, negotiation)
    tabled = views.rows(
        f"SELECT DISTINCT proposal FROM {views.table(TARGETS)} "
        f"WHERE negotiation={p} AND kind='proposal.tabled'",
        negotiation,
    )
    proposal = choose_proposal(negotiation, proposal, [r[0] for r in tabled])
    cut = f" AND occurred_on <= {p}" if as_of is not None else ""
    extra = (as_of,) if as_of is not None else ()
    latest = views.rows(
        f"SELECT targets FROM {views.table(TARGETS)} WHERE negotiation={p} "
        f"AND proposal={p}{cut} ORDER BY occurred_on DESC, position DESC LIMIT 1",
        negotiation,
        proposal,
        *extra,
    )
    parties = expand_parties(record)
    stances = (
        {
            party: stance_of(views, negotiation, proposal, party, as_of)
            for party in parties
        }
        if stances_only
        else None
    )
    evidence = (
        []
        if stances_only
        else [
            Evidence(*row)
            for row in views.rows(
                "SELECT party, stance, conditions, ref, occurred_on, position "
                f"FROM {views.table(EVIDENCE)} WHERE negotiation={p} AND proposal={p}"
                f"{cut} ORDER BY occurred_on, position, party",
                negotiation,
                proposal,
                *extra,
            )
        ]
    )
    pledges = [
        Pledge(*row)
        for row in views.rows(
            "SELECT party, metric, by_year, pct_gdp, firmness, ref, occurred_on, "
            f"position FROM {views.table(PLEDGES)} WHERE negotiation={p}{cut} "
            "ORDER BY occurred_on, position",
            negotiation,
            *extra,
        )
    ]
    return Inputs(
        negotiation=negotiation,
        proposal=proposal,
        parties=parties,
        rule=record["rule"],
        targets=json.loads(latest[0][0]) if latest else [],
        evidence=evidence,
        pledges=pledges,
        stances=stances,
    )


def stance_of(
    views: Any, negotiation: str, proposal: str, party: str, as_of: str | None
) -> dict[str, Any]:
    """One party's stance row (rule 4) as of `as_of`: its latest evidence row."""
    from domain.vocabulary import UNKNOWN

    p = views.placeholder
    cut = f" AND occurred_on <= {p}" if as_of is not None else ""
    extra = (as_of,) if as_of is not None else ()
    found = views.rows(
        f"SELECT stance, since, ref, conditions FROM {views.table(EVIDENCE)} "
        f"WHERE negotiation={p} AND proposal={p} AND party={p}{cut} "
        "ORDER BY occurred_on DESC, position DESC LIMIT 1",
        negotiation,
        proposal,
        party,
        *extra,
    )
    if not found:
        return {"stance": UNKNOWN, "since": None, "evidence": None, "conditions": None}
    stance, since, ref, conditions = found[0]
    return {"stance": stance, "since": since, "evidence": ref, "conditions": conditions}


def opening_of(views: Any, negotiation: str) -> dict[str, Any]:
    """The negotiation's `negotiation.opened` record (NotFound when absent)."""
    from domain.errors import NotFound
    from domain.stored import state_json

    opening = views.rows(
        f"SELECT state FROM {views.facts} WHERE negotiation={views.placeholder} "
        "AND version=1",
        negotiation,
    )
    if not opening:
        raise NotFound(f"negotiation '{negotiation}' is not in this store")
    record: dict[str, Any] = state_json(opening[0][0])["record"]
    return record


def figures_from_tables(
    views: Any, negotiation: str, as_of: str | None
) -> tuple[list[str], list[Any]]:
    """(parties, reported figures as of `as_of`) read from the derived tables."""
    from datetime import date

    from domain.book import expand_parties
    from projections.delivery import Figure

    parties = expand_parties(opening_of(views, negotiation))
    p = views.placeholder
    cut = f" AND occurred_on <= {p}" if as_of is not None else ""
    extra = (as_of,) if as_of is not None else ()
    rows = views.rows(
        "SELECT party, metric, year, pct_gdp, basis, ref, occurred_on, position "
        f"FROM {views.table(SPENDING)} WHERE negotiation={p}{cut}",
        negotiation,
        *extra,
    )
    figures = [
        Figure(a, m, y, pct, basis, ref, date.fromisoformat(on), pos)
        for a, m, y, pct, basis, ref, on, pos in rows
    ]
    return parties, figures


def negotiations_holding(
    views: Any, ref: str, negotiation: str | None = None
) -> list[str]:
    """Slugs of the negotiations with an event of this ref."""
    conditions = (("ref=", ref), ("negotiation=", negotiation))
    return sorted(r[0] for r in _facts(views, "DISTINCT negotiation", conditions))


def negotiation_slugs(views: Any) -> list[str]:
    """Slugs of every negotiation in the views, in opening order."""
    rows = views.rows(
        f"SELECT negotiation FROM {views.facts} WHERE version=1 ORDER BY position"
    )
    return [r[0] for r in rows]
