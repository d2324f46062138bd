"""Writing one proposal's HTML report from a store (for `report` and `demo`)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def write_report(
    obj: Any,
    out: Path,
    *,
    negotiation: str,
    proposal: str | None,
    as_of: str | None,
    known_at: Any,
) -> None:
    """Render the HTML report of one proposal to `out`."""
    from cli.render.report.page import ReportUnavailable, render_report
    from domain.audit import verify_log
    from domain.errors import UsageError
    from projections.over_time import table_over_time
    from projections.snapshot import chart_end, instant_text, snapshot

    if out.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"unsupported report format '{out.suffix}': use .html")
    history = obj.reader.history(negotiation, known_at)
    v = snapshot(history, proposal, as_of=as_of, known_at=known_at)
    delivery = obj.reader.delivery(
        negotiation, v["stance"]["proposal"], as_of=as_of, known_at=known_at
    )
    check = verify_log(obj.app(), negotiation)
    head = check.heads.get(negotiation)
    try:
        html = render_report(
            stance=v["stance"],
            consensus=v["consensus"],
            timeline=v["timeline"],
            negotiation=_about(negotiation, history),
            log_position=history.head_position,
            head_digest=head.digest if head and check.fault is None else None,
            generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
            chart_end=chart_end(v),
            over_time=table_over_time(
                history,
                v["stance"]["proposal"],
                as_of=as_of,
                known_at=instant_text(known_at),
            ),
            delivery=delivery,
        )
    except ReportUnavailable as e:
        raise UsageError(str(e)) from None
    try:
        out.write_text(html, encoding="utf-8")
    except OSError as e:
        raise UsageError(f"cannot write {out}: {e.strerror}") from None


def _about(negotiation: str, history: Any) -> dict[str, Any]:
    opening = history.opening
    return {
        "negotiation": negotiation,
        "title": opening["title"],
        "summit_on": opening["summit_on"],
        "venue": opening["venue"],
        "parties": history.parties,
    }
