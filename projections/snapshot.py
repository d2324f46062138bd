"""One proposal's stance, consensus and timeline at one cut, for charts, the
report and `replay` (which folds the log from an empty state)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from domain.errors import NotFound, UsageError
from projections.consensus import consensus_view
from projections.filters import instant_text
from projections.history import History
from projections.inputs import choose_proposal
from projections.log import read_log
from projections.stance import stance_view
from projections.timeline import timeline_view

if TYPE_CHECKING:
    from domain.application import Summit


def pick_proposal(history: History, proposal: str | None) -> str:
    """The named proposal if tabled, or the only one tabled."""
    return choose_proposal(history.negotiation, proposal, history.proposals)


def snapshot(
    history: History,
    proposal: str | None,
    *,
    as_of: str | None,
    known_at: datetime | None,
) -> dict[str, Any]:
    """Everything a chart or report draws, from the JSON views only."""
    chosen = pick_proposal(history, proposal)
    known = instant_text(known_at)
    return {
        "history": history,
        "stance": stance_view(history, chosen, as_of=as_of, known_at=known),
        "consensus": consensus_view(history, chosen, as_of=as_of, known_at=known),
        "timeline": timeline_view(history, as_of=as_of, known_at=known),
    }


def chart_end(snap: dict[str, Any]) -> str:
    """Where the x axis ends without --as-of: a week after the summit or the
    last event, whichever is later."""
    dates = [snap["history"].opening["summit_on"]]
    dates += [e["occurred_on"] for e in snap["timeline"]["events"]]
    return (date.fromisoformat(max(dates)) + timedelta(days=7)).isoformat()


def replayed_history(
    app: Summit, negotiation: str, *, until: int | None, known_at: datetime | None
) -> History:
    """The history up to the cut, or a message saying what the cut holds."""
    from projections.history import load_history

    cut = f"position {until}" if until is not None else f"{instant_text(known_at)}"
    try:
        history = load_history(app, negotiation, known_at=known_at, until=until)
    except NotFound:
        opening = next(read_log(app, negotiation=negotiation), None)  # or NotFound
        assert opening is not None
        raise UsageError(
            f"'{negotiation}' was not open yet at {cut}: it was opened at "
            f"position {opening.position} ({opening.recorded_at.isoformat()})"
        ) from None
    if not history.proposals:
        raise UsageError(
            f"no proposal had been tabled in '{negotiation}' by {cut}: "
            "replay to a later cut"
        )
    return history


def replay(
    app: Summit,
    negotiation: str,
    proposal: str | None,
    *,
    until: int | None,
    known_at: datetime | None,
    as_of: str | None,
) -> dict[str, Any]:
    """Stance and consensus rebuilt from an empty state, from the log up to a cut."""
    from projections.log import head_position

    if (until is None) == (known_at is None):
        raise UsageError("give exactly one of --until POSITION and --known-at")
    head = head_position(app)
    if until is not None and until < 1:
        raise UsageError(f"positions start at 1 (this log holds 1..{head})")
    if until is not None and until > head:
        raise UsageError(f"position {until} is beyond the log (1..{head})")
    history = replayed_history(app, negotiation, until=until, known_at=known_at)
    chosen = pick_proposal(history, proposal)
    known = instant_text(known_at)
    return {
        "replayed": {
            "until": until,
            "known_at": known,
            "last_position": history.head_position,
        },
        "stance": stance_view(history, chosen, as_of=as_of, known_at=known),
        "consensus": consensus_view(history, chosen, as_of=as_of, known_at=known),
    }
