"""`summit chart delivery`, the report's Delivery section and `summit demo` on a
real store, as a user runs them: files written, order, values, bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.builders import opened, spent, tabled
from tests.cli.test_delivery_chart import delivery_cells, expected_cells

ROOT = Path(__file__).resolve().parents[2]
FULL = ROOT / "examples" / "hague-2025.jsonl"
SEED = ROOT / "examples" / "hague-2025-seed.jsonl"


@pytest.fixture
def spending(summit: Any) -> Any:
    """GBR off track (trend 0.03 < 0.26 needed), DEU on track (1.0 >= 0.1), FRA
    without any figure."""
    summit.load(
        [
            opened(),
            tabled([{"metric": "total", "pct_gdp": 5.0, "by_year": 2035}]),
            spent("gbr-22", "GBR", 2022, 2.3, "2023-02-01", basis="actual"),
            spent("gbr-24", "GBR", 2024, 2.33, "2025-02-01", basis="actual"),
            spent("gbr-25", "GBR", 2025, 2.4, "2025-06-01", basis="estimate"),
            spent("deu-24", "DEU", 2024, 3.0, "2024-06-17", basis="estimate"),
            spent("deu-25", "DEU", 2025, 4.0, "2025-06-01", basis="estimate"),
        ]
    )
    return summit


def _panels(svg: str) -> list[str]:
    return re.findall(r'id="panel-([A-Z]{3})"', svg)


def test_the_chart_is_a_png_and_an_svg_from_the_cli(spending: Any) -> None:
    png, svg = spending.tmp / "d.png", spending.tmp / "d.svg"
    for out in (png, svg):
        result = spending.run("chart", "delivery", "t", "--out", str(out))
        assert result.exit_code == 0, result.stderr
        assert f"wrote {out}" in result.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = svg.read_text()
    assert text.startswith("<?xml") and text.rstrip().endswith("</svg>")
    assert "No reported figure: France (FRA)." in text
    assert "log position 7" in text


def test_the_panels_follow_the_delivery_status(spending: Any) -> None:
    view = spending.json("delivery", "t")
    status = {a["ally"]: a["delivery"][0]["status"] for a in view["allies"]}
    assert status == {"DEU": "on_track", "FRA": "no_data", "GBR": "off_track"}
    out = spending.tmp / "d.svg"
    spending.ok("chart", "delivery", "t", "--out", str(out))
    assert _panels(out.read_text()) == ["GBR", "DEU"]


def test_estimates_hollow_actuals_filled_in_the_svg(spending: Any) -> None:
    out = spending.tmp / "d.svg"
    spending.ok("chart", "delivery", "t", "--out", str(out))
    svg = out.read_text()

    def fill(gid: str) -> str:
        group = svg[svg.index(f'<g id="{gid}">') :]
        return re.search(r"fill: ?(#[0-9a-fA-F]{6}|none|white)", group).group(1)

    assert fill("figure-GBR-total-2025-estimate").lower() == "#ffffff"
    assert fill("figure-GBR-total-2024-actual").lower() == "#0072b2"


def test_only_the_named_allies_get_a_panel(spending: Any) -> None:
    out = spending.tmp / "d.svg"
    spending.ok("chart", "delivery", "t", "--ally", "deu", "--out", str(out))
    assert _panels(out.read_text()) == ["DEU"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "d.gif"], "unsupported chart format '.gif': use .png or .svg"),
        (["--ally", "USA", "--out", "d.svg"], "--ally USA: not a party to t"),
        (["-p", "nope", "--out", "d.svg"], "nope"),
    ],
)
def test_bad_delivery_chart_requests_exit_2_in_one_line(
    spending: Any, args: list[str], message: str
) -> None:
    args = [str(spending.tmp / a) if a.startswith("d.") else a for a in args]
    result = spending.run("chart", "delivery", "t", *args)
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not list(spending.tmp.glob("d.*"))


def test_the_report_delivery_table_equals_summit_delivery(spending: Any) -> None:
    out = spending.tmp / "r.html"
    spending.ok("report", "t", "--out", str(out))
    html = out.read_text()
    view = spending.json("delivery", "t")
    cells = delivery_cells(html)
    assert cells.rows == expected_cells(view) and len(cells.rows) == 2
    summary = {s["metric"]: s["counts"] for s in view["summary"]}
    assert cells.summary == {
        m: {k: str(n) for k, n in counts.items()} for m, counts in summary.items()
    }
    assert '<figure id="chart-delivery"><svg' in html


# --- summit demo --------------------------------------------------------------------


def _events(path: Path) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return sum(1 for line in lines if line.strip() and not line.startswith("#"))


def test_demo_loads_the_full_record_by_default(summit: Any) -> None:
    view = json.loads(summit.ok("demo", "--format", "json").stdout)
    assert all(a["stance"] != "unknown" for a in view["stance"]["allies"])
    seen = {k for step in view["consensus"]["path"] for k, n in step["counts"].items()
            if n}  # fmt: skip
    assert seen == {"supports", "conditional", "undecided", "opposes", "unknown"}
    assert view["delivery"] == summit.json("delivery", "hague-2025")
    again = summit.ok("demo").stdout
    assert f"Loaded 0 events ({_events(FULL)} already there)" in again
    assert "from hague-2025.jsonl" in again


def test_demo_sample_seed_loads_the_seed_article_alone(summit: Any) -> None:
    table = summit.ok("demo", "--sample", "seed").stdout
    assert f"Loaded {_events(SEED)} events" in table
    assert "from hague-2025-seed.jsonl" in table
    assert summit.json("timeline", "hague-2025")["events"].__len__() == _events(SEED)


def test_demo_shows_the_path_the_holdouts_and_delivery(summit: Any) -> None:
    table = summit.ok("demo").stdout
    view = summit.json("delivery", "hague-2025")
    consensus = summit.json("consensus", "hague-2025")
    path = table[table.index("consensus path") :]
    rows = re.findall(r"^\s*(\d{4}-\d\d-\d\d)((?:\s+\d+){6})\s*$", path, re.M)
    assert [r[0] for r in rows] == [s["on"] for s in consensus["path"]]
    assert [r[1].split()[:5] for r in rows] == [
        [str(s["counts"][k]) for k in consensus["counts"]] for s in consensus["path"]
    ]
    stance = {
        a["ally"]: a["stance"] for a in summit.json("stance", "hague-2025")["allies"]
    }
    holdouts = ", ".join(f"{c} ({stance[c]})" for c in consensus["holdouts"])
    said = f"holdouts at the end ({len(consensus['holdouts'])}): {holdouts}"
    assert said in " ".join(path.split())
    total = next(s for s in view["summary"] if s["metric"] == "total")
    counts = ", ".join(
        f"{n} {k.replace('_', ' ')}" for k, n in total["counts"].items() if n
    )
    assert f"5% total by 2035: {counts}" in table
    block = path[: path.index("delivery (")].splitlines()
    assert max(len(line) for line in block) <= 80


def test_demo_report_is_written_whatever_the_format(summit: Any) -> None:
    for fmt in ("json", "csv", "table"):
        out = summit.tmp / f"demo-{fmt}.html"
        result = summit.ok("demo", "--format", fmt, "--report", str(out))
        assert '<section id="delivery">' in out.read_text()
        where = result.stdout if fmt == "table" else result.stderr
        assert f"written to {out}" in where
        if fmt == "json":
            assert json.loads(result.stdout)["consensus"]["parties"] == 32


def test_demo_refuses_a_report_it_cannot_write_before_loading(summit: Any) -> None:
    result = summit.run("demo", "--report", str(summit.tmp / "r.pdf"))
    assert result.exit_code == 2 and "use .html" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
