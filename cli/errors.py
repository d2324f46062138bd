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
EXIT_SIGINT = 130  # 128 + SIGINT, as a shell reports a process Ctrl-C ended
EXIT_SIGTERM = 143  # 128 + SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so open transactions roll back."""


_STORED: list[int] = []  # events this process's writes have committed


def note_stored(events: int) -> None:
    """A write committed: an interrupt from now on must not say "nothing stored"."""
    _STORED.append(events)


class Interrupted(click.ClickException):
    """Ctrl-C or SIGTERM: one line, and the signal's exit code (never 1).

    Before a write commits, nothing of it is stored; after (catching the
    views up, taking a snapshot), the line says what was stored instead.
    """

    def __init__(self, terminated: bool) -> None:
        message = "interrupted; nothing stored"
        if _STORED:
            message = (
                f"interrupted after storing {sum(_STORED)} event(s); "
                "`summit views status` says whether the views caught up"
            )
        super().__init__(message)
        self.exit_code = EXIT_SIGTERM if terminated else EXIT_SIGINT

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.message, err=True)


def on_signals() -> None:
    """SIGINT and SIGTERM interrupt the command (see `Interrupted`)."""
    import signal

    def terminated(signum: int, frame: Any) -> None:
        raise Terminated

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, terminated)


def quiet_closed_pipe() -> None:
    """The reader of our output went away (`summit export | head -1`): point
    stdout at /dev/null so nothing more is written or reported, and exit 0."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


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
    except KeyboardInterrupt as e:
        raise Interrupted(isinstance(e, Terminated)) from None
    except BrokenPipeError:
        quiet_closed_pipe()
        sys.exit(0)
    except Exception as e:
        if os.environ.get("SUMMIT_DEBUG"):
            traceback.print_exc()
        store_error = _store_error(e)
        if store_error is not None:
            raise to_click(StoreUnavailable(store_error)) from None
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
