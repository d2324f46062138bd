"""Rule 5's and rule 7's latest row per group, read from a SQLite view table
by the loose index scans of `projections/tables/read.py` (from the first
group up with an as_of, from the last down without), equals the latest row
picked in Python from every row, at any cut."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from projections.tables.read import _latest
from projections.tables.schema import PLEDGES, create_statements, micros

COLUMNS = "party, metric, by_year, pct_gdp, firmness, ref, occurred_on, position"
KEY = "party, metric, by_year"
START = datetime(2025, 1, 1, tzinfo=UTC)
DAYS = [f"2025-06-{d:02d}" for d in range(1, 6)]


class Views:
    """The views reader `_latest` needs, on an in-memory SQLite database."""

    placeholder = "?"
    row_id = "rowid"

    def __init__(self) -> None:
        self.conn = sqlite3.connect(":memory:")
        for statement in create_statements():
            self.conn.execute(statement)

    def table(self, name: str) -> str:
        return name

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, params).fetchall()


pledge = st.tuples(
    st.sampled_from(["n", "other"]),  # negotiation
    st.sampled_from(["DEU", "FRA", "GBR"]),
    st.sampled_from(["core_defence", "total"]),
    st.integers(min_value=2027, max_value=2029),
    st.sampled_from(DAYS),
    st.integers(min_value=0, max_value=9),  # known from (minutes)
    st.one_of(st.none(), st.integers(min_value=1, max_value=5)),  # for how long
)


@given(
    st.lists(pledge, max_size=40),
    st.one_of(st.none(), st.sampled_from(DAYS)),
    st.one_of(st.none(), st.integers(min_value=0, max_value=15)),
)
def test_latest_rows_are_the_latest_of_each_group_in_the_cut(
    pledges: list[tuple[Any, ...]], as_of: str | None, known: int | None
) -> None:
    views = Views()
    rows = []
    for position, (neg, party, metric, year, on, since, lasting) in enumerate(
        pledges, start=1
    ):
        known_from = micros(START + timedelta(minutes=since))
        known_to = None
        if lasting is not None:
            known_to = micros(START + timedelta(minutes=since + lasting))
        row = (neg, party, metric, year, 2.5, "commitment", f"r{position}", on)
        rows.append((*row, position, known_from, known_to))
    views.conn.executemany(
        f"INSERT INTO {PLEDGES} VALUES ({', '.join('?' * 11)})", rows
    )
    known_at = None if known is None else START + timedelta(minutes=known)

    def seen(row: tuple[Any, ...]) -> bool:
        known_from, known_to = row[9], row[10]
        if known_at is None:
            visible = known_to is None
        else:
            k = micros(known_at)
            visible = known_from <= k and (known_to is None or known_to > k)
        return visible and row[0] == "n" and (as_of is None or row[7] <= as_of)

    latest: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for row in rows:
        held = latest.get(row[1:4])
        if seen(row) and (held is None or row[7:9] > held[7:9]):
            latest[row[1:4]] = row
    want = [latest[k][1:9] for k in sorted(latest)]
    assert _latest(views, PLEDGES, COLUMNS, KEY, "n", as_of, known_at) == want
