"""Input that is not what it looks like: bytes that are not UTF-8, JSON that
decodes to half a surrogate pair, dates in other ISO 8601 spellings, and
instants outside the calendar. Each is refused in one line, exit 2, with
nothing stored; none is an internal error (exit 70)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.builders import opened, said, tabled
from tests.processes import ROOT, summit_command

QUERIES = (
    ("stance", "t", "-p", "p5"),
    ("consensus", "t", "-p", "p5"),
    ("delivery", "t", "-p", "p5"),
    ("spending", "t", "--year", "2025"),
)


def loaded(summit: Any) -> Any:
    summit.load([opened(), tabled(), said("a", "GBR", "2025-06-10", "supports")])
    return summit


def refused(summit: Any, *args: str, input: str | None = None) -> str:
    result = summit.run(*args, input=input)
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return str(result.stderr)


@pytest.mark.parametrize(
    "day", ["2025-W24-2", "20250610", "2025-161", "２０２５-06-10"]
)
def test_a_date_in_another_iso_spelling_is_refused(summit: Any, day: str) -> None:
    # 2025-W24-2 is 10 June 2025 to Python's fromisoformat: accepted, the
    # answers were cut at that day but echoed "as_of": "2025-W24-2", and
    # timeline --from compared it as text (no event on or after it).
    loaded(summit)
    for query in QUERIES:
        said_ = refused(summit, *query, "--as-of", day)
        assert f"'{day}' is not a date (YYYY-MM-DD)" in said_
    for bound in ("--from", "--to"):
        assert "is not a date" in refused(summit, "timeline", "t", bound, day)
    said_ = refused(summit, "stance", "t", "-p", "p5", "--known-at", f"{day}T10:00Z")
    assert "is not a timestamp" in said_


def test_the_calendar_spelling_still_answers(summit: Any) -> None:
    loaded(summit)
    view = summit.json("stance", "t", "-p", "p5", "--as-of", "2025-06-10")
    assert view["as_of"] == "2025-06-10"
    assert [a["stance"] for a in view["allies"] if a["ally"] == "GBR"] == ["supports"]
    assert summit.json("stance", "t", "-p", "p5", "--known-at", "2100-01-01t00:00Z")


@pytest.mark.parametrize(
    "instant", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"]
)
def test_an_instant_outside_the_calendar_in_utc_is_refused(
    summit: Any, instant: str
) -> None:
    loaded(summit)
    for query in (*QUERIES, ("timeline", "t"), ("export",), ("replay", "t")):
        said_ = refused(summit, *query, "--known-at", instant)
        assert "out of range: in UTC it falls outside years 1 to 9999" in said_


@pytest.mark.parametrize(
    ("field", "value"),
    [("speaker", "\\ud800"), ("speaker", "ok \\uDC00"), ("quote", "a\\udbff")],
)
def test_json_of_half_a_surrogate_pair_is_refused_at_its_line(
    summit: Any, field: str, value: str
) -> None:
    loaded(summit)
    record = said("b", "FRA", "2025-06-11", None, **{field: "@@"})
    line = json.dumps(record).replace('"@@"', f'"{value}"')
    text = f"{line}\n"
    said_ = refused(summit, "import", "-", input=text)
    assert said_.startswith(f"-:1: {field}: \\u"), said_
    assert "is half a surrogate pair, not text" in said_
    assert "b" not in [e["ref"] for e in summit.json("timeline", "t")["events"]]
    as_flag = refused(summit, "record", "--json", line)
    assert "half a surrogate pair" in as_flag


def test_a_surrogate_pair_in_json_is_text(summit: Any) -> None:
    loaded(summit)
    line = json.dumps(said("b", "FRA", "2025-06-11", None, quote="\U0001f600"))
    assert "\\ud83d\\ude00" in line  # json.dumps escapes it as a pair
    summit.load([json.loads(line)])
    events = summit.json("timeline", "t")["events"]
    assert [e["event"].get("quote") for e in events if e["ref"] == "b"] == ["😀"]


def test_an_empty_by_is_refused_not_replaced(summit: Any) -> None:
    loaded(summit)
    result = summit.run(
        "--by", "", "record", "statement", "-n", "t", "--on", "2025-06-12",
        "--actor", "DEU", "--speaker", "X", "--outlet", "o",
    )  # fmt: skip
    assert result.exit_code == 2, result.stderr
    assert "recorded_by: must not be blank" in result.stderr
    assert len(summit.json("timeline", "t")["events"]) == 3


def run_bytes(tmp_path: Path, args: list[bytes], **env: bytes) -> Any:
    """A real process given bytes as arguments (and environment)."""
    store = tmp_path / "s.db"
    command = [a.encode() for a in summit_command(store)] + args
    environ = {k.encode(): v.encode() for k, v in os.environ.items()}
    environ.update({k.encode(): v for k, v in env.items()})
    return subprocess.run(
        command, capture_output=True, cwd=ROOT, env=environ, timeout=120
    )


@pytest.mark.parametrize(
    ("args", "said_"),
    [
        (
            [b"stance", b"hague\xff"],
            b"argument 6 (after stance) is not UTF-8 text: hague\\xff",
        ),
        (
            [b"record", b"statement", b"-n", b"t", b"--on", b"2025-01-02", b"--actor",
             b"GBR", b"--speaker", b"\xed\xa0\x80", b"--outlet", b"o"],
            b"(after --speaker) is not UTF-8 text: \\xed\\xa0\\x80",
        ),
        ([b"audit", b"verify", b"hague\xff"], b"is not UTF-8 text: hague\\xff"),
    ],
)  # fmt: skip
def test_arguments_that_are_not_utf8_are_refused(
    tmp_path: Path, args: list[bytes], said_: bytes
) -> None:
    done = run_bytes(tmp_path, args)
    assert done.returncode == 2, done.stderr
    assert said_ in done.stderr and b"Traceback" not in done.stderr
    assert not (tmp_path / "s.db").exists()  # nothing opened, nothing stored


def test_a_summit_variable_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    done = run_bytes(tmp_path, [b"export"], SUMMIT_NEGOTIATION=b"al\xffice")
    assert done.returncode == 2, done.stderr
    assert b"SUMMIT_NEGOTIATION is not UTF-8 text: al\\xffice" in done.stderr
