"""Ctrl-C, SIGTERM and a closed pipe, caused for real on real processes.

Exit 1 is reserved for "tampering found": an interrupted command exits 130
(SIGINT) or 143 (SIGTERM) with "interrupted; nothing stored" and leaves the
store as it was; a reader that closes the pipe early (`summit export | head
-1`) gets a quiet exit 0.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "hague-2025-seed.jsonl"
BIG = 15_000


def summit_command(store: Path | str, *args: str) -> list[str]:
    """The `summit` console script's command line, run from this checkout."""
    entry = [sys.executable, "-c", "from cli.main import main; main()"]
    return [*entry, "--store", str(store), "--by", "tester", *args]


def run(store: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        summit_command(store, *args),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )


@pytest.fixture(scope="module")
def big_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / f"events-{BIG}.jsonl"
    with path.open("w") as out:
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "generate.py"), str(BIG)],
            stdout=out,
            check=True,
        )
    return path


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory, big_input: Path) -> Path:
    store = tmp_path_factory.mktemp("bigstore") / "big.db"
    assert run(store, "import", str(big_input)).returncode == 0
    assert run(store, "views", "rebuild").returncode == 0
    return store


def state(store: Path) -> tuple[Any, str]:
    """What must not change: the verified heads and the export."""
    verified = run(store, "audit", "verify", "--format", "json")
    assert verified.returncode == 0, verified.stderr
    heads = json.loads(verified.stdout)["negotiations"]
    exported = run(store, "export")
    assert exported.returncode == 0, exported.stderr
    return heads, exported.stdout


def wait_until_open(pid: int, path: Path) -> None:
    """Until process `pid` has `path` open (it is at work, past its start-up)."""
    fds = Path(f"/proc/{pid}/fd")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if any(str(path) in str(fd.readlink()) for fd in fds.iterdir()):
                return
        except OSError:  # a descriptor closed while we looked
            pass
        time.sleep(0.02)
    raise AssertionError(f"the process never opened {path}")


def interrupt(
    command: list[str], signum: int, busy_with: Path, after: float
) -> tuple[int, str]:
    """Run `command`, signal it `after` seconds into its work on `busy_with`."""
    proc = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    wait_until_open(proc.pid, busy_with)
    time.sleep(after)
    assert proc.poll() is None, "finished before the signal: use a bigger input"
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err


SIGNALS = [(signal.SIGINT, 130), (signal.SIGTERM, 143)]


@pytest.mark.parametrize("signum,code", SIGNALS, ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_a_large_import_stores_nothing(
    tmp_path: Path, big_input: Path, signum: int, code: int, after: float = 0.5
) -> None:
    store = tmp_path / "s.db"
    assert run(store, "import", str(SEED)).returncode == 0
    before = state(store)
    rc, err = interrupt(
        summit_command(store, "import", str(big_input)), signum, big_input, after
    )
    assert (rc, err) == (code, "interrupted; nothing stored\n")
    assert state(store) == before
    # Re-running completes.
    assert run(store, "import", str(big_input)).returncode == 0


@pytest.mark.parametrize("signum,code", SIGNALS, ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_views_rebuild_leaves_the_store_verifiable(
    tmp_path: Path, big_store: Path, signum: int, code: int, after: float = 1.0
) -> None:
    store = tmp_path / "big.db"
    shutil.copy(big_store, store)
    before = state(store)
    rc, err = interrupt(summit_command(store, "views", "rebuild"), signum, store, after)
    assert (rc, err.splitlines()[-1:]) == (code, ["interrupted; nothing stored"])
    assert "Traceback" not in err
    assert state(store) == before  # audit verify passes, views included
    status = json.loads(run(store, "views", "status", "--format", "json").stdout)
    assert status["matches_log"] is True


PIPED = [
    ("export",),
    ("export", "--no-recorded"),
    ("audit", "log", "--format", "json"),
    ("audit", "log", "--format", "csv"),
]
FORMATS = ("table", "json", "csv")


def read_a_little_then_close(command: list[str]) -> tuple[int, str]:
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)  # like `head -c 10`
    proc.stdout.close()
    err = proc.stderr.read().decode()
    return proc.wait(timeout=120), err


@pytest.mark.parametrize("args", PIPED, ids=[" ".join(a) for a in PIPED])
def test_a_closed_pipe_exits_0_quietly(big_store: Path, args: tuple[str, ...]) -> None:
    assert read_a_little_then_close(summit_command(big_store, *args)) == (0, "")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_closed_pipe_on_the_timeline_exits_0_quietly_in_every_format(
    big_store: Path, fmt: str
) -> None:
    first = json.loads(run(big_store, "export").stdout.split("\n", 1)[0])
    command = summit_command(
        big_store, "timeline", first["negotiation"], "--format", fmt
    )
    assert read_a_little_then_close(command) == (0, "")
