"""The one vocabulary of summit: event types, stances, metrics and the other words.

Every other module imports these names; none spells a list out again. Adding
an event type starts here (its row in EVENT_TYPES), then its interchange
model (`domain/interchange.py`), the fold that reads it, and its `record`
subcommand.
"""

# No `from __future__ import annotations`: this module's NamedTuples would
# compile each field's annotation text at every start (test_query_start.py).

from typing import Literal, NamedTuple, get_args


class EventType(NamedTuple):
    """One kind of recorded event."""

    name: str  # the interchange `type`, e.g. "statement.made"
    event_class: str  # the aggregate's event class: topic Negotiation.<event_class>
    ref_prefix: str  # derived refs read `<ref_prefix>-<12 hex>`
    world: bool = True  # a fact about the world (False: a fact about a record)
    party_fields: tuple[str, ...] = ()  # fields that must name a party
    institutions: bool = False  # ... or an institution (NATO, EU)


EVENT_TYPES: tuple[EventType, ...] = (
    EventType("negotiation.opened", "Opened", "opened"),
    EventType("proposal.tabled", "ProposalTabled", "proposal", True, ("by",), True),
    EventType("proposal.revised", "ProposalRevised", "revision"),
    EventType("statement.made", "StatementMade", "statement", True, ("actor",), True),
    EventType("pledge.made", "PledgeMade", "pledge", party_fields=("actor",)),
    EventType("signoff.recorded", "SignoffRecorded", "signoff"),
    EventType(
        "spending.reported", "SpendingReported", "spending", party_fields=("actor",)
    ),
    EventType("record.retracted", "RecordRetracted", "retraction", world=False),
    EventType("record.corrected", "RecordCorrected", "correction", world=False),
)
EVENT_TYPE: dict[str, EventType] = {t.name: t for t in EVENT_TYPES}
OPENED = "negotiation.opened"
RETRACTED = "record.retracted"
CORRECTED = "record.corrected"

WORLD_TYPES: tuple[str, ...] = tuple(t.name for t in EVENT_TYPES if t.world)
RECORD_EVENT_TYPES: tuple[str, ...] = tuple(t.name for t in EVENT_TYPES if not t.world)
RECORD_TYPES: tuple[str, ...] = (*WORLD_TYPES, *RECORD_EVENT_TYPES)
REF_PREFIXES: dict[str, str] = {t.name: t.ref_prefix for t in EVENT_TYPES}

INSTITUTION_CODES = ("NATO", "EU")

Stance = Literal["supports", "conditional", "undecided", "opposes"]
STANCES: tuple[str, ...] = get_args(Stance)
UNKNOWN = "unknown"  # the stance of a party with no evidence yet
STANCE_ORDER: tuple[str, ...] = (*STANCES, UNKNOWN)

Metric = Literal["core_defence", "defence_related", "total"]
METRICS: tuple[str, ...] = get_args(Metric)

Firmness = Literal["commitment", "ambition"]
FIRMNESS: tuple[str, ...] = get_args(Firmness)

Reliability = Literal["official", "on-record", "reported", "unconfirmed"]
RELIABILITIES: tuple[str, ...] = get_args(Reliability)

Rule = Literal["consensus"]

# Reported spending (`spending.reported`): whether a figure is an estimate or
# an outturn, and what a reading of it may conclude.
Basis = Literal["estimate", "actual"]
BASES: tuple[str, ...] = get_args(Basis)

DeliveryStatus = Literal[
    "met", "on_track", "off_track", "missed", "insufficient_data", "no_data"
]
DELIVERY_STATUSES: tuple[str, ...] = get_args(DeliveryStatus)

PledgeStatus = Literal["kept", "broken", "pending"]
PLEDGE_STATUSES: tuple[str, ...] = get_args(PledgeStatus)

SPENDING = "spending.reported"

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(store: str) -> bool:
    """Whether a store location names a PostgreSQL server (else a SQLite file)."""
    return store.startswith(POSTGRES_SCHEMES)
