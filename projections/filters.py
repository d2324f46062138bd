"""Checks on what a query selects: a named ally must sit at the table, a named
negotiation must exist, a date range must not be empty (exit 2, not an empty
answer that looks like a finding)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from domain.errors import NotFound, UsageError
from domain.vocabulary import INSTITUTION_CODES


def check_ally(
    ally: str | None,
    parties: Iterable[str],
    negotiation: str,
    *,
    institutions: bool = False,
) -> None:
    """NotFound unless `ally` (when given) is a party (or an allowed institution)."""
    if ally is None or ally in parties:
        return
    if institutions and ally in INSTITUTION_CODES:
        return
    extra = " nor an institution" if institutions else ""
    raise NotFound(f"--ally: '{ally}' is not a party of '{negotiation}'{extra}")


def check_allies(
    allies: Iterable[str], parties: Iterable[str], negotiation: str
) -> None:
    """NotFound unless every one of `allies` is a party (none named: all are)."""
    known = set(parties)
    for ally in allies:
        check_ally(ally, known, negotiation)


def check_range(date_from: str | None, date_to: str | None) -> None:
    """UsageError when `date_from` is later than `date_to` (nothing could match)."""
    if date_from and date_to and date_from > date_to:
        raise UsageError(
            f"--from {date_from} is later than --to {date_to}: the range is empty"
        )


def instant_text(instant: datetime | None) -> str | None:
    """How a --known-at instant is echoed in JSON output."""
    return None if instant is None else instant.isoformat().replace("+00:00", "Z")
