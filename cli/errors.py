"""The one place that turns errors into messages and exit codes (SPEC §4)."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import click

EXIT_CHECK_FAILED = 1
EXIT_USAGE = 2
EXIT_STORE = 3
EXIT_INTERNAL = 70


class SummitClickError(click.ClickException):
    """A ClickException with summit's exit code; prints `Error: message`."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class ProblemLines(click.ClickException):
    """Invalid input: one `FILE:LINE: field: reason` line per problem."""

    exit_code = EXIT_USAGE

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.message, err=True)


def to_click(error: Exception) -> click.ClickException:
    from domain.errors import (
        CheckFailed,
        InvalidInput,
        InvalidRecord,
        NotFound,
        StoreUnavailable,
        UsageError,
    )

    message = str(error)
    if isinstance(error, InvalidInput):
        return ProblemLines(message)
    if isinstance(error, InvalidRecord | NotFound | UsageError):
        return SummitClickError(message, EXIT_USAGE)
    if isinstance(error, StoreUnavailable):
        return SummitClickError(message, EXIT_STORE)
    if isinstance(error, CheckFailed):
        return SummitClickError(message, EXIT_CHECK_FAILED)
    return SummitClickError(message, EXIT_USAGE)


@contextmanager
def handle_errors() -> Iterator[None]:
    """Map summit's and the store's errors; never let a traceback reach the user."""
    from domain.errors import StoreUnavailable, SummitError

    try:
        yield
    except (click.ClickException, click.exceptions.Exit, click.Abort):
        raise
    except SummitError as e:
        raise to_click(e) from None
    except KeyboardInterrupt:
        raise click.Abort() from None
    except BrokenPipeError:
        sys.exit(0)
    except Exception as e:
        store_error = _store_error(e)
        if store_error is not None:
            raise to_click(StoreUnavailable(store_error)) from None
        if os.environ.get("SUMMIT_DEBUG"):
            traceback.print_exc()
        raise SummitClickError(
            f"internal error: {type(e).__name__}: {e} "
            "(please report it; set SUMMIT_DEBUG=1 for details)",
            EXIT_INTERNAL,
        ) from None


def _store_error(e: Exception) -> str | None:
    """A message when `e` comes from the database layer, else None."""
    import sqlite3

    try:
        from eventsourcing.persistence import PersistenceError
    except ImportError:  # pragma: no cover
        PersistenceError = sqlite3.Error
    if isinstance(e, PersistenceError | sqlite3.Error):
        return f"the store could not be read or written: {e}"
    return None
