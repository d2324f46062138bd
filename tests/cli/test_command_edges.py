"""Edges of single commands a user met: an option silently ignored, a message
that does not name its option, a repeated option keeping only its last value,
a missing extra nobody is told about, a help text short of its subcommands, a
failed check that exits 0."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.main import COMMANDS, cli
from tests.builders import moving_table, opened, pledged, spent
from tests.tamper import sql

NEG = "t"


@pytest.fixture
def table(summit: Any) -> Any:
    """Five allies that move, three of them with spending and a pledge."""
    summit.load(
        [
            *moving_table(),
            spent("gbr-24", "GBR", 2024, 2.3, "2025-06-10", metric="core_defence"),
            spent("fra-24", "FRA", 2024, 2.1, "2025-06-10", metric="core_defence"),
            spent("pol-24", "POL", 2024, 4.1, "2025-06-10", metric="core_defence"),
            pledged("gbr-pledge", "GBR", "2025-06-11", 3.5, 2035),
        ]
    )
    return summit


def _bare(tmp_path: Path, *args: str) -> Result:
    """summit with a store that is never opened (the arguments are refused first)."""
    store = str(tmp_path / "unused.db")
    return CliRunner().invoke(cli, ["--store", store, *args])


def _codes(view: dict[str, Any]) -> list[str]:
    return [a["ally"] for a in view["allies"]]


# 1. audit verify --pubkey without --checkpoint


def test_a_public_key_without_a_checkpoint_is_refused_not_ignored(table: Any) -> None:
    keys = table.tmp / "newsroom"
    table.ok("audit", "keygen", "--out", str(keys))
    result = table.run("audit", "verify", "--pubkey", f"{keys}.pub")
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""  # no "ok" an auditor could take for a checked signature
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "--pubkey needs --checkpoint" in result.stderr


def test_a_public_key_with_its_checkpoint_still_checks_the_signature(
    table: Any,
) -> None:
    keys, checkpoint = table.tmp / "newsroom", table.tmp / "cp.json"
    table.ok("audit", "keygen", "--out", str(keys))
    table.ok("audit", "checkpoint", "--sign", f"{keys}.key", "--out", str(checkpoint))
    verified = table.json(
        "audit", "verify", "--checkpoint", str(checkpoint), "--pubkey", f"{keys}.pub"
    )
    assert verified["signature_checked"] is True


# 2. demo --as-of names its option like every other command


def test_a_bad_demo_date_names_the_as_of_option(tmp_path: Path) -> None:
    demo = _bare(tmp_path, "demo", "--as-of", "2025-13-45")
    stance = _bare(tmp_path, "stance", NEG, "--as-of", "2025-13-45")
    assert demo.exit_code == stance.exit_code == 2
    assert "Invalid value for '--as-of'" in demo.stderr
    assert demo.stderr.splitlines()[-1] == stance.stderr.splitlines()[-1]


# 3. several --ally on stance and delivery


def test_stance_shows_every_ally_named_in_code_order(table: Any) -> None:
    everyone = table.json("stance", NEG)
    both = table.json("stance", NEG, "--ally", "GBR", "--ally", "fra")
    assert _codes(both) == ["FRA", "GBR"]  # by code, as the unfiltered view lists
    assert list(both) == list(everyone)  # SPEC §4's shape, unchanged
    assert both["allies"] == [
        a for a in everyone["allies"] if a["ally"] in ("FRA", "GBR")
    ]
    table_text = table.ok("stance", NEG, "--ally", "GBR", "--ally", "FRA").stdout
    assert "(GBR)" in table_text and "(FRA)" in table_text
    assert "(DEU)" not in table_text


def test_delivery_shows_every_ally_named_and_still_counts_every_party(
    table: Any,
) -> None:
    everyone = table.json("delivery", NEG)
    chosen = table.json("delivery", NEG, "--ally", "POL", "--ally", "GBR")
    assert _codes(chosen) == ["GBR", "POL"]
    assert list(chosen) == list(everyone)
    assert chosen["summary"] == everyone["summary"]  # SPEC: whatever --ally selects
    kept = [a for a in everyone["allies"] if a["ally"] in ("GBR", "POL")]
    assert chosen["allies"] == kept
    text = table.ok("delivery", NEG, "--ally", "POL", "--ally", "GBR").stdout
    assert "GBR United Kingdom" in text and "POL Poland" in text
    assert "France" not in text


@pytest.mark.parametrize("command", ["stance", "delivery"])
def test_one_unknown_ally_among_several_is_named(table: Any, command: str) -> None:
    result = table.run(command, NEG, "--ally", "GBR", "--ally", "USA")
    assert result.exit_code == 2 and "'USA' is not a party of 't'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["stance", "delivery"])
def test_stance_and_delivery_help_shows_a_repeated_ally(
    tmp_path: Path, command: str
) -> None:
    text = _bare(tmp_path, command, "--help").stdout
    assert re.search(rf"summit {command} \S+ --ally \w+ --ally \w+", text), text
    assert "repeat for more" in text


# 4. a report without matplotlib says so on the terminal


def _without_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)


NOTE = "charts left out of"
HOW = "pip install 'summit[charts]'"


def test_report_without_matplotlib_says_on_stderr_that_charts_are_left_out(
    table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _without_matplotlib(monkeypatch)
    out = table.tmp / "r.html"
    result = table.run("report", NEG, "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert 'id="no-charts"' in out.read_text()
    notes = [line for line in result.stderr.splitlines() if NOTE in line]
    assert len(notes) == 1 and HOW in notes[0] and str(out) in notes[0]
    assert result.stdout == ""


def test_demo_report_without_matplotlib_says_on_stderr_that_charts_are_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _without_matplotlib(monkeypatch)
    out = tmp_path / "hague.html"
    for fmt in ("table", "json"):
        result = _bare(
            tmp_path, "demo", "--sample", "seed", "--report", str(out), "--format", fmt
        )
        assert result.exit_code == 0, result.stderr
        notes = [line for line in result.stderr.splitlines() if NOTE in line]
        assert len(notes) == 1 and HOW in notes[0], (fmt, result.stderr)
        assert NOTE not in result.stdout


def test_a_report_with_its_charts_has_no_such_note(table: Any) -> None:
    pytest.importorskip("matplotlib")
    result = table.run("report", NEG, "--out", str(table.tmp / "r.html"))
    assert result.exit_code == 0 and NOTE not in result.stderr


# 5. chart's help describes its four charts


CHARTS = ("consensus", "delivery", "map", "pledges")


def test_chart_help_describes_each_of_its_four_charts(tmp_path: Path) -> None:
    text = _bare(tmp_path, "chart", "--help").stdout
    about = text.split("Options:")[0]  # above click's own list of subcommands
    for name in CHARTS:
        assert re.search(rf"^ +{name} +\w", about, re.MULTILINE), (name, about)
        assert f"summit chart {name} " in about  # an example of each
    assert "summit[charts]" in about


def test_summit_help_lists_chart_with_all_four_charts() -> None:
    listing = COMMANDS["chart"][2]
    assert all(word in listing for word in ("consensus", "delivery", "map", "pledge"))


# 6. views status is a check: exit 1 when the views do not match the log


def test_views_status_exits_1_when_the_views_do_not_match_the_log(
    table: Any,
) -> None:
    table.ok("stance", NEG)  # the views caught up with the log
    assert "every view row matches the log" in table.ok("views", "status").stdout
    sql(table.store, "UPDATE summit_evidence SET stance='opposes' WHERE party='GBR'")
    shown = table.run("views", "status")
    assert shown.exit_code == 1, (shown.exit_code, shown.stdout, shown.stderr)
    assert "the views do NOT match the log" in shown.stdout  # still printed
    assert "Traceback" not in shown.stderr
    as_json = table.run("views", "status", "--format", "json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["matches_log"] is False
    assert table.run("audit", "verify").exit_code == 1  # the same verdict
    table.ok("views", "rebuild")
    assert table.json("views", "status")["matches_log"] is True


@pytest.mark.parametrize("name", ["", " ", "\t", "a\nb"])
def test_a_checkpoint_by_a_blank_or_controlled_name_is_refused(
    tmp_path: Path, name: str
) -> None:
    # `--by ""` once fell back to the OS user; passed on, it made a checkpoint
    # signed by nobody. A checkpoint's author follows a recorder's rules.
    store = str(tmp_path / "c.db")
    runner = CliRunner()
    done = runner.invoke(
        cli, ["--store", store, "--by", "tester", "import", "-"],
        input=json.dumps(opened()) + "\n",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    out = tmp_path / "cp.json"
    args = ["--store", store, "--by", name, "audit", "checkpoint", "--out", str(out)]
    done = runner.invoke(cli, args)
    assert done.exit_code == 2, (done.exit_code, done.stderr)
    assert done.stderr.startswith("Error: created_by: ")
    assert not out.exists()
