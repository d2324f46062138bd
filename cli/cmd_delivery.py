"""`summit delivery`: what each ally spent against what was promised and asked."""

from __future__ import annotations

from typing import Any

import click

from cli.options import Command, allies_option, query_options


@click.command(cls=Command)
@query_options(allies_option)
def delivery(obj: Any, negotiation: str, proposal: str | None, **kw: Any) -> None:
    """Each ally's reported spending against a proposal's targets and its pledges.

    Per target: the latest figure up to the target year, the gap, the trend
    and the slope still needed per year, and a status (SPEC rules 7-8). The
    table shows one section per target, the furthest behind first: missed,
    off track, insufficient data, on track, met; then by gap, largest first;
    allies with no figure are listed under it. Pledges come last, broken
    ones first. JSON and CSV keep SPEC's order (by ally code). Repeat --ally
    to show several allies; the summary still counts every party.

    \b
    Example:
      summit delivery hague-2025 --ally GBR
      summit delivery hague-2025 --ally GBR --ally ESP --ally POL
      summit delivery hague-2025 --as-of 2025-06-24 --format json
    """
    from cli.render.formats import emit, lazy

    fmt = kw.pop("fmt")
    view = obj.reader.delivery(negotiation, proposal, **kw)
    emit(view, fmt, lazy("cli.render.delivery", "DELIVERY"))
