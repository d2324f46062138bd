"""Tables and CSV rows of `summit delivery` and `summit spending` (rules 7–8).

The delivery table is one section per target, the furthest behind first:
by status (missed, off track, insufficient data, on track, met), then by gap,
largest first, then by code; parties with no figure are listed under it, not
drawn as rows. The spending table lists the figures lowest first and the
parties with no figure separately.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cli.render.formats import Shape, console
from domain.vocabulary import DeliveryStatus

DELIVERY_STYLE = {
    "missed": "bold red",
    "off_track": "red",
    "insufficient_data": "yellow",
    "on_track": "cyan",
    "met": "bold green",
    "no_data": "dim",
}
PLEDGE_STYLE = {"broken": "bold red", "pending": "yellow", "kept": "green"}

# Furthest behind first (no_data is listed apart, after the rows).
SEVERITY: tuple[DeliveryStatus, ...] = (
    "missed",
    "off_track",
    "insufficient_data",
    "on_track",
    "met",
    "no_data",
)
PLEDGE_ORDER = ("broken", "pending", "kept")  # the broken ones first
BASIS_SHORT = {"estimate": "est", "actual": "act"}


def _num(x: Any, suffix: str = "", sign: bool = False) -> str:
    if x is None:
        return "—"
    return (f"{x:+.2f}" if sign else f"{x:.2f}") + suffix


def _title(view: dict[str, Any], what: str) -> str:
    cut = [f"as of {view['as_of']}"] if view["as_of"] else []
    cut += [f"known at {view['known_at']}"] if view["known_at"] else []
    return f"{view['negotiation']} · {what}" + (f" ({', '.join(cut)})" if cut else "")


def _counts_text(counts: dict[str, int]) -> str:
    return " · ".join(
        f"{counts[s]} {s.replace('_', ' ')}" for s in SEVERITY if counts[s]
    )


def _ordered(view: dict[str, Any], i: int) -> list[tuple[dict[str, Any], Any]]:
    """(ally, its delivery against target i) with a figure, furthest behind first."""
    rows = [(a, a["delivery"][i]) for a in view["allies"]]
    rows = [(a, d) for a, d in rows if d["status"] != "no_data"]
    return sorted(
        rows,
        key=lambda r: (SEVERITY.index(r[1]["status"]), -r[1]["gap_pp"], r[0]["ally"]),
    )


def delivery_table(view: dict[str, Any]) -> None:
    from rich.text import Text

    out = console()
    out.print(Text(_title(view, f"{view['proposal']} · delivery"), style="bold"))
    for i, s in enumerate(view["summary"]):
        target = f"{s['metric']} {s['target_pct']:g}% by {s['by_year']}"
        every = sum(s["counts"].values())
        out.print(
            Text(f"{target} — all {every} allies: ", style="bold")
            + Text(_counts_text(s["counts"]))
        )
        rows = _ordered(view, i)
        if rows:
            out.print(_delivery_rows(rows, narrow=out.width < 90))
        missing = [
            a["ally"] for a in view["allies"] if a["delivery"][i]["status"] == "no_data"
        ]
        if missing and rows:
            out.print(Text(f"no figure ({len(missing)}): {', '.join(missing)}"))
    _pledges_table(out, view)


def _delivery_rows(rows: list[tuple[dict[str, Any], Any]], narrow: bool) -> Any:
    from rich.table import Table
    from rich.text import Text

    table = Table(
        caption="gap in pp of GDP; trend and need in pp per year", pad_edge=False
    )
    table.add_column(
        "Ally", overflow="ellipsis", no_wrap=True, max_width=14 if narrow else 22
    )
    table.add_column("Status", no_wrap=True, min_width=17)
    for name, width in (("Share", 5), ("Year", 8), ("Gap", 4), ("Trend", 5)):
        table.add_column(name, justify="right", no_wrap=True, min_width=width)
    table.add_column("Need", justify="right", no_wrap=True, min_width=5)
    for a, d in rows:
        table.add_row(
            f"{a['ally']} {a['name']}",
            Text(d["status"].replace("_", " "), style=DELIVERY_STYLE[d["status"]]),
            f"{d['reported_pct']:.2f}%",
            f"{d['reported_year']} {BASIS_SHORT[d['basis']]}",
            _num(d["gap_pp"]),
            _num(d["trend_pp_per_year"], sign=True),
            _num(d["required_pp_per_year"], sign=True),
        )
    return table


def _pledges_table(out: Any, view: dict[str, Any]) -> None:
    from rich.table import Table
    from rich.text import Text

    rows = [(a, p) for a in view["allies"] for p in a["pledges"]]
    if not rows:
        return
    rows.sort(key=lambda r: (PLEDGE_ORDER.index(r[1]["status"]), r[0]["ally"]))
    table = Table(title="pledges against the figure for their year")
    table.add_column("Ally")
    table.add_column("Pledge", overflow="fold")
    table.add_column("Reported", justify="right")
    table.add_column("Status")
    for a, p in rows:
        firm = " (ambition)" if p["firmness"] == "ambition" else ""
        table.add_row(
            a["ally"],
            f"{p['pct_gdp']:g}% {p['metric']} by {p['by_year']}{firm}",
            _num(p["reported_pct"], "%"),
            Text(p["status"], style=PLEDGE_STYLE[p["status"]]),
        )
    out.print(table)


DELIVERY_COLUMNS = [
    "ally",
    "name",
    "metric",
    "target_pct",
    "by_year",
    "reported_year",
    "reported_pct",
    "basis",
    "ref",
    "gap_pp",
    "trend_pp_per_year",
    "required_pp_per_year",
    "status",
]
PLEDGE_COLUMNS = [
    "metric",
    "pct_gdp",
    "by_year",
    "firmness",
    "ref",
    "reported_pct",
    "status",
]


def delivery_rows(view: dict[str, Any]) -> list[tuple[list[str], Iterable[list[Any]]]]:
    """Two CSV sections: one row per ally and target, then one per pledge."""
    delivery = (
        [a["ally"], a["name"], *(d[k] for k in DELIVERY_COLUMNS[2:])]
        for a in view["allies"]
        for d in a["delivery"]
    )
    pledges = (
        [a["ally"], *(p[k] for k in PLEDGE_COLUMNS)]
        for a in view["allies"]
        for p in a["pledges"]
    )
    return [(DELIVERY_COLUMNS, delivery), (["ally", *PLEDGE_COLUMNS], pledges)]


def spending_table(view: dict[str, Any]) -> None:
    from rich.table import Table
    from rich.text import Text

    below = f", below {view['below']:g}%" if view["below"] is not None else ""
    what = f"{view['metric']} spending in {view['year']}{below}"
    table = Table(title=_title(view, what))
    table.add_column("Ally", overflow="ellipsis", max_width=26)
    table.add_column("Share of GDP", justify="right")
    table.add_column("Basis")
    table.add_column("Ref", overflow="fold")
    for a in sorted(view["allies"], key=lambda a: (a["pct_gdp"], a["ally"])):
        table.add_row(
            f"{a['ally']} {a['name']}", f"{a['pct_gdp']:.2f}%", a["basis"], a["ref"]
        )
    out = console()
    out.print(table)
    none = view["no_data"]
    out.print(
        Text(
            f"no figure ({len(none)}): {', '.join(none) or '—'}",
            style="yellow" if none else "dim",
        )
    )


def spending_rows(view: dict[str, Any]) -> list[tuple[list[str], Iterable[list[Any]]]]:
    """Two CSV sections: the figures, then the parties with no figure."""
    figures = (
        [a["ally"], a["name"], a["pct_gdp"], a["basis"], a["ref"]]
        for a in view["allies"]
    )
    return [
        (["ally", "name", "pct_gdp", "basis", "ref"], figures),
        (["no_data"], ([code] for code in view["no_data"])),
    ]


DELIVERY = Shape(delivery_table, delivery_rows)
SPENDING = Shape(spending_table, spending_rows)
