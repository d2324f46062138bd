"""The Negotiation aggregate: one table, every event recorded about it.

The aggregate boundary is the negotiation, so a ref is unique within it and
two writers racing on the same negotiation meet eventsourcing's optimistic
concurrency check. Event topics stored in the log are
`domain.negotiation:Negotiation.<EventName>`: do not rename them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from domain.book import RecordBook, derive_ref
from domain.canonical import canonical_json
from domain.chain import GENESIS, chain_digest, digest_of_canonical
from domain.errors import InvalidRecord, Problem
from domain.stored import recorded_state
from domain.vocabulary import EVENT_TYPES, OPENED


def negotiation_id(slug: str) -> UUID:
    """The aggregate id of a negotiation: derived from its slug, so it is stable."""
    return uuid5(NAMESPACE_URL, f"summit:negotiation:{slug}")


class Negotiation(Aggregate):
    """A negotiation's record book, rebuilt from its events."""

    class Recorded(Aggregate.Event):
        """Base of every recorded fact: the interchange record, who, and its digest."""

        record: dict[str, Any]
        recorded_by: str
        digest: str

        def apply(self, aggregate: Aggregate) -> None:
            assert isinstance(aggregate, Negotiation)
            aggregate._on_recorded(self)

    class Opened(Aggregate.Created):
        record: dict[str, Any]
        recorded_by: str
        digest: str

    EVENT_CLASSES: ClassVar[dict[str, type[Recorded]]] = {}

    def __init__(self, record: dict[str, Any], recorded_by: str, digest: str) -> None:
        self.slug: str = record["negotiation"]
        self.book = RecordBook(compact=True)
        self.book.apply(record)
        self.head: str = digest

    def _on_recorded(self, event: Negotiation.Recorded) -> None:
        self.book.apply(event.record)
        self.head = event.digest

    # -- commands ---------------------------------------------------------------

    @classmethod
    def open(cls, record: dict[str, Any], recorded_by: str) -> Negotiation:
        """Open a negotiation from a validated `negotiation.opened` record."""
        record = with_ref(record)
        timestamp = cls.Opened.create_timestamp()
        digest = chain_digest(GENESIS, record, timestamp.isoformat(), recorded_by)
        return cls._create(
            cls.Opened,
            id=negotiation_id(record["negotiation"]),
            timestamp=timestamp,
            record=record,
            recorded_by=recorded_by,
            digest=digest,
        )

    def problems(self, record: dict[str, Any]) -> list[Problem]:
        """What recording `record` (already parsed) here would break; empty if fine."""
        return self.book.problems(with_ref(self.book.normalise(record)))

    def record(
        self, record: dict[str, Any], recorded_by: str, *, checked: bool = False
    ) -> str | None:
        """Record one validated record; return its ref, or None if already recorded.

        `checked` says the caller has normalised it, given it its ref, and
        found no problems with it against this negotiation just now.
        """
        if not checked:
            record = with_ref(self.book.normalise(record))
            if self.book.is_duplicate(record):
                return None
            problems = self.book.problems(record)
            if problems:
                raise InvalidRecord(problems[0].field, problems[0].reason)
        event_class = self.EVENT_CLASSES[record["type"]]
        timestamp: datetime = event_class.create_timestamp()
        digest = chain_digest(self.head, record, timestamp.isoformat(), recorded_by)
        self.trigger_event(
            event_class,
            timestamp=timestamp,
            record=record,
            recorded_by=recorded_by,
            digest=digest,
        )
        return str(record["ref"])

    def append(
        self, record: dict[str, Any], recorded_by: str, *, readable: bool
    ) -> tuple[int, str, bytes]:
        """Record one checked record without making an event object; return the
        row to store (version, topic, state), its state not yet sealed.

        The aggregate moves on as `record` would move it (book, head, version,
        modified_on); the state is built from the record's canonical JSON,
        made once (`domain.stored.recorded_state`). The application seals it
        (compresses, encrypts) as it spools it. When the sealed state would
        be `readable` by `domain.stored` (no cipher), the book keeps this
        plain one as its packed record (read back the same way).
        """
        canonical = canonical_json(record)
        event_class = self.EVENT_CLASSES[record["type"]]
        timestamp: datetime = event_class.create_timestamp()
        at = timestamp.isoformat()
        digest = digest_of_canonical(self.head, canonical, at, recorded_by)
        state = recorded_state(at, record, recorded_by, digest)
        text = canonical.encode()
        self.book.apply(record, canonical=text, stored=state if readable else None)
        self.head = digest
        self.version += 1
        self.modified_on = timestamp
        return self.version, _TOPICS[event_class], state


def _event_class(name: str) -> type[Negotiation.Recorded]:
    """A recorded fact's class, stored as `domain.negotiation:Negotiation.<name>`."""
    cls = type(
        name,
        (Negotiation.Recorded,),
        {"__module__": __name__, "__qualname__": f"Negotiation.{name}"},
    )
    setattr(Negotiation, name, cls)
    return cls


# One event class per recorded type of the vocabulary (the opening is `Opened`).
Negotiation.EVENT_CLASSES.update(
    {t.name: _event_class(t.event_class) for t in EVENT_TYPES if t.name != OPENED}
)
_TOPICS = {cls: get_topic(cls) for cls in Negotiation.EVENT_CLASSES.values()}


def with_ref(record: dict[str, Any]) -> dict[str, Any]:
    """The record with its ref: the given one, or one derived from its content."""
    if record.get("ref"):
        return record
    ref = derive_ref(record)
    items = list(record.items())
    # Keep the interchange field order: type, negotiation, ref, ...
    return dict([*items[:2], ("ref", ref), *items[2:]])
