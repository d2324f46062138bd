"""Tables and CSV rows of the record-keeping views: timeline, audit, views."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import click

from cli.render.formats import Shape, console


def changed_fields(e: dict[str, Any]) -> str:
    """`--show-history`: the original values a correction replaced, `field=value`."""
    original, now = e.get("original") or {}, e.get("event") or {}
    return "; ".join(
        f"{k}={json.dumps(original.get(k), ensure_ascii=False)}"
        for k in sorted(set(original) | set(now))
        if original.get(k) != now.get(k)
    )


def timeline_table(view: dict[str, Any]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(f"{view['negotiation']} timeline"))
    table.add_column("On", no_wrap=True, min_width=10)
    table.add_column("Type", overflow="fold")
    table.add_column("Ref", overflow="fold")
    table.add_column("What", overflow="fold")
    for e in view["events"]:
        # User text goes in as Text, never as markup: quotes may hold [brackets].
        what = Text(e["summary"], style="dim strike" if e["retracted"] else "")
        if e["retracted"]:
            what.append(" RETRACTED", style="bold red")
        if e["corrected"]:
            what.append(" corrected", style="yellow")
        if e.get("corrections"):
            what.append(f"\n  corrected by {', '.join(e['corrections'])}", "yellow")
            what.append(f"\n  original: {changed_fields(e)}", style="dim")
        table.add_row(e["occurred_on"], e["type"], Text(e["ref"]), what)
    console().print(table)


TIMELINE_COLUMNS = [
    *("position", "occurred_on", "type", "ref", "retracted", "corrected"),
    *("recorded_at", "recorded_by", "summary"),
]
HISTORY_COLUMNS = ["corrections", "original"]


def timeline_rows(view: dict[str, Any]) -> tuple[list[str], Iterable[list[Any]]]:
    """One row per event; with --show-history also the refs of its corrections
    and the original values they replaced (`field=value; ...`)."""
    history = any("original" in e for e in view["events"])

    def row(e: dict[str, Any]) -> list[Any]:
        cells = [_cell(e[k]) for k in TIMELINE_COLUMNS]
        if history:
            cells += [" ".join(e.get("corrections") or []), changed_fields(e)]
        return cells

    header = TIMELINE_COLUMNS + (HISTORY_COLUMNS if history else [])
    return header, (row(e) for e in view["events"])


def _cell(value: Any) -> Any:
    """A CSV cell: booleans as JSON writes them."""
    return str(value).lower() if isinstance(value, bool) else value


def verify_table(view: dict[str, Any]) -> None:
    click.echo(f"ok: {view['checked']} events checked, every chain intact")
    if view["checkpoint"]:
        signed = " (signature checked)" if view["signature_checked"] else ""
        click.echo(f"the log extends checkpoint {view['checkpoint']}{signed}")
    for n in view["negotiations"]:
        click.echo(
            f"  {n['negotiation']}: {n['events']} events, head at position "
            f"{n['head_position']}, digest {n['head_digest']}"
        )


def verify_rows(view: dict[str, Any]) -> tuple[list[str], Any]:
    header = ["negotiation", "events", "head_position", "head_digest"]
    return header, ([n[k] for k in header] for n in view["negotiations"])


LOG_COLUMNS = (
    *("position", "negotiation", "version", "recorded_at", "recorded_by"),
    *("type", "ref", "target", "digest"),
)


def log_table(view: dict[str, Any]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title="audit log")
    for col in ("Pos", "Recorded at"):
        table.add_column(col, no_wrap=True)  # a timestamp is never cut
    for col in ("By", "Negotiation", "Type", "Ref"):
        table.add_column(col, overflow="fold")
    table.add_column("Digest", no_wrap=True)
    for r in view["records"]:
        ref = r["ref"] + (f" → {r['target']}" if r["target"] else "")
        table.add_row(
            str(r["position"]),
            r["recorded_at"],
            Text(r["recorded_by"]),
            r["negotiation"],
            r["type"],
            Text(ref),
            r["digest"][:12] + "…",
        )
    console().print(table)


def log_rows(view: dict[str, Any]) -> tuple[list[str], Any]:
    return list(LOG_COLUMNS), ([r[k] for k in LOG_COLUMNS] for r in view["records"])


def behind(n: int) -> str:
    """How far the views are behind the log, in words."""
    return "up to date" if n == 0 else f"{n} event{'' if n == 1 else 's'} behind"


def views_table(view: dict[str, Any]) -> None:
    click.echo(
        f"log head: position {view['log_head']}\n"
        f"views:    position {view['views_position']} ({behind(view['behind'])}), "
        f"{view['rows']} rows"
    )
    if view.get("difference"):
        click.echo(
            f"the views do NOT match the log: {view['difference']}\n"
            "(`summit audit verify` fails; `summit views rebuild` restores them)"
        )
    elif "matches_log" in view:
        click.echo("every view row matches the log")


def views_rows(view: dict[str, Any]) -> tuple[list[str], Any]:
    header = list(view)
    return header, [[view[k] for k in header]]


TIMELINE = Shape(timeline_table, timeline_rows)
VERIFY = Shape(verify_table, verify_rows)
LOG = Shape(log_table, log_rows)
VIEWS = Shape(views_table, views_rows)
