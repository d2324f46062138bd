"""Catching up and rebuilding in many small batches: each batch writes its own
rows (the in-memory closes, the day rows' versions made, changed in place or
closed across batches, the evidence rows with and without conditions) and
the views hold exactly the rows one batch would have made."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.builders import opened, retracted, said, signed, tabled
from tests.cli.test_views import assert_tables_equal_the_fold_at_known_at_cuts
from tests.strategies import negotiation_log
from tests.tamper import sql

# Logs loaded in slices, caught up in batches of 1 to 4 entries.
SLOW = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
LOGS = {
    "events": negotiation_log(),
    "data": st.data(),
    "batch": st.integers(1, 4),
    "slices": st.integers(1, 3),
}


@settings(SLOW, max_examples=25)
@given(**LOGS)
def test_views_written_in_small_batches_hold_the_rows_of_one(
    make_summit: Any, events: Any, data: Any, batch: int, slices: int
) -> None:
    summit = make_summit(f"batches-{uuid.uuid4().hex[:8]}")
    step = max(1, len(events) // slices)
    with patch("projections.tables.catchup.BATCH", batch):
        for start in range(0, len(events), step):
            summit.load(events[start : start + step])  # each catches up
    # `audit verify` refolds the whole log in one batch and compares every
    # view table's rows (the day rows too) with the stored ones.
    summit.ok("audit", "verify")
    assert_tables_equal_the_fold_at_known_at_cuts(summit, data)
    with (
        patch("projections.tables.catchup.BATCH", batch),
        patch("projections.tables.catchup.REBUILD_FACTOR", 1),
    ):
        summit.ok("views", "rebuild")  # from empty, in batches, indexed after
    summit.ok("audit", "verify")
    assert_tables_equal_the_fold_at_known_at_cuts(summit, data)


@settings(SLOW, max_examples=20)
@given(**LOGS, ticks=st.lists(st.sampled_from([0, 1, 1000]), min_size=1, max_size=40))
def test_views_hold_the_rows_of_one_batch_when_recording_instants_tie(
    make_summit: Any, events: Any, data: Any, batch: int, slices: int, ticks: list[int]
) -> None:
    # A clock that stalls or moves by a microsecond: several entries share
    # an instant (a version closed at the instant it was made, made again).
    import eventsourcing.domain

    now, calls = [datetime(2026, 1, 1, tzinfo=UTC)], [0]

    def clock() -> datetime:
        now[0] += timedelta(microseconds=ticks[calls[0] % len(ticks)])
        calls[0] += 1
        return now[0]

    summit = make_summit(f"ties-{uuid.uuid4().hex[:8]}")
    step = max(1, len(events) // slices)
    with (
        patch.object(eventsourcing.domain, "datetime_now_with_tzinfo", clock),
        patch("projections.tables.catchup.BATCH", batch),
    ):
        for start in range(0, len(events), step):
            summit.load(events[start : start + step])
    summit.ok("audit", "verify")
    assert_day_texts_hold_their_ref_rows(summit)
    assert_tables_equal_the_fold_at_known_at_cuts(summit, data)
    summit.ok("views", "rebuild")
    summit.ok("audit", "verify")
    assert_day_texts_hold_their_ref_rows(summit)


def assert_day_texts_hold_their_ref_rows(summit: Any) -> None:
    """Each day's text (`summit_dayrefs`) is its current ref rows joined in
    key order, and at every cut around the instants its rows hold, the text
    where `changed` allows it is what the rows visible then give."""
    refs = sql(
        summit.store,
        "SELECT id, day, position, known_from, known_to, ref FROM summit_refs",
    )
    rows_of: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for row in refs:
        rows_of[(row[0], row[1])].append(row)
    texts = sql(summit.store, "SELECT id, day, changed, refs FROM summit_dayrefs")
    assert set(rows_of) <= {(t[0], t[1]) for t in texts}
    for path, day, changed, text in texts:
        rows = sorted(rows_of.get((path, day), []), key=lambda r: (r[2], r[3]))
        assert text == " ".join(r[5] for r in rows if r[4] is None)
        instants = {r[3] for r in rows} | {r[4] for r in rows if r[4] is not None}
        for cut in {i + d for i in instants | {changed} for d in (-1, 0, 1)}:
            seen = " ".join(
                r[5] for r in rows if r[3] <= cut and (r[4] is None or r[4] > cut)
            )
            assert (text if changed <= cut else seen) == seen, (path, day, cut)


def test_the_views_writer_frees_pages_unzeroed_and_restores_the_setting(
    summit: Any,
) -> None:
    if not summit.store.endswith(".db"):
        return  # PostgreSQL: nothing to set
    from cli.store import Store

    summit.load([opened(), tabled(), said("a", "GBR", "2025-06-10", "supports")])
    store = Store(summit.store)
    try:
        recorder = store.tables().recorder(store.app(write=True))
        with recorder.datastore.transaction(commit=False) as c:
            for was in (1, 0, 2):
                c.execute(f"PRAGMA secure_delete={('OFF', 'ON', 'FAST')[was]}")
                with recorder.writing(c):
                    c.execute("PRAGMA secure_delete")
                    assert c.fetchone()[0] == 0
                c.execute("PRAGMA secure_delete")
                assert c.fetchone()[0] == was
            c.execute("PRAGMA secure_delete=1")
            try:
                with recorder.writing(c):
                    raise KeyboardInterrupt
            except KeyboardInterrupt:
                pass
            c.execute("PRAGMA secure_delete")
            assert c.fetchone()[0] == 1
    finally:
        store.close()
    summit.ok("views", "rebuild")
    summit.ok("audit", "verify")


def test_signoffs_with_and_without_reservations_rebuild_alike(summit: Any) -> None:
    """Evidence rows with conditions and without (written by two statements)
    and one closed in the batch that made it come back from a rebuild."""
    summit.load(
        [
            opened(),
            tabled(),
            signed("s1", "2025-06-12", "all", reservations={"FRA": "budget"}),
            said("a", "GBR", "2025-06-13", "opposes"),
            retracted("r1", "s1"),
            signed("s2", "2025-06-14", ["DEU", "FRA"], reservations={"DEU": "vote"}),
        ]
    )
    before = summit.json("stance", "t")
    with patch("projections.tables.catchup.BATCH", 2):
        summit.ok("views", "rebuild")  # in batches of 8
    assert summit.json("stance", "t") == before
    allies = {a["ally"]: a for a in before["allies"]}
    assert allies["DEU"]["stance"] == "conditional"
    assert allies["FRA"]["stance"] == "supports"
    summit.ok("audit", "verify")
