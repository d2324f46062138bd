"""Encryption at rest: store keys, the key a store needs, and no plaintext stored.

The raw-bytes tests read every file of a SQLite store (the database, its WAL
and shared memory, kept by a reader holding the database open) and every
column of every summit table on PostgreSQL, looking for the quotes,
speakers, URLs and notes imported, and the log's states as they read
without a key (a plain store's log is compressed: `domain.stored`); the
same search on a plain store finds them (so the search would see a leak).
"""

from __future__ import annotations

import base64
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests import answers as A
from tests.conftest import Summit
from tests.tamper import is_sqlite, position_column, sql

ROOT = Path(__file__).parent.parent.parent


def keygen(tmp: Path, name: str = "store.key") -> str:
    path = tmp / name
    result = Summit(store=str(tmp / "unused.db"), tmp=tmp).ok(
        "store", "keygen", "--out", str(path)
    )
    assert str(path) in result.stdout
    return str(path)


def with_key(summit: Summit, key: str | None) -> Any:
    """A runner of summit on the same store with `--key key` (or none)."""

    def run(*args: str, input: str | None = None) -> Any:
        extra = ["--key", key] if key else []
        return summit.run(*extra, *args, input=input)

    return run


def ok(run: Any) -> Any:
    def go(*args: str) -> str:
        result = run(*args)
        assert result.exit_code == 0, (args, result.exit_code, result.stderr)
        return str(result.stdout)

    return go


def test_keygen_writes_a_new_256_bit_key_for_its_owner_only_and_never_overwrites(
    tmp_path: Path,
) -> None:
    first, second = keygen(tmp_path, "a.key"), keygen(tmp_path, "b.key")
    raw = base64.b64decode(Path(first).read_text().strip(), validate=True)
    assert len(raw) == 32
    assert Path(first).read_bytes() != Path(second).read_bytes()
    assert stat.S_IMODE(os.stat(first).st_mode) == 0o600
    before = Path(first).read_bytes()
    again = Summit(store="x.db", tmp=tmp_path).run("store", "keygen", "--out", first)
    assert again.exit_code == 2
    assert "refusing to overwrite" in again.stderr
    assert Path(first).read_bytes() == before


def test_an_encrypted_store_opens_only_with_its_key(
    summit: Summit, tmp_path: Path
) -> None:
    key, other = keygen(tmp_path, "right.key"), keygen(tmp_path, "other.key")
    ok(with_key(summit, key))("import", str(A.SEED))
    for args in (
        ["stance", "hague-2025"],
        ["timeline", "hague-2025"],
        ["export"],
        ["audit", "verify"],
        ["audit", "log"],
        ["import", str(A.SAMPLE)],
    ):
        without = summit.run(*args)
        assert without.exit_code == 3, (args, without.stdout)
        assert "this store is encrypted: give --key" in without.stderr
        wrong = with_key(summit, other)(*args)
        assert wrong.exit_code == 3, (args, wrong.stdout)
        assert "this key does not open this store" in wrong.stderr
    assert "Traceback" not in without.stderr + wrong.stderr
    # the refused import stored nothing
    assert len(A.exported(ok(with_key(summit, key)))) == 23
    env = summit.run("stance", "hague-2025")
    assert env.exit_code == 3
    os.environ["SUMMIT_KEY_FILE"] = key
    try:
        assert summit.run("stance", "hague-2025").exit_code == 0
    finally:
        del os.environ["SUMMIT_KEY_FILE"]


def test_a_key_given_for_a_plain_store_is_a_usage_error(
    summit: Summit, tmp_path: Path
) -> None:
    key = keygen(tmp_path)
    summit.ok("import", str(A.SEED))
    result = with_key(summit, key)("stance", "hague-2025")
    assert result.exit_code == 2
    assert "this store is not encrypted" in result.stderr
    assert with_key(summit, key)("import", str(A.SAMPLE)).exit_code == 2
    assert len(A.exported(ok(summit.run))) == 23  # nothing stored


def test_an_encrypted_store_answers_as_a_plain_one(
    make_summit: Any, tmp_path: Path
) -> None:
    key = keygen(tmp_path)
    plain, secret = make_summit("plain"), make_summit("secret")
    enc = ok(with_key(secret, key))
    checkpoint = tmp_path / "cp.json"
    plain.ok("import", str(A.sample(tmp_path, 100)))
    enc("import", str(A.sample(tmp_path, 100)))
    enc("audit", "checkpoint", "--out", str(checkpoint))
    sample = str(A.sample(tmp_path))
    plain.ok("import", sample)
    enc("import", sample)
    assert A.unstamped(A.answers(enc, A.QUERIES)) == A.unstamped(
        A.answers(ok(plain.run), A.QUERIES)
    )
    assert A.exported(enc, "--no-recorded") == A.exported(
        ok(plain.run), "--no-recorded"
    )
    verified = A.answers(enc, [["audit", "verify"]])["audit verify"]
    assert verified["checked"] == len(A.exported(enc)) > 100
    # a checkpoint taken on the encrypted store still verifies after more imports
    again = with_key(secret, key)("audit", "verify", "--checkpoint", str(checkpoint))
    assert again.exit_code == 0, again.stderr
    status = with_key(secret, key)("views", "status")
    assert status.exit_code == 2
    assert "keeps no views" in status.stderr


def _raw_files(db: Path) -> dict[str, bytes]:
    return {
        p.name: p.read_bytes()
        for p in db.parent.iterdir()
        if p.name.startswith(db.name)
    }


def _inflated(states: list[Any]) -> bytes:
    """The log's states as read without a key (none of an encrypted store's)."""
    from domain.stored import plain_state

    found = bytearray()
    for state in states:
        try:
            found += plain_state(state)
        except ValueError:
            continue
    return bytes(found)


def _sqlite_states(db: Path) -> bytes:
    with sqlite3.connect(db) as c:
        return _inflated([r[0] for r in c.execute("SELECT state FROM stored_events")])


def _leaks(contents: dict[str, bytes], data: Path) -> list[tuple[str, bytes]]:
    found = A.needles(data)
    return [(name, n) for name, raw in contents.items() for n in found if n in raw]


DATA = [A.SEED, A.SAMPLE]


def _summit_process(*args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", *args],
        cwd=ROOT,
        capture_output=True,
        env={**os.environ, "SUMMIT_USER": "tester"},
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("data", DATA, ids=["seed", "sample"])
@pytest.mark.parametrize("encrypted", [True, False], ids=["encrypted", "plain"])
def test_no_file_of_an_encrypted_sqlite_store_holds_any_imported_text(
    tmp_path: Path, encrypted: bool, data: Path
) -> None:
    db = tmp_path / "store.db"
    key = ["--key", keygen(tmp_path)] if encrypted else []
    first = str(A.sample(tmp_path, 10, data))
    _summit_process("--store", str(db), *key, "import", first)
    # A reader holding the database open keeps the WAL and shared-memory files
    # of the next writer on disk, so their bytes are searched too.
    holder = sqlite3.connect(db)
    holder.execute("SELECT count(*) FROM stored_events").fetchone()
    try:
        _summit_process("--store", str(db), *key, "import", str(data))
        for query in (["stance", "hague-2025"], ["timeline", "hague-2025"]):
            _summit_process("--store", str(db), *key, *query)
        files = _raw_files(db)
        assert {"store.db", "store.db-wal", "store.db-shm"} <= set(files)
        assert len(files["store.db-wal"]) > 0
        files["stored states, inflated"] = _sqlite_states(db)
    finally:
        holder.close()
    leaks = _leaks(files, data)
    if encrypted:
        assert leaks == []
    else:  # the same search finds the text in a plain store
        assert len({n for _, n in leaks}) == len(A.needles(data))


def _pg_contents(url: str) -> dict[str, bytes]:
    """Every column of every table in the store's schema, as raw bytes."""
    import psycopg

    from cli.store.postgres import parse_url, password_for

    t = parse_url(url)
    found: dict[str, bytes] = {}
    with psycopg.connect(
        host=t.host, port=t.port, dbname=t.dbname, user=t.user, password=password_for(t)
    ) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s", (t.schema,)
            )
        ]
        assert names
        for name in names:
            data = bytearray()
            for row in conn.execute(f'SELECT * FROM "{t.schema}"."{name}"'):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        data += bytes(value) + _inflated([value])
                    else:
                        data += str(value).encode("utf-8")
            found[name] = bytes(data)
    return found


@pytest.mark.parametrize("data", DATA, ids=["seed", "sample"])
@pytest.mark.parametrize("encrypted", [True, False], ids=["encrypted", "plain"])
def test_no_table_of_an_encrypted_postgres_store_holds_any_imported_text(
    pg: Any, tmp_path: Path, encrypted: bool, data: Path
) -> None:
    url = pg.url(schema=pg.new_schema("rawbytes"))
    try:
        summit = Summit(store=url, tmp=tmp_path)
        key = keygen(tmp_path) if encrypted else None
        run = ok(with_key(summit, key))
        run("import", str(A.sample(tmp_path, 10, data)))
        run("import", str(data))
        run("stance", "hague-2025")
        run("audit", "verify")
        leaks = _leaks(_pg_contents(url), data)
    finally:
        pg.drop_schemas([url.rpartition("=")[2]])
    if encrypted:
        assert leaks == []
    else:
        assert len({n for _, n in leaks}) == len(A.needles(data))


def test_a_garbled_first_row_of_an_encrypted_store_is_tampering_not_a_lost_key(
    summit: Summit, tmp_path: Path
) -> None:
    key, other = keygen(tmp_path, "right.key"), keygen(tmp_path, "other.key")
    ok(with_key(summit, key))("import", str(A.SEED))
    garbage = "x'00ff13'" if is_sqlite(summit.store) else "'\\x00ff13'::bytea"
    where = f"{position_column(summit.store)} = 1"
    sql(summit.store, f"UPDATE {{events}} SET state = {garbage} WHERE {where}")
    with_the_key = with_key(summit, key)("audit", "verify")
    assert with_the_key.exit_code == 1, with_the_key.stderr
    assert "tampering at log position 1" in with_the_key.stderr
    without = summit.run("audit", "verify")
    assert without.exit_code == 3
    assert "this store is encrypted: give --key" in without.stderr
    wrong = with_key(summit, other)("audit", "verify")
    assert wrong.exit_code == 3
    assert "this key does not open this store" in wrong.stderr
