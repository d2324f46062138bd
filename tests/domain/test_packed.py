"""An import packs its record books as it goes: every outcome is as unpacked.

The books are packed every SPOOL_EVERY input lines (`domain.packed`); here
they are packed after every line or two, in buckets of a few bytes (split
often), and each import must store, skip and refuse exactly what it does
with the books kept whole in memory.
"""

from __future__ import annotations

from typing import Any

import pytest

from domain import application, packed, snapshots
from domain.application import Summit
from domain.errors import InvalidInput
from domain.interchange import Line, parse_record
from domain.packed import Refs
from tests.builders import NEG, corrected, opened, pledged, retracted, said, tabled

INPUT = [
    opened(),
    tabled(),
    said("s-fra", "FRA", "2025-06-02", "opposes"),
    pledged("pl", "GBR", "2025-06-03", 2.5, 2030),
    *(said(f"s{i}", "GBR", "2025-06-05", "undecided") for i in range(30)),
    corrected("c-pl", "pl", {"pct_gdp": 3.0}),  # reads pl back from the file
    corrected("c-pl-2", "pl", {"by_year": 2035}),
    retracted("r-tab", "tab"),
    retracted("r-r-tab", "r-tab"),  # restores the tabling: reads its record
    said("s-deu", "DEU", "2025-06-04", "supports"),
    retracted("r-deu", "s-deu"),
    corrected("c-fra", "s-fra", {"actor": "DEU"}),
    retracted("r-c-pl", "c-pl"),
]

# Refused lines: each problem's line and field must be the same packed or not.
BAD = [
    *INPUT[:6],
    said("s0", "GBR", "2025-06-05", "undecided"),  # repeated (recorded first)
    said("s-x", "ESP", "2025-06-05", "supports"),  # not a party
    said("s-x", "FRA", "2025-06-05", "supports"),  # repeated (refused first)
    corrected("c-fra", "s-fra", {"actor": "ESP"}),  # not a party, read back
    tabled(ref="tab-2"),  # p5 is tabled already
    retracted("r-tab", "tab"),
    retracted("r-tab-2", "tab"),  # already retracted
    tabled(ref="tab-3"),  # p5 is free again
]


def _lines(records: list[dict[str, Any]]) -> list[Line]:
    return [Line(i, parse_record(r)) for i, r in enumerate(records, start=1)]


def _app() -> Summit:
    return Summit(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def _book(app: Summit, negotiation: str = NEG) -> list[Any]:
    agg = app.negotiation(negotiation)
    assert agg is not None
    return [
        (e.ref, e.type, e.seq, e.retracted, e.corrections, e.record)
        for e in (agg.book.entries[ref] for ref in sorted(agg.book.entries))
    ]


def _problems(records: list[dict[str, Any]], app: Summit) -> list[Any]:
    with pytest.raises(InvalidInput) as caught:
        app.record_lines(_lines(records), "tester")
    return [(p.line, p.field, p.reason) for p in caught.value.problems]


@pytest.fixture(params=[1, 2, 3], ids=lambda n: f"packed every {n}")
def packing(request: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(application, "SPOOL_EVERY", request.param)
    monkeypatch.setattr(packed, "BUCKET_BYTES", 16)
    monkeypatch.setattr(packed, "INDEX_BUDGET", 0)  # park every book not in use
    monkeypatch.setattr(snapshots, "SNAPSHOT_EVERY", 5)  # of packed books, parked


def _unpacked(run: Any) -> Any:
    with pytest.MonkeyPatch.context() as m:
        m.setattr(application, "SPOOL_EVERY", 10**6)
        return run()


def test_an_import_packed_as_it_goes_stores_what_it_would_whole(packing: None) -> None:
    app, whole = _app(), _unpacked(_app)
    report = app.record_lines(_lines(INPUT), "tester")
    _unpacked(lambda: whole.record_lines(_lines(INPUT), "tester"))
    assert report.stored == [r["ref"] for r in INPUT]
    assert _book(app) == _book(whole)
    again = app.record_lines(_lines(INPUT[:10]), "tester")  # skipped, packed
    assert again.stored == [] and again.skipped == [r["ref"] for r in INPUT[:10]]


def test_an_import_packed_as_it_goes_refuses_what_it_would_whole(
    packing: None,
) -> None:
    expected = _unpacked(lambda: _problems(BAD, _app()))
    found = _problems(BAD, _app())
    assert found == expected
    assert (7, "ref", "'s0' is repeated in this input (first on line 5)") in found
    assert (9, "ref", "'s-x' is repeated in this input (first on line 8)") in found
    assert [line for line, *_ in found] == [7, 8, 9, 10, 11, 13]


def test_a_ref_skipped_then_given_again_is_repeated(packing: None) -> None:
    app = _app()
    app.record_lines(_lines(INPUT[:8]), "tester")
    again = [*INPUT[4:8], said("s9", "GBR", "2025-06-05", "undecided"), INPUT[5]]
    assert _problems(again, app) == [
        (6, "ref", "'s1' is repeated in this input (first on line 2)")
    ]


def test_refs_kept_as_text_read_as_a_list() -> None:
    refs = Refs(f"r{i}" for i in range(2500))
    assert len(refs) == 2500 and refs[0] == "r0" and refs[-1] == "r2499"
    assert refs == [f"r{i}" for i in range(2500)] and refs != ["r0"]
    more = Refs(["x"])  # as `record` lists what it stored and skipped
    assert refs + more == [*(f"r{i}" for i in range(2500)), "x"]
    assert not Refs() and Refs() == []


def _elsewhere(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "negotiation": "u"}


def test_books_parked_while_others_are_used_are_read_back(packing: None) -> None:
    # Lines alternate between two negotiations in runs of five: each book is
    # parked while the other is used, and read back when its lines return.
    runs = [INPUT[i : i + 5] for i in range(0, len(INPUT), 5)]
    mixed = [r for run in runs for r in (*run, *map(_elsewhere, run))]
    app, whole = _app(), _unpacked(_app)
    report = app.record_lines(_lines(mixed), "tester")
    _unpacked(lambda: whole.record_lines(_lines(mixed), "tester"))
    assert len(report.stored) == len(mixed)
    assert _book(app) == _book(whole)
    assert _book(app, "u") == _book(whole, "u")
    bad = [*mixed, _elsewhere(corrected("c-x", "pl", {"actor": "ESP"})), INPUT[3]]
    expected = _unpacked(lambda: _problems(bad, _app()))
    assert _problems(bad, _app()) == expected and len(expected) == 2
