"""Shared options: --format, --as-of, --known-at, and their parsing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("table", "json", "csv")


def parse_date(value: str, what: str = "date") -> str:
    """An ISO date `YYYY-MM-DD`, returned as given."""
    try:
        if len(value) != 10:
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a {what} (YYYY-MM-DD)") from None
    return value


def parse_instant(value: str) -> datetime:
    """An ISO 8601 instant with a zone, or a date meaning its end in UTC."""
    text = value.strip()
    if len(text) == 10:
        day = date.fromisoformat(parse_date(text))
        return datetime.combine(day, time.max, tzinfo=UTC)
    try:
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"'{value}' is not an ISO 8601 timestamp "
            "(e.g. 2025-06-20T12:00:00Z, or a date for its end in UTC)"
        ) from None
    if instant.tzinfo is None:
        raise click.BadParameter(
            f"'{value}' has no time zone: add Z or an offset such as +02:00"
        )
    return instant.astimezone(UTC)


def _as_of_cb(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    return None if value is None else parse_date(value)


def _known_at_cb(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    return None if value is None else parse_instant(value)


def format_option(f: F) -> F:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="table for people; json or csv for scripts.",
    )(f)


def as_of_option(f: F) -> F:
    return click.option(
        "--as-of",
        metavar="DATE",
        callback=_as_of_cb,
        help="World cut-off: only events that occurred on or before DATE.",
    )(f)


def known_at_option(f: F) -> F:
    return click.option(
        "--known-at",
        metavar="TIMESTAMP",
        callback=_known_at_cb,
        help="Record cut-off: only what was recorded by then (ISO 8601 with zone, "
        "or a date = its end in UTC).",
    )(f)


def instant_text(instant: datetime | None) -> str | None:
    """How a --known-at instant is echoed in JSON output."""
    return None if instant is None else instant.isoformat().replace("+00:00", "Z")
