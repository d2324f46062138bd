"""Charts and the report as people see them: any accepted date, an honest "as
of", sign-off labels that never overlap, a compact report page."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from cli.render.charts import consensus as consensus_chart
from cli.render.charts.common import make_source_line
from cli.render.report import page
from tests import processes
from tests.processes import SEED, ok, run

seed = processes.seed  # the seed article's store, shared by this module


def _consensus(path_days: list[str], parties: int = 3) -> dict[str, Any]:
    counts = {
        "supports": 1,
        "conditional": 0,
        "undecided": 0,
        "opposes": 0,
        "unknown": parties - 1,
    }
    return {
        "proposal": "p5",
        "parties": parties,
        "counts": counts,
        "as_of": None,
        "path": [{"on": d, "counts": counts, "refs": ["r"]} for d in path_days],
    }


# --- 15.14: sign-off labels never overlap ---------------------------------------


@pytest.mark.parametrize("count", [3, 100])
def test_signoff_labels_never_overlap(count: int) -> None:
    start = date(2025, 6, 20)
    signoffs = [
        {
            "on": (start + timedelta(days=i % 9)).isoformat(),
            "ref": f"s{i}",
            "document": f"Declaration number {i} of the summit",
        }
        for i in range(count)
    ]
    fig = consensus_chart.figure(
        _consensus(["2025-06-01", "2025-06-23"]),
        title_targets=[],
        summit_on="2025-06-24",
        signoffs=signoffs,
        source_line="s",
    )
    renderer = fig.canvas.get_renderer()
    texts = [
        t
        for t in fig.findobj()
        if hasattr(t, "get_gid")
        and str(t.get_gid()).startswith(("signoff-label-", "signoff-key-"))
    ]
    labels = [t for t in texts if t.get_gid().startswith("signoff-label-")]
    keys = [t for t in texts if t.get_gid().startswith("signoff-key-")]
    assert len(keys) == count  # every sign-off is named in the key
    boxes = [t.get_window_extent(renderer) for t in texts]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), (a, b)
    assert sum(len(t.get_text().split("–")) for t in labels) >= len(labels)
    numbers = " ".join(t.get_text() for t in labels)
    assert "1" in numbers and (str(count) in numbers or f"–{count}" in numbers)


# --- 15.13: never a misleading "as of" ------------------------------------------


def test_without_as_of_the_chart_and_report_say_all_events_with_the_latest_date(
    seed: Path, tmp_path: Path
) -> None:
    ok(seed, "chart", "consensus", "hague-2025", "--out", str(tmp_path / "c.svg"))
    svg = (tmp_path / "c.svg").read_text()
    assert "all events (latest: 2025-06-09)" in svg
    assert not re.search(r">as of \d", svg)
    ok(seed, "report", "hague-2025", "--out", str(tmp_path / "r.html"))
    html = (tmp_path / "r.html").read_text()
    assert "All events (latest: 2025-06-09)" in html
    assert "As of 20" not in html


def test_with_as_of_the_cut_is_named_and_the_summit_label_is_inside(
    seed: Path, tmp_path: Path
) -> None:
    ok(
        seed,
        "chart",
        "consensus",
        "hague-2025",
        "--as-of",
        "2025-06-10",
        "--out",
        str(tmp_path / "c.svg"),
    )
    svg = (tmp_path / "c.svg").read_text()
    assert "as of 10 Jun 2025" in svg and "summit 24 Jun 2025" in svg
    fig = consensus_chart.figure(
        _consensus(["2025-06-01", "2025-06-09"]),
        title_targets=[],
        summit_on="2025-06-24",
        signoffs=[],
        source_line="s",
        as_of="2025-06-10",
    )
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    label = next(
        t
        for t in fig.findobj()
        if getattr(t, "get_gid", lambda: "")() == "summit-label"
    )
    box = label.get_window_extent(renderer)
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width  # not clipped


def test_source_line_without_a_cut_names_the_latest_event() -> None:
    line = make_source_line(log_position=7, as_of=None, latest="2025-06-09")
    assert line == "summit, log position 7, all events (latest: 2025-06-09)"


# --- 15.2: any accepted date, any --as-of ----------------------------------------


@pytest.mark.parametrize("on", ["1900-01-01", "2100-12-31", "0001-01-01", "9999-12-31"])
def test_report_and_charts_draw_any_date(on: str, tmp_path: Path) -> None:
    """Dates at both ends of the accepted range (and beyond it, as a store an
    older version wrote may hold them) are drawn; --as-of 9999-12-31 too."""
    from cli.render.charts.common import signoffs_from_timeline  # noqa: F401

    fig = consensus_chart.figure(
        _consensus([on, "2025-06-01"]),
        title_targets=[],
        summit_on="2025-06-24",
        signoffs=[{"on": on, "document": "d"}],
        source_line="s",
        as_of="9999-12-31",
    )
    fig.savefig(tmp_path / "c.png")


def test_as_of_far_in_the_future_is_drawn_not_a_crash(
    seed: Path, tmp_path: Path
) -> None:
    for args in (
        ("chart", "consensus", "hague-2025", "--out", str(tmp_path / "c.png")),
        ("chart", "pledges", "hague-2025", "--out", str(tmp_path / "p.png")),
        ("report", "hague-2025", "--out", str(tmp_path / "r.html")),
    ):
        done = run(seed, *args, "--as-of", "9999-12-31")
        assert done.returncode == 0, (args, done.stderr)
    assert "As of 9999-12-31" in (tmp_path / "r.html").read_text()


# --- 15.16: a compact report -------------------------------------------------------


def test_report_groups_allies_without_evidence_or_pledges_in_one_row(
    seed: Path, tmp_path: Path
) -> None:
    ok(seed, "report", "hague-2025", "--out", str(tmp_path / "r.html"))
    html = (tmp_path / "r.html").read_text()
    stance = json.loads(ok(seed, "stance", "hague-2025", "--format", "json"))
    quiet = [
        a["ally"] for a in stance["allies"] if not a["evidence"] and not a["pledges"]
    ]
    assert len(quiet) > 20
    assert html.count('id="allies-quiet"') == 1
    assert f"No evidence or pledge yet ({len(quiet)})" in html
    for code in quiet:
        assert f'id="ally-{code}"' not in html and f'data-ally="{code}"' in html
    assert html.count('<span class="gap-none">no pledge</span>') < 10


def test_a_long_quote_is_capped_with_the_full_text_one_click_away() -> None:
    long = "word " * 200
    capped = page.capped(long.strip())
    assert (
        len(capped["summary"]) <= page.QUOTE_CAP + 2 and capped["full"] == long.strip()
    )
    assert page.capped("short") == {"summary": "short", "full": None}


def test_the_report_folds_long_quotes_into_details(tmp_path: Path) -> None:
    store = tmp_path / "s.db"
    ok(store, "import", str(SEED))
    quote = "It is long. " * 60
    ok(
        store,
        "record",
        "statement",
        "-n",
        "hague-2025",
        "--on",
        "2025-06-10",
        "--actor",
        "ESP",
        "--speaker",
        "Someone",
        "--proposal",
        "defence-investment-5pct",
        "--stance",
        "opposes",
        "--quote",
        quote.strip(),
        "--outlet",
        "Reuters",
        "--reliability",
        "on-record",
        "--ref",
        "long-one",
    )
    ok(store, "report", "hague-2025", "--out", str(tmp_path / "r.html"))
    html = (tmp_path / "r.html").read_text()
    # the quote and the summary in the evidence, the summary in the timeline
    assert html.count("<details>") == 3
    assert quote.strip() in html


def test_pledges_chart_lists_allies_without_a_pledge_apart(tmp_path: Path) -> None:
    from cli.render.charts.pledges import figure

    gap = {"metric": "core_defence", "target_pct": 3.5, "by_year": 2035}
    stance = {
        "proposal": "p5",
        "targets": [{"metric": "core_defence", "pct_gdp": 3.5, "by_year": 2035}],
        "allies": [
            {
                "ally": "GBR",
                "name": "United Kingdom",
                "pledges": [],
                "gaps": [{**gap, "pledged_pct": 2.5, "gap_pp": 1, "meets": False}],
            },
            {
                "ally": "ALB",
                "name": "Albania",
                "pledges": [],
                "gaps": [{**gap, "pledged_pct": None, "gap_pp": None, "meets": False}],
            },
        ],
    }
    fig = figure(stance, source_line="s")
    texts = {
        str(t.get_gid()): t.get_text() for t in fig.findobj() if hasattr(t, "get_text")
    }
    assert texts["no-pledge"] == "Allies with no pledge (1): ALB"
    ticks = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    assert "Albania (ALB)" not in ticks and "United Kingdom (GBR)" in ticks
