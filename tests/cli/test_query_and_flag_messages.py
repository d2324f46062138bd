"""What a new user is told: record flags name flags that exist, a filter that
cannot match is an error, replay says what a cut holds (issue 15 items 3, 7,
9 and 11)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from tests.builders import opened, said, tabled
from tests.cli.test_input_validation import record_open, stored

SRC = ["--outlet", "Wire"]


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--store", str(db), "--by", "tester", *args])


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A store with an opening (position 1), a statement (2), a tabling (3)."""
    path = tmp_path / "s.db"
    lines = [opened(), said("s1", "GBR", "2025-06-02", None), tabled()]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in lines))
    assert run(path, "import", str(src)).exit_code == 0
    return path


def error(result: Result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output)
    return result.stderr.splitlines()[-1]


def test_a_negotiation_with_no_parties_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    result = record_open(db, on="1940-01-01", summit_on="1940-04-04", parties="nato")
    assert error(result) == (
        "Error: --parties: 'nato' had no members on 1940-04-04 (the summit date): "
        "list the parties"
    )
    assert stored(db) == 0


def test_retracting_the_opening_says_so_in_a_whole_sentence(db: Path) -> None:
    assert error(run(db, "record", "retract", "open", "--reason", "r")) == (
        "Error: REF: 'open' opens the negotiation and cannot be retracted or corrected"
    )
    assert stored(db) == 3


def test_a_missing_source_names_the_flags_that_exist(db: Path) -> None:
    result = run(
        db,
        "record",
        "statement",
        "-n",
        "t",
        "--on",
        "2025-06-03",
        "--actor",
        "GBR",
        "--speaker",
        "s",
    )
    assert error(result) == "Error: --outlet or --url: the source is required"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("position=foo", "--set position: must be an object"),
        ("speaker=3", "--set speaker: must be text"),
        ('source={"x": 1}', "--set source.x: unknown field"),
        ("nosuch=1", "--set nosuch: statement.made has no such field"),
    ],
)
def test_correct_set_errors_name_the_field_in_our_words(
    db: Path, change: str, message: str
) -> None:
    result = run(db, "record", "correct", "s1", "--set", change, "--reason", "r")
    assert error(result) == f"Error: {message}"
    assert "Input should" not in result.stderr and "instance of" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("stance", "t", "--ally", "XYZ"),
        ("timeline", "t", "--ally", "XYZ"),
        ("delivery", "t", "--ally", "XYZ"),
    ],
)
def test_an_ally_not_at_the_table_is_an_error_naming_it(
    db: Path, args: tuple[str, ...]
) -> None:
    assert error(run(db, *args)).startswith(
        "Error: --ally: 'XYZ' is not a party of 't'"
    )


@pytest.mark.parametrize(
    "args",
    [
        ("audit", "log", "-n", "nosuch"),
        ("audit", "verify", "nosuch"),
        ("stance", "nosuch"),
        ("consensus", "nosuch"),
        ("timeline", "nosuch"),
        ("delivery", "nosuch"),
        ("spending", "nosuch", "--year", "2024"),
        ("replay", "nosuch", "--until", "3"),
    ],
)
def test_an_unknown_negotiation_is_an_error_naming_it(
    db: Path, args: tuple[str, ...]
) -> None:
    assert error(run(db, *args)) == "Error: negotiation 'nosuch' is not in this store"


def test_an_empty_date_range_is_an_error(db: Path) -> None:
    result = run(db, "timeline", "t", "--from", "2025-07-01", "--to", "2025-06-01")
    assert error(result) == (
        "Error: --from 2025-07-01 is later than --to 2025-06-01: the range is empty"
    )


def test_replay_cuts_say_what_is_true(db: Path) -> None:
    assert error(run(db, "replay", "t", "--until", "0")) == (
        "Error: positions start at 1 (this log holds 1..3)"
    )
    assert error(run(db, "replay", "t", "--until", "2")) == (
        "Error: no proposal had been tabled in 't' by position 2: replay to a later cut"
    )
    early = error(run(db, "replay", "t", "--known-at", "2000-01-01"))
    assert early.startswith(
        "Error: 't' was not open yet at 2000-01-01T23:59:59.999999Z: "
        "it was opened at position 1 ("
    )
    assert run(db, "replay", "t", "--until", "3").exit_code == 0
