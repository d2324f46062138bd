"""The report's stance map and time slider: the tiles as drawn for the final
state, the slider's data (embedded as JSON, escaped for a <script> block) and
the inline script that redraws the map, with the hash the page's CSP allows."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from cli.render.charts import tiles
from cli.render.charts.common import STANCE_COLOURS

SCRIPT = Path(__file__).with_name("slider.js")
EVIDENCE_FIELDS = (
    "occurred_on", "type", "summary", "quote", "speaker", "role",
    "outlet", "url", "href", "published_on", "reliability",
)  # fmt: skip


def script_json(data: Any) -> str:
    """JSON that cannot end its <script> block: <, > and & as \\u escapes."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


@cache
def slider_script() -> tuple[str, str]:
    """The slider's JavaScript and its CSP source (`'sha256-…'`)."""
    text = SCRIPT.read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest())
    return text, f"'sha256-{digest.decode('ascii')}'"


def _tile(tile: tiles.Tile, ally: dict[str, Any], name: str) -> dict[str, Any]:
    stance = tiles.stance_of(ally)
    return {
        "code": tile.code,
        "name": name,
        "col": tile.col + 1,  # CSS grid lines count from 1
        "row": tile.row + 1,
        "stance": stance,
        "colour": tiles.colour_of(stance),
        "marked": stance == tiles.MARKED,
        "label": f"{name} ({tile.code}): {stance}",
    }


def _whole(entry: dict[str, Any], field: str) -> Any:
    """A field of a report evidence entry, a folded text whole (`_full`)."""
    if f"{field}_summary" in entry:
        return entry[f"{field}_full"] or entry[f"{field}_summary"]
    return entry.get(field)


def _slider_data(
    over_time: dict[str, Any],
    names: dict[str, str],
    evidence_of: Callable[[str], dict[str, Any] | None],
) -> dict[str, Any]:
    runs = []
    for run in over_time["runs"]:
        entry = evidence_of(run["evidence"]) if run["evidence"] else None
        detail = {f: _whole(entry, f) for f in EVIDENCE_FIELDS} if entry else None
        runs.append({**run, "detail": detail})
    return {
        "colours": STANCE_COLOURS,
        "marked": tiles.MARKED,
        "names": names,
        "stops": over_time["stops"],
        "runs": runs,
    }


def map_context(
    allies: list[dict[str, Any]],
    names: dict[str, str],
    over_time: dict[str, Any] | None,
    evidence_of: Callable[[str], dict[str, Any] | None],
) -> dict[str, Any]:
    """What `stancemap.html.j2` draws; `over_time` None: the final map only."""
    by_code = {a["ally"]: a for a in allies}
    placed = tiles.place(list(by_code))
    cols, _ = tiles.grid_size(placed)
    counts = tiles.legend_counts(allies)
    context: dict[str, Any] = {
        "tiles": [_tile(t, by_code[t.code], names[t.code]) for t in placed],
        "columns": cols,
        "legend": [
            {"stance": s, "colour": tiles.colour_of(s), "n": n}
            for s, n in counts.items()
        ],
        "stops": [],
        "data": None,
    }
    if over_time and over_time["stops"]:
        script, digest = slider_script()
        context["stops"] = [stop["on"] for stop in over_time["stops"]]
        context["data"] = script_json(_slider_data(over_time, names, evidence_of))
        context["script"], context["script_hash"] = script, digest
    return context
