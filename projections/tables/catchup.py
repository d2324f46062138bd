"""Catching the views up with the log: each new entry folded into table rows.

Rows are written with the tracking record in one transaction through the
backend's views recorder (`writer.py`), so catching up is exactly-once even
with concurrent readers.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from typing import Any

from domain.canonical import compact_encoder
from projections.inputs import evidence_stances
from projections.log import LogEntry
from projections.tables.books import Seeded, seeded_book
from projections.tables.days import DayCounts
from projections.tables.schema import (
    CLOSE,
    EVIDENCE,
    PLEDGES,
    SPENDING,
    TARGETS,
    TRACKING_NAME,
    entry_of,
    fact_row,
    micros,
)

BATCH = 5000
# A rebuild folds in batches this many times larger: a sixth less time at
# 200,000 events (fewer commits, more corrections closed in memory) for
# 128 MB at its peak, not 84. An import's catch-up keeps BATCH: its peak
# memory is a target (an import of 200,000 events would peak at 158 MB, not
# 114).
REBUILD_FACTOR = 4
# A proposal's targets as its rows keep them (`json.dumps` with these
# options, made once).
_TARGETS_JSON = compact_encoder(sort_keys=False, ascii=True)
# The derived table each kind of world event gives rows to.
TABLE_OF = {
    "proposal.tabled": TARGETS,
    "proposal.revised": TARGETS,
    "pledge.made": PLEDGES,
    "spending.reported": SPENDING,
    "statement.made": EVIDENCE,
    "signoff.recorded": EVIDENCE,
}


class Derived:
    """Keeps the derived tables in step with the log, one batch at a time.

    Holds each recently touched negotiation's record book (consistent with the
    committed view rows) and turns each new log entry into ordered operations:
    delete the rows a world event gave, insert the rows it gives now.
    """

    # Books kept between batches: at most MAX_BOOKS, holding at most
    # MAX_ENTRIES records in all (a book holds about 2.5 KB a record: with 64
    # books of 2,000 records a 200,000-event import peaked at 394 MB, with
    # this bound at ~100 MB). The book in use is always kept; one evicted is
    # seeded again from its snapshot when the log comes back to it.
    MAX_BOOKS = 64
    MAX_ENTRIES = 20_000

    def __init__(
        self, recorder: Any, app: Any = None, *, from_empty: bool = False
    ) -> None:
        self.recorder = recorder
        self.app = app
        self.books: dict[str, Any] = {}
        # From an empty view, a negotiation never seen in this run has no rows.
        self.from_empty = from_empty
        self.seen: set[str] = set()
        # Per negotiation, the latest recorded_at applied (microseconds), the
        # version of its last committed row, and up to which version its book
        # holds events this catch-up has yet to apply (`books.py`).
        self.known: dict[str, int] = {}
        self.last: dict[str, int] = {}
        self.ahead: dict[str, int] = {}
        self.days = DayCounts(from_empty=from_empty)  # the day rows (`days.py`)
        self.latest = ""  # the negotiation whose book was used last

    def book(self, negotiation: str) -> Any:
        book = self.books.get(negotiation)
        if book is not None and negotiation == self.latest:
            return book  # the one used last: most recently used already
        book = self.books.pop(negotiation, None)
        if book is None:
            book = self._load(negotiation)
            self.seen.add(negotiation)
        self.books[negotiation] = book  # most recently used last
        self.latest = negotiation
        return book

    def _load(self, negotiation: str) -> Any:
        """The negotiation's book as the committed rows stand: empty, seeded
        from a snapshot (`books.py`), or folded from the committed rows."""
        from domain.book import RecordBook

        if self.from_empty and negotiation not in self.seen:
            seeded = Seeded(RecordBook(), 0, 0, 0)  # no committed rows yet
        else:
            seeded = self.seeded(negotiation)
        self.known[negotiation] = seeded.known
        self.last[negotiation] = seeded.last
        self.ahead[negotiation] = seeded.ahead
        return seeded.book

    def seeded(self, negotiation: str) -> Seeded:
        if getattr(self.recorder, "facts", None) is not None:
            found = seeded_book(self.recorder, self.app, negotiation)
            if found is not None:
                return found
        from domain.book import RecordBook

        book, known, last = RecordBook(), 0, 0
        for entry in self.committed(negotiation):
            book.apply(entry.record, entry.position)
            known = max(known, micros(entry.recorded_at))
            last = entry.version
        return Seeded(book, known, last, 0)

    def committed(self, negotiation: str) -> Iterator[LogEntry]:
        """A negotiation's entries the committed view rows cover, in order."""
        if getattr(self.recorder, "facts", None) is not None:
            return (entry_of(row) for row in self.recorder.facts_of(negotiation))
        # No log beside these views (audit's scratch database): read the log.
        from projections.log import read_log

        until = self.recorder.max_tracking_id(TRACKING_NAME) or 0
        return read_log(self.app, negotiation=negotiation, until=until)

    def trim(self) -> None:
        """Forget the least recently used books (only between batches)."""
        if len(self.books) <= 1:  # the one in use stays (and a restored book's
            return  # size is not counted for nothing: it reads its whole index)
        held = sum(len(book.entries) for book in self.books.values())
        while len(self.books) > 1 and (
            len(self.books) > self.MAX_BOOKS or held > self.MAX_ENTRIES
        ):
            held -= len(self.books.pop(next(iter(self.books))).entries)

    def operations(self, entry: LogEntry, recorded: int) -> list[tuple[str, Any]]:
        """What one entry does to the derived rows: close the current version
        of its world event's rows (a correction or retraction), insert the
        version it gives now, both known from the entry's recorded_at
        (`recorded`, in microseconds).

        `known_from` is the latest recorded_at of the negotiation's entries so
        far, in log order (the same as the entry's own while recorded_at grows
        with position, as it does: each negotiation's writes are serialised),
        so the rows visible at a cut K are those the fold at K gives.
        """
        book = self.book(entry.negotiation)
        if entry.version <= self.ahead[entry.negotiation]:  # in the book already
            book.entries[entry.ref].position = entry.position
        else:
            book.apply(entry.record, entry.position)
        known = self.known[entry.negotiation]
        if recorded > known:
            self.known[entry.negotiation] = known = recorded
        if entry.type == "negotiation.opened":
            return []
        world = book.world_entry(entry.ref)
        if world.type == "negotiation.opened":
            return []
        if not world.position:  # restored from a snapshot: read from the rows
            last = self.last[entry.negotiation]
            world.position = self.recorder.position_of(
                entry.negotiation, world.seq, last
            )
        ops: list[tuple[str, Any]] = []
        if world.ref != entry.ref:
            ops.append((CLOSE, (TABLE_OF[world.type], world.position, known)))
        if not world.retracted:
            table, rows = derived_rows(entry.negotiation, world, book, known)
            if rows:
                ops.append((table, rows))
        return ops


def derived_rows(
    negotiation: str, entry: Any, book: Any, known: int
) -> tuple[str, list[tuple[Any, ...]]]:
    """The derived table and rows of one unretracted world event, as it stands
    now, each row a version known from `known`, current: as stored less its
    last column (`known_to`, NULL)."""
    r = entry.record
    kind = entry.type
    ref, on, position = entry.ref, r.get("occurred_on"), entry.position
    if kind in ("proposal.tabled", "proposal.revised"):
        targets = _TARGETS_JSON(r["targets"])
        return TARGETS, [
            (negotiation, r["proposal"], kind, ref, on, position, targets, known)
        ]
    if kind == "pledge.made":
        pledge = (r["actor"], r["metric"], r["by_year"], r["pct_gdp"], r["firmness"])
        return PLEDGES, [(negotiation, *pledge, ref, on, position, known)]
    if kind == "spending.reported":
        figure = (r["actor"], r["metric"], r["year"], str(r["pct_gdp"]), r["basis"])
        return SPENDING, [(negotiation, *figure, ref, on, position, known)]
    tail = (ref, on, position, known)
    found = evidence_stances(kind, r, book.parties, book.members)
    return EVIDENCE, [(negotiation, *stance, *tail) for stance in found]


def catch_up(
    app: Any,
    recorder: Any,
    progress: Callable[[int, int], None] | None = None,
    *,
    until: int | None = None,
    rebuild: bool = False,
) -> int:
    """Process every notification after the tracked position (up to `until`,
    by default the log's head now; a `rebuild` in larger batches); return
    how many."""
    head = (app.recorder.max_notification_id() or 0) if until is None else until
    tracked = recorder.max_tracking_id(TRACKING_NAME) or 0
    if recorder.reset_if_stale():  # views of an older schema: refold them
        tracked = 0
    # Folding a whole log into empty views (a first catch-up, a refold) is a
    # bulk load: on SQLite its secondary indexes are made once at the end
    # (faster, and packed: a fifth smaller than grown row by row). On
    # PostgreSQL a writer that does not own the tables may not run DDL.
    bulk = tracked == 0 and head > BATCH and recorder.bulk_indexes
    if bulk:
        recorder.drop_indexes()
    try:
        with _no_cycle_collection(head - tracked > BATCH):
            batch = BATCH * REBUILD_FACTOR if rebuild else BATCH
            return _fold(app, recorder, progress, head, tracked, batch)
    finally:
        if bulk:
            recorder.create_table()


@contextlib.contextmanager
def _no_cycle_collection(long: bool) -> Iterator[None]:
    """Python's cycle collector off while a `long` fold runs: it keeps large
    books and day runs alive, which each full collection walked again (a
    sixth of a 50,000-event rebuild), and makes next to no cycles (a whole
    rebuild leaves some 170 objects to collect, however long its log). What
    the process left to collect before (an import's cycles: 14 MB of its
    peak at 200,000 events) is collected first; a short catch-up (a write's)
    is left as it is."""
    if not long:
        yield
        return
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _fold(
    app: Any,
    recorder: Any,
    progress: Callable[[int, int], None] | None,
    head: int,
    tracked: int,
    batch: int,
) -> int:
    """`catch_up`'s batches (of `batch` entries), from the tracked position
    to `head`."""
    from eventsourcing.persistence import IntegrityError, Tracking

    done = 0
    derived = Derived(recorder, app, from_empty=tracked == 0)
    ahead: Any = None  # a `Prefetch`, when the fold is long
    try:
        while True:
            start = (recorder.max_tracking_id(TRACKING_NAME) or 0) + 1
            if start > head:
                return done
            entries = ahead.take(start) if ahead is not None else None
            if entries is None:
                entries = _entries(app, recorder, start, head, batch)
            if not entries:
                return done
            if ahead is None and _reads_ahead(app, recorder, entries[-1], head):
                from projections.tables.prefetch import Prefetch

                after = entries[-1].position + 1
                ahead = Prefetch(recorder.file, recorder.log[0], after, head, batch)
            rows = [fact_row(e) for e in entries]
            ops = []
            for entry, row in zip(entries, rows, strict=True):
                ops += derived.operations(entry, row[-1])  # recorded_us
            try:
                tracking = Tracking(TRACKING_NAME, entries[-1].position)
                recorder.write(rows, ops, tracking, derived.days)
            except IntegrityError:
                if (recorder.max_tracking_id(TRACKING_NAME) or 0) < start:
                    raise  # no one else moved the views: a real failure, not a race
                # Another process caught up these positions first: start afresh.
                derived = Derived(recorder, app)
                continue
            derived.trim()
            done += len(rows)
            if progress is not None:
                progress(entries[-1].position, head)
    finally:
        if ahead is not None:
            ahead.close()


def _reads_ahead(app: Any, recorder: Any, last: LogEntry, head: int) -> bool:
    """Whether to read the rest of a fold, after its first batch (up to
    `last`), ahead in a second process (`prefetch.py`): a long one, of a
    SQLite file not encrypted, with a core to spare."""
    from projections import ahead
    from projections.tables import prefetch

    return (
        head - last.position >= prefetch.FROM
        and recorder.file is not None
        and recorder.log is not None
        and not getattr(app.mapper, "cipher", None)
        and ahead.cores() > 1
    )


def _entries(
    app: Any, recorder: Any, start: int, head: int, batch: int
) -> list[LogEntry]:
    """The next batch of the log's entries from `start`: its rows read straight
    from the log's table where they decode plainly, else through eventsourcing
    (which reports a row that does not decode, at its position)."""
    from projections.log import decode, plain_entries, select

    if recorder.log is not None:
        rows = recorder.log_rows(start, head, batch)
        entries = plain_entries(app, rows) if rows else []
        if entries is not None:
            return entries
    return [decode(app, n) for n in select(app, start, batch, stop=head)]
