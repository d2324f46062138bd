"""Light helpers shared by writing and reading paths (no pydantic import here)."""

from __future__ import annotations

import json
from typing import Any


def canonical_json(value: Any) -> str:
    """Sorted-key compact JSON: the one textual form hashed and compared."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def merge_changes(target: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A record with a correction's (already validated, normalised) changes applied.

    Whole fields are replaced; `None` removes an optional field.
    """
    merged = {k: v for k, v in target.items() if k not in changes}
    merged.update({k: v for k, v in changes.items() if v is not None})
    return merged
