"""What every command shares: the store it talks to, its reader, and who records."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cli.store import Store
from projections.reader import Reader

if TYPE_CHECKING:
    from domain.application import Summit


class Obj:
    """The click context object: the store, its reader, and the recorder's name."""

    def __init__(self, store: str, store_named: bool, by: str) -> None:
        self.store_named = store_named
        self.by = by
        self.use(store)

    def use(self, location: str) -> None:
        """Talk to the store at `location` from now on."""
        self.store = Store(location)
        self.reader = Reader(self.store)

    def app(self, *, write: bool = False) -> Summit:
        """The application on the named store, opened once per process."""
        return self.store.app(write=write)

    def close(self) -> None:
        self.store.close()
