"""Inserting a batch's current derived rows with as little bound as may be.

Binding is most of what an insert costs sqlite3: every text is copied into
memory SQLite allocates (under a mutex), and a None goes through an adapter
lookup that raises and formats an AttributeError (some 4,000 instructions,
more than the row's own insert). So NULLs are written in the statement, and
a sign-off's evidence rows, one per signatory and alike but for the party,
are inserted by one statement binding their shared values once (half the
instructions of a row each: 375,000 of them in a 200,000-event rebuild).
"""

from __future__ import annotations

from itertools import groupby
from operator import itemgetter
from typing import Any

from projections.tables.schema import EVIDENCE

# An evidence row's values but its party: (negotiation, proposal, stance,
# conditions, ref, occurred_on, position, known_from).
_SHARED = itemgetter(0, 1, 3, 4, 5, 6, 7, 8)


def insert_current(
    writer: Any, cursor: Any, name: str, rows: list[tuple[Any, ...]]
) -> None:
    """Insert current derived rows, each as stored less its last column,
    `known_to` (NULL)."""
    if not rows:
        return
    if name == EVIDENCE and not writer.streams:
        rows = _evidence(writer, cursor, writer._table(name), rows)
    writer.insert(cursor, name, rows, null_at=len(rows[0]) if rows else None)


def _evidence(
    writer: Any, cursor: Any, table: str, rows: list[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """Insert the evidence rows that share all but their party with the rows
    next to them (a sign-off's) by one statement for each such run, those
    with no conditions with NULL written; return the others, conditioned."""
    p = writer.placeholder
    # (signatories, whether conditioned) -> each run's values
    many: dict[tuple[int, bool], list[tuple[Any, ...]]] = {}
    bare: list[tuple[Any, ...]] = []  # one row alone, with no conditions
    conditioned: list[tuple[Any, ...]] = []
    for shared, run in groupby(rows, _SHARED):
        parties = [row[2] for row in run]
        negotiation, proposal, stance, conditions, *tail = shared
        if len(parties) == 1:
            if conditions is None:
                bare.append((negotiation, proposal, parties[0], stance, *tail))
            else:
                conditioned.append((negotiation, proposal, parties[0], *shared[2:]))
            continue
        head = (negotiation, proposal, stance)
        if conditions is None:
            values = (*head, *tail, *parties)
        else:
            values = (*head, conditions, *tail, *parties)
        many.setdefault((len(parties), conditions is not None), []).append(values)
    for (n, conditioned_run), runs in many.items():
        condition = p if conditioned_run else "NULL"
        sql = (
            f"INSERT INTO {table} SELECT {p}, {p}, v.column1, {p}, {condition}, "
            f"{p}, {p}, {p}, {p}, NULL FROM (VALUES {','.join([f'({p})'] * n)}) AS v"
        )
        cursor.executemany(sql, runs)
    if bare:
        marks = f"{p},{p},{p},{p},NULL,{p},{p},{p},{p},NULL"
        cursor.executemany(f"INSERT INTO {table} VALUES ({marks})", bare)
    return conditioned
