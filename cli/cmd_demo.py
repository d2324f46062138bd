"""`summit demo`: the main job on the bundled sample of the seed article."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import click

from cli.options import file_option, format_option


@click.command()
@click.option("--as-of", metavar="DATE", help="Show the table as of this date.")
@file_option(
    "--report", help="Also write the publishable HTML report of the sample here."
)
@format_option
@click.pass_context
def demo(ctx: click.Context, as_of: str | None, report: str | None, fmt: str) -> None:
    """Load the bundled sample (the 2025 NATO 5% negotiation) and show where it stands.

    Uses a fresh temporary store unless --store or SUMMIT_STORE names one
    (the sample is then imported there; importing it again stores nothing).

    \b
    Example:
      summit demo
      summit --store hague.db demo --as-of 2025-06-05
      summit demo --report hague-2025.html
    """
    from cli.options import parse_date

    if as_of is not None:
        parse_date(as_of)
    obj = ctx.obj
    if obj.store_named:
        _run(obj, as_of, fmt, report, obj.store.display())
        return
    with tempfile.TemporaryDirectory(prefix="summit-demo-") as tmp:
        obj.use(str(Path(tmp) / "demo.db"))
        try:
            _run(obj, as_of, fmt, report, "a temporary store")
        finally:
            obj.close()


def _run(obj: Any, as_of: str | None, fmt: str, report: str | None, where: str) -> None:
    from cli.render import tables
    from cli.render.formats import emit
    from cli.sample import sample_path
    from domain.jsonlines import parse_lines
    from projections.consensus import consensus_view
    from projections.history import load_history
    from projections.stance import stance_view

    path = sample_path()
    with path.open(encoding="utf-8") as f:
        lines = list(parse_lines(f, str(path)))
    app = obj.app(write=True)
    loaded = app.record_lines(lines, obj.by, source=str(path))
    slug = lines[0].record["negotiation"]
    history = load_history(app, slug)
    proposal = next(iter(history.proposals))
    view = {
        "stance": stance_view(history, proposal, as_of=as_of),
        "consensus": consensus_view(history, proposal, as_of=as_of),
    }
    intro = (
        f"Loaded {len(loaded.stored)} events ({len(loaded.skipped)} already there)"
        f" from {path.name} into {where}"
    )
    emit(view, fmt, tables.demo(intro))
    if fmt == "table":  # the report and the hint follow the table only
        _report_or_hint(obj, slug, proposal, as_of, report)


def _report_or_hint(
    obj: Any, slug: str, proposal: str, as_of: str | None, report: str | None
) -> None:
    if report is None:
        click.echo(
            "\nWrite a publishable HTML report of it: summit demo --report hague.html"
        )
        return
    from cli.render.report.write import write_report
    from domain.errors import UsageError

    out = Path(report)
    if not out.parent.exists():
        raise UsageError(f"cannot write {report}: folder does not exist")
    write_report(
        obj, out, negotiation=slug, proposal=proposal, as_of=as_of, known_at=None
    )
    click.echo(f"\nReport of the sample written to {out.resolve()}")
