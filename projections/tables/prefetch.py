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
  `marshal` frame of plain values (loading one costs this process a sixth
  of reading and decoding its rows);
- this process still builds each entry and checks that each row is stored
  under its negotiation's id (`owned_entries`), as when it reads alone.

Whatever the child cannot give is read here, as without it: a batch that
does not start where the fold expects, a row not in plain form (the
in-process path reads it through eventsourcing, which says what is wrong),
a child that failed or was killed. The child never writes; it ends when its
output closes (this process ended or stopped it) or at the head.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import signal
import sqlite3
import subprocess
import sys
from typing import IO

from projections.log import LogEntry, owned_entries, plain_fields
from projections.tables.schema import log_rows_sql

# Fold at least this many entries more, after the first batch, to start a
# child: it costs a process start (some 50 ms of the other core's time) and
# saves about 8 µs an entry here.
FROM = 20_000
_HEADER = 8  # each frame: its length (8 bytes, little-endian), then marshal data


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Prefetch:
    """A child process reading a SQLite store's log ahead, from `start` up to
    `head` in batches of `batch` entries; `take` gives each batch in turn
    (None: read it here)."""

    frames = 0  # batches taken from a child (tests check one was)

    def __init__(self, path: str, table: str, start: int, head: int, batch: int):
        self.next = start  # where the child's next batch starts
        self.child: subprocess.Popen[bytes] | None = None
        root = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (root, env.get("PYTHONPATH")) if p
        )
        args = [path, table, str(start), str(head), str(batch)]
        with contextlib.suppress(OSError):
            self.child = subprocess.Popen(
                [sys.executable, "-m", __name__, *args],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
            )

    def take(self, start: int) -> list[LogEntry] | None:
        """The batch from `start`, read by the child; None if it has none
        (then it is stopped: what follows is read here)."""
        if self.child is None or start != self.next:
            self.close()
            return None
        try:
            frame = _frame(self.child.stdout)
            fields = None if frame is None else marshal.loads(frame)
        except (OSError, ValueError, EOFError, TypeError):
            fields = None
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
        if child is None:
            return
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()


def _frame(stream: IO[bytes] | None) -> bytes | None:
    """One whole frame, or None (the child ended or failed)."""
    if stream is None:
        return None
    size = stream.read(_HEADER)
    if len(size) != _HEADER:
        return None
    frame = stream.read(int.from_bytes(size, "little"))
    return frame if len(frame) == int.from_bytes(size, "little") else None


def send(path: str, table: str, start: int, head: int, batch: int) -> None:
    """The child's work: each batch's rows read as `plain_fields` reads them,
    written as one frame; an empty frame when one is not in that form (the
    parent reads it and the rest)."""
    from pydantic_core import from_json

    from projections.tables.sqlite import read_only_uri

    out = sys.stdout.buffer
    conn = sqlite3.connect(read_only_uri(path), uri=True)
    sql = log_rows_sql(table, "rowid", "?")
    while start <= head:
        rows = conn.execute(sql, (start, head, batch)).fetchall()
        fields = [plain_fields(row, from_json) for row in rows]
        plain = rows and all(f is not None for f in fields)
        frame = marshal.dumps(fields if plain else None)
        out.write(len(frame).to_bytes(_HEADER, "little"))
        out.write(frame)
        out.flush()
        if not plain:
            return
        start = rows[-1][0] + 1


def main(argv: list[str]) -> None:
    """`python -m projections.tables.prefetch STORE TABLE START HEAD BATCH`."""
    # Ctrl-C reaches the whole process group: the parent decides, the child
    # ends when its output closes (quietly: nothing to say, nothing stored).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    path, table, start, head, batch = argv
    with contextlib.suppress(BrokenPipeError):  # the parent stopped reading
        send(path, table, int(start), int(head), int(batch))
    with contextlib.suppress(OSError):
        sys.stdout.close()


if __name__ == "__main__":
    main(sys.argv[1:])
    os._exit(0)  # (not flushing a closed pipe at exit)
