"""Work done ahead in a child process, on another core, sent in frames.

Two long jobs read ahead so: a long fold of the log into the views
(`tables/prefetch.py`: reading and decoding the next batch of rows) and an
import (`cli/read_ahead.py`: parsing and validating the next lines). A
large import also has its checked rows sealed in a child, which it sends
them to on a second pipe (`cli/seal_ahead.py`). The
child is this interpreter running one module (`python -m`), with this
checkout first on its path; it writes frames to a pipe of its own (not its
standard output, where a site hook might print) and ends when that closes.
The parent reads a frame when it needs the next piece, so the child is at
most a frame and a pipe's buffer ahead. A child that cannot
start, fails or is killed gives no more frames (None): each caller then does
the rest of the work itself, as without a child.

A frame is one byte (`m`: marshal, `p`: pickle, for a value marshal cannot
write), its length (8 bytes, little-endian), then the data. marshal is the
fast one: loading 200,000 log entries took 0.3 s, pickle 0.8 s, and
decoding their JSON states 0.7 s.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import pickle
import signal
import subprocess
import sys
from typing import IO, Any

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_LENGTH = 8


def cores() -> int:
    """The cores this process may run on (a child helps only with two)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def helps(path: str, size: int) -> bool:
    """Whether a child is worth starting for an input at `path`: `size` bytes
    or more, and a core to spare (an input that cannot be read: no child,
    the work done here says what is wrong)."""
    try:
        return os.path.getsize(path) >= size and cores() > 1
    except OSError:
        return False


class Child:
    """A running child: its process and the pipe its frames come on."""

    def __init__(self, process: subprocess.Popen[bytes], frames: IO[bytes]):
        self.process = process
        self.frames = frames


def spawn(module: str, args: list[str], pass_fds: tuple[int, ...] = ()) -> Child | None:
    """`python -m module FD args...` writing frames to descriptor FD, a pipe of
    its own (whatever else it prints, at start-up say, goes nowhere), with
    the descriptors `pass_fds` open (None if it cannot start)."""
    if not sys.executable or os.name != "posix":  # (descriptors passed: POSIX)
        return None
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_ROOT, env.get("PYTHONPATH")) if p)
    read, write = os.pipe()
    try:
        process = subprocess.Popen(
            # -P: not the working folder first on the path (a `cli` folder
            # there would be run instead of this one's)
            [sys.executable, "-P", "-m", module, str(write), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # what fails is done again, and told, here
            pass_fds=(write, *pass_fds),
            env=env,
        )
    except OSError:
        os.close(read)
        return None
    finally:
        os.close(write)  # (the child's copy is its own: it ends the pipe)
    return Child(process, os.fdopen(read, "rb"))


_KINDS = {b"m": marshal.loads, b"p": pickle.loads}


def read_frame(child: Child | None) -> Any:
    """The child's next frame's value; None when it has none (it ended, or
    failed, or wrote something that is not a whole frame)."""
    if child is None:
        return None
    return read_stream(child.frames)


def read_stream(stream: IO[bytes]) -> Any:
    """The next frame's value on `stream`; None when there is none, or only
    part of one, or something else."""
    try:
        head = stream.read(1 + _LENGTH)
        load = _KINDS.get(head[:1]) if len(head) == 1 + _LENGTH else None
        if load is None:
            return None
        size = int.from_bytes(head[1:], "little")
        data = stream.read(size)
        return load(data) if len(data) == size else None
    except Exception:  # whatever it sent: the caller does the work itself
        return None


def stop(child: Child | None) -> None:
    """Stop a child (if still running) and wait for it."""
    if child is None:
        return
    try:
        child.process.kill()
        child.process.wait()
    finally:
        child.frames.close()


def write_frame(out: IO[bytes], value: Any) -> None:
    """One frame to the other process (a child's to its parent, or the
    parent's to a child reading its own pipe)."""
    try:
        kind, data = b"m", marshal.dumps(value)
    except ValueError:  # a value marshal cannot write
        kind, data = b"p", pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(kind + len(data).to_bytes(_LENGTH, "little"))
    out.write(data)
    out.flush()


def child_main(work: Any) -> None:
    """Run a child's `work(out, *args)` (its command line: the descriptor to
    write frames to, then `args`), then end at once and quietly.

    Ctrl-C reaches the whole process group: the parent decides what it
    means, and the child ends when its pipe closes (the parent stopped
    reading: a broken pipe, not an error to tell)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    fd, *args = sys.argv[1:]
    out = os.fdopen(int(fd), "wb")
    with contextlib.suppress(BrokenPipeError):
        work(out, *args)
    with contextlib.suppress(OSError):
        out.close()
    os._exit(0)  # (nothing else to flush into a closed pipe at exit)
