"""The field types of the interchange format: slugs, dates, codes, shares of GDP.

Each is a pydantic annotated type whose validator says, in one phrase, what
is wrong with a value.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BeforeValidator, StrictInt
from pydantic_core import PydanticUseDefault

from domain.vocabulary import INSTITUTION_CODES

REF_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,79}")
_PARTY_PATTERN = re.compile(r"[A-Z]{3}")
_DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
# Unicode's control characters (category Cc: C0, DEL, C1); text may keep
# tab and newline, a name (one line) none of them.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_NAME = re.compile("[\x00-\x1f\x7f-\x9f]")
# The world dates summit accepts (SPEC reading: as for years, a sane range).
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2100, 12, 31)


def text_problem(value: str, *, one_line: bool = False) -> str | None:
    """Why `value` is not acceptable text (blank, or a control character), or None.

    Tab and newline are the only control characters allowed, and not even
    they when the text must be `one_line` (a name).
    """
    found = (_CONTROL_NAME if one_line else _CONTROL).search(value)
    if found is not None:
        also = "" if one_line else " (only tab and newline are allowed)"
        return (
            f"control character U+{ord(found.group()):04X} "
            f"at position {found.start() + 1}{also}"
        )
    if not value.strip():
        return "must not be blank"
    return None


def _text(value: str) -> str:
    problem = text_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _slug(value: str) -> str:
    if not REF_PATTERN.fullmatch(value):
        raise ValueError(f"'{value}' is not a valid slug ([a-z0-9][a-z0-9._-]{{0,79}})")
    return value


# Dates already found valid (an input repeats a few days many times), so that
# each is parsed once; bounded, as the input is not.
_VALID_DAYS: set[str] = set()
_VALID_DAYS_MAX = 50_000


def _iso_date(value: str) -> str:
    if value in _VALID_DAYS:
        return value
    try:
        if not _DATE_PATTERN.fullmatch(value):
            raise ValueError
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"'{value}' is not a date (YYYY-MM-DD)") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"'{value}' is out of range ({FIRST_DAY}..{LAST_DAY})")
    if len(_VALID_DAYS) < _VALID_DAYS_MAX:
        _VALID_DAYS.add(value)
    return value


def _party(value: str) -> str:
    if value in INSTITUTION_CODES:
        raise ValueError(
            f"'{value}' is an institution, not a party (institutions do not "
            "pledge or spend)"
        )
    if not _PARTY_PATTERN.fullmatch(value):
        raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-3 code (e.g. GBR)")
    return value


def _actor(value: str) -> str:
    if value in INSTITUTION_CODES:
        return value
    if not _PARTY_PATTERN.fullmatch(value):
        raise ValueError(
            f"'{value}' is neither a party code (e.g. GBR) nor an institution "
            f"({', '.join(INSTITUTION_CODES)})"
        )
    return value


def _number(value: Any) -> float:
    """A JSON number (not a bool, not a string), kept as the float it was written as."""
    if type(value) is float and -_FINITE < value < _FINITE:
        return value  # the usual case, as the rest below would find it
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("must be a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError("must be a number") from None
    if not number.is_finite():
        raise ValueError("must be a finite number")
    return float(number) if not isinstance(value, float) else value


_FINITE = float("inf")


def _pct(value: float) -> float:
    if not 0 < value <= 100:
        raise ValueError(f"{written(value)} is out of range (0 < pct_gdp <= 100)")
    return value


def _share(value: float) -> float:
    if not 0 <= value <= 100:
        raise ValueError(f"{written(value)} is out of range (0 <= pct_gdp <= 100)")
    return value


def written(value: float) -> str:
    """A number as JSON wrote it (the shortest text that reads back the same)."""
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def _year(value: int) -> int:
    if not 2000 <= value <= 2100:
        raise ValueError(f"{value} is out of range (2000..2100)")
    return value


def _party_list(keyword: str) -> Any:
    """Validator for `keyword` (e.g. "nato") or a non-empty list of distinct codes."""

    def check(value: Any) -> Any:
        if value == keyword:
            return value
        if not isinstance(value, list):
            raise ValueError(f'must be "{keyword}" or a list of party codes')
        if not value:
            raise ValueError("must not be empty")
        seen: set[str] = set()
        for i, code in enumerate(value):
            if not isinstance(code, str) or not _PARTY_PATTERN.fullmatch(code):
                raise ValueError(f"[{i}] {code!r} is not an ISO 3166-1 alpha-3 code")
            if code in seen:
                raise ValueError(f"'{code}' is listed twice")
            seen.add(code)
        return list(value)

    return BeforeValidator(check)


def _null_is_absent(value: Any) -> Any:
    if value is None:
        raise PydanticUseDefault  # as if the field were not given
    return value


_T = TypeVar("_T")
# A field with a default (SPEC §2: `null` in an optional field means the field
# is absent, so null takes the default too). Checked per field, not per model:
# only these fields pay for it. tests/domain/test_null_means_absent.py finds
# any defaulted field of any model that lacks it.
Defaulted = Annotated[_T, BeforeValidator(_null_is_absent)]

Text = Annotated[str, AfterValidator(_text)]
Slug = Annotated[str, AfterValidator(_slug)]
IsoDate = Annotated[str, AfterValidator(_iso_date)]
Party = Annotated[str, AfterValidator(_party)]
Actor = Annotated[str, AfterValidator(_actor)]
Pct = Annotated[float, BeforeValidator(_number), AfterValidator(_pct)]
Share = Annotated[float, BeforeValidator(_number), AfterValidator(_share)]
Year = Annotated[StrictInt, AfterValidator(_year)]
PartiesOrNato = Annotated[Any, _party_list("nato")]
SignatoriesOrAll = Annotated[Any, _party_list("all")]
