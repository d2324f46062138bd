"""`summit chart ...`: consensus path, delivery, stance map, pledges (PNG or SVG)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cli.options import allies_option, as_of_option, known_at_option, out_option


@click.group()
def chart() -> None:
    """Four charts of a proposal, each to a PNG or SVG file (needs summit[charts]).

    \b
      consensus  the path toward consensus: allies by stance, day by day
      delivery   reported spending against the targets and pledges, per ally
      map        every ally's stance, a square per ally placed as on a map
      pledges    each ally's pledged share of GDP against each target

    \b
    Example:
      summit chart consensus hague-2025 --out consensus.png
      summit chart pledges hague-2025 --out pledges.svg
      summit chart map hague-2025 --out map.png
      summit chart delivery hague-2025 --out delivery.png
    """


def chart_options(f: Any) -> Any:
    """What every chart takes: the negotiation, the proposal, the cuts, the file."""
    f = click.pass_obj(f)
    f = out_option("FILE.png or FILE.svg")(f)
    f = known_at_option(f)
    f = as_of_option(f)
    f = click.option("--proposal", "-p", metavar="SLUG")(f)
    return click.argument("negotiation")(f)


@chart.command("consensus")
@chart_options
def chart_consensus(obj: Any, out: Path, **cut: Any) -> None:
    """The consensus path as a stacked step chart, sign-offs and summit marked.

    \b
    Example:
      summit chart consensus hague-2025 --proposal defence-investment-5pct \\
        --as-of 2025-06-10 --out docs/consensus.png
    """
    from cli.render.charts.draw import draw_consensus

    draw_consensus(obj.reader, out, **cut)
    click.echo(f"wrote {out}", err=True)


@chart.command("pledges")
@chart_options
def chart_pledges(obj: Any, out: Path, **cut: Any) -> None:
    """Each ally's pledged share of GDP against each target, sorted by gap.

    \b
    Example:
      summit chart pledges hague-2025 --out pledges.svg
    """
    from cli.render.charts.draw import draw_pledges

    draw_pledges(obj.reader, out, **cut)
    click.echo(f"wrote {out}", err=True)


@chart.command("map")
@chart_options
def chart_map(obj: Any, out: Path, **cut: Any) -> None:
    """The stance map: a square per ally, placed as on a map, coloured by stance.

    \b
    Example:
      summit chart map hague-2025 --as-of 2025-06-20 --out docs/map.png
    """
    from cli.render.charts.draw import draw_map

    draw_map(obj.reader, out, **cut)
    click.echo(f"wrote {out}", err=True)


@chart.command("delivery")
@chart_options
@allies_option
def chart_delivery(obj: Any, out: Path, allies: tuple[str, ...], **cut: Any) -> None:
    """Promised versus spent: one panel per ally, furthest behind first.

    Reported shares of GDP over the years (estimates hollow, actuals filled),
    each target dashed, the straight path still required, pledges as diamonds.
    Allies without any reported figure are named under the chart.

    \b
    Example:
      summit chart delivery hague-2025 --out delivery.png
      summit chart delivery hague-2025 --ally GBR --ally ESP --out gbr-esp.svg
    """
    from cli.render.charts.draw import draw_delivery

    draw_delivery(obj.reader, out, allies, **cut)
    click.echo(f"wrote {out}", err=True)
