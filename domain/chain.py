"""The audit chain: each event's digest covers the previous one and its own content.

Canonical content of an event is the sorted-key compact JSON (UTF-8, no ASCII
escaping) of `{"record": <interchange record>, "recorded_at": <ISO 8601>,
"recorded_by": <who>}`; its digest is SHA-256 over the previous digest of the
same negotiation (64 zeros for the first) followed by that content.
"""

from __future__ import annotations

import hashlib
from typing import Any

from domain.canonical import canonical_json, json_string

GENESIS = "0" * 64


def canonical_content(
    record: dict[str, Any], recorded_at: str, recorded_by: str
) -> str:
    """The exact text hashed for one event."""
    return canonical_json(
        {"record": record, "recorded_at": recorded_at, "recorded_by": recorded_by}
    )


def chain_digest(
    previous: str, record: dict[str, Any], recorded_at: str, recorded_by: str
) -> str:
    """SHA-256 hex digest of `previous` + canonical content."""
    text = previous + canonical_content(record, recorded_at, recorded_by)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def digest_of_canonical(
    previous: str, canonical_record: str, recorded_at: str, recorded_by: str
) -> str:
    """`chain_digest` from the record's canonical JSON, already made: the
    content's keys sort as record, recorded_at, recorded_by, so its text is
    the record's canonical JSON between the other two. `recorded_at` is an
    ISO 8601 time (digits and `-:T.+`: its JSON text is itself in quotes)."""
    text = (
        f'{previous}{{"record":{canonical_record},'
        f'"recorded_at":"{recorded_at}","recorded_by":{json_string(recorded_by)}}}'
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
