"""Where the bundled samples live (installed package or source tree)."""

from __future__ import annotations

from pathlib import Path

SAMPLES = {
    "full": "hague-2025.jsonl",
    "seed": "hague-2025-seed.jsonl",
}
"""`summit demo --sample`: the whole sourced record, or the seed article alone."""


def sample_path(sample: str = "full") -> Path:
    """A bundled sample: inside the installed package, else the checkout."""
    name = SAMPLES[sample]
    here = Path(__file__).resolve().parent
    for candidate in (here / "examples" / name, here.parent / "examples" / name):
        if candidate.is_file():
            return candidate
    from domain.errors import StoreUnavailable

    raise StoreUnavailable(f"the bundled sample {name} is missing")
