"""The `summit delivery` and `summit spending` documents (SPEC §4), from their inputs.

The figures come from a fold over a negotiation's history (any `known_at`) or
from the persisted `summit_spending` table; both give `delivery.Figure`s of
the unretracted `spending.reported` events, corrections applied, that
occurred (were published) on or before `as_of`. Rules 7–8 are in
`projections/delivery.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from domain.registry import name_of
from domain.vocabulary import SPENDING
from projections.delivery import (
    Figure,
    Number,
    Pledge,
    Target,
    ally_delivery,
    figures_of,
    latest_figures,
    spending_for_year,
    summary,
)
from projections.exact import written
from projections.filters import check_allies
from projections.inputs import Inputs, view_head
from projections.stance import latest_pledges, pledges_by_party


def figure_of(ref: str, record: dict[str, Any], position: int) -> Figure:
    """The Figure of one `spending.reported` record (its share as written)."""
    return Figure(
        actor=record["actor"],
        metric=record["metric"],
        year=record["year"],
        pct_gdp=str(record["pct_gdp"]),
        basis=record["basis"],
        ref=ref,
        occurred_on=date.fromisoformat(record["occurred_on"]),
        position=position,
    )


def figures_from_history(history: Any, as_of: str | None) -> list[Figure]:
    """The figures that exist in a history's view as of `as_of`."""
    return [
        figure_of(f.ref, f.record, f.position)
        for f in history.live(as_of)
        if f.type == SPENDING
    ]


def delivery_from(
    inputs: Inputs,
    figures: Iterable[Figure],
    *,
    as_of: str | None = None,
    known_at: str | None = None,
    allies: Sequence[str] = (),
) -> dict[str, Any]:
    """The `summit delivery` JSON document (SPEC §4, rules 7–8)."""
    check_allies(allies, inputs.parties, inputs.negotiation)
    latest = latest_figures(figures)
    targets = [Target(t["metric"], t["pct_gdp"], t["by_year"]) for t in inputs.targets]
    shown: list[dict[str, Any]] = []
    by_party = pledges_by_party(inputs.pledges)
    for code in inputs.parties:
        if allies and code not in allies:
            continue
        pledges = [
            Pledge(p.metric, p.pct_gdp, p.by_year, p.firmness, p.ref)
            for _, p in sorted(latest_pledges(code, by_party.get(code, [])).items())
        ]
        shown.append(
            {
                "ally": code,
                "name": name_of(code),
                **ally_delivery(figures_of(code, latest), targets, pledges),
            }
        )
    return {
        **view_head(inputs, as_of, known_at),
        "summary": summary(inputs.parties, latest, targets),
        "allies": shown,
    }


def spending_from(
    negotiation: str,
    parties: Sequence[str],
    figures: Iterable[Figure],
    *,
    year: int,
    metric: str = "total",
    below: Number | None = None,
    as_of: str | None = None,
    known_at: str | None = None,
) -> dict[str, Any]:
    """The `summit spending` JSON document (SPEC §4): one year's figures of record."""
    answer = spending_for_year(
        parties, latest_figures(figures), year, metric, below, name_of
    )
    return {
        "negotiation": negotiation,
        "year": year,
        "metric": metric,
        "as_of": as_of,
        "known_at": known_at,
        "below": None if below is None else written(below),
        **answer,
    }
