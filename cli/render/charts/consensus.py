"""The consensus path as a stacked step chart, sign-offs and the summit marked."""

from __future__ import annotations

import textwrap
from datetime import date, timedelta
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
KEY_COLUMNS = 2  # columns of the sign-off key under the chart


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

    path = consensus.get("path") or []
    parties = int(consensus.get("parties") or 0)
    counts = consensus.get("counts") or {}
    steps = [day_of(entry["on"]) for entry in path]
    marks = [(d, s) for s in signoffs if (d := day_of(s.get("on"))) is not None]
    summit = day_of(summit_on)
    cut = day_of(consensus.get("as_of"))  # the cut-off the user asked for
    known = [d for d in steps if d] + [d for d, _ in marks]
    data_end = _end(day_of(consensus.get("as_of") or as_of), [*known, summit])
    every = [*known, *([summit] if summit else []), *([data_end] if data_end else [])]
    marks.sort(key=lambda mark: mark[0])

    proposal = consensus.get("proposal", "?")
    support = f"{counts.get('supports', 0)} of {parties} allies support"
    targets = " + ".join(describe_target(t) for t in title_targets)
    targets = f"Targets: {targets}" if targets else "No targets on the table yet"
    title, subtitle, head = wrap_headings(
        f"Consensus on {proposal}: {support}", targets, 11
    )
    key_rows = (len(marks) + KEY_COLUMNS - 1) // KEY_COLUMNS
    key_height = 0.25 + 0.17 * key_rows if marks else 0.0
    fig = new_figure(11, 4.6 + head + 0.65 + key_height)
    bottom = (0.7 + key_height) / fig.get_figheight()
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
    for i, (day, _) in enumerate(marks):
        ax.axvline(
            mdates.date2num(day),
            color=INK,
            linestyle=(0, (4, 3)),
            linewidth=1.2,
            gid=f"signoff-{i}",
        )
    if marks:
        _number_signoffs(fig, ax, marks, key_height)
    left, right = ax.get_xlim()
    if path and cut and left <= mdates.date2num(cut) <= right:
        ax.axvline(
            mdates.date2num(cut), color=MUTED, linestyle=":", linewidth=1.4, gid="as-of"
        )
    if summit:
        x = mdates.date2num(summit)
        ax.axvline(x, color=INK, linewidth=2.2, gid="summit")
        where = (x - left) / (right - left)
        ax.text(
            x,
            1.01,
            f"summit {summit:%-d %b %Y}",
            transform=top,
            ha="right" if where > 0.8 else "left" if where < 0.2 else "center",
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
            Line2D([], [], color=INK, linestyle=(0, (4, 3)), label="sign-off (n°)")
        )
    if path and cut:
        handles.append(
            Line2D([], [], color=MUTED, linestyle=":", label=f"as of {cut:%-d %b %Y}")
        )
    legend(fig, handles, head)
    return fig


def _end(drawn_through: date | None, dates: list[date | None]) -> date | None:
    """Where the time axis ends: the cut-off, but never more than a week after
    the last thing drawn (an as-of in 9999 draws no empty centuries)."""
    known = [d for d in dates if d]
    if not known:
        return drawn_through
    last = max(known) + timedelta(days=7)
    return min(drawn_through, last) if drawn_through else max(known)


def _number_signoffs(
    fig: Figure, ax: Axes, marks: list[tuple[date, Any]], key_height: float
) -> None:
    """Each sign-off day gets its numbers ("3", "4–6") at the top of its line,
    moved down a row while it would touch a label already placed, and a key
    under the chart says which document each number is: labels never overlap."""
    from matplotlib import dates as mdates
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    days: dict[date, list[int]] = {}
    for n, (day, _) in enumerate(marks, start=1):
        days.setdefault(day, []).append(n)
    placed: list[Any] = []
    row_height = 0.06
    for i, (day, numbers) in enumerate(sorted(days.items())):
        text = str(numbers[0]) + (f"–{numbers[-1]}" if len(numbers) > 1 else "")
        label = ax.text(
            mdates.date2num(day),
            0.97,
            text,
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="top",
            fontsize=7.5,
            color=INK,
            gid=f"signoff-label-{i}",
            bbox={"facecolor": "white", "alpha": 0.9, "edgecolor": "none", "pad": 1},
        )
        row = 0
        while True:
            label.set_y(0.97 - row * row_height)
            box = label.get_window_extent(renderer).expanded(1.5, 1.2)
            if not any(box.overlaps(other) for other in placed):
                break
            row += 1
        placed.append(box)
    width = fig.get_figwidth()
    for n, (day, signoff) in enumerate(marks, start=1):
        column, row = divmod(n - 1, (len(marks) + KEY_COLUMNS - 1) // KEY_COLUMNS)
        document = plain(
            textwrap.shorten(str(signoff.get("document") or "sign-off"), 52)
        )
        fig.text(
            (0.15 + column * (width - 0.3) / KEY_COLUMNS) / width,
            (key_height + 0.35 - 0.17 * row) / fig.get_figheight(),
            f"{n}  {day:%-d %b %Y}  {document}",
            fontsize=7.5,
            color=INK,
            va="top",
            gid=f"signoff-key-{n}",
        )


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
