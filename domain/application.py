"""The summit application: validates records against the log and saves them.

It is storage-agnostic (eventsourcing picks the backend from its
environment); `cli/store/` builds it with the store the user named.
"""

from __future__ import annotations

import pickle
import random
import tempfile
import time
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder, StoredEvent

from domain import snapshots
from domain.book import RecordBook
from domain.book_state import BookAsDict
from domain.errors import InvalidInput, InvalidRecord, Problem, SummitError
from domain.fields import text_problem
from domain.negotiation import Negotiation, with_ref
from domain.packed import PackedEntries, Refs, pack
from domain.sealing import Pending, SealedHere, Sealer, SealerFactory, Unsealed
from domain.stored import StateCompressor

if TYPE_CHECKING:
    from domain.interchange import Line

# Conflicts with concurrent writers are retried after a random pause that
# doubles up to a cap (so writers spread out instead of colliding again), at
# most MAX_ATTEMPTS times: under 20 s of pauses, enough for eight processes
# recording as fast as they can into one negotiation on a two-core machine.
MAX_ATTEMPTS = 200
BACKOFF_FIRST_S = 0.005
BACKOFF_CAP_S = 0.1
# Input lines between moves of validated events from memory to the spool,
# and packings of the record books (`domain.packed`).
SPOOL_EVERY = 2000

Row = tuple[UUID, int, str, bytes]  # a stored event: originator, version, topic, state


@dataclass
class ImportReport:
    """What an import stored and skipped (refs in input order)."""

    stored: Refs = field(default_factory=Refs)
    skipped: Refs = field(default_factory=Refs)
    conflicts_retried: int = 0


class ConcurrentWriteError(SummitError):
    """Other writers kept changing the same negotiation; nothing was stored."""


class Summit(Application[UUID]):
    """Records negotiation events; reading goes through the projections."""

    name = "summit"
    is_snapshotting_enabled = True  # see domain.snapshots
    # Told how many events a write stored, as soon as it is committed (so an
    # interrupt after that point is not reported as "nothing stored").
    on_stored: Callable[[int], None] | None = None

    def __init__(self, env: Any = None) -> None:
        super().__init__(env=env)
        # The version of each negotiation's latest snapshot, as last read.
        self.snapshot_versions: dict[str, int] = {}
        # The negotiation the last write went to, as it stands after it (one
        # negotiation's writes only: `record`), for the views' catch-up that
        # follows (projections/tables/books.py), which would otherwise read it
        # again from its snapshot.
        self.written: dict[str, Negotiation] = {}

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(BookAsDict())

    def negotiation(self, slug: str) -> Negotiation | None:
        """The negotiation aggregate, or None when it has not been opened."""
        return snapshots.load(self, slug)

    def forget_snapshots(self, aggregate_id: UUID, before: int) -> None:
        """Delete the aggregate's snapshots older than version `before`.

        The store layer overrides this with its backend's statement.
        """

    def committed(self, events: int) -> None:
        """A write of `events` events has just committed: tell `on_stored`."""
        if self.on_stored is not None:
            self.on_stored(events)

    def record_lines(
        self,
        lines: Iterable[Line] | Callable[[], Iterable[Line]],
        recorded_by: str,
        *,
        dry_run: bool = False,
        source: str = "-",
        seal_aside: SealerFactory | None = None,
    ) -> ImportReport:
        """Validate every line against the log, then store all of them or none.

        `lines` may be a function that yields the input afresh: the input is
        then streamed (validated events are spooled to a temporary file as
        stored bytes, and written in one transaction at the end), so memory
        grows with the number of refs, not with the size of the input. A
        concurrent writer's conflict is retried after re-validating against
        the new state of the log, a bounded number of times. `seal_aside`
        may seal the rows elsewhere (in another process) while lines are
        checked here.
        """
        problem = text_problem(recorded_by, one_line=True)
        if problem is not None:
            raise InvalidRecord("recorded_by", f"{problem} (who records: --by)")
        if callable(lines):
            read = lines
        else:
            kept = list(lines)

            def read() -> Iterable[Line]:
                return kept

        for attempt in range(MAX_ATTEMPTS):
            with (
                tempfile.TemporaryFile(prefix="summit-import-") as spool,
                tempfile.TemporaryFile(prefix="summit-records-") as records,
            ):
                report, aggregates = self._checked(
                    read, recorded_by, source, (spool, records), dry_run, seal_aside
                )
                report.conflicts_retried = attempt
                if dry_run or not report.stored:
                    return report
                try:
                    self._write(spool)
                except IntegrityError:
                    pause = min(BACKOFF_CAP_S, BACKOFF_FIRST_S * 2**attempt)
                    time.sleep(random.uniform(0, pause))
                    continue
                self.committed(len(report.stored))  # before anything can interrupt
                snapshots.take(self, aggregates)
                self.written = _one_written(aggregates)
                return report
        raise ConcurrentWriteError(
            f"gave up after {MAX_ATTEMPTS} attempts: other writers kept changing "
            "the same negotiation; nothing was stored, try again"
        )

    def _checked(
        self,
        read: Callable[[], Iterable[Line]],
        recorded_by: str,
        source: str,
        files: tuple[IO[bytes], IO[bytes]],
        dry_run: bool,
        aside: SealerFactory | None,
    ) -> tuple[ImportReport, dict[str, Negotiation | None]]:
        """Check every line and spool the valid rows, sealed; if they were
        sealed aside and not all came back, check them again, sealed here
        (the same attempt: no other writer was involved)."""
        while True:
            for file in files:  # (what a failed sealer left)
                file.seek(0)
                file.truncate()
            sealer = self._sealer(files[0], dry_run, aside)
            try:
                report, aggregates = self._apply(
                    read(), recorded_by, source, files, sealer
                )
                if dry_run or not report.stored or sealer.finish():
                    return report, aggregates
            finally:
                sealer.close()
            aside = None

    def _sealer(
        self, spool: IO[bytes], dry_run: bool, aside: SealerFactory | None
    ) -> Sealer:
        """Where this attempt's rows go: nowhere for a dry run, sealed aside
        when the store's seal allows it and a sealer starts, else sealed
        here."""
        if dry_run:
            return Unsealed()
        compressor: object = self.mapper.compressor  # (the child's seal: only it)
        if aside and self.mapper.cipher is None and type(compressor) is StateCompressor:
            found = aside(spool)
            if found is not None:
                return found
        return SealedHere(spool, self._seal)

    def _spool(
        self,
        aggregates: dict[str, Negotiation | None],
        rows: dict[str, list[Pending]],
        sealer: Sealer,
    ) -> None:
        """Move pending rows (and events: an opening) to the sealer, in order."""
        out: list[Pending] = []
        for slug, agg in aggregates.items():
            if agg is None:
                continue
            for event in agg.collect_events():
                stored = self.mapper.to_stored_event(event)  # sealed by the mapper
                out.append(
                    (
                        stored.originator_id,  # type: ignore[arg-type]
                        stored.originator_version,
                        stored.topic,
                        stored.state,
                        False,
                    )
                )
            out.extend(rows.pop(slug, ()))
        if out:
            sealer.put(out)

    def _seal(self, state: bytes) -> bytes:
        """A stored state as the mapper would finish it: compressed, encrypted."""
        mapper = self.mapper
        if mapper.compressor is not None:
            state = mapper.compressor.compress(state)
        if mapper.cipher is not None:
            state = mapper.cipher.encrypt(state)
        return state

    def _write(self, spool: IO[bytes]) -> None:
        """Insert every spooled row in one transaction (all or nothing)."""
        spool.seek(0)

        def chunks() -> Iterator[list[StoredEvent]]:
            while True:
                try:
                    rows = pickle.load(spool)
                except EOFError:
                    return
                yield [StoredEvent(*row) for row in rows]

        self.insert_stored(chunks())

    def insert_stored(self, chunks: Iterable[list[StoredEvent]]) -> None:
        """Insert stored events in one transaction (all or nothing).

        The store layer may override this with a backend's bulk writer.
        """
        self.recorder.insert_events([e for chunk in chunks for e in chunk])

    def _apply(
        self,
        lines: Iterable[Line],
        recorded_by: str,
        source: str,
        files: tuple[IO[bytes], IO[bytes]],
        sealer: Sealer,
    ) -> tuple[ImportReport, dict[str, Negotiation | None]]:
        """Check every line; `files`: the spool, and the import's record file;
        valid rows go to `sealer` as they are checked."""
        report = ImportReport()
        problems: list[Problem] = []
        aggregates: dict[str, Negotiation | None] = {}
        rows: dict[str, list[Pending]] = {}
        try:
            self._check_lines(
                lines,
                recorded_by,
                report,
                problems,
                (aggregates, rows),
                files[1],
                sealer,
            )
        except InvalidInput as e:  # the input's own problems, found as it was read
            problems.extend(e.problems)
        if problems:
            raise InvalidInput(problems, source)
        self._spool(aggregates, rows, sealer)
        return report, aggregates

    def _check_lines(
        self,
        lines: Iterable[Line],
        recorded_by: str,
        report: ImportReport,
        problems: list[Problem],
        pending: tuple[dict[str, Negotiation | None], dict[str, list[Pending]]],
        records: IO[bytes],
        sealer: Sealer,
    ) -> None:
        """Check each line against the log and the valid lines before it."""
        aggregates, rows = pending
        readable = self.mapper.cipher is None
        seen = _Seen()
        for count, line in enumerate(lines, start=1):
            slug = line.record["negotiation"]
            if slug not in aggregates:
                aggregates[slug] = self.negotiation(slug)
                seen.opened(slug, aggregates[slug])
            agg = aggregates[slug]
            record = with_ref(agg.book.normalise(line.record) if agg else line.record)
            first = seen.first_line(slug, agg, record["ref"])
            if first is not None:
                problems.append(
                    Problem(
                        "ref",
                        f"'{record['ref']}' is repeated in this input "
                        f"(first on line {first})",
                        line.number,
                    )
                )
            elif agg is None:  # only an opening, and a valid one, may come first
                found = RecordBook().problems(record)
                if found:
                    seen.refused(slug, record["ref"], line.number)
                    problems.extend(
                        Problem(p.field, p.reason, line.number) for p in found
                    )
                else:
                    aggregates[slug] = Negotiation.open(record, recorded_by)
                    seen.recorded(slug, line.number)
                    report.stored.append(record["ref"])
            elif agg.book.is_duplicate(record):
                seen.skipped(slug, agg.book.entries[record["ref"]].seq, line.number)
                report.skipped.append(record["ref"])
            elif found := agg.book.problems(record):
                seen.refused(slug, record["ref"], line.number)
                problems.extend(Problem(p.field, p.reason, line.number) for p in found)
            else:
                row = agg.append(record, recorded_by, readable=readable)
                rows.setdefault(slug, []).append((agg.id, *row, True))
                seen.recorded(slug, line.number)
                report.stored.append(record["ref"])
            if count % SPOOL_EVERY == 0:  # memory bounded, whatever the input
                if not problems:
                    self._spool(aggregates, rows, sealer)
                else:  # nothing will be stored: keep no rows
                    rows.clear()
                books = [(a.book, seen.base[s]) for s, a in aggregates.items() if a]
                pack(books, records)


class _Seen:
    """Where each ref of an import was first seen: the input line of every
    version it records or skips (arrays), and of every line it refuses."""

    def __init__(self) -> None:
        self.base: dict[str, int] = {}  # each negotiation's version in the log
        self.lines: dict[str, array[int]] = {}  # of versions base+1...
        self.skips: dict[str, array[int]] = {}  # of versions up to base
        self.refusals: dict[tuple[str, str], int] = {}

    def opened(self, slug: str, agg: Negotiation | None) -> None:
        self.base[slug] = agg.version if agg is not None else 0
        self.lines[slug] = array("I")

    def recorded(self, slug: str, number: int) -> None:
        self.lines[slug].append(number)

    def skipped(self, slug: str, version: int, number: int) -> None:
        if slug not in self.skips:
            self.skips[slug] = array("I", bytes(4 * (self.base[slug] + 1)))
        self.skips[slug][version] = number

    def refused(self, slug: str, ref: str, number: int) -> None:
        self.refusals[(slug, ref)] = number

    def first_line(self, slug: str, agg: Negotiation | None, ref: str) -> int | None:
        """The line this input gave `ref` on before, if it did."""
        if (slug, ref) in self.refusals:
            return self.refusals[(slug, ref)]
        entry = agg.book.entries.get(ref) if agg is not None else None
        if entry is None:
            return None
        base = self.base[slug]
        if entry.seq > base:
            return self.lines[slug][entry.seq - base - 1]
        skips = self.skips.get(slug)
        return (skips[entry.seq] or None) if skips is not None else None


def _one_written(aggregates: dict[str, Negotiation | None]) -> dict[str, Negotiation]:
    """The aggregate a write went to, when it went to one negotiation and its
    book was never packed (an import's packed books read records back from
    its temporary file, gone after the write; holding every negotiation's
    book would undo the packing)."""
    if len(aggregates) != 1:
        return {}
    ((slug, agg),) = aggregates.items()
    if agg is None or isinstance(agg.book.entries, PackedEntries):
        return {}
    return {slug: agg}
