"""What every chart shares: colours, labels, matplotlib plumbing, headings.

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

from cli.render.text import visible
from domain.vocabulary import STANCE_ORDER

if TYPE_CHECKING:
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
    *,
    log_position: int,
    as_of: str | None,
    known_at: str | None = None,
    latest: str | None = None,
) -> str:
    """The traceability line printed under every chart and in the report: the
    cut-off applied, or without one "all events (latest: DATE)"."""
    line = f"summit, log position {log_position}"
    line += f", {cut_text(as_of, latest)}"
    if known_at:
        line += f", known at {known_at}"
    return line


def cut_text(as_of: str | None, latest: str | None) -> str:
    """What a view covers: "as of DATE", or "all events (latest: DATE)"."""
    if as_of:
        return f"as of {as_of}"
    return f"all events (latest: {latest})" if latest else "all events"


def latest_on(timeline: dict[str, Any]) -> str | None:
    """The latest world date among a timeline's events (None when none)."""
    days = [
        e["occurred_on"] for e in timeline.get("events", []) if e.get("occurred_on")
    ]
    return max(days, default=None)


# The dates a chart can draw (the range input accepts for world dates); a
# date outside it, in a store written before input refused it, is drawn at
# the nearest end.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2100, 12, 31)


def drawable(day: date) -> date:
    return min(max(day, FIRST_DAY), LAST_DAY)


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


def check_out(out: Path) -> str:
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"unsupported chart format '{out.suffix}': use .png or .svg")
    if not out.parent.is_dir():
        raise ValueError(f"output folder '{out.parent}' does not exist")
    return suffix[1:]


def load_matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError as exc:
        raise ChartsUnavailable(INSTALL_HINT) from exc
    matplotlib.use("Agg")
    return matplotlib


@contextmanager
def svg_rc(salt: str) -> Iterator[None]:
    """Real <text> in the SVG and stable element ids (reproducible output)."""
    matplotlib = load_matplotlib()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        yield


def save(fig: Figure, out: Path, fmt: str, salt: str) -> None:
    if fmt == "svg":
        with svg_rc(salt):
            fig.savefig(out, format="svg", metadata={"Date": None})
    else:
        fig.savefig(out, format="png", dpi=150, metadata={"Software": None})


def fig_to_svg(fig: Figure, *, salt: str = "summit") -> str:
    """The figure as an SVG document string (text kept as text)."""
    import io

    buffer = io.StringIO()
    with svg_rc(salt):
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


def new_figure(width: float, height: float) -> Figure:
    load_matplotlib()
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    fig.patch.set_facecolor("white")
    return fig


def from_top(fig: Figure, inches: float) -> float:
    return 1 - inches / fig.get_figheight()


def wrap_headings(title: str, subtitle: str, width: float) -> tuple[str, str, float]:
    """Title and subtitle wrapped to a figure `width` inches wide, and their height."""
    title = textwrap.fill(title, int(width * 7.4))
    subtitle = textwrap.fill(subtitle, int(width * 12.5))
    height = 0.15 + 0.3 * (title.count("\n") + 1) + 0.2 * (subtitle.count("\n") + 1)
    return title, subtitle, height


def headings(
    fig: Figure, name: str, title: str, subtitle: str, source_line: str
) -> None:
    """Title and subtitle (as wrapped) at the top left, the source line below."""
    x = 0.15 / fig.get_figwidth()
    below_title = 0.2 + 0.3 * (title.count("\n") + 1)
    fig.text(x, from_top(fig, 0.15), title, fontsize=15, weight="bold", color=INK,
             va="top", linespacing=1.1, gid=f"{name}-title")  # fmt: skip
    fig.text(x, from_top(fig, below_title), subtitle, fontsize=10, color=MUTED,
             va="top", gid=f"{name}-subtitle")  # fmt: skip
    fig.text(x, 0.1 / fig.get_figheight(), source_line, fontsize=8, color=MUTED,
             gid=f"{name}-source-line")  # fmt: skip


def legend(fig: Figure, handles: list[Any], below: float) -> None:
    """One row of legend under the headings (`below`: inches from the top)."""
    fig.legend(
        handles=handles, loc="upper left", ncol=len(handles), frameon=False,
        bbox_to_anchor=(0.15 / fig.get_figwidth(), from_top(fig, below + 0.12)),
        fontsize=9, handlelength=1.4, borderaxespad=0, borderpad=0,
    )  # fmt: skip


def plain(text: Any) -> str:
    """User text drawn literally: a `$` must not start matplotlib mathtext, and a
    stored control character is drawn as a visible escape."""
    return visible(str(text)).replace("$", r"\$")


def day_of(text: str | None) -> date | None:
    """The date of `text`, within the drawable range (None when there is none)."""
    return drawable(date.fromisoformat(text[:10])) if text else None
