"""What the stance and consensus views are computed from, wherever it comes from.

Two sources give the same `Inputs`: a fold over a negotiation's history (any
`known_at`), and the persisted derived tables (`projections.views`), which
hold the evidence, pledges and targets of every unretracted event with its
corrections applied.
"""

# No `from __future__ import annotations`: a NamedTuple would compile each
# field's annotation text at every start (test_query_start.py). Pledge and
# Inputs are plain classes with slots: a NamedTuple also compiles its __new__
# from text (0.6M instructions at a query's start); Evidence is read as a
# tuple (`consensus.py`).

from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from domain.errors import NotFound, UsageError


class Evidence(NamedTuple):
    """One piece of evidence of a party's stance on a proposal (rule 4)."""

    party: str
    stance: str
    conditions: str | None
    ref: str
    occurred_on: str
    position: int


class Pledge:
    """One pledge, as rule 5 needs it."""

    __slots__ = (
        "by_year",
        "firmness",
        "metric",
        "occurred_on",
        "party",
        "pct_gdp",
        "position",
        "ref",
    )

    def __init__(
        self,
        party: str,
        metric: str,
        by_year: int,
        pct_gdp: float,
        firmness: str,
        ref: str,
        occurred_on: str,
        position: int,
    ) -> None:
        self.party = party
        self.metric = metric
        self.by_year = by_year
        self.pct_gdp = pct_gdp
        self.firmness = firmness
        self.ref = ref
        self.occurred_on = occurred_on
        self.position = position


class Inputs:
    """Everything stance and consensus need about one proposal, in rule-2 order.

    `stances`: each party's stance row (rule 4), when read directly from the
    views' runs instead of folded from `evidence` (which is then empty).
    """

    __slots__ = (
        "evidence",
        "negotiation",
        "parties",
        "pledges",
        "proposal",
        "rule",
        "stances",
        "targets",
    )

    def __init__(
        self,
        negotiation: str,
        proposal: str,
        parties: list[str],
        rule: str,
        targets: list[dict[str, Any]],
        evidence: list[Evidence],
        pledges: list[Pledge],
        stances: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.negotiation = negotiation
        self.proposal = proposal
        self.parties = parties
        self.rule = rule
        self.targets = targets
        self.evidence = evidence
        self.pledges = pledges
        self.stances = stances


def view_head(
    inputs: Inputs, as_of: str | None, known_at: str | None
) -> dict[str, Any]:
    """The first keys of every per-proposal document (stance, delivery): SPEC §4."""
    return {
        "negotiation": inputs.negotiation,
        "proposal": inputs.proposal,
        "as_of": as_of,
        "known_at": known_at,
        "targets": inputs.targets,
    }


def choose_proposal(
    negotiation: str, proposal: str | None, tabled: Iterable[str]
) -> str:
    """The named proposal if it is tabled, or the only one tabled when none is."""
    tabled = sorted(tabled)
    if proposal is None:
        if len(tabled) == 1:
            return tabled[0]
        raise UsageError(
            f"name a proposal with --proposal (tabled in '{negotiation}': "
            f"{', '.join(tabled) or 'none yet'})"
        )
    if proposal not in tabled:
        raise NotFound(
            f"proposal '{proposal}' is not tabled in '{negotiation}'"
            + (f" (tabled: {', '.join(tabled)})" if tabled else "")
        )
    return proposal


def evidence_of(
    ref: str,
    kind: str,
    record: dict[str, Any],
    position: int,
    parties: list[str],
    members: frozenset[str] | None = None,
) -> Iterator[tuple[str, Evidence]]:
    """(proposal, evidence) pairs an unretracted world event gives (rule 4).

    `members` is `parties` as a set, when the caller has it at hand.
    """
    on = record.get("occurred_on", "")
    for proposal, party, stance, conditions in evidence_stances(
        kind, record, parties, members
    ):
        yield proposal, Evidence(party, stance, conditions, ref, on, position)


def evidence_stances(
    kind: str,
    record: dict[str, Any],
    parties: list[str],
    members: frozenset[str] | None = None,
) -> list[tuple[str, str, str, str | None]]:
    """(proposal, party, stance, conditions) of each piece of evidence an
    unretracted world event gives (rule 4), in party order: `evidence_of`'s,
    as the views' rows take them (no tuple of its own for each)."""
    if kind == "statement.made":
        pos = record.get("position")
        members = members if members is not None else frozenset(parties)
        if pos and record["actor"] in members:
            actor, stance = record["actor"], pos["stance"]
            return [(pos["proposal"], actor, stance, pos.get("conditions"))]
    elif kind == "signoff.recorded" and record.get("proposal"):
        members = members if members is not None else frozenset(parties)
        proposal = record["proposal"]
        signed = parties if record["signatories"] == "all" else record["signatories"]
        reservations = record.get("reservations") or {}
        return [
            (proposal, party, "conditional", reservations[party])
            if party in reservations
            else (proposal, party, "supports", None)
            for party in sorted(members.intersection(signed))
        ]
    return []


def pledge_of(ref: str, record: dict[str, Any], position: int) -> Pledge:
    return Pledge(
        record["actor"],
        record["metric"],
        record["by_year"],
        record["pct_gdp"],
        record["firmness"],
        ref,
        record["occurred_on"],
        position,
    )


def inputs_from_history(
    history: Any, proposal: str | None, as_of: str | None
) -> Inputs:
    """Inputs by folding a History (facts known at its `known_at`)."""
    proposal = choose_proposal(history.negotiation, proposal, history.proposals)
    facts = history.live(as_of)
    targets: list[dict[str, Any]] = []
    evidence: list[Evidence] = []
    pledges: list[Pledge] = []
    for fact in facts:
        r = fact.record
        if fact.type in ("proposal.tabled", "proposal.revised"):
            if r["proposal"] == proposal:
                targets = [dict(t) for t in r["targets"]]
        elif fact.type == "pledge.made":
            pledges.append(pledge_of(fact.ref, r, fact.position))
        else:
            for about, ev in evidence_of(
                fact.ref, fact.type, r, fact.position, history.parties
            ):
                if about == proposal:
                    evidence.append(ev)
    return Inputs(
        negotiation=history.negotiation,
        proposal=proposal,
        parties=history.parties,
        rule=history.opening["rule"],
        targets=targets,
        evidence=evidence,
        pledges=pledges,
    )
