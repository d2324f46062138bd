"""SPEC §2: `null` in an optional field means the field is absent.

A null takes the field's default, so the stored record, its canonical form and
its fingerprint are those of the record without the key; a null in a required
field is refused as "is required", naming the field. In a correction's
`changes`, null removes the field: a defaulted field goes back to its default.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from domain.canonical import canonical_json
from domain.entry import fingerprint
from domain.interchange import (
    MODELS,
    Position,
    Source,
    Target,
    _Model,
    parse_record,
    record_problems,
)
from domain.negotiation import Negotiation
from tests.builders import (
    corrected,
    opened,
    pledged,
    retracted,
    revised,
    said,
    signed,
    spent,
    tabled,
)

# One valid record of each type, with every optional field given (so that a
# null can stand in for each of them).
FULL_SOURCE = {
    "outlet": "Wire",
    "url": "https://example.org/1",
    "published_on": "2025-01-02",
    "reliability": "official",
}
EXAMPLES: dict[str, dict[str, Any]] = {
    "negotiation.opened": opened(rule="consensus", note="n", source=FULL_SOURCE),
    "proposal.tabled": tabled(note="n", source=FULL_SOURCE),
    "proposal.revised": revised(
        [{"metric": "core_defence", "pct_gdp": 3, "by_year": 2035}],
        ref="rev",
        occurred_on="2025-06-02",
    ),
    "statement.made": said(
        "s",
        "GBR",
        "2025-06-01",
        None,
        role="Minister",
        venue="Brussels",
        quote="We will.",
        summary="Will.",
        position={"proposal": "p5", "stance": "supports", "conditions": "if"},
        source=FULL_SOURCE,
    ),
    "pledge.made": pledged("p", "GBR", "2025-06-01", 3, 2030, firmness="ambition"),
    "signoff.recorded": signed(
        "x", "2025-06-25", summary="s", classified=True, reservations={"GBR": "r"}
    ),
    "spending.reported": spent("sp", "GBR", 2024, 2.1, "2025-03-01", basis="actual"),
    "record.retracted": retracted("r", "s", note="n"),
    "record.corrected": corrected("c", "p", {"pct_gdp": 2}, note="n"),
}
# Where each nested model sits in an example.
NESTED: dict[type[BaseModel], tuple[str, str]] = {
    Source: ("statement.made", "source"),
    Position: ("statement.made", "position"),
    Target: ("proposal.tabled", "targets"),
}


def _concrete_models() -> set[type[BaseModel]]:
    found: set[type[BaseModel]] = set()
    todo = list(_Model.__subclasses__())
    while todo:
        model = todo.pop()
        todo.extend(model.__subclasses__())
        if not model.__name__.startswith("_"):
            found.add(model)
    return found


def test_every_model_has_an_example() -> None:
    """The cases below cover every model, so a new one cannot slip past them."""
    assert _concrete_models() == {*MODELS.values(), *NESTED}


def _with(record: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A copy of `record` with the field at `path` set to `value` (or removed
    when `value` is `...`); a list on the way is entered at its first item."""
    copy = dict(record)
    head, *rest = path
    if rest:
        inner = copy[head]
        if isinstance(inner, list):
            copy[head] = [_with(inner[0], tuple(rest), value), *inner[1:]]
        else:
            copy[head] = _with(inner, tuple(rest), value)
    elif value is ...:
        copy.pop(head, None)
    else:
        copy[head] = value
    return copy


def _fields(required: bool) -> list[Any]:
    """(type, path) of every field of every model that is (not) required."""
    cases = []
    for kind, model in MODELS.items():
        for name, info in model.model_fields.items():
            if info.is_required() == required and name != "type":
                cases.append(pytest.param(kind, (name,), id=f"{kind}:{name}"))
    for model, (kind, at) in NESTED.items():
        for name, info in model.model_fields.items():
            if info.is_required() == required:
                cases.append(pytest.param(kind, (at, name), id=f"{kind}:{at}.{name}"))
    return cases


def test_the_examples_are_valid() -> None:
    for kind, record in EXAMPLES.items():
        assert record_problems(record)[1] == [], kind


@pytest.mark.parametrize(("kind", "path"), _fields(required=False))
def test_null_in_any_optional_field_is_the_record_without_it(
    kind: str, path: tuple[str, ...]
) -> None:
    with_null = parse_record(_with(EXAMPLES[kind], path, None))
    without = parse_record(_with(EXAMPLES[kind], path, ...))
    assert with_null == without
    assert canonical_json(with_null) == canonical_json(without)


@pytest.mark.parametrize(
    ("record", "field", "default"),
    [
        (opened(rule=None), "rule", "consensus"),
        (
            pledged("p", "GBR", "2025-06-01", 3, 2030, firmness=None),
            "firmness",
            "commitment",
        ),
        (signed("x", "2025-06-25", classified=None), "classified", False),
        (spent("sp", "GBR", 2024, 2.1, "2025-03-01", basis=None), "basis", "estimate"),
    ],
)
def test_null_in_a_defaulted_field_takes_the_default(
    record: dict[str, Any], field: str, default: Any
) -> None:
    parsed = parse_record(record)
    assert parsed[field] == default
    without = {k: v for k, v in record.items() if k != field}
    assert fingerprint(canonical_json(parsed).encode()) == fingerprint(
        canonical_json(parse_record(without)).encode()
    )


def test_null_reliability_of_a_source_is_reported() -> None:
    source = {"outlet": "Wire", "reliability": None}
    parsed = parse_record(said("s", "GBR", "2025-06-01", None, source=source))
    assert parsed["source"] == {"outlet": "Wire", "reliability": "reported"}


@pytest.mark.parametrize(("kind", "path"), _fields(required=True))
def test_null_in_a_required_field_is_refused_naming_it(
    kind: str, path: tuple[str, ...]
) -> None:
    record = _with(EXAMPLES[kind], path, None)
    _, problems = record_problems(record)
    field = ".".join(path).replace("targets.", "targets[0].")
    assert [(p.field, p.reason) for p in problems] == [
        (field, "is required (null means absent)")
    ]


@pytest.mark.parametrize(
    "record",
    [retracted("r", "s"), corrected("c", "s", {"summary": "fixed"})],
    ids=["retraction", "correction"],
)
def test_a_null_occurred_on_of_a_record_event_is_the_field_left_out(
    record: dict[str, Any],
) -> None:
    # A retraction or correction has no occurred_on: given, it is refused;
    # given as null, it is absent, as SPEC §2 reads null.
    assert record_problems({**record, "occurred_on": None}) == record_problems(record)
    _, given = record_problems({**record, "occurred_on": "2025-06-01"})
    assert [p.field for p in given] == ["occurred_on"]


def test_null_type_is_refused_as_required() -> None:
    _, problems = record_problems({**opened(), "type": None})
    assert [(p.field, p.reason) for p in problems] == [("type", "is required")]


def _negotiation(*records: dict[str, Any]) -> Negotiation:
    agg = Negotiation.open(parse_record(opened()), "tester")
    for r in records:
        agg.record(parse_record(r), "tester")
    return agg


def test_a_correction_nulling_a_defaulted_field_restores_its_default() -> None:
    """In `changes`, null removes the field: firmness and a source's reliability
    go back to their defaults, and the stored changes say so."""
    agg = _negotiation(pledged("p", "GBR", "2025-06-01", 3, 2030, firmness="ambition"))
    source = {"outlet": "Wire", "reliability": None}
    correction = corrected("c", "p", {"firmness": None, "source": source})
    assert agg.problems(parse_record(correction)) == []
    agg.record(parse_record(correction), "tester")
    assert agg.book.entries["c"].record["changes"] == {
        "firmness": "commitment",
        "source": {"outlet": "Wire", "reliability": "reported"},
    }
    now = agg.book.entries["p"].record
    assert now["firmness"] == "commitment"
    assert now["source"] == {"outlet": "Wire", "reliability": "reported"}


def test_a_correction_cannot_null_a_required_field() -> None:
    agg = _negotiation(pledged("p", "GBR", "2025-06-01", 3, 2030))
    problems = agg.problems(parse_record(corrected("c", "p", {"pct_gdp": None})))
    assert [(p.field, p.reason) for p in problems] == [
        ("changes.pct_gdp", "is required")
    ]
