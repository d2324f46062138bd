"""The consensus path as a stacked step chart, sign-offs and the summit marked."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.render.charts import common
from cli.render.charts.common import (
    INK,
    MUTED,
    STANCE_COLOURS,
    STANCES,
    check_out,
    day_of,
    describe_target,
    fig_to_svg,
    from_top,
    headings,
    legend,
    new_figure,
    plain,
    save,
    wrap_headings,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


SALT = "summit-consensus"


def figure(
    consensus: dict[str, Any],
    *,
    title_targets: list[dict[str, Any]],
    summit_on: str | None,
    signoffs: list[dict[str, Any]],
    source_line: str,
    as_of: str | None = None,
) -> Figure:
    common.load_matplotlib()  # looked up at call time (tests replace it)
    from matplotlib import dates as mdates
    from matplotlib.collections import PatchCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle
    from matplotlib.ticker import MaxNLocator
    from matplotlib.transforms import offset_copy

    path = consensus.get("path") or []
    parties = int(consensus.get("parties") or 0)
    counts = consensus.get("counts") or {}
    steps = [day_of(entry["on"]) for entry in path]
    marks = [(d, s) for s in signoffs if (d := day_of(s.get("on"))) is not None]
    summit = day_of(summit_on)
    drawn_through = day_of(consensus.get("as_of") or as_of)
    known = [d for d in steps if d] + [d for d, _ in marks]
    data_end = max([*known, *([drawn_through] if drawn_through else [])], default=None)
    every = [*known, *([summit] if summit else []), *([data_end] if data_end else [])]

    proposal = consensus.get("proposal", "?")
    support = f"{counts.get('supports', 0)} of {parties} allies support"
    targets = " + ".join(describe_target(t) for t in title_targets)
    targets = f"Targets: {targets}" if targets else "No targets on the table yet"
    title, subtitle, head = wrap_headings(
        f"Consensus on {proposal}: {support}", targets, 11
    )
    fig = new_figure(11, 4.6 + head + 0.65)
    bottom = 0.7 / fig.get_figheight()
    ax: Axes = fig.add_axes((0.055, bottom, 0.93, from_top(fig, head + 0.65) - bottom))
    headings(fig, "consensus", title, subtitle, source_line)

    for i, entry in enumerate(path):
        start = steps[i]
        if start is None or data_end is None:
            continue
        end = steps[i + 1] if i + 1 < len(path) else max(data_end, start)
        x0, x1 = mdates.date2num(start), mdates.date2num(end)
        width = max(x1 - x0, 1.0)
        rects, colours, bottom = [], [], 0.0
        for stance in STANCES:
            height = float(entry["counts"].get(stance, 0))
            if height > 0:
                rects.append(Rectangle((x0, bottom), width, height))
                colours.append(STANCE_COLOURS[stance])
            bottom += height
        ax.add_collection(
            PatchCollection(
                rects, facecolors=colours, edgecolors="face", linewidths=0.4
            ),
            autolim=False,
        ).set_gid(f"step-{i}")

    if every:
        first, last = min(every), max(every)
        pad = max(2.0, (last - first).days * 0.04)
        ax.set_xlim(
            mdates.date2num(first) - pad, mdates.date2num(last) + max(pad, 1.0) + 1
        )
        locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    else:
        ax.set_xticks([])
    if not path:
        ax.text(
            0.5,
            0.5,
            "No evidence of any stance recorded yet",
            ha="center",
            va="center",
            transform=ax.transAxes,
            color=MUTED,
            fontsize=12,
            gid="empty",
        )
    ax.set_ylim(0, max(parties, 1))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("allies, by stance", color=MUTED)
    ax.grid(axis="y", color="white", linewidth=0.6, alpha=0.7)
    ax.set_axisbelow(False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)

    top = ax.get_xaxis_transform()
    for i, (day, signoff) in enumerate(marks):
        x = mdates.date2num(day)
        ax.axvline(
            x, color=INK, linestyle=(0, (4, 3)), linewidth=1.2, gid=f"signoff-{i}"
        )
        label = plain(textwrap.shorten(str(signoff.get("document") or "sign-off"), 48))
        ax.text(
            x,
            0.97,
            f"sign-off: {label}",
            transform=top,
            rotation=90,
            ha="right",
            va="top",
            fontsize=8,
            color=INK,
            gid=f"signoff-label-{i}",
            bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 1.5},
        )
    if path and drawn_through and data_end and data_end != summit:
        ax.text(
            mdates.date2num(data_end),
            0.01,
            f"as of {data_end:%-d %b}",
            transform=offset_copy(top, fig=fig, x=2, units="points"),
            rotation=90,
            ha="left",
            va="bottom",
            fontsize=8,
            color=MUTED,
            gid="as-of",
        )
    if summit:
        x = mdates.date2num(summit)
        ax.axvline(x, color=INK, linewidth=2.2, gid="summit")
        ax.text(
            x,
            1.01,
            f"summit {summit:%-d %b %Y}",
            transform=top,
            ha="center",
            va="bottom",
            fontsize=9,
            weight="bold",
            color=INK,
            gid="summit-label",
        )

    handles: list[Any] = [
        Patch(facecolor=STANCE_COLOURS[s], label=f"{s} ({counts.get(s, 0)})")
        for s in STANCES
    ]
    if summit:
        handles.append(Line2D([], [], color=INK, linewidth=2.2, label="summit"))
    if marks:
        handles.append(
            Line2D([], [], color=INK, linestyle=(0, (4, 3)), label="sign-off")
        )
    legend(fig, handles, head)
    return fig


def consensus_chart(consensus: dict[str, Any], *, out: Path, **drawing: Any) -> None:
    """Write the consensus path as a stacked step chart to `out` (.png or .svg).

    `drawing` is what `figure` takes besides the view. Each path entry is one
    step (SVG group `step-<i>`), drawn until the next entry; the last one runs
    to the view's `as_of` (or `as_of` given here, e.g. today, when the view has
    none), else to the latest dated mark.
    """
    fmt = check_out(Path(out))
    save(figure(consensus, **drawing), Path(out), fmt, SALT)


def consensus_svg(consensus: dict[str, Any], **drawing: Any) -> str:
    """The consensus chart as an SVG document string."""
    return fig_to_svg(figure(consensus, **drawing), salt=SALT)
