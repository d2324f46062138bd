"""A large import's rows are sealed in a second process (`seal_ahead.py`).

The store must not change: the child writes the spool the import would
write itself, byte for byte; a child that fails, dies or miscounts leaves
the whole attempt to the import, which then seals every row itself; and a
store whose seal needs a key (an encrypted one) is never sealed aside.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any
from unittest.mock import patch
from uuid import uuid4

import pytest

from cli import read_ahead, seal_ahead
from domain.application import Summit
from domain.sealing import SealedHere, Unsealed
from domain.stored import COMPRESSOR_TOPIC
from projections import ahead
from tests.builders import opened

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402

SEALER = "cli.seal_ahead"
pytestmark = pytest.mark.skipif(os.name != "posix", reason="children: POSIX only")


@pytest.fixture(autouse=True)
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a machine with a core to spare (one core starts no child)."""
    monkeypatch.setattr(ahead, "cores", lambda: 2)


def rows_of(count: int) -> list[Any]:
    """Rows as the import puts them: two aggregates', plain states to seal
    and a state the mapper sealed already (an opening's), in frames."""
    first, second = uuid4(), uuid4()
    rows = []
    for n in range(1, count + 1):
        state = json.dumps({"record": {"n": n, "quote": "«Non» 🙂" * (n % 7)}})
        rows.append((first if n % 3 else second, n, "t:T", state.encode(), True))
    rows[0] = (first, 0, "t:Opened", b"\x78\x9c already sealed", False)
    return rows


def test_the_child_writes_the_spool_this_process_would() -> None:
    app = Summit(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.popo",
            "COMPRESSOR_TOPIC": COMPRESSOR_TOPIC,
        }
    )
    rows = rows_of(2500)
    with tempfile.TemporaryFile() as here, tempfile.TemporaryFile() as there:
        sealer = SealedHere(here, app._seal)
        children: list[Any] = []
        aside = seal_ahead.starter(str(ROOT / "README.md"), children)
        assert aside is not None  # (README.md: big enough for `SIZE` 0 below)
        child = aside(there)
        assert child is not None and len(children) == 1
        try:
            for at in range(0, len(rows), 1000):
                sealer.put(rows[at : at + 1000])
                child.put(rows[at : at + 1000])
            assert child.finish() and sealer.finish()
        finally:
            child.close()
        here.seek(0)
        there.seek(0)
        assert there.read() == here.read()
    assert children[0].process.returncode is not None  # stopped and waited for


@pytest.fixture(autouse=True)
def any_size() -> Any:
    """Every input large enough to be sealed (and parsed) aside."""
    with patch.object(read_ahead, "SIZE", 0), patch.object(seal_ahead, "SIZE", 0):
        yield


def write_input(folder: Path, count: int = 900) -> Path:
    path = folder / "input.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in generate(count, per=300)))
    return path


def spawned_modules() -> tuple[list[Any], Any]:
    """The children started (module, child), and a patch that records them."""
    started: list[Any] = []
    spawn = ahead.spawn

    def kept(module: str, *args: Any) -> Any:
        started.append((module, spawn(module, *args)))
        return started[-1][1]

    return started, patch.object(ahead, "spawn", kept)


def imported(summit: Any, path: Path, *extra: str) -> tuple[int, str, str]:
    """An import of `path`: its exit status and messages, and the store's
    export (without the times of recording, which differ)."""
    result = summit.run(*extra, "import", str(path))
    exported = summit.run(*extra, "export", "--no-recorded")
    assert exported.exit_code == 0, exported.stderr
    return result.exit_code, result.stderr, exported.stdout


def sealers(started: list[Any]) -> list[Any]:
    return [child for module, child in started if module == SEALER]


def finished() -> tuple[list[bool], Any]:
    """What each sealer's `finish` said, and a patch that records it."""
    said: list[bool] = []
    finish = seal_ahead.SealedAside.finish

    def told(self: Any) -> bool:
        said.append(finish(self))
        return said[-1]

    return said, patch.object(seal_ahead.SealedAside, "finish", told)


def test_an_import_sealed_aside_stores_what_one_sealed_here_does(
    make_summit: Any, tmp_path: Path
) -> None:
    path = write_input(tmp_path)
    started, recording = spawned_modules()
    said, finishing = finished()
    aside = make_summit("aside")
    with recording, finishing:
        there = imported(aside, path)
    assert len(sealers(started)) == 1
    assert said == [True]  # its spool was the one stored: checked once
    assert [m for m, _ in started].count("cli.read_ahead") == 1
    with patch.object(seal_ahead, "starter", lambda *a: None):
        here = imported(make_summit("here"), path)
    assert there == here
    assert there[0] == 0 and "stored 900 event(s)" in there[1]
    verified = aside.run("audit", "verify")
    assert verified.exit_code == 0, verified.stderr


def dies(after: int) -> Any:
    """A patch: the sealer's child is killed once it was sent `after` rows."""
    put = seal_ahead.SealedAside.put

    def put_then_die(self: Any, rows: list[Any]) -> None:
        put(self, rows)
        if self.sent >= after and self.child.process.poll() is None:
            self.child.process.kill()
            self.child.process.wait()

    return patch.object(seal_ahead.SealedAside, "put", put_then_die)


@pytest.mark.parametrize("after", [300, 900], ids=["midway", "at the end"])
def test_a_child_that_died_leaves_the_whole_attempt_to_the_import(
    make_summit: Any, tmp_path: Path, after: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from domain import application

    monkeypatch.setattr(application, "SPOOL_EVERY", 100)  # rows put 100 at a time
    path = write_input(tmp_path)
    started, recording = spawned_modules()
    said, finishing = finished()
    died = make_summit("died")
    with recording, dies(after), finishing:
        there = imported(died, path)
    assert len(sealers(started)) == 1  # the attempt again: sealed here
    assert said == [False]
    with patch.object(seal_ahead, "starter", lambda *a: None):
        here = imported(make_summit("here"), path)
    assert there == here and "stored 900 event(s)" in there[1]
    verified = died.run("audit", "verify")
    assert verified.exit_code == 0, verified.stderr


def test_a_child_that_wrote_fewer_rows_than_sent_is_not_trusted(
    summit: Any, tmp_path: Path
) -> None:
    """Its count differs from the rows sent: the attempt is redone here."""
    path = write_input(tmp_path)
    put = seal_ahead.SealedAside.put

    def loses_a_row(self: Any, rows: list[Any]) -> None:
        put(self, rows[:-1])
        self.sent += 1  # (counted as sent: the child "lost" it)

    started, recording = spawned_modules()
    with recording, patch.object(seal_ahead.SealedAside, "put", loses_a_row):
        code, err, exported = imported(summit, path)
    assert code == 0 and "stored 900 event(s)" in err
    assert len(sealers(started)) == 1
    assert exported.count("\n") == 900
    assert summit.run("audit", "verify").exit_code == 0


def test_no_child_seals_an_encrypted_store_or_a_dry_run(
    make_summit: Any, tmp_path: Path
) -> None:
    from tests.cli.test_encryption import keygen

    path = write_input(tmp_path)
    key = keygen(tmp_path)
    plain = make_summit("plain")
    plain.load([opened(negotiation="other")])  # (a dry run needs a store)
    started, recording = spawned_modules()
    with recording:
        code, err, _ = imported(make_summit("encrypted"), path, "--key", key)
        assert code == 0 and "stored 900 event(s)" in err
        dry = plain.run("import", "--dry-run", str(path))
        assert dry.exit_code == 0 and "would store 900" in dry.stderr
    assert sealers(started) == []


def test_input_with_a_problem_stores_nothing_and_stops_the_child(
    make_summit: Any, tmp_path: Path
) -> None:
    path = write_input(tmp_path)
    lines = path.read_text().splitlines()
    lines[700] = lines[700].replace('"type": "', '"type": "no.such', 1)
    path.write_text("\n".join(lines) + "\n")
    summit = make_summit("bad")
    summit.load([opened(negotiation="other")])
    started, recording = spawned_modules()
    with recording:
        result = summit.run("import", str(path))
    assert result.exit_code == 2 and f"{path}:701:" in result.stderr
    assert len(sealers(started)) == 1
    assert all(c.process.returncode is not None for _, c in started)
    exported = summit.run("export", "--no-recorded").stdout
    assert exported.count("\n") == 1  # the other negotiation's opening only


def test_one_core_seals_here(summit: Any, tmp_path: Path, monkeypatch: Any) -> None:
    path = write_input(tmp_path)
    monkeypatch.setattr(ahead, "cores", lambda: 1)
    started, recording = spawned_modules()
    with recording:
        code, err, _ = imported(summit, path)
    assert code == 0 and "stored 900 event(s)" in err and started == []


def test_no_descriptor_left_for_a_child_means_all_is_done_here(
    summit: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_input(tmp_path)

    def no_pipe() -> tuple[int, int]:
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(os, "pipe", no_pipe)
    code, err, exported = imported(summit, path)
    assert code == 0 and "stored 900 event(s)" in err, err
    assert exported.count("\n") == 900


def test_a_failed_sealer_is_not_counted_as_a_conflict(tmp_path: Path) -> None:
    """Its attempt is checked again, sealed here: no other writer was involved,
    so no conflict is counted, and no attempt of `MAX_ATTEMPTS` is used."""
    from cli.store import open_store
    from domain.interchange import Line

    class Fails(Unsealed):
        def finish(self) -> bool:
            return False

    made: list[Fails] = []

    def aside(spool: Any) -> Fails:
        made.append(Fails())
        return made[-1]

    records = list(generate(300, per=300))
    app = open_store(str(tmp_path / "s.db"), write=True)
    lines = [Line(n, r) for n, r in enumerate(records, start=1)]
    report = app.record_lines(lines, "tester", seal_aside=aside)
    assert len(made) == 1 and report.conflicts_retried == 0
    assert len(report.stored) == 300
    assert app.recorder.max_notification_id() == 300
