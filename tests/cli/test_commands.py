"""The CLI as a user meets it: record flags, formats, demo, errors and exit codes."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from tests.builders import opened, said, tabled

NEG = "hague-2025"
P = "defence-investment-5pct"


def record(summit: Any, *args: str) -> Any:
    return summit.run("record", *args)


def test_every_record_subcommand_works_from_flags(summit: Any) -> None:
    src = ["--outlet", "Reuters", "--reliability", "on-record"]
    ok = summit.ok
    ok(
        "record",
        "open",
        "-n",
        NEG,
        "--on",
        "2025-06-03",
        "--title",
        "5%",
        "--summit-on",
        "2025-06-24",
        "--venue",
        "The Hague",
        "--parties",
        "nato",
        *src,
    )
    ok(
        "record",
        "propose",
        P,
        "-n",
        NEG,
        "--on",
        "2025-06-03",
        "--by",
        "NATO",
        "--title",
        "5% of GDP",
        "--target",
        "core_defence:3.5:2032",
        "--target",
        "defence_related:1.5:2032",
        *src,
    )
    ok(
        "record",
        "revise",
        P,
        "-n",
        NEG,
        "--on",
        "2025-06-20",
        "--target",
        "core_defence:3.5:2035",
        "--target",
        "defence_related:1.5:2035",
        "--reason",
        "deadline moved",
        *src,
    )
    ref = ok(
        "record",
        "statement",
        "-n",
        NEG,
        "--on",
        "2025-06-10",
        "--actor",
        "esp",
        "--speaker",
        "Pedro Sánchez",
        "--proposal",
        P,
        "--stance",
        "opposes",
        "--quote",
        "unreasonable",
        *src,
    ).stdout.strip()
    assert ref.startswith("statement-")
    ok(
        "record",
        "pledge",
        "-n",
        NEG,
        "--on",
        "2025-02-25",
        "--actor",
        "GBR",
        "--metric",
        "core_defence",
        "--pct",
        "2.5",
        "--by-year",
        "2027",
        *src,
        "--ref",
        "gbr-25",
    )
    ok(
        "record",
        "signoff",
        "-n",
        NEG,
        "--on",
        "2025-06-25",
        "--body",
        "Heads",
        "--document",
        "Declaration",
        "--signatories",
        "all",
        "--proposal",
        P,
        "--reservation",
        "ESP=flexibility",
        *src,
    )
    ok("record", "correct", "gbr-25", "--set", "pct_gdp=2.6", "--reason", "typo")
    ok("record", "retract", ref, "--reason", "superseded")  # fmt: skip

    view = summit.json("stance", NEG, "--proposal", P)
    esp = next(a for a in view["allies"] if a["ally"] == "ESP")
    assert (esp["stance"], esp["conditions"]) == ("conditional", "flexibility")
    gbr = next(a for a in view["allies"] if a["ally"] == "GBR")
    assert gbr["pledges"][0]["pct_gdp"] == 2.6
    assert view["targets"][0]["by_year"] == 2035
    assert summit.json("consensus", NEG)["counts"]["supports"] == 31


def test_record_json_accepts_the_interchange_format(summit: Any) -> None:
    summit.load([opened(), tabled()])
    event = said("j", "GBR", "2025-06-10", "supports")
    assert summit.ok("record", "--json", json.dumps(event)).stdout.strip() == "j"
    again = summit.ok("record", "--json", json.dumps(event))
    assert "already recorded" in again.stderr
    bad = summit.run(
        "record", "--json", json.dumps({**event, "ref": "k", "actor": "USA"})
    )
    assert bad.exit_code == 2 and "actor" in bad.stderr
    piped = summit.ok(
        "record", "--json", "-", input=json.dumps(said("k", "FRA", "2025-06-10", None))
    )
    assert piped.stdout.strip() == "k"


def test_invalid_flags_name_the_option_and_store_nothing(summit: Any) -> None:
    summit.load([opened(), tabled()])
    cases = [
        (["pledge", "-n", "t", "--on", "2025-06-10", "--actor", "GBR", "--metric",
          "core_defence", "--pct", "lots", "--by-year", "2030", "--outlet", "x"],
         "--pct"),
        (["pledge", "-n", "t", "--on", "2025-06-10", "--actor", "GBR", "--metric",
          "core_defence", "--pct", "0", "--by-year", "2030", "--outlet", "x"], "--pct"),
        (["statement", "-n", "t", "--on", "10/06/2025", "--actor", "GBR",
          "--speaker", "x", "--outlet", "x"], "--on"),
        (["statement", "-n", "t", "--on", "2025-06-10", "--actor", "USA",
          "--speaker", "x", "--outlet", "x"], "--actor"),
        (["statement", "-n", "t", "--on", "2025-06-10", "--actor", "GBR",
          "--speaker", "x"], "source"),
        (["propose", "q", "-n", "t", "--on", "2025-06-10", "--by", "NATO",
          "--title", "x", "--target", "core:3"], "--target"),
    ]  # fmt: skip
    for args, flag in cases:
        result = record(summit, *args)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        assert flag in result.stderr, (flag, result.stderr)
        assert "Traceback" not in result.stderr
    assert len(summit.ok("export").stdout.splitlines()) == 2


def test_formats_are_parseable(summit: Any) -> None:
    summit.load([opened(), tabled(), said("a", "GBR", "2025-06-10", "supports")])
    rows = list(
        csv.DictReader(io.StringIO(summit.ok("stance", "t", "--format", "csv").stdout))
    )
    assert [r["ally"] for r in rows] == ["DEU", "FRA", "GBR"]
    assert rows[2]["stance"] == "supports" and rows[2]["gap_pp"] == ""
    path = list(
        csv.DictReader(
            io.StringIO(summit.ok("consensus", "t", "--format", "csv").stdout)
        )
    )
    assert path == [
        {"on": "2025-06-10", "supports": "1", "conditional": "0", "undecided": "0",
         "opposes": "0", "unknown": "2", "refs": "a"}
    ]  # fmt: skip
    table = summit.ok("stance", "t").stdout
    assert "United Kingdom (GBR)" in table and "supports" in table
    timeline = summit.ok("timeline", "t", "--format", "csv").stdout.splitlines()
    assert timeline[0].startswith("position,occurred_on,type,ref")


def test_timeline_filters(summit: Any) -> None:
    summit.load(
        [
            opened(),
            tabled(),
            said("a", "GBR", "2025-06-10", "supports"),
            said("b", "FRA", "2025-06-12", None),
        ]
    )

    def refs(*args: str) -> list[str]:
        return [e["ref"] for e in summit.json("timeline", "t", *args)["events"]]

    assert refs("--ally", "GBR") == ["a"]
    assert refs("--type", "statement.made", "--from", "2025-06-11") == ["b"]
    assert refs("--to", "2025-06-01") == ["open", "tab"]
    assert refs("--as-of", "2025-06-10") == ["open", "tab", "a"]


def test_proposal_may_be_left_out_when_only_one_is_tabled(summit: Any) -> None:
    summit.load([opened(), tabled()])
    assert summit.json("stance", "t")["proposal"] == "p5"
    unknown = summit.run("stance", "t", "--proposal", "nope")
    assert unknown.exit_code == 2 and "not tabled" in unknown.stderr
    missing = summit.run("consensus", "nowhere")
    assert missing.exit_code == 2 and "nowhere" in missing.stderr


def test_dry_run_validates_and_stores_nothing(summit: Any) -> None:
    summit.load([opened()])
    text = json.dumps(tabled()) + "\n"
    result = summit.ok("import", "--dry-run", "-", input=text)
    assert "would store 1" in result.stderr
    assert len(summit.ok("export").stdout.splitlines()) == 1


def test_missing_store_exits_3_for_queries(tmp_path: Any) -> None:
    from click.testing import CliRunner

    from cli.main import cli

    store = str(tmp_path / "absent.db")
    result = CliRunner().invoke(cli, ["--store", store, "stance", "t"])
    assert result.exit_code == 3 and "store not found" in result.stderr
    assert not (tmp_path / "absent.db").exists()


def test_demo_shows_32_allies_and_the_consensus_path(summit: Any) -> None:
    result = summit.ok("demo", "--format", "json")
    view = json.loads(result.stdout)
    assert len(view["stance"]["allies"]) == 32
    assert view["consensus"]["parties"] == 32
    assert view["consensus"]["path"]
    table = summit.ok("demo").stdout
    assert "consensus path" in table and "Türkiye (TUR)" in table
    assert "0 events (23 already there)" in table or "already there" in table


def test_demo_without_a_named_store_uses_a_temporary_one(tmp_path: Any) -> None:
    import os

    from click.testing import CliRunner

    from cli.main import cli

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(
            cli, ["demo", "--sample", "seed"], env={"SUMMIT_STORE": None}
        )
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.stderr
    assert "United Kingdom" in result.stdout
    assert "a temporary store" in result.stdout
    assert not (tmp_path / "summit.db").exists()


def test_help_teaches_with_examples() -> None:
    from click.testing import CliRunner

    from cli.main import cli

    for args in (["--help"], ["stance", "--help"], ["record", "statement", "--help"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0
        assert "Example" in result.stdout or "Quick look" in result.stdout


def test_input_that_is_not_utf8_is_a_usage_error(summit: Any) -> None:
    path = summit.tmp / "latin1.jsonl"
    good = json.dumps(opened()) + "\n"
    path.write_bytes(good.encode() * 5000 + "Bogotá\n".encode("latin-1"))
    result = summit.run("import", str(path))
    assert result.exit_code == 2 and "not UTF-8" in result.stderr
    assert "Traceback" not in result.stderr
    assert summit.run("export").stdout == ""  # nothing stored
