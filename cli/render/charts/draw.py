"""Drawing a chart of a negotiation read from a store (for `summit chart`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cli.render.charts.common import ChartsUnavailable, latest_on, make_source_line
from domain.errors import UsageError


def _snapshot(reader: Any, negotiation: str, proposal: str | None, **cut: Any) -> Any:
    from projections.snapshot import snapshot

    history = reader.history(negotiation, cut["known_at"])
    return snapshot(history, proposal, **cut)


def _source_line(v: dict[str, Any], as_of: str | None, known_at: Any) -> str:
    from projections.snapshot import instant_text

    return make_source_line(
        log_position=v["history"].head_position,
        as_of=as_of,
        known_at=instant_text(known_at),
        latest=latest_on(v["timeline"]),
    )


@contextmanager
def _charting() -> Iterator[None]:
    """A missing matplotlib or a bad file name is a usage error."""
    try:
        yield
    except (ChartsUnavailable, ValueError) as e:
        raise UsageError(str(e)) from None


def draw_consensus(reader: Any, out: Path, **cut: Any) -> None:
    """The consensus path of one proposal, to `out` (`cut`: negotiation,
    proposal, as_of, known_at)."""
    from cli.render.charts.common import signoffs_from_timeline
    from cli.render.charts.consensus import consensus_chart
    from projections.snapshot import chart_end

    v = _snapshot(reader, **cut)
    as_of = cut["as_of"]
    with _charting():
        consensus_chart(
            v["consensus"],
            title_targets=v["stance"]["targets"],
            summit_on=v["history"].opening["summit_on"],
            signoffs=signoffs_from_timeline(v["timeline"]),
            source_line=_source_line(v, as_of, cut["known_at"]),
            out=out,
            as_of=as_of or chart_end(v),
        )


def draw_pledges(reader: Any, out: Path, **cut: Any) -> None:
    """Each ally's pledges against each target of one proposal, to `out`."""
    from cli.render.charts.pledges import pledges_chart

    v = _snapshot(reader, **cut)
    with _charting():
        line = _source_line(v, cut["as_of"], cut["known_at"])
        pledges_chart(v["stance"], source_line=line, out=out)


def draw_map(reader: Any, out: Path, **cut: Any) -> None:
    """The stance map of one proposal (a tile per party), to `out`."""
    from cli.render.charts.stancemap import map_chart

    v = _snapshot(reader, **cut)
    with _charting():
        line = _source_line(v, cut["as_of"], cut["known_at"])
        map_chart(v["stance"], source_line=line, out=out)


def draw_delivery(reader: Any, out: Path, allies: tuple[str, ...], **cut: Any) -> None:
    """Promised versus spent, one panel per ally (or per one of `allies`)."""
    from cli.render.charts.delivery import delivery_chart, only_allies
    from projections.snapshot import instant_text

    view = reader.delivery(**cut)
    history = reader.history(cut["negotiation"], cut["known_at"])
    line = make_source_line(
        log_position=history.head_position,
        as_of=cut["as_of"],
        known_at=instant_text(cut["known_at"]),
    )
    with _charting():
        delivery_chart(only_allies(view, allies), source_line=line, out=out)
