"""Recompute every negotiation's hash chain from the stored rows themselves.

Rows are read through the recorder (not through aggregates or views), so a row
changed, removed, reordered or inserted with a plain SQL client is caught.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eventsourcing.application import Application
from eventsourcing.utils import get_topic

from domain.chain import GENESIS, chain_digest
from domain.negotiation import Negotiation, negotiation_id

BATCH = 5000


@dataclass
class ChainHead:
    """Where one negotiation's chain ends."""

    negotiation: str
    events: int
    position: int
    digest: str


@dataclass
class Fault:
    """The first bad record found."""

    negotiation: str
    position: int
    version: int | None
    ref: str | None
    reason: str

    def __str__(self) -> str:
        ref = f" (ref '{self.ref}')" if self.ref else ""
        return (
            f"tampering in '{self.negotiation}' at log position {self.position}"
            f"{ref}: {self.reason}"
        )


@dataclass
class Verification:
    """The outcome of `summit audit verify`."""

    checked: int = 0
    heads: dict[str, ChainHead] = field(default_factory=dict)
    fault: Fault | None = None
    # For checkpoints: the digest found at each wanted (negotiation, version).
    found: dict[str, str] = field(default_factory=dict)


@dataclass
class _Chain:
    slug: str | None = None
    version: int = 0
    digest: str = GENESIS
    position: int = 0
    events: int = 0
    ref_topics: dict[str, str] = field(default_factory=dict)


_CLASSES: dict[str, type] = {
    **Negotiation.EVENT_CLASSES,
    "negotiation.opened": Negotiation.Opened,
}
_TOPICS = {get_topic(cls): kind for kind, cls in _CLASSES.items()}


def verify_log(
    app: Application[Any],
    negotiation: str | None = None,
    *,
    want: dict[str, int] | None = None,
) -> Verification:
    """Check every stored event (or one negotiation's) in recording order.

    `want` maps negotiation slugs to versions whose digests to report (for
    checking that the log extends a checkpoint).
    """
    want = want or {}
    wanted = negotiation_id(negotiation).hex if negotiation else None
    chains: dict[str, _Chain] = {}
    result = Verification()
    start = 1
    while True:
        rows = app.recorder.select_notifications(start, BATCH)
        if not rows:
            break
        for row in rows:
            oid = (
                row.originator_id.hex
                if hasattr(row.originator_id, "hex")
                else str(row.originator_id)
            )
            if wanted is not None and oid != wanted:
                continue
            chain = chains.setdefault(oid, _Chain())
            fault = _check(app, row, chain)
            if fault is not None:
                result.fault = fault
                return result
            result.checked += 1
            if want.get(chain.slug or "") == chain.version:
                result.found[chain.slug or ""] = chain.digest
        start = rows[-1].id + 1
    for chain in chains.values():
        assert chain.slug is not None
        result.heads[chain.slug] = ChainHead(
            chain.slug, chain.events, chain.position, chain.digest
        )
    if negotiation is not None and negotiation not in result.heads:
        from domain.errors import NotFound

        raise NotFound(f"negotiation '{negotiation}' is not in this store")
    return result


def _check(app: Application[Any], row: Any, chain: _Chain) -> Fault | None:
    name = chain.slug or "?"

    def fault(reason: str, ref: str | None = None, version: int | None = None) -> Fault:
        return Fault(name, row.id, version or row.originator_version, ref, reason)

    try:
        event: Any = app.mapper.to_domain_event(row)
        record = event.record
        ref, kind, slug = record["ref"], record["type"], record["negotiation"]
        recorded_at = event.timestamp.isoformat()
        recorded_by, digest = event.recorded_by, event.digest
    except Exception as e:
        return fault(f"the stored row no longer decodes ({type(e).__name__})")
    if chain.slug is None:
        chain.slug = name = slug
    if (
        negotiation_id(slug).hex
        != (
            row.originator_id.hex
            if hasattr(row.originator_id, "hex")
            else str(row.originator_id)
        )
        or slug != chain.slug
    ):
        return fault(f"the record names negotiation '{slug}', not this one", ref)
    if _TOPICS.get(row.topic) != kind:
        return fault(f"stored topic {row.topic!r} does not match type '{kind}'", ref)
    expected_version = chain.version + 1
    if row.originator_version != expected_version:
        if row.originator_version > expected_version:
            reason = (
                f"version {expected_version} is missing "
                f"(found {row.originator_version}): a record was removed"
            )
        else:
            reason = (
                f"version {row.originator_version} appears after {chain.version}:"
                " records were reordered or inserted"
            )
        return fault(reason, ref)
    recomputed = chain_digest(chain.digest, record, recorded_at, recorded_by)
    if recomputed != digest:
        return fault(
            "digest does not match its content and the previous digest "
            "(record changed, reordered or inserted)",
            ref,
        )
    chain.version = expected_version
    chain.digest = digest
    chain.position = row.id
    chain.events += 1
    return None
