"""Catching up and rebuilding in many small batches: each batch writes its own
rows (the in-memory closes, the day rows' versions made, changed in place or
closed across batches, the evidence rows with and without conditions) and
the views hold exactly the rows one batch would have made."""

from __future__ import annotations

import uuid
from typing import Any
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.builders import opened, retracted, said, signed, tabled
from tests.cli.test_views import assert_tables_equal_the_fold_at_known_at_cuts
from tests.strategies import negotiation_log


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    events=negotiation_log(),
    data=st.data(),
    batch=st.integers(1, 4),
    slices=st.integers(1, 3),
)
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
                with recorder.unzeroed(c):
                    c.execute("PRAGMA secure_delete")
                    assert c.fetchone()[0] == 0
                c.execute("PRAGMA secure_delete")
                assert c.fetchone()[0] == was
            c.execute("PRAGMA secure_delete=1")
            try:
                with recorder.unzeroed(c):
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
