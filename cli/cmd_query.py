"""`summit timeline`, `summit stance`, `summit consensus`: the views of SPEC §3–4."""

from __future__ import annotations

from typing import Any

import click

from cli.options import (
    as_of_option,
    format_option,
    instant_text,
    known_at_option,
)
from cli.output import emit
from domain.vocabulary import WORLD_TYPES as EVENT_TYPES


def _ally(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    code = value.upper()
    if len(code) != 3 or not code.isalpha():
        raise click.BadParameter(f"'{value}' is not an ISO alpha-3 code (e.g. GBR)")
    return code


ally_option = click.option(
    "--ally", metavar="CODE", callback=_ally, help="Only this party (e.g. GBR)."
)
proposal_option = click.option(
    "--proposal",
    "-p",
    metavar="SLUG",
    help="The proposal (may be left out when the negotiation has only one).",
)


def _history(obj: Any, negotiation: str, known_at: Any) -> Any:
    return obj.reader.history(negotiation, known_at)


def pick_proposal(history: Any, proposal: str | None) -> str:
    """The named proposal if tabled, or the only one tabled."""
    from projections.inputs import choose_proposal

    return choose_proposal(history.negotiation, proposal, history.proposals)


@click.command()
@click.argument("negotiation")
@ally_option
@click.option(
    "--type",
    "types",
    multiple=True,
    type=click.Choice(EVENT_TYPES),
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
def timeline(obj: Any, negotiation: str, **kw: Any) -> None:
    """Events of a negotiation in the order they occurred (ties: recording order).

    Retracted events stay listed, flagged; corrected ones show their current
    values (and, with --show-history, the original).

    \b
    Example:
      summit timeline hague-2025 --ally GBR --from 2025-06-01
    """
    from cli.options import parse_date
    from cli.render import timeline_rows, timeline_table
    from projections.timeline import timeline_view

    for key in ("date_from", "date_to"):
        if kw[key] is not None:
            parse_date(kw[key])
    history = _history(obj, negotiation, kw["known_at"])
    view = timeline_view(
        history,
        as_of=kw["as_of"],
        known_at=instant_text(kw["known_at"]),
        ally=kw["ally"],
        types=kw["types"],
        date_from=kw["date_from"],
        date_to=kw["date_to"],
        show_history=kw["show_history"],
    )
    emit(view, kw["fmt"], table=timeline_table, rows=timeline_rows)


@click.command()
@click.argument("negotiation")
@proposal_option
@ally_option
@as_of_option
@known_at_option
@format_option
@click.pass_obj
def stance(obj: Any, negotiation: str, proposal: str | None, **kw: Any) -> None:
    """Each ally's stance on a proposal, with its pledges and gaps to each target.

    \b
    Example:
      summit stance hague-2025 --proposal defence-investment-5pct --as-of 2025-06-10
      summit stance hague-2025 --ally GBR --format json
    """
    from cli.render import stance_rows, stance_table
    from projections.stance import stance_from

    inputs = obj.reader.inputs(negotiation, proposal, kw["as_of"], kw["known_at"])
    view = stance_from(
        inputs,
        as_of=kw["as_of"],
        known_at=instant_text(kw["known_at"]),
        ally=kw["ally"],
    )
    emit(view, kw["fmt"], table=stance_table, rows=stance_rows)


@click.command()
@click.argument("negotiation")
@proposal_option
@as_of_option
@known_at_option
@format_option
@click.pass_obj
def consensus(obj: Any, negotiation: str, proposal: str | None, **kw: Any) -> None:
    """How many allies hold each stance, who holds out, and the path there.

    \b
    Example:
      summit consensus hague-2025 --proposal defence-investment-5pct
      summit consensus hague-2025 --format csv     # the path, one row per date
    """
    from cli.render import consensus_rows, consensus_table
    from projections.consensus import consensus_from

    inputs = obj.reader.inputs(negotiation, proposal, kw["as_of"], kw["known_at"])
    view = consensus_from(
        inputs, as_of=kw["as_of"], known_at=instant_text(kw["known_at"])
    )
    emit(view, kw["fmt"], table=consensus_table, rows=consensus_rows)
