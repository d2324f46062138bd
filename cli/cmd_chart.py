"""`summit chart ...` and `summit report`: pictures and a publishable page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from cli.options import as_of_option, instant_text, known_at_option


def views(obj: Any, negotiation: str, proposal: str | None, **cut: Any) -> Any:
    """Everything a chart or report draws, from the JSON views only."""
    from cli.cmd_query import pick_proposal
    from projections.consensus import consensus_view
    from projections.stance import stance_view
    from projections.timeline import timeline_view

    history = obj.reader.history(negotiation, cut["known_at"])
    chosen = pick_proposal(history, proposal)
    known = instant_text(cut["known_at"])
    as_of = cut["as_of"]
    return {
        "history": history,
        "stance": stance_view(history, chosen, as_of=as_of, known_at=known),
        "consensus": consensus_view(history, chosen, as_of=as_of, known_at=known),
        "timeline": timeline_view(history, as_of=as_of, known_at=known),
    }


def _out(ctx: click.Context, param: click.Parameter, value: str) -> Path:
    path = Path(value)
    if not path.parent.exists():
        raise click.BadParameter(f"folder '{path.parent}' does not exist")
    return path


def _source_line(v: dict[str, Any], as_of: str | None, known_at: Any) -> str:
    from cli.charts import make_source_line

    return make_source_line(
        log_position=v["history"].head_position,
        as_of=as_of,
        known_at=instant_text(known_at),
    )


@click.group()
def chart() -> None:
    """Charts of the consensus path and of pledges (needs summit[charts]).

    \b
    Example:
      summit chart consensus hague-2025 --out consensus.png
      summit chart pledges hague-2025 --out pledges.svg
    """


def _charting(fn: Any) -> None:
    from cli.charts import ChartsUnavailable
    from domain.errors import UsageError

    try:
        fn()
    except ChartsUnavailable as e:
        raise UsageError(str(e)) from None
    except ValueError as e:
        raise UsageError(str(e)) from None


def _chart_end(v: dict[str, Any]) -> str:
    """Where the x axis ends without --as-of: the summit or the last event."""
    dates = [v["history"].opening["summit_on"]]
    dates += [e["occurred_on"] for e in v["timeline"]["events"]]
    return (date.fromisoformat(max(dates)) + timedelta(days=7)).isoformat()


def chart_options(f: Any) -> Any:
    """What every chart takes: the negotiation, the proposal, the cuts, the file."""
    f = click.pass_obj(f)
    f = click.option(
        "--out", required=True, callback=_out, help="FILE.png or FILE.svg"
    )(f)
    f = known_at_option(f)
    f = as_of_option(f)
    f = click.option("--proposal", "-p", metavar="SLUG")(f)
    return click.argument("negotiation")(f)


@chart.command("consensus")
@chart_options
def chart_consensus(
    obj: Any,
    negotiation: str,
    proposal: str | None,
    as_of: str | None,
    known_at: Any,
    out: Path,
) -> None:
    """The consensus path as a stacked step chart, sign-offs and summit marked.

    \b
    Example:
      summit chart consensus hague-2025 --proposal defence-investment-5pct \\
        --as-of 2025-06-10 --out docs/consensus.png
    """
    from cli import charts

    v = views(obj, negotiation, proposal, as_of=as_of, known_at=known_at)

    def draw() -> None:
        charts.consensus_chart(
            v["consensus"],
            title_targets=v["stance"]["targets"],
            summit_on=v["history"].opening["summit_on"],
            signoffs=charts.signoffs_from_timeline(v["timeline"]),
            source_line=_source_line(v, as_of, known_at),
            out=out,
            as_of=as_of or _chart_end(v),
        )

    _charting(draw)
    click.echo(f"wrote {out}", err=True)


@chart.command("pledges")
@chart_options
def chart_pledges(
    obj: Any,
    negotiation: str,
    proposal: str | None,
    as_of: str | None,
    known_at: Any,
    out: Path,
) -> None:
    """Each ally's pledged share of GDP against each target, sorted by gap.

    \b
    Example:
      summit chart pledges hague-2025 --out pledges.svg
    """
    from cli import charts

    v = views(obj, negotiation, proposal, as_of=as_of, known_at=known_at)
    _charting(
        lambda: charts.pledges_chart(
            v["stance"], source_line=_source_line(v, as_of, known_at), out=out
        )
    )
    click.echo(f"wrote {out}", err=True)


def write_report(
    obj: Any,
    negotiation: str,
    proposal: str | None,
    as_of: str | None,
    known_at: Any,
    out: Path,
) -> None:
    """Render the HTML report of one proposal to `out`."""
    from cli.report import ReportUnavailable, render_report
    from domain.errors import UsageError
    from projections.audit import verify_log

    if out.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"unsupported report format '{out.suffix}': use .html")
    v = views(obj, negotiation, proposal, as_of=as_of, known_at=known_at)
    check = verify_log(obj.app(), negotiation)
    head = check.heads.get(negotiation)
    opening = v["history"].opening
    try:
        html = render_report(
            stance=v["stance"],
            consensus=v["consensus"],
            timeline=v["timeline"],
            negotiation={
                "negotiation": negotiation,
                "title": opening["title"],
                "summit_on": opening["summit_on"],
                "venue": opening["venue"],
                "parties": v["history"].parties,
            },
            log_position=v["history"].head_position,
            head_digest=head.digest if head and check.fault is None else None,
            generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
            chart_end=_chart_end(v),
        )
    except ReportUnavailable as e:
        raise UsageError(str(e)) from None
    try:
        out.write_text(html, encoding="utf-8")
    except OSError as e:
        raise UsageError(f"cannot write {out}: {e.strerror}") from None


@click.command()
@click.argument("negotiation")
@click.option("--proposal", "-p", metavar="SLUG")
@as_of_option
@known_at_option
@click.option("--out", required=True, callback=_out, help="FILE.html")
@click.pass_obj
def report(
    obj: Any,
    negotiation: str,
    proposal: str | None,
    as_of: str | None,
    known_at: Any,
    out: Path,
) -> None:
    """One self-contained HTML page: headline, charts, stances with evidence, timeline.

    Nothing in it is fetched over the network; every quote is escaped.

    \b
    Example:
      summit report hague-2025 --as-of 2025-06-10 --out hague.html
    """
    write_report(obj, negotiation, proposal, as_of, known_at, out)
    click.echo(f"wrote {out}", err=True)


COMMANDS: list[click.Command] = [chart, report]
