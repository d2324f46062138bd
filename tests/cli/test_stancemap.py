"""The stance map (`summit chart map`) and the report's time slider data: the
page carries, for every date on the consensus path, exactly the CLI's views."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cli.render.charts import tiles
from domain.registry import NATO_ALLIES
from tests.builders import HOSTILE, moving_table

SEED = Path(__file__).resolve().parents[2] / "examples" / "hague-2025-seed.jsonl"
ROW = ("stance", "since", "evidence", "conditions")


def data_block(html: str) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="map-data">(.*?)</script>', html, re.S
    )
    assert found is not None, "the report carries no slider data"
    return dict(json.loads(found.group(1)))


def rows_on(data: dict[str, Any], day: str) -> dict[str, dict[str, Any]]:
    """What the page's script picks for `day`: the run of each ally spanning it."""
    rows: dict[str, dict[str, Any]] = {}
    for run in data["runs"]:
        if run["from"] <= day <= run["to"]:
            assert run["ally"] not in rows, f"two runs of {run['ally']} on {day}"
            rows[run["ally"]] = {f: run[f] for f in ROW}
    return rows


def assert_page_equals_cli(summit: Any, data: dict[str, Any], *extra: str) -> None:
    for stop in data["stops"]:
        day = stop["on"]
        consensus = summit.json("consensus", "t", "--as-of", day, *extra)
        stance = summit.json("stance", "t", "--as-of", day, *extra)
        for key in ("parties", "counts", "holdouts", "reached_on"):
            assert stop[key] == consensus[key], (day, key)
        expected = {a["ally"]: {f: a[f] for f in ROW} for a in stance["allies"]}
        assert rows_on(data, day) == expected, day


def report(summit: Any, *args: str) -> dict[str, Any]:
    out = summit.tmp / "report.html"
    summit.ok("report", "t", "--out", str(out), *args)
    return data_block(out.read_text(encoding="utf-8"))


def test_slider_data_equals_consensus_and_stance_as_of_every_path_date(
    summit: Any,
) -> None:
    summit.load(moving_table())
    data = report(summit)
    path = [step["on"] for step in summit.json("consensus", "t")["path"]]
    assert path[-1] == "2025-06-25"  # the sign-off moves ESP to supports
    assert [stop["on"] for stop in data["stops"]] == path
    assert_page_equals_cli(summit, data)
    details = {r["evidence"]: r["detail"] for r in data["runs"] if r["evidence"]}
    assert details["gbr-1"]["quote"] == HOSTILE
    assert details["esp-1"]["occurred_on"] == "2025-06-04"  # as corrected
    assert "pol-rumour" not in details  # retracted evidence never decides


def test_slider_data_respects_the_reports_as_of_and_known_at(summit: Any) -> None:
    records = moving_table()
    summit.load(records[:6])
    time.sleep(1.1)
    known = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    time.sleep(1.1)
    summit.load(records[6:])
    cut = report(summit, "--known-at", known)
    assert cut["stops"][-1]["on"] == "2025-06-05"
    assert_page_equals_cli(summit, cut, "--known-at", known)
    early = report(summit, "--as-of", "2025-06-05")
    assert [s["on"] for s in early["stops"]][-1] == "2025-06-05"
    assert_page_equals_cli(summit, early)


def test_slider_data_on_the_seed_sample_equals_the_cli(summit: Any) -> None:
    lines = SEED.read_text(encoding="utf-8").replace("hague-2025", "t")
    summit.ok("import", "-", input=lines)
    data = report(summit)
    assert len(data["stops"]) >= 3
    assert_page_equals_cli(summit, data)


def test_a_quote_cannot_close_the_data_block(summit: Any) -> None:
    summit.load(moving_table())
    out = summit.tmp / "report.html"
    summit.ok("report", "t", "--out", str(out))
    html = out.read_text(encoding="utf-8")
    block = html.split('id="map-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block
    assert "if </script> ok" in json.dumps(data_block(html), ensure_ascii=False)
    csp = re.search(r'Content-Security-Policy" content="([^"]*)"', html)
    assert csp is not None and "script-src 'sha256-" in csp.group(1)
    assert "unsafe-inline" not in csp.group(1).split("script-src", 1)[1].split(";")[0]


def test_map_chart_draws_a_tile_per_party_coloured_by_stance(summit: Any) -> None:
    summit.load(moving_table())
    out = summit.tmp / "map.svg"
    result = summit.run("chart", "map", "t", "--as-of", "2025-06-05", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    svg = out.read_text(encoding="utf-8")
    drawn = dict(re.findall(r'<g id="tile-([A-Z]{3})-([a-z]+)"', svg))
    stance = summit.json("stance", "t", "--as-of", "2025-06-05")
    assert drawn == {a["ally"]: a["stance"] for a in stance["allies"]}
    assert "conditional (1)" in svg and "supports (2)" in svg
    assert "as of 2025-06-05" in svg
    png = summit.tmp / "map.png"
    assert summit.run("chart", "map", "t", "--out", str(png)).exit_code == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "map.gif"], "unsupported chart format"),
        (["--out", "no/such/dir/map.svg"], "does not exist"),
        (["-p", "nope", "--out", "map.svg"], "not tabled"),
        (["--as-of", "June", "--out", "map.svg"], "as-of"),
    ],
)
def test_bad_map_requests_exit_2_without_a_traceback(
    summit: Any, args: list[str], message: str
) -> None:
    summit.load(moving_table())
    result = summit.run("chart", "map", "t", *args)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert message in result.stderr.strip().splitlines()[-1]
    assert "Traceback" not in result.stderr


def test_layout_places_every_ally_on_its_own_square() -> None:
    placed = tiles.place(list(NATO_ALLIES))
    assert len({(t.col, t.row) for t in placed}) == len(NATO_ALLIES)
    _, layout = tiles._layout()
    assert set(layout) == set(NATO_ALLIES)


def test_parties_the_layout_lacks_go_to_a_fallback_grid_below() -> None:
    placed = tiles.place(["FRA", "XKX", "DEU", "ZZZ"])
    by_code = {t.code: t for t in placed}
    map_bottom = max(by_code["FRA"].row, by_code["DEU"].row)
    assert by_code["XKX"].row > map_bottom + 1 and by_code["XKX"].col == 0
    assert (by_code["ZZZ"].row, by_code["ZZZ"].col) == (by_code["XKX"].row, 1)
    assert tiles.place([]) == []
