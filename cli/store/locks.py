"""How long a write waits for another writer's lock; what it says on giving up."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from domain.errors import StoreUnavailable, UsageError

LOCK_TIMEOUT_ENV = "SUMMIT_LOCK_TIMEOUT"
LOCK_TIMEOUT_DEFAULT_S = 30


def lock_timeout_s() -> int:
    """Seconds a write waits for another writer's lock (env SUMMIT_LOCK_TIMEOUT)."""
    text = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not text:
        return LOCK_TIMEOUT_DEFAULT_S
    if not text.isdigit() or int(text) < 1:
        raise UsageError(f"{LOCK_TIMEOUT_ENV}={text}: give a whole number of seconds")
    return int(text)


@contextlib.contextmanager
def busy_means_unavailable() -> Iterator[None]:
    """A lock wait that timed out becomes one line (exit 3): nothing was stored."""
    try:
        yield
    except Exception as e:
        said = str(e).lower()
        if "lock timeout" not in said and "database is locked" not in said:
            raise
        raise StoreUnavailable(
            f"the store is busy: another writer held it for more than "
            f"{lock_timeout_s()} s ({LOCK_TIMEOUT_ENV}); nothing was stored, try again"
        ) from None
