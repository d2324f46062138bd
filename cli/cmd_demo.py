"""`summit demo`: the main job on a bundled sample of the 2025 negotiation."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import click

from cli.options import as_of_option, file_option, format_option
from cli.sample import SAMPLES


@click.command()
@as_of_option
@click.option(
    "--sample",
    type=click.Choice(list(SAMPLES)),
    default="full",
    show_default=True,
    help="full: the whole sourced record; seed: the seed article alone.",
)
@file_option(
    "--report", help="Also write the publishable HTML report of the sample here."
)
@format_option
@click.pass_context
def demo(ctx: click.Context, as_of: str | None, report: str | None, **how: Any) -> None:
    """Load the bundled record of the 2025 NATO 5% negotiation and show where it stands:
    every ally's stance, how the table moved to the summit, and delivery.

    Uses a fresh temporary store unless --store or SUMMIT_STORE names one
    (the sample is then imported there; importing it again stores nothing).

    \b
    Example:
      summit demo
      summit demo --sample seed
      summit --store hague.db demo --as-of 2025-06-05
      summit demo --report hague-2025.html
    """
    obj = ctx.obj
    if obj.store_named:
        _run(obj, as_of, report, obj.store.display(), **how)
        return
    with tempfile.TemporaryDirectory(prefix="summit-demo-") as tmp:
        obj.use(str(Path(tmp) / "demo.db"))
        try:
            _run(obj, as_of, report, "a temporary store", **how)
        finally:
            obj.close()


def _run(
    obj: Any,
    as_of: str | None,
    report: str | None,
    where: str,
    *,
    sample: str,
    fmt: str,
) -> None:
    from cli.render import demo
    from cli.render.formats import emit
    from cli.sample import sample_path
    from domain.jsonlines import parse_lines
    from projections.consensus import consensus_view
    from projections.history import load_history
    from projections.stance import stance_view

    path = sample_path(sample)
    if report is not None:
        _check_report(report)
    with path.open(encoding="utf-8") as f:
        lines = list(parse_lines(f, str(path)))
    app = obj.app(write=True)
    loaded = app.record_lines(lines, obj.by, source=str(path))
    slug = lines[0].record["negotiation"]
    history = load_history(app, slug)
    proposal = next(iter(history.proposals))
    intro = (
        f"Loaded {len(loaded.stored)} events ({len(loaded.skipped)} already there)"
        f" from {path.name} into {where}"
    )
    view = {
        "stance": stance_view(history, proposal, as_of=as_of),
        "consensus": consensus_view(history, proposal, as_of=as_of),
        "delivery": obj.reader.delivery(slug, proposal, as_of=as_of, known_at=None),
    }
    emit(view, fmt, demo.shape(intro))
    if report is not None:
        _report(obj, slug, proposal, as_of, Path(report), table=fmt == "table")
    elif fmt == "table":
        click.echo(
            "\nWrite a publishable HTML report of it: summit demo --report hague.html"
        )


def _check_report(report: str) -> None:
    """Refused before anything is loaded: a report nobody could write."""
    from domain.errors import UsageError

    out = Path(report)
    if not out.parent.exists():
        raise UsageError(f"cannot write {report}: folder does not exist")
    if out.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"unsupported report format '{out.suffix}': use .html")


def _report(
    obj: Any, slug: str, proposal: str, as_of: str | None, out: Path, *, table: bool
) -> None:
    """Write the report; say so on stdout after a table, on stderr after JSON/CSV."""
    from cli.extras import note_missing_charts
    from cli.render.report.write import write_report

    write_report(
        obj, out, negotiation=slug, proposal=proposal, as_of=as_of, known_at=None
    )
    click.echo(f"\nReport of the sample written to {out.resolve()}", err=not table)
    note_missing_charts(out)
