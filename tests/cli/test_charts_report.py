"""Charts and the HTML report, rendered from hand-made JSON views (SPEC §4 shapes)."""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from cli.render.charts import common as charts
from cli.render.charts.consensus import consensus_chart
from cli.render.charts.pledges import pledges_chart, sorted_by_gap
from cli.render.report import page as report

SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SOURCE_LINE = "summit, log position 12, as of 2025-06-22"
EVIL = "<script>alert(1)</script>"

# --- a small three-party negotiation, as the views would report it -------------

NEGOTIATION: dict[str, Any] = {
    "negotiation": "hague-mini",
    "title": "Defence investment, Hague 2025",
    "summit_on": "2025-06-24",
    "venue": "The Hague",
    "parties": ["GBR", "NLD", "USA"],
}
TARGETS = [
    {"metric": "core_defence", "pct_gdp": 3.5, "by_year": 2035},
    {"metric": "defence_related", "pct_gdp": 1.5, "by_year": 2035},
]


def _counts(sup: int = 0, con: int = 0, und: int = 0, opp: int = 0, unk: int = 0):
    return {
        "supports": sup,
        "conditional": con,
        "undecided": und,
        "opposes": opp,
        "unknown": unk,
    }


CONSENSUS: dict[str, Any] = {
    "negotiation": "hague-mini",
    "proposal": "defence-investment",
    "as_of": "2025-06-22",
    "known_at": None,
    "rule": "consensus",
    "parties": 3,
    "counts": _counts(sup=2, con=1),
    "holdouts": ["NLD"],
    "reached_on": None,
    "path": [
        {"on": "2025-06-05", "counts": _counts(sup=1, unk=2), "refs": ["hegseth"]},
        {"on": "2025-06-09", "counts": _counts(1, 0, 1, 0, 1), "refs": ["starmer"]},
        {"on": "2025-06-12", "counts": _counts(1, 1, 1), "refs": ["nl-pm"]},
        {"on": "2025-06-20", "counts": _counts(2, 1), "refs": ["starmer-yes"]},
    ],
}


def _gap(metric, target, pledged, gap, meets):
    return {
        "metric": metric,
        "target_pct": target,
        "by_year": 2035,
        "pledged_pct": pledged,
        "gap_pp": gap,
        "meets": meets,
    }


STANCE: dict[str, Any] = {
    "negotiation": "hague-mini",
    "proposal": "defence-investment",
    "as_of": "2025-06-22",
    "known_at": None,
    "targets": TARGETS,
    "allies": [
        {
            "ally": "GBR",
            "name": "United Kingdom",
            "stance": "supports",
            "since": "2025-06-20",
            "evidence": "starmer-yes",
            "conditions": None,
            "pledges": [
                {
                    "metric": "core_defence",
                    "pct_gdp": 2.5,
                    "by_year": 2027,
                    "firmness": "commitment",
                    "ref": "uk-2027",
                },
                {
                    "metric": "core_defence",
                    "pct_gdp": 3.0,
                    "by_year": 2034,
                    "firmness": "ambition",
                    "ref": "uk-2034",
                },
            ],
            "gaps": [
                _gap("core_defence", 3.5, 3.0, 0.5, False),
                _gap("defence_related", 1.5, None, None, False),
            ],
        },
        {
            "ally": "NLD",
            "name": "Netherlands",
            "stance": "conditional",
            "since": "2025-06-12",
            "evidence": "nl-pm",
            "conditions": "Others first <b>& fair</b> burden-sharing",
            "pledges": [
                {
                    "metric": "core_defence",
                    "pct_gdp": 3.5,
                    "by_year": 2035,
                    "firmness": "commitment",
                    "ref": "nl-core",
                },
                {
                    "metric": "defence_related",
                    "pct_gdp": 1.5,
                    "by_year": 2035,
                    "firmness": "commitment",
                    "ref": "nl-related",
                },
            ],
            "gaps": [
                _gap("core_defence", 3.5, 3.5, 0.0, True),
                _gap("defence_related", 1.5, 1.5, 0.0, True),
            ],
        },
        {
            "ally": "USA",
            "name": "United States",
            "stance": "supports",
            "since": "2025-06-05",
            "evidence": "hegseth",
            "conditions": None,
            "pledges": [],
            "gaps": [
                _gap("core_defence", 3.5, None, None, False),
                _gap("defence_related", 1.5, None, None, False),
            ],
        },
    ],
}


def _row(position, ref, type_, on, summary, event, **flags):
    return {
        "position": position,
        "ref": ref,
        "type": type_,
        "occurred_on": on,
        "recorded_at": "2025-06-22T10:00:00Z",
        "recorded_by": "desk",
        "retracted": flags.get("retracted", False),
        "corrected": flags.get("corrected", False),
        "summary": summary,
        "event": {"type": type_, "negotiation": "hague-mini", "ref": ref, **event},
    }


def _statement(actor, speaker, quote, stance, url, reliability="on-record"):
    return {
        "actor": actor,
        "speaker": speaker,
        "quote": quote,
        "position": {"proposal": "defence-investment", "stance": stance},
        "source": {"outlet": "Wire", "url": url, "reliability": reliability},
    }


def _pledge(actor, metric, pct, year, url):
    return {
        "actor": actor,
        "metric": metric,
        "pct_gdp": pct,
        "by_year": year,
        "firmness": "commitment",
        "source": {"outlet": "Gov", "url": url, "reliability": "official"},
    }


HEGSETH_URL = "https://example.org/hegseth?a=1&b=2"
NL_URL = "https://news.example.nl/pm"
TIMELINE: dict[str, Any] = {
    "negotiation": "hague-mini",
    "as_of": "2025-06-22",
    "known_at": None,
    "events": [
        _row(4, "uk-2027", "pledge.made", "2025-02-25", "GBR pledges 2.5% by 2027",
             _pledge("GBR", "core_defence", 2.5, 2027, "https://gov.example.uk/a")),
        _row(5, "uk-2034", "pledge.made", "2025-02-25", "GBR aims at 3% by 2034",
             _pledge("GBR", "core_defence", 3.0, 2034, "javascript:alert(2)")),
        _row(3, "bad-rumour", "statement.made", "2025-06-01", "USA opposes (rumour)",
             _statement("USA", "Anonymous", "No way", "opposes",
                        "https://rumour.example.com/x", reliability="unconfirmed"),
             retracted=True),
        _row(6, "hegseth", "statement.made", "2025-06-05", "USA supports",
             _statement("USA", "Pete Hegseth", "Every shoulder has to be to the plow",
                        "supports", HEGSETH_URL)),
        _row(7, "capability-targets", "signoff.recorded", "2025-06-05",
             "Defence ministers adopt the capability targets",
             {"body": "defence ministers", "document": "Capability targets",
              "signatories": "all", "classified": True,
              "source": {"outlet": "NATO", "reliability": "official"}}),
        _row(8, "starmer", "statement.made", "2025-06-09", "GBR undecided",
             _statement("GBR", "Keir Starmer", "Others first", "undecided",
                        "https://example.co.uk/starmer")),
        _row(9, "nl-pm", "statement.made", "2025-06-12", "NLD conditional",
             _statement("NLD", "Dick Schoof", EVIL, "conditional", NL_URL,
                        reliability="reported")),
        _row(10, "nl-core", "pledge.made", "2025-06-12", "NLD pledges 3.5%",
             _pledge("NLD", "core_defence", 3.5, 2035, NL_URL)),
        _row(11, "nl-related", "pledge.made", "2025-06-12", "NLD pledges 1.5%",
             _pledge("NLD", "defence_related", 1.5, 2035, NL_URL)),
        _row(12, "starmer-yes", "statement.made", "2025-06-20", "GBR supports",
             _statement("GBR", "Keir Starmer", "We will get there", "supports",
                        "http://example.co.uk/yes")),
        _row(13, "retract-rumour", "record.retracted", None,
             "bad-rumour retracted: never confirmed",
             {"target": "bad-rumour", "reason": "never confirmed"}),
    ],
}  # fmt: skip
SIGNOFFS = [
    {"on": "2025-06-05", "ref": "capability-targets", "document": "Capability targets"}
]


def _consensus_chart(out: Path, consensus: dict[str, Any] | None = None) -> None:
    consensus_chart(
        consensus or CONSENSUS,
        title_targets=TARGETS,
        summit_on="2025-06-24",
        signoffs=SIGNOFFS,
        source_line=SOURCE_LINE,
        out=out,
    )


def _svg_texts(path: Path) -> tuple[ET.Element, str]:
    root = ET.parse(path).getroot()
    return root, " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))


def _ids(root: ET.Element, pattern: str) -> list[str]:
    return [i for e in root.iter() if re.fullmatch(pattern, i := e.get("id") or "")]


def _render(**overrides: Any) -> str:
    views = {
        "stance": STANCE,
        "consensus": CONSENSUS,
        "timeline": TIMELINE,
        "negotiation": NEGOTIATION,
        "log_position": 12,
        "head_digest": "ab12cd34" * 8,
        "generated_at": "2025-06-22T12:00:00Z",
    }
    return report.render_report(**{**views, **overrides})


# --- a small DOM from the standard-library HTML parser --------------------------

VOID = {"meta", "link", "br", "hr", "img", "input", "source", "col", "area", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self, tag: str | None = None):
        if tag is None or self.tag == tag:
            yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter(tag)

    def find_id(self, ident: str) -> Node | None:
        return next((n for n in self.iter() if n.attrs.get("id") == ident), None)


class DomBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#document", {}, None)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs) -> None:
        self.current.children.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse_html(html: str) -> Node:
    builder = DomBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


# --- charts ----------------------------------------------------------------------


def test_consensus_chart_png_is_a_png(tmp_path: Path) -> None:
    out = tmp_path / "consensus.png"
    _consensus_chart(out)
    assert out.read_bytes().startswith(PNG_SIGNATURE)


def test_consensus_chart_svg_names_stances_proposal_source_and_has_a_step_per_entry(
    tmp_path: Path,
) -> None:
    out = tmp_path / "consensus.svg"
    _consensus_chart(out)
    root, text = _svg_texts(out)
    for stance in charts.STANCES:
        assert stance in text
    assert "defence-investment" in text
    assert "3.5% core defence by 2035" in text
    assert SOURCE_LINE in text
    assert "summit" in text and "Capability targets" in text
    assert len(_ids(root, r"step-\d+")) == len(CONSENSUS["path"])
    assert _ids(root, "summit") and _ids(root, r"signoff-\d+")


def test_consensus_chart_steps_follow_the_path_length(tmp_path: Path) -> None:
    shorter = {**CONSENSUS, "path": CONSENSUS["path"][:2]}
    out = tmp_path / "short.svg"
    _consensus_chart(out, shorter)
    assert len(_ids(ET.parse(out).getroot(), r"step-\d+")) == 2


def test_consensus_chart_without_any_evidence_still_renders(tmp_path: Path) -> None:
    empty = {**CONSENSUS, "path": [], "counts": _counts(unk=3), "as_of": None}
    out = tmp_path / "empty.svg"
    _consensus_chart(out, empty)
    root, text = _svg_texts(out)
    assert not _ids(root, r"step-\d+")
    assert "No evidence" in text


def test_chart_user_text_stays_text_in_svg(tmp_path: Path) -> None:
    out = tmp_path / "evil.svg"
    consensus_chart(
        CONSENSUS,
        title_targets=TARGETS,
        summit_on=None,
        signoffs=[{"on": "2025-06-10", "ref": "x", "document": EVIL + " costs $5 $6"}],
        source_line=SOURCE_LINE,
        out=out,
    )
    root, text = _svg_texts(out)  # parses: the markup was escaped
    assert "<script>alert(1)</script>" in text and "$5 $6" in text
    assert not list(root.iter(f"{SVG}script"))


def test_pledges_chart_shows_every_ally_and_no_pledge(tmp_path: Path) -> None:
    out = tmp_path / "pledges.svg"
    pledges_chart(STANCE, source_line=SOURCE_LINE, out=out)
    root, text = _svg_texts(out)
    for ally in STANCE["allies"]:
        assert ally["ally"] in text
    assert "no pledge" in text
    assert SOURCE_LINE in text
    assert "gap 0.5 pp" in text and "meets" in text
    assert _ids(root, "target-0") and _ids(root, "target-1")


def test_pledges_chart_puts_the_largest_gap_first_and_no_pledge_last() -> None:
    order = [a["ally"] for a in sorted_by_gap(STANCE)]
    assert order == ["GBR", "NLD", "USA"]


def test_pledges_chart_png(tmp_path: Path) -> None:
    out = tmp_path / "pledges.png"
    pledges_chart(STANCE, source_line=SOURCE_LINE, out=out)
    assert out.read_bytes().startswith(PNG_SIGNATURE)


def test_pledges_chart_before_any_target_is_tabled(tmp_path: Path) -> None:
    out = tmp_path / "none.svg"
    bare = {**STANCE, "targets": [], "allies": [{**STANCE["allies"][0], "gaps": []}]}
    pledges_chart(bare, source_line=SOURCE_LINE, out=out)
    assert "no targets" in _svg_texts(out)[1]


@pytest.mark.parametrize("name", ["chart.pdf", "chart", "chart.jpeg"])
def test_unsupported_chart_format_is_refused(tmp_path: Path, name: str) -> None:
    suffix = Path(name).suffix
    with pytest.raises(ValueError, match=f"unsupported chart format '{suffix}'"):
        pledges_chart(STANCE, source_line=SOURCE_LINE, out=tmp_path / name)


def test_chart_into_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        _consensus_chart(tmp_path / "nope" / "c.png")


def test_charts_without_matplotlib_say_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(charts.ChartsUnavailable) as raised:
        _consensus_chart(tmp_path / "c.png")
    assert "install summit[charts]" in str(raised.value)
    assert "pip install 'summit[charts]'" in str(raised.value)
    assert issubclass(charts.ChartsUnavailable, RuntimeError)


def test_source_line_names_position_and_date() -> None:
    line = charts.make_source_line(log_position=42, as_of="2025-06-10")
    assert line == "summit, log position 42, as of 2025-06-10"


# --- report ----------------------------------------------------------------------


def test_report_headline_equals_the_consensus_view() -> None:
    dom = parse_html(_render())
    headline = dom.find_id("headline")
    assert headline is not None
    numbers = [int(n) for n in re.findall(r"\d+", headline.text())]
    assert numbers[:2] == [CONSENSUS["counts"]["supports"], CONSENSUS["parties"]]
    assert "2 of 3 allies support" in " ".join(headline.text().split())
    holdouts = dom.find_id("holdouts")
    assert holdouts is not None
    listed = [li.attrs["data-ally"] for li in holdouts.iter("li")]
    assert listed == CONSENSUS["holdouts"]


def test_report_has_a_row_per_ally_with_stance_linked_to_its_evidence() -> None:
    dom = parse_html(_render())
    for ally in STANCE["allies"]:
        row = dom.find_id(f"ally-{ally['ally']}")
        assert row is not None, ally["ally"]
        assert ally["name"] in row.text() and ally["stance"] in row.text()
        hrefs = [a.attrs.get("href") for a in row.iter("a")]
        assert f"#ev-{ally['evidence']}" in hrefs
        assert dom.find_id(f"ev-{ally['evidence']}") is not None


def test_report_every_internal_link_has_a_target_and_ids_are_unique() -> None:
    dom = parse_html(_render())
    ids = [n.attrs["id"] for n in dom.iter() if n.attrs.get("id")]
    assert len(ids) == len(set(ids))
    for a in dom.iter("a"):
        href = a.attrs.get("href") or ""
        if href.startswith("#"):
            assert dom.find_id(href[1:]) is not None, href


def test_report_evidence_shows_quote_speaker_outlet_url_and_reliability() -> None:
    dom = parse_html(_render())
    entry = dom.find_id("ev-hegseth")
    assert entry is not None
    text = entry.text()
    for expected in ("Every shoulder has to be to the plow", "Pete Hegseth", "Wire"):
        assert expected in text
    assert "on-record" in text
    assert [a.attrs["href"] for a in entry.iter("a")] == [HEGSETH_URL]


def test_report_external_links_are_exactly_the_evidence_sources() -> None:
    dom = parse_html(_render())
    evidence_urls = {
        row["event"]["source"].get("url")
        for row in TIMELINE["events"]
        if row["ref"] in {"hegseth", "nl-pm", "starmer-yes", "uk-2027", "nl-core"}
    }
    external = {
        a.attrs["href"] for a in dom.iter("a") if not a.attrs["href"].startswith("#")
    }
    assert external == evidence_urls


def test_report_never_links_a_non_http_url() -> None:
    html = _render()
    dom = parse_html(html)
    assert all("javascript" not in (a.attrs.get("href") or "") for a in dom.iter("a"))
    entry = dom.find_id("ev-uk-2034")
    assert entry is not None and "javascript:alert(2)" in entry.text()  # shown as text


def test_report_escapes_user_text() -> None:
    html = _render()
    dom = parse_html(html)
    assert not [s for s in dom.iter("script") if "alert" in s.text()]
    assert not list(dom.iter("script"))
    assert not list(dom.iter("b"))  # the <b> in NLD's conditions stays text
    quote = dom.find_id("ev-nl-pm")
    assert quote is not None and EVIL in quote.text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_report_fetches_nothing_from_the_network() -> None:
    dom = parse_html(_render())
    assert not list(dom.iter("script")) and not list(dom.iter("link"))
    assert not list(dom.iter("iframe")) and not list(dom.iter("object"))
    for node in dom.iter():
        if node.tag == "a":
            continue
        for name in ("src", "href", "xlink:href", "srcset", "data", "action"):
            value = node.attrs.get(name) or ""
            assert not value.lower().startswith(("http", "//")), (node.tag, name)
    for style in dom.iter("style"):
        assert "url(" not in style.text() and "@import" not in style.text()
    policy = [m.attrs.get("content") or "" for m in dom.iter("meta")]
    assert any("default-src 'none'" in p for p in policy)  # the browser enforces it


def test_report_inlines_both_charts_as_svg() -> None:
    dom = parse_html(_render())
    for figure in ("chart-consensus", "chart-pledges"):
        node = dom.find_id(figure)
        assert node is not None and list(node.iter("svg")), figure
    step_ids = [
        n for n in dom.iter("g") if re.fullmatch(r"step-\d+", n.attrs.get("id") or "")
    ]
    assert len(step_ids) == len(CONSENSUS["path"])


def test_report_flags_retracted_events_in_the_timeline() -> None:
    dom = parse_html(_render())
    rows = {n.attrs.get("data-ref"): n for n in dom.iter("tr") if "data-ref" in n.attrs}
    assert set(rows) == {row["ref"] for row in TIMELINE["events"]}
    assert "retracted" in rows["bad-rumour"].attrs.get("class", "")
    assert "retracted" in rows["bad-rumour"].text()
    assert "retracted" not in rows["hegseth"].text()
    assert "2025-06-22" in rows["retract-rumour"].text()  # no world date: recorded on


def test_report_footer_shows_log_position_and_head_digest() -> None:
    dom = parse_html(_render())
    assert (node := dom.find_id("log-position")) is not None and node.text() == "12"
    assert (
        node := dom.find_id("head-digest")
    ) is not None and node.text() == "ab12cd34" * 8
    without = parse_html(_render(head_digest=None))
    assert without.find_id("head-digest") is None


def test_report_without_matplotlib_still_renders_with_a_note(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    dom = parse_html(_render())
    note = dom.find_id("no-charts")
    assert note is not None and "summit[charts]" in note.text()
    assert not list(dom.iter("svg"))
    assert dom.find_id("ally-GBR") is not None


def test_report_does_not_change_the_views_it_is_given() -> None:
    before = copy.deepcopy((STANCE, CONSENSUS, TIMELINE, NEGOTIATION))
    _render()
    assert before == (STANCE, CONSENSUS, TIMELINE, NEGOTIATION)


CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_report_renders_in_headless_chromium_to_a_non_blank_page(
    tmp_path: Path,
) -> None:
    from matplotlib.image import imread

    page = tmp_path / "report.html"
    page.write_text(_render(), encoding="utf-8")
    shot = tmp_path / "shot.png"
    assert CHROMIUM is not None
    subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
            "--window-size=1200,2000", page.as_uri(),
        ],
        check=False, capture_output=True, timeout=60,
    )  # fmt: skip
    assert shot.exists() and shot.read_bytes().startswith(PNG_SIGNATURE)
    pixels = imread(shot)
    assert pixels.reshape(-1, pixels.shape[-1]).std(axis=0).max() > 0.01
