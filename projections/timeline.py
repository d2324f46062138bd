"""The timeline: world events in rule-2 order, retracted ones flagged."""

from __future__ import annotations

from typing import Any

from domain.registry import name_of
from projections.history import Fact, History


def involves(fact: Fact, ally: str, parties: list[str]) -> bool:
    """Whether a party is the actor, proposer, signatory or reservation holder."""
    r = fact.record
    if ally in (r.get("actor"), r.get("by")):
        return True
    if fact.type == "signoff.recorded":
        signed = parties if r["signatories"] == "all" else r["signatories"]
        return ally in signed
    return False


def summarise(fact: Fact) -> str:
    """One readable line for a person."""
    r = fact.record
    kind = fact.type
    if kind == "negotiation.opened":
        parties = "NATO allies" if r["parties"] == "nato" else ", ".join(r["parties"])
        return (
            f"'{r['title']}' opened: summit {r['summit_on']} in {r['venue']}; "
            f"parties: {parties}"
        )
    if kind == "proposal.tabled":
        targets = ", ".join(
            f"{t['pct_gdp']:g}% {t['metric']} by {t['by_year']}" for t in r["targets"]
        )
        return f"{name_of(r['by'])} tabled '{r['proposal']}': {targets}"
    if kind == "proposal.revised":
        targets = ", ".join(
            f"{t['pct_gdp']:g}% {t['metric']} by {t['by_year']}" for t in r["targets"]
        )
        return f"'{r['proposal']}' revised: {targets} ({r['reason']})"
    if kind == "statement.made":
        text = r.get("quote") or r.get("summary") or ""
        who = f"{r['speaker']} ({name_of(r['actor'])})"
        position = r.get("position")
        stance = (
            f" [{position['stance']} on {position['proposal']}]" if position else ""
        )
        return f"{who}{stance}: {text}".rstrip(": ")
    if kind == "pledge.made":
        return (
            f"{name_of(r['actor'])} pledged {r['pct_gdp']:g}% {r['metric']} "
            f"by {r['by_year']} ({r['firmness']})"
        )
    if kind == "signoff.recorded":
        who = "all" if r["signatories"] == "all" else ", ".join(r["signatories"])
        adopts = f", adopting '{r['proposal']}'" if r.get("proposal") else ""
        return f"{r['body']} signed off '{r['document']}' ({who}){adopts}"
    if kind == "spending.reported":
        return (
            f"{name_of(r['actor'])} spent {r['pct_gdp']:g}% {r['metric']} "
            f"in {r['year']} ({r['basis']})"
        )
    return kind


def timeline_view(
    history: History,
    *,
    as_of: str | None = None,
    known_at: str | None = None,
    ally: str | None = None,
    types: tuple[str, ...] = (),
    date_from: str | None = None,
    date_to: str | None = None,
    show_history: bool = False,
) -> dict[str, Any]:
    """The `summit timeline` JSON document."""
    facts = sorted(history.facts, key=lambda f: f.order)
    events = []
    for fact in facts:
        on = fact.occurred_on
        if as_of is not None and on > as_of:
            continue
        if (date_from and on < date_from) or (date_to and on > date_to):
            continue
        if types and fact.type not in types:
            continue
        if ally and not involves(fact, ally, history.parties):
            continue
        item: dict[str, Any] = {
            "position": fact.position,
            "ref": fact.ref,
            "type": fact.type,
            "occurred_on": on,
            "recorded_at": fact.recorded_at.isoformat(),
            "recorded_by": fact.recorded_by,
            "retracted": fact.retracted,
            "corrected": bool(fact.corrections),
            "summary": summarise(fact),
            "event": fact.record,
        }
        if show_history:
            item["corrections"] = list(fact.corrections)
            item["original"] = fact.original
        events.append(item)
    return {
        "negotiation": history.negotiation,
        "as_of": as_of,
        "known_at": known_at,
        "events": events,
    }
