"""What every command shares: the store it talks to, its reader, and who records."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cli.store import Store
    from domain.application import Summit
    from projections.reader import Reader


class Obj:
    """The click context object: the store, its reader, and the recorder's name."""

    def __init__(
        self, store: str, store_named: bool, by: str | None, key: str | None = None
    ) -> None:
        self.store_named = store_named
        self._by = by
        self.key = key  # the store key file (--key), if any
        self.use(store)

    @property
    def by(self) -> str:
        """Who records: --by, else the OS user name (looked up only by the
        commands that record, so a query starts without getpass)."""
        if self._by is None:
            self._by = _default_user()
        return self._by

    def use(self, location: str) -> None:
        """Talk to the store at `location` from now on."""
        self.location = location
        self._store: Store | None = None
        self._reader: Reader | None = None

    @property
    def store(self) -> Store:
        """The store (opened lazily, so `summit --help` stays quick)."""
        if self._store is None:
            from cli.store import Store

            self._store = Store(self.location, self.key)
        return self._store

    @property
    def reader(self) -> Reader:
        """Every query's one way in (see projections/reader.py)."""
        if self._reader is None:
            from projections.reader import Reader

            self._reader = Reader(self.store, _delayed_bar)
        return self._reader

    def after_write(self) -> None:
        """Catch the views up after a write (said in one line if they cannot be:
        the write stays done, and the command still succeeds)."""
        problem = self.reader.after_write()
        if problem is not None:
            import click

            click.echo(problem, err=True)

    def app(self, *, write: bool = False) -> Summit:
        """The application on the named store, opened once per process."""
        return self.store.app(write=write)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def _default_user() -> str:
    import getpass
    import os

    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment (containers)
        return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def _delayed_bar(label: str) -> Any:
    """`cli.render.progress.delayed_bar`, loaded only when views are caught up
    (a query on up-to-date views never draws one)."""
    from cli.render.progress import delayed_bar

    return delayed_bar(label)
