"""What people see: narrow terminals, escaped control characters, corrections in
every format, one CSV table per invocation, numbers and words as written."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cli.store import open_store
from domain.jsonlines import parse_lines
from tests import processes
from tests.builders import corrected, opened, pledged, said, tabled
from tests.processes import ok

HOSTILE = "\u001b]0;pwned\u0007\u001b[2J"

seed = processes.seed  # the seed article's store, shared by this module


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store an older summit wrote: control characters in a quote and a
    speaker, stored through the domain layer (no input check on the way)."""
    store = tmp_path_factory.mktemp("old") / "old.db"
    position = {"proposal": "p5", "stance": "conditional", "conditions": "c"}
    records = [opened(), tabled(),
               said("s1", "GBR", "2025-06-02", None, position=position)]  # fmt: skip
    text = io.StringIO("\n".join(json.dumps(r) for r in records) + "\n")
    lines = list(parse_lines(text, "-"))  # defaults filled in, as stored
    lines[2].record.update(quote=f"yes {HOSTILE} indeed", speaker=f"Spy{HOSTILE}")
    lines[2].record["position"]["conditions"] = f"if {HOSTILE}"
    app = open_store(str(store), write=True)
    report = app.record_lines(lines, "t")
    assert len(report.stored) == 3
    return store


# --- issue 13 item 6: stored control characters never reach the terminal -----


@pytest.mark.parametrize(
    "args",
    [
        ("timeline", "t"),
        ("timeline", "t", "--format", "csv"),
        ("stance", "t"),
        ("stance", "t", "--format", "csv"),
        ("consensus", "t"),
        ("replay", "t", "--until", "3"),
    ],
)
def test_control_characters_in_a_store_are_shown_escaped(
    hostile: Path, args: tuple[str, ...]
) -> None:
    out = ok(hostile, *args)
    assert "\x1b" not in out and "\x07" not in out
    if args[0] in ("timeline", "stance"):
        assert r"\x1b]0;pwned\x07\x1b[2J" in out


def test_json_carries_control_characters_escaped_and_intact(hostile: Path) -> None:
    out = ok(hostile, "timeline", "t", "--format", "json")
    assert "\x1b" not in out and "\\u001b]0;pwned\\u0007" in out
    quotes = [e["event"].get("quote") for e in json.loads(out)["events"]]
    assert f"yes {HOSTILE} indeed" in quotes


def test_the_report_escapes_control_characters(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    ok(hostile, "report", "t", "--out", str(out))
    html = out.read_text(encoding="utf-8")
    assert "\x1b" not in html and "\x07" not in html
    assert r"\x1b]0;pwned\x07\x1b[2J" in html


# --- issue 15 item 12: --show-history in table and CSV --------------------------


@pytest.fixture(scope="module")
def corrected_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("corr") / "c.db"
    lines = [opened(), tabled(), pledged("p1", "GBR", "2025-06-02", 2.5, 2030),
             pledged("tiny", "DEU", "2025-06-02", 1e-320, 2030),
             corrected("fix-1", "p1", {"pct_gdp": 2.75})]  # fmt: skip
    text = "\n".join(json.dumps(r) for r in lines) + "\n"
    ok(store, "import", "-", input=text)
    return store


def test_show_history_shows_originals_and_corrections_in_the_table(
    corrected_store: Path,
) -> None:
    plain = ok(corrected_store, "timeline", "t")
    shown = ok(corrected_store, "timeline", "t", "--show-history")
    assert "fix-1" not in plain and "pct_gdp=2.5" not in plain
    assert "corrected by fix-1" in shown and "original: pct_gdp=2.5" in shown


def test_show_history_shows_originals_and_corrections_in_csv(
    corrected_store: Path,
) -> None:
    def rows(*flags: str) -> list[dict[str, str]]:
        out = ok(corrected_store, "timeline", "t", *flags, "--format", "csv")
        return list(csv.DictReader(io.StringIO(out)))

    plain, history = rows(), rows("--show-history")
    assert "original" not in plain[0]
    row = next(r for r in history if r["ref"] == "p1")
    assert row["corrections"] == "fix-1" and row["original"] == "pct_gdp=2.5"
    assert next(r for r in history if r["ref"] == "tab")["original"] == ""


# --- issue 15 item 15: tables fit 60, 80 and 140 columns -------------------------

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.mark.parametrize("columns", [60, 80, 140])
@pytest.mark.parametrize("command", ["stance", "consensus"])
def test_tables_fit_the_terminal_and_never_cut_a_date_a_code_or_a_word(
    seed: Path, columns: int, command: str
) -> None:
    out = ok(seed, command, "hague-2025", columns=columns)
    view = json.loads(ok(seed, command, "hague-2025", "--format", "json"))
    assert max(len(line) for line in out.splitlines()) <= columns
    assert "…" not in out
    if command == "stance":
        for a in view["allies"]:
            assert re.search(rf"\b{a['ally']}\b", out), a["ally"]
            if a["since"]:
                assert a["since"] in out, a["since"]
        assert "Evidenc\n" not in out and "Pledge\n" not in out
        for header in ("Ally", "Stance", "by 2032"):
            assert header in out
    else:
        for step in view["path"]:
            assert step["on"] in out
    if columns >= 140:  # wide: every code whole, evidence refs included
        refs = [a["evidence"] for a in view.get("allies", []) if a["evidence"]]
        refs += [r for s in view.get("path", []) for r in s["refs"]]
        for ref in refs:
            assert ref in out, ref
    words = set(re.findall(r"[A-Za-z]{4,}", out))
    assert not {"Evidenc", "Pledge", "Stanc", "conditio", "suppor"} & words


# --- issue 15 item 17: one CSV table, whole timestamps, singular, tiny numbers ---


def test_replay_csv_writes_one_table_chosen_by_view(seed: Path) -> None:
    stance = ok(seed, "replay", "hague-2025", "--until", "20", "--format", "csv")
    consensus = ok(seed, "replay", "hague-2025", "--until", "20", "--format", "csv",
                   "--view", "consensus")  # fmt: skip
    for text, first in ((stance, "ally,name,stance"), (consensus, "on,supports")):
        assert "\n\n" not in text and text.startswith(first)
        assert sum(line.startswith(first) for line in text.splitlines()) == 1


def test_audit_log_never_wraps_recorded_at_at_140_columns(seed: Path) -> None:
    out = ok(seed, "audit", "log", columns=140)
    stamps = re.findall(r"\d{4}-\d{2}-\d{2}T[\d:.]+\+00:00", out)
    assert len(stamps) == 23
    assert max(len(line) for line in out.splitlines()) <= 140


def test_one_event_behind_is_singular() -> None:
    from cli.render.records import behind
    from tests.processes import ok, seed  # noqa: F401

    assert behind(1) == "1 event behind" and behind(23) == "23 events behind"
    assert behind(0) == "up to date"


def test_a_tiny_pledge_shows_as_written(corrected_store: Path) -> None:
    out = ok(corrected_store, "stance", "t")
    assert "1e-320%" in out and "e-321" not in out
    assert "2.75%" in out


def test_json_output_escapes_c1_controls_and_leaves_ascii_as_is() -> None:
    from cli.render.text import json_safe

    assert json_safe('{"q": "plain"}') == '{"q": "plain"}'
    # json.dumps(ensure_ascii=False) leaves C1 controls raw: they are escaped,
    # and other non-ASCII text is kept.
    assert json_safe('{"q": "Türkiye \x9b2J \x85"}') == (
        '{"q": "Türkiye \\u009b2J \\u0085"}'
    )


@given(st.text(alphabet=st.characters(max_codepoint=0x1000)))
@example("ü\x7f")  # DEL is escaped in a text that is not all ASCII
@example("\x7f")  # … and left as it is in one that is
@example("ł\x9f")
def test_json_safe_escapes_exactly_what_the_c1_pattern_finds(text: str) -> None:
    from cli.render.text import C1, json_safe

    want = (
        text if text.isascii() else C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    )
    assert json_safe(text) == want
