"""Persisted views: incremental catch-up equals a rebuild from scratch."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.builders import opened, pledged, said, signed, tabled
from tests.strategies import negotiation_log


def snapshot(summit: Any) -> dict[str, Any]:
    views = {
        v: summit.json(v, "prop")
        for v in ("stance", "consensus", "timeline", "delivery")
    }
    views["known"] = summit.json("stance", "prop", "--known-at", "2100-01-01T00:00:00Z")
    for year in ("2024", "2027"):
        views[f"spending {year}"] = summit.json("spending", "prop", "--year", year)
    return views


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(events=negotiation_log(), data=st.data())
def test_incremental_views_equal_a_rebuild(
    make_summit: Any, events: Any, data: Any
) -> None:
    assert_incremental_equals_rebuild(make_summit, events, data)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(events=negotiation_log(), data=st.data(), every=st.integers(1, 4))
def test_incremental_views_from_snapshot_books_equal_a_rebuild(
    make_summit: Any, events: Any, data: Any, every: int
) -> None:
    """Snapshots every few events: catching up seeds the negotiation's book
    from one (at, before or past the views' position) instead of refolding."""
    with patch("domain.snapshots.SNAPSHOT_EVERY", every):
        assert_incremental_equals_rebuild(make_summit, events, data)


def assert_incremental_equals_rebuild(make_summit: Any, events: Any, data: Any) -> None:
    summit = make_summit(f"views-{uuid.uuid4().hex[:8]}")
    cuts = sorted(
        data.draw(
            st.lists(
                st.integers(min_value=2, max_value=len(events)), max_size=3, unique=True
            )
        )
    )
    start = 0
    for cut in [*cuts, len(events)]:
        if cut > start:
            summit.load(events[start:cut])
            snapshot(summit)  # catches the views up, one slice at a time
            start = cut
    incremental = snapshot(summit)
    # The derived tables (no known-at) agree with a fold over the facts.
    folded = dict(incremental["known"], known_at=None)
    assert folded == incremental["stance"]
    for as_of in ("2025-06-05", "2025-06-20"):
        tables = summit.json("consensus", "prop", "--as-of", as_of)
        fold = summit.json(
            "consensus", "prop", "--as-of", as_of, "--known-at", "2100-01-01"
        )
        assert dict(fold, known_at=None) == tables
        tables = summit.json("delivery", "prop", "--as-of", as_of)
        fold = summit.json(
            "delivery", "prop", "--as-of", as_of, "--known-at", "2100-01-01"
        )
        assert dict(fold, known_at=None) == tables
    known = summit.json("delivery", "prop", "--known-at", "2100-01-01")
    assert dict(known, known_at=None) == incremental["delivery"]
    status = summit.json("views", "status")
    assert status["behind"] == 0 and status["rows"] == len(events)
    assert_tables_equal_the_fold_at_known_at_cuts(summit, data)
    # The tables as they stand (stance, consensus from its day rows, delivery)
    # give what a fold of the whole log gives, as of each date.
    for as_of in (None, "2025-06-05", "2025-06-20"):
        tables, fold = answers_at(summit, datetime(2100, 1, 1, tzinfo=UTC), as_of)
        assert tables == fold, as_of
    # Every view table (the consensus paths' day rows too), kept one slice at
    # a time, holds exactly what a refold of the whole log gives.
    summit.ok("audit", "verify")
    summit.ok("views", "rebuild")
    assert snapshot(summit) == incremental


def answers_at(summit: Any, instant: datetime, as_of: str | None) -> tuple[Any, Any]:
    """Stance, consensus and delivery at a known-at cut: from the views'
    tables (as every query reads them), and folded from the log's entries
    recorded by then (each an answer or the error's class and message)."""
    from cli.store import Store
    from projections.consensus import consensus_from
    from projections.history import load_history
    from projections.inputs import inputs_from_history
    from projections.reader import Reader
    from projections.spent import delivery_from, figures_from_history
    from projections.stance import stance_from

    def fold() -> dict[str, Any]:
        history = load_history(store.app(), "prop", known_at=instant)
        inputs = inputs_from_history(history, None, as_of)
        return {
            "stance": stance_from(inputs),
            "consensus": consensus_from(inputs),
            "delivery": delivery_from(inputs, figures_from_history(history, as_of)),
        }

    def tables() -> dict[str, Any]:
        reader = Reader(store)
        cut = {"as_of": as_of, "known_at": instant}
        return {
            "stance": reader.stance("prop", None, **cut),
            "consensus": reader.consensus("prop", None, **cut),
            "delivery": reader.delivery("prop", None, **cut),
        }

    def outcome(answer: Any) -> Any:
        try:
            found = answer()
        except Exception as e:
            return (type(e).__name__, str(e))
        for view in found.values():  # the cut-offs as given differ by path
            view.update(as_of=None, known_at=None)
        return found

    store = Store(summit.store)
    try:
        return outcome(tables), outcome(fold)
    finally:
        store.close()


def assert_tables_equal_the_fold_at_known_at_cuts(summit: Any, data: Any) -> None:
    """At random known-at cuts (each a recorded_at of the log, or just before
    one), the versioned derived tables give what a fold over the entries
    known then gives."""
    lines = summit.ok("export", "prop").stdout.splitlines()
    stamps = [
        datetime.fromisoformat(json.loads(line)["_recorded"]["at"]) for line in lines
    ]
    picks = data.draw(
        st.lists(st.tuples(st.sampled_from(stamps), st.booleans()), max_size=3)
    )
    for stamp, before in picks:
        instant = stamp - timedelta(microseconds=1) if before else stamp
        as_of = data.draw(st.sampled_from([None, "2025-06-05", "2025-06-20"]))
        tables, fold = answers_at(summit, instant, as_of)
        assert tables == fold, (instant, as_of)


def write_without_catching_up(store: str, *records: dict[str, Any]) -> None:
    """Append to the log as a writer that stopped before catching the views up."""
    import io

    from cli.store import Store
    from domain.jsonlines import parse_lines

    text = "".join(json.dumps(r) + "\n" for r in records)
    opened_store = Store(store)
    try:
        lines = list(parse_lines(io.StringIO(text), "-"))
        opened_store.app(write=True).record_lines(lines, "tester")
    finally:
        opened_store.close()


def test_status_shows_how_far_behind_the_views_are(summit: Any) -> None:
    summit.load([opened(), tabled()])
    # Writers catch the views up on every backend alike (issue 15 item 17);
    # a writer that stops before catching up leaves them behind.
    assert summit.json("views", "status")["behind"] == 0
    write_without_catching_up(summit.store, said("a", "GBR", "2025-06-10", "supports"))
    write_without_catching_up(summit.store, said("b", "FRA", "2025-06-10", "opposes"))
    assert summit.json("views", "status")["behind"] == 2
    summit.json("stance", "t")
    assert summit.json("views", "status") == {
        "log_head": 4,
        "views_position": 4,
        "behind": 0,
        "rows": 4,
        "matches_log": True,
        "difference": None,
    }


def test_views_ahead_of_the_log_reveal_deleted_last_events(summit: Any) -> None:
    if not summit.store.endswith(".db"):
        return
    import sqlite3

    summit.load([opened(), tabled(), said("a", "GBR", "2025-06-10", "supports")])
    summit.json("stance", "t")
    c = sqlite3.connect(summit.store)
    with c:
        c.execute("DELETE FROM stored_events WHERE rowid=3")
    c.close()
    result = summit.run("audit", "verify")
    assert result.exit_code == 1 and "position 3" in result.stderr
    query = summit.run("stance", "t")
    assert query.exit_code == 1 and "removed from the end" in query.stderr


def test_queries_read_only_the_negotiation_asked_about(summit: Any) -> None:
    summit.load([opened(), tabled()])
    summit.load([{**opened(), "negotiation": "other"}])
    timeline = summit.json("timeline", "t")
    assert {e["event"]["negotiation"] for e in timeline["events"]} == {"t"}
    lines = summit.ok("export", "other").stdout.splitlines()
    assert [json.loads(x)["negotiation"] for x in lines] == ["other"]


def test_the_views_keep_no_second_copy_of_a_record(summit: Any) -> None:
    # The facts table keeps keys and the columns queries filter on; a record's
    # text is stored once, in the log (queries read it there by position).
    marker = f"unique-{uuid.uuid4().hex}"
    statement = said("a", "GBR", "2025-06-10", "supports")
    summit.load([opened(), tabled(), {**statement, "summary": marker}])
    timeline = summit.json("timeline", "t")
    assert [e["event"].get("summary") for e in timeline["events"]][-1] == marker
    if summit.store.endswith(".db"):
        import sqlite3

        from domain.stored import plain_state

        c = sqlite3.connect(summit.store)
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        log = b"".join(
            plain_state(r[0]) for r in c.execute("SELECT state FROM stored_events")
        )
        c.close()
        with open(summit.store, "rb") as f:  # the log's copy is compressed
            assert f.read().count(marker.encode()) + log.count(marker.encode()) == 1
    else:
        import psycopg

        url, _, query = summit.store.partition("?")
        schema = dict(p.split("=", 1) for p in query.split("&") if p).get(
            "schema", "public"
        )
        with psycopg.connect(url) as conn:
            rows = conn.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'summit_facts' AND table_schema = %s",
                (schema,),
            ).fetchall()
        assert rows and "record" not in {r[0] for r in rows}


def test_views_of_an_older_layout_are_refolded_on_the_next_query(
    summit: Any,
) -> None:
    # The previous summit kept `since` in each evidence row and no versions:
    # such views carry the current tracking name but other columns, and the
    # next query drops and refolds them (a query on the old columns would fail).
    from tests.tamper import sql

    summit.load([opened(), tabled(), said("a", "GBR", "2025-06-10", "supports")])
    before = summit.json("stance", "t")
    sql(summit.store, "ALTER TABLE summit_evidence DROP COLUMN known_to")
    sql(summit.store, "ALTER TABLE summit_evidence ADD COLUMN since TEXT")
    sql(summit.store, "DELETE FROM summit_evidence")
    assert summit.json("stance", "t") == before
    assert summit.json("views", "status")["matches_log"] is True
    evidence = sql(summit.store, "SELECT ref, known_to FROM summit_evidence")
    assert evidence == [("a", None)]


def test_view_rows_keep_every_character_and_figure_as_recorded(summit: Any) -> None:
    """View rows are written in bulk (PostgreSQL: by COPY, whose text form
    escapes a backslash, a tab, a newline and spells NULL `\\N`): what a
    query reads back is what was recorded, before and after a rebuild."""
    odd = 'tab\there \\N back\\slash "quoted" ünïcode 五\nsecond line'
    summit.load(
        [
            opened(),
            tabled(),
            said(
                "a",
                "GBR",
                "2025-06-26",  # after the sign-off: GBR's latest evidence
                None,
                position={"proposal": "p5", "stance": "conditional", "conditions": odd},
            ),
            pledged("b", "FRA", "2025-06-11", 2.15, 2030),
            signed("c", "2025-06-25", reservations={"DEU": odd}),
        ]
    )

    def read() -> tuple[Any, ...]:
        view = summit.json("stance", "t", "-p", "p5")
        allies = {a["ally"]: a for a in view["allies"]}
        return (
            allies["DEU"]["conditions"],
            allies["GBR"]["conditions"],
            allies["FRA"]["pledges"][0]["pct_gdp"],
            summit.json("consensus", "t", "-p", "p5"),
        )

    before = read()
    assert before[:3] == (odd, odd, 2.15)
    summit.ok("views", "rebuild")
    assert read() == before
