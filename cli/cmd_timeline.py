"""`summit timeline`: a negotiation's events in the order they occurred."""

from __future__ import annotations

from typing import Any

import click

from cli.options import (
    Command,
    ally_option,
    as_of_option,
    format_option,
    known_at_option,
    parse_date,
)
from domain.vocabulary import WORLD_TYPES


@click.command(cls=Command)
@click.argument("negotiation")
@ally_option
@click.option(
    "--type",
    "types",
    multiple=True,
    type=click.Choice(WORLD_TYPES),
    help="Only events of this type (repeatable).",
)
@click.option("--from", "date_from", metavar="DATE", help="Occurred on or after.")
@click.option("--to", "date_to", metavar="DATE", help="Occurred on or before.")
@click.option(
    "--show-history",
    is_flag=True,
    help="Include each corrected event's original values and its corrections.",
)
@as_of_option
@known_at_option
@format_option
@click.pass_obj
def timeline(obj: Any, negotiation: str, fmt: str, **kw: Any) -> None:
    """Events of a negotiation in the order they occurred (ties: recording order).

    Retracted events stay listed, flagged; corrected ones show their current
    values (and, with --show-history, the original).

    \b
    Example:
      summit timeline hague-2025 --ally GBR --from 2025-06-01
    """
    from cli.render import tables
    from cli.render.formats import emit

    for day in (kw["date_from"], kw["date_to"]):
        if day is not None:
            parse_date(day)
    emit(obj.reader.timeline(negotiation, **kw), fmt, tables.TIMELINE)
