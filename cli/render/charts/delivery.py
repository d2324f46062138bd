"""Promised versus spent: one small panel per ally, its reported shares over the
years against the targets, the straight path still required, and its pledges.

Drawn from the `summit delivery` view (SPEC §4) alone. Panels run from the ally
furthest behind (missed, then off track, ...) to those that met the target;
allies without any reported figure get no panel, only a line in the footnote.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.render.charts import common

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Furthest behind first; `no_data` entries never decide an ally's place.
STATUS_RANK = {
    "missed": 0,
    "off_track": 1,
    "insufficient_data": 2,
    "on_track": 3,
    "met": 4,
}
STATUS_COLOURS = {
    "missed": "#D55E00",
    "off_track": "#D55E00",
    "insufficient_data": common.MUTED,
    "on_track": "#009E73",
    "met": "#009E73",
}
# Okabe–Ito, one colour per metric (the series, its target and its pledges).
METRIC_COLOURS = {
    "total": "#0072B2",
    "core_defence": "#CC79A7",
    "defence_related": "#E69F00",
}
COLUMNS = 5
PANEL_W, PANEL_H = 2.6, 2.15


def status_label(status: str) -> str:
    return status.replace("_", " ")


def _with_data(ally: dict[str, Any]) -> list[dict[str, Any]]:
    return [d for d in ally.get("delivery") or [] if d.get("status") != "no_data"]


def _behind(ally: dict[str, Any]) -> tuple[Any, ...]:
    """Worst status first, then the largest gap, then the code."""
    rows = _with_data(ally)
    rank = min((STATUS_RANK.get(d["status"], 2) for d in rows), default=9)
    gap = max((float(d.get("gap_pp") or 0) for d in rows), default=0.0)
    return (rank, -gap, ally.get("ally", ""))


def panel_order(delivery: dict[str, Any]) -> list[dict[str, Any]]:
    """The allies that get a panel (any reported figure), furthest behind first."""
    drawn = [a for a in delivery.get("allies") or [] if a.get("spending")]
    return sorted(drawn, key=_behind)


def only_allies(delivery: dict[str, Any], codes: tuple[str, ...]) -> dict[str, Any]:
    """The view with only the allies named (all when none is); an unknown code is
    a ValueError naming it."""
    if not codes:
        return delivery
    known = {a.get("ally") for a in delivery.get("allies") or []}
    for code in codes:
        if code not in known:
            raise ValueError(f"--ally {code}: not a party to {delivery['negotiation']}")
    allies = [a for a in delivery.get("allies") or [] if a.get("ally") in codes]
    return {**delivery, "allies": allies}


def without_figures(delivery: dict[str, Any]) -> list[dict[str, Any]]:
    """The allies shown only in the footnote: no reported figure at all."""
    return [a for a in delivery.get("allies") or [] if not a.get("spending")]


def _name(ally: dict[str, Any]) -> str:
    return common.plain(f"{ally.get('name') or ally.get('ally')} ({ally.get('ally')})")


def _colour(metric: str) -> str:
    return METRIC_COLOURS.get(metric, common.INK)


def _metrics(ally: dict[str, Any]) -> list[str]:
    """The metrics a panel draws: those with a figure or a pledge."""
    seen = [s["metric"] for s in ally.get("spending") or []]
    seen += [p["metric"] for p in ally.get("pledges") or []]
    return list(dict.fromkeys(seen))


def _extent(delivery: dict[str, Any], allies: list[dict[str, Any]]) -> Any:
    """Shared axes: first figure's year to the last target year; 0 to the top."""
    years = [s["year"] for a in allies for s in a.get("spending") or []]
    years += [t["by_year"] for t in delivery.get("targets") or []]
    years += [p["by_year"] for a in allies for p in a.get("pledges") or []]
    tops = [float(s["pct_gdp"]) for a in allies for s in a.get("spending") or []]
    tops += [float(t["pct_gdp"]) for t in delivery.get("targets") or []]
    tops += [float(p["pct_gdp"]) for a in allies for p in a.get("pledges") or []]
    low, high = (min(years), max(years)) if years else (2020, 2030)
    return (low - 1, high + 1), (0, max(tops, default=5.0) * 1.12)


def _series(ax: Axes, ally: dict[str, Any], metric: str) -> None:
    """Reported shares: a thin line, actuals filled, estimates hollow."""
    code = ally.get("ally")
    rows = [s for s in ally.get("spending") or [] if s["metric"] == metric]
    colour = _colour(metric)
    if len(rows) > 1:
        ax.plot([s["year"] for s in rows], [float(s["pct_gdp"]) for s in rows],
                color=colour, linewidth=1.0, alpha=0.6, zorder=2)  # fmt: skip
    for s in rows:
        actual = s.get("basis") == "actual"
        gid = f"figure-{code}-{metric}-{s['year']}-{s.get('basis')}"
        ax.plot(s["year"], float(s["pct_gdp"]), marker="o", markersize=5,
                markerfacecolor=colour if actual else "white",
                markeredgecolor=colour, markeredgewidth=1.3, linestyle="none",
                zorder=4, gid=gid)  # fmt: skip


def _targets_and_paths(ax: Axes, ally: dict[str, Any], metrics: list[str]) -> None:
    """Each target of a drawn metric (dashed, its year marked) and the path to it."""
    code = ally.get("ally")
    for d in ally.get("delivery") or []:
        if d["metric"] not in metrics:
            continue
        colour = _colour(d["metric"])
        target = float(d["target_pct"])
        ax.axhline(target, color=colour, linestyle=(0, (4, 2)), linewidth=0.9,
                   alpha=0.8, zorder=1, gid=f"target-{code}-{d['metric']}")  # fmt: skip
        ax.plot(d["by_year"], target, marker="|", markersize=10, color=colour,
                zorder=3)  # fmt: skip
        if d.get("reported_year") is None or not float(d.get("gap_pp") or 0):
            continue
        if d["by_year"] > d["reported_year"]:
            ax.plot([d["reported_year"], d["by_year"]],
                    [float(d["reported_pct"]), target], color=common.INK,
                    linestyle=(0, (1, 1.5)), linewidth=1.1, zorder=3,
                    gid=f"required-{code}-{d['metric']}")  # fmt: skip


def _pledges(ax: Axes, ally: dict[str, Any]) -> None:
    code = ally.get("ally")
    for p in ally.get("pledges") or []:
        ax.plot(p["by_year"], float(p["pct_gdp"]), marker="D", markersize=5,
                color=_colour(p["metric"]), markeredgecolor="white",
                markeredgewidth=0.6, linestyle="none", zorder=5,
                gid=f"pledge-{code}-{p['metric']}-{p['by_year']}")  # fmt: skip


def _status_line(ally: dict[str, Any]) -> tuple[str, str]:
    """`off track: 2.4% in 2025` for the entry that decides the panel's place."""
    rows = sorted(_with_data(ally), key=lambda d: STATUS_RANK.get(d["status"], 2))
    if not rows:
        return "no figure for a target metric", common.MUTED
    d = rows[0]
    text = f"{status_label(d['status'])}: {common.fmt_pct(d['reported_pct'])}% in "
    text += f"{d['reported_year']}"
    if len({r["metric"] for r in rows}) > 1 or d["metric"] != "total":
        text = f"{common.metric_label(d['metric'])} {text}"
    if d.get("required_pp_per_year") is not None and d["status"] != "met":
        trend = d.get("trend_pp_per_year")
        text += "\n" + ("no trend yet" if trend is None else f"trend {trend:+g}")
        text += f", needs {d['required_pp_per_year']:+g} pp/yr"
    return text, STATUS_COLOURS.get(d["status"], common.MUTED)


def _panel(ax: Axes, ally: dict[str, Any], extent: Any, first_column: bool) -> None:
    metrics = _metrics(ally)
    _targets_and_paths(ax, ally, metrics)
    for metric in metrics:
        _series(ax, ally, metric)
    _pledges(ax, ally)
    (x0, x1), (y0, y1) = extent
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    status, colour = _status_line(ally)
    ax.set_title(_name(ally), loc="left", fontsize=9.5, color=common.INK,
                 weight="bold", pad=25, gid=f"panel-{ally.get('ally')}")  # fmt: skip
    ax.text(0, 1.02, status, transform=ax.transAxes, fontsize=8, color=colour,
            va="bottom", gid=f"status-{ally.get('ally')}")  # fmt: skip
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#E5E5E5", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=7.5, colors=common.MUTED, length=2)
    if not first_column:
        ax.tick_params(labelleft=False)


def _legend(fig: Figure, metrics: list[str], below: float) -> None:
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], marker="o", color=common.MUTED, markerfacecolor=common.MUTED,
               linestyle="none", label="actual"),
        Line2D([], [], marker="o", color=common.MUTED, markerfacecolor="white",
               linestyle="none", label="estimate"),
        Line2D([], [], marker="D", color=common.MUTED, linestyle="none",
               label="pledge"),
        Line2D([], [], color=common.INK, linestyle=(0, (1, 1.5)),
               label="path required"),
    ]  # fmt: skip
    handles += [
        Line2D([], [], color=_colour(m), linestyle=(0, (4, 2)),
               label=f"{common.metric_label(m)} (target dashed)")
        for m in metrics
    ]  # fmt: skip
    common.legend(fig, handles, below)


def _footnote(delivery: dict[str, Any], width: float) -> str:
    missing = without_figures(delivery)
    if not missing:
        return ""
    names = ", ".join(_name(a) for a in missing)
    return textwrap.fill(f"No reported figure: {names}.", int(width * 13))


def figure(delivery: dict[str, Any], *, source_line: str) -> Figure:
    """The small multiples of one delivery view."""
    common.load_matplotlib()
    allies = panel_order(delivery)
    columns = max(1, min(COLUMNS, len(allies)))
    rows = max(1, math.ceil(len(allies) / columns))
    width = max(8.5, 0.7 + columns * PANEL_W)
    targets = " + ".join(
        common.describe_target(t) for t in delivery.get("targets") or []
    )
    title, subtitle, head = common.wrap_headings(
        f"Promised versus spent: {delivery.get('proposal', '?')}",
        "Reported defence spending, % of GDP, against the targets "
        f"({targets or 'none'}). Furthest behind first.",
        width,
    )
    note = _footnote(delivery, width)
    foot = 0.55 + 0.17 * (note.count("\n") + 1 if note else 0)
    fig = common.new_figure(width, head + 0.55 + rows * PANEL_H + foot)
    common.headings(fig, "delivery", title, subtitle, source_line)
    drawn = sorted({m for a in allies for m in _metrics(a)})
    _legend(fig, drawn, head)
    extent = _extent(delivery, allies)
    top = head + 0.55
    for i, ally in enumerate(allies):
        r, c = divmod(i, columns)
        left = (0.55 + c * PANEL_W) / width
        bottom = common.from_top(fig, top + (r + 1) * PANEL_H - 0.35)
        ax = fig.add_axes((left, bottom, (PANEL_W - 0.35) / width,
                           (PANEL_H - 0.85) / fig.get_figheight()))  # fmt: skip
        _panel(ax, ally, extent, c == 0)
    if not allies:
        fig.text(0.5, common.from_top(fig, top + PANEL_H / 2), "no reported figures",
                 ha="center", color=common.MUTED)  # fmt: skip
    if note:
        fig.text(0.15 / width, 0.35 / fig.get_figheight(), note, fontsize=8.5,
                 color=common.INK, va="bottom", gid="delivery-no-figure")  # fmt: skip
    return fig


def delivery_chart(delivery: dict[str, Any], *, source_line: str, out: Path) -> None:
    """Write the delivery small multiples to `out` (.png or .svg)."""
    fmt = common.check_out(Path(out))
    fig = figure(delivery, source_line=source_line)
    common.save(fig, Path(out), fmt, "summit-delivery")


def delivery_svg(delivery: dict[str, Any], *, source_line: str) -> str:
    """The delivery chart as an SVG document string."""
    fig = figure(delivery, source_line=source_line)
    return common.fig_to_svg(fig, salt="summit-delivery")
