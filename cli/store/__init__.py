"""Opening the store a user named: a SQLite file or a PostgreSQL URL.

One module per backend (`sqlite.py`, `postgres.py`), chosen here and only
here (`backend`). Each backend module provides `env(location, write=)`,
`describe_failure(location, error)`, `display(location)`, `readable_file`,
`application()` (the class to open), `tables()` (its module in
`projections/tables/`) and `SHARED` (several users share one store).
"""

from __future__ import annotations

import contextlib
import os
from types import ModuleType
from typing import TYPE_CHECKING, Any

from domain.errors import StoreUnavailable, UsageError
from domain.vocabulary import is_postgres_url

if TYPE_CHECKING:
    from domain.application import Summit


def backend(location: str) -> ModuleType:
    """The backend module for a store location: the one scheme switch."""
    scheme = unsupported_scheme(location)
    if scheme is not None:
        raise UsageError(
            f"unsupported store scheme '{scheme}://' in {location.split('@')[-1]}: "
            "give a SQLite file path or a postgresql:// URL"
        )
    if is_postgres_url(location):
        from cli.store import postgres

        return postgres
    from cli.store import sqlite

    return sqlite


def unsupported_scheme(location: str) -> str | None:
    """The scheme of a URL that names neither a SQLite file nor PostgreSQL."""
    scheme, sep, _ = location.partition("://")
    if not sep or is_postgres_url(location) or scheme.lower() in ("file",):
        return None
    return scheme if scheme.replace("+", "").replace("-", "").isalnum() else None


def open_store(
    location: str, *, write: bool, key: str | None = None, check_key: bool = True
) -> Summit:
    """The summit application on `location`, encrypting with `key` when given;
    StoreUnavailable when it cannot be used (or, when checked, the key does
    not fit)."""
    from cli.store import crypto
    from domain.stored import COMPRESSOR_TOPIC

    module = backend(location)
    env = {
        **module.env(location, write=write),
        "COMPRESSOR_TOPIC": COMPRESSOR_TOPIC,  # before any cipher: see domain.stored
        **crypto.cipher_env(key),
    }
    try:
        app: Summit = module.application()(env=env)
    except StoreUnavailable:
        raise
    except Exception as e:
        raise StoreUnavailable(module.describe_failure(location, e)) from None
    try:
        if check_key:
            crypto.check_key(app, key)
    except Exception:
        _close(app)
        raise
    if write:  # an interrupt after a commit must not say "nothing stored"
        from cli.errors import note_stored

        app.on_stored = note_stored
    return app


class Store:
    """A store location and the applications opened on it (once per process)."""

    def __init__(self, location: str, key_file: str | None = None) -> None:
        self.location = location
        self.key_file = key_file
        self._apps: dict[bool, Summit] = {}
        self._reader: Any = None

    def app(self, *, write: bool = False) -> Summit:
        """The application on the store, opened once for reading, once for writing."""
        if write not in self._apps:
            self._apps[write] = open_store(self.location, write=write, key=self.key())
        return self._apps[write]

    def reader(self) -> Any:
        """(Connection, schema) that read a server store's views without the
        application (`postgres.reader`; a SQLite file is read directly):
        opened once, closed with the store."""
        if self._reader is None:
            self._reader = backend(self.location).reader(self.location)
        return self._reader

    def key(self) -> str | None:
        """The store key from the key file, when one was given."""
        from cli.store.crypto import read_key

        return None if self.key_file is None else read_key(self.key_file)

    @property
    def encrypted(self) -> bool:
        """Whether the log is encrypted (then no views are kept: queries fold it)."""
        return self.key_file is not None

    def checker(self) -> Summit:
        """The application a dry run validates against: the store, or an empty
        one in memory when the store does not exist yet (so nothing is created)."""
        try:
            return self.app(write=False)
        except StoreUnavailable:
            if is_postgres_url(self.location) or os.path.exists(self.location):
                raise
        app: Summit = backend(self.location).application()(
            env={"PERSISTENCE_MODULE": "eventsourcing.popo"}
        )
        return app

    def readable_file(self) -> str | None:
        """The store's file, checked readable, or None for a server store."""
        result: str | None = backend(self.location).readable_file(self.location)
        return result

    def tables(self) -> ModuleType:
        """The module of `projections/tables/` that keeps this store's views."""
        module: ModuleType = backend(self.location).tables()
        return module

    @property
    def shared(self) -> bool:
        """Whether several users share the store (writers keep its views current)."""
        return bool(backend(self.location).SHARED)

    def display(self) -> str:
        """The location as it may be shown (a password masked)."""
        return str(backend(self.location).display(self.location))

    def close(self) -> None:
        for app in self._apps.values():
            _close(app)
        self._apps.clear()
        if self._reader is not None:
            _close(self._reader[0])
            self._reader = None


def _close(app: Any) -> None:
    # Closing must never hide the command's own outcome.
    with contextlib.suppress(Exception):
        app.close()
