"""The JSON Lines interchange format (SPEC §2) as pydantic models.

`parse_record` turns one decoded JSON object into a normalised record: a plain
dict with defaults filled in and absent optionals dropped (a null is absent:
`fields.Defaulted`), which is what the log stores, what `export` writes and
what idempotent re-imports compare.
`exported` is one output line (`domain.jsonlines` reads JSON Lines input).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    model_validator,
)

from domain.canonical import merge_changes
from domain.errors import InvalidRecord, Problem
from domain.fields import (
    Actor,
    Defaulted,
    IsoDate,
    PartiesOrNato,
    Party,
    Pct,
    Share,
    SignatoriesOrAll,
    Slug,
    Text,
    Year,
)
from domain.vocabulary import (
    RECORD_EVENT_TYPES,
    RECORD_TYPES,
    Basis,
    Firmness,
    Metric,
    Reliability,
    Rule,
    Stance,
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, frozen=True)


class Source(_Model):
    """Where a fact comes from, and how far it can be trusted."""

    outlet: Text | None = None
    url: Text | None = None
    published_on: IsoDate | None = None
    reliability: Defaulted[Reliability] = "reported"

    @model_validator(mode="after")
    def _outlet_or_url(self) -> Source:
        if self.outlet is None and self.url is None:
            raise ValueError("needs at least one of outlet and url")
        return self


class Target(_Model):
    metric: Metric
    pct_gdp: Pct
    by_year: Year


def _one_target_each(targets: list[Target]) -> list[Target]:
    seen: set[tuple[str, int]] = set()
    for target in targets:
        key = (target.metric, target.by_year)
        if key in seen:
            raise ValueError(
                f"two targets for {target.metric} by {target.by_year} "
                "(one target per metric and year)"
            )
        seen.add(key)
    return targets


Targets = Annotated[list[Target], Field(min_length=1), AfterValidator(_one_target_each)]


class Position(_Model):
    proposal: Slug
    stance: Stance
    conditions: Text | None = None


class _Record(_Model):
    negotiation: Slug
    ref: Slug | None = None
    source: Source | None = None
    note: Text | None = None


class _WorldRecord(_Record):
    occurred_on: IsoDate


class NegotiationOpened(_WorldRecord):
    type: Literal["negotiation.opened"]
    title: Text
    summit_on: IsoDate
    venue: Text
    parties: PartiesOrNato
    rule: Defaulted[Rule] = "consensus"


class ProposalTabled(_WorldRecord):
    type: Literal["proposal.tabled"]
    proposal: Slug
    by: Actor
    title: Text
    targets: Targets


class ProposalRevised(_WorldRecord):
    type: Literal["proposal.revised"]
    proposal: Slug
    targets: Targets
    reason: Text


class StatementMade(_WorldRecord):
    type: Literal["statement.made"]
    source: Source
    actor: Actor
    speaker: Text
    role: Text | None = None
    venue: Text | None = None
    quote: Text | None = None
    summary: Text | None = None
    position: Position | None = None


class PledgeMade(_WorldRecord):
    type: Literal["pledge.made"]
    source: Source
    actor: Party
    metric: Metric
    pct_gdp: Pct
    by_year: Year
    firmness: Defaulted[Firmness] = "commitment"


class SignoffRecorded(_WorldRecord):
    type: Literal["signoff.recorded"]
    source: Source
    body: Text
    document: Text
    signatories: SignatoriesOrAll
    classified: Defaulted[StrictBool] = False
    summary: Text | None = None
    proposal: Slug | None = None
    reservations: dict[Party, Text] | None = None


class SpendingReported(_WorldRecord):
    """A published figure of a party's spending in one year (`occurred_on`:
    the day it was published)."""

    type: Literal["spending.reported"]
    source: Source
    actor: Party
    metric: Metric
    year: Year
    pct_gdp: Share
    basis: Defaulted[Basis] = "estimate"


class RecordRetracted(_Record):
    type: Literal["record.retracted"]
    target: Slug
    reason: Text


class RecordCorrected(_Record):
    type: Literal["record.corrected"]
    target: Slug
    changes: dict[str, Any]
    reason: Text

    @model_validator(mode="after")
    def _some_changes(self) -> RecordCorrected:
        if not self.changes:
            raise ValueError("changes must name at least one field")
        return self


MODELS: dict[str, type[_Model]] = {
    "negotiation.opened": NegotiationOpened,
    "proposal.tabled": ProposalTabled,
    "proposal.revised": ProposalRevised,
    "statement.made": StatementMade,
    "pledge.made": PledgeMade,
    "signoff.recorded": SignoffRecorded,
    "spending.reported": SpendingReported,
    "record.retracted": RecordRetracted,
    "record.corrected": RecordCorrected,
}

# Fields that a correction may never change, whatever the target type.
FROZEN_FIELDS = frozenset({"type", "negotiation", "ref"})

# Each type's validator, called straight (as its serializer in `normalise`:
# `TypeAdapter` and `model_dump` wrap them in Python that costs a microsecond
# a record).
_VALIDATORS = {name: model.__pydantic_validator__ for name, model in MODELS.items()}


def _field_name(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


# pydantic's words for a wrong type, in ours.
_TYPE_WORDS = {
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
    "list_type": "must be a list",
    "string_type": "must be text",
    "int_type": "must be an integer",
    "int_from_float": "must be an integer",
    "bool_type": "must be true or false",
}


def _problems(error: ValidationError, prefix: str = "") -> list[Problem]:
    problems = []
    for e in error.errors(include_url=False):
        loc = tuple(x for x in e["loc"] if not str(x).startswith(("function-", "lax-")))
        field = _field_name(loc)
        if prefix:
            field = f"{prefix}.{field}" if field else prefix
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "unknown field"
        elif e["type"] == "missing":
            msg = "is required"
        elif e["input"] is None and loc and isinstance(loc[-1], str):
            msg = "is required (null means absent)"  # a field, not a list item
        elif msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        else:
            msg = _TYPE_WORDS.get(e["type"], msg).replace("Input should be", "must be")
        problems.append(Problem(field, msg))
    # A union reports the same field once per branch; keep the first of each.
    unique: dict[str, Problem] = {}
    for p in problems:
        unique.setdefault(p.field, p)
    return list(unique.values())


def record_problems(data: Any) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Validate one decoded JSON value; return (normalised record, problems)."""
    if not isinstance(data, dict):
        return None, [Problem("", "expected a JSON object")]
    if "_recorded" in data:  # an export's read-only field
        data = {k: v for k, v in data.items() if k != "_recorded"}
    kind = data.get("type")
    if kind is None:
        return None, [Problem("type", "is required")]
    if kind not in MODELS:
        return None, [
            Problem(
                "type",
                f"unknown event type {kind!r} (expected one of "
                f"{', '.join(RECORD_TYPES)})",
            )
        ]
    if kind in RECORD_EVENT_TYPES and "occurred_on" in data:
        if data["occurred_on"] is None:  # null is absent: as if not given
            return record_problems(
                {k: v for k, v in data.items() if k != "occurred_on"}
            )
        problem = Problem(
            "occurred_on", f"{kind} is a fact about the record and has no occurred_on"
        )
        rest = {k: v for k, v in data.items() if k != "occurred_on"}
        _, others = record_problems(rest)
        return None, [problem, *others]
    try:
        model = _VALIDATORS[kind].validate_python(data)
    except ValidationError as e:
        return None, _problems(e)
    return normalise(model), []


def normalise(model: BaseModel) -> dict[str, Any]:
    """The stored form: `type` first, defaults filled in, absent optionals dropped."""
    serializer = model.__pydantic_serializer__
    dumped = serializer.to_python(model, mode="json", exclude_none=True)
    return {k: dumped[k] for k in _order(type(model)) if k in dumped}


_LEADING = ("type", "negotiation", "ref", "occurred_on")
_TRAILING = ("source", "note")
_ORDERS: dict[type[BaseModel], tuple[str, ...]] = {}


def _order(model: type[BaseModel]) -> tuple[str, ...]:
    """A model's fields in stored order: the leading ones, the model's own
    (in its order), the trailing ones."""
    if model not in _ORDERS:
        fields = list(model.model_fields)
        middle = [k for k in fields if k not in (*_LEADING, *_TRAILING)]
        ends = [[k for k in keys if k in fields] for keys in (_LEADING, _TRAILING)]
        _ORDERS[model] = (*ends[0], *middle, *ends[1])
    return _ORDERS[model]


def parse_record(data: Any) -> dict[str, Any]:
    """Validate one record or raise InvalidRecord naming the first field at fault."""
    record, problems = record_problems(data)
    if problems:
        raise InvalidRecord(problems[0].field, problems[0].reason)
    assert record is not None
    return record


def apply_changes(
    target: dict[str, Any], changes: dict[str, Any]
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The target record with a correction's changes applied, re-validated whole."""
    kind = target["type"]
    model = MODELS[kind]
    problems: list[Problem] = []
    for name in changes:
        if name in FROZEN_FIELDS or (kind == "proposal.tabled" and name == "proposal"):
            problems.append(
                Problem(f"changes.{name}", f"cannot be corrected on {kind}")
            )
        elif name not in model.model_fields or name == "_recorded":
            problems.append(Problem(f"changes.{name}", f"{kind} has no such field"))
    if problems:
        return None, problems
    record, problems = record_problems(merge_changes(target, changes))
    return record, [Problem(f"changes.{p.field}", p.reason) for p in problems]


# -- JSON Lines in and out ------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One parsed input record and the line it came from."""

    number: int
    record: dict[str, Any]


def exported(record: dict[str, Any], recorded: dict[str, Any] | None = None) -> str:
    """One output line: the record, and its read-only `_recorded` (at, by, position)."""
    line = dict(record)
    if recorded is not None:
        line["_recorded"] = recorded
    return json.dumps(line, ensure_ascii=False) + "\n"
