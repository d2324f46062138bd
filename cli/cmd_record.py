"""`summit record`: one event from flags, or from --json in the interchange format."""

from __future__ import annotations

import sys
from typing import Any

import click

from cli.record_flags import (
    about_options,
    about_record,
    common,
    parse_set,
    parties,
    position,
    record_json,
    reservations,
    store_one,
    target_option,
    world_record,
)
from domain.vocabulary import BASES, FIRMNESS, METRICS, STANCES


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
    if json_text is None and sys.stdin.isatty():
        click.echo(ctx.get_help())
        return
    record_json(ctx.obj, json_text or "-")  # no --json: JSON Lines piped in


@record.command("open")
@common
@click.option("--title", required=True)
@click.option("--summit-on", required=True, metavar="DATE")
@click.option("--venue", required=True)
@click.option(
    "--parties",
    "parties_",
    required=True,
    metavar="nato|CODES",
    help='"nato" (every ally on the summit date) or comma-separated codes.',
)
@click.pass_obj
def open_(obj: Any, parties_: str, **kw: Any) -> None:
    """Open a negotiation (once).

    \b
    Example:
      summit record open -n hague-2025 --on 2025-06-03 --title "5% pledge" \\
        --summit-on 2025-06-24 --venue "The Hague" --parties nato --outlet NATO
    """
    kw["parties"] = parties(parties_, "nato")
    store_one(obj, world_record("negotiation.opened", kw))


@record.command("propose")
@common
@click.argument("proposal")
@click.option("--by", "by_", required=True, metavar="CODE", help="Party or NATO/EU.")
@click.option("--title", required=True)
@target_option("Repeatable, e.g. core_defence:3.5:2035.")
@click.pass_obj
def propose(obj: Any, proposal: str, by_: str, **kw: Any) -> None:
    """Table a proposal with its targets.

    \b
    Example:
      summit record propose defence-investment-2035 -n hague-2025 --on 2025-06-09 \\
        --by NATO --title "5% of GDP" --target core_defence:3.5:2035 \\
        --target defence_related:1.5:2035 --outlet NATO
    """
    record = {"proposal": proposal, "by": by_, **kw}
    store_one(obj, world_record("proposal.tabled", record))


@record.command("revise")
@common
@click.argument("proposal")
@target_option("The complete new list of targets (repeatable).")
@click.option("--reason", required=True)
@click.pass_obj
def revise(obj: Any, proposal: str, **kw: Any) -> None:
    """Replace a proposal's targets.

    \b
    Example:
      summit record revise defence-investment-5pct -n hague-2025 --on 2025-06-20 \\
        --target core_defence:3.5:2035 --reason "deadline moved" --outlet NATO
    """
    store_one(obj, world_record("proposal.revised", {"proposal": proposal, **kw}))


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
    kw["position"] = position(proposal, stance, conditions)
    kw["actor"] = kw["actor"].upper()
    store_one(obj, world_record("statement.made", kw))


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
    store_one(obj, world_record("pledge.made", kw))


@record.command("spending")
@common
@click.option("--actor", required=True, metavar="CODE", help="A party (not NATO/EU).")
@click.option("--metric", required=True, type=click.Choice(METRICS))
@click.option("--year", required=True, type=int, help="The spending year.")
@click.option("--pct", "pct_gdp", required=True, type=float, help="Share of GDP, %.")
@click.option(
    "--basis", type=click.Choice(BASES), default="estimate", show_default=True
)
@click.pass_obj
def spending(obj: Any, **kw: Any) -> None:
    """Record a published figure of a party's spending in one year.

    --on is the day the figure was published; a later figure for the same
    year (a revised estimate, the actual) supersedes it, and both stay.

    \b
    Example:
      summit record spending -n hague-2025 --on 2025-08-28 --actor GBR \\
        --metric total --year 2025 --pct 2.4 --basis estimate \\
        --outlet NATO --url https://www.nato.int/ --reliability official
    """
    kw["actor"] = kw["actor"].upper()
    store_one(obj, world_record("spending.reported", kw))


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
    "reservations_",
    multiple=True,
    metavar="CODE=TEXT",
    help="A signatory's reservation (repeatable).",
)
@click.pass_obj
def signoff(
    obj: Any, signatories: str, reservations_: tuple[str, ...], **kw: Any
) -> None:
    """Record a formal adoption by a body, with its signatories.

    \b
    Example:
      summit record signoff -n hague-2025 --on 2025-06-25 --body "Heads of State" \\
        --document "Hague Summit Declaration" --signatories all \\
        --proposal defence-investment-5pct --reservation ESP="flexibility" \\
        --outlet NATO --reliability official
    """
    kw["signatories"] = parties(signatories, "all")
    kw["reservations"] = reservations(reservations_)
    store_one(obj, world_record("signoff.recorded", kw))


@record.command("retract")
@click.argument("target", metavar="REF")
@about_options
@click.pass_obj
def retract(obj: Any, target: str, negotiation: str | None, **kw: Any) -> None:
    """Retract an event: every view ignores it from now on; the log keeps it.

    Retracting a retraction restores its target; retracting a correction
    undoes it.

    \b
    Example:
      summit record retract bloomberg-starmer-considering --reason "report denied"
    """
    slug = obj.reader.locate(target, negotiation)
    store_one(obj, about_record("record.retracted", slug, target, kw))


@record.command("correct")
@click.argument("target", metavar="REF")
@click.option(
    "--set",
    "changes",
    multiple=True,
    required=True,
    callback=parse_set,
    metavar="FIELD=VALUE",
    help="New value (JSON, or plain text); null removes an optional field.",
)
@about_options
@click.pass_obj
def correct(obj: Any, target: str, negotiation: str | None, **kw: Any) -> None:
    """Correct fields of an event; the original stays in the log.

    \b
    Example:
      summit record correct starmer-spokesman-laggards-first \\
        --set occurred_on=2025-06-12 --reason "the briefing was on Thursday 12 June"
    """
    slug = obj.reader.locate(target, negotiation)
    store_one(obj, about_record("record.corrected", slug, target, kw))
