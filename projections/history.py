"""Resolve a negotiation's log into facts: retractions and corrections applied.

Rule 1 of SPEC §3: retractions and corrections are facts about the record, so
they apply to every `as_of` view, but only to `known_at` views that know them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain.book import RecordBook
from domain.errors import NotFound
from domain.vocabulary import RECORD_EVENT_TYPES
from projections.log import LogEntry, read_log

if TYPE_CHECKING:
    from eventsourcing.application import Application


@dataclass(frozen=True)
class Fact:
    """A world event as the record now describes it."""

    position: int
    ref: str
    type: str
    record: dict[str, Any]
    original: dict[str, Any]
    recorded_at: datetime
    recorded_by: str
    retracted: bool
    corrections: tuple[str, ...]

    @property
    def occurred_on(self) -> str:
        return str(self.record["occurred_on"])

    @property
    def order(self) -> tuple[str, int]:
        """Rule 2: by occurred_on, ties broken by recording order."""
        return (self.occurred_on, self.position)


@dataclass(frozen=True)
class History:
    """A negotiation as known at one instant."""

    negotiation: str
    opening: dict[str, Any]
    parties: list[str]
    proposals: dict[str, str]
    facts: list[Fact]  # world events (retracted ones included), recording order
    head_position: int

    def live(self, as_of: str | None = None) -> list[Fact]:
        """Unretracted facts with occurred_on <= as_of, in rule-2 order."""
        facts = [
            f
            for f in self.facts
            if not f.retracted and (as_of is None or f.occurred_on <= as_of)
        ]
        return sorted(facts, key=lambda f: f.order)


def resolve(
    negotiation: str, entries: Iterable[LogEntry], known_at: datetime | None = None
) -> History:
    """Fold the log entries of one negotiation known at `known_at`."""
    book = RecordBook()
    known: list[LogEntry] = []
    for entry in entries:
        if known_at is not None and entry.recorded_at > known_at:
            continue
        book.apply(entry.record)
        known.append(entry)
    if book.opening is None:
        raise NotFound(
            f"negotiation '{negotiation}' is not in this store"
            + (" (as known at that instant)" if known_at is not None else "")
        )
    facts = []
    for entry in known:
        if entry.type in RECORD_EVENT_TYPES:
            continue
        current = book.entries[entry.ref]
        facts.append(
            Fact(
                position=entry.position,
                ref=entry.ref,
                type=entry.type,
                record=current.record,
                original=current.original,
                recorded_at=entry.recorded_at,
                recorded_by=entry.recorded_by,
                retracted=current.retracted,
                corrections=tuple(current.corrections),
            )
        )
    return History(
        negotiation=negotiation,
        opening=book.opening,
        parties=book.parties,
        proposals=dict(book.proposals),
        facts=facts,
        head_position=known[-1].position if known else 0,
    )


def load_history(
    app: Application[Any],
    negotiation: str,
    *,
    known_at: datetime | None = None,
    until: int | None = None,
) -> History:
    """The negotiation's history folded from the log, as known at `known_at` /
    up to position `until`."""
    entries = read_log(app, negotiation=negotiation, until=until)
    return resolve(negotiation, entries, known_at)
