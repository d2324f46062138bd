"""What people see at 80 and 60 columns in the timeline, audit log, delivery and
spending tables (refs whole, headers unbroken, no column lost), and shares of
GDP shown as written in the delivery and spending tables."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.processes import ROOT, ok

HAGUE = ROOT / "examples" / "hague-2025.jsonl"  # refs up to 44 characters
DIGEST = re.compile(r"[0-9a-f]{12}…")  # the audit log's shortened digest
BORDERS = "┏┃┡│└┓┩┘"


@pytest.fixture(scope="module")
def hague(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full Hague example, with two 2025 figures: one with many decimals
    (Iceland, 0.123456789) and one written as a whole number (France, 3)."""
    store = tmp_path_factory.mktemp("hague") / "hague.db"
    ok(store, "import", str(HAGUE))
    for ally, pct in (("ISL", "0.123456789"), ("FRA", "3")):
        ok(store, "record", "spending", "-n", "hague-2025", "--on", "2025-09-01",
           "--actor", ally, "--metric", "total", "--year", "2025", "--pct", pct,
           "--outlet", "X")  # fmt: skip
    return store


def refs_of(store: Path, args: tuple[str, ...]) -> list[str]:
    """The refs a table shows, from the same view in JSON."""
    view = json.loads(ok(store, *args, "--format", "json"))
    if args[0] == "timeline":
        return [e["ref"] for e in view["events"]]
    if args[0] == "audit":
        return [r["ref"] for r in view["records"]]
    if args[0] == "spending":
        return [a["ref"] for a in view["allies"]]
    return []  # the delivery table shows no ref


TABLES = {
    ("timeline", "hague-2025", "--ally", "FRA"): ("On", "Type", "Ref", "What"),
    ("audit", "log"): ("Pos", "Recorded", "Negotiation", "Type", "Ref", "Digest"),
    ("delivery", "hague-2025", "--ally", "GBR"): (
        *("Ally", "Status", "Share", "Year", "Gap", "Trend", "Need"),
        *("Pledge", "Reported", "per year"),
    ),
    ("spending", "hague-2025", "--year", "2024"): ("Ally", "Share", "Basis", "Ref"),
}


@pytest.mark.parametrize("columns", [60, 80])
@pytest.mark.parametrize("args", list(TABLES), ids=lambda a: a[0])
def test_narrow_tables_keep_refs_whole_headers_unbroken_and_every_column(
    hague: Path, args: tuple[str, ...], columns: int
) -> None:
    out = ok(hague, *args, columns=columns)
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= columns
    for ref in refs_of(hague, args):
        assert ref in out, ref
    for header in TABLES[args]:  # whole, as one word (any case)
        assert re.search(rf"\b{header}\b", out, re.IGNORECASE), header
    assert "…" not in DIGEST.sub("", out)  # no name nor ref ellipsised
    # Every table line keeps its right border: no column was cropped away.
    for line in lines:
        if line[:1] in BORDERS:
            assert line.rstrip()[-1] in BORDERS, line


def test_the_audit_log_at_80_columns_keeps_date_and_time_whole(hague: Path) -> None:
    out = ok(hague, "audit", "log", columns=80)
    view = json.loads(ok(hague, "audit", "log", "--format", "json"))
    for r in view["records"]:
        day, time = r["recorded_at"].split("T")
        assert day in out and time in out, r["recorded_at"]
        assert r["recorded_by"] in out


@pytest.mark.parametrize("columns", [60, 80, 140])
def test_spending_shows_shares_as_written(hague: Path, columns: int) -> None:
    out = ok(hague, "spending", "hague-2025", "--year", "2025", columns=columns)
    assert "0.123456789%" in out and "0.12%" not in out
    assert re.search(r"│ FRA[^│]*│ +3% │", out), out
    assert "3.00%" not in out and "2.00%" not in out  # 2 written as 2


@pytest.mark.parametrize("columns", [60, 80, 140])
def test_delivery_shows_recorded_shares_as_written_and_computed_pp_rounded(
    hague: Path, columns: int
) -> None:
    iceland = ok(hague, "delivery", "hague-2025", "--ally", "ISL", columns=columns)
    assert "0.123456789%" in iceland and "0.12%" not in iceland
    france = ok(hague, "delivery", "hague-2025", "--ally", "FRA", columns=columns)
    assert re.search(r"│ +3% │", france) and "3.00%" not in france
    # The gap is computed, and SPEC rule 8 rounds it to 2 places: 5 - 3 = 2.00.
    assert re.search(r"│ +2\.00 │", france), france
