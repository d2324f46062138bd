"""bench/run.py's report: its tables, its profiles and the README it rewrites.

The measuring itself takes minutes (`python bench/run.py --quick`); these
check, in about a second, the parts a run ends with.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import instructions  # noqa: E402
import kinds  # noqa: E402
import measure  # noqa: E402
import report  # noqa: E402
import run  # noqa: E402

ROW = (
    "import 20,000 events",
    "5,000 ev/s",
    "save(): 9,000 ev/s",
    "0.56×",
    "≥ 0.8×",
    "",
)


def test_the_readme_has_one_measured_section_to_rewrite() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text.count(report.BEGIN) == 1
    assert text.count(report.END) == 1
    assert text.index(report.BEGIN) < text.index(report.END)


def test_write_readme_replaces_only_the_text_between_the_markers(
    tmp_path: Path,
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(
        f"# T\n\nbefore\n{report.BEGIN}\nold table\n{report.END}\nafter\n"
    )
    report.write_readme(readme, "new table\n")
    report.write_readme(readme, "newer table\n")
    assert readme.read_text() == (
        f"# T\n\nbefore\n{report.BEGIN}\nnewer table\n{report.END}\nafter\n"
    )


def test_write_readme_refuses_a_readme_without_both_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# T\n{report.END}\n{report.BEGIN}\n")
    with pytest.raises(SystemExit, match="expected one"):
        report.write_readme(readme, "table\n")
    assert readme.read_text() == f"# T\n{report.END}\n{report.BEGIN}\n"


def test_a_missed_target_is_marked_and_explained_a_met_one_is_not(
    tmp_path: Path,
) -> None:
    sqlite = kinds.Kind(tmp_path)
    sqlite.target(ROW, False, lambda: "why import is slow")
    sqlite.target((*ROW[:3], "1.1×", "≤ 1.5×", ""), True, lambda: "never asked")
    assert [r[5] for r in sqlite.rows] == ["**not met**", "met"]
    assert [explain() for explain in sqlite.missed] == ["why import is slow"]


def test_postgres_rows_have_no_target_but_flat_queries(tmp_path: Path) -> None:
    pg = kinds.Kind(tmp_path, pg=object())  # type: ignore[arg-type]
    pg.target(ROW, False, lambda: "not asked: no target")
    flat = (*ROW[:4], "flat: slowest/fastest ≤ 1.2", "")
    pg.target(flat, False, lambda: "grows", on_postgres=True)
    assert [r[4:] for r in pg.rows] == [
        ("—", ""),
        ("flat: slowest/fastest ≤ 1.2", "**not met**"),
    ]
    assert [explain() for explain in pg.missed] == ["grows"]


def test_render_shows_each_table_and_each_profile() -> None:
    summary = {
        "command": ["--store", "s.db", "stance", "x"],
        "seconds": 0.25,
        "loading": 0.1,
        "top": [{"function": "a|b", "calls": 3, "own": 0.2, "cumulative": 0.24}],
    }
    block = report.profile_block("`stance`", summary, "bench/out/profile-stance.txt")
    text = report.render(
        "summit benchmark, …", [("SQLite", [ROW]), ("Empty", [])], [block]
    )
    assert text.startswith("> summit benchmark, …\n\n**SQLite**\n\n| measure |")
    assert "| import 20,000 events | 5,000 ev/s |" in text
    assert "Empty" not in text
    assert "0.10 s of it loading modules" in text
    assert "| 0.200 | 0.240 | 3 | `a\\|b` |" in text
    # The instruction counts (`--instructions`) come after the tables,
    # before the profiles.
    counted = report.render("h", [("SQLite", [ROW])], [block], ["COUNTS"])
    assert counted.index("| import 20,000") < counted.index("COUNTS")
    assert counted.index("COUNTS") < counted.index("For each target not met")


def test_instruction_counts_mark_a_query_over_the_target(
    monkeypatch: pytest.MonkeyPatch,
) -> None:

    counts = {"--help": 200, "20k": 240, "2M": 270}
    # [python, summit, "--help"] or [python, summit, "--store", STORE, ...]
    monkeypatch.setattr(
        instructions, "count", lambda cmd: counts[cmd[-1 if len(cmd) == 3 else 3]]
    )
    text = instructions.table({"20k": "20k", "2M": "2M"}, {"stance": ["stance"]})
    assert "| query | 20k | 2M | slowest / fastest |" in text
    assert "| `stance` | 1.20× | **1.35×** | 1.12 |" in text


def test_scale_points_read_small_to_large_then_the_negotiations() -> None:
    points = ["2M", "negotiation of 50k", "20k", "negotiation of 5k", "200k"]
    ordered = sorted(((p, "") for p in points), key=run.point_order)
    assert [p for p, _ in ordered] == [
        "20k",
        "200k",
        "2M",
        "negotiation of 5k",
        "negotiation of 50k",
    ]
    assert [measure.kilo(n) for n in (20, 5000, 20_000, 2_000_000)] == [
        "20",
        "5k",
        "20k",
        "2M",
    ]


def test_profile_cli_writes_the_top_functions_of_one_summit_process(
    tmp_path: Path,
) -> None:
    out = tmp_path / "profile-help.txt"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "profile_cli.py"), str(out), "--help"],
        check=True,
        capture_output=True,
    )
    summary = json.loads(out.with_suffix(".json").read_text())
    assert summary["command"] == ["--help"]
    assert len(summary["top"]) == 10
    assert summary["seconds"] >= summary["loading"] > 0
    assert "exit 0" in out.read_text()
