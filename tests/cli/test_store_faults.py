"""Faults a store survives, caused for real (issue 13): a 16k-event PostgreSQL
import, a writer holding the lock, Ctrl-C, kill -9 at random points, a full
disk, and queries while an import commits."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import pgserver
from tests.tamper import sql

ROOT = Path(__file__).parents[2]
SEED = ROOT / "examples" / "hague-2025-seed.jsonl"
CODE = "from cli.main import main; main()"


def summit(store: str, *args: str, **kw: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from cli.main import main; main()",
            "--store",
            store,
            "--by",
            "tester",
            *args,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200", **kw.pop("env", {})},
        **kw,
    )


def done(
    store: str, *args: str, env: dict[str, str] | None = None, timeout: int = 120
) -> Any:
    proc = summit(store, *args, env=env or {})
    out, err = proc.communicate(timeout=timeout)  # a hang fails the test
    assert "Traceback" not in err
    return proc.returncode, out, err


def events(tmp: Path, n: int) -> Path:
    """The first n events the benchmark's generator makes."""
    made = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), str(max(n, 2000))],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()[:n]
    path = tmp / f"ev{n}.jsonl"
    path.write_text("\n".join(made) + "\n")
    return path


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "sqlite":
        yield str(tmp_path / "s.db")
        return
    pg: pgserver.PgServer = request.getfixturevalue("pg")
    schema = pg.new_schema("faults")
    yield pg.url(schema=schema)
    pg.drop_schemas([schema])


def count(store: str) -> int:
    code, out, _err = done(store, "export")
    return 0 if code == 3 else len(out.splitlines())


# -- 1. a large PostgreSQL import completes, in one transaction ----------------


def test_a_16000_event_postgresql_import_completes(pg: Any, tmp_path: Path) -> None:
    schema = pg.new_schema("big")
    url = pg.url(schema=schema)
    code, _, err = done(url, "import", str(events(tmp_path, 16000)), timeout=300)
    assert code == 0, err
    assert "stored 16000 event(s)" in err
    code, out, _ = done(url, "views", "status")
    assert "position 16000 (up to date)" in out
    pg.drop_schemas([schema])


@contextlib.contextmanager
def log_locked_by_another(pg: Any, schema: str) -> Iterator[None]:
    """A seeded store whose log another session holds locked, as a writer does."""
    assert done(pg.url(schema=schema), "import", str(SEED))[0] == 0
    holder = pgserver._connect(pg.admin_url, pg.database)
    holder.autocommit = False
    holder.execute(f'LOCK TABLE "{schema}".summit_events IN EXCLUSIVE MODE')
    try:
        yield
    finally:
        holder.rollback()
        holder.close()


def test_a_writer_waiting_on_a_lock_gives_up_with_one_line(
    pg: Any, tmp_path: Path
) -> None:
    schema = pg.new_schema("lock")
    url = pg.url(schema=schema)
    with log_locked_by_another(pg, schema):
        started = time.monotonic()
        code, _, err = done(
            url, "import", str(events(tmp_path, 500)), env={"SUMMIT_LOCK_TIMEOUT": "2"}
        )
        waited = time.monotonic() - started
    assert code == 3 and len(err.strip().splitlines()) == 1, err
    assert "the store is busy" in err and "SUMMIT_LOCK_TIMEOUT" in err
    assert waited < 15
    assert count(url) == 23
    pg.drop_schemas([schema])


def test_ctrl_c_stops_an_import_waiting_on_the_lock(pg: Any, tmp_path: Path) -> None:
    schema = pg.new_schema("sigint")
    url = pg.url(schema=schema)
    with log_locked_by_another(pg, schema):
        proc = summit(url, "import", str(events(tmp_path, 500)))
        time.sleep(4)  # validated, now waiting for the lock
        assert proc.poll() is None
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
    assert proc.returncode != 0
    assert count(url) == 23
    pg.drop_schemas([schema])


# -- kill -9 at random points: all of a write or none -------------------------


def _killed_at_random(store: str, start: Callable[[], subprocess.Popen[str]]) -> None:
    proc = start()
    time.sleep(random.uniform(0.3, 3.0))
    proc.kill()
    proc.communicate()


def _settles(store: str, sizes: set[int]) -> int:
    code, out, err = done(store, "audit", "verify")
    assert code == 0, err
    checked = int(out.split(" events checked")[0].split()[-1])
    assert checked in sizes, (checked, sizes)
    return checked


STATEMENT = {
    "type": "statement.made",
    "negotiation": "hague-2025",
    "ref": "killed-record",
    "actor": "GBR",
    "occurred_on": "2025-06-20",
    "speaker": "A spokesperson",
    "quote": "We will get there.",
    "position": {"proposal": "defence-investment-5pct", "stance": "supports"},
    "source": {"outlet": "BBC", "url": "https://example.org/x"},
}


def test_kill_9_of_an_import_a_record_and_a_rebuild_leaves_all_or_nothing(
    store: str, tmp_path: Path
) -> None:
    random.seed(os.getpid())
    assert done(store, "import", str(SEED))[0] == 0
    big = events(tmp_path, 3000)
    for _ in range(2):
        _killed_at_random(store, lambda: summit(store, "import", str(big)))
    n = _settles(store, {23, 3023})
    record = ["record", "--json", json.dumps(STATEMENT)]
    for _ in range(2):
        _killed_at_random(store, lambda: summit(store, *record))
    n = _settles(store, {n, n + 1})
    for _ in range(2):
        _killed_at_random(store, lambda: summit(store, "views", "rebuild"))
    assert _settles(store, {n}) == n
    code, _, err = done(store, "import", str(big))
    assert code == 0, err
    assert done(store, "record", "--json", json.dumps(STATEMENT))[0] == 0
    assert _settles(store, {3024})
    # Re-running a write whose events were all stored (its run killed after
    # the commit, before the views caught up) still catches the views up.
    code, out, _ = done(store, "views", "status")
    assert "(up to date), 3024 rows" in out, out
    code, out, _ = done(store, "stance", "hague-2025", "--format", "json")
    assert code == 0 and "killed-record" in out


REFUSE_VIEWS = {
    "sqlite": (
        "CREATE TRIGGER refuse BEFORE INSERT ON summit_facts "
        "BEGIN SELECT RAISE(ABORT, 'no room for views'); END",
    ),
    "postgres": (
        "CREATE OR REPLACE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'no room for views'; END $$",
        "CREATE TRIGGER refuse BEFORE INSERT ON summit_facts "
        "FOR EACH ROW EXECUTE FUNCTION refuse()",
    ),
}


def refuse_views(store: str, kind: str) -> None:
    """A trigger that makes every insert into the views' facts table fail."""
    for statement in REFUSE_VIEWS[kind]:
        sql(store, statement)


def test_views_that_cannot_catch_up_after_a_write_say_so_and_a_rerun_mends_them(
    store: str,
) -> None:
    assert done(store, "import", str(SEED))[0] == 0
    kind = "postgres" if store.startswith("postgresql") else "sqlite"
    refuse_views(store, kind)
    record = ["record", "--json", json.dumps(STATEMENT)]
    code, out, err = done(store, *record)
    assert code == 0 and out.strip() == "killed-record", err
    assert err.count("\n") == 1 and err.startswith("views not caught up: "), err
    assert "no room for views" in err and "summit views rebuild" in err
    assert count(store) == 24  # the write is stored
    assert "position 23 (1 event behind)" in done(store, "views", "status")[1]
    sql(
        store,
        "DROP TRIGGER refuse" + (" ON summit_facts" if kind == "postgres" else ""),
    )
    # Re-running the write stores nothing new, and catches the views up.
    code, _, err = done(store, *record)
    assert code == 0 and "already recorded" in err and "views" not in err, err
    assert "(up to date), 24 rows" in done(store, "views", "status")[1]
    refuse_views(store, kind)
    assert done(store, *record)[0] == 0  # still up to date: nothing to write
    code, _, err = done(store, "import", str(SEED))
    assert code == 0 and "stored 0 event(s)" in err and "views" not in err, err


def test_a_postgresql_rebuild_killed_midway_leaves_the_views_as_they_were(
    pg: Any, tmp_path: Path
) -> None:
    schema = pg.new_schema("rebuild")
    url = pg.url(schema=schema)
    # Enough events that the rebuild is still folding when it is killed (its
    # rows go by COPY: 8,000 were folded and committed within half a second).
    assert done(url, "import", str(events(tmp_path, 20000)), timeout=300)[0] == 0
    rebuild = summit(url, "views", "rebuild")
    watcher = pgserver._connect(pg.admin_url, pg.database)
    try:  # until the rebuild holds the views' rows (deleted, not yet committed)
        while (
            rebuild.poll() is None
            and not watcher.execute(
                "SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relname = 'summit_facts' "
                "AND l.mode = 'RowExclusiveLock' AND l.granted",
                (schema,),
            ).fetchone()
        ):
            time.sleep(0.05)
        time.sleep(0.1)
        assert rebuild.poll() is None, "the rebuild ended before it was killed"
        rebuild.kill()
        rebuild.communicate()
    finally:
        watcher.close()
    out = done(url, "views", "status")[1]
    assert "position 20000 (up to date), 20000 rows" in out, out
    assert "every view row matches the log" in out
    pg.drop_schemas([schema])


# -- queries while an import commits: the state before or after, never a mix --


def test_queries_during_an_import_see_the_state_before_or_after(
    store: str, tmp_path: Path
) -> None:
    assert done(store, "import", str(SEED))[0] == 0
    big = events(tmp_path, 3000)
    writer = summit(store, "import", str(big))
    seen: list[int] = []
    while writer.poll() is None:
        seen.append(_settles(store, {23, 3023}))
        code, out, _ = done(store, "export")
        assert code == 0 and len(out.splitlines()) in (23, 3023)
    assert writer.returncode == 0, writer.communicate()
    assert seen and _settles(store, {3023})


# -- a full disk: one line, exit 3, the store as it was ------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Any:
    """A 4 MB tmpfs mounted for this test (we run as root in CI)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_during_an_import_exits_3_and_changes_nothing(
    small_disk: Path, tmp_path: Path
) -> None:
    store = str(small_disk / "s.db")
    assert done(store, "import", str(SEED))[0] == 0
    before = done(store, "export")[1]
    filler = small_disk / "filler"
    with open(filler, "wb") as f:  # leave ~200 KB free
        free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
        f.write(b"\0" * max(0, free - 200_000))
    code, _, err = done(store, "import", str(events(tmp_path, 6000)))
    assert code == 3, err
    assert len(err.strip().splitlines()) == 1 and "disk is full" in err, err
    assert done(store, "export")[1] == before
    assert _settles(store, {23}) == 23
