"""`summit report`: one self-contained HTML page of a proposal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cli.options import Command, as_of_option, known_at_option, out_option


@click.command(cls=Command)
@click.argument("negotiation")
@click.option("--proposal", "-p", metavar="SLUG")
@as_of_option
@known_at_option
@out_option("FILE.html")
@click.pass_obj
def report(obj: Any, out: Path, **cut: Any) -> None:
    """One self-contained HTML page: headline, charts, stances with evidence, timeline.

    Nothing in it is fetched over the network; every quote is escaped. Without
    matplotlib (pip install 'summit[charts]') it is written without charts.

    \b
    Example:
      summit report hague-2025 --as-of 2025-06-10 --out hague.html
    """
    from cli.extras import note_missing_charts
    from cli.render.report.write import write_report

    write_report(obj, out, **cut)
    click.echo(f"wrote {out}", err=True)
    note_missing_charts(out)
