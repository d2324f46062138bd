"""Charts of the consensus path and of pledges against targets, from the JSON views.

Pure rendering: plain dicts in (SPEC §4 shapes), PNG or SVG out. matplotlib is an
optional extra, imported only when a chart is drawn.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from domain.vocabulary import STANCE_ORDER

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

STANCES: tuple[str, ...] = STANCE_ORDER

# Okabe–Ito (colour-blind safe) for the four stances, neutral grey for "unknown".
STANCE_COLOURS: dict[str, str] = {
    "supports": "#009E73",
    "conditional": "#E69F00",
    "undecided": "#56B4E9",
    "opposes": "#D55E00",
    "unknown": "#BBBBBB",
}
MEETS_COLOUR = "#009E73"
SHORT_COLOUR = "#E69F00"
INK = "#222222"
MUTED = "#666666"

METRIC_LABELS: dict[str, str] = {
    "core_defence": "core defence",
    "defence_related": "defence-related",
    "total": "total defence",
}

FORMATS = (".png", ".svg")
# Says both "install summit[charts]" (issue 6) and the exact pip command.
INSTALL_HINT = (
    "charts need matplotlib: install summit[charts] (pip install 'summit[charts]')"
)


class ChartsUnavailable(RuntimeError):
    """matplotlib (the `summit[charts]` extra) is not installed."""


# --- small formatting helpers (shared with the report) ---------------------------


def fmt_pct(value: Any) -> str:
    """A share of GDP or a gap as the view wrote it (3.5, 0.25, 2): no rounding."""
    # A JSON number's shortest repr is how it was written; a string stays as is.
    return "—" if value is None else str(value)


def metric_label(metric: str) -> str:
    return METRIC_LABELS.get(metric, metric.replace("_", " "))


def describe_target(target: dict[str, Any]) -> str:
    """`{"metric": "core_defence", "pct_gdp": 3.5, "by_year": 2035}` → readable."""
    pct = target.get("pct_gdp", target.get("target_pct"))
    return (
        f"{fmt_pct(pct)}% {metric_label(str(target['metric']))} by {target['by_year']}"
    )


def make_source_line(
    *, log_position: int, as_of: str | None, known_at: str | None = None
) -> str:
    """The traceability line printed under every chart and in the report."""
    line = f"summit, log position {log_position}"
    if as_of:
        line += f", as of {as_of}"
    if known_at:
        line += f", known at {known_at}"
    return line


def signoffs_from_timeline(timeline: dict[str, Any]) -> list[dict[str, Any]]:
    """The sign-offs to mark on a consensus chart: every non-retracted one."""
    marks: list[dict[str, Any]] = []
    for row in timeline.get("events", []):
        event = row.get("event") or {}
        if row.get("type") != "signoff.recorded" or row.get("retracted"):
            continue
        marks.append(
            {
                "on": row.get("occurred_on") or event.get("occurred_on"),
                "ref": row.get("ref"),
                "document": event.get("document") or row.get("summary") or "sign-off",
            }
        )
    return marks


# --- matplotlib plumbing ---------------------------------------------------------


def _check_out(out: Path) -> str:
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"unsupported chart format '{out.suffix}': use .png or .svg")
    if not out.parent.is_dir():
        raise ValueError(f"output folder '{out.parent}' does not exist")
    return suffix[1:]


def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError as exc:
        raise ChartsUnavailable(INSTALL_HINT) from exc
    matplotlib.use("Agg")
    return matplotlib


@contextmanager
def _svg_rc(salt: str) -> Iterator[None]:
    """Real <text> in the SVG and stable element ids (reproducible output)."""
    matplotlib = _matplotlib()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        yield


def _save(fig: Figure, out: Path, fmt: str, salt: str) -> None:
    if fmt == "svg":
        with _svg_rc(salt):
            fig.savefig(out, format="svg", metadata={"Date": None})
    else:
        fig.savefig(out, format="png", dpi=150, metadata={"Software": None})


def fig_to_svg(fig: Figure, *, salt: str = "summit") -> str:
    """The figure as an SVG document string (text kept as text)."""
    import io

    buffer = io.StringIO()
    with _svg_rc(salt):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def inline_svg(svg: str) -> str:
    """An SVG document reduced to its <svg> element, scalable, for inlining in HTML.

    matplotlib's automatic ids (`figure_1`, `text_3`, ...) are dropped: nothing
    refers to them and they would repeat between two charts on one page.
    """
    start = svg.find("<svg")
    element = svg[start:] if start >= 0 else svg
    element = re.sub(r'(<[^<>]*?)\sid="[A-Za-z][A-Za-z0-9.]*_\d+"', r"\1", element)
    head_end = element.find(">")
    head = re.sub(r'\s(width|height)="[^"]*"', "", element[:head_end])
    return head + ' role="img"' + element[head_end:]


def _new_figure(width: float, height: float) -> Figure:
    _matplotlib()
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    fig.patch.set_facecolor("white")
    return fig


def _from_top(fig: Figure, inches: float) -> float:
    return 1 - inches / fig.get_figheight()


def _wrap_headings(title: str, subtitle: str, width: float) -> tuple[str, str, float]:
    """Title and subtitle wrapped to a figure `width` inches wide, and their height."""
    title = textwrap.fill(title, int(width * 7.4))
    subtitle = textwrap.fill(subtitle, int(width * 12.5))
    height = 0.15 + 0.3 * (title.count("\n") + 1) + 0.2 * (subtitle.count("\n") + 1)
    return title, subtitle, height


def _headings(
    fig: Figure, name: str, title: str, subtitle: str, source_line: str
) -> None:
    """Title and subtitle (as wrapped) at the top left, the source line below."""
    x = 0.15 / fig.get_figwidth()
    below_title = 0.2 + 0.3 * (title.count("\n") + 1)
    fig.text(x, _from_top(fig, 0.15), title, fontsize=15, weight="bold", color=INK,
             va="top", linespacing=1.1, gid=f"{name}-title")  # fmt: skip
    fig.text(x, _from_top(fig, below_title), subtitle, fontsize=10, color=MUTED,
             va="top", gid=f"{name}-subtitle")  # fmt: skip
    fig.text(x, 0.1 / fig.get_figheight(), source_line, fontsize=8, color=MUTED,
             gid=f"{name}-source-line")  # fmt: skip


def _legend(fig: Figure, handles: list[Any], below: float) -> None:
    """One row of legend under the headings (`below`: inches from the top)."""
    fig.legend(
        handles=handles, loc="upper left", ncol=len(handles), frameon=False,
        bbox_to_anchor=(0.15 / fig.get_figwidth(), _from_top(fig, below + 0.12)),
        fontsize=9, handlelength=1.4, borderaxespad=0, borderpad=0,
    )  # fmt: skip


def _plain(text: Any) -> str:
    """User text drawn literally: a `$` must not start matplotlib mathtext."""
    return str(text).replace("$", r"\$")


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


# --- consensus path --------------------------------------------------------------


def _consensus_figure(
    consensus: dict[str, Any],
    *,
    title_targets: list[dict[str, Any]],
    summit_on: str | None,
    signoffs: list[dict[str, Any]],
    source_line: str,
    as_of: str | None,
) -> Figure:
    _matplotlib()
    from matplotlib import dates as mdates
    from matplotlib.collections import PatchCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle
    from matplotlib.ticker import MaxNLocator
    from matplotlib.transforms import offset_copy

    path = consensus.get("path") or []
    parties = int(consensus.get("parties") or 0)
    counts = consensus.get("counts") or {}
    steps = [_day(entry["on"]) for entry in path]
    marks = [(d, s) for s in signoffs if (d := _day(s.get("on"))) is not None]
    summit = _day(summit_on)
    drawn_through = _day(consensus.get("as_of") or as_of)
    known = [d for d in steps if d] + [d for d, _ in marks]
    data_end = max([*known, *([drawn_through] if drawn_through else [])], default=None)
    every = [*known, *([summit] if summit else []), *([data_end] if data_end else [])]

    proposal = consensus.get("proposal", "?")
    support = f"{counts.get('supports', 0)} of {parties} allies support"
    targets = " + ".join(describe_target(t) for t in title_targets)
    targets = f"Targets: {targets}" if targets else "No targets on the table yet"
    title, subtitle, head = _wrap_headings(
        f"Consensus on {proposal}: {support}", targets, 11
    )
    fig = _new_figure(11, 4.6 + head + 0.65)
    bottom = 0.7 / fig.get_figheight()
    ax: Axes = fig.add_axes((0.055, bottom, 0.93, _from_top(fig, head + 0.65) - bottom))
    _headings(fig, "consensus", title, subtitle, source_line)

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
        label = _plain(textwrap.shorten(str(signoff.get("document") or "sign-off"), 48))
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
    _legend(fig, handles, head)
    return fig


def consensus_chart(
    consensus: dict[str, Any],
    *,
    title_targets: list[dict[str, Any]],
    summit_on: str | None,
    signoffs: list[dict[str, Any]],
    source_line: str,
    out: Path,
    as_of: str | None = None,
) -> None:
    """Write the consensus path as a stacked step chart to `out` (.png or .svg).

    Each path entry is one step (SVG group `step-<i>`), drawn until the next
    entry; the last one runs to the view's `as_of` (or `as_of` given here, e.g.
    today, when the view has none), else to the latest dated mark.
    """
    fmt = _check_out(Path(out))
    fig = _consensus_figure(
        consensus,
        title_targets=title_targets,
        summit_on=summit_on,
        signoffs=signoffs,
        source_line=source_line,
        as_of=as_of,
    )
    _save(fig, Path(out), fmt, "summit-consensus")


def consensus_svg(
    consensus: dict[str, Any],
    *,
    title_targets: list[dict[str, Any]],
    summit_on: str | None,
    signoffs: list[dict[str, Any]],
    source_line: str,
    as_of: str | None = None,
) -> str:
    """The consensus chart as an SVG document string."""
    fig = _consensus_figure(
        consensus,
        title_targets=title_targets,
        summit_on=summit_on,
        signoffs=signoffs,
        source_line=source_line,
        as_of=as_of,
    )
    return fig_to_svg(fig, salt="summit-consensus")


# --- pledges against targets -----------------------------------------------------


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


def _is_ambition(ally: dict[str, Any], target: dict[str, Any], pledged: Any) -> bool:
    for pledge in ally.get("pledges") or []:
        if (
            pledge.get("metric") == target.get("metric")
            and int(pledge.get("by_year", 0)) <= int(target.get("by_year", 0))
            and float(pledge.get("pct_gdp", -1)) == float(pledged)
        ):
            return pledge.get("firmness") == "ambition"
    return False


def _pledges_figure(stance: dict[str, Any], *, source_line: str) -> Figure:
    _matplotlib()
    from matplotlib.patches import Patch
    from matplotlib.ticker import FormatStrFormatter
    from matplotlib.transforms import offset_copy

    targets = stance.get("targets") or []
    allies = sorted_by_gap(stance)
    rows = max(len(allies), 1)
    fig_width = max(8.5, 4.2 * max(len(targets), 1) + 2.5)
    proposal = stance.get("proposal", "?")
    title, subtitle, head = _wrap_headings(
        f"Pledges against the targets of {proposal}",
        "Largest pledged share of GDP against each target (dashed line), largest "
        "gap to the first target first. Hatched: an ambition.",
        fig_width,
    )
    fig = _new_figure(fig_width, head + 0.75 + 0.34 * rows + 0.8)
    bottom = 0.8 / fig.get_figheight()
    height = _from_top(fig, head + 0.75) - bottom
    _headings(fig, "pledges", title, subtitle, source_line)
    labels = [
        _plain(f"{a.get('name') or a.get('ally')} ({a.get('ally')})") for a in allies
    ]
    panels = max(len(targets), 1)
    left, gutter = 0.2, 0.03
    width = (0.98 - left - gutter * (panels - 1)) / panels

    for p in range(panels):
        ax: Axes = fig.add_axes((left + p * (width + gutter), bottom, width, height))
        ax.set_ylim(len(allies) - 0.5, -0.5)
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
                color=MUTED,
            )
            ax.set_xticks([])
            continue
        target = targets[p]
        target_pct = float(target["pct_gdp"])
        ax.set_title(
            f"target: {describe_target(target)}", loc="left", fontsize=10, color=INK
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
                    color=MUTED,
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
                color=MEETS_COLOUR if meets else SHORT_COLOUR,
                hatch="///" if _is_ambition(ally, target, pledged) else None,
                edgecolor="white",
                linewidth=0,
                gid=f"pledge-{code}-{p}",
            )
            note = "meets" if meets else f"gap {fmt_pct(gap.get('gap_pp'))} pp"
            ax.text(
                max(value, target_pct),
                row,
                f"{fmt_pct(pledged)}%, {note}",
                transform=offset_copy(ax.transData, fig=fig, x=5, units="points"),
                va="center",
                fontsize=8,
                color=INK,
            )
        ax.axvline(
            target_pct,
            color=INK,
            linestyle=(0, (4, 2)),
            linewidth=1.4,
            gid=f"target-{p}",
        )
        ax.set_xlim(0, longest * 1.5)
        ax.xaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.set_xlabel("% of GDP", color=MUTED, fontsize=9)

    handles = [
        Patch(facecolor=MEETS_COLOUR, label="meets the target"),
        Patch(facecolor=SHORT_COLOUR, label="short of the target"),
        Patch(facecolor="white", edgecolor=INK, hatch="///", label="ambition"),
    ]
    _legend(fig, handles, head)
    return fig


def pledges_chart(stance: dict[str, Any], *, source_line: str, out: Path) -> None:
    """Write each ally's pledges against each target to `out` (.png or .svg)."""
    fmt = _check_out(Path(out))
    _save(
        _pledges_figure(stance, source_line=source_line),
        Path(out),
        fmt,
        "summit-pledges",
    )


def pledges_svg(stance: dict[str, Any], *, source_line: str) -> str:
    """The pledges chart as an SVG document string."""
    return fig_to_svg(
        _pledges_figure(stance, source_line=source_line), salt="summit-pledges"
    )
