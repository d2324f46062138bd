"""One entry of a record book: a recorded event as it stands now."""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable
from typing import Any

from domain.canonical import canonical_json
from domain.stored import state_json
from domain.vocabulary import RECORD_EVENT_TYPES


class Entry:
    """One recorded event as it stands now.

    A compact entry keeps its record as compressed JSON and unpacks it when
    read, so a book of a large negotiation costs a few hundred bytes a ref;
    its content fingerprint answers whether a record repeats it. An entry
    restored from a snapshot keeps no record at all: it is read from the log
    when needed (rarely: to apply a correction or restore a tabling).
    """

    __slots__ = (
        "_load",
        "_original",
        "_packed",
        "_record",
        "_stored",
        "corrections",
        "fingerprint",
        "position",
        "ref",
        "retracted",
        "seq",
        "type",
    )

    def __init__(
        self,
        ref: str,
        type: str,
        seq: int,
        original: dict[str, Any] | None,
        *,
        position: int = 0,  # place in the log, when the book is read from one
        compact: bool = False,
        canonical: bytes | None = None,  # the record's canonical JSON, if made
        stored: bytes | None = None,  # its event's stored state, if readable
    ) -> None:
        self.ref = ref
        self.type = type
        self.seq = seq
        self._original = original
        self._packed: bytes | None = None
        self._stored = False  # whether _packed is the event's stored state
        self._load: Callable[[int], dict[str, Any]] | None = None
        self.fingerprint: str | None = None
        if compact and original is not None:
            text = canonical or canonical_json(original).encode()
            self.fingerprint = fingerprint(text)
            if type not in RECORD_EVENT_TYPES:  # record events: small, read often
                self._stored = stored is not None
                self._packed = stored if stored is not None else zlib.compress(text, 1)
                self._original = None
        self._record: dict[str, Any] | None = None  # set only when corrected
        self.retracted = False
        self.corrections: list[str] = []
        self.position = position

    @property
    def original(self) -> dict[str, Any]:
        """The record as first stored."""
        if self._original is not None:
            return self._original
        if self._packed is not None:
            if self._stored:
                return state_json(self._packed)["record"]  # type: ignore[no-any-return]
            return json.loads(zlib.decompress(self._packed))  # type: ignore[no-any-return]
        assert self._load is not None, f"entry '{self.ref}' has no record to read"
        return self._load(self.seq)

    @property
    def record(self) -> dict[str, Any]:
        """The record with its unretracted corrections applied."""
        return self._record if self._record is not None else self.original

    @record.setter
    def record(self, value: dict[str, Any] | None) -> None:
        self._record = value


def fingerprint(canonical: bytes) -> str:
    """A record's content fingerprint, from its canonical JSON."""
    return hashlib.blake2b(canonical, digest_size=8).hexdigest()
