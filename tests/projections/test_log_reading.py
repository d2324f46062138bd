"""A catch-up reads a large batch of the log's states with pydantic-core's JSON
reader: it must read exactly what the standard library reads, and refuse
(send to eventsourcing, which names the damage) exactly what it refuses."""

from __future__ import annotations

import zlib

import pytest

from domain.stored import compress_state, recorded_state
from projections.log import FAST_JSON_ROWS, _fast_json, _plain_entry, _std_json

RECORDS = [
    {"type": "negotiation.opened", "negotiation": "n", "ref": "opened", "x": 1},
    {"type": "statement.made", "negotiation": "n", "ref": "s-1", "quote": "é ☃ \t"},
    {"type": "pledge.made", "negotiation": "n", "ref": "p", "pct_gdp": 3.5},
    {"type": "pledge.made", "negotiation": "n", "ref": "q", "pct_gdp": 0.1 + 0.2},
    {"type": "x", "negotiation": "n", "ref": "r", "big": 10**30, "n": None},
    {"type": "x", "negotiation": "n", "ref": "r", "list": [{"a": [1, -0.0]}]},
]
AT = "2025-06-24T10:11:12.123456+00:00"


def _states() -> list[bytes]:
    states = [compress_state(recorded_state(AT, r, "who", "ab" * 32)) for r in RECORDS]
    plain = recorded_state(AT, RECORDS[0], "who", "ab" * 32)
    return [
        *states,
        plain,  # a store written before compression
        zlib.compress(plain),  # an encrypted store's form, before the dictionary
        plain + b" x",  # more than one value
        plain + b"  ",  # trailing blanks
        b"{\xff}",  # not UTF-8
        b'{"timestamp": 1}',  # not an event's state
        b"[1, 2]",
        b'{"timestamp":{"_type_":"datetime_iso","_data_":"' + AT.encode() + b'"}}',
        plain.replace(b'"who"', b'"\\ud800"'),  # a lone surrogate
    ]


def test_a_large_batch_is_read_by_pydantic_core() -> None:
    from pydantic_core import from_json

    assert _fast_json(FAST_JSON_ROWS) is from_json


@pytest.mark.parametrize("index", range(len(_states())))
def test_both_readers_give_the_same_entry_or_refuse_it(index: int) -> None:
    state = _states()[index]
    fast = _plain_entry(7, 3, state, _fast_json(FAST_JSON_ROWS))
    slow = _plain_entry(7, 3, state, _std_json)
    if index < len(RECORDS) + 2:  # summit's states, in every stored form
        assert fast is not None and fast.record in RECORDS
    if fast is not None and slow is not None:
        assert repr(fast) == repr(slow)  # types too: 1 is not 1.0, -0.0 not 0
    elif fast is not None:  # only trailing blanks, which JSON allows
        assert state.endswith(b"  ")
        assert repr(fast) == repr(_plain_entry(7, 3, state.rstrip(), _std_json))
