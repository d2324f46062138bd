"""Proving the persisted views are what the log gives: every view table is
recomputed from the log into a private in-memory database and compared with
the stored one, row by row.

The tables compared are those the views' own DDL creates (`create_statements`),
read back from the scratch database's schema, so a new view is covered as soon
as it has a table. Nothing is written to the store, and nothing to disk.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

# Columns that say which row it is, in this order, where a table has them.
IDENTITY = (
    *("negotiation", "position", "ref", "proposal", "party", "metric", "kind"),
    "day",  # the consensus paths' days (`days.py`)
)

Row = tuple[Any, ...]


ATTEMPTS = 5


def first_difference(app: Any, views: Any) -> str | None:
    """The first stored view row that differs from the log's recomputation, or
    None when every view table holds exactly what the log gives (up to the
    position the views have processed).

    A reader of the views reads one snapshot on either backend, so their
    position holds still while the tables are compared; should a reader not
    hold one, a writer catching the views up meanwhile (the team store) moves
    the position, and the comparison is then made again against the new one:
    a difference is reported only when the position held still while it was
    found."""
    for _ in range(ATTEMPTS):
        tracked = views.status().tracked
        if tracked == 0:
            # No views under this schema yet: never caught up, or written by
            # an older summit (another schema, tracked under another name),
            # which the next catch-up drops and refolds from the log.
            return None
        found = _first_difference_at(app, views, tracked)
        if found is None or views.status().tracked == tracked:
            return found
    return found


def _first_difference_at(app: Any, views: Any, tracked: int) -> str | None:
    scratch = _recomputed(app, tracked)
    try:
        for name, columns, key in _view_tables(scratch):
            listed = ", ".join(columns)
            try:
                stored = views.rows(f"SELECT {listed} FROM {views.table(name)}")
            except Exception:  # no such table: views never run, or built by
                stored = []  # an older summit (a view it did not have yet)
            with scratch.transaction(commit=False) as c:
                c.execute(f"SELECT {listed} FROM {name}")
                fresh = [tuple(r) for r in c.fetchall()]
            stored_rows = [tuple(r) for r in stored]
            found = _difference(name, columns, stored_rows, fresh, key)
            if found is not None:
                return found
    finally:
        scratch.close()
    return None


def _recomputed(app: Any, until: int) -> Any:
    """A private in-memory database holding the views folded from the log up to
    position `until`."""
    from eventsourcing.sqlite import SQLiteDatastore

    from projections.tables.catchup import catch_up
    from projections.tables.sqlite import recorder_class

    name = f"file:summit-check-{uuid.uuid4().hex}?mode=memory&cache=shared"
    datastore = SQLiteDatastore(name, pool_size=1, max_overflow=0)
    recorder = recorder_class()(datastore)
    recorder.create_table()
    catch_up(app, recorder, until=until)
    return datastore


def _view_tables(scratch: Any) -> Iterator[tuple[str, list[str], list[str]]]:
    """Each view table of the scratch database with its columns and the
    columns of its primary key, in key order (not tracking)."""
    with scratch.transaction(commit=False) as c:
        c.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name != 'tracking' ORDER BY name"
        )
        names = [r[0] for r in c.fetchall()]
        tables = []
        for name in names:
            c.execute(f"PRAGMA table_info({name})")
            info = c.fetchall()
            key = [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5]]
            tables.append((name, [r[1] for r in info], key))
    yield from tables


def _difference(
    table: str,
    columns: list[str],
    stored: list[Row],
    fresh: list[Row],
    key: Sequence[str] = (),
) -> str | None:
    """The first row (in key order) where `stored` and `fresh` differ,
    described; a row is named by its table's primary key, else by the
    IDENTITY columns it has."""
    if Counter(stored) == Counter(fresh):  # the usual case, quickly
        return None
    names = key or IDENTITY
    keys = [i for c in names for i, name in enumerate(columns) if name == c]
    keys = keys or list(range(len(columns)))
    mine, theirs = _grouped(stored, keys), _grouped(fresh, keys)
    for key in sorted(set(mine) | set(theirs), key=_order):
        have, want = sorted(mine[key], key=_order), sorted(theirs[key], key=_order)
        if have == want:
            continue
        where = ", ".join(f"{columns[i]}={v!r}" for i, v in zip(keys, key, strict=True))
        row = f"view table {table}, row ({where})"
        if len(have) == len(want):
            for a, b in zip(have, want, strict=True):
                for name, x, y in zip(columns, a, b, strict=True):
                    if x != y:
                        return (
                            f"{row}: {name} is {x!r} in the store, {y!r} from the log"
                        )
        if len(have) < len(want):
            return f"{row}: given by the log but missing from the store"
        return f"{row}: in the store but not given by the log"
    return None


def _grouped(rows: list[Row], keys: list[int]) -> dict[Row, list[Row]]:
    groups: dict[Row, list[Row]] = defaultdict(list)
    for row in rows:
        groups[tuple(row[i] for i in keys)].append(row)
    return groups


def _order(values: Sequence[Any]) -> tuple[tuple[int, Any], ...]:
    """A sort key for rows whose values may be of any type (a tampered row)."""

    def one(v: Any) -> tuple[int, Any]:
        if v is None:
            return (3, "")
        if isinstance(v, int | float) and not isinstance(v, bool):
            return (0, v)
        return (1, v) if isinstance(v, str) else (2, repr(v))

    return tuple(one(v) for v in values)
