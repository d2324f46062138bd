"""SPEC §2 field rules: each with a failing example, checked before storing."""

from __future__ import annotations

from typing import Any

import pytest

from domain.interchange import record_problems
from tests.builders import opened, pledged, retracted, said, signed, tabled


def fields(record: dict[str, Any]) -> list[str]:
    _, problems = record_problems(record)
    return [p.field for p in problems]


def test_a_valid_record_is_normalised_with_defaults() -> None:
    record, problems = record_problems(pledged("p", "GBR", "2025-01-01", 3, 2030))
    assert problems == []
    assert record is not None
    assert record["firmness"] == "commitment"
    assert record["source"]["reliability"] == "on-record"
    assert list(record)[:4] == ["type", "negotiation", "ref", "occurred_on"]


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({**opened(), "colour": "red"}, "colour"),
        (opened(title="  "), "title"),
        (opened(occurred_on="2025-13-01"), "occurred_on"),
        (opened(occurred_on=20250101), "occurred_on"),
        (opened(parties=["GBR", "GBR"]), "parties"),
        (opened(parties=[]), "parties"),
        (opened(parties="everyone"), "parties"),
        (opened(negotiation="Bad Slug"), "negotiation"),
        (opened(ref="-starts-with-dash"), "ref"),
        (opened(ref="x" * 81), "ref"),
        (tabled(targets=[]), "targets"),
        (tabled(by="nato"), "by"),
        (pledged("p", "GBR", "2025-01-01", True, 2030), "pct_gdp"),
        (pledged("p", "GBR", "2025-01-01", "3.5", 2030), "pct_gdp"),
        (pledged("p", "GBR", "2025-01-01", 0, 2030), "pct_gdp"),
        (pledged("p", "GBR", "2025-01-01", 100.01, 2030), "pct_gdp"),
        (pledged("p", "GBR", "2025-01-01", 3, 1999), "by_year"),
        (pledged("p", "GBR", "2025-01-01", 3, 2030.0), "by_year"),
        (pledged("p", "NATO", "2025-01-01", 3, 2030), "actor"),
        (pledged("p", "GBR", "2025-01-01", 3, 2030, firmness="hope"), "firmness"),
        (said("s", "GBR", "2025-01-01", "unknown"), "position.stance"),
        ({**said("s", "GBR", "2025-01-01", None), "source": None}, "source"),
        ({**said("s", "GBR", "2025-01-01", None), "source": {}}, "source"),
        (said("s", "GBR", "2025-01-01", None, speaker=""), "speaker"),
        (signed("x", "2025-01-01", classified=1), "classified"),
        (signed("x", "2025-01-01", signatories=["GBR", "GBR"]), "signatories"),
        ({**retracted("r", "a"), "occurred_on": "2025-01-01"}, "occurred_on"),
        ({"type": "thing.happened", "negotiation": "t"}, "type"),
        ({"negotiation": "t"}, "type"),
    ],
)
def test_invalid_field_is_named(record: dict[str, Any], field: str) -> None:
    assert field in fields(record)


def test_null_in_an_optional_field_means_absent() -> None:
    record, problems = record_problems(said("s", "GBR", "2025-01-01", None, role=None))
    assert problems == [] and record is not None and "role" not in record


def test_recorded_object_is_ignored_on_input() -> None:
    data = {**opened(), "_recorded": {"at": "x", "by": "y", "position": 1}}
    record, problems = record_problems(data)
    assert problems == [] and record is not None and "_recorded" not in record
