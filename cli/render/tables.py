"""Tables for people (rich) and CSV rows for scripts: stance, consensus, replay.

Tables fit the terminal (see `layout`): at 80 columns and below the least
needed columns go first (evidence refs, then pledges), never a date or a code.
The record-keeping views (timeline, audit, views) are in `records`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import click

from cli.render.formats import Shape, console
from cli.render.layout import Column, draw
from cli.render.records import LOG, TIMELINE, VERIFY, VIEWS
from cli.render.text import num
from domain.vocabulary import STANCE_ORDER

__all__ = ["CONSENSUS", "LOG", "REPLAY", "STANCE", "TIMELINE", "VERIFY", "VIEWS"]

STANCE_STYLE = {
    "supports": "bold green",
    "conditional": "yellow",
    "undecided": "cyan",
    "opposes": "bold red",
    "unknown": "dim",
}
COUNT_KEYS = STANCE_ORDER
SHORT_STANCE = {"supports": "sup", "conditional": "cond", "undecided": "und",
                "opposes": "opp", "unknown": "unk"}  # fmt: skip
SHORT_METRIC = {"core_defence": "core", "defence_related": "related", "total": "total"}


def _gap_cell(g: dict[str, Any]) -> Any:
    from rich.text import Text

    if g["pledged_pct"] is None:
        return Text("no pledge", style="dim")
    if g["meets"]:
        return Text(f"{num(g['pledged_pct'])}% ✓ meets", style="green")
    return Text(f"{num(g['pledged_pct'])}% gap {num(g['gap_pp'])}pp", style="yellow")


def _stance_cell(a: dict[str, Any], since: bool) -> Any:
    from rich.text import Text

    cell = Text(a["stance"], style=STANCE_STYLE.get(a["stance"], ""))
    if since and a["since"]:
        cell.append(f"\nsince {a['since']}")
    if a["conditions"]:
        cell.append(f"\n{a['conditions']}", style="italic")
    return cell


def _pledges_cell(a: dict[str, Any]) -> Any:
    from rich.text import Text

    return Text(
        "\n".join(
            f"{num(p['pct_gdp'])}% {SHORT_METRIC[p['metric']]} {p['by_year']}"
            + (" (ambition)" if p["firmness"] == "ambition" else "")
            for p in a["pledges"]
        )
        or "—"
    )


def _stance_layouts(view: dict[str, Any]) -> list[list[Column]]:
    from rich.text import Text

    allies = view["allies"]
    named = Column("Ally", [Text(f"{a['name']} ({a['ally']})") for a in allies])
    code = Column("Ally", [a["ally"] for a in allies], whole=True)
    gaps = [
        Column(
            f"{SHORT_METRIC[t['metric']]} {num(t['pct_gdp'])}%\nby {t['by_year']}",
            [_gap_cell(a["gaps"][i]) for a in allies],
        )
        for i, t in enumerate(view["targets"])
    ]
    pledges = Column("Pledges", [_pledges_cell(a) for a in allies])
    stance = Column("Stance", [_stance_cell(a, False) for a in allies])
    dated = Column("Stance", [_stance_cell(a, True) for a in allies])
    since = Column("Since", [a["since"] or "" for a in allies], whole=True)
    evidence = Column("Evidence", [Text(a["evidence"] or "") for a in allies], True)
    return [
        [named, stance, since, evidence, *gaps, pledges],
        [named, dated, *gaps, pledges],
        [code, dated, *gaps, pledges],
        [code, dated, *gaps],
    ]


def stance_table(view: dict[str, Any]) -> None:
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
    out = console()
    out.print(
        draw(_stance_layouts(view), out.width, title=Text(title), caption=caption)
    )


def stance_rows(view: dict[str, Any]) -> tuple[list[str], Iterable[list[Any]]]:
    header = [
        *("ally", "name", "stance", "since", "evidence", "conditions"),
        *("metric", "target_pct", "by_year", "pledged_pct", "gap_pp", "meets"),
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
                    *(g["metric"], g["target_pct"], g["by_year"]),
                    *(g["pledged_pct"], g["gap_pp"], str(g["meets"]).lower()),
                ]

    return header, rows()


def _consensus_layouts(view: dict[str, Any]) -> list[list[Column]]:
    path = view["path"]
    on = Column("On", [s["on"] for s in path], whole=True)

    def counts(short: bool) -> list[Column]:
        return [
            Column(
                SHORT_STANCE[k] if short else k,
                [str(s["counts"][k]) for s in path],
                True,
                "right",
                STANCE_STYLE[k],
            )
            for k in COUNT_KEYS
        ]

    refs = Column("Evidence", ["\n".join(s["refs"]) for s in path], whole=True)
    return [
        [on, *counts(False), refs],
        [on, *counts(True), refs],
        [on, *counts(False)],
        [on, *counts(True)],
    ]


def consensus_table(view: dict[str, Any]) -> None:
    from rich.markup import escape

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
    table = draw(_consensus_layouts(view), out.width, title="consensus path")
    if table.columns[1].header == SHORT_STANCE[COUNT_KEYS[0]]:
        table.caption = ", ".join(f"{v} = {k}" for k, v in SHORT_STANCE.items())
    out.print(table)


def consensus_rows(view: dict[str, Any]) -> tuple[list[str], Iterable[list[Any]]]:
    header = ["on", *COUNT_KEYS, "refs"]
    return header, (
        [s["on"], *(s["counts"][k] for k in COUNT_KEYS), " ".join(s["refs"])]
        for s in view["path"]
    )


REPLAY_VIEWS = ("stance", "consensus")


def replay(csv_view: str = "stance") -> Shape:
    """Replay: a line, then stance and consensus; CSV: the one `csv_view` table."""

    def table(view: dict[str, Any]) -> None:
        click.echo(
            f"replayed {view['stance']['negotiation']} from an empty state up to "
            f"log position {view['replayed']['last_position']}"
        )
        stance_table(view["stance"])
        consensus_table(view["consensus"])

    rows = {"stance": stance_rows, "consensus": consensus_rows}[csv_view]
    return Shape(table, lambda view: rows(view[csv_view]))


def demo(intro: str) -> Shape:
    """The demo's shape: `intro`, then stance and consensus (CSV: stance only)."""

    def table(view: dict[str, Any]) -> None:
        click.echo(intro + "\n")
        stance_table(view["stance"])
        click.echo()
        consensus_table(view["consensus"])

    return Shape(table, lambda view: stance_rows(view["stance"]))


STANCE = Shape(stance_table, stance_rows)
CONSENSUS = Shape(consensus_table, consensus_rows)
REPLAY = replay()
