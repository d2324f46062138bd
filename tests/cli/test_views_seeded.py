"""Catching the views up from a snapshot's record book, not a refold of the
negotiation (`projections/tables/books.py`): the rows are the log's."""

from __future__ import annotations

import json
from typing import Any
from unittest.mock import patch

from tests.builders import NEG, corrected, opened, retracted, said, tabled


def _said(i: int) -> dict[str, Any]:
    return said(f"s{i}", "GBR", "2025-06-10", "supports")


def test_writes_catch_the_views_up_from_the_snapshot_book(summit: Any) -> None:
    with patch("domain.snapshots.SNAPSHOT_EVERY", 3):
        summit.load([opened(), tabled(), *map(_said, range(5))])  # snapshot at 7
        writes = [
            _said(5),  # the snapshot at the views' last version
            retracted("r-s1", "s1"),  # a world event woken from the snapshot
            _said(6),  # a new snapshot (10) ahead of the views (9): world events
            corrected(
                "c-s2", "s2", {"position": {"proposal": "p5", "stance": "opposes"}}
            ),
            retracted("r-c-s2", "c-s2"),
            _said(7),
            retracted("r-r-s1", "r-s1"),  # restores s1 from the snapshot
        ]
        refolded: list[str] = []
        with patch(
            "projections.tables.catchup.Derived.committed",
            lambda _, negotiation: refolded.append(negotiation) or iter(()),
        ):
            for record in writes:
                result = summit.ok("record", "--json", json.dumps(record))
                assert "views not caught up" not in result.stderr
        assert refolded == []
        # An import past a snapshot, with record events between: refolded.
        summit.load([*map(_said, range(8, 12)), retracted("r-s9", "s9")])
    status = summit.json("views", "status")
    assert status["matches_log"] and status["behind"] == 0, status
    incremental = summit.json("stance", NEG, "-p", "p5")
    summit.ok("views", "rebuild")
    assert summit.json("stance", NEG, "-p", "p5") == incremental


def test_a_seeded_book_reads_positions_only_when_needed(summit: Any) -> None:
    from cli.store import Store
    from projections.tables.books import seeded_book

    with patch("domain.snapshots.SNAPSHOT_EVERY", 2):
        summit.load([opened(), tabled(), *map(_said, range(3))])
    store = Store(summit.store)
    try:
        app = store.app(write=True)
        recorder = store.tables().recorder(app)
        seeded = seeded_book(recorder, app, NEG)
        assert seeded is not None and seeded.last == 5 and seeded.ahead == 0
        assert seeded.book.entries["s1"].position == 0  # read only when needed
        assert "nope" not in seeded.book.entries
    finally:
        store.close()


def test_a_record_reads_the_negotiation_from_its_snapshot_once(summit: Any) -> None:
    """The catch-up after a `record` starts from the negotiation as the write
    left it (`Summit.written`), not from its snapshot read a second time."""
    import domain.snapshots

    with patch("domain.snapshots.SNAPSHOT_EVERY", 3):
        summit.load([opened(), tabled(), *map(_said, range(5))])  # snapshot at 7
    reads: list[Any] = []
    real = domain.snapshots._from_snapshot

    def counted(app: Any, aggregate_id: Any) -> Any:
        reads.append(aggregate_id)
        return real(app, aggregate_id)

    refolded: list[str] = []
    with (
        patch("domain.snapshots._from_snapshot", counted),
        patch(
            "projections.tables.catchup.Derived.committed",
            lambda _, negotiation: refolded.append(negotiation) or iter(()),
        ),
    ):
        result = summit.ok("record", "--json", json.dumps(_said(5)))
        assert "views not caught up" not in result.stderr
        assert len(reads) == 1 and refolded == []
        # A retraction is not applied ahead of the views: the snapshot serves.
        result = summit.ok("record", "--json", json.dumps(retracted("r-s1", "s1")))
        assert "views not caught up" not in result.stderr
        assert len(reads) == 3 and refolded == []
    status = summit.json("views", "status")
    assert status["matches_log"] and status["behind"] == 0, status
    incremental = summit.json("stance", NEG, "-p", "p5")
    summit.ok("views", "rebuild")
    assert summit.json("stance", NEG, "-p", "p5") == incremental
