"""Entry points for the CLI: load a negotiation's history from a store."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventsourcing.application import Application

from projections.history import History, resolve
from projections.log import read_log


def load_history(
    app: Application[Any],
    negotiation: str,
    *,
    known_at: datetime | None = None,
    until: int | None = None,
) -> History:
    """The negotiation's history, as known at `known_at` / up to position `until`."""
    entries = read_log(app, negotiation=negotiation, until=until)
    return resolve(negotiation, entries, known_at)


def negotiations(app: Application[Any], until: int | None = None) -> list[str]:
    """Slugs of every negotiation opened in the store, in opening order."""
    from eventsourcing.utils import get_topic

    from domain.negotiation import Negotiation
    from projections.log import decode

    topic = get_topic(Negotiation.Opened)
    found = app.recorder.select_notifications(1, 1_000_000, stop=until, topics=[topic])
    return [decode(app, n).negotiation for n in found]
