"""The delivery chart and the report's Delivery section, from a hand-made
`summit delivery` view (SPEC §4 shape): panel order, markers, the required path."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from cli.render.charts import delivery as chart
from cli.render.report import page as report
from tests.cli.test_charts_report import CONSENSUS, NEGOTIATION, STANCE, TIMELINE

SOURCE_LINE = "summit, log position 40"
TARGET = {"metric": "total", "pct_gdp": 5.0, "by_year": 2035}


def _fig(year: int, pct: float, basis: str, ref: str) -> dict[str, Any]:
    return {"metric": "total", "year": year, "pct_gdp": pct, "basis": basis, "ref": ref}


def _row(status: str, latest: Any, gap: Any, trend: Any, required: Any):
    """A delivery entry against 5.0% total by 2035, from the latest figure."""
    return {
        "metric": "total",
        "target_pct": 5.0,
        "by_year": 2035,
        "reported_year": latest and latest["year"],
        "reported_pct": latest and latest["pct_gdp"],
        "basis": latest and latest["basis"],
        "ref": latest and latest["ref"],
        "gap_pp": gap,
        "trend_pp_per_year": trend,
        "required_pp_per_year": required,
        "status": status,
    }


def _ally(code: str, name: str, spending: list[Any], *row: Any, pledges=()):
    return {
        "ally": code,
        "name": name,
        "spending": spending,
        "delivery": [_row(row[0], spending and spending[-1], *row[1:])],
        "pledges": list(pledges),
    }


PLEDGE = {
    "metric": "core_defence",
    "pct_gdp": 2.5,
    "by_year": 2027,
    "firmness": "commitment",
    "ref": "gbr-p",
    "reported_pct": None,
    "status": "pending",
}
GBR = [_fig(2022, 2.3, "actual", "gbr-22"), _fig(2024, 2.33, "actual", "gbr-24")]
GBR.append(_fig(2025, 2.4, "estimate", "gbr-25"))
USA = [_fig(2024, 3.4, "actual", "usa-24"), _fig(2025, 3.2, "estimate", "usa-25")]
POL = [_fig(2014, 1.9, "actual", "pol-14"), _fig(2025, 5.1, "estimate", "pol-25")]
ESP = [_fig(2024, 2.0, "estimate", "esp-24")]

# Worked by hand from rule 8: GBR (2.4 in 2025, 2.33 in 2024, 2.3 in 2022):
# gap 2.6, trend (2.4 - 2.3) / 3 = 0.03, required 2.6 / 10 = 0.26: off track.
# ESP: one figure, gap 3.0: insufficient data. POL 5.1 >= 5.0: met.
# USA (3.4 in 2024 then 3.2 in 2025): gap 1.8, trend -0.2 < 0.18: off track.
DELIVERY: dict[str, Any] = {
    "negotiation": "hague-mini",
    "proposal": "defence-investment",
    "as_of": None,
    "known_at": None,
    "targets": [TARGET],
    "summary": [
        {
            "metric": "total",
            "target_pct": 5.0,
            "by_year": 2035,
            "counts": {
                "met": 1,
                "on_track": 0,
                "off_track": 2,
                "missed": 0,
                "insufficient_data": 1,
                "no_data": 1,
            },
        }
    ],
    "allies": [
        _ally("ESP", "Spain", ESP, "insufficient_data", 3, None, 0.27),
        _ally(
            "GBR", "United Kingdom", GBR, "off_track", 2.6, 0.03, 0.26, pledges=[PLEDGE]
        ),
        _ally("ISL", "Iceland", [], "no_data", None, None, None),
        _ally("POL", "Poland", POL, "met", 0, None, 0),
        _ally("USA", "United States", USA, "off_track", 1.8, -0.2, 0.18),
    ],
}


def _artists(fig: Any) -> dict[str, Any]:
    """Every drawn line and text by its gid."""
    found = {}
    for ax in fig.axes:
        for artist in [*ax.lines, *ax.texts, ax._left_title]:
            if artist.get_gid():
                found[artist.get_gid()] = artist
    for text in fig.texts:
        if text.get_gid():
            found[text.get_gid()] = text
    return found


def test_panels_run_from_the_furthest_behind_to_those_that_met() -> None:
    # off track with the larger gap first, then insufficient data, then met
    order = [a["ally"] for a in chart.panel_order(DELIVERY)]
    assert order == ["GBR", "USA", "ESP", "POL"]
    fig = chart.figure(DELIVERY, source_line=SOURCE_LINE)
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert titles == ["United Kingdom (GBR)", "United States (USA)", "Spain (ESP)",
                      "Poland (POL)"]  # fmt: skip
    # read left to right, top to bottom
    boxes = [ax.get_position() for ax in fig.axes]
    assert [(-round(b.y0, 3), round(b.x0, 3)) for b in boxes] == sorted(
        (-round(b.y0, 3), round(b.x0, 3)) for b in boxes
    )


def test_estimates_are_hollow_and_actuals_filled() -> None:
    drawn = _artists(chart.figure(DELIVERY, source_line=SOURCE_LINE))
    actual = drawn["figure-GBR-total-2024-actual"]
    estimate = drawn["figure-GBR-total-2025-estimate"]
    assert actual.get_markerfacecolor() == actual.get_markeredgecolor()
    assert estimate.get_markerfacecolor() == "white"
    assert estimate.get_markeredgecolor() != "white"
    assert list(estimate.get_xdata()) == [2025] and list(estimate.get_ydata()) == [2.4]


def test_the_required_path_runs_from_the_latest_figure_to_the_target() -> None:
    drawn = _artists(chart.figure(DELIVERY, source_line=SOURCE_LINE))
    path = drawn["required-GBR-total"]
    assert list(path.get_xdata()) == [2025, 2035]
    assert list(path.get_ydata()) == [2.4, 5.0]
    assert "required-POL-total" not in drawn  # met: nothing left to climb
    assert list(drawn["target-GBR-total"].get_ydata()) == [5.0, 5.0]
    pledge = drawn["pledge-GBR-core_defence-2027"]
    assert (list(pledge.get_xdata()), list(pledge.get_ydata())) == ([2027], [2.5])


def test_a_panel_says_its_status_trend_and_required_rise() -> None:
    drawn = _artists(chart.figure(DELIVERY, source_line=SOURCE_LINE))
    text = drawn["status-GBR"].get_text()
    assert text.startswith("off track: 2.4% in 2025")
    assert "trend +0.03, needs +0.26 pp/yr" in text
    assert drawn["status-POL"].get_text() == "met: 5.1% in 2025"


def test_allies_without_a_figure_are_named_under_the_chart_not_drawn() -> None:
    fig = chart.figure(DELIVERY, source_line=SOURCE_LINE)
    drawn = _artists(fig)
    assert "panel-ISL" not in drawn and len(fig.axes) == 4
    assert (
        drawn["delivery-no-figure"].get_text() == "No reported figure: Iceland (ISL)."
    )


def test_only_the_named_allies_are_drawn_and_an_unknown_one_is_refused() -> None:
    view = chart.only_allies(DELIVERY, ("USA", "ISL"))
    assert [a["ally"] for a in view["allies"]] == ["ISL", "USA"]
    assert view["summary"] == DELIVERY["summary"]
    with pytest.raises(ValueError, match="--ally FRA: not a party to hague-mini"):
        chart.only_allies(DELIVERY, ("USA", "FRA"))


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_the_chart_is_written_as_png_or_svg(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"d{suffix}"
    chart.delivery_chart(DELIVERY, source_line=SOURCE_LINE, out=out)
    data = out.read_bytes()
    if suffix == ".png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        svg = data.decode()
        assert svg.startswith("<?xml") and "</svg>" in svg
        assert 'id="panel-GBR"' in svg and "Iceland (ISL)" in svg


def test_a_view_without_any_figure_still_renders(tmp_path: Path) -> None:
    empty = {**DELIVERY, "allies": [DELIVERY["allies"][2]]}
    chart.delivery_chart(empty, source_line=SOURCE_LINE, out=tmp_path / "e.svg")
    assert "no reported figures" in (tmp_path / "e.svg").read_text()


# --- the report ------------------------------------------------------------------


class _Cells(HTMLParser):
    """The Delivery table's cells: (ally, metric) -> {field: text}."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[tuple[str, str], dict[str, str]] = {}
        self.summary: dict[str, dict[str, str]] = {}
        self._row: dict[str, str] | None = None
        self._field: str | None = None
        self._table: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self._table = a.get("id")
        if tag == "tr" and a.get("data-metric"):
            if self._table == "delivery-table":
                self._row = self.rows.setdefault((a["data-ally"], a["data-metric"]), {})
            elif self._table == "delivery-summary":
                self._row = self.summary.setdefault(a["data-metric"], {})
        field = a.get("data-field") or a.get("data-status")
        if self._row is not None and field:
            # a data-value is the exact value; the visible text is for people
            self._field = None if a.get("data-value") else field
            self._row[field] = a.get("data-value") or ""

    def handle_data(self, data: str) -> None:
        if self._row is not None and self._field and data.strip():
            self._row[self._field] += data.strip()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "span"):
            self._field = None
        if tag == "tr":
            self._row = None


def _report(delivery: Any) -> str:
    return report.render_report(
        stance=STANCE,
        consensus=CONSENSUS,
        timeline=TIMELINE,
        negotiation=NEGOTIATION,
        log_position=12,
        head_digest=None,
        generated_at="2025-06-22T12:00:00Z",
        delivery=delivery,
    )


def delivery_cells(html: str) -> _Cells:
    cells = _Cells()
    cells.feed(html)
    return cells


def expected_cells(delivery: dict[str, Any]) -> dict[tuple[str, str], dict[str, str]]:
    """What the table must show: every delivery entry with a figure, as written."""
    return {
        (a["ally"], d["metric"]): {
            f: "—" if d[f] is None else str(d[f]) for f in report_fields()
        }
        for a in delivery["allies"]
        for d in a["delivery"]
        if d["status"] != "no_data"
    }


def report_fields() -> tuple[str, ...]:
    from cli.render.report.delivery import FIELDS

    return FIELDS


def test_the_report_has_a_delivery_section_equal_to_the_view() -> None:
    html = _report(DELIVERY)
    assert '<section id="delivery">' in html and "Delivery" in html
    assert re.search(r'<figure id="chart-delivery"><svg', html)
    cells = delivery_cells(html)
    assert cells.rows == expected_cells(DELIVERY)
    counts = DELIVERY["summary"][0]["counts"]
    assert cells.summary["total"] == {k: str(n) for k, n in counts.items()}
    assert "No reported figure: Iceland (ISL)." in html


def test_the_report_lists_the_furthest_behind_first() -> None:
    html = _report(DELIVERY)
    rows = re.findall(r'<tr data-ally="(\w+)" data-metric="total">', html)
    assert rows == ["GBR", "USA", "ESP", "POL"]


def test_a_report_without_a_delivery_view_has_no_delivery_section() -> None:
    assert 'id="delivery"' not in _report(None)


def test_a_report_before_any_reported_spending_says_so() -> None:
    nothing = {**DELIVERY, "allies": [DELIVERY["allies"][2]]}
    html = _report(nothing)
    assert '<section id="delivery">' in html
    assert "No reported spending recorded yet" in html
    assert 'id="delivery-table"' not in html
