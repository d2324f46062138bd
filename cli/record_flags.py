"""Turning `summit record` flags into interchange records, and storing one.

The options every event type shares, the parsing of list-like flags, and the
one path by which a flag-built or --json record is validated and stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import click

from domain.vocabulary import RELIABILITIES

F = TypeVar("F", bound=Callable[..., Any])

# Interchange field -> the flag that sets it, for error messages.
FLAGS = {
    "occurred_on": "--on",
    "pct_gdp": "--pct",
    "by_year": "--by-year",
    "summit_on": "--summit-on",
    "negotiation": "--negotiation",
    "targets": "--target",
    "reservations": "--reservation",
    "position.stance": "--stance",
    "position.proposal": "--proposal",
    "position.conditions": "--conditions",
    "source": "--outlet or --url",
    "target": "REF",
    "source.outlet": "--outlet",
    "source.url": "--url",
    "source.published_on": "--published-on",
    "source.reliability": "--reliability",
}


def _flag(field: str) -> str:
    if field.startswith("changes."):  # record correct --set FIELD=VALUE
        return f"--set {field.removeprefix('changes.')}"
    if field in FLAGS:
        return FLAGS[field]
    head = field.split(".")[0].split("[")[0]
    return FLAGS.get(head, "--" + head.replace("_", "-"))


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def store_one(obj: Any, record: dict[str, Any], *, from_flags: bool = True) -> None:
    """Validate one record against the interchange format and the log; print its ref."""
    from domain.errors import InvalidInput
    from domain.interchange import Line, record_problems

    parsed, problems = record_problems(record)
    try:
        if problems:
            raise InvalidInput([p.__class__(p.field, p.reason, 1) for p in problems])
        assert parsed is not None
        report = obj.app(write=True).record_lines([Line(1, parsed)], obj.by)
    except InvalidInput as e:
        if not from_flags:
            raise
        first = e.problems[0]
        reason = first.reason
        if first.field == "source":  # there is no --source flag
            reason = f"the source {reason}"
        raise click.UsageError(f"{_flag(first.field)}: {reason}") from None
    obj.after_write()  # also when stored before: a killed run's views
    if report.stored:
        click.echo(report.stored[0])
    else:
        click.echo(report.skipped[0])
        click.echo("already recorded with identical content; nothing stored", err=True)


def common(f: F) -> F:
    """Options every world event takes: negotiation, ref, date, note, source."""
    options = [
        click.option(
            "--negotiation",
            "-n",
            envvar="SUMMIT_NEGOTIATION",
            required=True,
            metavar="SLUG",
            help="The negotiation (env SUMMIT_NEGOTIATION).",
        ),
        click.option("--ref", metavar="REF", help="Your ref (default: derived)."),
        click.option(
            "--on", "occurred_on", required=True, metavar="DATE", help="Occurred on."
        ),
        click.option("--note", help="Free-text note (e.g. how a date was inferred)."),
        click.option("--outlet", help="Source: outlet name."),
        click.option("--url", help="Source: URL."),
        click.option("--published-on", metavar="DATE", help="Source: publication."),
        click.option(
            "--reliability",
            type=click.Choice(RELIABILITIES),
            help="Source reliability (default: reported).",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def world_record(kind: str, kw: dict[str, Any]) -> dict[str, Any]:
    source = _drop_none(
        {
            "outlet": kw.pop("outlet", None),
            "url": kw.pop("url", None),
            "published_on": kw.pop("published_on", None),
            "reliability": kw.pop("reliability", None),
        }
    )
    record = {
        "type": kind,
        "negotiation": kw.pop("negotiation"),
        "ref": kw.pop("ref", None),
        "occurred_on": kw.pop("occurred_on", None),
        **kw,
    }
    if source:
        record["source"] = source
    return _drop_none(record)


def _codes(value: str) -> list[str] | str:
    return [c.strip().upper() for c in value.split(",") if c.strip()]


def _target(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> Any:
    targets = []
    for value in values:
        parts = value.split(":")
        if len(parts) != 3:
            raise click.BadParameter(
                f"'{value}' is not METRIC:PCT:YEAR (e.g. core_defence:3.5:2035)"
            )
        metric, pct, year = parts
        try:
            targets.append(
                {"metric": metric, "pct_gdp": float(pct), "by_year": int(year)}
            )
        except ValueError:
            raise click.BadParameter(
                f"'{value}': PCT must be a number and YEAR an integer"
            ) from None
    return targets


def target_option(help: str) -> Callable[[F], F]:
    """--target METRIC:PCT:YEAR, repeatable and required."""
    return click.option(
        "--target",
        "targets",
        multiple=True,
        required=True,
        callback=_target,
        metavar="METRIC:PCT:YEAR",
        help=help,
    )


def record_json(obj: Any, json_text: str) -> None:
    """`record --json`: one record, or JSON Lines from stdin with '-'."""
    if json_text == "-":
        _record_stdin(obj)
        return
    from domain.errors import InvalidInput
    from domain.jsonlines import decode_json

    data, problems = decode_json(json_text)
    try:
        if problems:
            raise InvalidInput(problems)
        store_one(obj, data, from_flags=False)
    except InvalidInput as e:
        every = "; ".join(str(p) for p in e.problems)
        raise click.BadParameter(every, param_hint="--json") from None


def _record_stdin(obj: Any) -> None:
    """JSON Lines from standard input, stored whole or not at all; prints refs."""
    import io

    from cli.files import stdin_bytes
    from domain.errors import UsageError
    from domain.jsonlines import parse_lines

    data = stdin_bytes()
    report = obj.app(write=True).record_lines(
        lambda: parse_lines(io.BytesIO(data), "-"), obj.by
    )
    if not report.stored and not report.skipped:
        raise UsageError(
            "nothing to record: standard input holds no event "
            "(give a subcommand, --json JSON, or pipe JSON Lines)"
        )
    obj.after_write()
    for ref in report.stored + report.skipped:
        click.echo(ref)


def position(
    proposal: str | None, stance: str | None, conditions: str | None
) -> dict[str, Any] | None:
    """A statement's position from its three flags (None when not given)."""
    if (proposal is None) != (stance is None):
        raise click.UsageError("--proposal and --stance go together")
    if conditions is not None and proposal is None:
        raise click.UsageError("--conditions needs --proposal and --stance")
    if proposal is None:
        return None
    return _drop_none(
        {"proposal": proposal, "stance": stance, "conditions": conditions}
    )


def parties(value: str, keyword: str) -> list[str] | str:
    """`keyword` (e.g. "nato", "all") as given, or comma-separated codes."""
    return keyword if value.strip().lower() == keyword else _codes(value)


def reservations(items: tuple[str, ...]) -> dict[str, str] | None:
    """`CODE=TEXT` flags as a dict (None when there are none)."""
    if not items:
        return None
    parsed = {}
    for item in items:
        code, sep, text = item.partition("=")
        if not sep:
            raise click.BadParameter(
                f"'{item}' is not CODE=TEXT", param_hint="--reservation"
            )
        parsed[code.strip().upper()] = text
    return parsed


def about_record(
    kind: str, slug: str, target: str, kw: dict[str, Any]
) -> dict[str, Any]:
    """A retraction or correction of `target` in the negotiation `slug`."""
    return _drop_none({"type": kind, "negotiation": slug, "target": target, **kw})


def parse_set(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> Any:
    changes: dict[str, Any] = {}
    for item in values:
        name, sep, text = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"'{item}' is not FIELD=VALUE")
        try:
            changes[name] = json.loads(text)
        except json.JSONDecodeError:
            changes[name] = text
    return changes


def about_options(f: F) -> F:
    f = click.option("--note", help="Free-text note.")(f)
    f = click.option("--ref", metavar="REF", help="Your ref for this event.")(f)
    f = click.option("--reason", required=True, help="Why (kept in the log).")(f)
    return click.option(
        "--negotiation",
        "-n",
        envvar="SUMMIT_NEGOTIATION",
        metavar="SLUG",
        help="Where REF is (default: the one negotiation that has it).",
    )(f)
