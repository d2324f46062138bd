"""Shared fixtures: a fresh store per test and a CLI runner bound to it.

Every test that takes `summit`, `make_summit` or `new_store` runs twice: on a
SQLite file in tmp_path (`[sqlite]`) and on PostgreSQL (`[postgres]`). The
PostgreSQL cases use a database this session creates on the server named by
SUMMIT_TEST_PG (default postgresql://postgres@127.0.0.1:5432/postgres), a
schema of their own in it, and drop it all at the end (tests/pgserver.py).
With no server they are skipped with the reason; under CI=true they fail.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from tests import pgserver

STORES = ("sqlite", "postgres")


@dataclass
class Summit:
    """Drives the CLI against one store, as a user would."""

    store: str
    tmp: Path
    by: str = "tester"

    def run(self, *args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(
            cli, ["--store", self.store, "--by", self.by, *args], input=input
        )

    def ok(self, *args: str, input: str | None = None) -> Result:
        result = self.run(*args, input=input)
        assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--format", "json").stdout)

    def load(self, records: Iterable[dict[str, Any]]) -> Result:
        text = "\n".join(json.dumps(r) for r in records) + "\n"
        return self.ok("import", "-", input=text)


@pytest.fixture
def summit(tmp_path: Path, new_store: Callable[[str], str]) -> Summit:
    return Summit(store=new_store("summit"), tmp=tmp_path)


@pytest.fixture
def make_summit(
    tmp_path: Path, new_store: Callable[[str], str]
) -> Callable[[str], Summit]:
    def make(name: str) -> Summit:
        return Summit(store=new_store(name), tmp=tmp_path)

    return make


@pytest.fixture(params=STORES)
def new_store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[str], str]]:
    """Makes fresh, empty stores of this test's kind: a SQLite path or a URL."""
    if request.param == "sqlite":
        yield lambda name: str(tmp_path / f"{name}.db")
        return
    server: pgserver.PgServer = request.getfixturevalue("pg")
    schemas: list[str] = []

    def make(name: str) -> str:
        schemas.append(server.new_schema(name))
        return server.url(schema=schemas[-1])

    yield make
    server.drop_schemas(schemas)


@pytest.fixture(scope="session")
def pg() -> Iterator[pgserver.PgServer]:
    """This session's PostgreSQL server; skipped without one (failed under CI=true)."""
    reason = pgserver.unavailable()
    if reason is not None:
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(f"{reason}; CI=true requires PostgreSQL", pytrace=False)
        pytest.skip(reason)
    server = pgserver.PgServer()
    try:
        yield server
    finally:
        server.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say why PostgreSQL cases were skipped, even under -q."""
    if pgserver.unavailable.cache_info().currsize and pgserver.unavailable():
        terminalreporter.write_line(
            f"PostgreSQL cases not run: {pgserver.unavailable()}", yellow=True
        )
