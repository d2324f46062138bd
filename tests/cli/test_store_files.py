"""Files that are not summit stores, and read-only stores (issue 13 item 3).

Read-only commands never create or change a file; only import, record and
demo create a store. A read-only store still answers queries.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli

ROOT = Path(__file__).parents[2]
SEED = ROOT / "examples" / "hague-2025-seed.jsonl"
NEG = "hague-2025"

READ_ONLY_COMMANDS = [
    ["audit", "verify"],
    ["export"],
    ["audit", "log"],
    ["audit", "checkpoint"],
    ["replay", NEG, "--until", "3"],
    ["stance", NEG],
    ["consensus", NEG],
    ["timeline", NEG],
    ["views", "status"],
]


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _other_program(path: Path) -> None:
    c = sqlite3.connect(path)
    with c:
        c.execute("CREATE TABLE contacts (name TEXT)")
        c.execute("INSERT INTO contacts VALUES ('a source')")
    c.close()


def _not_sqlite(path: Path) -> None:
    path.write_text("name,phone\nalice,555\n")


def _directory(path: Path) -> None:
    path.mkdir()


def _truncated(path: Path) -> None:
    whole = path.with_name("whole.db")
    load(str(whole))
    path.write_bytes(whole.read_bytes()[:3000])
    whole.unlink()


NOT_STORES: dict[str, Callable[[Path], None]] = {
    "empty": _empty,
    "another program's SQLite": _other_program,
    "not SQLite": _not_sqlite,
    "a directory": _directory,
    "truncated": _truncated,
}


def load(store: str) -> None:
    result = CliRunner().invoke(cli, ["--store", store, "import", str(SEED)])
    assert result.exit_code == 0, result.stderr


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file in the folder: its bytes and modification time (but SQLite's
    shared-memory index, where WAL readers mark what they read)."""
    return {
        p.name: (p.read_bytes() if p.is_file() else b"<dir>", p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
        if not p.name.endswith("-shm")
    }


@pytest.mark.parametrize("kind", NOT_STORES)
@pytest.mark.parametrize("command", READ_ONLY_COMMANDS, ids=" ".join)
def test_a_read_only_command_on_a_file_that_is_no_store_exits_3_and_changes_nothing(
    tmp_path: Path, kind: str, command: list[str]
) -> None:
    path = tmp_path / "file.db"
    NOT_STORES[kind](path)
    before = snapshot(tmp_path)
    result = CliRunner().invoke(cli, ["--store", str(path), *command])
    assert result.exit_code == 3, (result.exit_code, result.stdout, result.stderr)
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line
    assert line.startswith(f"Error: {path}: not a summit store"), line
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "kind", ["another program's SQLite", "not SQLite", "a directory", "truncated"]
)
def test_a_write_never_turns_a_foreign_file_into_a_store(
    tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "file.db"
    NOT_STORES[kind](path)
    before = snapshot(tmp_path)
    result = CliRunner().invoke(cli, ["--store", str(path), "import", str(SEED)])
    assert result.exit_code == 3 and "not a summit store" in result.stderr
    assert snapshot(tmp_path) == before


def test_an_import_may_create_a_store_in_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "file.db"
    path.write_bytes(b"")
    load(str(path))
    result = CliRunner().invoke(cli, ["--store", str(path), "audit", "verify"])
    assert result.exit_code == 0 and "23 events checked" in result.stdout


# -- read-only stores, as a user who may not write them ----------------------


NO_OVERRIDE = "-dac_override,-dac_read_search"


@pytest.fixture
def shared_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder whose permission bits bind summit even when the tests run as root."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to drop the permission override")
    folder = tmp_path / "shared"
    folder.mkdir()
    yield folder
    folder.chmod(0o755)


def as_user(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """summit in a real process that obeys permission bits (root without its
    DAC override capability is as bound by chmod as any user)."""
    drop = ["setpriv", f"--bounding-set={NO_OVERRIDE}", f"--inh-caps={NO_OVERRIDE}"]
    code = "from cli.main import main; main()"
    return subprocess.run(
        [*drop, sys.executable, "-c", code, "--store", str(store), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=60,
    )


def _answers(store: Path) -> list[str]:
    return [
        as_user(store, "stance", NEG, "--format", "json").stdout,
        as_user(store, "timeline", NEG, "--format", "json").stdout,
        as_user(store, "audit", "verify").stdout,
    ]


@pytest.mark.parametrize("read_only", ["file (chmod 444)", "folder (chmod 555)"])
def test_a_read_only_store_still_answers_and_refuses_writes_naming_the_file(
    shared_folder: Path, read_only: str
) -> None:
    store = shared_folder / "team.db"
    load(str(store))
    expected = _answers(store)
    assert all(expected) and '"GBR"' in expected[0]
    if read_only.startswith("file"):
        store.chmod(0o444)
    else:
        shared_folder.chmod(0o555)
    before = snapshot(shared_folder)
    assert _answers(store) == expected
    wrote = as_user(store, "import", str(SEED))
    assert wrote.returncode == 3, (wrote.stdout, wrote.stderr)
    assert str(store) in wrote.stderr and len(wrote.stderr.strip().splitlines()) == 1
    assert snapshot(shared_folder) == before


def test_a_read_only_store_whose_views_are_behind_is_folded_in_memory(
    shared_folder: Path,
) -> None:
    from tests.cli.test_views import write_without_catching_up

    store = shared_folder / "team.db"
    load(str(store))
    record = json.loads(SEED.read_text().splitlines()[-1])
    record["ref"] = "written-by-a-writer-that-stopped"
    write_without_catching_up(str(store), record)  # views now one behind
    copy = shared_folder.parent / "copy.db"
    shutil.copyfile(store, copy)
    expected = _answers(copy)  # a writable copy catches its views up
    store.chmod(0o444)
    shared_folder.chmod(0o555)
    before = snapshot(shared_folder)
    answers = _answers(store)  # the read-only store folds the log instead
    assert answers == expected and "written-by-a-writer-that-stopped" in answers[1]
    assert snapshot(shared_folder) == before
