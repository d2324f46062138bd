"""`summit spending`: every party's reported figure for one year."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import click

from cli.options import Command, as_of_option, format_option, known_at_option
from domain.errors import UsageError
from domain.vocabulary import METRICS


def _year(ctx: click.Context, param: click.Parameter, value: int | None) -> int:
    if value is None:  # one line, exit 2 (click's own message spans four)
        raise UsageError("--year is required (the spending year, e.g. --year 2024)")
    return value


def _below(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise click.BadParameter(f"'{value}' is not a number (e.g. 2.0)") from None
    if not number.is_finite() or not 0 <= number <= 100:
        raise click.BadParameter(f"'{value}' is not a share of GDP (0..100)")
    return value.strip()


@click.command(cls=Command)
@click.argument("negotiation")
@click.option(
    "--year",
    type=click.IntRange(2000, 2100),
    callback=_year,
    help="The spending year (required).",
)
@click.option(
    "--metric",
    type=click.Choice(METRICS),
    default="total",
    show_default=True,
)
@click.option(
    "--below",
    metavar="PCT",
    callback=_below,
    help="Only figures strictly under PCT (e.g. 2.0); no-figure parties stay listed.",
)
@as_of_option
@known_at_option
@format_option
@click.pass_obj
def spending(obj: Any, negotiation: str, **kw: Any) -> None:
    """Who reported what share of GDP for one year; who reported nothing.

    The table lists the figures lowest first, then the parties with no
    figure; JSON and CSV are by ally code (SPEC §4).

    \b
    Example:
      summit spending hague-2025 --year 2024 --below 2.0
      summit spending hague-2025 --year 2025 --metric total --format json
    """
    from cli.render.delivery import SPENDING
    from cli.render.formats import emit

    fmt = kw.pop("fmt")
    emit(obj.reader.spending(negotiation, **kw), fmt, SPENDING)
