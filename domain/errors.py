"""One hierarchy for every error summit expects; the CLI maps kinds to exit codes."""

# No `from __future__ import annotations`: this module's NamedTuples would
# compile each field's annotation text at every start (test_query_start.py).

import re
from collections import Counter
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


# At most this many problems are printed, and this many of one kind (the same
# field and reason, whatever the values quoted): the rest are counted.
SHOWN_PROBLEMS = 100
SHOWN_OF_A_KIND = 10


def _kind(p: Problem) -> tuple[str, str]:
    return p.field, re.sub(r"'[^']*'|\d+", "_", p.reason)


class InvalidInput(SummitError):
    """Several problems found in one input; nothing was stored."""

    def __init__(self, problems: list[Problem], source: str = "-") -> None:
        self.problems = sorted(problems, key=lambda p: p.line or 0)
        self.source = source
        shown: list[str] = []
        kinds: Counter[tuple[str, str]] = Counter()
        for p in self.problems:
            kinds[_kind(p)] += 1
            if len(shown) < SHOWN_PROBLEMS and kinds[_kind(p)] <= SHOWN_OF_A_KIND:
                shown.append(
                    f"{source}:{p.line}: {p}" if p.line is not None else str(p)
                )
        more = len(self.problems) - len(shown)
        if more > 0:
            shown.append(f"… and {more} more problem(s) not shown; nothing was stored")
        super().__init__("\n".join(shown))


class NotFound(SummitError):
    """A negotiation, proposal, ref or position the user named does not exist."""


class UsageError(SummitError):
    """The request itself is malformed (a bad timestamp, a bad option value)."""


class StoreUnavailable(SummitError):
    """The store could not be reached, opened or read."""


class CheckFailed(SummitError):
    """An integrity check found something wrong (for example, tampering)."""
