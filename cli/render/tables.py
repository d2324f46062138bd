"""Tables for people (rich) and CSV rows for scripts, one pair per view."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import click

from cli.render.formats import Shape, console
from domain.vocabulary import STANCE_ORDER

STANCE_STYLE = {
    "supports": "bold green",
    "conditional": "yellow",
    "undecided": "cyan",
    "opposes": "bold red",
    "unknown": "dim",
}
COUNT_KEYS = STANCE_ORDER


def _pct(x: Any) -> str:
    return "—" if x is None else f"{x:g}%"


def _targets_text(targets: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"{t['metric']} {t['pct_gdp']:g}% by {t['by_year']}" for t in targets
    )


SHORT_METRIC = {"core_defence": "core", "defence_related": "related", "total": "total"}


def _gap_cell(g: dict[str, Any]) -> Any:
    from rich.text import Text

    if g["pledged_pct"] is None:
        return Text("no pledge", style="dim")
    if g["meets"]:
        return Text(f"{g['pledged_pct']:g}% ✓ meets", style="green")
    return Text(f"{g['pledged_pct']:g}% gap {g['gap_pp']:g}pp", style="yellow")


def stance_table(view: dict[str, Any]) -> None:
    from rich.table import Table
    from rich.text import Text

    cut = []
    if view["as_of"]:
        cut.append(f"as of {view['as_of']}")
    if view["known_at"]:
        cut.append(f"known at {view['known_at']}")
    title = f"{view['negotiation']} · {view['proposal']}" + (
        f" ({', '.join(cut)})" if cut else ""
    )
    counts: dict[str, int] = {}
    for a in view["allies"]:
        counts[a["stance"]] = counts.get(a["stance"], 0) + 1
    caption = ", ".join(f"{n} {s}" for s, n in counts.items())
    table = Table(title=Text(title), caption=caption)
    table.add_column("Ally")
    table.add_column("Stance", overflow="fold", max_width=30)
    table.add_column("Since")
    table.add_column("Evidence", overflow="fold", max_width=28)
    for t in view["targets"]:
        table.add_column(
            f"{SHORT_METRIC[t['metric']]} {t['pct_gdp']:g}%\nby {t['by_year']}"
        )
    table.add_column("Pledges", overflow="fold")
    for a in view["allies"]:
        pledges = "\n".join(
            f"{p['pct_gdp']:g}% {SHORT_METRIC[p['metric']]} {p['by_year']}"
            + (" (ambition)" if p["firmness"] == "ambition" else "")
            for p in a["pledges"]
        )
        stance = Text(a["stance"], style=STANCE_STYLE[a["stance"]])
        if a["conditions"]:
            stance.append(f"\n{a['conditions']}", style="italic")
        table.add_row(
            Text(f"{a['name']} ({a['ally']})"),
            stance,
            a["since"] or "",
            Text(a["evidence"] or ""),
            *(_gap_cell(g) for g in a["gaps"]),
            Text(pledges or "—"),
        )
    console().print(table)


def stance_rows(view: dict[str, Any]) -> tuple[list[str], Iterable[list[Any]]]:
    header = [
        "ally",
        "name",
        "stance",
        "since",
        "evidence",
        "conditions",
        "metric",
        "target_pct",
        "by_year",
        "pledged_pct",
        "gap_pp",
        "meets",
    ]

    def rows() -> Iterable[list[Any]]:
        for a in view["allies"]:
            head = [a[k] for k in ("ally", "name", "stance", "since", "evidence")]
            head.append(a["conditions"])
            if not a["gaps"]:
                yield [*head, None, None, None, None, None, None]
            for g in a["gaps"]:
                yield [
                    *head,
                    g["metric"],
                    g["target_pct"],
                    g["by_year"],
                    g["pledged_pct"],
                    g["gap_pp"],
                    str(g["meets"]).lower(),
                ]

    return header, rows()


def consensus_table(view: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    c = view["counts"]
    out = console()
    reached = (
        f"consensus reached on {view['reached_on']}"
        if view["reached_on"]
        else "no consensus"
    )
    out.print(
        f"[bold]{escape(view['negotiation'])} · {escape(view['proposal'])}[/bold]: "
        f"{c['supports']} of {view['parties']} support; {reached}"
        + (f" (as of {view['as_of']})" if view["as_of"] else "")
    )
    if view["holdouts"]:
        out.print(f"holdouts ({len(view['holdouts'])}): {', '.join(view['holdouts'])}")
    table = Table(title="consensus path")
    table.add_column("On")
    for key in COUNT_KEYS:
        table.add_column(key, justify="right", style=STANCE_STYLE[key])
    table.add_column("Evidence", overflow="fold")
    for step in view["path"]:
        table.add_row(
            step["on"],
            *(str(step["counts"][k]) for k in COUNT_KEYS),
            Text(", ".join(step["refs"])),
        )
    out.print(table)


def consensus_rows(view: dict[str, Any]) -> tuple[list[str], Iterable[list[Any]]]:
    header = ["on", *COUNT_KEYS, "refs"]
    return header, (
        [s["on"], *(s["counts"][k] for k in COUNT_KEYS), " ".join(s["refs"])]
        for s in view["path"]
    )


def timeline_table(view: dict[str, Any]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(f"{view['negotiation']} timeline"))
    for col in ("On", "Type", "Ref", "What"):
        table.add_column(col, overflow="fold")
    for e in view["events"]:
        # User text goes in as Text, never as markup: quotes may hold [brackets].
        what = Text(e["summary"], style="dim strike" if e["retracted"] else "")
        if e["retracted"]:
            what.append(" RETRACTED", style="bold red")
        if e["corrected"]:
            what.append(" corrected", style="yellow")
        table.add_row(e["occurred_on"], e["type"], Text(e["ref"]), what)
    console().print(table)


TIMELINE_COLUMNS = [
    *("position", "occurred_on", "type", "ref", "retracted", "corrected"),
    *("recorded_at", "recorded_by", "summary"),
]


def timeline_rows(view: dict[str, Any]) -> tuple[list[str], Iterable[list[Any]]]:
    header = TIMELINE_COLUMNS
    return header, ([_cell(e[k]) for k in header] for e in view["events"])


def _cell(value: Any) -> Any:
    """A CSV cell: booleans as JSON writes them."""
    return str(value).lower() if isinstance(value, bool) else value


def replay_table(view: dict[str, Any]) -> None:
    click.echo(
        f"replayed {view['stance']['negotiation']} from an empty state up to log "
        f"position {view['replayed']['last_position']}"
    )
    stance_table(view["stance"])
    consensus_table(view["consensus"])


def replay_rows(view: dict[str, Any]) -> list[Any]:
    return [stance_rows(view["stance"]), consensus_rows(view["consensus"])]


def demo(intro: str) -> Shape:
    """The demo's shape: `intro`, then stance and consensus (CSV: stance only)."""

    def table(view: dict[str, Any]) -> None:
        click.echo(intro + "\n")
        stance_table(view["stance"])
        click.echo()
        consensus_table(view["consensus"])

    return Shape(table, lambda view: stance_rows(view["stance"]))


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
    "position",
    "negotiation",
    "version",
    "recorded_at",
    "recorded_by",
    "type",
    "ref",
    "target",
    "digest",
)


def log_table(view: dict[str, Any]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title="audit log")
    for col in ("Pos", "Recorded at", "By", "Negotiation", "Type", "Ref", "Digest"):
        table.add_column(col, overflow="fold")
    for r in view["records"]:
        ref = r["ref"] + (f" → {r['target']}" if r["target"] else "")
        table.add_row(
            str(r["position"]),
            r["recorded_at"],
            Text(r["recorded_by"]),
            r["negotiation"],
            r["type"],
            ref,
            r["digest"][:16] + "…",
        )
    console().print(table)


def log_rows(view: dict[str, Any]) -> tuple[list[str], Any]:
    return list(LOG_COLUMNS), ([r[k] for k in LOG_COLUMNS] for r in view["records"])


def views_table(view: dict[str, Any]) -> None:
    state = "up to date" if view["behind"] == 0 else f"{view['behind']} events behind"
    click.echo(
        f"log head: position {view['log_head']}\n"
        f"views:    position {view['views_position']} ({state}), {view['rows']} rows"
    )


def views_rows(view: dict[str, Any]) -> tuple[list[str], Any]:
    header = list(view)
    return header, [[view[k] for k in header]]


STANCE = Shape(stance_table, stance_rows)
CONSENSUS = Shape(consensus_table, consensus_rows)
TIMELINE = Shape(timeline_table, timeline_rows)
REPLAY = Shape(replay_table, replay_rows)
VERIFY = Shape(verify_table, verify_rows)
LOG = Shape(log_table, log_rows)
VIEWS = Shape(views_table, views_rows)
