"""Rule 5's gap in integers equals the gap in `decimal` (SPEC: decimal on the
numbers as written, rounded to 2 places, halves up), for any numbers."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from projections.stance import gap_pp


def _reference(target: float, pledged: float) -> float | int:
    """The gap as `decimal` gives it (the arithmetic the SPEC names)."""

    def dec(x: float) -> Decimal:
        return Decimal(repr(x)) if isinstance(x, float) else Decimal(x)

    raw = max(Decimal(0), dec(target) - dec(pledged))
    d = raw.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return int(d) if d == d.to_integral_value() and abs(d) < 10**15 else float(d)


numbers = st.one_of(
    st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=10**6),
    st.decimals(min_value=0, max_value=100, places=3).map(float),
    st.sampled_from([1e-05, 1e-07, 2.5e-3, 1e16, 1.23e20, 0.005, 0.015, 0.125]),
)


@given(numbers, numbers)
@example(3.5, 1.995)  # 1.505: rounds up to 1.51
@example(5, 2.125)  # 2.875 → 2.88
@example(2.0, 1.0)  # an integral gap is an int, as decimal gives it
@example(1e16, 0.5)  # past 10**15: a float
@example(0.015, 1e-05)  # exponents in repr
@example(2, 3.5)  # a pledge above the target: gap 0
@example(0.125, 5e-324)  # 0.12499…9 has 325 digits: to 28, 0.125 → 0.13
@example(1e16, 1e-13)  # 30 digits: the context rounds the difference
def test_the_integer_gap_is_the_decimal_gap(target: float, pledged: float) -> None:
    got, want = gap_pp(target, pledged), _reference(target, pledged)
    assert (type(got), got) == (type(want), want)
