"""The reference for delivery's arithmetic: rule 8 in `decimal`, as
projections/delivery.py computed it before it moved to integers
(`projections/exact.py`). Not on any query's path; the property tests in
test_exact_arithmetic.py hold the two equal."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from typing import Any

from projections.delivery import (
    Figure,
    FigureKey,
    Number,
    PartyFigures,
    Pledge,
    Target,
)

TREND_WINDOW = 3

# Python's default decimal context, pinned so that nobody's local context
# changes an answer.
_CTX = Context(prec=28, rounding=ROUND_HALF_EVEN, Emin=-999999, Emax=999999)
_CENT = Decimal("0.01")


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
