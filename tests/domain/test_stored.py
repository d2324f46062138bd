"""The log's stored state: compressed with summit's dictionary, every form read."""

from __future__ import annotations

import json
import random
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


# Sizes around each window's limit: the dictionary (939 bytes) and the state
# must lie within a window less the 262 bytes deflate cannot reach back.
@pytest.mark.parametrize(
    "size", [0, 1, 700, 2800, 2895, 2896, 3000, 3157, 6991, 6992, 15183, 15184, 20000]
)
def test_a_state_compressed_in_a_small_window_is_zlibs_own_bytes(size: int) -> None:
    # A short state is deflated in a small window: byte for byte what zlib's
    # default window (and header) makes; its end repeats the dictionary's
    # start, the farthest match there is (digits: no match nearer).
    digits = random.Random(size).choices(b"0123456789", k=size)  # compressible
    data = (bytes(digits[: max(0, size - 20)]) + ZDICT[:20])[:size]
    packer = zlib.compressobj(9 if size < 16_384 else 3, zdict=ZDICT)
    assert compress_state(data) == packer.compress(data) + packer.flush()
    assert plain_state(compress_state(data)) == data
