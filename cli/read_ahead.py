"""An import's input parsed ahead in a second process.

Reading a JSON Lines input (decoding each line, refusing a key given twice,
validating it by the interchange models: SPEC §2) is a third of a large
import's time, and needs nothing the log knows. For an input of `SIZE`
bytes or more, a child process runs the same parser (`parse_lines`) over
the file and sends its lines in frames (`projections/ahead.py`) while this
process checks each one against the log and stores it: on two cores, the
two halves overlap.

Nothing changes for the user: the lines, their numbers and every problem
are those the parser gives here (the last frame carries the problems, raised
here as one `InvalidInput`, as the parser raises them at the end). If the
child fails or is killed, this process parses the file itself and goes on
after the last line the child gave, with every problem of the whole file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from domain.errors import InvalidInput, Problem
from domain.interchange import Line
from projections import ahead

SIZE = 2 << 20  # bytes (some 7,000 lines): a smaller input is parsed here
PER = 2000  # lines a frame


def start(path: str, source: str) -> ahead.Child | None:
    """A child parsing the input, started now (None: it is parsed here)."""
    if not ahead.helps(path, SIZE):
        return None
    try:
        # The child reads the file this process opens (a path such as
        # /dev/stdin names another file in another process).
        with open(path, "rb") as stream:
            fd = stream.fileno()
            return ahead.spawn(__name__, [str(fd), source, str(PER)], (fd,))
    except OSError:  # parsed here, which says what is wrong
        return None


def parsed_lines(path: str, source: str, child: ahead.Child | None) -> Iterator[Line]:
    """The input's valid lines, in order, from `child` (`start`) or parsed
    here; InvalidInput at the end if any line had a problem (as
    `parse_lines`)."""
    last = 0  # the last line the child gave
    try:
        while child is not None:
            frame = ahead.read_frame(child)
            if frame is None:
                break  # it failed: the rest is read here
            lines, problems = frame
            for number, record in lines:
                last = number
                yield Line(number, record)
            if problems is not None:  # its last frame
                if problems:
                    raise InvalidInput([Problem(*p) for p in problems], source)
                return
    finally:
        ahead.stop(child)
    for line in _here(path, source):
        if line.number > last:
            yield line


def _here(path: str | int, source: str) -> Iterator[Line]:
    from domain.jsonlines import parse_lines

    with open(path, "rb") as stream:
        yield from parse_lines(stream, source)


def send(out: IO[bytes], fd: str, source: str, per: str) -> None:
    """The child's work: the lines of the file open at `fd` as `parse_lines`
    gives them, `per` a frame as (number, record) pairs; the last frame also
    carries every problem."""
    batch: list[tuple[int, dict[str, object]]] = []
    problems: list[tuple[object, ...]] = []
    try:
        for line in _here(int(fd), source):
            batch.append((line.number, line.record))
            if len(batch) >= int(per):
                ahead.write_frame(out, (batch, None))
                batch = []
    except InvalidInput as e:
        problems = [tuple(p) for p in e.problems]
    ahead.write_frame(out, (batch, problems))


if __name__ == "__main__":
    # python -m cli.read_ahead FD INPUT_FD SOURCE PER
    ahead.child_main(send)
