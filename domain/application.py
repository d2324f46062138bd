"""The summit application: validates records against the log and saves them.

It is storage-agnostic (eventsourcing picks SQLite or PostgreSQL from its
environment); the CLI builds it with the store the user named.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError

from domain.errors import InvalidInput, Problem, SummitError
from domain.negotiation import Negotiation, negotiation_id, with_ref

# Conflicts with concurrent writers are retried after a random pause that
# doubles up to a cap (so writers spread out instead of colliding again):
# at most MAX_ATTEMPTS tries and under four seconds of pauses in all.
MAX_ATTEMPTS = 40
BACKOFF_FIRST_S = 0.005
BACKOFF_CAP_S = 0.1


@dataclass
class ImportReport:
    """What an import stored and skipped (refs in input order)."""

    stored: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    conflicts_retried: int = 0


@dataclass(frozen=True)
class Line:
    """One parsed input record and the line it came from."""

    number: int
    record: dict[str, Any]


class ConcurrentWriteError(SummitError):
    """Other writers kept changing the same negotiation; nothing was stored."""


class Summit(Application[UUID]):
    """Records negotiation events; reading goes through the projections."""

    name = "summit"

    def negotiation(self, slug: str) -> Negotiation | None:
        """The negotiation aggregate, or None when it has not been opened."""
        try:
            agg = self.repository.get(negotiation_id(slug))
        except AggregateNotFoundError:
            return None
        assert isinstance(agg, Negotiation)
        return agg

    def record_lines(
        self,
        lines: Iterable[Line],
        recorded_by: str,
        *,
        dry_run: bool = False,
        source: str = "-",
    ) -> ImportReport:
        """Validate every line against the log, then store all of them or none.

        A concurrent writer's conflict is retried after re-validating against
        the new state of the log, a bounded number of times.
        """
        lines = list(lines)
        for attempt in range(MAX_ATTEMPTS):
            report, touched = self._apply(lines, recorded_by, source)
            report.conflicts_retried = attempt
            if dry_run or not touched:
                return report
            try:
                self.save(*touched)
            except IntegrityError:
                pause = min(BACKOFF_CAP_S, BACKOFF_FIRST_S * 2**attempt)
                time.sleep(random.uniform(0, pause))
                continue
            return report
        raise ConcurrentWriteError(
            f"gave up after {MAX_ATTEMPTS} attempts: other writers kept changing "
            "the same negotiation; nothing was stored, try again"
        )

    def _apply(
        self, lines: list[Line], recorded_by: str, source: str
    ) -> tuple[ImportReport, list[Negotiation]]:
        report = ImportReport()
        problems: list[Problem] = []
        aggregates: dict[str, Negotiation | None] = {}
        seen_refs: dict[tuple[str, str], int] = {}
        for line in lines:
            slug = line.record["negotiation"]
            if slug not in aggregates:
                aggregates[slug] = self.negotiation(slug)
            agg = aggregates[slug]
            record = with_ref(agg.book.normalise(line.record) if agg else line.record)
            key = (slug, record["ref"])
            if key in seen_refs:
                problems.append(
                    Problem(
                        "ref",
                        f"'{record['ref']}' is repeated in this input "
                        f"(first on line {seen_refs[key]})",
                        line.number,
                    )
                )
                continue
            seen_refs[key] = line.number
            if agg is None:
                if record["type"] != "negotiation.opened":
                    problems.append(
                        Problem(
                            "negotiation",
                            f"'{slug}' has not been opened "
                            "(record negotiation.opened first)",
                            line.number,
                        )
                    )
                    continue
                aggregates[slug] = Negotiation.open(record, recorded_by)
                report.stored.append(record["ref"])
                continue
            if agg.book.is_duplicate(record):
                report.skipped.append(record["ref"])
                continue
            found = agg.problems(record)
            if found:
                problems.extend(Problem(p.field, p.reason, line.number) for p in found)
                continue
            agg.record(record, recorded_by)
            report.stored.append(record["ref"])
        if problems:
            raise InvalidInput(problems, source)
        touched = [a for a in aggregates.values() if a is not None and a.pending_events]
        return report, touched
