"""What every command shares: the store it talks to and who is recording."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

    from domain.application import Summit
    from projections.history import History


def is_postgres(store: str) -> bool:
    return store.startswith(("postgresql://", "postgres://"))


class Obj:
    """The click context object: store location, recorder name, open application."""

    def __init__(self, store: str, store_named: bool, by: str) -> None:
        self.store = store
        self.store_named = store_named
        self.by = by
        self._apps: dict[bool, Summit] = {}

    def app(self, *, write: bool = False) -> Summit:
        """The application on the named store, opened once per process."""
        if write not in self._apps:
            from cli.store import open_store

            self._apps[write] = open_store(self.store, write=write)
        return self._apps[write]

    def history(self, negotiation: str, known_at: datetime | None = None) -> History:
        """A negotiation's history from the persisted views, caught up first."""
        from projections.history import resolve
        from projections.views import read_facts

        try:
            views = self.views()
        except ReadOnlyStore:
            from projections.queries import load_history

            return load_history(self.app(), negotiation, known_at=known_at)
        try:
            return resolve(
                negotiation, read_facts(views, negotiation, known_at), known_at
            )
        finally:
            views.close()

    def inputs(
        self,
        negotiation: str,
        proposal: str | None,
        as_of: str | None,
        known_at: datetime | None,
    ) -> Any:
        """What stance and consensus are computed from.

        Without a known-at cut they come from the derived tables (indexed by
        negotiation, proposal and occurred_on); with one, from a fold over the
        negotiation's facts known at that instant.
        """
        from projections.inputs import inputs_from_history

        if known_at is None:
            try:
                views = self.views()
            except ReadOnlyStore:
                views = None
            if views is not None:
                from projections.views import inputs_from_tables

                try:
                    return inputs_from_tables(views, negotiation, proposal, as_of)
                finally:
                    views.close()
        history = self.history(negotiation, known_at)
        return inputs_from_history(history, proposal, as_of)

    def holding(self, ref: str, negotiation: str | None = None) -> list[str]:
        """The negotiations that hold `ref` (among `negotiation`, when named)."""
        from projections.views import negotiations_holding

        try:
            views = self.views()
        except ReadOnlyStore:
            slugs = [negotiation] if negotiation else self.negotiations()
            app = self.app()
            return [
                s
                for s in slugs
                if (agg := app.negotiation(s)) is not None and ref in agg.book.entries
            ]
        try:
            return negotiations_holding(views, ref, negotiation)
        finally:
            views.close()

    def negotiations(self) -> list[str]:
        """Slugs of the negotiations in the store."""
        from projections.views import negotiation_slugs

        try:
            views = self.views()
        except ReadOnlyStore:
            from projections.queries import negotiations

            return negotiations(self.app())
        try:
            return negotiation_slugs(views)
        finally:
            views.close()

    def views(self) -> Any:
        """A reader of the persisted views, caught up with the log."""
        from domain.errors import CheckFailed
        from projections.views import DatastoreViews, SQLiteViews

        if is_postgres(self.store):
            from projections.views import views_recorder

            app = self.app()
            views: Any = None
            with contextlib.suppress(Exception):  # the views' tables may be missing
                recorder = views_recorder(app, create=False)
                if recorder.tables_exist():
                    views = DatastoreViews(app, recorder)
                    status = views.status()
                    if status.behind > 0:
                        views = None
            if views is None:
                try:
                    views = DatastoreViews(app, self.catch_up())
                except Exception as e:  # a read-only role cannot write the views
                    raise ReadOnlyStore from e
                status = views.status()
        else:
            from cli.store import check_sqlite

            check_sqlite(self.store, write=False)
            views = SQLiteViews(self.store)
            status = views.status()
            if status.behind > 0:
                views.close()
                if not _writable(self.store):
                    raise ReadOnlyStore
                self.catch_up()
                views = SQLiteViews(self.store)
                status = views.status()
        if status.tracked > status.head:
            views.close()
            raise CheckFailed(
                f"the views have processed log position {status.tracked} but the log "
                f"ends at {status.head}: events were removed from the end of the log "
                "(run `summit audit verify`)"
            )
        return views

    def after_write(self) -> None:
        """On a shared PostgreSQL store, bring the views up to date for readers.

        Read-only roles cannot catch the views up themselves (they fold the
        log instead), so writers do it as they write. A failure here never
        undoes the write: the next query catches up or folds.
        """
        if is_postgres(self.store):
            with contextlib.suppress(Exception):
                self.catch_up()

    def catch_up(self, progress: Any = None) -> Any:
        """Bring the persisted views up to the log's head; return their recorder."""
        from projections.views import catch_up, views_recorder

        app = self.app(write=True)
        recorder = views_recorder(app)
        catch_up(app, recorder, progress)
        return recorder

    def close(self) -> None:
        for app in self._apps.values():
            _close(app)
        self._apps.clear()


class ReadOnlyStore(Exception):
    """The views are behind and this user cannot write them: fold the log instead."""


def _writable(path: str) -> bool:
    import os

    return os.access(path, os.W_OK)


def _close(app: Any) -> None:
    # Closing must never hide the command's own outcome.
    with contextlib.suppress(Exception):
        app.close()
