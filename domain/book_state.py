"""A negotiation's record book as a snapshot: its index, without the records.

A snapshot lets a writer validate against a negotiation without replaying
its whole history: the book's index (refs, types, fingerprints, what is
retracted or corrected) is stored, the world records are not (an entry
reads its record from the log if a rule needs it: a correction of it, a
restored tabling). Record events are small and are kept whole; so is each
corrected record as it stands.

The index is one text, a line per entry (fields apart by `|`, lines by a
space: nothing JSON escapes), searched for a ref only when a rule asks about
it: restoring a book costs one decompression and one JSON string, not an
object per entry, so a write into a negotiation of 50,000 events reads
hardly more than one into a negotiation of 20.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import Transcoding

from domain.book import RecordBook
from domain.entry import Entry
from domain.registry import expand_parties

FORMAT = 1
_SAFE_REF = re.compile(r"[^|, ]+")  # refs are slugs: a line's fields never mix
FIELD, LINE = "|", " "


def _line(e: Entry) -> str:
    retracted = "1" if e.retracted else "0"
    fields = (e.ref, e.type, str(e.seq), e.fingerprint or "", retracted)
    return FIELD.join((*fields, ",".join(e.corrections)))


def book_state(book: RecordBook) -> dict[str, Any]:
    """The book's index as JSON types (ValueError for a ref it cannot hold)."""
    entries = book.entries
    dormant, small, current = "", {}, {}
    if isinstance(entries, Entries):
        dormant, small, current = (
            entries.text,
            dict(entries.small),
            dict(entries.current),
        )
    lines = [dormant] if dormant else []
    for e in dict.values(entries):  # entries read or added since the restore
        if not _SAFE_REF.fullmatch(e.ref):
            raise ValueError(f"ref {e.ref!r} cannot be indexed")
        lines.append(_line(e))  # after any older line of the same ref: it wins
        if e._original is not None:  # a record event's (world records are not kept)
            small[e.ref] = e._original
        current.pop(e.ref, None)
        if e._record is not None:
            current[e.ref] = e._record
    return {
        "format": FORMAT,
        "seq": book._seq,
        "opening": book.opening,
        "proposals": book.proposals,
        "index": LINE.join(lines),
        "small": small,
        "current": current,
    }


class Entries(dict[str, Entry]):
    """A restored book's entries: each made from its line of the index when
    first asked for (the last line of a ref is its latest state)."""

    def __init__(self, book: RecordBook, state: dict[str, Any]) -> None:
        super().__init__()
        self.book = book
        self.text: str = state["index"]
        self._search: str = LINE + self.text + LINE
        self.small: dict[str, dict[str, Any]] = state["small"]
        self.current: dict[str, dict[str, Any]] = state["current"]

    def _line_of(self, ref: str) -> str | None:
        """The ref's latest line of the index, if it has one."""
        at = self._search.rfind(f"{LINE}{ref}{FIELD}")
        if at < 0:
            return None
        return self._search[at + 1 : self._search.index(LINE, at + 1)]

    def _wake(self, ref: str) -> Entry | None:
        if not _SAFE_REF.fullmatch(ref):
            return None
        line = self._line_of(ref)
        if line is None:
            return None
        _, kind, seq, print_, retracted, corrections = line.split(FIELD)
        small = self._small(ref)
        entry = Entry(ref, kind, int(seq), small)
        entry.fingerprint = print_ or None
        entry.retracted = retracted == "1"
        entry.corrections = corrections.split(",") if corrections else []
        entry._record = self.current.get(ref)
        if small is None:
            entry._load = self._reader(int(seq))
        dict.__setitem__(self, ref, entry)
        return entry

    def _small(self, ref: str) -> dict[str, Any] | None:
        """The record of a record event, kept whole."""
        return self.small.get(ref)

    def _reader(self, seq: int) -> Callable[[int], dict[str, Any]]:
        """What reads the record of version `seq` (the log, through the book)."""
        return self.book.read_record

    def get(self, ref: str, default: Any = None) -> Any:
        found = dict.get(self, ref)
        if found is None:
            found = self._wake(ref)
        return default if found is None else found

    def __getitem__(self, ref: str) -> Entry:
        found = self.get(ref)
        if found is None:
            raise KeyError(ref)
        return found  # type: ignore[no-any-return]

    def __contains__(self, ref: object) -> bool:
        return isinstance(ref, str) and self.get(ref) is not None

    def _refs(self) -> list[str]:
        indexed = (line.partition(FIELD)[0] for line in self.text.split(LINE) if line)
        return list(dict.fromkeys([*indexed, *dict.__iter__(self)]))

    def __iter__(self) -> Any:
        return iter(self._refs())

    def __len__(self) -> int:
        return len(self._refs())

    def values(self) -> Any:
        return [self[ref] for ref in self._refs()]

    def items(self) -> Any:
        return [(ref, self[ref]) for ref in self._refs()]


def restored_book(state: dict[str, Any]) -> RecordBook:
    """The book back from its state; its world records are read from the log
    through `book.loader`, which the application sets."""
    if state.get("format") != FORMAT:
        raise ValueError(f"unknown record book format {state.get('format')!r}")
    book = RecordBook(compact=True)
    book._seq = state["seq"]
    book.opening = state["opening"]
    if book.opening is not None:
        book.parties = expand_parties(book.opening)
        book.members = frozenset(book.parties)
    book.proposals = dict(state["proposals"])
    book.entries = Entries(book, state)
    return book


class BookAsDict(Transcoding):
    """eventsourcing's transcoding of a record book in a snapshot.

    A decoded book reads its world records through its `loader`, which the
    application sets on the restored aggregate (see `domain.snapshots`).
    """

    type = RecordBook
    name = "summit_book"

    def encode(self, obj: RecordBook) -> dict[str, Any]:
        return book_state(obj)

    def decode(self, data: dict[str, Any]) -> RecordBook:
        return restored_book(data)
