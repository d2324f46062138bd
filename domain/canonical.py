"""Light helpers shared by writing and reading paths (no pydantic import here)."""

from __future__ import annotations

import functools
import json
from typing import Any

# Made once: `json.dumps` with options builds an encoder on every call.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False
).encode


def canonical_json(value: Any) -> str:
    """Sorted-key compact JSON: the one textual form hashed and compared."""
    return _CANONICAL(value)


@functools.lru_cache(maxsize=64)
def json_string(text: str) -> str:
    """A string's JSON text as `canonical_json` writes it, remembered (who
    records is the same for every event of a write)."""
    return _CANONICAL(text)


def merge_changes(target: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A record with a correction's (already validated, normalised) changes applied.

    Whole fields are replaced; `None` removes an optional field.
    """
    merged = {k: v for k, v in target.items() if k not in changes}
    merged.update({k: v for k, v in changes.items() if v is not None})
    return merged
