"""A query on an up-to-date SQLite store starts light: what it loads, checked.

A cold query's start is most of its time (issue 12: within 1.3× `summit
--help`), so modules that only writes, other backends or table output need
must stay out of a JSON query's process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import ok, seed  # noqa: F401  (a fixture)

# Loaded by none of stance, consensus and delivery as JSON (each line: who
# needed it before, or why it must stay out).
NOT_LOADED = (
    "eventsourcing",  # the log is not read: the views are current
    "pydantic",  # no record is validated
    "rich",  # JSON output draws no table
    "cli.render.tables",
    "domain.book",  # the record book (and hashlib) is for writes and folds
    "hashlib",
    "pathlib",  # imports urllib.parse and ipaddress
    "urllib.parse",
    "ipaddress",
    "getpass",  # the OS user name is looked up only to record
    "dataclasses",
    "difflib",  # click's close matches, when `-p` was first tried as a long option
    "cli.render.progress",  # a catch-up's bar: views up to date need none
    "projections.tables.days",  # keeps the day rows; consensus reads them
    "projections.tables.refs",  # (days_read.py)
)
# No query needs `decimal`: stance's gaps and delivery's arithmetic (28 digits,
# divisions) are exact in integers (projections/exact.py, projections.stance.
# gap_pp), consensus has none.
NOT_LOADED_BY = {
    "stance": ("decimal",),
    "consensus": ("decimal",),
    "delivery": ("decimal", "numbers"),
}

PROBE = """
import json, sys
from cli.main import cli
try:
    cli.main(prog_name="summit", args=sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""

# Counts the annotations evaluated from text while summit's modules load: a
# NamedTuple in a module with `from __future__ import annotations` compiles
# each field's annotation (about 75 µs each, 2.5 ms over a query's modules).
FORWARD_REFS = """
import json, sys, typing
made = []
init = typing.ForwardRef.__init__
def counted(self, arg, *args, **kwargs):
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename == typing.__file__:
        frame = frame.f_back
    made.append(frame.f_globals.get("__name__", "") if frame else "")
    init(self, arg, *args, **kwargs)
typing.ForwardRef.__init__ = counted
from cli.main import cli
try:
    cli.main(prog_name="summit", args=sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(made), file=sys.stderr)
"""


@pytest.mark.parametrize("query", ["stance", "consensus", "delivery"])
def test_a_json_query_loads_only_what_it_needs(seed: Path, query: str) -> None:  # noqa: F811
    ok(seed, "stance", "hague-2025", "--format", "json")  # views caught up
    env = {k: v for k, v in os.environ.items() if k != "SUMMIT_USER"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "--store", str(seed), query, "hague-2025",
         "-p", "defence-investment-5pct", "--format", "json"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    json.loads(done.stdout)  # the answer was written
    loaded = set(json.loads(done.stderr.splitlines()[-1]))
    assert [m for m in NOT_LOADED + NOT_LOADED_BY[query] if m in loaded] == []


@pytest.mark.parametrize("query", ["stance", "delivery"])
def test_a_query_evaluates_no_annotation_text(seed: Path, query: str) -> None:  # noqa: F811
    ok(seed, "stance", "hague-2025", "--format", "json")  # views caught up
    env = {k: v for k, v in os.environ.items() if k != "SUMMIT_USER"}
    done = subprocess.run(
        [sys.executable, "-c", FORWARD_REFS, "--store", str(seed), query,
         "hague-2025", "--format", "json"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    made = json.loads(done.stderr.splitlines()[-1])
    ours = [m for m in made if m.split(".")[0] in ("cli", "domain", "projections")]
    assert ours == []
