"""One hierarchy for every error summit expects; the CLI maps kinds to exit codes."""

from __future__ import annotations

from typing import NamedTuple


class SummitError(Exception):
    """Base of every expected error: its message is meant for the user."""


class Problem(NamedTuple):
    """One thing wrong with one input record: where (field) and why."""

    field: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}" if self.field else self.reason


class InvalidRecord(SummitError):
    """A record breaks a rule of the interchange format or of the negotiation."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.problems = [Problem(field, reason)]


class InvalidInput(SummitError):
    """Several problems found in one input; nothing was stored."""

    def __init__(self, problems: list[Problem], source: str = "-") -> None:
        self.problems = problems
        self.source = source
        super().__init__(
            "\n".join(
                f"{source}:{p.line}: {p}" if p.line is not None else str(p)
                for p in problems
            )
        )


class NotFound(SummitError):
    """A negotiation, proposal, ref or position the user named does not exist."""


class UsageError(SummitError):
    """The request itself is malformed (a bad timestamp, a bad option value)."""


class StoreUnavailable(SummitError):
    """The store could not be reached, opened or read."""


class CheckFailed(SummitError):
    """An integrity check found something wrong (for example, tampering)."""
