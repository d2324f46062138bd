"""The two kinds of store bench/run.py measures, side by side."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from measure import ENV, PY, ROOT, Row, met
from report import profile_block
from stores import NEG, OUT, Postgres, cached_sqlite, sqlite_files, sqlite_size


class Kind:
    """One kind of store (SQLite files, or schemas of a PostgreSQL database),
    its stores by scale point, the rows of its table and its missed targets."""

    def __init__(self, tmp: Path, pg: Postgres | None = None) -> None:
        self.tmp, self.pg = tmp, pg
        self.name = "PostgreSQL" if pg else "SQLite"
        self.points: dict[str, str] = {}
        self.rows: list[Row] = []
        self.missed: list[Callable[[], str]] = []
        self.imports: dict[int, float] = {}  # events -> median seconds

    def fresh(self, label: str) -> str:
        if self.pg:
            return self.pg.fresh(label)
        store = self.tmp / f"{label}.db"
        self.discard(str(store))
        return str(store)

    def discard(self, store: str) -> None:
        if self.pg:
            self.pg.drop(store.rsplit("schema=", 1)[1])
        else:
            for f in sqlite_files(Path(store)):
                f.unlink(missing_ok=True)

    def size(self, store: str) -> int:
        return self.pg.size(store) if self.pg else sqlite_size(store)

    def cached(self, n: int, per: int, writable: bool) -> tuple[str, dict]:
        path, meta = cached_sqlite(n, per)
        if self.pg:
            return self.pg.cached(path, path.stem.replace("-", "_")), meta
        if not writable:
            return str(path), meta
        copy = self.tmp / path.name
        for f in sqlite_files(path)[:2]:
            if f.exists():
                shutil.copy(f, self.tmp / f.name)
        return str(copy), meta

    def target(
        self,
        row: Row,
        ok: bool,
        explain: Callable[[], str] | None,
        on_postgres: bool = False,
    ) -> None:
        """A row with a target; a missed one is explained after the run.
        PostgreSQL has no targets but one: queries stay flat."""
        if self.pg and not on_postgres:
            row, ok = (*row[:4], "—", ""), True
        self.rows.append((*row[:5], "" if row[4] == "—" else met(ok)))
        if not ok and explain:
            self.missed.append(explain)


def profile(label: str, slug: str, store: str, *args: str) -> Callable[[], str]:
    def run() -> str:
        out = OUT / f"profile-{slug}.txt"
        if out.exists():  # shown once a run (the import's, for two sizes)
            return ""
        subprocess.run(
            [
                PY,
                str(ROOT / "bench" / "profile_cli.py"),
                str(out),
                "--store",
                store,
                *args,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=ENV,
            check=False,
        )
        summary = json.loads(out.with_suffix(".json").read_text())
        return profile_block(label, summary, f"bench/out/{out.name}")

    return run


def statement(ref: str) -> str:
    return json.dumps(
        {
            "type": "statement.made",
            "negotiation": NEG,
            "ref": ref,
            "occurred_on": "2025-05-01",
            "actor": "DEU",
            "speaker": "Bench",
            "position": {"proposal": "p-main", "stance": "supports"},
            "source": {"outlet": "Bench Wire", "reliability": "reported"},
        }
    )
