"""Promised versus spent: reported spending and delivery (SPEC §3 rules 7–8).

Pure rules, no I/O: the caller hands in the `spending.reported` figures that
exist in the view it answers for (its `as_of` / `known_at` cut, retractions
and corrections already applied), the proposal's targets (rule 3) and each
party's latest pledges (rule 5). This module picks the figure of record for
every (actor, metric, year) (rule 7) and builds the JSON pieces of
`summit delivery` and `summit spending` (SPEC §4).

Numbers are kept as written (the text of a JSON number, or its float),
never used as binary floats: all arithmetic is decimal on the numbers as
written, as Python's `decimal` does it in its default context (28
significant digits), rounded once, at the end, to 2 places, halves up; it
runs in integers (`projections/exact.py`, held equal to `decimal` by
property tests) so that a query does not load `decimal`. Derived numbers
come out as JSON numbers the way the stance view renders `gap_pp` (an int
when integral, else a float); figures and targets are echoed as written
(`2.0` stays `2.0`, `2` stays `2`).

Readings of SPEC fixed here (see the README's delivery notes):

- "gap 0" in the status and in `required_pp_per_year` is the rounded
  `gap_pp` reported beside it, so a row never shows `gap_pp` 0 without `met`.
- Halves are rounded away from zero (`ROUND_HALF_UP`), also for a falling
  trend: -0.505 becomes -0.51.
- The trend window counts only years <= `reported_year`, so a figure for a
  year after the target year never enters a target's delivery.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from operator import attrgetter
from typing import Any

from domain.vocabulary import DELIVERY_STATUSES
from projections.exact import (
    Exact,
    cents,
    cents_json,
    compare,
    divide,
    exact,
    subtract,
)
from projections.exact import written as as_written

Number = str | float
"""A share of GDP as written: the JSON text of the number, or its float."""

STATUSES = DELIVERY_STATUSES
"""The six delivery statuses, in the order of SPEC's `summary.counts`."""

TREND_WINDOW = 3
"""Rule 8: the trend looks back this many years before `reported_year`."""

_METRIC_YEAR = attrgetter("metric", "by_year")


# Plain classes with slots: a NamedTuple costs a query's start 0.6M
# instructions to make (its __new__ is compiled from text); nothing here needs
# them to be tuples.
class Figure:
    """One `spending.reported` that exists in the view being answered."""

    __slots__ = (
        "actor",
        "basis",
        "metric",
        "occurred_on",
        "pct_gdp",
        "position",
        "ref",
        "year",
    )

    def __init__(
        self,
        actor: str,
        metric: str,
        year: int,
        pct_gdp: Number,
        basis: str,
        ref: str,
        occurred_on: date,
        position: int,
    ) -> None:
        self.actor = actor
        self.metric = metric
        self.year = year
        self.pct_gdp = pct_gdp
        self.basis = basis
        self.ref = ref
        self.occurred_on = occurred_on
        self.position = position


class Target:
    """One target of the proposal as of the view's date (rule 3)."""

    __slots__ = ("by_year", "metric", "pct_gdp")

    def __init__(self, metric: str, pct_gdp: Number, by_year: int) -> None:
        self.metric = metric
        self.pct_gdp = pct_gdp
        self.by_year = by_year


class Pledge:
    """One of a party's latest pledges (rule 5)."""

    __slots__ = ("by_year", "firmness", "metric", "pct_gdp", "ref")

    def __init__(
        self, metric: str, pct_gdp: Number, by_year: int, firmness: str, ref: str
    ) -> None:
        self.metric = metric
        self.pct_gdp = pct_gdp
        self.by_year = by_year
        self.firmness = firmness
        self.ref = ref


FigureKey = tuple[str, str, int]
"""(actor, metric, year)."""

PartyFigures = Mapping[tuple[str, int], Figure]
"""One party's figures of record, by (metric, year)."""


# Rule 7


def latest_figures(figures: Iterable[Figure]) -> dict[FigureKey, Figure]:
    """Rule 7: the figure of record per (actor, metric, year).

    The latest by rule 2 (`occurred_on`, then recording `position`) wins, so a
    later estimate or the final actual supersedes an earlier vintage.
    """
    latest: dict[FigureKey, Figure] = {}
    for f in figures:
        key = (f.actor, f.metric, f.year)
        held = latest.get(key)
        if held is None or (f.occurred_on, f.position) > (
            held.occurred_on,
            held.position,
        ):
            latest[key] = f
    return latest


def figures_of(
    actor: str, latest: Mapping[FigureKey, Figure]
) -> dict[tuple[str, int], Figure]:
    """One party's figures of record (from `latest_figures`), by (metric, year)."""
    return {(m, y): f for (a, m, y), f in latest.items() if a == actor}


def spending_entries(figures: PartyFigures) -> list[dict[str, Any]]:
    """SPEC §4 `spending`: one entry per metric and year, by metric then year."""
    return [
        {
            "metric": f.metric,
            "year": f.year,
            "pct_gdp": as_written(f.pct_gdp),
            "basis": f.basis,
            "ref": f.ref,
        }
        for _, f in sorted(figures.items())
    ]


# Rule 8


def _trend(figures: PartyFigures, metric: str, year: int) -> Exact | None:
    """Change per year from the earliest figure in [year - 3, year] to `year`'s."""
    window = [
        y for (m, y) in figures if m == metric and year - TREND_WINDOW <= y <= year
    ]
    if len(window) < 2:
        return None
    first = min(window)
    change = subtract(
        exact(figures[(metric, year)].pct_gdp), exact(figures[(metric, first)].pct_gdp)
    )
    return divide(change, year - first)


def _status(
    gap: int, reported_year: int, by_year: int, trend: int | None, required: int | None
) -> str:
    """Rule 8's status for a party with a figure (the first that applies), from
    the gap, trend and required slope in (rounded) hundredths."""
    if gap == 0:
        return "met"
    if reported_year == by_year:
        return "missed"
    if trend is None or required is None:
        return "insufficient_data"
    return "on_track" if trend >= required else "off_track"


def delivery_entry(figures: PartyFigures, target: Target) -> dict[str, Any]:
    """Rule 8: one party's delivery against one target, as SPEC's `delivery` entry.

    `figures` are the party's figures of record (`figures_of`).
    """
    entry: dict[str, Any] = {
        "metric": target.metric,
        "target_pct": as_written(target.pct_gdp),
        "by_year": target.by_year,
        "reported_year": None,
        "reported_pct": None,
        "basis": None,
        "ref": None,
        "gap_pp": None,
        "trend_pp_per_year": None,
        "required_pp_per_year": None,
        "status": "no_data",
    }
    years = [y for (m, y) in figures if m == target.metric and y <= target.by_year]
    if not years:
        return entry
    year = max(years)
    figure = figures[(target.metric, year)]
    short = subtract(exact(target.pct_gdp), exact(figure.pct_gdp))
    gap = cents(short) if short[0] > 0 else 0
    slope = _trend(figures, target.metric, year)
    trend = None if slope is None else cents(slope)
    required: int | None = None
    if gap == 0:
        required = 0
    elif target.by_year > year:
        required = cents(divide(short, target.by_year - year))
    entry.update(
        reported_year=year,
        reported_pct=as_written(figure.pct_gdp),
        basis=figure.basis,
        ref=figure.ref,
        gap_pp=cents_json(gap),
        trend_pp_per_year=None if trend is None else cents_json(trend),
        required_pp_per_year=None if required is None else cents_json(required),
        status=_status(gap, year, target.by_year, trend, required),
    )
    return entry


def pledge_entry(figures: PartyFigures, pledge: Pledge) -> dict[str, Any]:
    """Rule 8: a pledge against the figure for exactly its metric and `by_year`.

    `kept` at or above the pledged share, `broken` below it, `pending` with no
    figure for that year.
    """
    figure = figures.get((pledge.metric, pledge.by_year))
    if figure is None:
        status = "pending"
    elif compare(exact(figure.pct_gdp), exact(pledge.pct_gdp)) >= 0:
        status = "kept"
    else:
        status = "broken"
    return {
        "metric": pledge.metric,
        "pct_gdp": as_written(pledge.pct_gdp),
        "by_year": pledge.by_year,
        "firmness": pledge.firmness,
        "ref": pledge.ref,
        "reported_pct": None if figure is None else as_written(figure.pct_gdp),
        "status": status,
    }


def ally_delivery(
    figures: PartyFigures, targets: Iterable[Target], pledges: Iterable[Pledge]
) -> dict[str, list[dict[str, Any]]]:
    """SPEC §4's `spending`, `delivery` (target order) and `pledges` of one ally.

    Pledges come out by metric then `by_year`.
    """
    return {
        "spending": spending_entries(figures),
        "delivery": [delivery_entry(figures, t) for t in targets],
        "pledges": [
            pledge_entry(figures, p) for p in sorted(pledges, key=_METRIC_YEAR)
        ],
    }


def summary(
    parties: Iterable[str],
    latest: Mapping[FigureKey, Figure],
    targets: Iterable[Target],
) -> list[dict[str, Any]]:
    """SPEC §4 `summary`: per target, how many parties are in each status.

    Every party counts (whatever `--ally` selects); all six statuses appear.
    """
    grouped: dict[str, dict[tuple[str, int], Figure]] = {}
    for (actor, metric, year), f in latest.items():
        grouped.setdefault(actor, {})[(metric, year)] = f
    by_party = [grouped.get(code, {}) for code in parties]
    rows = []
    for t in targets:
        counts = dict.fromkeys(STATUSES, 0)
        for figures in by_party:
            counts[delivery_entry(figures, t)["status"]] += 1
        rows.append(
            {
                "metric": t.metric,
                "target_pct": as_written(t.pct_gdp),
                "by_year": t.by_year,
                "counts": counts,
            }
        )
    return rows


# `summit spending`


def spending_for_year(
    parties: Iterable[str],
    latest: Mapping[FigureKey, Figure],
    year: int,
    metric: str = "total",
    below: Number | None = None,
    name_of: Callable[[str], str] = str,
) -> dict[str, Any]:
    """The `allies` and `no_data` of `summit spending` (SPEC §4), both by code.

    `allies`: the parties' figures of record for `metric` and `year`, only
    those strictly under `below` when it is given. `no_data`: every party
    without such a figure, whatever `below` is.
    """
    allies = []
    no_data = []
    limit = None if below is None else exact(below)
    for code in sorted(parties):
        figure = latest.get((code, metric, year))
        if figure is None:
            no_data.append(code)
        elif limit is None or compare(exact(figure.pct_gdp), limit) < 0:
            allies.append(
                {
                    "ally": code,
                    "name": name_of(code),
                    "pct_gdp": as_written(figure.pct_gdp),
                    "basis": figure.basis,
                    "ref": figure.ref,
                }
            )
    return {"allies": allies, "no_data": no_data}
