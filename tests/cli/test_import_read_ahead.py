"""A large import's input is parsed ahead in a second process (`read_ahead.py`).

What the user sees must not change: the same lines stored, the same problems
named at the same lines, the same exit status; and a child that dies leaves
the parsing to the import itself.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest

from cli import read_ahead
from projections import ahead
from tests.builders import opened, said, tabled
from tests.processes import alive, child_running, summit_command

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402


@pytest.fixture(autouse=True)
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a machine with a core to spare (one core starts no child)."""
    monkeypatch.setattr(ahead, "cores", lambda: 2)


def lines_of(records: list[Any]) -> list[str]:
    return [json.dumps(r) for r in records]


GOOD = lines_of(list(generate(600, seed=3, per=200)))
# Every kind of problem the parser finds, among good lines: not UTF-8, not
# JSON, a key given twice, a field the model refuses; and lines it skips.
BAD = {
    5: b'{"type": "statement.made", \xff}',
    40: b"{not json",
    41: b'{"type": "negotiation.opened", "type": "negotiation.opened"}',
    300: json.dumps({**json.loads(GOOD[299]), "occurred_on": "2025-13-40"}).encode(),
}


def write_input(folder: Path, bad: bool) -> Path:
    rows = [line.encode() for line in GOOD]
    rows.insert(0, "\ufeff# generated for a test".encode())  # BOM, comment
    rows.insert(100, b"")  # a blank line
    if bad:
        for number, raw in BAD.items():
            rows.insert(number - 1, raw)
    path = folder / ("bad.jsonl" if bad else "good.jsonl")
    path.write_bytes(b"\n".join(rows) + b"\n")
    return path


def imported(make_summit: Any, path: Path, read: bool, dry: bool = False) -> Any:
    """An import of `path` into a fresh store, parsed ahead or here: its exit
    status, messages and the store's export."""
    summit = make_summit(f"ahead-{read}-{dry}")
    summit.load([opened()])  # (a dry run needs a store)
    size = 0 if read else 10**12
    with patch.object(read_ahead, "SIZE", size), patch.object(read_ahead, "PER", 64):
        result = summit.run("import", str(path), *(["--dry-run"] if dry else []))
    exported = summit.run("export", "--no-recorded")
    return result.exit_code, result.stdout, result.stderr, exported.stdout


@pytest.mark.parametrize("bad", [False, True], ids=["valid", "with problems"])
@pytest.mark.parametrize("dry", [False, True], ids=["import", "dry run"])
def test_an_input_parsed_ahead_imports_as_one_parsed_here(
    make_summit: Any, tmp_path: Path, bad: bool, dry: bool
) -> None:
    path = write_input(tmp_path, bad)
    spawned: list[Any] = []
    spawn = ahead.spawn

    def counted(module: str, *args: Any) -> Any:
        spawned.append(module)
        return spawn(module, *args)

    with patch.object(ahead, "spawn", counted):
        there = imported(make_summit, path, read=True, dry=dry)
    assert spawned == ["cli.read_ahead"]
    here = imported(make_summit, path, read=False, dry=dry)
    assert there == here
    code, _, err, exported = there
    stored = exported.count("\n") - 1  # (less the opening loaded first)
    if bad:
        assert code == 2 and stored == 0
        for number in BAD:
            assert f"{path}:{number}:" in err
    else:
        assert code == 0 and f"{'would store' if dry else 'stored'} 600" in err
        assert stored == (0 if dry else 600)


def test_a_child_that_died_leaves_the_rest_to_the_import(
    make_summit: Any, tmp_path: Path
) -> None:
    path = write_input(tmp_path, bad=True)
    read = ahead.read_frame
    frames: list[bool] = []

    def dies_after_two(child: Any) -> Any:
        if len(frames) == 2 and child is not None:
            child.process.kill()
            child.process.wait()
        found = read(child)
        frames.append(found is not None)
        return found

    with patch.object(ahead, "read_frame", dies_after_two):
        there = imported(make_summit, path, read=True)
    stop = frames.index(False)  # (frames a pipe held when it died are whole)
    assert stop >= 2
    assert there == imported(make_summit, path, read=False)


def test_the_child_runs_this_checkout_whatever_the_working_folder_holds(
    make_summit: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user's folder with its own `cli` package: the child still runs ours."""
    path = write_input(tmp_path, bad=False)
    other = tmp_path / "elsewhere"
    (other / "cli").mkdir(parents=True)
    (other / "cli" / "__init__.py").write_text("")
    (other / "cli" / "read_ahead.py").write_text("print('not summit')\n")
    monkeypatch.chdir(other)
    read = ahead.read_frame
    frames: list[bool] = []

    def counted(child: Any) -> Any:
        found = read(child)
        frames.append(found is not None)
        return found

    with patch.object(ahead, "read_frame", counted):
        code, _, err, _ = imported(make_summit, path, read=True)
    assert code == 0, err
    assert all(frames) and len(frames) == 600 // 64 + 1


def keeping(children: list[Any]) -> Any:
    """A patch that keeps every child started in `children`."""
    spawn = ahead.spawn

    def kept(module: str, *args: Any) -> Any:
        children.append(spawn(module, *args))
        return children[-1]

    return patch.object(ahead, "spawn", kept)


def test_a_child_started_for_a_store_that_does_not_open_is_stopped(
    tmp_path: Path,
) -> None:
    """The parser starts before the store opens; a store that fails to open
    leaves no child running."""
    from click.testing import CliRunner

    from cli.main import cli

    path = write_input(tmp_path, bad=False)
    children: list[Any] = []
    not_a_store = tmp_path / "s.db"
    not_a_store.write_text("not a database, " * 1000)
    with patch.object(read_ahead, "SIZE", 0), keeping(children):
        result = CliRunner().invoke(
            cli, ["--store", str(not_a_store), "import", str(path)]
        )
    assert result.exit_code != 0 and "Traceback" not in result.stderr
    assert len(children) == 1
    assert children[0].process.returncode is not None  # stopped and waited for


def test_a_child_is_stopped_when_the_import_fails_midway(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped by the import itself, not left to the garbage collector."""
    import gc

    from click.testing import CliRunner

    from cli.main import cli
    from domain.application import Summit

    path = write_input(tmp_path, bad=False)
    children: list[Any] = []
    calls = []
    negotiation = Summit.negotiation

    def fails_third(self: Any, slug: str) -> Any:
        calls.append(slug)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return negotiation(self, slug)

    monkeypatch.setattr(Summit, "negotiation", fails_third)
    gc.disable()  # (the generator is not collected before the check)
    try:
        with patch.object(read_ahead, "SIZE", 0), keeping(children):
            result = CliRunner().invoke(
                cli, ["--store", str(tmp_path / "s.db"), "import", str(path)]
            )
        assert result.exit_code == 130, result.stderr
        assert len(children) == 1
        assert children[0].process.returncode is not None
        assert children[0].frames.closed
    finally:
        gc.enable()


def test_an_input_piped_to_dev_stdin_is_read_whole(tmp_path: Path) -> None:
    """A pipe is read once, and kept: a readability check that took its first
    byte, or a child that read it again, would lose lines."""
    small = (ROOT / "examples" / "hague-2025-seed.jsonl").read_text()
    result = real_import(tmp_path / "a.db", "/dev/stdin", input=small)
    assert result.returncode == 0, result.stderr
    assert "stored 23 event(s)" in result.stderr
    big = big_input(tmp_path).read_text()  # parsed by a child
    result = real_import(tmp_path / "b.db", "/dev/stdin", input=big)
    assert result.returncode == 0, result.stderr
    assert "stored 9000 event(s)" in result.stderr


def test_one_core_parses_here(
    make_summit: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_input(tmp_path, bad=True)
    monkeypatch.setattr(ahead, "cores", lambda: 1)
    spawned: list[str] = []
    with patch.object(ahead, "spawn", lambda m, *a: spawned.append(m)):
        code, _, err, _ = imported(make_summit, path, read=True)
    assert spawned == [] and code == 2 and f"{path}:40:" in err


def real_import(store: Path, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        summit_command(store, "import", *args),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        **kw,
    )


def big_input(folder: Path) -> Path:
    """An input the child parses (over `read_ahead.SIZE`)."""
    path = folder / "big.jsonl"
    with path.open("w") as out:
        for event in generate(9_000):
            out.write(json.dumps(event) + "\n")
    assert path.stat().st_size >= read_ahead.SIZE
    return path


@pytest.mark.skipif(sys.platform != "linux", reason="/dev/stdin")
@pytest.mark.skipif(ahead.cores() < 2, reason="reads ahead with two cores only")
def test_an_input_named_dev_stdin_is_read_from_this_process_stdin(
    tmp_path: Path,
) -> None:
    """/dev/stdin is another file in the child (its own stdin): the child
    reads the file this process opened."""
    path = big_input(tmp_path)
    with path.open("rb") as given:
        result = real_import(tmp_path / "s.db", "/dev/stdin", stdin=given)
    assert result.returncode == 0, result.stderr
    assert "stored 9000 event(s)" in result.stderr


@pytest.mark.skipif(ahead.cores() < 2, reason="reads ahead with two cores only")
def test_what_a_site_hook_prints_in_the_child_is_not_taken_for_a_frame(
    tmp_path: Path,
) -> None:
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text("print('hello from a site hook')\n")
    env = {**os.environ, "PYTHONPATH": str(hooks)}
    path = big_input(tmp_path)
    result = real_import(tmp_path / "s.db", str(path), env=env)
    assert result.returncode == 0, result.stderr
    assert "stored 9000 event(s)" in result.stderr


def test_a_small_input_is_parsed_here(summit: Any) -> None:
    spawned: list[str] = []
    with patch.object(ahead, "spawn", lambda m, *a: spawned.append(m)):
        summit.load([opened(), tabled(), said("a", "GBR", "2025-06-10", "supports")])
    assert spawned == []


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
@pytest.mark.skipif(ahead.cores() < 2, reason="reads ahead with two cores only")
def test_an_import_killed_outright_leaves_no_child_and_nothing_stored(
    tmp_path: Path,
) -> None:
    from tests.cli.test_views_prefetch import summit_process

    path = tmp_path / "big.jsonl"
    with path.open("w") as out:
        for event in generate(40_000):
            out.write(json.dumps(event) + "\n")
    store = tmp_path / "s.db"
    proc = summit_process(store, "import", str(path))
    child = child_running(proc.pid, "cli.read_ahead")
    sealer = child_running(proc.pid, "cli.seal_ahead")  # (`seal_ahead.py`)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    deadline = time.monotonic() + 30
    while (alive(child) or alive(sealer)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(child)
    assert not alive(sealer)
    if store.exists():  # nothing stored: an empty log, or none at all
        listed = subprocess.run(
            summit_command(store, "export"),
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
        assert listed.returncode in (0, 3), listed.stderr
        assert not listed.stdout
