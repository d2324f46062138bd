"""`summit store copy`: every event as recorded, into an empty store of any kind.

Copies go SQLite→PostgreSQL, PostgreSQL→SQLite, plain→encrypted and
encrypted→plain; each copy must verify with the source's heads, accept a
checkpoint signed on the source, and answer every query as the source does.
A copy that fails midway (the target's database refuses a row) leaves the
target empty.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests import answers as A
from tests.cli.test_encryption import _raw_files, keygen, ok, with_key
from tests.conftest import Summit

EVERYTHING = A.QUERIES + A.RECORDED
ROOT = Path(__file__).parents[2]


def _source(summit: Summit, tmp: Path, key: str | None = None) -> Path:
    """Import the sample into `summit`'s store; a signed checkpoint of its seed."""
    run = ok(with_key(summit, key))
    run("import", str(A.sample(tmp, 100)))
    summit.ok("audit", "keygen", "--out", str(tmp / "newsroom"))
    checkpoint = tmp / "seed.checkpoint.json"
    run(
        "audit",
        "checkpoint",
        "--sign",
        str(tmp / "newsroom.key"),
        "--out",
        str(checkpoint),
    )
    run("import", str(A.sample(tmp)))
    return checkpoint


def _same_store(source: Any, target: Any, checkpoint: Path, tmp: Path) -> None:
    assert A.answers(target, EVERYTHING) == A.answers(source, EVERYTHING)
    assert A.exported(target) == A.exported(source)
    target(
        "audit",
        "verify",
        "--checkpoint",
        str(checkpoint),
        "--pubkey",
        str(tmp / "newsroom.pub"),
    )


def _copy(source: Any, to: str, to_key: str | None = None) -> str:
    extra = ["--to-key", to_key] if to_key else []
    out = source("store", "copy", "--to", to, *extra)
    assert "events to" in out and "(same as the source)" in out
    return str(out)


def test_copy_from_sqlite_to_postgres_keeps_every_event_as_recorded(
    pg: Any, tmp_path: Path
) -> None:
    laptop = Summit(store=str(tmp_path / "laptop.db"), tmp=tmp_path)
    checkpoint = _source(laptop, tmp_path)
    schema = pg.new_schema("team")
    team = Summit(store=pg.url(schema=schema), tmp=tmp_path)
    try:
        _copy(ok(laptop.run), team.store)
        _same_store(ok(laptop.run), ok(team.run), checkpoint, tmp_path)
        status = team.json("views", "status")
        assert status["behind"] == 0 and status["views_position"] > 0
    finally:
        pg.drop_schemas([schema])


def test_copy_from_postgres_to_sqlite_keeps_every_event_as_recorded(
    pg: Any, tmp_path: Path
) -> None:
    schema = pg.new_schema("team")
    team = Summit(store=pg.url(schema=schema), tmp=tmp_path)
    laptop = Summit(store=str(tmp_path / "laptop.db"), tmp=tmp_path)
    try:
        checkpoint = _source(team, tmp_path)
        _copy(ok(team.run), laptop.store)
        _same_store(ok(team.run), ok(laptop.run), checkpoint, tmp_path)
    finally:
        pg.drop_schemas([schema])


def test_copy_encrypts_rekeys_and_decrypts(make_summit: Any, tmp_path: Path) -> None:
    first, second = keygen(tmp_path, "first.key"), keygen(tmp_path, "second.key")
    plain, enc, rekeyed, back = (
        make_summit(n) for n in ("plain", "enc", "rekeyed", "back")
    )
    checkpoint = _source(plain, tmp_path)
    _copy(ok(plain.run), enc.store, first)
    _copy(ok(with_key(enc, first)), rekeyed.store, second)
    _copy(ok(with_key(rekeyed, second)), back.store)
    for copy, key in ((enc, first), (rekeyed, second), (back, None)):
        _same_store(ok(plain.run), ok(with_key(copy, key)), checkpoint, tmp_path)
    assert rekeyed.run("stance", "hague-2025").exit_code == 3
    assert with_key(rekeyed, first)("stance", "hague-2025").exit_code == 3
    if not enc.store.startswith("postgresql"):
        found = A.needles(A.SAMPLE)
        assert found
        files = _raw_files(Path(enc.store)).values()
        assert [n for n in found for data in files if n in data] == []


def test_copy_refuses_a_target_that_is_not_empty(
    make_summit: Any, tmp_path: Path
) -> None:
    source, target = make_summit("source"), make_summit("target")
    source.ok("import", str(A.SEED))
    target.ok("import", str(A.SEED))
    before = A.exported(ok(target.run))
    result = source.run("store", "copy", "--to", target.store)
    assert result.exit_code == 2
    assert "is not empty" in result.stderr
    assert A.exported(ok(target.run)) == before
    # a target encrypted with a key the copy was not given: still "not empty"
    key = keygen(tmp_path)
    locked = make_summit("locked")
    ok(with_key(locked, key))("import", str(A.SEED))
    assert source.run("store", "copy", "--to", locked.store).exit_code == 2


FAIL_AT = 100  # the target's database refuses the 100th row of the copy


def _break_target(store: str, pg: Any) -> Any:
    """Create the empty target's log and make its database refuse one row."""
    from cli.store import open_store

    open_store(store, write=True).close()
    if not store.startswith("postgresql"):
        with sqlite3.connect(store) as conn:
            conn.execute(
                "CREATE TRIGGER refuse BEFORE INSERT ON stored_events "
                f"WHEN (SELECT count(*) FROM stored_events) >= {FAIL_AT - 1} "
                "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
            )
        conn.close()
        return lambda: _sqlite_exec(store, "DROP TRIGGER refuse")
    schema = store.rpartition("=")[2]
    table = f'"{schema}".summit_events'
    pg.execute(
        pg.database,
        f"""CREATE FUNCTION "{schema}".refuse() RETURNS trigger AS $$
            BEGIN
              IF (SELECT count(*) FROM {table}) >= {FAIL_AT - 1} THEN
                RAISE EXCEPTION 'disk on fire';
              END IF;
              RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER refuse BEFORE INSERT ON {table}
              FOR EACH ROW EXECUTE FUNCTION "{schema}".refuse();""",
    )
    return lambda: pg.execute(pg.database, f"DROP TRIGGER refuse ON {table}")


def _sqlite_exec(path: str, sql: str) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(sql)
    conn.close()


def _rows(store: str, pg: Any) -> int:
    if store.startswith("postgresql"):
        import psycopg

        schema = store.rpartition("=")[2]
        with psycopg.connect(pg.url()) as c:
            row = c.execute(f'SELECT count(*) FROM "{schema}".summit_events').fetchone()
        assert row is not None
        return int(row[0])
    with sqlite3.connect(store) as conn:
        (count,) = conn.execute("SELECT count(*) FROM stored_events").fetchone()
    conn.close()
    return int(count)


def test_a_copy_that_fails_midway_leaves_the_target_empty(
    make_summit: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    source, target = make_summit("source"), make_summit("target")
    source.ok("import", str(A.sample(tmp_path)))
    pg = request.getfixturevalue("pg") if target.store.startswith("postgres") else None
    repair = _break_target(target.store, pg)
    failed = source.run("store", "copy", "--to", target.store)
    assert failed.exit_code == 3, (failed.stdout, failed.stderr)
    assert "disk on fire" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert _rows(target.store, pg) == 0
    repair()
    _copy(ok(source.run), target.store)
    assert A.answers(ok(target.run), EVERYTHING) == A.answers(
        ok(source.run), EVERYTHING
    )


REAL_SIZE = 20_000


def test_a_copy_at_real_size_there_and_back_keeps_heads_and_answers(
    pg: Any, tmp_path: Path
) -> None:
    """20,000 events SQLite → PostgreSQL → SQLite: same heads, same answers."""
    events = tmp_path / "events.jsonl"
    with events.open("w") as out:
        generate = [sys.executable, str(ROOT / "bench" / "generate.py")]
        subprocess.run([*generate, str(REAL_SIZE)], stdout=out, check=True)
    laptop = Summit(store=str(tmp_path / "laptop.db"), tmp=tmp_path)
    laptop.ok("import", str(events))
    schema = pg.new_schema("realsize")
    team = Summit(store=pg.url(schema=schema), tmp=tmp_path)
    back = Summit(store=str(tmp_path / "back.db"), tmp=tmp_path)
    try:
        assert f"copied {REAL_SIZE} events" in _copy(ok(laptop.run), team.store)
        assert f"copied {REAL_SIZE} events" in _copy(ok(team.run), back.store)
        heads = [
            s.json("audit", "verify")["negotiations"] for s in (laptop, team, back)
        ]
        assert heads[0] == heads[1] == heads[2] and len(heads[0]) == 10
        for negotiation in ("bench-0000", "bench-0009"):
            queries = [
                ("stance", negotiation, "-p", "p-main"),
                ("stance", negotiation, "-p", "p-alt", "--as-of", "2025-06-01"),
                ("consensus", negotiation, "-p", "p-main"),
                ("consensus", negotiation, "-p", "p-alt", "--as-of", "2025-06-01"),
            ]
            for query in queries:
                answers = [s.json(*query) for s in (laptop, team, back)]
                assert answers[0] == answers[1] == answers[2], query
    finally:
        pg.drop_schemas([schema])
