"""A negotiation read from its snapshot validates exactly as one replayed whole."""

from __future__ import annotations

from typing import Any

import pytest

from domain import snapshots
from domain.application import Summit
from domain.interchange import Line, parse_record
from domain.negotiation import Negotiation
from tests.builders import NEG, corrected, opened, pledged, retracted, said, tabled


def _lines(*records: dict[str, Any]) -> list[Line]:
    return [Line(i, parse_record(r)) for i, r in enumerate(records, start=1)]


HISTORY = [
    opened(),
    tabled(),
    said("s-fra", "FRA", "2025-06-02", "opposes"),
    pledged("pl", "GBR", "2025-06-03", 2.5, 2030),
    corrected("c-pl", "pl", {"pct_gdp": 3.0}),
    retracted("r-tab", "tab"),
    retracted("r-r-tab", "r-tab"),  # restores the tabling
    said("s-deu", "DEU", "2025-06-04", "supports"),
    retracted("r-deu", "s-deu"),
    *(said(f"s{i}", "GBR", "2025-06-05", "undecided") for i in range(110)),
]

# What a writer may try next: each is checked against both books.
NEXT = [
    tabled(ref="tab-2"),  # the restored tabling still holds p5
    retracted("r-r-r-tab", "r-r-tab"),
    retracted("r-deu-2", "s-deu"),  # already retracted
    corrected("c-pl-2", "pl", {"by_year": 2035}),  # reads the stored record
    corrected("c-fra", "s-fra", {"actor": "ESP"}),  # not a party
    retracted("r-c-pl", "c-pl"),
    said("s-new", "FRA", "2025-06-06", "supports"),
    said("s-fra", "FRA", "2025-06-02", "opposes"),  # a duplicate: skipped
    said("s-fra", "FRA", "2025-06-02", "supports"),  # same ref, other content
    pledged("pl", "GBR", "2025-06-03", 2.5, 2030),  # duplicate of the original
]


@pytest.fixture
def app() -> Summit:
    summit = Summit(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    summit.record_lines(_lines(*HISTORY), "tester")
    return summit


def _replayed(app: Summit) -> Negotiation:
    kept, app.snapshots = app.snapshots, None
    try:
        agg = app.negotiation(NEG)
    finally:
        app.snapshots = kept
    assert agg is not None
    return agg


def _outcome(agg: Negotiation, record: dict[str, Any]) -> Any:
    parsed = parse_record(record)
    from domain.negotiation import with_ref

    normal = with_ref(agg.book.normalise(parsed))
    return agg.book.is_duplicate(normal), agg.problems(parsed)


def test_a_snapshot_is_taken_and_read_back(app: Summit) -> None:
    restored = app.negotiation(NEG)
    assert restored is not None
    assert app.snapshot_versions[NEG] == len(HISTORY) >= snapshots.SNAPSHOT_EVERY
    replayed = _replayed(app)
    assert restored.version == replayed.version and restored.head == replayed.head
    assert restored.book.proposals == replayed.book.proposals
    assert restored.book.parties == replayed.book.parties
    for record in NEXT:
        assert _outcome(restored, record) == _outcome(replayed, record), record
    for ref, entry in replayed.book.entries.items():
        again = restored.book.entries[ref]
        assert (again.type, again.seq, again.retracted, again.corrections) == (
            entry.type,
            entry.seq,
            entry.retracted,
            entry.corrections,
        )
        assert again.record == entry.record


def test_writes_after_a_snapshot_continue_the_same_chain(app: Summit) -> None:
    report = app.record_lines(_lines(NEXT[6], NEXT[7], NEXT[9]), "tester")
    assert report.stored == ["s-new"] and report.skipped == ["s-fra", "pl"]
    restored = app.negotiation(NEG)
    replayed = _replayed(app)
    assert restored is not None
    assert (restored.version, restored.head) == (replayed.version, replayed.head)


def test_a_snapshot_that_does_not_fit_the_log_is_ignored(app: Summit) -> None:
    app.record_lines(_lines(NEXT[6]), "tester")  # one more, no new snapshot
    agg = app.negotiation(NEG)
    assert agg is not None and app.snapshot_versions[NEG] == agg.version - 1
    agg.head = "0" * 64  # as if taken from another log
    assert app.snapshots is not None
    app.snapshots.put([Negotiation.Snapshot.take(agg)])
    assert app.negotiation(NEG).head == _replayed(app).head  # type: ignore[union-attr]
    assert app.snapshot_versions[NEG] == 0  # read by replaying every event
