"""Shared fixtures: a fresh store per test and a CLI runner bound to it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.main import cli


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
def summit(tmp_path: Path) -> Summit:
    return Summit(store=str(tmp_path / "summit.db"), tmp=tmp_path)


@pytest.fixture
def make_summit(tmp_path: Path) -> Callable[[str], Summit]:
    def make(name: str) -> Summit:
        return Summit(store=str(tmp_path / f"{name}.db"), tmp=tmp_path)

    return make
