"""The log's stored state: compressed with summit's dictionary, every form read."""

from __future__ import annotations

import json
import zlib

import pytest

from domain.stored import (
    ZDICT,
    StateCompressor,
    UndecodableState,
    compress_state,
    plain_state,
    state_json,
)

STATE = json.dumps(
    {
        "timestamp": {"_type_": "datetime_iso", "_data_": "2025-06-10T09:00:00+00:00"},
        "record": {
            "type": "pledge.made",
            "negotiation": "hague-2025",
            "ref": "p",
            "occurred_on": "2025-06-10",
            "actor": "GBR",
            "metric": "core_defence",
            "pct_gdp": 2.5,
            "by_year": 2030,
            "firmness": "commitment",
            "source": {"outlet": "Reuters", "reliability": "reported"},
        },
        "recorded_by": "tester",
        "digest": "ab" * 32,
    },
    separators=(",", ":"),
).encode()


def test_a_state_is_stored_compressed_with_the_dictionary_and_read_back() -> None:
    stored = compress_state(STATE)
    assert stored[:1] == b"\x78" and stored[1] & 0x20  # zlib, preset dictionary
    assert len(stored) < len(STATE) / 2
    assert len(stored) < len(zlib.compress(STATE, 9))  # the dictionary pays
    assert plain_state(stored) == STATE
    assert StateCompressor().decompress(StateCompressor().compress(STATE)) == STATE
    assert state_json(memoryview(stored))["record"]["ref"] == "p"


@pytest.mark.parametrize(
    "stored",
    [STATE, zlib.compress(STATE)],
    ids=["plain JSON (before compression)", "zlib (encrypted stores before)"],
)
def test_older_forms_of_the_state_are_read_as_they_are(stored: bytes) -> None:
    assert plain_state(stored) == STATE


def _with_dictionary(zdict: bytes) -> bytes:
    packer = zlib.compressobj(9, zdict=zdict)
    return packer.compress(STATE) + packer.flush()


@pytest.mark.parametrize(
    "stored",
    [
        b"",
        b"not json",
        STATE[:40],
        compress_state(STATE)[:-6],
        _with_dictionary(b"another dictionary" + ZDICT[:100]),
    ],
    ids=["empty", "text", "cut JSON", "cut stream", "unknown dictionary"],
)
def test_a_state_in_no_form_summit_writes_is_undecodable(stored: bytes) -> None:
    with pytest.raises(UndecodableState):
        state_json(stored)


def test_the_dictionary_never_changes() -> None:
    # Stored states name it by checksum: changing it would strand every store.
    assert zlib.adler32(ZDICT) == 0x039F3FAD
