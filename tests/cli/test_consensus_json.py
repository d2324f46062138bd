"""`summit consensus --format json` writes a path's refs from each day's
joined text (`cli/render/formats.consensus_json`): the same bytes as
encoding the refs as lists, whatever the refs hold (an older store's refs
may hold what SPEC §2 now refuses), and whatever the rest of the view holds."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from cli.render.formats import consensus_json, to_json

# Refs as a store may hold them: never a space (the texts are joined by one),
# never empty (a day with none has no text), anything else.
REF = st.text(
    st.characters(blacklist_characters=" ", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=12,
)
SLUG = st.text(
    st.sampled_from('ab-"\\: \n\u0085é0123456789refs'), min_size=1, max_size=14
)


def view(negotiation: str, days: list[list[str]], texts: list[bool]) -> Any:
    """A consensus view whose steps hold their refs as lists or as texts."""
    path = [
        {
            "on": f"2025-06-{i + 10:02d}",
            "counts": {"supports": i, "unknown": 1},
            "refs": " ".join(refs) if as_text else refs,
        }
        for i, (refs, as_text) in enumerate(zip(days, texts, strict=False))
    ]
    return {"negotiation": negotiation, "proposal": "p", "holdouts": [], "path": path}


def listed(doc: Any) -> Any:
    steps = [
        {**s, "refs": s["refs"].split(" ") if s["refs"] else []}
        if isinstance(s["refs"], str)
        else s
        for s in doc["path"]
    ]
    return {**doc, "path": steps}


@given(
    SLUG,
    st.lists(st.lists(REF, max_size=5), max_size=6),
    st.lists(st.booleans(), min_size=6, max_size=6),
)
@example('x", "path": [{"refs": 0}]', [["a", "b"]], [True] * 6)
@example('"refs": 0', [["a\\b", 'c"d'], [], ["\x01", "\x7f", "é"]], [True] * 6)
@example("n", [[]], [True] * 6)
def test_the_joined_texts_are_written_as_the_lists_would_be(
    negotiation: str, days: list[list[str]], texts: list[bool]
) -> None:
    doc = view(negotiation, days, texts)
    written = consensus_json(doc)
    assert written == to_json(listed(doc))
    assert json.loads(written)["path"] == [
        {**s, "refs": refs} for s, refs in zip(listed(doc)["path"], days, strict=True)
    ]


def test_a_view_without_a_path_is_written_as_it_is() -> None:
    doc = {"negotiation": "n", "path": []}
    assert consensus_json(doc) == to_json(doc)
