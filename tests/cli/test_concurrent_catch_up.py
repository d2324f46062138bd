"""Two queries that find the views behind catch them up at the same time.

Each batch is written with its tracking record in one transaction, so the
views take each log position exactly once: the process that loses the race
for a batch starts again from where the other got to (on SQLite, a long fold
then also leaves its read-ahead child for its own reads). Both answer, alike,
and `audit verify` finds the views equal to a fold of the log.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.processes import summit_command
from tests.tamper import sql

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402

QUERY = ("stance", "bench-0001", "-p", "p-main", "--format", "json")


def summit(store: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        summit_command(store, *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "SUMMIT_LOCK_TIMEOUT": "120", "SUMMIT_DEBUG": "1"},
    )


def done(proc: subprocess.Popen[str]) -> str:
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, (proc.returncode, err)
    assert "Traceback" not in err
    return out


@pytest.fixture(params=["sqlite", "postgres"])
def loaded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    """A store of 30,000 generated events (SQLite) or 8,000 (PostgreSQL:
    slower to write, and it reads no log ahead)."""
    n = 30_000 if request.param == "sqlite" else 8_000
    folder = tmp_path_factory.mktemp("race")
    events = folder / "events.jsonl"
    with events.open("w") as out:
        for event in generate(n):
            out.write(json.dumps(event) + "\n")
    if request.param == "sqlite":
        store = str(folder / "s.db")
        pg = schema = None
    else:
        pg = request.getfixturevalue("pg")
        schema = pg.new_schema("race")
        store = pg.url(schema=schema)
    done(summit(store, "import", str(events)))
    yield store
    if pg is not None:
        pg.drop_schemas([schema])


def test_two_queries_catching_up_at_once_take_each_position_once(
    loaded: str,
) -> None:
    answer = done(summit(loaded, *QUERY))
    # Views of an older schema (one table missing), as on the day after an
    # upgrade: each query finds them stale, and they are refolded.
    sql(loaded, "DROP TABLE summit_dayrefs")
    racing = [summit(loaded, *QUERY), summit(loaded, *QUERY)]
    assert [done(p) for p in racing] == [answer, answer]
    verified = done(summit(loaded, "audit", "verify", "--format", "json"))
    assert json.loads(verified)["ok"] is True
    status = json.loads(done(summit(loaded, "views", "status", "--format", "json")))
    assert status["behind"] == 0 and status["matches_log"] is True
