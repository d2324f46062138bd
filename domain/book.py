"""The record book of one negotiation: which refs exist, what they say now.

This is the one place that knows the rules of SPEC §2 that depend on what was
recorded before (parties, tabled proposals, refs, retractions, corrections).
The aggregate keeps one as its state to validate commands, and the
projections fold one over the log to resolve retractions and corrections, so
both read the record the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from domain.canonical import canonical_json, merge_changes
from domain.entry import Entry, fingerprint
from domain.errors import Problem
from domain.registry import expand_parties
from domain.vocabulary import (
    EVENT_TYPE,
    INSTITUTION_CODES,
    RECORD_EVENT_TYPES,
    REF_PREFIXES,
)


def derive_ref(record: dict[str, Any]) -> str:
    """A ref for a record that has none: stable, so re-importing it is idempotent."""
    body = {k: v for k, v in record.items() if k != "ref"}
    digest = hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()
    return f"{REF_PREFIXES[record['type']]}-{digest[:12]}"


class RecordBook:
    """Refs, parties and proposals of one negotiation, kept in recording order."""

    def __init__(self, *, compact: bool = False) -> None:
        self.compact = compact  # keep records compressed (the aggregate's book)
        self.opening: dict[str, Any] | None = None
        self.parties: list[str] = []
        self.members: frozenset[str] = frozenset()  # the parties, as a set
        self.entries: dict[str, Entry] = {}
        self.proposals: dict[str, str] = {}  # proposal slug -> ref of its tabling
        self._seq = 0
        # Reads the record of one version from the log (for entries kept
        # without their record: a book restored from a snapshot).
        self.loader: Callable[[int], dict[str, Any]] | None = None

    def read_record(self, seq: int) -> dict[str, Any]:
        """The stored record of version `seq`, read through `loader`."""
        if self.loader is None:
            raise LookupError(f"no log to read record {seq} from")
        return self.loader(seq)

    # -- reading -------------------------------------------------------------

    def is_duplicate(self, record: dict[str, Any]) -> bool:
        """True when the ref exists with identical content (an idempotent re-import)."""
        entry = self.entries.get(record["ref"])
        if entry is None:
            return False
        if entry.fingerprint is not None:
            return entry.fingerprint == fingerprint(canonical_json(record).encode())
        return entry.original == record

    def problems(self, record: dict[str, Any]) -> list[Problem]:
        """Every rule of SPEC §2 that `record` (with its ref set) would break here."""
        kind = record["type"]
        neg = record["negotiation"]
        if kind == "negotiation.opened":
            if self.opening is not None:
                return [Problem("negotiation", f"'{neg}' is already opened")]
            if not expand_parties(record):
                return [
                    Problem(
                        "parties",
                        f"'nato' had no members on {record['summit_on']} "
                        "(the summit date): list the parties",
                    )
                ]
            return []
        if self.opening is None:
            return [
                Problem(
                    "negotiation",
                    f"'{neg}' has not been opened (record negotiation.opened first)",
                )
            ]
        existing = self.entries.get(record["ref"])
        if existing is not None:
            return [
                Problem(
                    "ref",
                    f"'{record['ref']}' already exists in '{neg}' "
                    "with different content",
                )
            ]
        if kind == "record.retracted":
            return self._retraction_problems(record)
        if kind == "record.corrected":
            return self._correction_problems(record)
        return self._world_problems(record)

    def _is_party(self, code: str) -> bool:
        return code in self.parties

    def _world_problems(
        self, record: dict[str, Any], tabling_ref: str | None = None
    ) -> list[Problem]:
        kind = record["type"]
        neg = record["negotiation"]
        problems: list[Problem] = []

        def not_party(f: str, code: str, institutions: bool) -> None:
            extra = " nor an institution" if institutions else ""
            problems.append(Problem(f, f"'{code}' is not a party of '{neg}'{extra}"))

        def untabled(f: str, slug: str) -> None:
            problems.append(
                Problem(
                    f,
                    f"proposal '{slug}' has not been tabled in '{neg}' "
                    "(record proposal.tabled first)",
                )
            )

        spec = EVENT_TYPE[kind]
        for name in spec.party_fields:  # a party of this negotiation (or institution)
            code = record[name]
            institution = spec.institutions and code in INSTITUTION_CODES
            if not institution and not self._is_party(code):
                not_party(name, code, spec.institutions)
        if kind == "proposal.tabled":
            current = self.proposals.get(record["proposal"])
            if current is not None and current != tabling_ref:
                problems.append(
                    Problem(
                        "proposal",
                        f"'{record['proposal']}' is already tabled in '{neg}' "
                        f"(by '{current}'; use proposal.revised)",
                    )
                )
        elif kind == "proposal.revised":
            if record["proposal"] not in self.proposals:
                untabled("proposal", record["proposal"])
        elif kind == "statement.made":
            position = record.get("position")
            if position and position["proposal"] not in self.proposals:
                untabled("position.proposal", position["proposal"])
        elif kind == "signoff.recorded":
            signatories = record["signatories"]
            if signatories == "all":
                signed = set(self.parties)
            else:
                signed = set(signatories)
                for i, code in enumerate(signatories):
                    if not self._is_party(code):
                        not_party(f"signatories[{i}]", code, False)
            for code in record.get("reservations") or {}:
                if code not in signed:
                    problems.append(
                        Problem(f"reservations.{code}", f"'{code}' is not a signatory")
                    )
            if "proposal" in record and record["proposal"] not in self.proposals:
                untabled("proposal", record["proposal"])
        return problems

    def _target(self, record: dict[str, Any]) -> tuple[Entry | None, list[Problem]]:
        target = record["target"]
        neg = record["negotiation"]
        entry = self.entries.get(target)
        if entry is None:
            return None, [Problem("target", f"no record '{target}' in '{neg}'")]
        if entry.type == "negotiation.opened":
            return None, [
                Problem(
                    "target",
                    f"'{target}' opens the negotiation and cannot be "
                    "retracted or corrected",
                )
            ]
        if entry.retracted:
            return None, [Problem("target", f"'{target}' is already retracted")]
        return entry, []

    def _retraction_problems(self, record: dict[str, Any]) -> list[Problem]:
        entry, problems = self._target(record)
        if entry is None or entry.type != "record.retracted":
            return problems
        # Retracting a retraction restores its target: it must fit again.
        restored = self.entries[entry.record["target"]]
        if restored.type == "proposal.tabled":
            slug = restored.record["proposal"]
            if slug in self.proposals:
                return [
                    Problem(
                        "target",
                        f"restoring '{restored.ref}' would table '{slug}' twice",
                    )
                ]
        return []

    def _correction_problems(self, record: dict[str, Any]) -> list[Problem]:
        entry, problems = self._target(record)
        if entry is None:
            return problems
        if entry.type in RECORD_EVENT_TYPES:
            return [
                Problem(
                    "target",
                    f"'{entry.ref}' is a {entry.type} and cannot be corrected "
                    "(retract it instead)",
                )
            ]
        from domain.interchange import apply_changes

        merged, problems = apply_changes(entry.record, record["changes"])
        if problems or merged is None:
            return problems
        return [
            Problem(f"changes.{p.field}", p.reason)
            for p in self._world_problems(merged, tabling_ref=entry.ref)
        ]

    # -- writing (no validation: events from the log are facts) -------------

    def apply(
        self,
        record: dict[str, Any],
        position: int = 0,
        *,
        canonical: bytes | None = None,
        stored: bytes | None = None,
    ) -> None:
        """Add one stored record and its effect on the others (`canonical` and
        `stored`: its canonical JSON and stored state, when already made)."""
        ref = record["ref"]
        kind = record["type"]
        self._seq += 1
        self.entries[ref] = Entry(
            ref,
            kind,
            self._seq,
            record,
            position=position,
            compact=self.compact,
            canonical=canonical,
            stored=stored,
        )
        if kind == "negotiation.opened":
            self.opening = record
            self.parties = expand_parties(record)
            self.members = frozenset(self.parties)
        elif kind == "proposal.tabled":
            self.proposals[record["proposal"]] = ref
        elif kind == "record.retracted":
            self._retract(record["target"])
        elif kind == "record.corrected":
            target = self.entries[record["target"]]
            target.corrections.append(ref)
            self._recompute(target)

    def _retract(self, ref: str) -> None:
        entry = self.entries[ref]
        entry.retracted = True
        if entry.type == "proposal.tabled":
            if self.proposals.get(entry.record["proposal"]) == ref:
                del self.proposals[entry.record["proposal"]]
        elif entry.type == "record.retracted":
            self._restore(entry.record["target"])
        elif entry.type == "record.corrected":
            target = self.entries[entry.record["target"]]
            target.corrections.remove(ref)
            self._recompute(target)

    def _restore(self, ref: str) -> None:
        entry = self.entries[ref]
        entry.retracted = False
        if entry.type == "proposal.tabled":
            self.proposals.setdefault(entry.record["proposal"], ref)
        elif entry.type == "record.retracted":
            self._retract(entry.record["target"])
        elif entry.type == "record.corrected":
            target = self.entries[entry.record["target"]]
            target.corrections.append(ref)
            target.corrections.sort(key=lambda r: self.entries[r].seq)
            self._recompute(target)

    def _recompute(self, entry: Entry) -> None:
        if not entry.corrections:
            entry.record = None  # back to the original
            return
        record = entry.original
        for ref in entry.corrections:
            record = merge_changes(record, self.entries[ref].record["changes"])
        entry.record = record

    def world_entry(self, ref: str) -> Entry:
        """The world event a record event finally bears on (itself if a world event)."""
        entry = self.entries[ref]
        while entry.type in RECORD_EVENT_TYPES:
            entry = self.entries[entry.record["target"]]
        return entry

    def normalise(self, record: dict[str, Any]) -> dict[str, Any]:
        """A correction with its changes in stored form (defaults filled in).

        Values are normalised against the target's type when it is known, so
        that applying a correction later needs no validation and re-importing
        it compares equal. Other records are returned as they are.
        """
        if record["type"] != "record.corrected":
            return record
        entry = self.entries.get(record["target"])
        if entry is None or entry.type in RECORD_EVENT_TYPES:
            return record
        from domain.interchange import apply_changes

        merged, problems = apply_changes(entry.record, record["changes"])
        if problems or merged is None:
            return record
        changes = {k: merged.get(k) for k in record["changes"]}
        return {**record, "changes": changes}
