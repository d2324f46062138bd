"""Light helpers shared by writing and reading paths (no pydantic import here)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any


def compact_encoder(*, sort_keys: bool, ascii: bool = False) -> Callable[[Any], str]:
    """`json.JSONEncoder(sort_keys=..., separators=(",", ":"), ensure_ascii=...)
    .encode`, the same text, made once: `json.dumps` with options builds an
    encoder on every call, and the encoder's `encode` makes its C encoder
    anew on every call (a tenth or more of the time on a record). Values are
    acyclic (parsed JSON): no check for cycles."""
    std = json.JSONEncoder(
        sort_keys=sort_keys, separators=(",", ":"), ensure_ascii=ascii
    )
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # no C accelerator (another Python): the encoder itself
        return std.encode
    strings = (
        json.encoder.encode_basestring_ascii
        if ascii
        else json.encoder.encode_basestring
    )
    chunks = make(None, std.default, strings, None, ":", ",", sort_keys, False, True)

    def encode(value: Any) -> str:
        return "".join(chunks(value, 0))

    return encode


_CANONICAL = compact_encoder(sort_keys=True)


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
