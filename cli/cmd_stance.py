"""`summit stance`: each ally's stance on a proposal, with pledges and gaps."""

from __future__ import annotations

from typing import Any

import click

from cli.options import Command, allies_option, query_options


@click.command(cls=Command)
@query_options(allies_option)
def stance(obj: Any, negotiation: str, proposal: str | None, **kw: Any) -> None:
    """Each ally's stance on a proposal, with its pledges and gaps to each target.

    Repeat --ally to show several allies (listed by code, as always).

    \b
    Example:
      summit stance hague-2025 --proposal defence-investment-5pct --as-of 2025-06-10
      summit stance hague-2025 --ally GBR --format json
      summit stance hague-2025 --ally GBR --ally FRA
    """
    from cli.render.formats import emit, lazy

    fmt = kw.pop("fmt")
    view = obj.reader.stance(negotiation, proposal, **kw)
    emit(view, fmt, lazy("cli.render.tables", "STANCE"))
