"""Moving a log: every stored event copied as recorded into an empty store.

Each event is decoded with the source's mapper and stored again with the
target's (so a copy may encrypt, re-key or decrypt), keeping its originator,
version, timestamp, recorder and digest; the whole copy is one transaction
on the target. The source is verified first and the target after: both must
report the same chain heads.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eventsourcing.persistence import StoredEvent

from domain.audit import Verification, verify_log
from domain.errors import CheckFailed, UsageError

CHUNK = 1000  # events decoded and re-encoded at a time


def refuse_non_empty(target: Any, where: str) -> None:
    """UsageError (exit 2) unless the target store holds no event."""
    head = target.recorder.max_notification_id() or 0
    if head:
        raise UsageError(
            f"{where} is not empty (its log ends at position {head}): "
            "store copy writes only into an empty store"
        )


def copy_log(source: Any, target: Any) -> Verification:
    """Copy every event of `source` into the empty `target`; the target's heads.

    CheckFailed when the source does not verify (nothing is written) or when
    the copy does not report the source's heads.
    """
    before = verify_log(source)
    if before.fault is not None:
        raise CheckFailed(f"refusing to copy a damaged log: {before.fault}")
    target.insert_stored(_restored(source, target))
    target.committed(before.checked)
    after = verify_log(target)
    if after.fault is not None or heads(after) != heads(before):
        raise CheckFailed(
            "the copy does not report the source's chain heads "
            f"({after.fault or 'heads differ'}); run `summit audit verify` on both"
        )
    return after


def heads(result: Verification) -> dict[str, tuple[int, str]]:
    """Each negotiation's (events, head digest): what a copy must keep."""
    return {slug: (h.events, h.digest) for slug, h in result.heads.items()}


def _restored(source: Any, target: Any) -> Iterator[list[StoredEvent]]:
    start = 1
    while True:
        rows = source.recorder.select_notifications(start, CHUNK)
        if not rows:
            return
        yield [
            target.mapper.to_stored_event(source.mapper.to_domain_event(row))
            for row in rows
        ]
        start = rows[-1].id + 1
