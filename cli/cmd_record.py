"""`summit record`: one event from flags, or from --json in the interchange format."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from domain.vocabulary import FIRMNESS, METRICS, RELIABILITIES, STANCES

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
    "source.outlet": "--outlet",
    "source.url": "--url",
    "source.published_on": "--published-on",
    "source.reliability": "--reliability",
}


def _flag(field: str) -> str:
    if field in FLAGS:
        return FLAGS[field]
    head = field.split(".")[0].split("[")[0]
    return FLAGS.get(head, "--" + head.replace("_", "-"))


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def store_one(obj: Any, record: dict[str, Any], *, from_flags: bool = True) -> None:
    """Validate one record against the interchange format and the log; print its ref."""
    from domain.application import Line
    from domain.errors import InvalidInput
    from domain.interchange import record_problems

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
        raise click.UsageError(f"{_flag(first.field)}: {first.reason}") from None
    if report.stored:
        obj.reader.after_write()
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


def _base(kind: str, kw: dict[str, Any]) -> dict[str, Any]:
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


@click.group(invoke_without_command=True)
@click.option(
    "--json",
    "json_text",
    metavar="JSON|-",
    help="One event in the interchange format ('-' reads JSON Lines from stdin).",
)
@click.pass_context
def record(ctx: click.Context, json_text: str | None) -> None:
    """Record one event: a subcommand per event type, or --json.

    Prints the event's ref. Retractions and corrections never change the
    target: they are new events, and the log keeps both.

    \b
    Example:
      summit record statement -n hague-2025 --on 2025-06-10 --actor ESP \\
        --speaker "Pedro Sánchez" --proposal defence-investment-5pct \\
        --stance opposes --outlet Reuters --reliability on-record
      summit record --json '{"type": "pledge.made", ...}'
    """
    if ctx.invoked_subcommand is not None:
        return
    if json_text is None:
        click.echo(ctx.get_help())
        return
    obj = ctx.obj
    if json_text == "-":
        from cli.cmd_import import parse_lines

        lines = list(parse_lines(sys.stdin, "-"))
        report = obj.app(write=True).record_lines(lines, obj.by)
        obj.reader.after_write()
        for ref in report.stored + report.skipped:
            click.echo(ref)
        return
    try:
        data = json.loads(json_text)
    except json.JSONDecodeError as e:
        raise click.BadParameter(
            f"not valid JSON ({e.msg})", param_hint="--json"
        ) from None
    from domain.errors import InvalidInput

    try:
        store_one(obj, data, from_flags=False)
    except InvalidInput as e:
        first = e.problems[0]
        raise click.BadParameter(
            f"{first.field}: {first.reason}", param_hint="--json"
        ) from None


@record.command("open")
@common
@click.option("--title", required=True)
@click.option("--summit-on", required=True, metavar="DATE")
@click.option("--venue", required=True)
@click.option(
    "--parties",
    required=True,
    metavar="nato|CODES",
    help='"nato" (every ally on the summit date) or comma-separated codes.',
)
@click.pass_obj
def open_(obj: Any, parties: str, **kw: Any) -> None:
    """Open a negotiation (once).

    \b
    Example:
      summit record open -n hague-2025 --on 2025-06-03 --title "5% pledge" \\
        --summit-on 2025-06-24 --venue "The Hague" --parties nato --outlet NATO
    """
    kw["parties"] = "nato" if parties.strip().lower() == "nato" else _codes(parties)
    store_one(obj, _base("negotiation.opened", kw))


@record.command("propose")
@common
@click.argument("proposal")
@click.option("--by", "by_", required=True, metavar="CODE", help="Party or NATO/EU.")
@click.option("--title", required=True)
@click.option(
    "--target",
    "targets",
    multiple=True,
    required=True,
    callback=_target,
    metavar="METRIC:PCT:YEAR",
    help="Repeatable, e.g. core_defence:3.5:2035.",
)
@click.pass_obj
def propose(obj: Any, proposal: str, by_: str, **kw: Any) -> None:
    """Table a proposal with its targets.

    \b
    Example:
      summit record propose defence-investment-5pct -n hague-2025 --on 2025-06-09 \\
        --by NATO --title "5% of GDP" --target core_defence:3.5:2035 \\
        --target defence_related:1.5:2035 --outlet NATO
    """
    store_one(obj, _base("proposal.tabled", {"proposal": proposal, "by": by_, **kw}))


@record.command("revise")
@common
@click.argument("proposal")
@click.option(
    "--target",
    "targets",
    multiple=True,
    required=True,
    callback=_target,
    metavar="METRIC:PCT:YEAR",
    help="The complete new list of targets (repeatable).",
)
@click.option("--reason", required=True)
@click.pass_obj
def revise(obj: Any, proposal: str, **kw: Any) -> None:
    """Replace a proposal's targets.

    \b
    Example:
      summit record revise defence-investment-5pct -n hague-2025 --on 2025-06-20 \\
        --target core_defence:3.5:2035 --reason "deadline moved" --outlet NATO
    """
    store_one(obj, _base("proposal.revised", {"proposal": proposal, **kw}))


@record.command("statement")
@common
@click.option("--actor", required=True, metavar="CODE", help="Party or NATO/EU.")
@click.option("--speaker", required=True)
@click.option("--role")
@click.option("--venue")
@click.option("--quote")
@click.option("--summary")
@click.option("--proposal", metavar="SLUG", help="Position: on which proposal.")
@click.option(
    "--stance",
    type=click.Choice(STANCES),
    help="Position: the stance taken (needs --proposal).",
)
@click.option("--conditions", help="Position: conditions attached.")
@click.pass_obj
def statement(
    obj: Any,
    proposal: str | None,
    stance: str | None,
    conditions: str | None,
    **kw: Any,
) -> None:
    """Record what someone said, and the position it shows, if any.

    \b
    Example:
      summit record statement -n hague-2025 --on 2025-06-10 --actor GBR \\
        --speaker "Keir Starmer" --quote "..." --proposal defence-investment-5pct \\
        --stance conditional --conditions "laggards first" --outlet BBC
    """
    if (proposal is None) != (stance is None):
        raise click.UsageError("--proposal and --stance go together")
    if conditions is not None and proposal is None:
        raise click.UsageError("--conditions needs --proposal and --stance")
    if proposal is not None:
        kw["position"] = _drop_none(
            {"proposal": proposal, "stance": stance, "conditions": conditions}
        )
    kw["actor"] = kw["actor"].upper()
    store_one(obj, _base("statement.made", kw))


@record.command("pledge")
@common
@click.option("--actor", required=True, metavar="CODE")
@click.option(
    "--metric",
    required=True,
    type=click.Choice(METRICS),
)
@click.option("--pct", "pct_gdp", required=True, type=float, help="Share of GDP, %.")
@click.option("--by-year", required=True, type=int)
@click.option(
    "--firmness",
    type=click.Choice(FIRMNESS),
    default="commitment",
    show_default=True,
)
@click.pass_obj
def pledge(obj: Any, **kw: Any) -> None:
    """Record a party's numeric commitment.

    \b
    Example:
      summit record pledge -n hague-2025 --on 2025-02-25 --actor GBR \\
        --metric core_defence --pct 2.5 --by-year 2027 --outlet "UK Government"
    """
    kw["actor"] = kw["actor"].upper()
    store_one(obj, _base("pledge.made", kw))


@record.command("signoff")
@common
@click.option("--body", required=True)
@click.option("--document", required=True)
@click.option(
    "--signatories", required=True, metavar="all|CODES", help="all, or A,B,C."
)
@click.option("--classified", is_flag=True)
@click.option("--summary")
@click.option("--proposal", metavar="SLUG", help="The proposal it adopts, if any.")
@click.option(
    "--reservation",
    "reservations",
    multiple=True,
    metavar="CODE=TEXT",
    help="A signatory's reservation (repeatable).",
)
@click.pass_obj
def signoff(
    obj: Any, signatories: str, reservations: tuple[str, ...], **kw: Any
) -> None:
    """Record a formal adoption by a body, with its signatories.

    \b
    Example:
      summit record signoff -n hague-2025 --on 2025-06-25 --body "Heads of State" \\
        --document "Hague Summit Declaration" --signatories all \\
        --proposal defence-investment-5pct --reservation ESP="flexibility" \\
        --outlet NATO --reliability official
    """
    kw["signatories"] = (
        "all" if signatories.strip().lower() == "all" else _codes(signatories)
    )
    if reservations:
        parsed = {}
        for item in reservations:
            code, sep, text = item.partition("=")
            if not sep:
                raise click.BadParameter(
                    f"'{item}' is not CODE=TEXT", param_hint="--reservation"
                )
            parsed[code.strip().upper()] = text
        kw["reservations"] = parsed
    store_one(obj, _base("signoff.recorded", kw))


def _locate(obj: Any, negotiation: str | None, ref: str) -> str:
    """The negotiation holding `ref` (the named one, or the only one that has it)."""
    from domain.errors import NotFound, UsageError

    holders = obj.reader.holding(ref, negotiation)
    if not holders:
        where = f"'{negotiation}'" if negotiation else "any negotiation"
        raise NotFound(f"no record '{ref}' in {where}")
    if len(holders) > 1:
        raise UsageError(
            f"'{ref}' exists in {', '.join(holders)}: name one with --negotiation"
        )
    return str(holders[0])


def _set(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> Any:
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


def _record_options(f: F) -> F:
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


@record.command("retract")
@click.argument("target", metavar="REF")
@_record_options
@click.pass_obj
def retract(obj: Any, target: str, negotiation: str | None, **kw: Any) -> None:
    """Retract an event: every view ignores it from now on; the log keeps it.

    Retracting a retraction restores its target; retracting a correction
    undoes it.

    \b
    Example:
      summit record retract bloomberg-starmer-considering --reason "report denied"
    """
    slug = _locate(obj, negotiation, target)
    record = {"type": "record.retracted", "negotiation": slug, "target": target, **kw}
    store_one(obj, _drop_none(record))


@record.command("correct")
@click.argument("target", metavar="REF")
@click.option(
    "--set",
    "changes",
    multiple=True,
    required=True,
    callback=_set,
    metavar="FIELD=VALUE",
    help="New value (JSON, or plain text); null removes an optional field.",
)
@_record_options
@click.pass_obj
def correct(obj: Any, target: str, negotiation: str | None, **kw: Any) -> None:
    """Correct fields of an event; the original stays in the log.

    \b
    Example:
      summit record correct starmer-spokesman --set occurred_on=2025-06-12 \\
        --reason "the briefing was on Thursday 12 June"
    """
    slug = _locate(obj, negotiation, target)
    record = {"type": "record.corrected", "negotiation": slug, "target": target, **kw}
    store_one(obj, _drop_none(record))
