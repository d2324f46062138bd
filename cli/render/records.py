"""Tables and CSV rows of the record-keeping views: timeline, audit, views."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import click

from cli.render.formats import Shape, console
from cli.render.layout import Column, draw, stack


def changed_fields(e: dict[str, Any]) -> str:
    """`--show-history`: the original values a correction replaced, `field=value`."""
    original, now = e.get("original") or {}, e.get("event") or {}
    return "; ".join(
        f"{k}={json.dumps(original.get(k), ensure_ascii=False)}"
        for k in sorted(set(original) | set(now))
        if original.get(k) != now.get(k)
    )


def _what(e: dict[str, Any]) -> Any:
    """An event's summary with its retraction, corrections and originals."""
    from rich.text import Text

    # User text goes in as Text, never as markup: quotes may hold [brackets].
    what = Text(e["summary"], style="dim strike" if e["retracted"] else "")
    if e["retracted"]:
        what.append(" RETRACTED", style="bold red")
    if e["corrected"]:
        what.append(" corrected", style="yellow")
    if e.get("corrections"):
        what.append(f"\n  corrected by {', '.join(e['corrections'])}", "yellow")
        what.append(f"\n  original: {changed_fields(e)}", style="dim")
    return what


def _timeline_layouts(events: list[dict[str, Any]]) -> list[list[Column]]:
    """Narrower, the ref moves above the summary, then the type, then the date:
    a ref is never cut, only the summary wraps."""
    from rich.text import Text

    ons = [e["occurred_on"] for e in events]
    types = [e["type"] for e in events]
    refs = [Text(e["ref"]) for e in events]
    whats = [_what(e) for e in events]
    on, what = Column("On", ons, whole=True), Column("What", whats)
    kind = Column("Type", types, whole=True)
    ref_what = Column("Ref / what", list(map(stack, refs, whats)), keep=1)
    event = Column("Type / ref / what", list(map(stack, types, refs, whats)), keep=2)
    heads = [f"{o} {t}" for o, t in zip(ons, types, strict=True)]
    alone = Column("On / type / ref / what", list(map(stack, heads, refs, whats)),
                   keep=2)  # fmt: skip
    return [
        [on, kind, Column("Ref", refs, whole=True), what],
        [on, kind, ref_what],
        [on, event],
        [alone],
    ]


def timeline_table(view: dict[str, Any]) -> None:
    from rich.text import Text

    out = console()
    title = Text(f"{view['negotiation']} timeline")
    out.print(draw(_timeline_layouts(view["events"]), out.width, title=title))


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


def _log_layouts(records: list[dict[str, Any]]) -> list[list[Column]]:
    """Narrower, the columns stack (then the timestamp's date goes over its
    time), then all is one column; only the recorder's name may wrap."""
    from rich.text import Text

    pos = Column("Pos", [str(r["position"]) for r in records], True, "right")
    stamps = [r["recorded_at"] for r in records]
    by = [Text(r["recorded_by"]) for r in records]
    digests = [r["digest"][:12] + "…" for r in records]
    signed = [Text(f"{d} ").append_text(b) for d, b in zip(digests, by, strict=True)]
    names = [Text(r["negotiation"]) for r in records]
    types = [r["type"] for r in records]
    refs = [
        Text(r["ref"] + (f"\n→ {r['target']}" if r["target"] else "")) for r in records
    ]
    kinds = [Text(f"{n} {t}") for n, t in zip(names, types, strict=True)]
    what = Column("Negotiation, type / ref", list(map(stack, kinds, refs)), True)
    when = "Recorded at / digest, by"
    split = [stack(*s.split("T", 1), d) for s, d in zip(stamps, signed, strict=True)]
    firsts = [f"{r['position']} {r['recorded_at']}" for r in records]
    alone = list(map(stack, firsts, kinds, refs, signed))
    return [
        [pos, Column("Recorded at", stamps, True), Column("By", by),
         Column("Negotiation", names, True), Column("Type", types, True),
         Column("Ref", refs, True), Column("Digest", digests, True)],
        [pos, Column(when, list(map(stack, stamps, signed)), keep=-1), what],
        [pos, Column(when, split, keep=-1), what],
        [Column("Pos, recorded at / negotiation, type / ref / digest, by", alone,
                keep=-1)],
    ]  # fmt: skip


def log_table(view: dict[str, Any]) -> None:
    out = console()
    out.print(draw(_log_layouts(view["records"]), out.width, title="audit log"))


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
