"""The stance map: one equal square per party, placed as on a map, coloured by
stance (conditional also hatched), labelled with the ally code."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.render.charts import common, tiles

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CELL = 0.62  # inches per grid cell
GAP = 0.08  # share of a cell left blank between tiles


def figure(stance: dict[str, Any], *, source_line: str) -> Figure:
    common.load_matplotlib()
    from matplotlib.patches import Patch, Rectangle

    allies = stance.get("allies") or []
    by_code = {a["ally"]: a for a in allies}
    placed = tiles.place([a["ally"] for a in allies])
    cols, rows = tiles.grid_size(placed)
    counts = tiles.legend_counts(allies)
    width = max(7.5, cols * CELL + 0.6)
    title, subtitle, head = common.wrap_headings(
        f"Where the allies stand on {stance.get('proposal', '?')}",
        f"{counts['supports']} of {len(allies)} allies support"
        f"{', as of ' + stance['as_of'] if stance.get('as_of') else ''}. "
        "One square per ally, placed roughly as on the map; hatched: conditional.",
        width,
    )
    fig = common.new_figure(width, head + 0.4 + rows * CELL + 0.45)
    common.headings(fig, "stancemap", title, subtitle, source_line)
    ax = fig.add_axes(
        (
            0.3 / width,
            0.35 / fig.get_figheight(),
            cols * CELL / width,
            rows * CELL / fig.get_figheight(),
        )
    )
    ax.set_xlim(0, cols)
    ax.set_ylim(rows, 0)
    ax.set_axis_off()
    for tile in placed:
        stance_name = tiles.stance_of(by_code[tile.code])
        ax.add_patch(
            Rectangle(
                (tile.col + GAP / 2, tile.row + GAP / 2), 1 - GAP, 1 - GAP,
                facecolor=tiles.colour_of(stance_name), edgecolor="white",
                hatch="///" if stance_name == tiles.MARKED else None, linewidth=0,
                gid=f"tile-{tile.code}-{stance_name}",
            )
        )  # fmt: skip
        ax.text(tile.col + 0.5, tile.row + 0.5, common.plain(tile.code),
                ha="center", va="center", fontsize=9, weight="bold",
                color=common.INK)  # fmt: skip
    handles = [
        Patch(
            facecolor=tiles.colour_of(name),
            hatch="///" if name == tiles.MARKED else None,
            edgecolor="white",
            label=f"{name} ({n})",
        )
        for name, n in counts.items()
    ]
    common.legend(fig, handles, head)
    return fig


def map_chart(stance: dict[str, Any], *, source_line: str, out: Path) -> None:
    """Write the stance map of one proposal to `out` (.png or .svg)."""
    fmt = common.check_out(Path(out))
    fig = figure(stance, source_line=source_line)
    common.save(fig, Path(out), fmt, "summit-stancemap")
