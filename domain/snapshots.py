"""Negotiations read from their latest snapshot and the events after it.

A writer validates against the negotiation's record book. Replaying every
event of a long negotiation for each `summit record` would make writes grow
with history, so every SNAPSHOT_EVERY events a snapshot of the aggregate
(its book's index: `domain.book_state`) is stored beside the log, and only
the latest one per negotiation is kept. Snapshots are a cache: a store
without them (written before, or by a role that may not write them) is read
by replaying its events, and a snapshot that does not fit the log (its head
digest is not the log's at its version) is ignored.
"""

from __future__ import annotations

import contextlib
from typing import Any
from uuid import UUID

from eventsourcing.persistence import PersistenceError

from domain.negotiation import Negotiation, negotiation_id

# The application (`domain.application.Summit`, which imports this module):
# its `events`, `snapshots`, `snapshot_versions` and `forget_snapshots`.
Summit = Any

SNAPSHOT_EVERY = 100  # events recorded since the last snapshot before a new one

# What reading or decoding a damaged or unreadable snapshot may raise.
_UNREADABLE = (PersistenceError, ValueError, KeyError, TypeError, AttributeError)


def load(app: Summit, slug: str) -> Negotiation | None:
    """The negotiation from its latest snapshot and the events after it (None
    when it has not been opened); its book reads records through the log."""
    aggregate_id = negotiation_id(slug)
    agg = latest(app, slug)  # reads through the log already: a correction
    # after the snapshot recomputes a record the snapshot does not keep
    app.snapshot_versions[slug] = agg.version if agg is not None else 0
    events: Any = app.events.get(aggregate_id, gt=agg.version if agg else None)
    for event in events:
        agg = event.mutate(agg)
    if agg is None:
        return None
    assert isinstance(agg, Negotiation)
    agg.book.loader = lambda version: _record_at(app, aggregate_id, version)
    return agg


def latest(app: Summit, slug: str) -> Negotiation | None:
    """The negotiation as its latest usable snapshot holds it, no event after
    it applied (None without one); its book reads records through the log."""
    aggregate_id = negotiation_id(slug)
    agg = _from_snapshot(app, aggregate_id)
    if agg is not None:
        agg.book.loader = lambda version: _record_at(app, aggregate_id, version)
    return agg


def _from_snapshot(app: Summit, aggregate_id: UUID) -> Negotiation | None:
    if app.snapshots is None:
        return None
    try:
        found: Any = list(app.snapshots.get(aggregate_id, desc=True, limit=1))
        if not found:
            return None
        agg: Any = found[0].mutate(None)
        if not isinstance(agg, Negotiation):
            return None
        at: Any = list(
            app.events.get(aggregate_id, gt=agg.version - 1, lte=agg.version)
        )
    except _UNREADABLE:
        return None
    if len(at) != 1 or at[0].digest != agg.head:  # not this log's state
        return None
    return agg


def _record_at(app: Summit, aggregate_id: UUID, version: int) -> dict[str, Any]:
    event: Any
    (event,) = app.events.get(aggregate_id, gt=version - 1, lte=version)
    record: dict[str, Any] = event.record
    return record


def take(app: Summit, aggregates: dict[str, Negotiation | None]) -> None:
    """Snapshot each negotiation that grew by SNAPSHOT_EVERY events or more
    since its last snapshot, in place of the older one (best effort: a store
    that will not take a snapshot is read by replaying its events)."""
    if app.snapshots is None:
        return
    for slug, agg in aggregates.items():
        if agg is None:
            continue
        since = app.snapshot_versions.get(slug, 0)
        if agg.version - since < SNAPSHOT_EVERY:
            continue
        with contextlib.suppress(PersistenceError, ValueError):
            _replace(app, agg)
            app.snapshot_versions[slug] = agg.version


def _replace(app: Summit, agg: Negotiation) -> None:
    """Forget the negotiation's snapshots, then store its new one.

    In that order: a role that may not delete them (PostgreSQL's INSERT-only
    writers) stores none, rather than one more each time.
    """
    assert app.snapshots is not None
    app.forget_snapshots(agg.id, agg.version)
    app.snapshots.put([Negotiation.Snapshot.take(agg)])
