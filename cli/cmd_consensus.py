"""`summit consensus`: counts, holdouts and the path toward consensus."""

from __future__ import annotations

from typing import Any

import click

from cli.options import Command, query_options


@click.command(cls=Command)
@query_options()
def consensus(obj: Any, negotiation: str, proposal: str | None, **kw: Any) -> None:
    """How many allies hold each stance, who holds out, and the path there.

    \b
    Example:
      summit consensus hague-2025 --proposal defence-investment-5pct
      summit consensus hague-2025 --format csv     # the path, one row per date
    """
    from cli.render.formats import consensus_json, emit, lazy

    fmt = kw.pop("fmt")
    joined = fmt == "json"  # refs as one text a day: see consensus_json
    view = obj.reader.consensus(negotiation, proposal, joined_refs=joined, **kw)
    emit(view, fmt, lazy("cli.render.tables", "CONSENSUS"), consensus_json)
