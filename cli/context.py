"""What every command shares: the store it talks to and who is recording."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from domain.application import Summit


@dataclass
class Obj:
    """The click context object: store location, recorder name, open application."""

    store: str
    store_named: bool
    by: str
    _apps: dict[bool, Summit] = field(default_factory=dict)

    def app(self, *, write: bool = False) -> Summit:
        """The application on the named store, opened once per process."""
        if write not in self._apps:
            from cli.store import open_store

            self._apps[write] = open_store(self.store, write=write)
        return self._apps[write]

    def close(self) -> None:
        for app in self._apps.values():
            _close(app)
        self._apps.clear()


def _close(app: Any) -> None:
    # Closing must never hide the command's own outcome.
    with contextlib.suppress(Exception):
        app.close()
