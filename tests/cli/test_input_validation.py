"""Bad input as a new user writes it: every problem reported at once, exit 2,
nothing stored (issue 15 items 1-8, issue 13 items 6 and 8)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from tests.builders import opened, pledged, retracted, said, tabled


def stored(db: Path) -> int:
    """How many events the SQLite store at `db` holds (0 when there is none)."""
    if not db.exists():
        return 0
    with sqlite3.connect(db) as con:
        tables = {r[0] for r in con.execute("select name from sqlite_master")}
        if "stored_events" not in tables:
            return 0
        return int(con.execute("select count(*) from stored_events").fetchone()[0])


def run(db: Path, *args: str, input: bytes | str | None = None) -> Result:
    return CliRunner().invoke(
        cli, ["--store", str(db), "--by", "tester", *args], input=input
    )


def summit_process(
    db: Path, *args: str, stdin: bytes
) -> subprocess.CompletedProcess[bytes]:
    """The installed `summit` in a real process, its stdin a pipe."""
    exe = Path(sys.executable).parent / "summit"
    env = {**os.environ, "SUMMIT_USER": "tester"}
    return subprocess.run(
        [str(exe), "--store", str(db), *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=60,
    )


def record_open(db: Path, *, on: str, summit_on: str, parties: str) -> Result:
    """`summit record open` of a negotiation `x` with these dates and parties."""
    return run(
        db,
        "record",
        "open",
        "-n",
        "x",
        "--on",
        on,
        "--title",
        "t",
        "--summit-on",
        summit_on,
        "--venue",
        "v",
        "--parties",
        parties,
        "--outlet",
        "o",
    )


def jsonl(*records: dict[str, Any]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def write(tmp_path: Path, text: str | bytes, name: str = "in.jsonl") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


def test_every_problem_of_a_file_is_reported_in_one_run(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    bad = {**said("s1", "GBR", "2025-06-02", None), "bogus": 1}
    path = write(
        tmp_path,
        jsonl(
            opened(),
            bad,
            said("s2", "RUS", "2025-06-02", None),
            retracted("r1", "no-such-ref"),
            said("s3", "GBR", "2025-06-03", None),
            retracted("r2", "s3"),  # valid against the valid lines so far
        ),
    )
    result = run(db, "import", str(path))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines == [
        f"{path}:2: bogus: unknown field",
        f"{path}:3: actor: 'RUS' is not a party of 't' nor an institution",
        f"{path}:4: target: no record 'no-such-ref' in 't'",
    ]
    assert stored(db) == 0


def test_thousands_of_problems_are_capped_with_a_count(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    records = [opened()] + [
        said(f"s{i}", "RUS", "2025-06-02", None) for i in range(500)
    ]
    path = write(tmp_path, jsonl(*records) + '{"type": nope}\n')
    result = run(db, "import", str(path))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 12  # ten of the one kind, the JSON error, the count
    assert lines[-2] == f"{path}:502: json: not valid JSON (Expecting value)"
    assert lines[-1] == "… and 490 more problem(s) not shown; nothing was stored"
    assert stored(db) == 0


@pytest.mark.parametrize(
    "day", ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"]
)
def test_world_dates_outside_1900_to_2100_are_refused(tmp_path: Path, day: str) -> None:
    db = tmp_path / "s.db"
    path = write(tmp_path, jsonl(opened(), said("s", "GBR", day, None)))
    result = run(db, "import", str(path))
    assert result.exit_code == 2
    assert result.stderr == (
        f"{path}:2: occurred_on: '{day}' is out of range (1900-01-01..2100-12-31)\n"
    )
    assert stored(db) == 0
    flags = record_open(db, on=day, summit_on="2025-06-24", parties="GBR")
    assert flags.exit_code == 2 and "out of range" in flags.stderr


def test_the_edges_of_the_date_range_are_accepted(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    path = write(
        tmp_path,
        jsonl(
            opened(),
            said("a", "GBR", "1900-01-01", None),
            said("b", "GBR", "2100-12-31", None),
        ),
    )
    assert run(db, "import", str(path)).exit_code == 0
    assert stored(db) == 3


def test_two_targets_for_one_metric_and_year_are_refused(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    targets = [
        {"metric": "total", "pct_gdp": 5, "by_year": 2035},
        {"metric": "total", "pct_gdp": 4, "by_year": 2035},
    ]
    path = write(tmp_path, jsonl(opened(), tabled(targets)))
    result = run(db, "import", str(path))
    assert result.exit_code == 2
    assert result.stderr == (
        f"{path}:2: targets: two targets for total by 2035 "
        "(one target per metric and year)\n"
    )
    assert stored(db) == 0


def test_a_key_given_twice_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    text = json.dumps(opened())[:-1] + ', "ref": "b"}\n'
    path = write(tmp_path, text)
    result = run(db, "import", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"{path}:1: ref: is given twice in one object\n"
    assert stored(db) == 0


@pytest.mark.parametrize(
    "speaker",
    ["\u0000", "a\u001b]0;pwned\u0007", "x\u009b2J", "line\rfeed", "\u007f"],
)
def test_control_characters_in_text_are_refused(tmp_path: Path, speaker: str) -> None:
    db = tmp_path / "s.db"
    path = write(
        tmp_path, jsonl(opened(), said("s", "GBR", "2025-06-02", None, speaker=speaker))
    )
    result = run(db, "import", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:2: speaker: control character U+")
    assert stored(db) == 0


def test_tab_newline_rtl_marks_and_emoji_are_text(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    quote = "first\tsecond\nthird \u200f\u202eRTL 🇳🇱"
    path = write(
        tmp_path, jsonl(opened(), said("s", "GBR", "2025-06-02", None, quote=quote))
    )
    assert run(db, "import", str(path)).exit_code == 0
    assert stored(db) == 2


@pytest.mark.parametrize("by", ["   ", "alice\nbob", "al\u0000ice", "tab\there"])
def test_a_blank_or_control_recorder_is_refused(tmp_path: Path, by: str) -> None:
    db = tmp_path / "s.db"
    path = write(tmp_path, jsonl(opened()))
    result = CliRunner().invoke(
        cli, ["--store", str(db), "--by", by, "import", str(path)]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: recorded_by: ")
    assert stored(db) == 0


def test_a_leading_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    path = write(tmp_path, b"\xef\xbb\xbf" + jsonl(opened()).encode())
    result = run(db, "import", str(path))
    assert result.exit_code == 0, result.stderr
    assert stored(db) == 1


def test_an_out_of_range_share_is_shown_as_written(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    path = write(
        tmp_path, jsonl(opened(), pledged("p", "GBR", "2025-06-02", 100.0000001, 2030))
    )
    result = run(db, "import", str(path))
    assert result.exit_code == 2
    assert "pct_gdp: 100.0000001 is out of range (0 < pct_gdp <= 100)" in result.stderr


def test_json_piped_into_record_without_json_flag_is_recorded(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    done = summit_process(db, "record", stdin=jsonl(opened()).encode())
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode() == "open\n"
    assert stored(db) == 1
    empty = summit_process(db, "record", stdin=b"")
    assert empty.returncode == 2
    assert b"nothing to record" in empty.stderr


def big_file(tmp_path: Path) -> Path:
    """5,001 distinct valid lines, then a line with a byte that is not UTF-8."""
    records = [opened()] + [
        said(f"s{i}", "GBR", "2025-06-02", None) for i in range(5000)
    ]
    text = jsonl(*records).encode()
    return write(tmp_path, text[:-1] + b', "note": "Bogot\xe1"}\n')


@pytest.mark.parametrize(
    "args",
    [
        ("import", "FILE"),
        ("import", "-"),
        ("import", "--dry-run", "-"),
        ("record", "--json", "-"),
    ],
)
def test_a_bad_byte_is_reported_at_its_own_line(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    db = tmp_path / "s.db"
    path = big_file(tmp_path)
    argv = [str(path) if a == "FILE" else a for a in args]
    done = summit_process(db, *argv, stdin=path.read_bytes())
    where = str(path) if "FILE" in args else "-"
    assert done.returncode == 2, done.stderr
    column = path.read_bytes().splitlines()[-1].index(b"\xe1") + 1
    assert done.stderr.decode() == (
        f"{where}:5001: not UTF-8 text (byte 0xe1 at column {column})\n"
    )
    assert stored(db) == 0


def test_a_dry_run_on_a_missing_store_validates_and_creates_nothing(
    tmp_path: Path,
) -> None:
    db = tmp_path / "new.db"
    good = write(tmp_path, jsonl(opened(), said("s", "GBR", "2025-06-02", None)))
    result = run(db, "import", "--dry-run", str(good))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "would store 2 event(s), skipped 0 already recorded\n"
    bad = write(tmp_path, jsonl(said("s", "GBR", "2025-06-02", None)), "bad.jsonl")
    result = run(db, "import", "--dry-run", str(bad))
    assert result.exit_code == 2
    assert "'t' has not been opened" in result.stderr
    assert not db.exists()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"type": "x", "type": "y"}', "type: is given twice in one object"),
        (
            '{"a": ' + "9" * 5000 + "}",
            "json: not valid JSON (a number too long to read)",
        ),
        ("[" * 5000 + "]" * 5000, "json: not valid JSON (nested too deeply)"),
    ],
)
def test_record_json_refuses_what_import_refuses(
    tmp_path: Path, text: str, reason: str
) -> None:
    db = tmp_path / "s.db"
    result = run(db, "record", "--json", text)
    assert result.exit_code == 2
    assert (
        result.stderr.splitlines()[-1] == f"Error: Invalid value for --json: {reason}"
    )
    assert stored(db) == 0
