"""Rules that depend on what is already recorded: given events, when recording, then."""

from __future__ import annotations

from typing import Any

import pytest

from domain.errors import InvalidRecord
from domain.interchange import parse_record
from domain.negotiation import Negotiation
from tests.builders import corrected, opened, pledged, retracted, said, signed, tabled


def negotiation(*records: dict[str, Any]) -> Negotiation:
    agg = Negotiation.open(parse_record(opened()), "tester")
    for r in records:
        agg.record(parse_record(r), "tester")
    return agg


def problem_fields(agg: Negotiation, record: dict[str, Any]) -> list[str]:
    return [p.field for p in agg.problems(parse_record(record))]


def test_negotiation_is_opened_once() -> None:
    assert problem_fields(negotiation(), opened(ref="again")) == ["negotiation"]


def test_actor_must_be_a_party_or_institution() -> None:
    agg = negotiation(tabled())
    assert problem_fields(agg, said("s", "USA", "2025-06-01", None)) == ["actor"]
    assert problem_fields(agg, said("s", "NATO", "2025-06-01", None)) == []
    assert problem_fields(agg, said("s", "EU", "2025-06-01", "supports")) == []


def test_position_needs_a_proposal_tabled_earlier_in_the_log() -> None:
    agg = negotiation()
    assert problem_fields(agg, said("s", "GBR", "2025-06-01", "supports")) == [
        "position.proposal"
    ]


def test_signoff_reservation_must_belong_to_a_signatory() -> None:
    agg = negotiation(tabled())
    record = signed("s", "2025-06-25", ["GBR"], reservations={"FRA": "x"})
    assert problem_fields(agg, record) == ["reservations.FRA"]
    assert problem_fields(agg, signed("s", "2025-06-25", ["USA"])) == ["signatories[0]"]


def test_refs_are_unique_but_identical_records_are_duplicates() -> None:
    agg = negotiation(tabled(), said("s", "GBR", "2025-06-01", "supports"))
    assert (
        agg.record(parse_record(said("s", "GBR", "2025-06-01", "supports")), "x")
        is None
    )
    assert problem_fields(agg, said("s", "GBR", "2025-06-02", "supports")) == ["ref"]


def test_retraction_targets() -> None:
    agg = negotiation(tabled(), said("s", "GBR", "2025-06-01", "supports"))
    assert problem_fields(agg, retracted("r", "open")) == ["target"]
    assert problem_fields(agg, retracted("r", "nope")) == ["target"]
    agg.record(parse_record(retracted("r", "s")), "x")
    assert problem_fields(agg, retracted("r2", "s")) == ["target"]
    assert problem_fields(agg, retracted("r2", "r")) == []


def test_corrections_cannot_target_record_events_or_change_identity() -> None:
    agg = negotiation(tabled(), said("s", "GBR", "2025-06-01", "supports"))
    agg.record(parse_record(retracted("r", "s")), "x")
    assert problem_fields(agg, corrected("c", "r", {"reason": "x"})) == ["target"]
    agg2 = negotiation(tabled(), pledged("p", "GBR", "2025-06-01", 3, 2030))
    assert problem_fields(agg2, corrected("c", "p", {"type": "x"})) == ["changes.type"]
    assert problem_fields(agg2, corrected("c", "tab", {"proposal": "q"})) == [
        "changes.proposal"
    ]


def test_corrected_event_must_still_be_valid_as_a_whole() -> None:
    agg = negotiation(tabled(), pledged("p", "GBR", "2025-06-01", 3, 2030))
    assert problem_fields(agg, corrected("c", "p", {"pct_gdp": 0})) == [
        "changes.pct_gdp"
    ]
    assert problem_fields(agg, corrected("c", "p", {"actor": "USA"})) == [
        "changes.actor"
    ]
    assert problem_fields(agg, corrected("c", "p", {"metric": None})) == [
        "changes.metric"
    ]
    assert problem_fields(agg, corrected("c", "p", {"note": None})) == []


def test_record_raises_with_the_field_at_fault() -> None:
    agg = negotiation()
    with pytest.raises(InvalidRecord, match="actor"):
        agg.record(parse_record(said("s", "USA", "2025-06-01", None)), "x")


def test_each_event_chains_to_the_previous_digest() -> None:
    agg = negotiation(tabled())
    events = agg.collect_events()
    assert len(events) == 2
    assert events[0].digest != events[1].digest
    assert agg.head == events[1].digest
