"""Decimal arithmetic in integers, as Python's `decimal` does it (SPEC rule 8).

Delivery's numbers are worked out in `decimal`'s default context (28
significant digits, halves to even) and rounded once, at the end, to 2
places, halves up. This module gives exactly those results with Python's
integers, so that a query does not load `decimal` (a cold query's start is
most of its time); tests/projections/test_exact_arithmetic.py holds every
function equal to its `decimal` counterpart.

A number is an `Exact`: (coefficient, exponent), the value coefficient ×
10**exponent, as `Decimal` holds it. Results of operations are compared by
value only (a Decimal's exponent after an operation is not kept).
`subtract` scales both numbers to the smaller exponent, which a JSON number
keeps small (a float's reaches 10**-324 at most); `compare` takes any number
written in `Decimal`'s syntax (`summit spending --below 1e-999999`).
"""

from __future__ import annotations

Exact = tuple[int, int]
"""(coefficient, exponent): the number coefficient × 10**exponent."""

PRECISION = 28
"""Significant digits of `decimal`'s default context."""

_CHUNK = 4000  # digits per int() call (Python refuses texts of over 4,300)


def exact(value: object) -> Exact:
    """A number as written, exactly: a float as its shortest repr (what
    `Decimal(str(x))` holds), anything else as its text (a str, an int, a
    Decimal), in `Decimal`'s syntax (finite numbers)."""
    text = repr(value) if isinstance(value, float) else str(value)
    mantissa, _, power = text.strip().lower().partition("e")
    whole, _, fraction = mantissa.replace("_", "").partition(".")
    return _int(whole + fraction), int(power or 0) - len(fraction)


def _int(text: str) -> int:
    """int(text), for a text of any length."""
    if len(text) <= _CHUNK:
        return int(text)
    sign = -1 if text[0] == "-" else 1
    unsigned = text.lstrip("+-")
    head, tail = unsigned[:-_CHUNK], unsigned[-_CHUNK:]
    shifted: int = _int(head) * 10**_CHUNK
    return sign * (shifted + int(tail))


def digits(n: int) -> int:
    """How many decimal digits |n| has (0 for 0), without writing it out."""
    n = abs(n)
    d = n.bit_length() * 1233 >> 12  # never more than the count (log10(2) > 1233/4096)
    while n >= 10**d:
        d += 1
    return d


def compare(a: Exact, b: Exact) -> int:
    """-1, 0 or 1 as a is below, equal to or above b (exact, as Decimals compare)."""
    (p, e), (q, f) = a, b
    sign_a, sign_b = (p > 0) - (p < 0), (q > 0) - (q < 0)
    if sign_a != sign_b or sign_a == 0:
        return (sign_a > sign_b) - (sign_a < sign_b)
    # Same sign: the magnitudes' leading digits first (no 10**huge for a
    # number written as 1e-999999), then the digits themselves.
    top_a, top_b = digits(p) + e, digits(q) + f
    if top_a != top_b:
        return sign_a if top_a > top_b else -sign_a
    low = min(e, f)
    x: int = abs(p) * 10 ** (e - low)
    y: int = abs(q) * 10 ** (f - low)
    return sign_a * ((x > y) - (x < y))


def _in_context(n: int, d: int, e: int) -> Exact:
    """n / d × 10**e (d > 0) rounded to 28 significant digits, halves to even:
    the result of an operation in `decimal`'s default context."""
    m = abs(n)
    if m == 0 or (d == 1 and m < 10**PRECISION):
        return n, e  # exact
    # Scale by 10**s so that the quotient has 28 digits before the point.
    s = PRECISION + digits(d) - digits(m)
    num, den = _scaled(m, d, s)
    if num >= den * 10**PRECISION:
        s -= 1
        num, den = _scaled(m, d, s)
    q, r = divmod(num, den)
    if 2 * r > den or (2 * r == den and q % 2 == 1):
        q += 1
    return (q if n > 0 else -q), e - s


def _scaled(m: int, d: int, s: int) -> tuple[int, int]:
    """m × 10**s / d as a numerator and a denominator."""
    return (m * 10**s, d) if s >= 0 else (m, d * 10**-s)


def subtract(a: Exact, b: Exact) -> Exact:
    """a - b in the default context (`Context.subtract`)."""
    (p, e), (q, f) = a, b
    low = min(e, f)
    return _in_context(p * 10 ** (e - low) - q * 10 ** (f - low), 1, low)


def divide(a: Exact, k: int) -> Exact:
    """a / k for a whole k > 0 in the default context (`Context.divide`)."""
    return _in_context(a[0], k, a[1])


def cents(a: Exact) -> int:
    """a in hundredths, rounded halves up (away from zero), as
    `quantize(Decimal("0.01"), ROUND_HALF_UP)` in the default context does
    (which refuses a result of more than 28 digits)."""
    p, e = a
    top = digits(p) + e  # 10**(top - 1) <= |a| < 10**top
    if top > 26:
        raise ArithmeticError("quantize: more than 28 digits")
    if top < -2:
        return 0  # under a thousandth
    c: int
    if e >= -2:
        c = p * 10 ** (e + 2)
    else:
        unit = 10 ** (-2 - e)
        q, r = divmod(abs(p), unit)
        c = (q + (2 * r >= unit)) * (1 if p >= 0 else -1)
    if abs(c) >= 10**PRECISION:
        raise ArithmeticError("quantize: more than 28 digits")
    return c


def cents_json(c: int) -> int | float:
    """Hundredths as a JSON number the way the stance view renders `gap_pp`
    from a Decimal: an int when whole (and under 10**15), else a float."""
    if c % 100 == 0 and abs(c) < 10**17:
        return c // 100
    whole, part = divmod(abs(c), 100)
    return float(f"{'-' if c < 0 else ''}{whole}.{part:02d}")


def written(value: object) -> int | float:
    """A number echoed as written, as `Decimal` sees it: with no fraction nor
    negative exponent (`2`, `1E+1`) an int (under 10**15), else a float
    (`2.0`, `2.33`, `1e-05`)."""
    if isinstance(value, float):
        return value  # its repr has a point or an exponent; read back, itself
    n, e = exact(value)
    if e >= 0 and n == 0:
        return 0
    if 0 <= e <= 15 and abs(n) * 10**e < 10**15:
        whole: int = n * 10**e
        return whole
    return float(value if isinstance(value, str) else str(value))
