"""Rows built from the canonical JSON are the bytes eventsourcing's mapper stores.

An import stores each record without making an event object (see
`Negotiation.append`): for every event type, the row it builds must be what
the mapper makes of the same event, and the aggregate must end as `record`
leaves it.
"""

from __future__ import annotations

from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent

from domain.application import Summit
from domain.chain import chain_digest
from domain.interchange import parse_record
from domain.negotiation import Negotiation
from domain.stored import COMPRESSOR_TOPIC
from tests import builders as b

TARGETS = [{"metric": "core_defence", "pct_gdp": 3.5, "by_year": 2035}]
RECORDS = [
    b.tabled(),
    b.revised(TARGETS, ref="rev", occurred_on="2025-06-02"),
    b.said("s", "FRA", "2025-06-02", "opposes", quote="«Non», dit-il 🙂 \u200f"),
    b.pledged("pl", "GBR", "2025-06-03", 2.5, 2030),
    b.signed("so", "2025-06-24", reservations={"FRA": "sous réserve"}),
    b.spent("sp", "DEU", 2024, 2.12, "2025-06-05"),
    b.corrected("c", "pl", {"pct_gdp": 3.0}),
    b.retracted("r", "s"),
]
BY = "Zoë Ä. tester"


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "compressed"])
def test_each_row_is_what_the_mapper_stores_for_the_same_event(
    compressed: bool,
) -> None:
    env = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    if compressed:
        env["COMPRESSOR_TOPIC"] = COMPRESSOR_TOPIC
    app = Summit(env=env)
    fast = Negotiation.open(parse_record(b.opened()), BY)
    slow = Negotiation.open(parse_record(b.opened()), BY)
    seen = set()
    for raw in RECORDS:
        record = parse_record(raw)
        head = fast.head
        version, topic, plain = fast.append(record, BY, readable=True)
        state = app._seal(plain)  # as the import's sealer seals it
        row = StoredEvent(fast.id, version, topic, state)
        event: Any = app.mapper.to_domain_event(row)
        assert app.mapper.to_stored_event(event) == row  # the very bytes
        assert type(event).__qualname__ == f"Negotiation.{topic.split('.')[-1]}"
        assert (event.record, event.recorded_by) == (record, BY)
        at = event.timestamp.isoformat()
        assert event.digest == chain_digest(head, record, at, BY)
        # the slow path, at the same instant, leaves the same aggregate
        slow.record(record, BY)
        seen.add(record["type"])
    assert len(seen) == len(RECORDS)
    assert (fast.version, list(fast.book.entries)) == (
        slow.version,
        list(slow.book.entries),
    )
    for ref, entry in slow.book.entries.items():
        assert fast.book.entries[ref].record == entry.record
        assert fast.book.entries[ref].fingerprint == entry.fingerprint
        assert fast.book.is_duplicate(entry.original)
