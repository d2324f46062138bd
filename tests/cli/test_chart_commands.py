"""Charts and the report from the CLI: files written, bad input refused, escaping."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.builders import opened, said, signed, tabled

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hague-2025-seed.jsonl"


@pytest.fixture
def table(summit: Any) -> Any:
    summit.load(
        [
            opened(),
            tabled(),
            said(
                "a", "GBR", "2025-06-10", "supports", quote="<script>alert(1)</script>"
            ),
            said("b", "FRA", "2025-06-12", "opposes"),
            signed("s", "2025-06-25"),
        ]
    )
    return summit


def test_consensus_chart_has_one_step_per_path_entry(table: Any) -> None:
    out = table.tmp / "c.svg"
    result = table.run("chart", "consensus", "t", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    svg = out.read_text()
    path = table.json("consensus", "t")["path"]
    assert len(set(re.findall(r'id="step-(\d+)"', svg))) == len(path)
    assert "p5" in svg and "log position 5" in svg


def test_pledges_chart_is_a_png(table: Any) -> None:
    out = table.tmp / "p.png"
    assert table.run("chart", "pledges", "t", "--out", str(out)).exit_code == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["chart", "pledges", "t", "--out", "x.gif"], "unsupported chart format"),
        (["chart", "pledges", "t", "--out", "no/such/dir/x.svg"], "does not exist"),
        (["chart", "pledges", "t", "-p", "nope", "--out", "x.svg"], "not tabled"),
        (["chart", "consensus", "zzz", "--out", "x.svg"], "zzz"),
        (["report", "t", "--out", "r.pdf"], "use .html"),
    ],
)
def test_bad_chart_and_report_requests_exit_2(
    table: Any, args: list[str], message: str
) -> None:
    args = [
        a if not a.endswith((".gif", ".svg", ".pdf")) else str(table.tmp / a)
        for a in args
    ]
    result = table.run(*args)
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def test_without_matplotlib_charts_ask_for_the_extra(
    table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli.render.charts import common as charts

    def missing() -> Any:
        raise charts.ChartsUnavailable(charts.INSTALL_HINT)

    monkeypatch.setattr(charts, "load_matplotlib", missing)
    result = table.run("chart", "consensus", "t", "--out", str(table.tmp / "c.svg"))
    assert result.exit_code == 2 and "install summit[charts]" in result.stderr


class _Scripts(HTMLParser):
    """Text, executable scripts and JSON data blocks of a page, apart."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.data_blocks: list[str] = []
        self.inside: list[str] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        data_block = tag == "script" and ("type", "application/json") in attrs
        self.inside = self.data_blocks if data_block else None
        if tag == "script" and not data_block:
            self.inside = self.scripts

    def handle_endtag(self, tag: str) -> None:
        self.inside = None

    def handle_data(self, data: str) -> None:
        if self.inside is not None:
            self.inside.append(data)
        else:
            self.text.append(data)


def test_report_escapes_quotes_and_shows_the_headline(table: Any) -> None:
    out = table.tmp / "r.html"
    assert table.run("report", "t", "--out", str(out)).exit_code == 0
    page = _Scripts()
    page.feed(out.read_text())
    assert not any("alert(1)" in s for s in page.scripts)
    # The slider's data carries the quote only \u-escaped: it cannot close its
    # block, and it decodes back to the exact text.
    assert page.data_blocks and not any("<" in b for b in page.data_blocks)
    data = json.loads(page.data_blocks[0])
    quotes = [r["detail"]["quote"] for r in data["runs"] if r["detail"]]
    assert "<script>alert(1)</script>" in quotes
    text = " ".join(page.text)
    assert "<script>alert(1)</script>" in text  # shown as text
    digest = table.json("audit", "verify")["negotiations"][0]["head_digest"]
    assert digest in out.read_text()


def test_demo_writes_a_report_of_the_sample(summit: Any) -> None:
    out = summit.tmp / "demo.html"
    result = summit.run("demo", "--report", str(out))
    assert result.exit_code == 0, result.stderr
    assert f"written to {out}" in result.stdout
    view = summit.json("consensus", "hague-2025")
    assert f"{view['counts']['supports']}" in out.read_text()
    assert json.loads(summit.ok("audit", "verify", "--format", "json").stdout)["ok"]
