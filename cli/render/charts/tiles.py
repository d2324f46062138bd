"""Where each party's tile sits on the stance map, and what a tile says.

The layout is package data (`tile_layout.json`: a [column, row] per ally code,
as newsroom tile-grid maps place them); parties it lacks fill a fallback grid
below the map, in the order given. Shared by the map chart and the report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from cli.render.charts.common import STANCE_COLOURS, STANCES
from domain.vocabulary import UNKNOWN

LAYOUT_FILE = Path(__file__).with_name("tile_layout.json")
MARKED = "conditional"  # hatched on the map as well as coloured


@dataclass(frozen=True)
class Tile:
    """One party's square: grid column and row (row 0 at the top)."""

    code: str
    col: int
    row: int


@cache
def _layout() -> tuple[int, dict[str, tuple[int, int]]]:
    data = json.loads(LAYOUT_FILE.read_text(encoding="utf-8"))
    tiles = {code: (int(c), int(r)) for code, (c, r) in data["tiles"].items()}
    return int(data["columns"]), tiles


def place(parties: list[str]) -> list[Tile]:
    """A tile per party: its map position, or the next cell of the fallback grid."""
    columns, layout = _layout()
    placed = [Tile(p, *layout[p]) for p in parties if p in layout]
    first_free = max((t.row for t in placed), default=-2) + 2
    missing = [p for p in parties if p not in layout]
    placed += [
        Tile(p, i % columns, first_free + i // columns) for i, p in enumerate(missing)
    ]
    return placed


def grid_size(tiles: list[Tile]) -> tuple[int, int]:
    """Columns and rows the tiles span (at least 1 x 1)."""
    return (
        max((t.col for t in tiles), default=0) + 1,
        max((t.row for t in tiles), default=0) + 1,
    )


def stance_of(ally: dict[str, Any]) -> str:
    return ally.get("stance") or UNKNOWN


def legend_counts(allies: list[dict[str, Any]]) -> dict[str, int]:
    """How many tiles of each stance (every stance listed, in legend order)."""
    counts = dict.fromkeys(STANCES, 0)
    for ally in allies:
        counts[stance_of(ally)] = counts.get(stance_of(ally), 0) + 1
    return counts


def colour_of(stance: str) -> str:
    return STANCE_COLOURS.get(stance, STANCE_COLOURS[UNKNOWN])
