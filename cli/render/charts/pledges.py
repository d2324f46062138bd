"""Each ally's pledged share of GDP against each target, sorted by gap."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.render.charts import common

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def _gap_for(ally: dict[str, Any], target: dict[str, Any]) -> dict[str, Any]:
    for gap in ally.get("gaps") or []:
        same_metric = gap.get("metric") == target.get("metric")
        if same_metric and gap.get("by_year") == target.get("by_year"):
            return gap
    return {"pledged_pct": None, "gap_pp": None, "meets": False}


def _gap_order(ally: dict[str, Any], targets: list[dict[str, Any]]) -> tuple[Any, ...]:
    """By the first target's gap, largest first, then the next target's, and so on.

    For each target an ally without a pledge comes after every ally with one
    (its gap is unknown, not zero), so "no pledge" rows gather at the bottom.
    """
    key: list[Any] = []
    for target in targets:
        gap = _gap_for(ally, target)
        missing = gap.get("pledged_pct") is None
        key += [missing, 0.0 if missing else -float(gap.get("gap_pp") or 0)]
    return (*key, ally.get("ally", ""))


def sorted_by_gap(stance: dict[str, Any]) -> list[dict[str, Any]]:
    """The stance view's allies in pledges-chart order (see `_gap_order`)."""
    targets = stance.get("targets") or []
    return sorted(stance.get("allies") or [], key=lambda a: _gap_order(a, targets))


def _apart(stance: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """Allies with a pledge counted against some target (in chart order), and
    the allies with none, listed apart so none reads as the worst laggard."""
    allies = sorted_by_gap(stance)
    counted = [
        a
        for a in allies
        if any(g.get("pledged_pct") is not None for g in a.get("gaps") or [])
    ]
    return counted, [a for a in allies if a not in counted]


def _is_ambition(ally: dict[str, Any], target: dict[str, Any], pledged: Any) -> bool:
    for pledge in ally.get("pledges") or []:
        if (
            pledge.get("metric") == target.get("metric")
            and int(pledge.get("by_year", 0)) <= int(target.get("by_year", 0))
            and float(pledge.get("pct_gdp", -1)) == float(pledged)
        ):
            return pledge.get("firmness") == "ambition"
    return False


def figure(stance: dict[str, Any], *, source_line: str) -> Figure:
    common.load_matplotlib()  # looked up at call time (tests replace it)
    from matplotlib.patches import Patch
    from matplotlib.ticker import FormatStrFormatter
    from matplotlib.transforms import offset_copy

    targets = stance.get("targets") or []
    pledged, none = _apart(stance)
    allies = pledged
    rows = max(len(allies), 1)
    fig_width = max(8.5, 3.0 * max(len(targets), 1) + 2.5)  # legible at 1100 px
    proposal = stance.get("proposal", "?")
    title, subtitle, head = common.wrap_headings(
        f"Pledges against the targets of {proposal}",
        "Largest pledged share of GDP against each target (dashed line), largest "
        "gap to the first target first. Hatched: an ambition.",
        fig_width,
    )
    apart = (
        textwrap.fill(
            f"Allies with no pledge ({len(none)}): "
            + ", ".join(common.plain(a.get("ally")) for a in none),
            int(fig_width * 13),
        )
        if none
        else ""
    )
    listed = 0.2 * (apart.count("\n") + 1) + 0.1 if none else 0.0
    below = 0.8 + listed
    fig = common.new_figure(fig_width, head + 0.75 + 0.34 * rows + below)
    bottom = below / fig.get_figheight()
    if none:
        fig.text(
            0.15 / fig_width,
            (listed + 0.3) / fig.get_figheight(),
            apart,
            fontsize=9,
            color=common.MUTED,
            va="top",
            gid="no-pledge",
        )
    height = common.from_top(fig, head + 0.75) - bottom
    common.headings(fig, "pledges", title, subtitle, source_line)
    labels = [
        common.plain(f"{a.get('name') or a.get('ally')} ({a.get('ally')})")
        for a in allies
    ]
    panels = max(len(targets), 1)
    left, gutter = 0.2, 0.03
    width = (0.98 - left - gutter * (panels - 1)) / panels

    for p in range(panels):
        ax: Axes = fig.add_axes((left + p * (width + gutter), bottom, width, height))
        ax.set_ylim(max(len(allies), 1) - 0.5, -0.5)  # one empty row, not none
        ax.set_yticks(range(len(allies)), labels if p == 0 else [""] * len(allies))
        ax.tick_params(axis="y", length=0, labelsize=9)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
        ax.set_axisbelow(True)
        if not targets:
            ax.text(
                0.5,
                0.5,
                "no targets on the table",
                ha="center",
                va="center",
                transform=ax.transAxes,
                color=common.MUTED,
            )
            ax.set_xticks([])
            continue
        target = targets[p]
        target_pct = float(target["pct_gdp"])
        ax.set_title(
            f"target: {common.describe_target(target)}",
            loc="left",
            fontsize=10,
            color=common.INK,
        )
        longest = target_pct
        for row, ally in enumerate(allies):
            code = ally.get("ally")
            gap = _gap_for(ally, target)
            pledged = gap.get("pledged_pct")
            if pledged is None:
                ax.text(
                    0,
                    row,
                    "no pledge",
                    transform=offset_copy(ax.transData, fig=fig, x=4, units="points"),
                    va="center",
                    fontsize=8.5,
                    style="italic",
                    color=common.MUTED,
                    gid=f"nopledge-{code}-{p}",
                )
                continue
            value = float(pledged)
            longest = max(longest, value)
            meets = bool(gap.get("meets"))
            ax.barh(
                row,
                value,
                height=0.62,
                color=common.MEETS_COLOUR if meets else common.SHORT_COLOUR,
                hatch="///" if _is_ambition(ally, target, pledged) else None,
                edgecolor="white",
                linewidth=0,
                gid=f"pledge-{code}-{p}",
            )
            note = "meets" if meets else f"gap {common.fmt_pct(gap.get('gap_pp'))} pp"
            ax.text(
                max(value, target_pct),
                row,
                f"{common.fmt_pct(pledged)}%, {note}",
                transform=offset_copy(ax.transData, fig=fig, x=5, units="points"),
                va="center",
                fontsize=8,
                color=common.INK,
            )
        ax.axvline(
            target_pct,
            color=common.INK,
            linestyle=(0, (4, 2)),
            linewidth=1.4,
            gid=f"target-{p}",
        )
        ax.set_xlim(0, longest * 1.5)
        ax.xaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.set_xlabel("% of GDP", color=common.MUTED, fontsize=9)

    handles = [
        Patch(facecolor=common.MEETS_COLOUR, label="meets the target"),
        Patch(facecolor=common.SHORT_COLOUR, label="short of the target"),
        Patch(facecolor="white", edgecolor=common.INK, hatch="///", label="ambition"),
    ]
    common.legend(fig, handles, head)
    return fig


def pledges_chart(stance: dict[str, Any], *, source_line: str, out: Path) -> None:
    """Write each ally's pledges against each target to `out` (.png or .svg)."""
    fmt = common.check_out(Path(out))
    common.save(
        figure(stance, source_line=source_line),
        Path(out),
        fmt,
        "summit-pledges",
    )


def pledges_svg(stance: dict[str, Any], *, source_line: str) -> str:
    """The pledges chart as an SVG document string."""
    return common.fig_to_svg(
        figure(stance, source_line=source_line), salt="summit-pledges"
    )
