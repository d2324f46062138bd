"""A large import's stored states sealed in a second process.

Each event a summit store keeps is compressed on its own, with zlib primed
by a dictionary (`domain.stored`): about 20 µs an event, a fifth of a
large import's time, and nothing the checking of the next line needs. For
an input of `SIZE` bytes or more, the import sends its checked
rows, their states still plain JSON, to a child process in frames
(`projections/ahead.py`); the child compresses each state as the import
would and writes the rows to the import's spool, the file the import then
stores in one transaction. On two cores, checking and sealing overlap.

Nothing changes in the store: the child runs the same `compress_state`,
writes the same rows in the same order, and says how many it wrote when
the import has none left to send. If it fails, dies or wrote a different
count, the import checks and seals the whole input again itself, as
without a child (`Summit.record_lines`). Only a store whose seal is that
compression alone is sealed aside: an encrypted store's key stays in the
process that opened it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from typing import IO, Any
from uuid import UUID

from domain.sealing import Pending, SealedHere, Sealer
from projections import ahead

SIZE = 2 << 20  # bytes of input (as `read_ahead.SIZE`): a smaller one is sealed here
PIPE_BYTES = 1 << 20  # a pipe's buffer, when the system allows it: a frame's size


class SealedAside:
    """The import's side: rows sent to the child, the child's count awaited."""

    def __init__(self, child: ahead.Child, send: IO[bytes]) -> None:
        self.child = child
        self.send = send
        self.sent = 0
        self.failed = False

    def put(self, rows: list[Pending]) -> None:
        if self.failed:
            return
        frame = [(i.bytes, v, t, s, plain) for i, v, t, s, plain in rows]
        try:
            ahead.write_frame(self.send, frame)
        except OSError:  # the child is gone: finish() says so
            self.failed = True
            return
        self.sent += len(rows)

    def finish(self) -> bool:
        """Whether the child wrote every row sent, and only those."""
        if self.failed:
            return False
        try:
            ahead.write_frame(self.send, None)  # no more rows
            self.send.close()
        except OSError:
            return False
        return bool(ahead.read_frame(self.child) == self.sent)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.send.close()
        ahead.stop(self.child)


def starter(
    path: str, children: list[ahead.Child | None]
) -> Callable[[IO[bytes]], Sealer | None] | None:
    """What starts the child for an import of `path` (None: a small input, or
    one core), keeping each child started in `children` (the import stops
    them all, whatever stopped it)."""
    if not ahead.helps(path, SIZE):
        return None

    def start(spool: IO[bytes]) -> Sealer | None:
        try:
            read, write = os.pipe()
        except OSError:  # (no descriptor left, say: sealed here)
            return None
        try:
            with contextlib.suppress(OSError, AttributeError, ImportError):  # (Linux)
                import fcntl

                fcntl.fcntl(write, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
            spool.flush()
            fd = spool.fileno()
            child = ahead.spawn(__name__, [str(read), str(fd)], (read, fd))
        except OSError:
            child = None
        finally:
            os.close(read)  # (the child's copy is its own)
        if child is None:
            os.close(write)
            return None
        children.append(child)
        return SealedAside(child, os.fdopen(write, "wb"))

    return start


def seal(out: IO[bytes], rows_fd: str, spool_fd: str) -> None:
    """The child's work: each frame of rows from `rows_fd` sealed and written
    to the spool at `spool_fd` by the importing process's own sealer
    (`SealedHere`, with the store's compression); at the end (a None
    frame), the count of rows written."""
    from domain.stored import compress_state

    written = 0
    ids: dict[bytes, UUID] = {}  # one object an aggregate: pickled once a frame
    with os.fdopen(int(rows_fd), "rb") as rows, os.fdopen(int(spool_fd), "wb") as spool:
        sealer = SealedHere(spool, compress_state)
        while True:
            frame: Any = ahead.read_stream(rows)
            if frame is None:
                break
            sealer.put(
                [
                    (ids.get(i) or ids.setdefault(i, UUID(bytes=i)), v, t, s, plain)
                    for i, v, t, s, plain in frame
                ]
            )
            written += len(frame)
        spool.flush()
    ahead.write_frame(out, written)


if __name__ == "__main__":
    # python -m cli.seal_ahead FD ROWS_FD SPOOL_FD
    ahead.child_main(seal)
