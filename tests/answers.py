"""What a store answers, as JSON: compared across plain, encrypted and copied stores."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

SAMPLE = Path(__file__).parent.parent / "examples" / "hague-2025.jsonl"
SEED = Path(__file__).parent.parent / "examples" / "hague-2025-seed.jsonl"

# Queries whose answers do not depend on when the events were recorded.
QUERIES = [
    ["stance", "hague-2025"],
    ["stance", "hague-2025", "--as-of", "2025-06-10"],
    ["stance", "hague-2025", "--ally", "GBR"],
    ["stance", "hague-2025", "--known-at", "2100-01-01"],
    ["consensus", "hague-2025"],
    ["consensus", "hague-2025", "--as-of", "2025-06-05"],
    ["timeline", "hague-2025"],
    ["timeline", "hague-2025", "--known-at", "2100-01-01"],
    ["replay", "hague-2025", "--until", "100"],
    ["delivery", "hague-2025"],
    ["spending", "hague-2025", "--year", "2024"],
]
# Answers that also show when and by whom each event was recorded.
RECORDED = [["audit", "verify"], ["audit", "log"]]


def sample(tmp: Path, first: int | None = None, data: Path = SAMPLE) -> Path:
    """The bundled sample (or `data`), only its `first` events when given, less
    any event type this build does not know."""
    from domain.vocabulary import EVENT_TYPE

    out = tmp / f"{data.stem}-{first}.jsonl"
    lines = [
        line
        for line in data.read_text(encoding="utf-8").splitlines()
        if line.startswith("{") and json.loads(line)["type"] in EVENT_TYPE
    ]
    out.write_text("\n".join(lines[:first]) + "\n", encoding="utf-8")
    return out


def answers(ok: Callable[..., str], queries: list[list[str]]) -> dict[str, Any]:
    """Each query's JSON answer, by its command line; `ok` runs summit, gives stdout."""
    return {" ".join(q): json.loads(ok(*q, "--format", "json")) for q in queries}


def exported(ok: Callable[..., str], *args: str) -> list[Any]:
    return [json.loads(line) for line in ok("export", *args).splitlines()]


def needles(*paths: Path) -> set[bytes]:
    """Quotes, speakers, URLs, notes (and titles, outlets) of the inputs, as bytes
    to look for: the first 40 bytes of each (a long value may span pages)."""
    found: set[bytes] = set()

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and key in TEXT_FIELDS and len(value) >= 8:
            found.add(value.encode("utf-8")[:40])

    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                walk(json.loads(line))
    return found


TEXT_FIELDS = {"quote", "speaker", "url", "note", "title", "outlet", "venue"}


def unstamped(value: Any) -> Any:
    """`value` without its recorded_at stamps (two imports differ only there)."""
    if isinstance(value, dict):
        return {k: unstamped(v) for k, v in value.items() if k != "recorded_at"}
    if isinstance(value, list):
        return [unstamped(v) for v in value]
    return value
