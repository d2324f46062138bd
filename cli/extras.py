"""Optional extras a command can do without: one line on stderr saying what
was left out and how to install it (the output itself stays valid)."""

from __future__ import annotations

from pathlib import Path

import click


def note_missing_charts(out: Path) -> None:
    """After writing the report `out`: say on stderr that it has no charts when
    matplotlib (the `summit[charts]` extra) is missing; the page says it too,
    but nobody reads the page before publishing it."""
    from cli.render.charts import common as charts

    try:
        charts.load_matplotlib()
    except charts.ChartsUnavailable:
        click.echo(f"charts left out of {out}: {charts.INSTALL_HINT}", err=True)
