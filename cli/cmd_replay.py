"""`summit replay`: stance and consensus rebuilt from the log up to a cut."""

from __future__ import annotations

from typing import Any

import click

from cli.options import Command, as_of_option, format_option, known_at_option


@click.command(cls=Command)
@click.argument("negotiation")
@click.option("--proposal", "-p", metavar="SLUG", help="The proposal.")
@click.option(
    "--until", type=int, metavar="POSITION", help="Use the log up to this position."
)
@known_at_option
@as_of_option
@format_option
@click.option(
    "--view",
    type=click.Choice(["stance", "consensus"]),
    default="stance",
    show_default=True,
    help="The one table --format csv writes (table and JSON show both).",
)
@click.pass_obj
def replay(
    obj: Any,
    negotiation: str,
    proposal: str | None,
    until: int | None,
    known_at: Any,
    as_of: str | None,
    fmt: str,
    view: str,
) -> None:
    """Rebuild stance and consensus from an empty state, from the log up to a cut.

    Reproduces a figure published earlier: give the log position (or instant)
    it was based on.

    \b
    Example:
      summit replay hague-2025 --until 20 --format json
      summit replay hague-2025 --known-at "$(date -u +%FT%TZ)" --as-of 2025-06-10
      summit replay hague-2025 --until 20 --format csv --view consensus
    """
    from cli.render import tables
    from cli.render.formats import emit
    from projections.snapshot import replay

    cut = {"until": until, "known_at": known_at, "as_of": as_of}
    emit(replay(obj.app(), negotiation, proposal, **cut), fmt, tables.replay(view))
