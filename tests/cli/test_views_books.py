"""Catching up many negotiations in small batches: record books forgotten between
batches are read back (from the views' facts joined with the log, or, for the
audit's scratch recomputation, from the log itself) and give the same views."""

from __future__ import annotations

from typing import Any

import pytest

from tests.builders import corrected, opened, retracted, said, tabled


def _negotiation(slug: str) -> list[dict[str, Any]]:
    def on(record: dict[str, Any]) -> dict[str, Any]:
        return {**record, "negotiation": slug}

    return [
        on(opened()),
        on(tabled()),
        on(said("a", "GBR", "2025-06-10", "supports")),
        on(said("b", "GBR", "2025-06-01", "opposes")),
        on(said("c", "DEU", "2025-06-12", "supports")),
        on(retracted("r", "a")),
        on(said("d", "FRA", "2025-06-03", "supports")),
    ]


@pytest.mark.parametrize("bound", ["MAX_BOOKS", "MAX_ENTRIES"])
def test_views_and_audit_agree_when_books_are_forgotten_between_batches(
    summit: Any, monkeypatch: pytest.MonkeyPatch, bound: str
) -> None:
    from projections.tables import catchup

    monkeypatch.setattr(catchup, "BATCH", 2)
    # Either bound evicts: one book at most, or one record in all.
    monkeypatch.setattr(catchup.Derived, bound, 1)
    loads: list[str] = []
    load = catchup.Derived._load

    def counted(self: Any, negotiation: str) -> Any:
        loads.append(negotiation)
        return load(self, negotiation)

    monkeypatch.setattr(catchup.Derived, "_load", counted)
    # Interleaved, so each batch evicts the other negotiation's book.
    one, two = _negotiation("one"), _negotiation("two")
    for record in [r for pair in zip(one, two, strict=True) for r in pair]:
        summit.load([record])  # one write each: the log interleaves them
    summit.load([{**corrected("k", "c", {"summary": "Fixed."}), "negotiation": "two"}])
    stances = {s: summit.json("stance", s) for s in ("one", "two")}
    for s in ("one", "two"):
        allies = {a["ally"]: a for a in stances[s]["allies"]}
        assert allies["GBR"]["stance"] == "opposes"
        assert allies["GBR"]["since"] == "2025-06-01"
        assert allies["DEU"]["since"] == "2025-06-12"
    verified = summit.run("audit", "verify")
    assert verified.exit_code == 0, verified.stderr
    loads.clear()
    summit.ok("views", "rebuild")
    # One rebuild, in batches of 2: the books were evicted and read back.
    assert sorted(set(loads)) == ["one", "two"] and len(loads) > 2
    assert {s: summit.json("stance", s) for s in ("one", "two")} == stances
