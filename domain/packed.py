"""An import's record books, packed as they grow: memory bounded by the input.

An import validates each record against the books of its negotiations, and
those grow with the input. Every few thousand lines the application packs
them: each entry becomes a line of a book's index (as in a snapshot,
`domain.book_state`), held in buckets by its ref's hash so that asking for a
ref searches a few kilobytes; the world record of an entry this import made
goes to the import's record file (its place kept in two arrays), and the
entry object is dropped. A book then costs some fifty bytes a record, and a
rule that needs a record (a correction's target, a restored tabling) reads
it back from the file, or from the log for an entry stored before.
"""

from __future__ import annotations

import json
import pickle
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, Any

from domain.book import RecordBook
from domain.book_state import FIELD, LINE, Entries, _line
from domain.entry import Entry
from domain.stored import state_json

BUCKET_BYTES = 4096  # a bucket's size past which a book's buckets are split
# Index bytes held in memory, all books together, past which the books not
# used since the last packing are parked in the record file.
INDEX_BUDGET = 32 * 2**20


class PackedEntries(Entries):
    """A book's entries: packed index lines in buckets, and the entries read
    or added since the last `pack` (dict items, as in `Entries`). A parked
    book keeps only where its packed state is in the record file."""

    def __init__(self, book: RecordBook, base: int, records: IO[bytes]) -> None:
        old = book.entries
        dict.__init__(self)
        self.book = book
        self.base = base  # versions up to it are in the log
        self.records = records
        self.used = True  # since the last packing
        self.parked: tuple[int, int] | None = None  # at, length in `records`
        self.missed: str | None = None  # the last ref asked for and not found
        self.buckets: list[str] = [LINE]
        self.size = 0
        # Where each record of version base+1... is in `records` (length * 2,
        # plus 1 when it is a stored state; 0: a record event, kept whole).
        self.offsets = array("Q")
        self.lengths = array("I")
        self.texts: dict[str, str] = {}  # record events' records, as JSON
        self._current: dict[str, dict[str, Any]] = {}  # corrected records
        if isinstance(old, Entries):
            self._current = dict(old.current)
            self.texts = {ref: _text(r) for ref, r in old.small.items()}
            self._add([line for line in old.text.split(LINE) if line])
        self.pack(dict.values(old))

    @property
    def text(self) -> str:  # type: ignore[override]
        """The index as one text (a ref's lines in order: its last one wins)."""
        buckets = self._state()[0]
        return LINE.join(b.strip(LINE) for b in buckets if b != LINE)

    @property
    def small(self) -> dict[str, dict[str, Any]]:  # type: ignore[override]
        """The records of record events, kept whole."""
        return {ref: json.loads(text) for ref, text in self._state()[3].items()}

    @property
    def current(self) -> dict[str, dict[str, Any]]:  # type: ignore[override]
        """Each corrected record as it stands."""
        return self._state()[4]  # type: ignore[no-any-return]

    def _small(self, ref: str) -> dict[str, Any] | None:
        text = self.texts.get(ref)
        return json.loads(text) if text is not None else None

    def get(self, ref: str, default: Any = None) -> Any:
        found = dict.get(self, ref)
        if found is None and ref != self.missed:  # asked again for a new ref
            found = self._wake(ref)
            if found is None:
                self.missed = ref
        return default if found is None else found

    def _bucket(self, ref: str) -> int:
        return hash(ref) % len(self.buckets)

    def _line_of(self, ref: str) -> str | None:
        self._unpark()
        self.used = True
        bucket = self.buckets[self._bucket(ref)]
        at = bucket.rfind(f"{LINE}{ref}{FIELD}")
        if at < 0:
            return None
        return bucket[at + 1 : bucket.index(LINE, at + 1)]

    def _add(self, lines: list[str]) -> None:
        self.size += sum(len(line) + 1 for line in lines)
        if self.size > BUCKET_BYTES * len(self.buckets):  # split: rehash all
            old = [line for b in self.buckets for line in b.split(LINE) if line]
            lines = old + lines
            self.buckets = [LINE] * max(1, 4 * self.size // BUCKET_BYTES)
        grouped: dict[int, list[str]] = {}
        for line in lines:
            grouped.setdefault(self._bucket(line.partition(FIELD)[0]), []).append(line)
        for at, group in grouped.items():
            self.buckets[at] += LINE.join(group) + LINE

    def pack(self, entries: Iterable[Entry]) -> None:
        """Move `entries` (new, read or changed) into the index, their records
        (this import's world records) into the record file."""
        lines, todo = [], sorted(entries, key=lambda e: e.seq)
        if todo:
            self._unpark()
            end = self.records.seek(0, 2)
        for e in todo:
            line = _line(e)
            if e.seq > self.base + len(self.offsets):  # made since the last pack
                end = self._keep_record(e, end)
            elif line == self._line_of(e.ref) and e._record is None:
                continue  # only read: its line stands
            lines.append(line)
            if e._original is not None:  # a record event's
                self.texts[e.ref] = _text(e._original)
            self._current.pop(e.ref, None)
            if e._record is not None:
                self._current[e.ref] = e._record
        dict.clear(self)
        self.missed = None
        if lines:
            self._add(lines)

    def _keep_record(self, e: Entry, end: int) -> int:
        """Write a new entry's world record at `end` of the record file; return
        the new end."""
        assert e.seq == self.base + len(self.offsets) + 1, "entries packed in order"
        if e._packed is None:
            self.offsets.append(0)
            self.lengths.append(0)
            return end
        self.offsets.append(end)
        self.lengths.append(len(e._packed) * 2 + e._stored)
        return end + self.records.write(e._packed)

    def _reader(self, seq: int) -> Callable[[int], dict[str, Any]]:
        if seq <= self.base:
            return self.book.read_record
        return self._read

    def _read(self, seq: int) -> dict[str, Any]:
        """This import's world record of version `seq`, from the record file."""
        self._unpark()
        at = seq - self.base - 1
        self.records.seek(self.offsets[at])
        length, stored = divmod(self.lengths[at], 2)
        data = self.records.read(length)
        if stored:
            return state_json(data)["record"]  # type: ignore[no-any-return]
        return json.loads(zlib.decompress(data))  # type: ignore[no-any-return]

    def park(self) -> None:
        """Move the packed state to the record file (entries in memory stay)."""
        if self.parked is not None:
            return
        data = pickle.dumps(self._state(), protocol=pickle.HIGHEST_PROTOCOL)
        self.parked = (self.records.seek(0, 2), len(data))
        self.records.write(data)
        self.buckets, self.offsets, self.lengths = [LINE], array("Q"), array("I")
        self.texts, self._current = {}, {}

    def _state(self) -> tuple[Any, ...]:
        """The packed state, read from the record file if parked (where it
        stays: a snapshot of every book at the end reads each in turn)."""
        if self.parked is None:
            return (self.buckets, self.offsets, self.lengths, self.texts, self._current)
        at, length = self.parked
        self.records.seek(at)
        return tuple(pickle.loads(self.records.read(length)))

    def _unpark(self) -> None:
        if self.parked is None:
            return
        state = self._state()
        self.parked = None
        self.buckets, self.offsets, self.lengths, self.texts, self._current = state


def _text(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def pack(books: Iterable[tuple[RecordBook, int]], records: IO[bytes]) -> None:
    """Pack each book's entries in memory (`int`: its version in the log), then
    park the books not used since the last packing while the index is large."""
    held: list[PackedEntries] = []
    for book, base in books:
        if isinstance(book.entries, PackedEntries):
            book.entries.pack(dict.values(book.entries))
        else:
            book.entries = PackedEntries(book, base, records)
        held.append(book.entries)
    size = sum(e.size for e in held if e.parked is None)
    for entries in held:
        if size <= INDEX_BUDGET:
            break
        if not entries.used and entries.parked is None:
            entries.park()
            size -= entries.size
    for entries in held:
        entries.used = False


class Refs(Sequence[str]):
    """Refs in the order added, kept as text (refs are slugs: no newline)."""

    def __init__(self, refs: Iterable[str] = ()) -> None:
        self._chunks: list[str] = []
        self._recent: list[str] = []
        self._count = 0
        for ref in refs:
            self.append(ref)

    def append(self, ref: str) -> None:
        self._recent.append(ref)
        self._count += 1
        if len(self._recent) == 1000:
            self._chunks.append("\n".join(self._recent))
            self._recent = []

    def __iter__(self) -> Iterator[str]:
        for chunk in self._chunks:
            yield from chunk.split("\n")
        yield from self._recent

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: Any) -> Any:
        return list(self)[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return list(self) == list(other)
        return NotImplemented

    def __add__(self, other: Iterable[str]) -> list[str]:
        return [*self, *other]

    def __repr__(self) -> str:
        return repr(list(self))
