"""The README's command line reference is what the commands' --help says."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _generator() -> object:
    spec = importlib.util.spec_from_file_location(
        "cli_reference", ROOT / "docs" / "cli_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_reference_matches_every_commands_help() -> None:
    generator: object = _generator()
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert generator.updated(text) == text, (  # type: ignore[attr-defined]
        "README.md's command line reference is stale: run python docs/cli_reference.py"
    )
