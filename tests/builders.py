"""Builders of interchange records for tests: small, explicit, overridable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

NEG = "t"
SRC = {"outlet": "Example Wire", "reliability": "on-record"}


def opened(parties: Any = ("DEU", "FRA", "GBR"), **kw: Any) -> dict[str, Any]:
    return {
        "type": "negotiation.opened",
        "negotiation": NEG,
        "ref": "open",
        "occurred_on": "2025-01-01",
        "title": "Test table",
        "summit_on": "2025-06-24",
        "venue": "The Hague",
        "parties": parties if isinstance(parties, str) else list(parties),
        **kw,
    }


def tabled(targets: Any = None, **kw: Any) -> dict[str, Any]:
    return {
        "type": "proposal.tabled",
        "negotiation": NEG,
        "ref": "tab",
        "occurred_on": "2025-06-01",
        "proposal": "p5",
        "by": "NATO",
        "title": "Five percent",
        "targets": targets
        if targets is not None
        else [{"metric": "core_defence", "pct_gdp": 3.5, "by_year": 2035}],
        **kw,
    }


def revised(targets: Any, **kw: Any) -> dict[str, Any]:
    return {
        "type": "proposal.revised",
        "negotiation": NEG,
        "proposal": "p5",
        "targets": targets,
        "reason": "moved",
        **kw,
    }


def said(
    ref: str, actor: str, on: str, stance: str | None, **kw: Any
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "type": "statement.made",
        "negotiation": NEG,
        "ref": ref,
        "occurred_on": on,
        "actor": actor,
        "speaker": f"Minister of {actor}",
        "source": SRC,
    }
    if stance is not None:
        record["position"] = {"proposal": "p5", "stance": stance}
    record.update(kw)
    return record


def pledged(
    ref: str, actor: str, on: str, pct: float, year: int, **kw: Any
) -> dict[str, Any]:
    return {
        "type": "pledge.made",
        "negotiation": NEG,
        "ref": ref,
        "occurred_on": on,
        "actor": actor,
        "metric": kw.pop("metric", "core_defence"),
        "pct_gdp": pct,
        "by_year": year,
        "source": SRC,
        **kw,
    }


def signed(ref: str, on: str, signatories: Any = "all", **kw: Any) -> dict[str, Any]:
    return {
        "type": "signoff.recorded",
        "negotiation": NEG,
        "ref": ref,
        "occurred_on": on,
        "body": "Heads of State and Government",
        "document": "Summit declaration",
        "signatories": signatories,
        "proposal": "p5",
        "source": SRC,
        **kw,
    }


def retracted(ref: str, target: str, **kw: Any) -> dict[str, Any]:
    return {
        "type": "record.retracted",
        "negotiation": NEG,
        "ref": ref,
        "target": target,
        "reason": "wrong",
        **kw,
    }


def corrected(
    ref: str, target: str, changes: dict[str, Any], **kw: Any
) -> dict[str, Any]:
    return {
        "type": "record.corrected",
        "negotiation": NEG,
        "ref": ref,
        "target": target,
        "changes": changes,
        "reason": "fix",
        **kw,
    }


T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def log(*records: dict[str, Any], start: datetime = T0) -> list[Any]:
    """LogEntry objects as the store would yield them, one minute apart."""
    from domain.interchange import parse_record
    from domain.negotiation import with_ref
    from projections.log import LogEntry

    entries = []
    for i, raw in enumerate(records, start=1):
        record = with_ref(parse_record(raw))
        entries.append(
            LogEntry(
                position=i,
                negotiation=record["negotiation"],
                ref=record["ref"],
                type=record["type"],
                record=record,
                recorded_at=start + timedelta(minutes=i),
                recorded_by="tester",
                digest="",
                version=i,
            )
        )
    return entries


def spent(
    ref: str, actor: str, year: int, pct: Any, on: str, **kw: Any
) -> dict[str, Any]:
    """A `spending.reported` of metric total (an estimate unless `basis` says)."""
    return {
        "type": "spending.reported",
        "negotiation": NEG,
        "ref": ref,
        "occurred_on": on,
        "actor": actor,
        "metric": "total",
        "year": year,
        "pct_gdp": pct,
        "source": {"outlet": "NATO", "reliability": "official"},
        **kw,
    }


HOSTILE = "<img src=x onerror=alert(1)>"


def moving_table() -> list[dict[str, Any]]:
    """Five allies that move: a reversal, a retraction, a correction, a tie day."""
    return [
        opened(parties=["DEU", "FRA", "GBR", "ESP", "POL"]),
        tabled(),
        said("gbr-1", "GBR", "2025-06-02", "undecided", quote=HOSTILE),
        said("fra-1", "FRA", "2025-06-02", "opposes"),
        said("deu-1", "DEU", "2025-06-03", "supports"),
        said("esp-1", "ESP", "2025-06-05", "conditional", quote="if </script> ok"),
        said("gbr-2", "GBR", "2025-06-05", "supports"),
        said("pol-1", "POL", "2025-06-06", "supports"),
        said("fra-2", "FRA", "2025-06-08", "supports"),
        said("deu-2", "DEU", "2025-06-09", "supports"),  # same stance, new evidence
        said("pol-rumour", "POL", "2025-06-10", "opposes"),
        retracted("pol-rumour-x", "pol-rumour"),
        corrected("esp-1-fix", "esp-1", {"occurred_on": "2025-06-04"}),
        signed("s", "2025-06-25"),
    ]
