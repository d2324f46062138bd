"""Queries on the views, the same SQL for every backend's reader.

A reader has `placeholder`, `facts` (the facts table joined with the log's
rows, `schema.facts_source`),
`table(name)` and `rows(sql, *params)`; see `sqlite.py` and `postgres.py`.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from projections.tables.schema import (
    PLEDGES,
    READ_COLUMNS,
    SPENDING,
    TARGETS,
    entry_of,
    micros,
)

if TYPE_CHECKING:
    from projections.log import LogEntry


@contextlib.contextmanager
def view_rows() -> Iterator[None]:
    """Reading rows of the persisted views: a value that does not decode (the
    tables edited outside summit) is reported as such, not as a crash."""
    from domain.errors import CheckFailed

    try:
        yield
    except (ValueError, KeyError, TypeError, ArithmeticError) as e:
        raise CheckFailed(
            f"a persisted view row does not decode ({type(e).__name__}): the "
            "views were changed outside summit; `summit audit verify` names "
            "the row, `summit views rebuild` restores them from the log"
        ) from None


# A query catches the views up at most this many times: once, and again
# when another process refolded them meanwhile (then it answers from them).
CATCH_UPS = 3


class ReadOnlyStore(Exception):
    """The views are behind and this user cannot write them: fold the log instead."""


def _facts(
    views: Any, columns: str, conditions: Iterable[tuple[str, Any]], tail: str = ""
) -> list[tuple[Any, ...]]:
    """Rows of the facts table that meet every condition whose value is not None."""
    kept = [(test, value) for test, value in conditions if value is not None]
    where = " AND ".join(f"{test}{views.placeholder}" for test, _ in kept)
    sql = f"SELECT {columns} FROM {views.facts} WHERE {where}{tail}"
    rows: list[tuple[Any, ...]] = views.rows(sql, *(value for _, value in kept))
    return rows


def read_facts(
    views: Any, negotiation: str, known_at: datetime | None = None
) -> Iterator[LogEntry]:
    """A negotiation's rows in recording order, as known at `known_at`."""
    cut = micros(known_at) if known_at is not None else None
    conditions = (("negotiation=", negotiation), ("recorded_us <= ", cut))
    for row in _facts(views, READ_COLUMNS, conditions, " ORDER BY position"):
        yield entry_of(row)


# A plain class: a NamedTuple compiles its __new__ from text at every
# query's start (tests/cli/test_query_start.py).
class Cut:
    """The rows of the derived tables a view sees: the versions known at
    `known_at` (current ones without it) of the events that occurred by
    `as_of`, as a WHERE clause's tail and its parameters."""

    __slots__ = ("params", "sql")

    def __init__(self, sql: str, params: tuple[Any, ...]) -> None:
        self.sql = sql
        self.params = params

    @classmethod
    def of(
        cls, views: Any, as_of: str | None, known_at: datetime | None, alias: str = ""
    ) -> Cut:
        """The cut on a table's columns (qualified by `alias`, when given)."""
        p = views.placeholder
        a = f"{alias}." if alias else ""
        params: tuple[Any, ...] = ()
        if known_at is None:
            sql = f" AND {a}known_to IS NULL"
        else:
            k = micros(known_at)
            sql = (
                f" AND {a}known_from <= {p} "
                f"AND ({a}known_to IS NULL OR {a}known_to > {p})"
            )
            params = (k, k)
        if as_of is not None:
            sql, params = f"{sql} AND {a}occurred_on <= {p}", (*params, as_of)
        return cls(sql, params)


def inputs_from_tables(
    views: Any,
    negotiation: str,
    proposal: str | None,
    as_of: str | None,
    known_at: datetime | None = None,
    *,
    needs: tuple[str, ...] = ("stances", "pledges"),
) -> Any:
    """Stance and consensus inputs read from the derived tables, as known at
    `known_at` (each row's version visible then) and as of `as_of`.

    `needs` says what is read besides the targets: "stances" (the stance and
    consensus views: each party's stance is a few indexed seeks,
    `stances.stances_of`, so the cost does not grow with history), "pledges"
    (stance and delivery). The evidence itself is not read: consensus reads
    the day rows (`days.py`).
    """
    from domain.registry import expand_parties
    from projections.inputs import Inputs, choose_proposal

    p = views.placeholder
    record = opening_of(views, negotiation, known_at)
    known = Cut.of(views, None, known_at)
    tabled = views.rows(
        f"SELECT DISTINCT proposal FROM {views.table(TARGETS)} "
        f"WHERE negotiation={p} AND kind='proposal.tabled'{known.sql}",
        negotiation,
        *known.params,
    )
    proposal = choose_proposal(negotiation, proposal, [r[0] for r in tabled])
    cut = Cut.of(views, as_of, known_at)
    latest = views.rows(
        f"SELECT targets FROM {views.table(TARGETS)} WHERE negotiation={p} "
        f"AND proposal={p}{cut.sql} ORDER BY occurred_on DESC, position DESC LIMIT 1",
        negotiation,
        proposal,
        *cut.params,
    )
    parties = expand_parties(record)
    stances = None
    if "stances" in needs:
        from projections.tables.stances import stances_of

        q = Cut.of(views, as_of, known_at, alias="q")
        stances = stances_of(views, negotiation, proposal, parties, q)
    pledges = (
        _latest_pledges(views, negotiation, as_of, known_at)
        if "pledges" in needs
        else []
    )
    return Inputs(
        negotiation=negotiation,
        proposal=proposal,
        parties=parties,
        rule=record["rule"],
        targets=json.loads(latest[0][0]) if latest else [],
        evidence=[],
        pledges=pledges,
        stances=stances,
    )


def _latest_pledges(
    views: Any, negotiation: str, as_of: str | None, known_at: datetime | None
) -> list[Any]:
    """Rule 5: each party's latest pledge per (metric, by_year) in `cut`."""
    from projections.inputs import Pledge

    columns = "party, metric, by_year, pct_gdp, firmness, ref, occurred_on, position"
    key = "party, metric, by_year"
    rows = _latest(views, PLEDGES, columns, key, negotiation, as_of, known_at)
    return [Pledge(*row) for row in rows]


def _latest(
    views: Any,
    table: str,
    columns: str,
    key: str,
    negotiation: str,
    as_of: str | None,
    known_at: datetime | None,
) -> list[tuple[Any, ...]]:
    """The latest (rule 2) row of each `key` group in the cut, by two seeks per
    group along the table's `_latest` index (negotiation, *key, occurred_on,
    position), however many rows each group holds: a recursive walk from
    one group's key to the next (a loose index scan), then each group's last
    visible row."""
    if views.row_id is not None and as_of is None:  # SQLite, one seek a group
        return _latest_from_the_end(views, table, columns, key, negotiation, known_at)
    p = views.placeholder
    cut = Cut.of(views, as_of, known_at, alias="q")
    name = views.table(table)
    keys = key.split(", ")
    lateral = views.row_id is None  # PostgreSQL: LATERAL; SQLite: by rowid
    # The next group after g: the first row whose key is greater, as one
    # seek per key column (equal on those before it, greater on it), the
    # nearest first (a row-value comparison is not an index range in SQLite).
    found = f"q.{views.row_id}" if not lateral else ", ".join(f"q.{k}" for k in keys)
    seeks = [
        f"(SELECT {found} FROM {name} AS q WHERE q.negotiation={p}"
        + "".join(f" AND q.{k} = g.{k}" for k in keys[:i])
        + f" AND q.{keys[i]} > g.{keys[i]} ORDER BY "
        + ", ".join(f"q.{k}" for k in keys[i:])
        + " LIMIT 1)"
        for i in reversed(range(len(keys)))
    ]
    last = (
        f"FROM {name} AS q WHERE q.negotiation={p} AND "
        + " AND ".join(f"q.{k} = g.{k}" for k in keys)
        + f"{cut.sql} ORDER BY q.occurred_on DESC, q.position DESC LIMIT 1"
    )
    first = (
        f"WITH RECURSIVE groups({key}) AS ("
        f"SELECT * FROM (SELECT {key} FROM {name} WHERE negotiation={p} "
        f"ORDER BY {key} LIMIT 1) AS first_group UNION ALL "
    )
    picked = ", ".join(f"r.{c}" for c in columns.split(", "))
    if lateral:  # joined by value: a join on ctid would hash the whole table
        sql = (
            f"{first}SELECT n.* FROM groups AS g CROSS JOIN LATERAL "
            f"(SELECT * FROM ({' UNION ALL '.join(seeks)}) AS s "
            f"ORDER BY {key} LIMIT 1) AS n) "
            f"SELECT {picked} FROM groups AS g CROSS JOIN LATERAL "
            f"(SELECT {columns} {last}) AS r"
        )
    else:
        row_id = views.row_id
        sql = (
            f"{first}SELECT n.{', n.'.join(keys)} FROM groups AS g "
            f"JOIN {name} AS n ON n.{row_id} = COALESCE({', '.join(seeks)})) "
            f"SELECT {picked} FROM groups AS g JOIN {name} AS r ON r.{row_id} = "
            f"(SELECT q.{row_id} {last})"
        )
    params = [negotiation] * (len(keys) + 2)
    return list(views.rows(sql, *params, *cut.params))


def _latest_from_the_end(
    views: Any,
    table: str,
    columns: str,
    key: str,
    negotiation: str,
    known_at: datetime | None,
) -> list[tuple[Any, ...]]:
    """`_latest` on SQLite without an as_of: the groups walked from the last
    down, each found at its last row in index order by one seek from the
    group above it (the nearest row whose key is lower, as one seek per key
    column). That row is the group's answer when the cut sees it (always for
    the current versions, most often at a known_at), else a second seek finds
    the last row known then. With an as_of before the groups' last events
    (most groups, in the middle of a negotiation) that second seek is the
    rule, and walking up by the groups' first rows costs less."""
    p = views.placeholder
    name = views.table(table)
    keys = key.split(", ")
    rule2 = "q.occurred_on DESC, q.position DESC"
    seeks = [
        f"(SELECT q.rowid FROM {name} AS q WHERE q.negotiation={p}"
        + "".join(f" AND q.{k} = g.{k}" for k in keys[:i])
        + f" AND q.{keys[i]} < g.{keys[i]} ORDER BY "
        + "".join(f"q.{k} DESC, " for k in keys[i:])
        + f"{rule2} LIMIT 1)"
        for i in reversed(range(len(keys)))
    ]
    seen = Cut.of(views, None, known_at, alias="n")  # row n is known then
    found = f"SELECT {', '.join(f'n.{k}' for k in keys)}, n.rowid, 1{seen.sql}"
    top = "".join(f"q.{k} DESC, " for k in keys)
    cut = Cut.of(views, None, known_at, alias="q")
    last_seen = (
        f"(SELECT q.rowid FROM {name} AS q WHERE q.negotiation={p}"
        + "".join(f" AND q.{k} = g.{k}" for k in keys)
        + f"{cut.sql} ORDER BY {rule2} LIMIT 1)"
    )
    picked = ", ".join(f"r.{c}" for c in columns.split(", "))
    sql = (
        f"WITH RECURSIVE groups({key}, id, seen) AS ("
        f"{found} FROM {name} AS n WHERE n.rowid = (SELECT q.rowid FROM {name} "
        f"AS q WHERE q.negotiation={p} ORDER BY {top}{rule2} LIMIT 1) UNION ALL "
        f"{found} FROM groups AS g JOIN {name} AS n ON n.rowid = "
        f"COALESCE({', '.join(seeks)})) "
        f"SELECT {picked} FROM groups AS g JOIN {name} AS r ON r.rowid = "
        f"CASE WHEN g.seen THEN g.id ELSE {last_seen} END"
    )
    params = (
        *seen.params,
        negotiation,
        *seen.params,
        *[negotiation] * len(keys),
        negotiation,
        *cut.params,
    )
    rows = list(views.rows(sql, *params))
    rows.reverse()  # walked from the last group
    return rows


def opening_of(
    views: Any, negotiation: str, known_at: datetime | None = None
) -> dict[str, Any]:
    """The negotiation's `negotiation.opened` record, as known at `known_at`
    (NotFound when absent)."""
    from domain.errors import NotFound
    from domain.stored import state_json

    # The first row of a negotiation (by the negotiation-position index).
    opening = views.rows(
        f"SELECT state, version, recorded_us FROM {views.facts} "
        f"WHERE negotiation={views.placeholder} ORDER BY position LIMIT 1",
        negotiation,
    )
    if (
        not opening
        or opening[0][1] != 1
        or (known_at is not None and opening[0][2] > micros(known_at))
    ):
        raise NotFound(
            f"negotiation '{negotiation}' is not in this store"
            + (" (as known at that instant)" if known_at is not None else "")
        )
    record: dict[str, Any] = state_json(opening[0][0])["record"]
    return record


def figures_from_tables(
    views: Any, negotiation: str, as_of: str | None, known_at: datetime | None = None
) -> tuple[list[str], list[Any]]:
    """(parties, reported figures as of `as_of`) read from the derived tables,
    as known at `known_at` (`reported_figures`)."""
    from domain.registry import expand_parties

    parties = expand_parties(opening_of(views, negotiation, known_at))
    return parties, reported_figures(views, negotiation, as_of, known_at)


def reported_figures(
    views: Any, negotiation: str, as_of: str | None, known_at: datetime | None = None
) -> list[Any]:
    """Rule 7's figure of record per (party, metric, year) as of `as_of`, as
    known at `known_at`: the only figures delivery and spending use."""
    from datetime import date

    from projections.delivery import Figure

    columns = "party, metric, year, pct_gdp, basis, ref, occurred_on, position"
    key = "party, metric, year"
    rows = _latest(views, SPENDING, columns, key, negotiation, as_of, known_at)
    return [
        Figure(a, m, y, pct, basis, ref, date.fromisoformat(on), pos)
        for a, m, y, pct, basis, ref, on, pos in rows
    ]


def negotiations_holding(
    views: Any, ref: str, negotiation: str | None = None
) -> list[str]:
    """Slugs of the negotiations with an event of this ref."""
    conditions = (("ref=", ref), ("negotiation=", negotiation))
    return sorted(r[0] for r in _facts(views, "DISTINCT negotiation", conditions))


def negotiation_slugs(views: Any) -> list[str]:
    """Slugs of every negotiation in the views, in opening order."""
    rows = views.rows(
        f"SELECT negotiation FROM {views.facts} WHERE version=1 ORDER BY position"
    )
    return [r[0] for r in rows]
