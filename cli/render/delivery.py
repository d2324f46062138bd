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
from cli.render.layout import Column, draw, stack
from cli.render.text import num
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


def _pp(x: Any, sign: bool = False) -> str:
    """A computed gap, trend or need: rounded to 2 places by SPEC rule 8."""
    if x is None:
        return "—"
    return f"{x:+.2f}" if sign else f"{x:.2f}"


def _pct(x: Any) -> str:
    """A recorded share of GDP, as written (`num`), never a display rounding."""
    return "—" if x is None else f"{num(x)}%"


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
        target = f"{s['metric']} {_pct(s['target_pct'])} by {s['by_year']}"
        every = sum(s["counts"].values())
        out.print(
            Text(f"{target} — all {every} allies: ", style="bold")
            + Text(_counts_text(s["counts"]))
        )
        rows = _ordered(view, i)
        if rows:
            out.print(draw(_delivery_layouts(rows), out.width, caption=CAPTION))
        missing = [
            a["ally"] for a in view["allies"] if a["delivery"][i]["status"] == "no_data"
        ]
        if missing and rows:
            out.print(Text(f"no figure ({len(missing)}): {', '.join(missing)}"))
    _pledges_table(out, view)


CAPTION = "gap in pp of GDP; trend and need in pp per year"


def _delivery_layouts(rows: list[tuple[dict[str, Any], Any]]) -> list[list[Column]]:
    """Narrower, the ally's name goes (its code stays), then the status and
    the year wrap, the share goes over its year, the status under the code."""
    from rich.text import Text

    codes = [a["ally"] for a, _ in rows]
    named = [Text(f"{a['ally']} {a['name']}") for a, _ in rows]
    status = [
        Text(d["status"].replace("_", " "), style=DELIVERY_STYLE[d["status"]])
        for _, d in rows
    ]
    shares = [_pct(d["reported_pct"]) for _, d in rows]
    years = [f"{d['reported_year']} {BASIS_SHORT[d['basis']]}" for _, d in rows]
    numbers = [
        Column(name, [_pp(d[key], sign) for _, d in rows], True, "right")
        for name, key, sign in (
            ("Gap", "gap_pp", False),
            ("Trend", "trend_pp_per_year", True),
            ("Need", "required_pp_per_year", True),
        )
    ]
    share, year = Column("Share", shares, True, "right"), Column("Year", years, True)
    code = Column("Ally", codes, True)
    share_year = Column("Share\nyear", list(map(stack, shares, years)), True, "right")
    wrapped = Column("Status", status)
    return [
        [Column("Ally", named), Column("Status", status, True), share, year, *numbers],
        [code, Column("Status", status, True), share, year, *numbers],
        [code, wrapped, share, Column("Year", years), *numbers],
        [code, wrapped, share_year, *numbers],
        [Column("Ally\nstatus", list(map(stack, codes, status)), keep=1),
         share_year, *numbers],
    ]  # fmt: skip


def _pledges_table(out: Any, view: dict[str, Any]) -> None:
    from rich.text import Text

    rows = [(a, p) for a in view["allies"] for p in a["pledges"]]
    if not rows:
        return
    rows.sort(key=lambda r: (PLEDGE_ORDER.index(r[1]["status"]), r[0]["ally"]))
    pledges = [
        Text(
            f"{_pct(p['pct_gdp'])} {p['metric']} by {p['by_year']}"
            + (" (ambition)" if p["firmness"] == "ambition" else "")
        )
        for _, p in rows
    ]
    columns = [
        Column("Ally", [a["ally"] for a, _ in rows], True),
        Column("Pledge", pledges),
        Column("Reported", [_pct(p["reported_pct"]) for _, p in rows], True, "right"),
        Column(
            "Status",
            [Text(p["status"], style=PLEDGE_STYLE[p["status"]]) for _, p in rows],
            True,
        ),
    ]
    title = "pledges against the figure for their year"
    out.print(draw([columns], out.width, title=title))


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


def _spending_layouts(allies: list[dict[str, Any]]) -> list[list[Column]]:
    """Narrower, the ally's name goes (its code stays), then the basis is
    abbreviated; the ref is never cut."""
    from rich.text import Text

    share = Column("Share of GDP", [_pct(a["pct_gdp"]) for a in allies], True, "right")
    code = Column("Ally", [a["ally"] for a in allies], True)
    basis = [a["basis"] for a in allies]
    short = Column("Basis", [BASIS_SHORT[b] for b in basis], True)
    ref = Column("Ref", [Text(a["ref"]) for a in allies], True)
    return [
        [Column("Ally", [Text(f"{a['ally']} {a['name']}") for a in allies]),
         share, Column("Basis", basis, True), ref],
        [code, share, Column("Basis", basis, True), ref],
        [code, share, short, ref],
    ]  # fmt: skip


def spending_table(view: dict[str, Any]) -> None:
    from rich.text import Text

    below = f", below {_pct(view['below'])}" if view["below"] is not None else ""
    what = f"{view['metric']} spending in {view['year']}{below}"
    allies = sorted(view["allies"], key=lambda a: (a["pct_gdp"], a["ally"]))
    out = console()
    out.print(draw(_spending_layouts(allies), out.width, title=_title(view, what)))
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
