"""Stances, pledges and gaps of every party on one proposal (SPEC §3 rules 3–5)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from domain.registry import name_of
from projections.history import Fact, History

STANCE_ORDER = ("supports", "conditional", "undecided", "opposes", "unknown")


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence of a party's stance on a proposal."""

    party: str
    stance: str
    conditions: str | None
    fact: Fact


def evidence_for(history: History, proposal: str, facts: list[Fact]) -> list[Evidence]:
    """Rule 4's evidence about `proposal` in `facts` (already in rule-2 order)."""
    parties = set(history.parties)
    found: list[Evidence] = []
    for fact in facts:
        r = fact.record
        if fact.type == "statement.made":
            position = r.get("position")
            if position and position["proposal"] == proposal and r["actor"] in parties:
                found.append(
                    Evidence(
                        r["actor"], position["stance"], position.get("conditions"), fact
                    )
                )
        elif fact.type == "signoff.recorded" and r.get("proposal") == proposal:
            signed = history.parties if r["signatories"] == "all" else r["signatories"]
            reservations = r.get("reservations") or {}
            for party in sorted(set(signed) & parties):
                if party in reservations:
                    found.append(
                        Evidence(party, "conditional", reservations[party], fact)
                    )
                else:
                    found.append(Evidence(party, "supports", None, fact))
    return found


def targets_as_of(history: History, proposal: str, facts: list[Fact]) -> list[Any]:
    """Rule 3: the targets of the latest tabling or revision in `facts`."""
    targets: list[Any] = []
    for fact in facts:
        if fact.type in ("proposal.tabled", "proposal.revised") and (
            fact.record["proposal"] == proposal
        ):
            targets = fact.record["targets"]
    return [dict(t) for t in targets]


def _dec(x: float) -> Decimal:
    return Decimal(repr(x)) if isinstance(x, float) else Decimal(x)


def _num(d: Decimal) -> float | int:
    return int(d) if d == d.to_integral_value() and abs(d) < 10**15 else float(d)


def pledges_of(party: str, facts: list[Fact]) -> list[dict[str, Any]]:
    """Rule 5: the latest pledge of `party` for each (metric, by_year)."""
    latest: dict[tuple[str, int], Fact] = {}
    for fact in facts:
        if fact.type == "pledge.made" and fact.record["actor"] == party:
            latest[(fact.record["metric"], fact.record["by_year"])] = fact
    return [
        {
            "metric": f.record["metric"],
            "pct_gdp": f.record["pct_gdp"],
            "by_year": f.record["by_year"],
            "firmness": f.record["firmness"],
            "ref": f.ref,
        }
        for _, f in sorted(latest.items())
    ]


def gaps_of(pledges: list[dict[str, Any]], targets: list[Any]) -> list[dict[str, Any]]:
    """Rule 5: for each target, the best matching pledge and the decimal gap."""
    gaps = []
    for t in targets:
        matching = [
            p["pct_gdp"]
            for p in pledges
            if p["metric"] == t["metric"] and p["by_year"] <= t["by_year"]
        ]
        pledged = max(matching, key=_dec) if matching else None
        gap: float | int | None = None
        if pledged is not None:
            raw = max(Decimal(0), _dec(t["pct_gdp"]) - _dec(pledged))
            gap = _num(raw.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
        gaps.append(
            {
                "metric": t["metric"],
                "target_pct": t["pct_gdp"],
                "by_year": t["by_year"],
                "pledged_pct": pledged,
                "gap_pp": gap,
                "meets": gap == 0 if gap is not None else False,
            }
        )
    return gaps


def stance_rows(
    history: History, proposal: str, facts: list[Fact]
) -> dict[str, dict[str, Any]]:
    """Rule 4 for every party: stance, since, evidence, conditions."""
    rows: dict[str, dict[str, Any]] = {
        p: {"stance": "unknown", "since": None, "evidence": None, "conditions": None}
        for p in history.parties
    }
    for ev in evidence_for(history, proposal, facts):
        row = rows[ev.party]
        if row["stance"] != ev.stance:
            row["since"] = ev.fact.occurred_on
        row["stance"] = ev.stance
        row["evidence"] = ev.fact.ref
        row["conditions"] = ev.conditions
    return rows


def stance_view(
    history: History,
    proposal: str,
    *,
    as_of: str | None = None,
    known_at: str | None = None,
    ally: str | None = None,
) -> dict[str, Any]:
    """The `summit stance` JSON document (SPEC §4)."""
    history.require_proposal(proposal)
    facts = history.live(as_of)
    targets = targets_as_of(history, proposal, facts)
    rows = stance_rows(history, proposal, facts)
    allies = []
    for code in history.parties:
        if ally is not None and code != ally:
            continue
        pledges = pledges_of(code, facts)
        allies.append(
            {
                "ally": code,
                "name": name_of(code),
                **rows[code],
                "pledges": pledges,
                "gaps": gaps_of(pledges, targets),
            }
        )
    return {
        "negotiation": history.negotiation,
        "proposal": proposal,
        "as_of": as_of,
        "known_at": known_at,
        "targets": targets,
        "allies": allies,
    }
