"""A catch-up's record book of one negotiation, without refolding its history.

Catching the views up turns each new entry into rows, which needs the
negotiation's record book as the committed view rows stand (its parties, and
for a retraction or correction the world event it bears on). Folding every
earlier entry for it would make each write grow with history, so the book is
seeded from the negotiation's latest snapshot (`domain.snapshots`: the
book's index, records read from the log when a rule needs one):

- a snapshot at or before the views' last version of the negotiation is
  brought up to it with the committed rows after the snapshot;
- a snapshot past it (a write snapshots before the views catch up) serves
  when every event between is a world event: those are the entries this
  catch-up applies next, and none of them changes another's rows, so each
  gives the rows it would give from the earlier book (`Derived.operations`
  does not apply them twice).

Otherwise (no usable snapshot, a store that keeps none) the book is folded
from the committed rows as before.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from domain.book import RecordBook
from domain.vocabulary import RECORD_EVENT_TYPES
from projections.tables.schema import entry_of


class Seeded(NamedTuple):
    """A negotiation's book as the committed view rows stand."""

    book: RecordBook
    known: int  # the latest recorded_at of the rows (microseconds)
    last: int  # the version of the last committed row (0: none)
    ahead: int  # the book holds events up to this version already (0: none)


def seeded_book(recorder: Any, app: Any, negotiation: str) -> Seeded | None:
    """The book from the negotiation as this process's write left it, or from
    its latest snapshot (see the module), or None when it must be folded from
    the committed rows."""
    from domain import snapshots

    stand = recorder.stand(negotiation)
    if stand is None:  # no committed row: nothing recorded before
        return Seeded(RecordBook(), 0, 0, 0)
    last, known = stand
    # A `record` has the negotiation in hand (read from its snapshot for the
    # write): reading the snapshot again would cost as much (issue 12).
    written = getattr(app, "written", {}).pop(negotiation, None)
    if written is not None:
        seeded = _seeded_from(recorder, app, written, last, known)
        if seeded is not None:
            return seeded
    if getattr(app, "snapshots", None) is None:
        return None
    agg = snapshots.latest(app, negotiation)
    if agg is None:
        return None
    return _seeded_from(recorder, app, agg, last, known)


def _seeded_from(
    recorder: Any, app: Any, agg: Any, last: int, known: int
) -> Seeded | None:
    """The book of `agg` (a negotiation at some version) brought to the
    committed rows' version `last`, or None when it cannot be."""
    book = agg.book
    book.compact = False  # entries applied here keep their records as read
    if agg.version <= last:
        for row in recorder.facts_of(agg.slug, last=last - agg.version):
            entry = entry_of(row)
            book.apply(entry.record, entry.position)
        return Seeded(book, known, last, 0)
    between: Any = app.events.get(agg.id, gt=last, lte=agg.version)
    if any(event.record["type"] in RECORD_EVENT_TYPES for event in between):
        return None
    return Seeded(book, known, last, agg.version)
