"""A long fold reads the log ahead in a second process (`prefetch.py`).

The child reads and decodes the next batch while the fold writes the one
before. What it gives must be what this process would have read itself, row
for row; whatever it cannot give (a row not in plain form, a child that
died) is read here, with the same answer or the same one-line error.
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

from projections import ahead
from projections.tables import prefetch
from projections.tables.prefetch import Prefetch
from tests.builders import opened, said, tabled
from tests.processes import alive, child_running, summit_command
from tests.tamper import is_sqlite, sql, view_tables

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402

BATCH = 40  # the catch-up's batch here: a rebuild of ~1,000 events in 25


@pytest.fixture(autouse=True)
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a machine with a core to spare (one core starts no child)."""
    monkeypatch.setattr(ahead, "cores", lambda: 2)


def spawns(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The modules of the children started from now on."""
    started: list[str] = []
    spawn = ahead.spawn

    def counted(module: str, *args: Any) -> Any:
        started.append(module)
        return spawn(module, *args)

    monkeypatch.setattr(ahead, "spawn", counted)
    return started


def small_batches(read_ahead: bool) -> Any:
    """Batches of BATCH entries; read ahead from the second on, or never."""
    return patch.multiple(
        "projections.tables.catchup", BATCH=BATCH, REBUILD_FACTOR=1
    ), patch.object(prefetch, "FROM", 1 if read_ahead else 10**12)


def rebuilt(summit: Any, read_ahead: bool) -> dict[str, list[tuple[Any, ...]]]:
    """The views after a rebuild, every row of every view table."""
    batches, ahead = small_batches(read_ahead)
    with batches, ahead:
        summit.ok("views", "rebuild")
    return {
        t: sorted(sql(summit.store, f"SELECT * FROM {t}"), key=repr)
        for t in view_tables()
    }


@pytest.fixture
def generated(summit: Any) -> Any:
    if not is_sqlite(summit.store):
        pytest.skip("the log is read ahead on SQLite only")
    summit.load(generate(1_000, seed=7, per=300))
    return summit


def test_a_rebuild_read_ahead_gives_the_rows_of_one_read_here(generated: Any) -> None:
    alone = rebuilt(generated, read_ahead=False)
    taken = Prefetch.frames
    ahead = rebuilt(generated, read_ahead=True)
    assert Prefetch.frames - taken == 1_000 // BATCH - 1  # all but the first
    assert ahead == alone
    assert sum(map(len, ahead.values())) > 1_000
    generated.ok("audit", "verify")


def test_an_import_caught_up_ahead_keeps_the_views_of_one_read_here(
    generated: Any,
) -> None:
    """Not a rebuild only: any long fold, here an import's first catch-up."""
    alone = rebuilt(generated, read_ahead=False)
    sql(generated.store, "DELETE FROM tracking")  # views behind: refolded
    for table in view_tables():
        sql(generated.store, f"DELETE FROM {table}")
    batches, ahead = small_batches(read_ahead=True)
    taken = Prefetch.frames
    with batches, ahead:
        generated.ok("stance", "bench-0000", "-p", "p-main")  # caught up first
    assert Prefetch.frames > taken
    assert {
        t: sorted(sql(generated.store, f"SELECT * FROM {t}"), key=repr)
        for t in view_tables()
    } == alone


def test_a_child_that_died_leaves_the_rest_to_this_process(generated: Any) -> None:
    alone = rebuilt(generated, read_ahead=False)
    take = Prefetch.take
    given: list[int] = []

    def dies_after_two(self: Prefetch, start: int) -> Any:
        if len(given) == 2 and self.child is not None:
            self.child.process.kill()
            self.child.process.wait()
        found = take(self, start)
        given.append(found is not None)
        return found

    with patch.object(Prefetch, "take", dies_after_two):
        assert rebuilt(generated, read_ahead=True) == alone
    # Frames it wrote before it died (a pipe holds a few) are whole and
    # taken; then none: the rest is read here.
    stop = given.index(False)
    assert stop >= 2 and not any(given[stop:])
    generated.ok("audit", "verify")


@pytest.mark.parametrize(
    "set_clause",
    [
        "state = 'not json'",
        "originator_id = 'deadbeef'",
    ],
    ids=["non-JSON state", "bad originator_id"],
)
def test_a_row_the_child_cannot_read_is_read_here_and_named(
    generated: Any, set_clause: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child stops at the batch; this process reads it and says what is
    wrong, in the same words as without the child."""
    sql(generated.store, f"UPDATE {{events}} SET {set_clause} WHERE rowid = 700")
    started = spawns(monkeypatch)
    said = {}
    for read_ahead in (False, True):
        batches, ahead = small_batches(read_ahead)
        with batches, ahead:
            result = generated.run("views", "rebuild")
        said[read_ahead] = (result.exit_code, result.stderr)
    assert said[True] == said[False]
    assert started == ["projections.tables.prefetch"]  # (with read_ahead only)
    code, err = said[True]
    # (the row, or the batch it is in: "from position 681 on")
    assert code in (1, 3) and "position" in err and err.count("\n") == 1


def test_a_rebuild_of_few_entries_starts_no_child(
    summit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    summit.load([opened(), tabled(), said("a", "GBR", "2025-06-10", "supports")])
    started = spawns(monkeypatch)
    summit.ok("views", "rebuild")
    assert started == []


def test_one_core_starts_no_child(
    generated: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = rebuilt(generated, read_ahead=False)
    monkeypatch.setattr(ahead, "cores", lambda: 1)
    started = spawns(monkeypatch)
    assert rebuilt(generated, read_ahead=True) == alone
    assert started == []


# Real processes: a rebuild long enough to read ahead with the real batch sizes
# (first batch 20,000, then FROM more), signalled while its child runs.
LONG = 20_000 + prefetch.FROM + 5_000


@pytest.fixture(scope="module")
def long_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("prefetch")
    events = folder / "events.jsonl"
    with events.open("w") as out:
        for event in generate(LONG):
            out.write(json.dumps(event) + "\n")
    store = folder / "long.db"
    assert summit_process(store, "import", str(events)).wait(timeout=300) == 0
    return store


def summit_process(store: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        summit_command(store, *args),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
@pytest.mark.skipif(ahead.cores() < 2, reason="reads ahead with two cores only")
@pytest.mark.parametrize(
    "signum,code",
    [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGKILL, -9)],
    ids=["SIGINT", "SIGTERM", "SIGKILL"],
)
def test_a_signalled_rebuild_leaves_no_child_and_a_verifiable_store(
    long_store: Path, tmp_path: Path, signum: int, code: int
) -> None:
    store = tmp_path / "s.db"
    store.write_bytes(long_store.read_bytes())
    proc = summit_process(store, "views", "rebuild")
    child = child_running(proc.pid, "projections.tables.prefetch")
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err
    assert "Traceback" not in err
    if signum != signal.SIGKILL:
        assert err.splitlines()[-1:] == ["interrupted; nothing stored"]
    # The child is stopped by the rebuild, or (killed outright) ends when
    # its output closes: nothing is left reading the store.
    deadline = time.monotonic() + 30
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(child)
    verified = summit_process(store, "audit", "verify")
    assert verified.wait(timeout=300) == 0, verified.communicate()[1]
    assert os.path.exists(store)


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
@pytest.mark.skipif(ahead.cores() < 2, reason="reads ahead with two cores only")
def test_a_long_rebuild_reads_ahead_and_matches_the_log(long_store: Path) -> None:
    proc = summit_process(long_store, "views", "rebuild")
    child_running(proc.pid, "projections.tables.prefetch")  # (fails if no child ran)
    assert proc.wait(timeout=300) == 0
    verified = summit_process(long_store, "audit", "verify")
    assert verified.wait(timeout=300) == 0, verified.communicate()[1]
