"""Answers a query from the persisted views, or by folding the log: decided here.

Stance, consensus, delivery and spending read the derived tables, whose rows
are versioned by when they were known (so a known-at cut is a filter on the
same tables); the timeline reads the negotiation's facts table. When the
views are behind and this user may not write them (a read-only role, a
read-only file), every answer is folded from the log instead: the same
answers, more slowly. An encrypted store keeps no views (they would hold
its records in plaintext): every answer is folded from the log in memory.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

from domain.errors import CheckFailed, NotFound, UsageError
from projections.filters import check_allies, check_ally, check_range, instant_text
from projections.tables.read import ReadOnlyStore, view_rows

# The fold over the log is imported only when a query needs it.
if TYPE_CHECKING:
    from domain.application import Summit
    from projections.history import History
    from projections.tables.schema import Status


class StoreAccess(Protocol):
    """What the reader needs of a store (see `cli/store/`)."""

    def app(self, *, write: bool = False) -> Summit: ...

    def readable_file(self) -> str | None: ...

    def tables(self) -> ModuleType: ...

    @property
    def shared(self) -> bool: ...

    @property
    def encrypted(self) -> bool: ...


class Reader:
    """Every query's one way in: the views when they can be used, else the log."""

    def __init__(
        self,
        store: StoreAccess,
        bar: Callable[[str], contextlib.AbstractContextManager[Any]] | None = None,
    ) -> None:
        self.store = store
        self.bar = bar  # draws a catch-up's progress (a rebuild can take minutes)

    def history(self, negotiation: str, known_at: datetime | None = None) -> History:
        """A negotiation's history from the facts table, caught up first."""
        from projections.history import load_history, resolve
        from projections.tables.read import read_facts

        with self._tables() as views:
            if views is None:
                return load_history(self.store.app(), negotiation, known_at=known_at)
            facts = read_facts(views, negotiation, known_at)
            return resolve(negotiation, facts, known_at)

    def inputs(
        self,
        negotiation: str,
        proposal: str | None,
        as_of: str | None,
        known_at: datetime | None,
        *,
        needs: tuple[str, ...] = ("stances", "pledges"),
    ) -> Any:
        """What stance and consensus are computed from: the derived tables
        (each row's version known at `known_at`, indexed by negotiation,
        proposal and occurred_on), or a fold over the log when the views
        cannot be used."""
        from projections.inputs import inputs_from_history
        from projections.tables.read import inputs_from_tables

        return self._answer(
            negotiation,
            known_at,
            lambda views: inputs_from_tables(
                views, negotiation, proposal, as_of, known_at, needs=needs
            ),
            lambda history: inputs_from_history(history, proposal, as_of),
        )

    def _answer(
        self,
        negotiation: str,
        known_at: datetime | None,
        from_tables: Callable[[Any], Any],
        from_history: Callable[[History], Any],
    ) -> Any:
        """From the derived tables (when they can be caught up), else from a
        fold over the log's entries known at `known_at`."""
        with self._tables() as views:
            if views is not None:
                return from_tables(views)
        return from_history(self.history(negotiation, known_at))

    def stance(
        self,
        negotiation: str,
        proposal: str | None,
        *,
        as_of: str | None,
        known_at: datetime | None,
        allies: Sequence[str] = (),
    ) -> dict[str, Any]:
        """The stance view (SPEC §4) of one proposal."""
        from projections.stance import stance_from

        inputs = self.inputs(
            negotiation, proposal, as_of, known_at, needs=("stances", "pledges")
        )
        check_allies(allies, inputs.parties, negotiation)
        known = instant_text(known_at)
        with view_rows():
            return stance_from(inputs, as_of=as_of, known_at=known, allies=allies)

    def consensus(
        self,
        negotiation: str,
        proposal: str | None,
        *,
        as_of: str | None,
        known_at: datetime | None,
        joined_refs: bool = False,
    ) -> dict[str, Any]:
        """The consensus view (SPEC §4) of a proposal (`tables/days_read.py`)."""
        from projections.tables.days_read import consensus_answer as answer

        with view_rows():
            return answer(self, negotiation, proposal, as_of, known_at, joined_refs)

    def figures(
        self, negotiation: str, as_of: str | None, known_at: datetime | None
    ) -> tuple[list[str], list[Any]]:
        """(parties, reported spending figures) that exist in this view."""
        from projections.spent import figures_from_history
        from projections.tables.read import figures_from_tables

        return self._answer(  # type: ignore[no-any-return]
            negotiation,
            known_at,
            lambda views: figures_from_tables(views, negotiation, as_of, known_at),
            lambda history: (history.parties, figures_from_history(history, as_of)),
        )

    def delivery(
        self,
        negotiation: str,
        proposal: str | None,
        *,
        as_of: str | None,
        known_at: datetime | None,
        allies: Sequence[str] = (),
    ) -> dict[str, Any]:
        """The delivery view (SPEC §4, rules 7–8) of one proposal."""
        from projections.inputs import inputs_from_history
        from projections.spent import delivery_from, figures_from_history
        from projections.tables.read import inputs_from_tables, reported_figures

        def from_tables(views: Any) -> tuple[Any, list[Any]]:
            inputs = inputs_from_tables(
                views, negotiation, proposal, as_of, known_at, needs=("pledges",)
            )
            return inputs, reported_figures(views, negotiation, as_of, known_at)

        def from_history(history: History) -> tuple[Any, list[Any]]:
            inputs = inputs_from_history(history, proposal, as_of)
            return inputs, figures_from_history(history, as_of)

        # Both from one catch-up of the views (or one fold of the log).
        inputs, figures = self._answer(negotiation, known_at, from_tables, from_history)
        known = instant_text(known_at)
        return delivery_from(
            inputs, figures, as_of=as_of, known_at=known, allies=allies
        )

    def spending(
        self,
        negotiation: str,
        *,
        year: int,
        metric: str = "total",
        below: str | None = None,
        as_of: str | None,
        known_at: datetime | None,
    ) -> dict[str, Any]:
        """The spending view (SPEC §4, rule 7): every party's figure for one year."""
        from projections.spent import spending_from

        parties, figures = self.figures(negotiation, as_of, known_at)
        return spending_from(
            negotiation,
            parties,
            figures,
            year=year,
            metric=metric,
            below=below,
            as_of=as_of,
            known_at=instant_text(known_at),
        )

    def timeline(
        self, negotiation: str, *, known_at: datetime | None, **filters: Any
    ) -> dict[str, Any]:
        """The timeline view (SPEC §4); `filters` as `timeline_view` takes them."""
        from projections.timeline import timeline_view

        check_range(filters.get("date_from"), filters.get("date_to"))
        history = self.history(negotiation, known_at)
        check_ally(filters.get("ally"), history.parties, negotiation, institutions=True)
        return timeline_view(history, known_at=instant_text(known_at), **filters)

    def holding(self, ref: str, negotiation: str | None = None) -> list[str]:
        """The negotiations that hold `ref` (among `negotiation`, when named)."""
        from projections.tables.read import negotiations_holding

        with self._tables() as views:
            if views is not None:
                return negotiations_holding(views, ref, negotiation)
        slugs = [negotiation] if negotiation else self.negotiations()
        app = self.store.app()
        return [
            s
            for s in slugs
            if (agg := app.negotiation(s)) is not None and ref in agg.book.entries
        ]

    def negotiations(self) -> list[str]:
        """Slugs of the negotiations in the store, in opening order."""
        from projections.tables.read import negotiation_slugs

        with self._tables() as views:
            if views is not None:
                return negotiation_slugs(views)
        from projections.log import negotiations_in_log

        return negotiations_in_log(self.store.app())

    def locate(self, ref: str, negotiation: str | None = None) -> str:
        """The negotiation holding `ref`: the named one, or the only one that has it."""
        holders = self.holding(ref, negotiation)
        if not holders:
            where = f"'{negotiation}'" if negotiation else "any negotiation"
            raise NotFound(f"no record '{ref}' in {where}")
        if len(holders) > 1:
            raise UsageError(
                f"'{ref}' exists in {', '.join(holders)}: name one with --negotiation"
            )
        return str(holders[0])

    def export(
        self, negotiation: str | None, known_at: datetime | None, recorded: bool
    ) -> Iterator[str]:
        """The log as JSON Lines in recording order (SPEC §2), up to `known_at`."""
        from domain.interchange import exported
        from projections.log import read_log

        app = self.store.app()
        if negotiation is not None and negotiation not in self.negotiations():
            raise NotFound(f"negotiation '{negotiation}' is not in this store")
        for entry in read_log(app, negotiation=negotiation):
            if known_at is not None and entry.recorded_at > known_at:
                continue
            meta = {
                "at": entry.recorded_at.isoformat(),
                "by": entry.recorded_by,
                "position": entry.position,
            }
            yield exported(entry.record, meta if recorded else None)

    def views_position(self) -> tuple[int, int] | None:
        """(Position the views processed, log head) as they stand, or None when
        they cannot be read (e.g. a read-only role on a store whose views never ran)."""
        try:
            status = self.status()
        except Exception:
            return None
        return status.tracked, status.head

    @contextlib.contextmanager
    def _tables(self) -> Any:
        """The views caught up with the log, or None when this user cannot
        (or when the store is encrypted: it keeps no views)."""
        if self.store.encrypted:
            self.store.app()  # the key checked before anything is read
            yield None
            return
        try:
            views = self.tables()
        except ReadOnlyStore:
            yield None
            return
        try:
            with view_rows():
                yield views
        finally:
            views.close()

    def tables(self) -> Any:
        """A reader of the persisted views, caught up with the log."""
        views = self.store.tables().fresh(self.store, self.catch_up)
        status = views.seen or views.status()
        if status.tracked > status.head:
            views.close()
            raise CheckFailed(
                f"the views have processed log position {status.tracked} but the log "
                f"ends at {status.head}: events were removed from the end of the log "
                "(run `summit audit verify`)"
            )
        return views

    def status(self) -> Status:
        """Where the views stand, without catching up (so it shows how far behind)."""
        self._refuse_if_encrypted()
        views = self.store.tables().current(self.store)
        try:
            status: Status = views.status(count=True)
        finally:
            views.close()
        return status

    def views_difference(self) -> str | None:
        """The first persisted view row that is not what the log gives (see
        `tables/compare.py`), or None when the views are exactly the log's
        (or the store is encrypted: it keeps no views, so none is read)."""
        from projections.tables.compare import first_difference

        if self.store.encrypted:
            return None
        views = self.store.tables().current(self.store)
        try:
            return first_difference(self.store.app(), views)
        finally:
            views.close()

    def catch_up(
        self,
        progress: Callable[[int, int], None] | None = None,
        recorder: Any = None,
        rebuild: bool = False,
    ) -> Any:
        """Bring the persisted views up to the log's head; return their recorder."""
        from projections.tables.catchup import catch_up

        app = self.store.app(write=True)
        recorder = recorder or self.store.tables().recorder(app)
        if progress is None and self.bar is not None:
            with self.bar("Updating the views") as shown:
                catch_up(app, recorder, shown, rebuild=rebuild)
        else:
            catch_up(app, recorder, progress, rebuild=rebuild)
        return recorder

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> Status:
        """Drop the views and fold the whole log into them again (in one
        transaction where the backend allows: killed, the old views stay)."""
        self._refuse_if_encrypted()
        recorder = self.store.tables().recorder(self.store.app(write=True))
        with recorder.atomically():
            recorder.drop()
            self.catch_up(progress, recorder, rebuild=True)
            recorder.create_table()  # the indexes, once, after the bulk insert
        return self.status()

    def _refuse_if_encrypted(self) -> None:
        if self.store.encrypted:
            self.store.app()  # the key checked first
            raise UsageError(
                "this store is encrypted: it keeps no views (they would hold its "
                "records in plaintext); every query folds the log in memory"
            )

    def after_write(self) -> str | None:
        """After a write, bring the views up to date (read-only roles and files
        cannot: they fold the log); None when done, else one line saying why
        not. A failure here never undoes the write: the next query catches up."""
        if self.store.encrypted:  # an encrypted store keeps no views
            return None
        try:
            self.catch_up()
        except (Exception, KeyboardInterrupt) as e:
            # Ctrl-C here must not say "nothing stored": the write is done.
            said = " ".join(str(e).split())[:300] or type(e).__name__
            reason = "interrupted" if isinstance(e, KeyboardInterrupt) else said
            return (
                f"views not caught up: {reason}; the write is stored, and "
                "`summit views rebuild` restores them"
            )
        return None
