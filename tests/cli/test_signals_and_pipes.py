"""Ctrl-C, SIGTERM and a closed pipe, caused for real on real processes.

Exit 1 is reserved for "tampering found": an interrupted command exits 130
(SIGINT) or 143 (SIGTERM) with "interrupted; nothing stored" and leaves the
store as it was; a reader that closes the pipe early (`summit export | head
-1`) gets a quiet exit 0.
"""

from __future__ import annotations

import itertools
import json
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import pgserver
from tests.processes import children, summit_command

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "hague-2025-seed.jsonl"
BIG = 15_000
PG_BIG = 6_000  # PostgreSQL writes more slowly: enough to be signalled midway


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


def state(store: Path | str) -> tuple[Any, str]:
    """What must not change: the verified heads and the export."""
    verified = run(store, "audit", "verify", "--format", "json")
    assert verified.returncode == 0, verified.stderr
    heads = json.loads(verified.stdout)["negotiations"]
    exported = run(store, "export")
    assert exported.returncode == 0, exported.stderr
    return heads, exported.stdout


def wait_until_open(pid: int, path: Path) -> None:
    """Until process `pid`, or a child it started to read ahead (a large
    import's input is parsed by one), has `path` open: it is at work, past
    its start-up."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for each in (pid, *children(pid)):
            try:
                fds = list(Path(f"/proc/{each}/fd").iterdir())
                if any(str(path) in str(fd.readlink()) for fd in fds):
                    return
            except OSError:  # a descriptor closed (or the child ended) as we looked
                pass
        time.sleep(0.02)
    raise AssertionError(f"the process never opened {path}")


def interrupt(
    command: list[str], signum: int, at_work: Callable[[int], None], after: float
) -> tuple[int, str]:
    """Run `command`, signal it `after` seconds after `at_work(pid)` returns."""
    proc = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    at_work(proc.pid)
    time.sleep(after)
    assert proc.poll() is None, "finished before the signal: use a bigger input"
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err


def opened(path: Path) -> Callable[[int], None]:
    return lambda pid: wait_until_open(pid, path)


def locked(pg: Any, schema: str, table: str, mode: str) -> Callable[[int], None]:
    """Until a session holds `table` of `schema` locked in `mode`: on
    PostgreSQL, the signalled command is writing (the log, or the views)."""

    def wait(_pid: int) -> None:
        watcher = pgserver._connect(pg.admin_url, pg.database)
        deadline = time.monotonic() + 120
        try:
            while time.monotonic() < deadline:
                if watcher.execute(
                    "SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
                    "n.nspname = %s AND c.relname = %s AND l.mode = %s AND l.granted",
                    (schema, table, mode),
                ).fetchone():
                    return
                time.sleep(0.02)
        finally:
            watcher.close()
        raise AssertionError(f"no session ever held {schema}.{table} in {mode}")

    return wait


SIGNALS = [(signal.SIGINT, 130), (signal.SIGTERM, 143)]


@pytest.fixture(params=["sqlite", "postgres"])
def signalled(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, Any]]:
    """An empty store of each kind: (location, PostgreSQL server or None);
    each PostgreSQL case has a fresh schema of its own."""
    if request.param == "sqlite":
        yield str(tmp_path / "s.db"), None
        return
    pg: pgserver.PgServer = request.getfixturevalue("pg")
    schema = pg.new_schema("signals")
    yield pg.url(schema=schema), pg
    pg.drop_schemas([schema])


@pytest.fixture(scope="module")
def pg_input(tmp_path_factory: pytest.TempPathFactory, big_input: Path) -> Path:
    path = tmp_path_factory.mktemp("pg") / f"events-{PG_BIG}.jsonl"
    with big_input.open() as lines:
        path.write_text("".join(itertools.islice(lines, PG_BIG)))
    return path


@pytest.mark.parametrize("signum,code", SIGNALS, ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_a_large_import_stores_nothing(
    signalled: tuple[str, Any],
    big_input: Path,
    pg_input: Path,
    signum: int,
    code: int,
) -> None:
    store, pg = signalled
    assert run(store, "import", str(SEED)).returncode == 0
    before = state(store)
    if pg is None:
        events, at_work, after = big_input, opened(big_input), 0.5
    else:  # signalled as soon as it holds the log's lock, in its one transaction
        # (the import now writes 6,000 events in well under a second: signalled
        # later, it may have committed, which another test covers)
        schema = store.rsplit("schema=", 1)[1]
        events, after = pg_input, 0.0
        at_work = locked(pg, schema, "summit_events", "ExclusiveLock")
    rc, err = interrupt(
        summit_command(store, "import", str(events)), signum, at_work, after
    )
    assert (rc, err) == (code, "interrupted; nothing stored\n")
    assert state(store) == before
    # Re-running completes.
    assert run(store, "import", str(events)).returncode == 0


@pytest.mark.parametrize("signum,code", SIGNALS, ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_views_rebuild_leaves_the_store_verifiable(
    signalled: tuple[str, Any],
    big_store: Path,
    pg_input: Path,
    signum: int,
    code: int,
) -> None:
    store, pg = signalled
    if pg is None:
        shutil.copy(big_store, store)
        # A quarter of a second after it opens the store: the rebuild of
        # 15,000 events now takes about half a second from there, and a
        # signal half a second after found it done.
        at_work, after = opened(Path(store)), 0.25
    else:  # signalled while it rewrites the views, in its one transaction
        assert run(store, "import", str(pg_input)).returncode == 0
        schema = store.rsplit("schema=", 1)[1]
        # As soon as it holds the lock: a rebuild of 6,000 events now takes
        # well under half a second there, and a later signal found it done.
        at_work, after = locked(pg, schema, "summit_facts", "RowExclusiveLock"), 0
    before = state(store)
    rc, err = interrupt(
        summit_command(store, "views", "rebuild"), signum, at_work, after
    )
    assert (rc, err.splitlines()[-1:]) == (code, ["interrupted; nothing stored"])
    assert "Traceback" not in err
    assert state(store) == before  # audit verify passes, views included
    status = json.loads(run(store, "views", "status", "--format", "json").stdout)
    assert status["matches_log"] is True
    if pg is not None:  # one transaction: the views as they were, not emptied
        assert status["behind"] == 0


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


AFTER_COMMIT = [("KeyboardInterrupt()", 130), ("Terminated()", 143)]


def interrupted_after_commit(
    patched: str, raised: str, store: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    """summit in a real process whose `patched` function (module:attribute,
    called only after the write committed) raises `raised`."""
    module, attribute = patched.split(":")
    owner, _, name = attribute.rpartition(".")
    target = f"{module}.{owner}" if owner else module
    script = (
        f"import {module}; from cli.errors import Terminated\n"
        f"def {name}(*_): raise {raised}\n"
        f"{target}.{name} = {name}\n"
        "from cli.main import main; main()"
    )
    return subprocess.run(
        [sys.executable, "-c", script, "--store", str(store), "--by", "tester", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


STORED_23 = (
    "interrupted after storing 23 event(s); "
    "`summit views status` says whether the views caught up\n"
)


@pytest.mark.parametrize("raised,code", AFTER_COMMIT, ids=["SIGINT", "SIGTERM"])
def test_a_signal_after_the_write_committed_says_what_was_stored(
    tmp_path: Path, raised: str, code: int
) -> None:
    """Interrupted after its commit (taking a snapshot, catching the views up),
    an import must not claim "nothing stored": it says what it stored."""
    store = tmp_path / "s.db"
    done = interrupted_after_commit(
        "domain.snapshots:take", raised, store, "import", str(SEED)
    )
    assert (done.returncode, done.stderr) == (code, STORED_23)
    verified, _ = state(store)
    assert run(store, "export", "hague-2025").stdout.count("\n") == 23, verified


@pytest.mark.parametrize("raised,code", AFTER_COMMIT, ids=["SIGINT", "SIGTERM"])
def test_a_signal_after_a_copy_committed_says_what_was_stored(
    tmp_path: Path, raised: str, code: int
) -> None:
    """`store copy` interrupted while it builds the target's views (its log
    copied and committed) says so, not "nothing stored"."""
    source, target = tmp_path / "s.db", tmp_path / "t.db"
    assert run(source, "import", str(SEED)).returncode == 0
    done = interrupted_after_commit(
        "projections.reader:Reader.catch_up",
        raised,
        source,
        "store",
        "copy",
        "--to",
        str(target),
    )
    assert (done.returncode, done.stderr) == (code, STORED_23)
    assert state(target) == state(source)
