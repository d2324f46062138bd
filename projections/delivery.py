"""Promised versus spent: reported spending and delivery (SPEC §3 rules 7–8).

Pure rules, no I/O: the caller hands in the `spending.reported` figures that
exist in the view it answers for (its `as_of` / `known_at` cut, retractions
and corrections already applied), the proposal's targets (rule 3) and each
party's latest pledges (rule 5). This module picks the figure of record for
every (actor, metric, year) (rule 7) and builds the JSON pieces of
`summit delivery` and `summit spending` (SPEC §4).

Numbers are `Decimal`s or the text they were written as, never floats: all
arithmetic runs in decimal with Python's default context (28 significant
digits) and is rounded once, at the end, to 2 places, halves up. Derived
numbers come out as JSON numbers the way the stance view renders `gap_pp`
(an int when integral, else a float); figures and targets are echoed as
written (`2.0` stays `2.0`, `2` stays `2`).

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
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from typing import Any, NamedTuple

from domain.vocabulary import DELIVERY_STATUSES

Number = Decimal | str
"""A share of GDP as written: a Decimal, or the JSON text of the number."""

STATUSES = DELIVERY_STATUSES
"""The six delivery statuses, in the order of SPEC's `summary.counts`."""

TREND_WINDOW = 3
"""Rule 8: the trend looks back this many years before `reported_year`."""

# Python's default decimal context, pinned so that nobody's local context
# changes an answer.
_CTX = Context(prec=28, rounding=ROUND_HALF_EVEN, Emin=-999999, Emax=999999)
_CENT = Decimal("0.01")


class Figure(NamedTuple):
    """One `spending.reported` that exists in the view being answered."""

    actor: str
    metric: str
    year: int
    pct_gdp: Number
    basis: str
    ref: str
    occurred_on: date
    position: int


class Target(NamedTuple):
    """One target of the proposal as of the view's date (rule 3)."""

    metric: str
    pct_gdp: Number
    by_year: int


class Pledge(NamedTuple):
    """One of a party's latest pledges (rule 5)."""

    metric: str
    pct_gdp: Number
    by_year: int
    firmness: str
    ref: str


FigureKey = tuple[str, str, int]
"""(actor, metric, year)."""

PartyFigures = Mapping[tuple[str, int], Figure]
"""One party's figures of record, by (metric, year)."""


def dec(value: Number) -> Decimal:
    """The exact Decimal of a number as written (never via a binary float)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def round2(value: Decimal) -> Decimal:
    """Rounded to 2 places, halves up (away from zero)."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP, context=_CTX)


def as_json(value: Decimal) -> int | float:
    """A derived number as the stance view renders `gap_pp`: int when integral."""
    if value == value.to_integral_value() and abs(value) < 10**15:
        return int(value)
    return float(value)


def as_written(value: Number) -> int | float:
    """A figure or target echoed as written: `2` as 2, `2.0` and `2.33` as floats."""
    d = dec(value)
    exponent = d.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= 0 and abs(d) < 10**15:
        return int(d)
    return float(d)


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


def _trend(figures: PartyFigures, metric: str, year: int) -> Decimal | None:
    """Change per year from the earliest figure in [year - 3, year] to `year`'s."""
    window = [
        y for (m, y) in figures if m == metric and year - TREND_WINDOW <= y <= year
    ]
    if len(window) < 2:
        return None
    first = min(window)
    change = _CTX.subtract(
        dec(figures[(metric, year)].pct_gdp), dec(figures[(metric, first)].pct_gdp)
    )
    return _CTX.divide(change, Decimal(year - first))


def _status(
    gap: Decimal,
    reported_year: int,
    by_year: int,
    trend: Decimal | None,
    required: Decimal | None,
) -> str:
    """Rule 8's status for a party with a figure (the first that applies)."""
    if gap == 0:
        return "met"
    if reported_year == by_year:
        return "missed"
    if trend is None or required is None:
        return "insufficient_data"
    return "on_track" if round2(trend) >= round2(required) else "off_track"


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
    short = _CTX.subtract(dec(target.pct_gdp), dec(figure.pct_gdp))
    gap = round2(max(Decimal(0), short))
    trend = _trend(figures, target.metric, year)
    required: Decimal | None = None
    if gap == 0:
        required = Decimal(0)
    elif target.by_year > year:
        required = _CTX.divide(short, Decimal(target.by_year - year))
    entry.update(
        reported_year=year,
        reported_pct=as_written(figure.pct_gdp),
        basis=figure.basis,
        ref=figure.ref,
        gap_pp=as_json(gap),
        trend_pp_per_year=None if trend is None else as_json(round2(trend)),
        required_pp_per_year=None if required is None else as_json(round2(required)),
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
    elif dec(figure.pct_gdp) >= dec(pledge.pct_gdp):
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
            pledge_entry(figures, p)
            for p in sorted(pledges, key=lambda p: (p.metric, p.by_year))
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
    for code in sorted(parties):
        figure = latest.get((code, metric, year))
        if figure is None:
            no_data.append(code)
        elif below is None or dec(figure.pct_gdp) < dec(below):
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
