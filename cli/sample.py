"""Where the bundled sample dataset lives (installed package or source tree)."""

from __future__ import annotations

from pathlib import Path

SAMPLE_NAME = "hague-2025-seed.jsonl"


def sample_path() -> Path:
    """The seed-article sample: inside the installed package, else the checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (
        here / "examples" / SAMPLE_NAME,
        here.parent / "examples" / SAMPLE_NAME,
    ):
        if candidate.is_file():
            return candidate
    from domain.errors import StoreUnavailable

    raise StoreUnavailable(f"the bundled sample {SAMPLE_NAME} is missing")
