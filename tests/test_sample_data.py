"""The bundled full record (examples/hague-2025.jsonl) is data journalists quote:
it must validate, cover every ally by the summit, and carry its sources."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from domain.fields import REF_PATTERN
from domain.registry import nato_members_on

ROOT = Path(__file__).parent.parent
FULL = ROOT / "examples" / "hague-2025.jsonl"
SEED = ROOT / "examples" / "hague-2025-seed.jsonl"
SUMMIT_DAY = "2025-06-25"
SOURCED = {"statement.made", "pledge.made", "signoff.recorded", "spending.reported"}


def _records(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [
        json.loads(x) for x in lines if x.strip() and not x.lstrip().startswith("#")
    ]


def _summit(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", *args],
        env={"PATH": "/usr/bin:/bin", "SUMMIT_STORE": str(store), "HOME": "/tmp"},
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


@pytest.fixture(scope="module")
def full() -> list[dict[str, Any]]:
    return _records(FULL)


@pytest.fixture(scope="module")
def stance_at_summit(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    store = tmp_path_factory.mktemp("full") / "full.db"
    result = _summit(store, "import", str(FULL))
    assert result.returncode == 0, result.stderr
    result = _summit(
        store, "stance", "hague-2025", "--as-of", SUMMIT_DAY, "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    view: dict[str, Any] = json.loads(result.stdout)
    return view


def test_full_record_imports_into_an_empty_store(
    stance_at_summit: dict[str, Any],
) -> None:
    assert stance_at_summit["negotiation"] == "hague-2025"


def test_every_ally_has_stance_evidence_by_the_summit(
    stance_at_summit: dict[str, Any],
) -> None:
    unknown = [
        a["ally"] for a in stance_at_summit["allies"] if a["stance"] == "unknown"
    ]
    assert unknown == []
    assert len(stance_at_summit["allies"]) == 32


def test_every_ally_has_its_own_statement_before_or_at_the_summit(
    full: list[dict[str, Any]],
) -> None:
    spoke = {
        r["actor"]
        for r in full
        if r["type"] == "statement.made" and r["occurred_on"] <= SUMMIT_DAY
    }
    allies = set(nato_members_on(date(2025, 6, 24)))
    assert allies - spoke == set()


def test_the_seed_is_contained_byte_for_byte(full: list[dict[str, Any]]) -> None:
    # A store that holds the seed must take the full record on top of it: an
    # event whose ref exists with other content would be refused.
    by_ref = {r["ref"]: r for r in full}
    for record in _records(SEED):
        assert by_ref[record["ref"]] == record


def test_a_store_with_the_seed_takes_the_full_record(tmp_path: Path) -> None:
    store = tmp_path / "seed-then-full.db"
    for sample in (SEED, FULL):
        result = _summit(store, "import", str(sample))
        assert result.returncode == 0, result.stderr


def test_every_sourced_event_names_a_page_and_an_outlet(
    full: list[dict[str, Any]],
) -> None:
    def sourced(record: dict[str, Any]) -> bool:
        source = record.get("source", {})
        url, outlet = source.get("url", ""), source.get("outlet", "")
        return url.startswith(("https://", "http://")) and bool(outlet.strip())

    # The seed's events cite their article by outlet and date (the seed file
    # is kept as it was); every event added beyond it names its page.
    seed = {r["ref"] for r in _records(SEED)}
    unsourced = [
        r["ref"]
        for r in full
        if r["type"] in SOURCED and r["ref"] not in seed and not sourced(r)
    ]
    assert unsourced == []


def test_quotes_are_not_blank_where_present(full: list[dict[str, Any]]) -> None:
    blank = [r["ref"] for r in full if "quote" in r and not str(r["quote"]).strip()]
    assert blank == []


def test_refs_are_readable_unique_slugs(full: list[dict[str, Any]]) -> None:
    refs = Counter(r["ref"] for r in full)
    assert [ref for ref, n in refs.items() if n > 1] == []
    for ref in refs:
        assert re.fullmatch(REF_PATTERN, ref), ref
        assert re.search(r"[a-z]{3,}", ref), f"{ref} is not a readable slug"


def test_inferred_dates_say_so(full: list[dict[str, Any]]) -> None:
    # A page's publication date after the event date with no note would be a
    # silent inference; every event whose source was published later than it
    # happened either says why in its note or is a spending figure (dated on
    # publication by SPEC).
    silent = [
        r["ref"]
        for r in full
        if r["type"] not in {"spending.reported"}
        and r.get("source", {}).get("published_on", r.get("occurred_on", ""))
        > r.get("occurred_on", "9999")
        and not (r.get("note") or "").strip()
    ]
    assert silent == []


def test_readme_datasheet_is_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "datasheet.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
