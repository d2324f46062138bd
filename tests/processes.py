"""The real `summit` in a real process, as a person runs it, for tests of what
people see (tables at a terminal width, charts, the report, examples)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

SUMMIT = str(Path(sys.executable).with_name("summit"))
ROOT = Path(__file__).resolve().parents[1]
SEED = Path(__file__).parents[1] / "examples" / "hague-2025-seed.jsonl"


def run(
    store: Path, *args: str, input: str | None = None, columns: int = 140
) -> subprocess.CompletedProcess[str]:
    """`summit ARGS` on `store`, in a terminal `columns` wide: this checkout's
    code first on the path (the installed script may be another checkout's)."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "SUMMIT_STORE": str(store), "SUMMIT_USER": "tester",
           "COLUMNS": str(columns), "PYTHONPATH": path}  # fmt: skip
    return subprocess.run(
        [SUMMIT, *args], input=input, capture_output=True, text=True, env=env,
        timeout=300,
    )  # fmt: skip


def ok(store: Path, *args: str, input: str | None = None, columns: int = 140) -> str:
    """`run`, which must succeed: its standard output."""
    done = run(store, *args, input=input, columns=columns)
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)
    return done.stdout


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the seed article's 23 events."""
    store = tmp_path_factory.mktemp("seed") / "hague.db"
    ok(store, "import", str(SEED))
    return store


def summit_command(store: Path | str, *args: str) -> list[str]:
    """The command line of this checkout's `summit` (run it with `cwd=ROOT`),
    as `tester`, on `store`: for tests that start, signal or race processes."""
    entry = [sys.executable, "-c", "from cli.main import main; main()"]
    return [*entry, "--store", str(store), "--by", "tester", *args]


def children(pid: int) -> list[int]:
    """The processes `pid` started (Linux's /proc), none if it is gone."""
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(p) for p in found]


def alive(pid: int) -> bool:
    """Running (not gone, not a zombie left for someone to reap)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def child_running(pid: int, module: str) -> int:
    """The child of `pid` running `module` (a read-ahead child), once it runs."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for child in children(pid):
            try:
                if module.encode() in Path(f"/proc/{child}/cmdline").read_bytes():
                    return child
            except OSError:
                continue
        time.sleep(0.01)
    raise AssertionError(f"{pid} started no child running {module}")
