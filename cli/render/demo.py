"""`summit demo` for people: the stances, how the table moved, and delivery.

Kept narrow enough for an 80-column terminal: the consensus path shows the
five counts after each day a stance changed and how many pieces of evidence
that day brought (the refs are in `summit consensus`), then the holdouts,
wrapped at 78 columns.
"""

from __future__ import annotations

import textwrap
from typing import Any

import click

from cli.render.formats import Shape, console
from cli.render.tables import COUNT_KEYS, STANCE_STYLE, stance_rows, stance_table


def path_table(view: dict[str, Any], stances: dict[str, str]) -> None:
    """The consensus path, counts only, then the holdouts with their stances."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    out = console()
    c = view["counts"]
    reached = view["reached_on"]
    out.print(
        f"[bold]{escape(view['negotiation'])} · {escape(view['proposal'])}[/bold]: "
        f"{c['supports']} of {view['parties']} support; "
        + (f"consensus reached on {reached}" if reached else "no consensus")
        + (f" (as of {view['as_of']})" if view["as_of"] else "")
    )
    table = Table(
        title="consensus path: allies per stance after each day",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        title_justify="left",
    )
    table.add_column("On", no_wrap=True)
    for key in COUNT_KEYS:
        table.add_column(key, justify="right", style=STANCE_STYLE[key])
    table.add_column("evidence", justify="right")
    for step in view["path"]:
        counts = (str(step["counts"][k]) for k in COUNT_KEYS)
        table.add_row(step["on"], *counts, str(len(step["refs"])))
    out.print(table)
    holdouts = view["holdouts"]
    if holdouts:
        named = ", ".join(f"{c} ({stances.get(c, 'unknown')})" for c in holdouts)
        line = f"holdouts at the end ({len(holdouts)}): {named}"
        out.print(textwrap.fill(line, 78, subsequent_indent="  "))
    else:
        out.print("no holdouts")


def delivery_lines(delivery: dict[str, Any] | None) -> list[str]:
    """One line per target with any reported figure: the count per status."""
    if delivery is None:
        return []
    lines = []
    for s in delivery.get("summary") or []:
        counts = s["counts"]
        if counts.get("no_data", 0) == sum(counts.values()):
            continue
        shown = ", ".join(
            f"{n} {status.replace('_', ' ')}" for status, n in counts.items() if n
        )
        lines.append(f"{s['target_pct']:g}% {s['metric']} by {s['by_year']}: {shown}")
    if not lines:
        return ["delivery: no reported spending for the targets' metrics"]
    return ["delivery (summit delivery " + delivery["negotiation"] + "):"] + [
        "  " + line for line in lines
    ]


def shape(intro: str) -> Shape:
    """The demo's shape: intro, stances, the path, delivery (CSV: stance only)."""

    def table(view: dict[str, Any]) -> None:
        click.echo(intro + "\n")
        stance_table(view["stance"])
        click.echo()
        stances = {a["ally"]: a["stance"] for a in view["stance"]["allies"]}
        path_table(view["consensus"], stances)
        lines = delivery_lines(view.get("delivery"))
        if lines:
            click.echo()
            click.echo("\n".join(lines))

    return Shape(table, lambda view: stance_rows(view["stance"]))
