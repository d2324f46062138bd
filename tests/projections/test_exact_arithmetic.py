"""Delivery's arithmetic in integers (`projections/exact.py`) equals the same
arithmetic in `decimal` (SPEC rule 8: decimal on the numbers as written, the
default context's 28 digits, then 2 places halves up), for any numbers:
each operation, and whole delivery rows against the decimal reference
(`decimal_delivery.py`, the module as it was before)."""

from __future__ import annotations

import json
from datetime import date
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_HALF_UP, Context, Decimal
from itertools import count
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from projections import delivery
from projections.delivery import Figure, Pledge, Target, figures_of, latest_figures
from projections.exact import (
    Exact,
    cents,
    cents_json,
    compare,
    digits,
    divide,
    exact,
    subtract,
    written,
)
from tests.projections import decimal_delivery as reference
from tests.projections.decimal_delivery import _CTX, dec, round2

# Numbers as they reach delivery: a float (a JSON number, its repr), an int,
# or the text of a number (str(float), a table's text, a `--below`).
floats = st.one_of(
    st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=0, max_value=100, places=3).map(float),
    st.sampled_from([-0.0, 5e-324, 1e-30, 1e-05, 1e16, 1 / 3, 2 / 3, 1.005, 0.015]),
)
long_texts = st.builds(  # past 28 digits, tiny and large: the context rounds
    lambda n, e: f"{n}E{e}",
    st.integers(min_value=0, max_value=10**36),
    st.integers(min_value=-60, max_value=4),
)
texts = st.one_of(
    st.decimals(min_value=0, max_value=100, places=2).map(str),
    st.decimals(min_value=0, max_value=100, places=4).map(str),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    long_texts,
    st.sampled_from(["2", "2.0", "2.50", "1E+1", "0E-8", "-0", "-0.0", "+2", ".5"]),
    st.sampled_from(
        [" 2.5 ", "5.", "1_0.0_5", "1e-999999", "1" * 4400, "0." + "9" * 4400]
    ),
)
numbers = st.one_of(floats, st.integers(min_value=0, max_value=100), texts)


_WIDE = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


def _eq(a: Exact, d: Decimal) -> bool:
    """An Exact is the number a Decimal holds (compared exactly)."""
    return Decimal(a[0]).scaleb(a[1], context=_WIDE) == d


@given(numbers)
@example(1.005)
@example("1" * 4400)  # longer than int() takes in one go
def test_a_number_is_read_exactly_as_decimal_reads_it(x: Any) -> None:
    assert _eq(exact(x), dec(x))


@given(numbers, numbers)
@example("1e-999999", 0.5)  # exponents far apart: compared without 10**999999
@example("-0", 0.0)
@example("0." + "9" * 4400, 1)
def test_comparison_is_decimals(a: Any, b: Any) -> None:
    x, y = dec(a), dec(b)
    assert compare(exact(a), exact(b)) == (x > y) - (x < y)


@given(st.one_of(floats, st.integers(min_value=0, max_value=100), long_texts))
def test_digits_counts_the_coefficient(x: Any) -> None:
    n = exact(x)[0]
    assert digits(n) == (len(str(abs(n))) if n else 0)


@given(
    st.one_of(floats, st.integers(0, 100), long_texts),
    st.one_of(floats, st.integers(0, 100), long_texts),
)
@example("1.0099999999999999999999999999", 1)  # 28 digits: exact
@example("1E+20", "1E-30")  # 51 digits: rounded to 28
@example("0.015", 1e-30)  # 0.01499…9 (29 nines) rounds to 0.015 at 28 digits
def test_subtraction_is_the_default_contexts(a: Any, b: Any) -> None:
    assert _eq(subtract(exact(a), exact(b)), _CTX.subtract(dec(a), dec(b)))


@given(
    st.one_of(floats, st.integers(0, 100), long_texts),
    st.integers(min_value=1, max_value=40),
)
@example("0.00" + "9" * 28, 2)  # 0.00499…95: 29 digits
@example("1", 3)  # repeating: rounded to 28 digits
@example("2", 3)  # …6667, rounded up
@example("0.5", 8)  # exact: 0.0625
def test_division_is_the_default_contexts(a: Any, k: int) -> None:
    assert _eq(divide(exact(a), k), _CTX.divide(dec(a), Decimal(k)))


@given(st.one_of(floats, st.integers(0, 100), long_texts, texts))
@example("0.005")
@example("-0.005")  # halves away from zero
@example("0.0049999999999999999999999999999")
def test_hundredths_are_quantize_half_up(a: Any) -> None:
    d = dec(a)
    if abs(d) >= Decimal("1E26"):  # more than 28 digits in hundredths
        with pytest.raises(ArithmeticError):
            round2(d)
        with pytest.raises(ArithmeticError):
            cents(exact(a))
        return
    c = cents(exact(a))
    assert Decimal(c).scaleb(-2) == round2(d)
    got, want = cents_json(c), reference.as_json(round2(d))
    assert (type(got), got, json.dumps(got)) == (type(want), want, json.dumps(want))


@given(numbers)
@example(-0.0)
@example("-0.0")
@example("1E+1")
@example("0E+999999")
@example(10**15)
@example("1e-999999")
def test_a_number_is_echoed_as_written_as_decimal_does(x: Any) -> None:
    got, want = written(x), reference.as_written(x)
    assert (type(got), json.dumps(got)) == (type(want), json.dumps(want))


# Double rounding: a division is rounded to 28 digits first, then to 2 places.


def test_a_required_slope_is_rounded_twice_as_decimal_rounds_it() -> None:
    # 0.0099…9 (28 nines) / 2 = 0.00499…95 (29 digits): to 28 digits that
    # is 0.005000…, then 0.01 halves up; the quotient itself rounds to 0.00.
    short = "0.00" + "9" * 28
    quotient = _WIDE.divide(Decimal(short), Decimal(2))
    assert quotient.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) == 0
    assert cents(divide(exact(short), 2)) == 1
    target = Target("total", "1.00" + "9" * 28, 2027)
    row = deliver(target, {2025: "1"})
    assert (row["gap_pp"], row["required_pp_per_year"]) == (0.01, 0.01)
    assert row == deliver(target, {2025: "1"}, reference.delivery_entry)


def test_a_trend_is_rounded_twice_as_decimal_rounds_it() -> None:
    # (2.00999…9 - 2) / 2 over two years: 0.00499…95, to 28 digits 0.005.
    target = Target("total", "5", 2035)
    figures = {2022: "2", 2024: "2.00" + "9" * 28}
    row = deliver(target, figures)
    assert row["trend_pp_per_year"] == 0.01
    assert row == deliver(target, figures, reference.delivery_entry)


@given(
    st.integers(min_value=-1000, max_value=1000),
    st.integers(min_value=1, max_value=40),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.integers(min_value=24, max_value=36),
)
@example(142, 4, -655, 30)  # 5.699…9 / 4: 1.43 rounded twice, 1.42 once
@example(-297, 27, 630, 29)  # -80.05499…9 / 27: -2.97 twice, -2.96 once
def test_near_a_half_hundredth_both_roundings_are_decimals(
    c: int, k: int, nudge: int, places: int
) -> None:
    # a / k lands within a few units of the 28th-36th digit of a half
    # hundredth: where rounding to 28 digits first changes the answer.
    a = Decimal(2 * c + 1) * k / 200 + Decimal(nudge).scaleb(-places)
    a = _WIDE.plus(a)
    text = str(a)
    quotient = _CTX.divide(a, Decimal(k))
    assert _eq(divide(exact(text), k), quotient)
    assert Decimal(cents(divide(exact(text), k))).scaleb(-2) == round2(quotient)
    difference = _CTX.subtract(a, Decimal(nudge).scaleb(-places - 3))
    assert _eq(subtract(exact(text), (nudge, -places - 3)), difference)
    assert Decimal(cents((nudge, -places - 3))).scaleb(-2) == round2(
        Decimal(nudge).scaleb(-places - 3)
    )


# Whole rows against the reference.

_positions = count(1)
years = st.integers(min_value=2014, max_value=2040)
figure_numbers = st.one_of(
    st.decimals(min_value=0, max_value=10, places=2).map(str),
    st.decimals(min_value=0, max_value=10, places=3).map(str),
    floats.map(repr),
    st.integers(min_value=0, max_value=10).map(str),
    long_texts,
)


def deliver(target: Target, by_year: dict[int, str], entry: Any = None) -> Any:
    """One party's delivery row for `target` from figures of `total` by year."""
    figures = [
        Figure("GBR", target.metric, y, p, "actual", f"r{y}", date(y, 6, 1), i)
        for i, (y, p) in enumerate(sorted(by_year.items()))
    ]
    row = (entry or delivery.delivery_entry)(
        figures_of("GBR", latest_figures(figures)), target
    )
    return row


@given(
    st.dictionaries(years, figure_numbers, max_size=6),
    figure_numbers,
    years,
)
@example({2021: "2.0", 2024: "2.5"}, "3.5", 2030)
@example({2033: "2.49"}, "3.5", 2035)  # 0.505 → 0.51
@example({2022: "2.4", 2024: "2.0"}, "3.5", 2035)  # a falling trend
@example({2024: "2.0049999999999999999999999999999"}, "2.015", 2025)
def test_a_delivery_row_is_the_decimal_references(
    by_year: dict[int, str], target_pct: str, by_year_target: int
) -> None:
    target = Target("total", target_pct, by_year_target)
    got = outcome(lambda: deliver(target, by_year))
    want = outcome(lambda: deliver(target, by_year, reference.delivery_entry))
    assert got == want


def outcome(answer: Any) -> Any:
    """An answer as JSON text, or that it failed on a number too large for 28
    digits in hundredths (InvalidOperation in decimal, an ArithmeticError)."""
    try:
        return json.dumps(answer())
    except ArithmeticError:
        return ArithmeticError


@given(figure_numbers, figure_numbers, st.booleans())
@example("2.50", "2.5", True)
@example("2.4999999999999999999999999999999", "2.5", True)
def test_a_pledge_is_kept_or_broken_as_in_decimal(
    reported: str, pledged: str, has_figure: bool
) -> None:
    pledge = Pledge("total", pledged, 2027, "commitment", "pl")
    figures = [
        Figure("GBR", "total", 2027, reported, "actual", "r", date(2028, 1, 1), 1)
    ]
    held = figures_of("GBR", latest_figures(figures if has_figure else []))
    got = delivery.pledge_entry(held, pledge)
    assert json.dumps(got) == json.dumps(reference.pledge_entry(held, pledge))


@given(st.lists(figure_numbers, min_size=1, max_size=5), numbers)
@example(["2.0", "1.99"], " 2.0 ")
@example(["0.0", "1e-05"], "1e-999999")
def test_spending_below_is_as_in_decimal(pcts: list[str], below: Any) -> None:
    parties = [f"P{i:02d}" for i in range(len(pcts))]
    figures = [
        Figure(p, "total", 2024, pct, "actual", p, date(2025, 1, 1), i)
        for i, (p, pct) in enumerate(zip(parties, pcts, strict=True))
    ]
    latest = latest_figures(figures)
    got = delivery.spending_for_year(parties, latest, 2024, below=below)
    want = reference.spending_for_year(parties, latest, 2024, below=below)
    assert json.dumps(got) == json.dumps(want)
