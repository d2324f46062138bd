"""SPEC §2 at the command line: `null` in an optional field means the field is
absent, on import, `record --json` and `record correct --set` alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from cli.main import cli
from tests.builders import opened, pledged, signed, spent, tabled

NULLED = {"rule": "open", "firmness": "p", "classified": "x", "basis": "sp"}


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--store", str(db), "--by", "tester", *args])


def write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def records(nulls: bool) -> list[dict[str, Any]]:
    """A table whose defaulted fields are given as null, or left out."""
    given = [
        opened(),
        tabled(),
        pledged("p", "GBR", "2025-06-02", 3.5, 2035),
        signed("x", "2025-06-25", ["GBR"]),
        spent("sp", "GBR", 2024, 2.1, "2025-03-01"),
    ]
    given[2]["source"] = {"outlet": "Wire", **({"reliability": None} if nulls else {})}
    if nulls:
        for field, ref in NULLED.items():
            next(r for r in given if r["ref"] == ref)[field] = None
    return given


def exported(db: Path) -> str:
    result = run(db, "export", "--no-recorded")
    assert result.exit_code == 0, result.output
    return result.stdout


def test_nulls_import_as_the_defaults(tmp_path: Path) -> None:
    db = tmp_path / "nulls.db"
    result = run(db, "import", str(write(tmp_path / "n.jsonl", records(True))))
    assert result.exit_code == 0, result.output
    lines = {r["ref"]: r for r in map(json.loads, exported(db).splitlines())}
    assert lines["open"]["rule"] == "consensus"
    assert lines["p"]["firmness"] == "commitment"
    assert lines["p"]["source"] == {"outlet": "Wire", "reliability": "reported"}
    assert lines["x"]["classified"] is False
    assert lines["sp"]["basis"] == "estimate"


def test_null_and_absent_store_the_same_and_reimport_as_already_recorded(
    tmp_path: Path,
) -> None:
    with_nulls = write(tmp_path / "n.jsonl", records(True))
    without = write(tmp_path / "a.jsonl", records(False))
    assert run(tmp_path / "n.db", "import", str(with_nulls)).exit_code == 0
    assert run(tmp_path / "a.db", "import", str(without)).exit_code == 0
    assert exported(tmp_path / "n.db") == exported(tmp_path / "a.db")
    for db in ("n.db", "a.db"):
        for path in (with_nulls, without):
            again = run(tmp_path / db, "import", str(path))
            assert again.exit_code == 0, again.output
            assert "stored 0 event(s), skipped 5 already recorded" in again.output


def test_record_json_takes_null_as_absent(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    assert (
        run(db, "import", str(write(tmp_path / "o.jsonl", [opened()]))).exit_code == 0
    )
    pledge = pledged("p", "GBR", "2025-06-02", 3.5, 2035, firmness=None)
    result = run(db, "record", "--json", json.dumps(pledge))
    assert result.exit_code == 0, result.output
    assert json.loads(exported(db).splitlines()[-1])["firmness"] == "commitment"


def test_null_in_a_required_field_is_one_line_naming_it(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    path = write(tmp_path / "r.jsonl", [opened(title=None)])
    result = run(db, "import", "--dry-run", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"{path}:1: title: is required (null means absent)\n"


def test_correct_set_null_and_imported_null_change_agree(tmp_path: Path) -> None:
    """`--set firmness=null` and `"changes": {"firmness": null}` store the same
    correction: firmness back to its default, and a source's null reliability
    is reported either way."""
    base = [opened(), pledged("p", "GBR", "2025-06-02", 3.5, 2035, firmness="ambition")]
    source = {"outlet": "Wire", "reliability": None}
    for db in ("flags.db", "file.db"):
        assert (
            run(
                tmp_path / db, "import", str(write(tmp_path / "b.jsonl", base))
            ).exit_code
            == 0
        )
    flags = run(
        tmp_path / "flags.db",
        *("record", "correct", "p", "--ref", "c", "--reason", "fix"),
        *("--set", "firmness=null", "--set", f"source={json.dumps(source)}"),
    )
    assert flags.exit_code == 0, flags.output
    correction = {
        "type": "record.corrected",
        "negotiation": "t",
        "ref": "c",
        "target": "p",
        "changes": {"firmness": None, "source": source},
        "reason": "fix",
    }
    path = write(tmp_path / "c.jsonl", [correction])
    imported = run(tmp_path / "file.db", "import", str(path))
    assert imported.exit_code == 0, imported.output
    assert exported(tmp_path / "flags.db") == exported(tmp_path / "file.db")
    last = json.loads(exported(tmp_path / "file.db").splitlines()[-1])
    assert last["changes"] == {
        "firmness": "commitment",
        "source": {"outlet": "Wire", "reliability": "reported"},
    }
    again = run(tmp_path / "flags.db", "import", str(path))
    assert "stored 0 event(s), skipped 1 already recorded" in again.output
