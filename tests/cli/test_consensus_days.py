"""The consensus path read from its day rows (`projections/tables/days.py`):
each case is loaded one event at a time (the views caught up after each),
and at every instant of its log, as of several dates, the rows give what a
fold over the evidence known then gives; `audit verify` proves the rows
kept incrementally are those a refold of the log makes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from tests.builders import (
    NEG,
    corrected,
    opened,
    retracted,
    said,
    signed,
    tabled,
)
from tests.tamper import sql

AS_OF = (None, "2025-06-09", "2025-06-10", "2025-06-12", "2025-06-15")


def load_one_by_one(summit: Any, *records: dict[str, Any]) -> None:
    summit.load([opened(), tabled()])
    for record in records:
        summit.load([record])
        summit.json("consensus", NEG)  # the views caught up, one event at a time


def consensus_at(summit: Any, instant: datetime, as_of: str | None) -> Any:
    """The consensus at a cut from the day rows, and folded from the log."""
    from cli.store import Store
    from projections.consensus import consensus_from
    from projections.history import load_history
    from projections.inputs import inputs_from_history
    from projections.reader import Reader

    store = Store(summit.store)
    try:
        tables = Reader(store).consensus(NEG, None, as_of=as_of, known_at=instant)
        history = load_history(store.app(), NEG, known_at=instant)
        folded = consensus_from(inputs_from_history(history, None, as_of))
    finally:
        store.close()
    tables.update(as_of=None, known_at=None)
    return tables, folded


def assert_rows_match_the_fold(summit: Any) -> None:
    lines = summit.ok("export", NEG).stdout.splitlines()
    stamps = [datetime.fromisoformat(json.loads(x)["_recorded"]["at"]) for x in lines]
    for stamp in stamps[2:]:
        for instant in (stamp - timedelta(microseconds=1), stamp):
            for as_of in AS_OF:
                tables, folded = consensus_at(summit, instant, as_of)
                assert tables == folded, (instant, as_of)
    summit.ok("audit", "verify")


def path_of(summit: Any, *args: str) -> list[tuple[str, list[int], list[str]]]:
    found = summit.json("consensus", NEG, *args)
    return [(s["on"], list(s["counts"].values()), s["refs"]) for s in found["path"]]


def test_back_dated_evidence_moves_its_day_and_the_partys_next(summit: Any) -> None:
    load_one_by_one(
        summit,
        said("a", "DEU", "2025-06-10", "supports"),
        said("b", "FRA", "2025-06-12", "opposes"),
        said("c", "DEU", "2025-06-05", "opposes"),  # before DEU's day: back-dated
        said("d", "GBR", "2025-06-11", "supports"),
        said("e", "DEU", "2025-06-08", "opposes"),  # changes no day's counts
    )
    assert path_of(summit) == [
        ("2025-06-05", [0, 0, 0, 1, 2], ["c"]),
        ("2025-06-10", [1, 0, 0, 0, 2], ["a"]),
        ("2025-06-11", [2, 0, 0, 0, 1], ["d"]),
        ("2025-06-12", [2, 0, 0, 1, 0], ["b"]),
    ]
    assert path_of(summit, "--as-of", "2025-06-10") == path_of(summit)[:2]
    assert_rows_match_the_fold(summit)


def test_retracted_and_corrected_evidence_move_the_path(summit: Any) -> None:
    load_one_by_one(
        summit,
        said("a", "DEU", "2025-06-10", "supports"),
        said("b", "DEU", "2025-06-12", "opposes"),
        said("c", "FRA", "2025-06-12", "supports"),
        retracted("r1", "b"),
        corrected("k1", "a", {"occurred_on": "2025-06-13"}),
        corrected("k2", "c", {"position": {"proposal": "p5", "stance": "undecided"}}),
        retracted("r2", "k1"),  # the correction itself: back to 2025-06-10
        said("d", "GBR", "2025-06-09", "opposes"),
        retracted("r3", "d"),  # its day's only evidence: the day moves nothing
    )
    assert path_of(summit) == [
        ("2025-06-10", [1, 0, 0, 0, 2], ["a"]),
        ("2025-06-12", [1, 0, 1, 0, 1], ["c"]),
    ]
    assert_rows_match_the_fold(summit)


def test_evidence_of_one_day_counts_at_its_end(summit: Any) -> None:
    load_one_by_one(
        summit,
        said("a", "DEU", "2025-06-10", "supports"),
        said("b", "DEU", "2025-06-10", "opposes"),
        said("c", "FRA", "2025-06-10", "supports"),
        said("d", "GBR", "2025-06-11", "supports"),
        said("e", "GBR", "2025-06-11", "opposes"),
        said("f", "GBR", "2025-06-11", "supports"),  # back where it began the day
        said("g", "FRA", "2025-06-12", "opposes"),
        said("h", "FRA", "2025-06-12", "supports"),  # the day ends as it began
    )
    assert path_of(summit) == [
        ("2025-06-10", [1, 0, 0, 1, 1], ["a", "b", "c"]),
        ("2025-06-11", [2, 0, 0, 1, 0], ["d", "e", "f"]),
    ]
    assert_rows_match_the_fold(summit)


def test_signoffs_of_several_signatories(summit: Any) -> None:
    load_one_by_one(
        summit,
        said("a", "GBR", "2025-06-09", "opposes"),
        signed("s1", "2025-06-12", ["DEU", "FRA"], reservations={"FRA": "budget"}),
        said("b", "DEU", "2025-06-14", "undecided"),
        signed("s2", "2025-06-10", "all"),  # back-dated, every party
        retracted("r1", "s1"),
        said("c", "GBR", "2025-06-15", "supports"),
    )
    consensus = summit.json("consensus", NEG)
    assert consensus["reached_on"] is None and consensus["holdouts"] == ["DEU"]
    assert path_of(summit) == [
        ("2025-06-09", [0, 0, 0, 1, 2], ["a"]),
        ("2025-06-10", [3, 0, 0, 0, 0], ["s2"]),
        ("2025-06-14", [2, 0, 1, 0, 0], ["b"]),
    ]
    assert summit.json("consensus", NEG, "--as-of", "2025-06-12")["reached_on"] == (
        "2025-06-10"
    )
    assert_rows_match_the_fold(summit)


def test_views_written_before_the_day_rows_are_refolded(summit: Any) -> None:
    load_one_by_one(
        summit,
        said("a", "DEU", "2025-06-10", "supports"),
        said("b", "FRA", "2025-06-12", "opposes"),
    )
    before = summit.json("consensus", NEG)
    sql(summit.store, "DROP TABLE summit_days")
    sql(summit.store, "DROP TABLE summit_paths")
    assert summit.json("consensus", NEG) == before
    assert sql(summit.store, "SELECT COUNT(*) FROM summit_days")[0][0] > 0
    summit.ok("audit", "verify")


@pytest.mark.parametrize(
    ("table", "check", "expected"),
    [
        ("summit_refs", "SELECT COUNT(*) FROM summit_refs", [(2,)]),
        # Each day's refs as one text: 2025-06-10 and 2025-06-12.
        ("summit_dayrefs", "SELECT day, refs FROM summit_dayrefs ORDER BY 1",
         [(9292, "a"), (9294, "s1")]),
    ],
)  # fmt: skip
def test_views_written_before_the_ref_rows_or_texts_are_refolded(
    summit: Any, table: str, check: str, expected: list[tuple[Any, ...]]
) -> None:
    load_one_by_one(
        summit,
        said("a", "DEU", "2025-06-10", "supports"),
        signed("s1", "2025-06-12", ["FRA", "GBR"]),
    )
    before = summit.json("consensus", NEG)
    sql(summit.store, f"DROP TABLE {table}")
    assert summit.json("consensus", NEG) == before
    assert [tuple(row) for row in sql(summit.store, check)] == expected
    summit.ok("audit", "verify")


def test_a_correction_in_the_same_microsecond_is_closed_by_a_later_retraction(
    summit: Any, monkeypatch: Any
) -> None:
    # A statement and its correction recorded at one instant (a clock that
    # stalls), the statement retracted later: the correction's ref row has
    # the key of the version it replaced, closed at that instant; the
    # retraction must still close it, in one batch (a rebuild) as in several.
    import eventsourcing.domain

    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    monkeypatch.setattr(
        eventsourcing.domain, "datetime_now_with_tzinfo", lambda: now[0]
    )
    summit.load([opened(), tabled()])
    summit.load([said("b", "FRA", "2025-06-12", "supports")])
    now[0] += timedelta(milliseconds=1)
    summit.load(
        [
            said("a", "DEU", "2025-06-10", "supports"),
            corrected("k1", "a", {"occurred_on": "2025-06-12"}),
        ]
    )
    now[0] += timedelta(milliseconds=1)
    summit.load([retracted("r", "a")])
    expected = [("2025-06-12", [1, 0, 0, 0, 2], ["b"])]
    assert path_of(summit) == expected
    summit.ok("audit", "verify")
    summit.ok("views", "rebuild")
    assert path_of(summit) == expected
    start = datetime(2026, 1, 1, tzinfo=UTC)  # each instant the log holds
    for instant in (start + timedelta(milliseconds=n) for n in range(3)):
        for as_of in AS_OF:
            tables, folded = consensus_at(summit, instant, as_of)
            assert tables == folded, (instant, as_of)


def test_a_signoff_keeps_one_ref_row_a_version(summit: Any) -> None:
    # One evidence row a signatory (stance reads them), one ref row for the
    # sign-off (what the path lists); a correction closes it and makes another.
    load_one_by_one(
        summit,
        signed("s1", "2025-06-12", "all"),
        corrected("k1", "s1", {"occurred_on": "2025-06-13"}),
    )
    rows = sql(summit.store, "SELECT day, ref, known_to FROM summit_refs ORDER BY 1")
    assert [(ref, known_to is None) for _, ref, known_to in rows] == [
        ("s1", False),
        ("s1", True),
    ]
    assert rows[1][0] == rows[0][0] + 1
    assert sql(summit.store, "SELECT COUNT(*) FROM summit_evidence")[0][0] == 6
    assert path_of(summit) == [("2025-06-13", [3, 0, 0, 0, 0], ["s1"])]
    assert_rows_match_the_fold(summit)


def test_a_days_refs_come_in_recording_order_one_row_a_day(
    summit: Any, monkeypatch: Any
) -> None:
    # The database joins a day's refs (group_concat / string_agg), when a
    # batch's ref rows are written (`summit_dayrefs`) and at a --known-at cut
    # before a day's last change: corrected evidence keeps its place, later
    # entries follow in recording order, and on SQLite the plans walk the
    # key, so the join meets them in that order.
    load_one_by_one(
        summit,
        said("c-3", "FRA", "2025-06-10", "opposes"),
        said("a.1", "DEU", "2025-06-10", "supports"),
        said("b_2", "GBR", "2025-06-11", "supports"),
        corrected("k1", "c-3", {"position": {"proposal": "p5", "stance": "supports"}}),
        said("d", "DEU", "2025-06-10", "undecided"),  # recorded last, same day
    )
    assert path_of(summit) == [
        ("2025-06-10", [1, 0, 1, 0, 1], ["c-3", "a.1", "d"]),
        ("2025-06-11", [2, 0, 1, 0, 0], ["b_2"]),
    ]
    assert path_of(summit, "--known-at", "2100-01-01T00:00:00Z") == path_of(summit)
    # Just before "d": 2025-06-10 changed after the cut, so it is joined
    # from its ref rows as known then.
    lines = summit.ok("export", NEG).stdout.splitlines()
    d_at = datetime.fromisoformat(json.loads(lines[-1])["_recorded"]["at"])
    before_d = (d_at - timedelta(microseconds=1)).isoformat()
    assert path_of(summit, "--known-at", before_d)[0][2] == ["c-3", "a.1"]
    assert_rows_match_the_fold(summit)
    if summit.store.startswith("postgresql"):
        # Without index scans PostgreSQL meets the ref rows in the heap's
        # order (c-3's corrected version last): the aggregates' ORDER BY
        # alone keeps rule 2's order, in the texts a rebuild makes and in
        # the join at a cut.
        scans = ("indexscan", "indexonlyscan", "bitmapscan")
        options = " ".join(f"-c enable_{scan}=off" for scan in scans)
        monkeypatch.setenv("PGOPTIONS", options)
        summit.ok("views", "rebuild")
        assert path_of(summit)[0][2] == ["c-3", "a.1", "d"]
        assert path_of(summit, "--known-at", before_d)[0][2] == ["c-3", "a.1"]
        return
    from projections.tables.refs import texts_sql
    from projections.tables.sqlite import SQLiteTables
    from projections.tables.writer import ViewsWriter

    seen: list[tuple[str, tuple[Any, ...]]] = []
    rows = SQLiteTables.rows

    def spy(self: Any, sql_text: str, *params: Any) -> Any:
        seen.append((sql_text, params))
        return rows(self, sql_text, *params)

    def plan_of(sql_text: str, *params: Any) -> str:
        plan = repr(sql(summit.store, f"EXPLAIN QUERY PLAN {sql_text}", *params))
        assert "TEMP B-TREE" not in plan.upper()
        return plan

    monkeypatch.setattr(SQLiteTables, "rows", spy)
    for known in ([], ["--known-at", "2100-01-01T00:00:00Z"], ["--known-at", before_d]):
        seen.clear()
        summit.json("consensus", NEG, *known)
        texts = [(s, p) for s, p in seen if "summit_dayrefs" in s]
        assert len(texts) == 1
        plan = plan_of(texts[0][0], *texts[0][1])
        assert "SEARCH t USING PRIMARY KEY (id=? AND day>? AND day<?)" in plan
        assert ("group_concat" in texts[0][0]) == bool(known)
        if known:  # a day changed after the cut: its rows along the key
            assert "SEARCH r USING PRIMARY KEY (id=? AND day=?)" in plan
        # The day rows: one a day along the partial index of current rows,
        # not every version of every day.
        days = [(s, p) for s, p in seen if "summit_days " in s]
        assert len(days) == 1
        assert "USING INDEX summit_days_current" in plan_of(days[0][0], *days[0][1])
    # The texts are made along the key too.
    writer = SimpleNamespace(
        placeholder="?",
        _table=str,
        joined_refs=ViewsWriter.joined_refs,
        greatest=ViewsWriter.greatest,
    )
    plan = plan_of(texts_sql(writer), 1, 9000, 0, 1, 9000)
    assert "SEARCH r USING PRIMARY KEY (id=? AND day=?)" in plan
