"""Property: a mutated line never crashes summit (no exit 70, no traceback),
and an input is stored whole when valid and not at all when not (issue 13)."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.main import cli
from tests.builders import opened, pledged, said, signed, tabled
from tests.cli.test_input_validation import stored

BASE = [
    opened(),
    tabled(),
    said("s1", "GBR", "2025-06-02", "supports", quote="We agree."),
    pledged("p1", "GBR", "2025-06-03", 3, 2030),
    signed("d1", "2025-06-24"),
]
TEXT_FIELDS = {1: "title", 2: "speaker", 4: "document"}  # line index -> a text field
REQUIRED = ("type", "negotiation", "occurred_on")

PROBLEM_LINE = re.compile(r"in\.jsonl:\d+: \S|… and \d+ more problem")


def _text(line: int, value: str) -> tuple[int, str, bool]:
    record = {**BASE[line], TEXT_FIELDS[line]: value}
    return line, json.dumps(record, ensure_ascii=False), True


lines = st.sampled_from(sorted(TEXT_FIELDS))
controls = st.sampled_from(["\u0000", "\u001b[2J", "\u0007", "\u0085", "\u009b", "\r"])
benign = st.sampled_from(["\u200f", "\u202e", "\u2066", "🇳🇱", "👍🏽", "é", "\t", "\n"])


@st.composite
def mutation(draw: Any) -> tuple[int, str, bool]:
    """(index of the line changed, its new text, whether the input stays valid)."""
    kind = draw(st.integers(min_value=0, max_value=8))
    line = draw(lines)
    record = dict(BASE[line])
    field = TEXT_FIELDS[line]
    if kind == 0:  # a required field dropped
        del record[draw(st.sampled_from([*REQUIRED, field]))]
        return line, json.dumps(record), False
    if kind == 1:  # an unknown field added
        record[draw(st.from_regex(r"x_[a-z]{1,8}", fullmatch=True))] = 1
        return line, json.dumps(record), False
    if kind == 2:  # a type swapped
        record[field] = draw(st.sampled_from([7, 1.5, True, [], {}, None, [field]]))
        return line, json.dumps(record), False
    if kind == 3:  # a control character inside text
        at = draw(st.integers(min_value=0, max_value=len(record[field])))
        value = record[field][:at] + draw(controls) + record[field][at:]
        return line, json.dumps({**record, field: value}), False
    if kind == 4:  # RTL marks, emoji, 1 MB of text: still valid
        extra = draw(st.lists(benign, min_size=1, max_size=5))
        big = draw(st.booleans())
        value = record[field] + "".join(extra) + ("x" * 1_000_000 if big else "")
        return _text(line, value)
    if kind == 5:  # deep nesting in place of text
        depth = draw(st.integers(min_value=2, max_value=5000))
        text = json.dumps({**record, field: 0}).replace(
            f'"{field}": 0', f'"{field}": ' + "[" * depth + "]" * depth
        )
        return line, text, False
    if kind == 6:  # huge numbers, NaN and Infinity as a share of GDP
        number = draw(
            st.sampled_from(
                ["NaN", "Infinity", "-Infinity", "1e400", "9" * 5000, "1e-400"]
            )
        )
        text = json.dumps(BASE[3]).replace('"pct_gdp": 3', f'"pct_gdp": {number}')
        return 3, text, False
    if kind == 7:  # a key given twice
        key = draw(st.sampled_from(sorted(record)))
        text = (
            json.dumps(record)[:-1]
            + f", {json.dumps(key)}: {json.dumps(record[key])}}}"
        )
        return line, text, False
    return line, json.dumps(record, ensure_ascii=False), True  # unchanged


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(change=mutation())
def test_a_mutated_line_is_refused_cleanly_or_stored_whole(
    change: tuple[int, str, bool],
) -> None:
    index, text, valid = change
    texts = [json.dumps(r, ensure_ascii=False) for r in BASE]
    texts[index] = text
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.jsonl"
        path.write_text("\n".join(texts) + "\n", encoding="utf-8")
        db = Path(tmp) / "s.db"
        result = _run(db, tmp)
        assert result.exit_code in (0, 2), (result.exit_code, result.stderr[-500:])
        assert "Traceback" not in result.stderr
        assert "internal error" not in result.stderr
        if valid:
            assert result.exit_code == 0, result.stderr[-500:]
            assert stored(db) == len(BASE)
        else:
            assert result.exit_code == 2
            assert stored(db) == 0
            for line in result.stderr.splitlines():
                assert PROBLEM_LINE.match(line), line[:200]


def _run(db: Path, tmp: str) -> Any:
    import os

    here = os.getcwd()
    os.chdir(tmp)  # problems are reported against the path as given
    try:
        return CliRunner().invoke(
            cli, ["--store", str(db), "--by", "fuzz", "import", "in.jsonl"]
        )
    finally:
        os.chdir(here)
