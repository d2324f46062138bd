"""Reading the log ahead of a long fold, in a second process.

A views rebuild spends about a third of its time reading the log's rows and
decoding their states (inflating, parsing JSON): work that needs nothing the
fold knows, and that the fold waits for, batch after batch. For a long fold
on SQLite, a child process does that work for the next batch while this one
folds the batch before, on another core:

- it reads the same rows as `log_rows` (the same statement, on its own
  read-only connection: the log is append-only, and every row up to the
  head was committed before the fold began), in the same batches;
- it reads each row as `plain_fields` does, and sends each batch as one
  `marshal` frame of plain values (loading one and making its entries
  costs this process a quarter of reading and decoding its rows: 0.54 s
  against 2.2 s for 200,000);
- this process still builds each entry and checks that each row is stored
  under its negotiation's id (`owned_entries`), as when it reads alone.

Whatever the child cannot give is read here, as without it: a batch that
does not start where the fold expects, a row not in plain form (the
in-process path reads it through eventsourcing, which says what is wrong),
a child that failed or was killed. The child never writes; it ends when its
output closes (this process ended or stopped it) or at the head.
"""

from __future__ import annotations

import sqlite3
from typing import IO

from projections import ahead
from projections.log import LogEntry, owned_entries, plain_fields
from projections.tables.schema import log_rows_sql

# Fold at least this many entries more, after the first batch, to start a
# child: it costs a process start (0.06 s of the other core's time) and
# saves about 8 µs an entry here (0.12 s of the catch-up after an import of
# 20,000 events: 15,000 after its first batch).
FROM = 10_000


class Prefetch:
    """A child process reading a SQLite store's log ahead, from `start` up to
    `head` in batches of `batch` entries; `take` gives each batch in turn
    (None: read it here)."""

    frames = 0  # batches taken from a child (tests check one was)

    def __init__(self, path: str, table: str, start: int, head: int, batch: int):
        self.next = start  # where the child's next batch starts
        args = [path, table, str(start), str(head), str(batch)]
        self.child = ahead.spawn(__name__, args)

    def take(self, start: int) -> list[LogEntry] | None:
        """The batch from `start`, read by the child; None if it has none
        (then it is stopped: what follows is read here)."""
        fields = ahead.read_frame(self.child) if start == self.next else None
        entries = owned_entries(fields) if fields else None
        if not entries or entries[0].position != start:
            self.close()
            return None
        self.next = entries[-1].position + 1
        Prefetch.frames += 1
        return entries

    def close(self) -> None:
        """Stop the child (if still running) and wait for it."""
        child, self.child = self.child, None
        ahead.stop(child)


def send(out: IO[bytes], path: str, table: str, *bounds: str) -> None:
    """The child's work: each batch's rows read as `plain_fields` reads them,
    written as one frame; an empty frame when one is not in that form (the
    parent reads it and the rest)."""
    from pydantic_core import from_json

    from projections.tables.sqlite import read_only_uri

    start, head, batch = map(int, bounds)
    conn = sqlite3.connect(read_only_uri(path), uri=True)
    sql = log_rows_sql(table, "rowid", "?")
    while start <= head:
        rows = conn.execute(sql, (start, head, batch)).fetchall()
        fields = [plain_fields(row, from_json) for row in rows]
        plain = bool(rows) and all(f is not None for f in fields)
        ahead.write_frame(out, fields if plain else None)
        if not plain:
            return
        start = rows[-1][0] + 1


if __name__ == "__main__":
    # python -m projections.tables.prefetch FD STORE TABLE START HEAD BATCH
    ahead.child_main(send)
