"""How the table moves toward consensus on one proposal (SPEC §3 rule 6)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from typing import Any

from domain.vocabulary import STANCE_ORDER, UNKNOWN
from projections.inputs import Inputs, inputs_from_history

_OCCURRED_ON = itemgetter(4)  # Evidence.occurred_on, without a call per row


def _counts(stances: dict[str, str]) -> dict[str, int]:
    counts = dict.fromkeys(STANCE_ORDER, 0)
    for stance in stances.values():
        counts[stance] += 1
    return counts


def consensus_from(
    inputs: Inputs, *, as_of: str | None = None, known_at: str | None = None
) -> dict[str, Any]:
    """The `summit consensus` JSON document (SPEC §4) from its inputs."""
    stances = dict.fromkeys(inputs.parties, UNKNOWN)

    def days() -> Iterator[tuple[str, dict[str, int], list[str]]]:
        for day, day_evidence in groupby(inputs.evidence, key=_OCCURRED_ON):
            refs: dict[str, None] = {}  # each ref once, in order (not a set)
            for party, stance, _, ref, _, _ in day_evidence:
                stances[party] = stance
                refs[ref] = None
            yield day, _counts(stances), list(refs)

    path, counts, reached_on = walk(days(), len(inputs.parties))
    holdouts = sorted(p for p, s in stances.items() if s != "supports")
    return document(inputs, as_of, known_at, counts, holdouts, reached_on, path)


def walk(
    days: Iterable[tuple[str, dict[str, int], list[str] | None]], parties: int
) -> tuple[list[dict[str, Any]], dict[str, int], str | None]:
    """The path, the last counts and reached_on from each evidence day's
    end-of-day counts (and refs), in date order: judged at each day's end,
    the first against every party unknown."""
    counts = dict.fromkeys(STANCE_ORDER, 0)
    counts[UNKNOWN] = parties
    path: list[dict[str, Any]] = []
    reached_on: str | None = None
    for day, new_counts, refs in days:
        if new_counts != counts:
            path.append({"on": day, "counts": new_counts, "refs": refs})
            counts = new_counts
        everyone = counts["supports"] == parties
        if everyone and reached_on is None:
            reached_on = day
        elif not everyone:
            reached_on = None
    return path, counts, reached_on


def document(
    inputs: Inputs,
    as_of: str | None,
    known_at: str | None,
    counts: dict[str, int],
    holdouts: list[str],
    reached_on: str | None,
    path: list[dict[str, Any]],
) -> dict[str, Any]:
    """The document's keys in SPEC §4's order."""
    return {
        "negotiation": inputs.negotiation,
        "proposal": inputs.proposal,
        "as_of": as_of,
        "known_at": known_at,
        "rule": inputs.rule,
        "parties": len(inputs.parties),
        "counts": counts,
        "holdouts": holdouts,
        "reached_on": reached_on,
        "path": path,
    }


def consensus_view(
    history: Any,
    proposal: str,
    *,
    as_of: str | None = None,
    known_at: str | None = None,
) -> dict[str, Any]:
    """The `summit consensus` JSON document, folded from a history."""
    inputs = inputs_from_history(history, proposal, as_of)
    return consensus_from(inputs, as_of=as_of, known_at=known_at)
