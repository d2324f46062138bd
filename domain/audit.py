"""The audit rules: every hash chain recomputed from the stored rows, checkpoints.

Rows are read through the recorder (not through aggregates or views), so a row
changed, removed, reordered or inserted with a plain SQL client is caught.
A checkpoint is extended when each of its heads still has its digest.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from eventsourcing.application import Application
from eventsourcing.utils import get_topic

from domain.chain import GENESIS, chain_digest
from domain.checkpoint import FORMAT
from domain.errors import CheckFailed, NotFound, UsageError
from domain.fields import text_problem
from domain.negotiation import Negotiation, negotiation_id

BATCH = 5000
# What decoding a tampered row raises (a database failure is not one of these).
_UNREADABLE = (ValueError, TypeError, AttributeError, KeyError)


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
        where = f" in '{self.negotiation}'" if self.negotiation != "?" else ""
        return f"tampering{where} at log position {self.position}{ref}: {self.reason}"


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
    for row in stored_rows(app):
        if isinstance(row, Fault):
            result.fault = row
            return result
        oid = _hex(row.originator_id)
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
    for chain in chains.values():
        assert chain.slug is not None
        result.heads[chain.slug] = ChainHead(
            chain.slug, chain.events, chain.position, chain.digest
        )
    if negotiation is not None and negotiation not in result.heads:
        raise NotFound(f"negotiation '{negotiation}' is not in this store")
    return result


def _hex(originator_id: Any) -> str:
    return originator_id.hex if hasattr(originator_id, "hex") else str(originator_id)


def stored_rows(app: Application[Any], start: int = 1) -> Iterator[Any]:
    """The stored rows in recording order, then a Fault if one cannot be read.

    The recorder decodes a whole batch at once (a tampered `originator_id`
    fails it), so a failed batch is read again row by row to name the first
    row that cannot be read.
    """
    while True:
        try:
            rows = app.recorder.select_notifications(start, BATCH)
        except _UNREADABLE:
            yield from _one_by_one(app, start)
            return
        if not rows:
            return
        yield from rows
        start = rows[-1].id + 1


def _one_by_one(app: Application[Any], start: int) -> Iterator[Any]:
    while True:
        try:
            rows = app.recorder.select_notifications(start, 1)
        except _UNREADABLE as e:
            position = _first_unreadable(app, start)
            reason = f"the stored row cannot be read ({type(e).__name__}: {e})"
            yield Fault("?", position, None, None, reason)
            return
        if not rows:
            return
        yield rows[0]
        start = rows[0].id + 1


def _first_unreadable(app: Application[Any], start: int) -> int:
    """The position of the first row at or after `start` (known unreadable)."""
    low, high = start, app.recorder.max_notification_id() or start
    while low < high:  # the smallest `stop` whose one-row read fails
        middle = (low + high) // 2
        try:
            app.recorder.select_notifications(start, 1, stop=middle)
        except _UNREADABLE:
            high = middle
        else:
            low = middle + 1
    return low


def _check(app: Application[Any], row: Any, chain: _Chain) -> Fault | None:
    """The first thing wrong with one stored row, or None (the chain advances)."""
    try:
        return _check_row(app, row, chain)
    except _UNREADABLE as e:  # a value of an unexpected type or shape
        return Fault(
            chain.slug or "?",
            row.id,
            None,
            None,
            f"the stored row is inconsistent ({type(e).__name__}: {e})",
        )


def _check_row(app: Application[Any], row: Any, chain: _Chain) -> Fault | None:
    name = chain.slug or "?"

    def fault(reason: str, ref: str | None = None, version: int | None = None) -> Fault:
        return Fault(name, row.id, version or row.originator_version, ref, reason)

    try:
        event: Any = app.mapper.to_domain_event(row)
        record = event.record
        ref, kind, slug = record["ref"], record["type"], record["negotiation"]
        recorded_at = event.timestamp.isoformat()
        recorded_by, digest = event.recorded_by, event.digest
        originator = negotiation_id(slug).hex
    except Exception as e:
        return fault(f"the stored row no longer decodes ({type(e).__name__})")
    if chain.slug is None:
        chain.slug = name = slug
    if originator != _hex(row.originator_id) or slug != chain.slug:
        return fault(f"the record names negotiation '{slug}', not this one", ref)
    if type(row.originator_version) is not int:
        return Fault(
            name,
            row.id,
            None,
            ref,
            f"version {row.originator_version!r} is not a number",
        )
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


# -- the rules `audit verify` and `audit checkpoint` apply --------------------------


class Views(Protocol):
    """What `verify` asks of the persisted views (see projections/reader.py)."""

    def views_position(self) -> tuple[int, int] | None:
        """(Position the views processed, log head), or None when unreadable."""

    def views_difference(self) -> str | None:
        """The first view row that is not what the log gives, or None."""


def verify(
    app: Application[Any],
    negotiation: str | None = None,
    *,
    checkpoint: dict[str, Any] | None = None,
    views: Views | None = None,
) -> Verification:
    """Every chain intact, the views what the log gives, the checkpoint extended.

    CheckFailed names the first thing wrong.
    """
    want = (
        {slug: head["version"] for slug, head in checkpoint["negotiations"].items()}
        if checkpoint
        else None
    )
    result = verify_log(app, negotiation, want=want)
    if result.fault is not None:
        raise CheckFailed(str(result.fault))
    if views is not None:
        _check_views(views)
    if checkpoint is not None:
        _check_extends(checkpoint, result, negotiation)
    return result


def _check_views(views: Views) -> None:
    """The views neither ahead of the log nor different from what it gives."""
    _check_views_not_ahead(views.views_position())
    difference = views.views_difference()
    if difference is not None:
        raise CheckFailed(
            f"tampering in the views: {difference} (the log is intact; "
            "`summit views rebuild` restores the views from it)"
        )


def _check_views_not_ahead(position: tuple[int, int] | None) -> None:
    """Events deleted from the end of the log leave the views ahead of it."""
    if position is None:
        return
    tracked, head = position
    if tracked > head:
        raise CheckFailed(
            f"tampering at log position {head + 1}: the persisted views have "
            f"processed up to position {tracked} but the log ends at "
            f"{head}, so events were removed from the end of the log"
        )


def _check_extends(
    checkpoint: dict[str, Any], result: Verification, negotiation: str | None
) -> None:
    """CheckFailed unless every head in the checkpoint still has its digest."""
    for slug, head in checkpoint["negotiations"].items():
        if negotiation is not None and slug != negotiation:
            continue
        if slug not in result.heads:
            raise CheckFailed(
                f"checkpoint names '{slug}', which is no longer in the log"
            )
        if result.found.get(slug) != head["digest"]:
            have = result.heads[slug].events
            raise CheckFailed(
                f"the log no longer extends the checkpoint: '{slug}' "
                + (
                    f"has only {have} events, the checkpoint {head['version']}"
                    if have < head["version"]
                    else f"event {head['version']} has a different digest"
                )
                + " (history before the checkpoint was rewritten)"
            )


def checkpoint_of(
    app: Application[Any], created_by: str, created_at: str
) -> dict[str, Any]:
    """Each negotiation's head now (unsigned); CheckFailed on a damaged log,
    UsageError when `created_by` breaks a recorder name's rules."""
    problem = text_problem(created_by, one_line=True)
    if problem is not None:
        raise UsageError(f"created_by: {problem} (who makes it: --by)")
    result = verify_log(app)
    if result.fault is not None:
        raise CheckFailed(f"refusing to checkpoint a damaged log: {result.fault}")
    return {
        "format": FORMAT,
        "created_at": created_at,
        "created_by": created_by,
        "log_position": max((h.position for h in result.heads.values()), default=0),
        "events": result.checked,
        "negotiations": {
            h.negotiation: {
                "version": h.events,
                "position": h.position,
                "digest": h.digest,
            }
            for h in result.heads.values()
        },
    }
