"""`compact_encoder` writes exactly the text `json.JSONEncoder` writes with
the same options (the digests and stored states depend on it byte for byte)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.canonical import canonical_json, compact_encoder, json_string

ODD: list[Any] = [
    {"b": 1, "a": [1.5, -0.0, 1e300, 10**40, True, False, None]},
    {"x": float("nan"), "y": float("inf"), "z": float("-inf")},
    {"é": '\u2028 "quoted" \\ \x01 \t ☃ \U0001f600'},
    {1: "int key", None: "null key", 1.5: "float key", False: "bool key"},
    "a string alone",
    3.25,
    [],
    {},
]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=20,
)


def _std(sort_keys: bool, ascii: bool) -> Any:
    return json.JSONEncoder(
        sort_keys=sort_keys, separators=(",", ":"), ensure_ascii=ascii
    ).encode


@pytest.mark.parametrize("sort_keys", [True, False])
@pytest.mark.parametrize("ascii", [True, False])
def test_odd_values_are_written_as_the_standard_encoder_writes_them(
    sort_keys: bool, ascii: bool
) -> None:
    encode = compact_encoder(sort_keys=sort_keys, ascii=ascii)
    for value in ODD:
        if sort_keys and isinstance(value, dict) and 1 in value:
            continue  # keys of mixed types do not sort, in either
        assert encode(value) == _std(sort_keys, ascii)(value)


@given(JSON)
def test_any_json_value_is_written_as_the_standard_encoder_writes_it(
    value: Any,
) -> None:
    assert canonical_json(value) == _std(True, False)(value)
    assert compact_encoder(sort_keys=False)(value) == _std(False, False)(value)


def test_what_json_cannot_write_is_refused_as_before() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        canonical_json({"a": object()})
    assert json_string('a "b"') == '"a \\"b\\""'
