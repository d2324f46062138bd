"""Shared options: --format, --as-of, --known-at, --ally, --proposal, and parsing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:  # pathlib is imported by --out alone: a query starts without it
    from pathlib import Path

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("table", "json", "csv")


class Command(click.Command):
    """A command whose short options (`-p SLUG`) are matched as short options
    at once. click first tries every option as a long one, and its failure
    computes close matches with difflib (imported for it): about a millisecond
    of each query's start (tests/cli/test_query_start.py). Parsing is
    unchanged otherwise; if click's parser ever lacks these parts, it is left
    as it is."""

    def make_parser(self, ctx: click.Context) -> Any:
        parser = super().make_parser(ctx)
        short = getattr(parser, "_short_opt", None)
        as_short = getattr(parser, "_match_short_opt", None)
        process = getattr(parser, "_process_opts", None)
        if isinstance(short, dict) and as_short and process:

            def process_opts(arg: str, state: Any) -> None:
                (as_short if arg in short else process)(arg, state)

            parser._process_opts = process_opts
        return parser


def _calendar_form(text: str) -> bool:
    """Whether `text` is spelled YYYY-MM-DD in ASCII digits. Python's
    `fromisoformat` also takes other ISO 8601 forms (a week date such as
    2025-W24-2, 20250610), which answers would then echo as their date."""
    digits = text[:4] + text[5:7] + text[8:]
    return (
        len(text) == 10
        and text[4] == text[7] == "-"
        and digits.isascii()
        and digits.isdigit()
    )


def parse_date(value: str, what: str = "date") -> str:
    """An ISO date `YYYY-MM-DD`, returned as given."""
    try:
        if not _calendar_form(value):
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
        if not (_calendar_form(text[:10]) and text[10:11] in ("T", "t", " ")):
            raise ValueError
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"'{value}' is not a timestamp YYYY-MM-DDTHH:MM[:SS] with Z or an "
            "offset (e.g. 2025-06-20T12:00:00Z), or a date for its end in UTC"
        ) from None
    if instant.tzinfo is None:
        raise click.BadParameter(
            f"'{value}' has no time zone: add Z or an offset such as +02:00"
        )
    try:
        return instant.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is before year 1 in UTC
        raise click.BadParameter(
            f"'{value}' is out of range: in UTC it falls outside years 1 to 9999"
        ) from None


def _ally(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    code = value.upper()
    if len(code) != 3 or not code.isalpha():
        raise click.BadParameter(f"'{value}' is not an ISO alpha-3 code (e.g. GBR)")
    return code


def _parsed(parse: Callable[[str], Any]) -> Callable[..., Any]:
    """A click callback: None stays None, anything else goes through `parse`."""

    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
        return None if value is None else parse(value)

    return callback


format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table for people; json or csv for scripts.",
)
as_of_option = click.option(
    "--as-of",
    metavar="DATE",
    callback=_parsed(parse_date),
    help="World cut-off: only events that occurred on or before DATE.",
)
known_at_option = click.option(
    "--known-at",
    metavar="TIMESTAMP",
    callback=_parsed(parse_instant),
    help="Record cut-off: only what was recorded by then (ISO 8601 with zone, "
    "or a date = its end in UTC).",
)
ally_option = click.option(
    "--ally", metavar="CODE", callback=_ally, help="Only this party (e.g. GBR)."
)
allies_option = click.option(
    "--ally",
    "allies",
    metavar="CODE",
    multiple=True,
    callback=lambda ctx, param, values: tuple(_ally(ctx, param, v) for v in values),
    help="Only this party (repeat for more; e.g. --ally GBR --ally FRA).",
)
proposal_option = click.option(
    "--proposal",
    "-p",
    metavar="SLUG",
    help="The proposal (may be left out when the negotiation has only one).",
)


def _out(ctx: click.Context, param: click.Parameter, value: str) -> Path:
    from pathlib import Path

    path = Path(value)
    if not path.parent.exists():
        raise click.BadParameter(f"folder '{path.parent}' does not exist")
    return path


def file_option(*names: str, help: str) -> Callable[[F], F]:
    """An optional option naming a file (not a folder)."""
    return click.option(*names, type=click.Path(dir_okay=False), help=help)


def out_option(help: str) -> Callable[[F], F]:
    """--out FILE (required), whose folder must exist."""
    return click.option("--out", required=True, callback=_out, help=help)


def query_options(*extra: Callable[[F], F]) -> Callable[[F], F]:
    """A query on one proposal: NEGOTIATION, --proposal, then `extra` options,
    --as-of, --known-at and --format (in that order in --help)."""

    def decorate(f: F) -> F:
        for option in (
            click.pass_obj,
            format_option,
            known_at_option,
            as_of_option,
            *reversed(extra),
            proposal_option,
            click.argument("negotiation"),
        ):
            f = option(f)
        return f

    return decorate
