"""The real `summit` in a real process, as a person runs it, for tests of what
people see (tables at a terminal width, charts, the report, examples)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SUMMIT = str(Path(sys.executable).with_name("summit"))
SEED = Path(__file__).parents[1] / "examples" / "hague-2025-seed.jsonl"


def run(
    store: Path, *args: str, input: str | None = None, columns: int = 140
) -> subprocess.CompletedProcess[str]:
    """`summit ARGS` on `store`, in a terminal `columns` wide."""
    env = {**os.environ, "SUMMIT_STORE": str(store), "SUMMIT_USER": "tester",
           "COLUMNS": str(columns)}  # fmt: skip
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
