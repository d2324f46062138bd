"""Every example a person copies runs as written: the README's worked session
and each `--help` example, in real processes against a fresh store."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from cli.main import cli

ROOT = Path(__file__).parents[1]
SUMMIT_BIN = Path(sys.executable).parent
# Shapes, not commands: they stand for a record the reader writes.
NOT_RUNNABLE = ("...", "'{")


def _bash(script: str, cwd: Path, store: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SUMMIT_STORE": store,
        "SUMMIT_USER": "alice",
        "PATH": f"{SUMMIT_BIN}{os.pathsep}{os.environ['PATH']}",
    }
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _workdir(tmp: Path) -> Path:
    shutil.copytree(ROOT / "examples", tmp / "examples")
    return tmp


def worked_session() -> str:
    """The README's worked session: its first sh block that exports a store."""
    blocks = re.findall(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    return next(b for b in blocks if "export SUMMIT_STORE" in b)


def test_the_readme_worked_session_runs_as_written(tmp_path: Path) -> None:
    done = _bash(worked_session(), _workdir(tmp_path), str(tmp_path / "unused.db"))
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert "stored 23 event(s)" in done.stderr and "sanchez-rejects-5pct" in done.stdout
    assert (tmp_path / "hague.db").exists() and (
        tmp_path / "hague-2025.jsonl"
    ).stat().st_size


def help_examples() -> list[tuple[str, str]]:
    """(command path, example) for every example line of every `--help`."""
    found: list[tuple[str, str]] = []

    def walk(command: click.Command, path: list[str]) -> None:
        text = command.help or ""
        block = text.split("Example", 1)[1] if "Example" in text else ""
        if not path:
            block = text
        lines = [ln.strip() for ln in block.splitlines()]
        joined: list[str] = []
        for line in lines:
            if joined and joined[-1].endswith("\\"):
                joined[-1] = joined[-1][:-1] + " " + line
            elif line.startswith("summit "):
                joined.append(line)
        found.extend((" ".join(path), ex) for ex in joined)
        if isinstance(command, click.Group):
            ctx = click.Context(command)
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None
                walk(sub, [*path, name])

    walk(cli, [])
    return found


EXAMPLES = help_examples()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("seeded")
    done = _bash(
        "summit import examples/hague-2025-seed.jsonl",
        _workdir(tmp),
        str(tmp / "summit.db"),
    )
    assert done.returncode == 0, done.stderr
    return tmp / "summit.db"


def test_every_help_has_examples() -> None:
    assert len(EXAMPLES) > 40
    assert any("audit checkpoint --sign" in ex for _, ex in EXAMPLES)


# A server an example names stands for the team's: the test's own server.
SERVER_URL = re.compile(r"postgresql://\S+")
# Files an example names as made by the one before it in --help.
SIGNED = re.compile(r"newsroom\.(key|pub)\b|cp\.json")


@pytest.mark.parametrize(("where", "example"), EXAMPLES, ids=[e for _, e in EXAMPLES])
def test_every_help_example_runs(
    where: str,
    example: str,
    seeded: Path,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    """Each example as written, in a directory holding the files examples name
    (events.jsonl, docs/, laptop.db: the seed) and a store holding the seed
    (none for `record open`); the only substitution: a PostgreSQL URL becomes
    a fresh schema on the test server."""
    if any(mark in example for mark in NOT_RUNNABLE):
        pytest.skip(f"a shape, not a command: {example}")
    work = _workdir(tmp_path)
    (work / "docs").mkdir()
    (work / "events.jsonl").write_text(
        (ROOT / "examples/hague-2025-seed.jsonl").read_text()
    )
    shutil.copy(seeded, work / "laptop.db")
    store = work / "summit.db"
    if "record open" not in example:  # an opening needs a store without it
        shutil.copy(seeded, store)
    if SERVER_URL.search(example):
        server = request.getfixturevalue("pg")
        url = server.url(schema=server.new_schema("example"))
        example = SERVER_URL.sub(url, example)
    setup = ""
    if SIGNED.search(example) and "audit keygen" not in example:
        setup = "summit audit keygen --out newsroom >/dev/null\n"
        setup += "summit audit checkpoint --sign newsroom.key --out cp.json\n"
    done = _bash(setup + example, work, str(store))
    assert done.returncode == 0, (where, example, done.stdout, done.stderr)
