"""The inputs and stores bench/run.py measures.

Generated JSON Lines and the stores that take long to build (the 2,000,000
event one, the big negotiations) are cached in bench/out/ (git-ignored),
keyed by a digest of the generator and of the code that writes the stored
format (domain/, cli/store/, the import command, the log reader): change any
of it and the next run rebuilds them, deleting the stale ones. Delete
bench/out/ to force a rebuild. A cached store's views are caught up before
it is measured (they rebuild themselves when their schema changed).

Stores that are measured while built (the imports) are fresh each run: a
SQLite file in a temporary folder, or a schema of a PostgreSQL database
created for the run (summit_bench_<pid>) and dropped after it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from measure import ENV, PY, ROOT, peak_rss, summit, timed

OUT = ROOT / "bench" / "out"
NEG = "bench-0000"
WARM = ("stance", NEG, "-p", "p-main", "--format", "json")
FORMAT_CODE = (
    "bench/generate.py",
    "domain",
    "cli/store",
    "cli/cmd_import.py",
    "projections/log.py",
)


def digest(paths: tuple[str, ...]) -> str:
    h = hashlib.sha256()
    for rel in paths:
        top = ROOT / rel
        for f in sorted(top.rglob("*.py")) if top.is_dir() else [top]:
            h.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:12]


KEY = digest(FORMAT_CODE)  # once: code edited during a run changes nothing


def note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def events_file(n: int, per: int = 2000) -> Path:
    """n generated events in negotiations of `per` (cached)."""
    gen = digest(("bench/generate.py",))[:8]
    name = f"events-{n}" if per == 2000 else f"events-{n}-{per}"
    path = OUT / f"{name}-{gen}.jsonl"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        for stale in OUT.glob(f"{name}-*.jsonl"):
            stale.unlink()
        tmp = path.with_suffix(".part")
        with tmp.open("w", encoding="utf-8") as f:
            subprocess.run(
                [PY, str(ROOT / "bench" / "generate.py"), str(n), str(per)],
                stdout=f,
                check=True,
            )
        tmp.rename(path)
    return path


def cache_dir() -> Path:
    """bench/out/stores-<key>/, removing the caches of other keys."""
    folder = OUT / f"stores-{KEY}"
    for stale in OUT.glob("stores-*"):
        if stale != folder:
            note(f"removing {stale.name} (written by other code)")
            shutil.rmtree(stale, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sqlite_files(store: Path) -> list[Path]:
    return [Path(f"{store}{s}") for s in ("", "-wal", "-shm")]


def cached_sqlite(n: int, per: int) -> tuple[Path, dict[str, Any]]:
    """A SQLite store of `n` events (negotiations of `per`), views current."""
    name = f"events-{n}" if per == 2000 else f"neg-{n}"
    store = cache_dir() / f"{name}.db"
    meta_file = store.with_suffix(".json")
    if not meta_file.exists():
        for f in sqlite_files(store):
            f.unlink(missing_ok=True)
        path = events_file(n, per)
        note(f"building the cached store of {n:,} events ({name}.db), once")
        seconds, peak = peak_rss(summit(str(store), "import", str(path)))
        views, _ = timed(summit(str(store), *WARM))
        meta = {"seconds": seconds, "peak_kb": peak, "views_s": views}
        meta |= {"built": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
        meta_file.write_text(json.dumps(meta))
        note(f"  imported in {seconds:.0f} s, views in {views:.0f} s")
    else:
        timed(summit(str(store), *WARM))  # catch up (or rebuild) the views
    return store, json.loads(meta_file.read_text())


def sqlite_size(store: str) -> int:
    return sum(f.stat().st_size for f in sqlite_files(Path(store))[:2] if f.exists())


def sqlite_breakdown(store: str) -> list[tuple[str, int]]:
    """Bytes per table and index (SQLite's dbstat), largest first."""
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
        ).fetchall()
    return [(str(name), int(size)) for name, size in rows]


class Postgres:
    """A database made for this run on the server of `admin_url`, one schema
    per store; dropped by close()."""

    def __init__(self, admin_url: str) -> None:
        import psycopg

        from cli.store.postgres import parse_url, password_for

        self.target = parse_url(admin_url)
        self.password = password_for(self.target)
        self.db = f"summit_bench_{os.getpid()}"
        self.base = admin_url.split("?")[0].rsplit("/", 1)[0]
        self.admin = psycopg.connect(
            host=self.target.host,
            port=self.target.port,
            dbname=self.target.dbname,
            user=self.target.user,
            password=self.password,
            autocommit=True,
        )
        self.admin.execute(f'CREATE DATABASE "{self.db}"')
        self.conn = psycopg.connect(
            host=self.target.host,
            port=self.target.port,
            dbname=self.db,
            user=self.target.user,
            password=self.password,
            autocommit=True,
        )
        v = self.conn.info.server_version
        self.version = f"{v // 10000}.{v % 100}"

    def url(self, schema: str) -> str:
        return f"{self.base}/{self.db}?schema={schema}"

    def fresh(self, schema: str) -> str:
        self.drop(schema)
        return self.url(schema)

    def drop(self, schema: str) -> None:
        self.conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    def size(self, url: str) -> int:
        schema = url.rsplit("schema=", 1)[1]
        row = self.conn.execute(
            "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND c.relkind IN ('r', 'm')",
            [schema],
        ).fetchone()
        assert row is not None
        return int(row[0])

    def _client(self, tool: str) -> list[str]:
        t = self.target
        return [tool, "-h", t.host, "-p", str(t.port), "-U", t.user, "-d", self.db]

    def cached(self, sqlite_store: Path, schema: str) -> str:
        """The cached SQLite store copied into `schema` (via a cached dump)."""
        dump = sqlite_store.with_name(f"pg-{schema}.dump")
        env = ENV | ({"PGPASSWORD": self.password} if self.password else {})
        self.drop(schema)
        if dump.exists():
            subprocess.run(
                [*self._client("pg_restore"), str(dump)], env=env, check=True
            )
            timed(summit(self.url(schema), *WARM))
            return self.url(schema)
        note(f"copying {sqlite_store.name} into PostgreSQL (cached as {dump.name})")
        timed(summit(str(sqlite_store), "store", "copy", "--to", self.url(schema)))
        timed(summit(self.url(schema), *WARM))
        part = dump.with_suffix(".part")
        subprocess.run(
            [*self._client("pg_dump"), "-Fc", "-n", schema, "-f", str(part)],
            env=env,
            check=True,
        )
        part.rename(dump)
        return self.url(schema)

    def close(self) -> None:
        self.conn.close()
        self.admin.execute(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
        self.admin.close()
