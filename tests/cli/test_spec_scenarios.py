"""Black-box acceptance tests for ``summit``, derived only from SPEC.md.

Every expected value here was worked out by hand from SPEC.md (§2 event
interchange format, §3 rules, §4 command line and JSON shapes); nothing was
taken from the implementation.  The product is driven exclusively through
its click entry point ``cli.main:cli`` with a throw-away store: each test
runs on SQLite and on PostgreSQL (the ``new_store`` fixture in conftest.py).

Where SPEC leaves room for interpretation, the reading chosen is stated in
the docstring of the test that depends on it (search for "Reading:").
Readings that apply to the whole file:

* JSON objects of ``stance`` and ``consensus`` have exactly the keys SPEC §4
  lists (no more, no fewer).
* The order of ``targets``, ``pledges`` and ``gaps`` is not fixed by SPEC,
  so they are compared after sorting by (metric, by_year).
* Numbers are compared as numbers: every JSON int/float is turned into
  ``Decimal(str(x))``; a number emitted as a JSON string does not compare
  equal.
"""

from __future__ import annotations

import copy
import json
import re
import time
import traceback
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli

NEG = "hague-2025"
TRIO = ["DEU", "FRA", "GBR"]
SRC = {
    "outlet": "Reuters",
    "url": "https://example.org/story",
    "reliability": "reported",
}

# NATO members on 2025-06-24 (32); SWE joined 2024-03-07, FIN 2023-04-04.
NATO_2025 = {
    "ALB", "BEL", "BGR", "CAN", "HRV", "CZE", "DNK", "EST", "FIN", "FRA", "DEU",
    "GRC", "HUN", "ISL", "ITA", "LVA", "LTU", "LUX", "MNE", "NLD", "MKD", "NOR",
    "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE", "TUR", "GBR", "USA",
}  # fmt: skip

STANCE_KEYS = {"negotiation", "proposal", "as_of", "known_at", "targets", "allies"}
ALLY_KEYS = {
    "ally", "name", "stance", "since", "evidence", "conditions", "pledges", "gaps",
}  # fmt: skip
PLEDGE_KEYS = {"metric", "pct_gdp", "by_year", "firmness", "ref"}
GAP_KEYS = {"metric", "target_pct", "by_year", "pledged_pct", "gap_pp", "meets"}
TARGET_KEYS = {"metric", "pct_gdp", "by_year"}
CONSENSUS_KEYS = {
    "negotiation", "proposal", "as_of", "known_at", "rule", "parties", "counts",
    "holdouts", "reached_on", "path",
}  # fmt: skip
COUNT_KEYS = {"supports", "conditional", "undecided", "opposes", "unknown"}
PATH_KEYS = {"on", "counts", "refs"}

LOC_RE = re.compile(r"^(?P<file>.*?):(?P<line>\d+):\s*(?P<rest>.*\S.*)$")
REF_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
ERR_RE = re.compile(
    r"^(?P<file>.*?):(?P<line>\d+): (?P<field>[^:]+): (?P<reason>.*\S.*)$"
)


# --------------------------------------------------------------------------
# Event builders (interchange format, SPEC §2)
# --------------------------------------------------------------------------


def opened(ref="open", parties=TRIO, summit_on="2025-06-24", on="2025-01-01", neg=NEG):
    return {
        "type": "negotiation.opened",
        "negotiation": neg,
        "ref": ref,
        "occurred_on": on,
        "title": "Defence investment plan",
        "summit_on": summit_on,
        "venue": "The Hague",
        "parties": parties if isinstance(parties, str) else list(parties),
    }


def tg(metric, pct, year):
    return {"metric": metric, "pct_gdp": pct, "by_year": year}


DEFAULT_TARGETS = [tg("core_defence", 3.5, 2035), tg("total", 5, 2035)]


def tabled(ref="tab", on="2025-02-01", proposal="p5", targets=None, by="NATO", neg=NEG):
    return {
        "type": "proposal.tabled",
        "negotiation": neg,
        "ref": ref,
        "occurred_on": on,
        "proposal": proposal,
        "by": by,
        "title": "Five percent by 2035",
        "targets": copy.deepcopy(DEFAULT_TARGETS if targets is None else targets),
    }


def revised(ref, on, targets, proposal="p5", neg=NEG):
    return {
        "type": "proposal.revised",
        "negotiation": neg,
        "ref": ref,
        "occurred_on": on,
        "proposal": proposal,
        "targets": copy.deepcopy(targets),
        "reason": "Compromise text",
    }


def statement(ref, on, actor, stance=None, *, proposal="p5", conditions=None, neg=NEG):
    ev = {
        "type": "statement.made",
        "negotiation": neg,
        "ref": ref,
        "occurred_on": on,
        "actor": actor,
        "speaker": f"Minister of {actor}",
        "summary": "Said something about spending.",
        "source": dict(SRC),
    }
    if stance is not None:
        pos = {"proposal": proposal, "stance": stance}
        if conditions is not None:
            pos["conditions"] = conditions
        ev["position"] = pos
    return ev


def pledge(ref, on, actor, metric, pct, year, firmness=None, neg=NEG):
    ev = {
        "type": "pledge.made",
        "negotiation": neg,
        "ref": ref,
        "occurred_on": on,
        "actor": actor,
        "metric": metric,
        "pct_gdp": pct,
        "by_year": year,
        "source": dict(SRC),
    }
    if firmness is not None:
        ev["firmness"] = firmness
    return ev


def signoff(ref, on, signatories, *, proposal="p5", reservations=None, neg=NEG):
    ev = {
        "type": "signoff.recorded",
        "negotiation": neg,
        "ref": ref,
        "occurred_on": on,
        "body": "Heads of State and Government",
        "document": "Summit Declaration",
        "signatories": signatories
        if isinstance(signatories, str)
        else list(signatories),
        "source": dict(SRC),
    }
    if proposal is not None:
        ev["proposal"] = proposal
    if reservations is not None:
        ev["reservations"] = dict(reservations)
    return ev


def retract(ref, target, neg=NEG):
    return {
        "type": "record.retracted",
        "negotiation": neg,
        "ref": ref,
        "target": target,
        "reason": "Recorded in error",
    }


def correct(ref, target, changes, neg=NEG):
    return {
        "type": "record.corrected",
        "negotiation": neg,
        "ref": ref,
        "target": target,
        "changes": copy.deepcopy(changes),
        "reason": "Fixing a transcription mistake",
    }


DEL = object()


def with_(event, **changes):
    """A copy of ``event`` with fields replaced (``DEL`` removes a field)."""
    ev = copy.deepcopy(event)
    for key, value in changes.items():
        if value is DEL:
            ev.pop(key, None)
        else:
            ev[key] = value
    return ev


BASE = [opened(), tabled()]


# --------------------------------------------------------------------------
# Driving the CLI
# --------------------------------------------------------------------------


def explain(result):
    text = (
        f"exit code {result.exit_code}\n--- stdout ---\n{result.stdout}\n"
        f"--- stderr ---\n{result.stderr}"
    )
    if result.exc_info and not isinstance(result.exception, SystemExit):
        text += "\n--- exception ---\n" + "".join(
            traceback.format_exception(*result.exc_info)
        )
    return text


def ok(result):
    assert result.exit_code == 0, explain(result)
    return result


def no_traceback(result):
    assert "Traceback" not in result.stderr, explain(result)
    assert "Traceback" not in result.stdout, explain(result)


def num(x):
    assert isinstance(x, (int, float)) and not isinstance(x, bool), (
        f"not a number: {x!r}"
    )
    return Decimal(str(x))


def norm(obj):
    """Numbers -> Decimal (booleans untouched), recursively."""
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, (int, float)):
        return Decimal(str(obj))
    if isinstance(obj, dict):
        return {k: norm(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [norm(v) for v in obj]
    return obj


def by_metric_year(items):
    return sorted(items, key=lambda d: (d["metric"], d["by_year"]))


class Summit:
    """One store (input files in ``tmp_path``) and the commands the SPEC relies on."""

    def __init__(self, tmp_path: Path, store: str):
        self.dir = tmp_path
        self.store = store
        self._n = 0

    def run(self, *args, input=None):
        argv = ["--store", str(self.store), *[str(a) for a in args]]
        return CliRunner().invoke(cli, argv, input=input)

    def write(self, lines, name=None) -> Path:
        self._n += 1
        path = self.dir / (name or f"input-{self._n}.jsonl")
        body = "".join(
            (ln if isinstance(ln, str) else json.dumps(ln)) + "\n" for ln in lines
        )
        path.write_text(body, encoding="utf-8")
        return path

    def import_(self, lines, name=None):
        path = self.write(lines, name)
        return self.run("import", str(path)), path

    def load(self, lines):
        result, _ = self.import_(lines)
        ok(result)
        return result

    def export(self, neg=None) -> str:
        args = ["export"] + ([neg] if neg else [])
        return ok(self.run(*args)).stdout

    def stance(self, proposal="p5", *, ally=None, as_of=None, known_at=None, neg=NEG):
        args = ["stance", neg, "--proposal", proposal]
        if ally:
            args += ["--ally", ally]
        if as_of:
            args += ["--as-of", as_of]
        if known_at:
            args += ["--known-at", known_at]
        return json.loads(ok(self.run(*args, "--format", "json")).stdout)

    def ally(self, code, **kw) -> dict:
        data = self.stance(ally=code, **kw)
        assert [a["ally"] for a in data["allies"]] == [code], data
        return data["allies"][0]

    def consensus(self, proposal="p5", *, as_of=None, known_at=None, neg=NEG):
        args = ["consensus", neg, "--proposal", proposal]
        if as_of:
            args += ["--as-of", as_of]
        if known_at:
            args += ["--known-at", known_at]
        return json.loads(ok(self.run(*args, "--format", "json")).stdout)

    def timeline(self, neg=NEG):
        return json.loads(ok(self.run("timeline", neg, "--format", "json")).stdout)


@pytest.fixture
def summit(tmp_path, new_store):
    return Summit(tmp_path, new_store("s"))


def who(a):
    """(stance, since, evidence, conditions) of one ally entry."""
    return (a["stance"], a["since"], a["evidence"], a["conditions"])


def gap_of(a, metric, by_year=2035):
    found = [g for g in a["gaps"] if g["metric"] == metric and g["by_year"] == by_year]
    assert len(found) == 1, a["gaps"]
    return found[0]


def assert_gap(a, metric, pledged, gap, meets, by_year=2035):
    g = gap_of(a, metric, by_year)
    got = (
        None if g["pledged_pct"] is None else num(g["pledged_pct"]),
        None if g["gap_pp"] is None else num(g["gap_pp"]),
        g["meets"],
    )
    want = (
        None if pledged is None else Decimal(pledged),
        None if gap is None else Decimal(gap),
        meets,
    )
    assert got == want, (metric, g)


def counts(supports=0, conditional=0, undecided=0, opposes=0, unknown=0):
    return {
        "supports": supports,
        "conditional": conditional,
        "undecided": undecided,
        "opposes": opposes,
        "unknown": unknown,
    }


def assert_error_at(result, path: Path, line: int, fields=None):
    """Exit 2 and a ``FILE:LINE: field: reason`` line on stderr.

    Reading: when ``fields`` is None the fault is the whole line (not JSON,
    not an object) and no field exists, so only ``FILE:LINE:`` followed by a
    message is required."""
    assert result.exit_code == 2, explain(result)
    no_traceback(result)
    pattern = ERR_RE if fields else LOC_RE
    hits = []
    for text in result.stderr.splitlines():
        m = pattern.match(text.strip())
        if m and m["file"].endswith(path.name) and int(m["line"]) == line:
            hits.append(m)
    shape = "field: reason" if fields else "reason"
    assert hits, f"expected a '{path}:{line}: {shape}' line\n{explain(result)}"
    if fields:
        assert any(f in m["field"] for m in hits for f in fields), (
            f"expected one of {fields} as the field at fault\n{explain(result)}"
        )


# --------------------------------------------------------------------------
# §4 JSON shapes
# --------------------------------------------------------------------------


def test_stance_json_shape_and_values(summit):
    """Stance JSON has exactly the §4 keys; unknown allies have null
    since/evidence/conditions, no pledges, and null gaps that do not meet."""
    summit.load(
        [
            *BASE,
            statement("s-deu", "2025-03-01", "DEU", "supports"),
            pledge("pl-deu", "2025-03-02", "DEU", "core_defence", 3.5, 2035),
        ]
    )
    data = summit.stance()
    assert set(data) == STANCE_KEYS
    assert data["negotiation"] == NEG
    assert data["proposal"] == "p5"
    assert data["as_of"] is None
    assert data["known_at"] is None
    assert all(set(t) == TARGET_KEYS for t in data["targets"])
    assert norm(by_metric_year(data["targets"])) == norm(
        by_metric_year(DEFAULT_TARGETS)
    )
    assert [a["ally"] for a in data["allies"]] == ["DEU", "FRA", "GBR"]
    for a in data["allies"]:
        assert set(a) == ALLY_KEYS
        assert isinstance(a["name"], str) and a["name"].strip()
        assert all(set(p) == PLEDGE_KEYS for p in a["pledges"])
        assert all(set(g) == GAP_KEYS for g in a["gaps"])
        assert len(a["gaps"]) == 2

    deu, fra, gbr = data["allies"]
    assert who(deu) == ("supports", "2025-03-01", "s-deu", None)
    assert norm(deu["pledges"]) == norm(
        [
            {
                "metric": "core_defence",
                "pct_gdp": 3.5,
                "by_year": 2035,
                "firmness": "commitment",
                "ref": "pl-deu",
            }
        ]
    )
    assert norm(by_metric_year(deu["gaps"])) == norm(
        [
            {
                "metric": "core_defence",
                "target_pct": 3.5,
                "by_year": 2035,
                "pledged_pct": 3.5,
                "gap_pp": 0,
                "meets": True,
            },
            {
                "metric": "total",
                "target_pct": 5,
                "by_year": 2035,
                "pledged_pct": None,
                "gap_pp": None,
                "meets": False,
            },
        ]
    )
    for a in (fra, gbr):
        assert who(a) == ("unknown", None, None, None)
        assert a["pledges"] == []
        assert_gap(a, "core_defence", None, None, False)
        assert_gap(a, "total", None, None, False)

    one = summit.stance(ally="FRA", as_of="2025-03-15")
    assert one["as_of"] == "2025-03-15"
    assert [a["ally"] for a in one["allies"]] == ["FRA"]


def test_consensus_json_shape_counts_and_sorted_holdouts(summit):
    """Counts per stance; holdouts are every non-supporting party sorted by
    code (the opening lists the parties unsorted); allies are sorted too."""
    parties = ["POL", "GBR", "ITA", "FRA", "DEU"]
    summit.load(
        [
            opened(parties=parties),
            tabled(),
            statement("s-gbr", "2025-03-01", "GBR", "supports"),
            statement(
                "s-deu", "2025-03-02", "DEU", "conditional", conditions="Flexibility"
            ),
            statement("s-fra", "2025-03-03", "FRA", "undecided"),
            statement("s-ita", "2025-03-04", "ITA", "opposes"),
        ]
    )
    data = summit.consensus()
    assert set(data) == CONSENSUS_KEYS
    assert data["negotiation"] == NEG
    assert data["proposal"] == "p5"
    assert data["as_of"] is None
    assert data["known_at"] is None
    assert data["rule"] == "consensus"
    assert data["parties"] == 5
    assert set(data["counts"]) == COUNT_KEYS
    assert data["counts"] == counts(1, 1, 1, 1, 1)
    assert data["holdouts"] == ["DEU", "FRA", "ITA", "POL"]
    assert data["reached_on"] is None
    for entry in data["path"]:
        assert set(entry) == PATH_KEYS
        assert set(entry["counts"]) == COUNT_KEYS

    allies = summit.stance()["allies"]
    assert [a["ally"] for a in allies] == ["DEU", "FRA", "GBR", "ITA", "POL"]
    assert who(allies[0]) == ("conditional", "2025-03-02", "s-deu", "Flexibility")


# --------------------------------------------------------------------------
# Rule 2: order
# --------------------------------------------------------------------------


def test_rule2_same_day_tie_broken_by_recording_order(summit):
    """Two statements by one party on the same date: the later-recorded one
    wins, within one import and across imports."""
    summit.load(
        [
            *BASE,
            statement("d1", "2025-03-01", "DEU", "opposes"),
            statement("d2", "2025-03-01", "DEU", "supports"),
            statement("f1", "2025-03-01", "FRA", "supports"),
            statement("f2", "2025-03-01", "FRA", "opposes"),
        ]
    )
    assert who(summit.ally("DEU")) == ("supports", "2025-03-01", "d2", None)
    assert who(summit.ally("FRA")) == ("opposes", "2025-03-01", "f2", None)

    summit.load([statement("d3", "2025-03-01", "DEU", "undecided")])
    assert who(summit.ally("DEU")) == ("undecided", "2025-03-01", "d3", None)


def test_rule2_later_occurred_on_recorded_earlier_still_wins(summit):
    """World date first: a statement of 04-01 recorded first beats one of
    03-01 recorded later."""
    summit.load([*BASE, statement("d-late", "2025-04-01", "DEU", "supports")])
    summit.load([statement("d-early", "2025-03-01", "DEU", "opposes")])
    assert who(summit.ally("DEU")) == ("supports", "2025-04-01", "d-late", None)
    assert who(summit.ally("DEU", as_of="2025-03-15")) == (
        "opposes",
        "2025-03-01",
        "d-early",
        None,
    )


# --------------------------------------------------------------------------
# Rule 1: retractions and corrections
# --------------------------------------------------------------------------


def test_rule1_retraction_reverts_to_previous_evidence_or_unknown(summit):
    """Retracting the latest evidence reverts to the previous one; retracting
    the only evidence reverts to unknown.  The retraction applies to every
    as_of view, and retracted evidence disappears from the consensus path."""
    summit.load(
        [
            *BASE,
            statement("d1", "2025-03-01", "DEU", "opposes"),
            statement("d2", "2025-04-01", "DEU", "supports"),
            statement("f1", "2025-03-01", "FRA", "conditional", conditions="x"),
            retract("r-d2", "d2"),
            retract("r-f1", "f1"),
        ]
    )
    assert who(summit.ally("DEU")) == ("opposes", "2025-03-01", "d1", None)
    assert who(summit.ally("DEU", as_of="2025-04-15")) == (
        "opposes",
        "2025-03-01",
        "d1",
        None,
    )
    assert who(summit.ally("FRA")) == ("unknown", None, None, None)
    assert who(summit.ally("FRA", as_of="2025-03-02")) == ("unknown", None, None, None)

    data = summit.consensus()
    assert data["counts"] == counts(opposes=1, unknown=2)
    assert data["path"] == [
        {"on": "2025-03-01", "counts": counts(opposes=1, unknown=2), "refs": ["d1"]}
    ]


def test_rule1_retracting_the_retraction_restores_the_target(summit):
    summit.load(
        [
            *BASE,
            statement("d1", "2025-03-01", "DEU", "opposes"),
            statement("d2", "2025-04-01", "DEU", "supports"),
            retract("r1", "d2"),
        ]
    )
    assert who(summit.ally("DEU")) == ("opposes", "2025-03-01", "d1", None)
    summit.load([retract("r2", "r1")])
    assert who(summit.ally("DEU")) == ("supports", "2025-04-01", "d2", None)


def test_rule1_correction_moving_occurred_on_changes_which_evidence_is_latest(summit):
    """d1 (03-01, opposes) is corrected to 05-01: it now comes after d2
    (04-01, supports), keeps its ref, and no longer exists as of 04-15."""
    summit.load(
        [
            *BASE,
            statement("d1", "2025-03-01", "DEU", "opposes"),
            statement("d2", "2025-04-01", "DEU", "supports"),
        ]
    )
    assert who(summit.ally("DEU")) == ("supports", "2025-04-01", "d2", None)
    summit.load([correct("c1", "d1", {"occurred_on": "2025-05-01"})])
    assert who(summit.ally("DEU")) == ("opposes", "2025-05-01", "d1", None)
    assert who(summit.ally("DEU", as_of="2025-04-15")) == (
        "supports",
        "2025-04-01",
        "d2",
        None,
    )
    assert who(summit.ally("DEU", as_of="2025-03-15")) == ("unknown", None, None, None)


def test_rule1_correction_replaces_position_whole(summit):
    """No merging inside ``position``: the new position has no conditions,
    so the old conditions are gone."""
    summit.load(
        [
            *BASE,
            statement(
                "d1",
                "2025-03-01",
                "DEU",
                "conditional",
                conditions="Flexibility on timeline",
            ),
        ]
    )
    assert who(summit.ally("DEU")) == (
        "conditional",
        "2025-03-01",
        "d1",
        "Flexibility on timeline",
    )
    summit.load(
        [correct("c1", "d1", {"position": {"proposal": "p5", "stance": "supports"}})]
    )
    assert who(summit.ally("DEU")) == ("supports", "2025-03-01", "d1", None)


def test_rule1_correction_with_null_removes_optional_position(summit):
    """``null`` removes an optional field: without a position the statement
    is no longer evidence."""
    summit.load([*BASE, statement("d1", "2025-03-01", "DEU", "supports")])
    summit.load([correct("c1", "d1", {"position": None})])
    assert who(summit.ally("DEU")) == ("unknown", None, None, None)


def test_rule1_corrections_apply_in_recording_order_and_retracting_one_undoes_it(
    summit,
):
    summit.load(
        [
            *BASE,
            statement("d1", "2025-03-01", "DEU", "opposes"),
            correct("c1", "d1", {"position": {"proposal": "p5", "stance": "supports"}}),
            correct(
                "c2", "d1", {"position": {"proposal": "p5", "stance": "undecided"}}
            ),
        ]
    )
    assert who(summit.ally("DEU")) == ("undecided", "2025-03-01", "d1", None)
    summit.load([retract("r-c2", "c2")])
    assert who(summit.ally("DEU")) == ("supports", "2025-03-01", "d1", None)
    summit.load([retract("r-c1", "c1")])
    assert who(summit.ally("DEU")) == ("opposes", "2025-03-01", "d1", None)


def test_rule1_retraction_only_applies_to_known_at_views_that_know_it(summit):
    """Reading: ``--known-at`` takes an ISO 8601 UTC instant
    (``YYYY-MM-DDTHH:MM:SSZ``).  The instant is taken between the two
    imports with >1 s margins, so second-precision ``recorded_at`` works."""
    summit.load([*BASE, statement("d1", "2025-03-01", "DEU", "supports")])
    time.sleep(1.2)
    known_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    time.sleep(1.2)
    summit.load([retract("r1", "d1")])

    assert who(summit.ally("DEU")) == ("unknown", None, None, None)
    assert who(summit.ally("DEU", as_of="2025-03-05")) == ("unknown", None, None, None)
    before = summit.stance(ally="DEU", known_at=known_at)
    assert before["known_at"] is not None
    assert who(before["allies"][0]) == ("supports", "2025-03-01", "d1", None)
    assert summit.consensus(known_at=known_at)["counts"] == counts(
        supports=1, unknown=2
    )


def _entries(timeline):
    if isinstance(timeline, list):
        return timeline
    assert isinstance(timeline, dict), timeline
    lists = [
        v
        for v in timeline.values()
        if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)
    ]
    assert len(lists) == 1, f"cannot find the list of events in {timeline!r}"
    return lists[0]


def _ref_of(entry):
    queue = [entry]
    while queue:
        node = queue.pop(0)
        if isinstance(node, dict):
            if isinstance(node.get("ref"), str):
                return node["ref"]
            queue.extend(node.values())
        elif isinstance(node, list):
            queue.extend(node)
    return None


def _flagged_retracted(node):
    if isinstance(node, dict):
        if node.get("retracted"):
            return True
        return any(_flagged_retracted(v) for v in node.values())
    if isinstance(node, list):
        return any(_flagged_retracted(v) for v in node)
    return False


def test_rule1_retracted_event_stays_in_timeline_flagged(summit):
    """Reading: the timeline JSON shape is not fixed by SPEC; the test only
    requires one entry per event carrying its ``ref`` and, for a retracted
    event, a truthy key named ``retracted`` somewhere in that entry."""
    summit.load(
        [
            *BASE,
            statement("s1", "2025-03-01", "DEU", "opposes"),
            statement("s2", "2025-04-01", "DEU", "supports"),
            retract("r1", "s2"),
        ]
    )
    entries = _entries(summit.timeline())
    by_ref = {}
    for e in entries:
        by_ref.setdefault(_ref_of(e), e)
    assert "s2" in by_ref, entries
    assert _flagged_retracted(by_ref["s2"]), by_ref["s2"]
    assert "s1" in by_ref, entries
    assert not _flagged_retracted(by_ref["s1"]), by_ref["s1"]


def test_timeline_lists_world_events_in_rule2_order(summit):
    """Timeline is in rule-2 order (occurred_on, then recording order);
    events recorded out of date order are re-sorted.  Only world events are
    checked: SPEC does not say where retractions/corrections appear."""
    summit.load(
        [
            *BASE,
            statement("s-b", "2025-04-01", "DEU", "supports"),
            pledge("p-a", "2025-02-15", "DEU", "core_defence", 2, 2030),
            statement("s-c", "2025-04-01", "FRA", "opposes"),
            statement("s-a", "2025-03-01", "GBR", "undecided"),
        ]
    )
    refs = [_ref_of(e) for e in _entries(summit.timeline())]
    world = ["tab", "p-a", "s-a", "s-b", "s-c"]
    assert [r for r in refs if r in world] == world


def test_timeline_includes_the_negotiation_opening(summit):
    """Reading: "events in rule-2 order" has no exception, and the opening
    is an event with an occurred_on; an auditor expects to see it (first,
    as it is the earliest here)."""
    summit.load(BASE)
    refs = [_ref_of(e) for e in _entries(summit.timeline())]
    assert refs[:2] == ["open", "tab"], refs


# --------------------------------------------------------------------------
# Rule 3: targets as of a date
# --------------------------------------------------------------------------


def test_rule3_targets_follow_latest_tabled_or_revised_as_of(summit):
    """tab 02-01 [core 3.5]; rev-b recorded first but occurred 04-01
    [core 3.5, total 5]; rev-a recorded later but occurred 03-01 [core 3].
    Reading: a stance view as of a date before the tabling succeeds with
    ``targets: []`` (and hence no gaps)."""
    summit.load(
        [
            opened(),
            tabled(targets=[tg("core_defence", 3.5, 2035)]),
            revised(
                "rev-b",
                "2025-04-01",
                [tg("core_defence", 3.5, 2035), tg("total", 5, 2035)],
            ),
            revised("rev-a", "2025-03-01", [tg("core_defence", 3, 2035)]),
        ]
    )

    def targets(as_of):
        data = summit.stance(as_of=as_of)
        return data, norm(by_metric_year(data["targets"]))

    data, t = targets("2025-01-15")
    assert t == []
    assert all(a["gaps"] == [] for a in data["allies"])
    assert targets("2025-02-15")[1] == norm([tg("core_defence", 3.5, 2035)])
    assert targets("2025-03-01")[1] == norm([tg("core_defence", 3, 2035)])
    assert targets("2025-03-31")[1] == norm([tg("core_defence", 3, 2035)])
    both = norm([tg("core_defence", 3.5, 2035), tg("total", 5, 2035)])
    assert targets("2025-04-01")[1] == both
    assert norm(by_metric_year(summit.stance()["targets"])) == both


# --------------------------------------------------------------------------
# Rule 4: stance
# --------------------------------------------------------------------------


def test_rule4_since_stays_when_stance_repeated_and_moves_when_it_changes(summit):
    summit.load(
        [
            *BASE,
            statement("s1", "2025-03-01", "DEU", "supports"),
            statement("s2", "2025-04-01", "DEU", "supports"),
            statement("s3", "2025-05-01", "DEU", "opposes"),
            statement("s4", "2025-06-01", "DEU", "supports"),
        ]
    )
    assert who(summit.ally("DEU", as_of="2025-03-15")) == (
        "supports",
        "2025-03-01",
        "s1",
        None,
    )
    assert who(summit.ally("DEU", as_of="2025-04-15")) == (
        "supports",
        "2025-03-01",
        "s2",
        None,
    )
    assert who(summit.ally("DEU", as_of="2025-05-15")) == (
        "opposes",
        "2025-05-01",
        "s3",
        None,
    )
    assert who(summit.ally("DEU")) == ("supports", "2025-06-01", "s4", None)


def test_rule4_since_stays_when_conditional_repeated_with_new_conditions(summit):
    """Reading: the "run of the current stance" is a run of the stance value
    only; a conditional with different conditions repeats the stance, so
    ``since`` stays while ``conditions`` and ``evidence`` follow the latest."""
    summit.load(
        [
            *BASE,
            statement("s1", "2025-03-01", "DEU", "conditional", conditions="A"),
            statement("s2", "2025-04-01", "DEU", "conditional", conditions="B"),
        ]
    )
    assert who(summit.ally("DEU")) == ("conditional", "2025-03-01", "s2", "B")


def test_rule4_signoff_with_reservation_gives_conditional_others_support(summit):
    """Signatories DEU, FRA with a reservation for FRA: DEU supports (no
    conditions), FRA conditional with the reservation text; GBR, not a
    signatory, stays unknown."""
    summit.load(
        [
            *BASE,
            statement("f0", "2025-03-01", "FRA", "supports"),
            signoff(
                "so",
                "2025-06-24",
                ["DEU", "FRA"],
                reservations={"FRA": "Subject to parliamentary approval"},
            ),
        ]
    )
    assert who(summit.ally("DEU")) == ("supports", "2025-06-24", "so", None)
    assert who(summit.ally("FRA")) == (
        "conditional",
        "2025-06-24",
        "so",
        "Subject to parliamentary approval",
    )
    assert who(summit.ally("GBR")) == ("unknown", None, None, None)


def test_rule4_signoff_signatories_all_and_signoff_without_proposal(summit):
    """``"all"`` = every party.  A sign-off adopting no proposal is not
    evidence.  A sign-off repeating DEU's support does not move its since."""
    summit.load(
        [
            *BASE,
            statement("d0", "2025-03-01", "DEU", "supports"),
            statement("f0", "2025-03-01", "FRA", "opposes"),
            signoff("so-none", "2025-05-01", "all", proposal=None),
            signoff("so", "2025-06-24", "all"),
        ]
    )
    assert who(summit.ally("DEU", as_of="2025-05-15")) == (
        "supports",
        "2025-03-01",
        "d0",
        None,
    )
    assert who(summit.ally("FRA", as_of="2025-05-15")) == (
        "opposes",
        "2025-03-01",
        "f0",
        None,
    )
    assert who(summit.ally("GBR", as_of="2025-05-15")) == ("unknown", None, None, None)
    assert who(summit.ally("DEU")) == ("supports", "2025-03-01", "so", None)
    assert who(summit.ally("FRA")) == ("supports", "2025-06-24", "so", None)
    assert who(summit.ally("GBR")) == ("supports", "2025-06-24", "so", None)
    data = summit.consensus()
    assert data["counts"] == counts(supports=3)
    assert data["holdouts"] == []
    assert data["reached_on"] == "2025-06-24"


def test_rule4_institution_statement_with_position_is_not_evidence(summit):
    summit.load(
        [
            *BASE,
            statement("nato-1", "2025-03-01", "NATO", "supports"),
            statement("eu-1", "2025-03-02", "EU", "opposes"),
        ]
    )
    assert [who(a) for a in summit.stance()["allies"]] == [
        ("unknown", None, None, None)
    ] * 3
    data = summit.consensus()
    assert data["counts"] == counts(unknown=3)
    assert data["path"] == []


def test_rule4_pledge_is_not_evidence_of_stance(summit):
    summit.load([*BASE, pledge("pl", "2025-03-01", "DEU", "core_defence", 3.5, 2035)])
    deu = summit.ally("DEU")
    assert who(deu) == ("unknown", None, None, None)
    assert [p["ref"] for p in deu["pledges"]] == ["pl"]
    assert summit.consensus()["counts"] == counts(unknown=3)


def test_rule4_evidence_predating_the_tabling_in_world_time_counts(summit):
    """The statement is recorded after the tabling (valid), but happened
    before it in the world: it is evidence from its own date, even when the
    proposal has no targets yet as of that date."""
    summit.load(
        [
            opened(),
            tabled(on="2025-03-01"),
            statement("early", "2025-02-01", "DEU", "supports"),
        ]
    )
    assert who(summit.ally("DEU")) == ("supports", "2025-02-01", "early", None)
    data = summit.stance(ally="DEU", as_of="2025-02-15")
    assert data["targets"] == []
    assert who(data["allies"][0]) == ("supports", "2025-02-01", "early", None)


# --------------------------------------------------------------------------
# Rule 5: pledges and gaps
# --------------------------------------------------------------------------


def test_rule5_latest_pledge_per_metric_and_year_wins(summit):
    """Same (core_defence, 2035) key four times; the latest in rule-2 order
    wins even when it is lower (p3, 2.5).  p4 is recorded last but dated
    03-15, so it only wins as of 03-15..03-31."""
    summit.load(
        [
            *BASE,
            pledge("p1", "2025-03-01", "DEU", "core_defence", 2.0, 2035),
            pledge("p2", "2025-04-01", "DEU", "core_defence", 3.0, 2035),
            pledge("p3", "2025-05-01", "DEU", "core_defence", 2.5, 2035),
            pledge("p4", "2025-03-15", "DEU", "core_defence", 3.2, 2035),
        ]
    )
    deu = summit.ally("DEU")
    assert norm(deu["pledges"]) == norm(
        [
            {
                "metric": "core_defence",
                "pct_gdp": 2.5,
                "by_year": 2035,
                "firmness": "commitment",
                "ref": "p3",
            }
        ]
    )
    assert_gap(deu, "core_defence", "2.5", "1.0", False)
    deu = summit.ally("DEU", as_of="2025-04-15")
    assert [p["ref"] for p in deu["pledges"]] == ["p2"]
    assert_gap(deu, "core_defence", "3.0", "0.5", False)
    deu = summit.ally("DEU", as_of="2025-03-20")
    assert [p["ref"] for p in deu["pledges"]] == ["p4"]
    assert_gap(deu, "core_defence", "3.2", "0.3", False)
    deu = summit.ally("DEU", as_of="2025-03-10")
    assert [p["ref"] for p in deu["pledges"]] == ["p1"]
    assert_gap(deu, "core_defence", "2.0", "1.5", False)
    assert summit.ally("DEU", as_of="2025-02-28")["pledges"] == []


def test_rule5_pledged_pct_is_max_over_years_up_to_target_and_later_years_do_not_count(
    summit,
):
    """Target core_defence 3.5 by 2035.  DEU: 3.0@2030, 2.5@2033, 4.0@2040
    -> pledged 3.0 (the 2040 pledge is too late).  FRA: only 4.0@2036 ->
    nothing counts.  GBR: 4.0@2030 -> gap max(0, -0.5) = 0, meets."""
    summit.load(
        [
            *BASE,
            pledge("d30", "2025-03-01", "DEU", "core_defence", 3.0, 2030),
            pledge("d33", "2025-03-02", "DEU", "core_defence", 2.5, 2033),
            pledge("d40", "2025-03-03", "DEU", "core_defence", 4.0, 2040),
            pledge("f36", "2025-03-01", "FRA", "core_defence", 4.0, 2036),
            pledge("g30", "2025-03-01", "GBR", "core_defence", 4.0, 2030),
        ]
    )
    deu = summit.ally("DEU")
    assert sorted(p["ref"] for p in deu["pledges"]) == ["d30", "d33", "d40"]
    assert_gap(deu, "core_defence", "3.0", "0.5", False)
    assert_gap(deu, "total", None, None, False)
    fra = summit.ally("FRA")
    assert [p["ref"] for p in fra["pledges"]] == ["f36"]
    assert_gap(fra, "core_defence", None, None, False)
    gbr = summit.ally("GBR")
    assert_gap(gbr, "core_defence", "4.0", "0", True)


def test_rule5_metrics_match_exactly_other_metrics_do_not_count_toward_total(summit):
    """core 3.5 + defence_related 1.5 is not a 5% total pledge."""
    summit.load(
        [
            *BASE,
            pledge("d-core", "2025-03-01", "DEU", "core_defence", 3.5, 2035),
            pledge("d-rel", "2025-03-01", "DEU", "defence_related", 1.5, 2035),
            pledge("f-tot", "2025-03-01", "FRA", "total", 5, 2035),
        ]
    )
    deu = summit.ally("DEU")
    assert_gap(deu, "core_defence", "3.5", "0", True)
    assert_gap(deu, "total", None, None, False)
    fra = summit.ally("FRA")
    assert_gap(fra, "total", "5", "0", True)
    assert_gap(fra, "core_defence", None, None, False)


def test_rule5_ambition_counts_like_a_commitment(summit):
    summit.load(
        [
            *BASE,
            pledge(
                "g-tot", "2025-03-01", "GBR", "total", 5.0, 2035, firmness="ambition"
            ),
            pledge("g-core", "2025-03-01", "GBR", "core_defence", 3.5, 2035),
        ]
    )
    gbr = summit.ally("GBR")
    firmness = {p["ref"]: p["firmness"] for p in gbr["pledges"]}
    assert firmness == {"g-tot": "ambition", "g-core": "commitment"}
    assert_gap(gbr, "total", "5.0", "0", True)
    assert_gap(gbr, "core_defence", "3.5", "0", True)


def test_rule5_gap_is_decimal_rounded_to_two_places_half_up(summit):
    """Decimal arithmetic on the numbers as written, then ROUND_HALF_UP:
    3.5-2.3 = 1.2 exactly (binary floats give 1.2000000000000002);
    3.5-2.115 = 1.385 -> 1.39 (floats give 1.3849999.. -> 1.38, and
    half-even would give 1.38); 3.5-3.495 = 0.005 -> 0.01, so not met;
    5-2.125 = 2.875 -> 2.88; 5-4.994 = 0.006 -> 0.01."""
    summit.load(
        [
            *BASE,
            pledge("d-core", "2025-03-01", "DEU", "core_defence", 2.3, 2035),
            pledge("d-tot", "2025-03-01", "DEU", "total", 2.125, 2035),
            pledge("f-core", "2025-03-01", "FRA", "core_defence", 2.115, 2035),
            pledge("f-tot", "2025-03-01", "FRA", "total", 4.994, 2035),
            pledge("g-core", "2025-03-01", "GBR", "core_defence", 3.495, 2035),
        ]
    )
    deu, fra, gbr = summit.stance()["allies"]
    assert_gap(deu, "core_defence", "2.3", "1.2", False)
    assert_gap(deu, "total", "2.125", "2.88", False)
    assert_gap(fra, "core_defence", "2.115", "1.39", False)
    assert_gap(fra, "total", "4.994", "0.01", False)
    assert_gap(gbr, "core_defence", "3.495", "0.01", False)
    assert_gap(gbr, "total", None, None, False)


def test_rule5_meets_is_judged_on_the_rounded_gap(summit):
    """Reading (literal SPEC): ``meets`` is ``gap_pp == 0`` where gap_pp is
    the rounded value, so a pledge of 3.496 against 3.5 (gap 0.004 -> 0.00)
    meets the target."""
    summit.load([*BASE, pledge("d", "2025-03-01", "DEU", "core_defence", 3.496, 2035)])
    assert_gap(summit.ally("DEU"), "core_defence", "3.496", "0", True)


def test_rule5_no_pledge_gives_null_pledged_and_gap_and_does_not_meet(summit):
    summit.load([*BASE, pledge("d", "2025-03-01", "DEU", "core_defence", 3.5, 2035)])
    fra = summit.ally("FRA")
    assert fra["pledges"] == []
    for metric in ("core_defence", "total"):
        g = gap_of(fra, metric)
        assert g["pledged_pct"] is None
        assert g["gap_pp"] is None
        assert g["meets"] is False


def test_rule5_revision_changes_gaps_for_later_as_of_but_not_earlier(summit):
    """Tabled 02-01 core 3.5; revised 04-01 to core 3.0.  DEU pledged 3.0."""
    summit.load(
        [
            opened(),
            tabled(targets=[tg("core_defence", 3.5, 2035)]),
            revised("rev", "2025-04-01", [tg("core_defence", 3.0, 2035)]),
            pledge("d", "2025-01-15", "DEU", "core_defence", 3.0, 2035),
        ]
    )
    early = summit.ally("DEU", as_of="2025-03-01")
    assert num(gap_of(early, "core_defence")["target_pct"]) == Decimal("3.5")
    assert_gap(early, "core_defence", "3.0", "0.5", False)
    for as_of in ("2025-05-01", None):
        late = summit.ally("DEU", as_of=as_of)
        assert num(gap_of(late, "core_defence")["target_pct"]) == Decimal("3.0")
        assert_gap(late, "core_defence", "3.0", "0", True)


# --------------------------------------------------------------------------
# Rule 6: consensus
# --------------------------------------------------------------------------

REACH = [
    *BASE,
    statement("a-deu", "2025-03-01", "DEU", "supports"),
    statement("a-fra", "2025-03-05", "FRA", "supports"),
    statement("a-gbr", "2025-03-10", "GBR", "supports"),
    statement("d-fra", "2025-04-01", "FRA", "opposes"),
    statement("b-fra", "2025-04-10", "FRA", "supports"),
]


def test_rule6_reached_on_defection_resets_and_resupport_gives_new_date(summit):
    summit.load(REACH)
    c = summit.consensus(as_of="2025-03-09")
    assert (c["reached_on"], c["holdouts"]) == (None, ["GBR"])
    assert summit.consensus(as_of="2025-03-10")["reached_on"] == "2025-03-10"
    assert summit.consensus(as_of="2025-03-31")["reached_on"] == "2025-03-10"
    c = summit.consensus(as_of="2025-04-05")
    assert (c["reached_on"], c["holdouts"]) == (None, ["FRA"])
    assert c["counts"] == counts(supports=2, opposes=1)
    c = summit.consensus()
    assert (c["reached_on"], c["holdouts"]) == ("2025-04-10", [])
    assert c["counts"] == counts(supports=3)
    assert c["path"] == [
        {
            "on": "2025-03-01",
            "counts": counts(supports=1, unknown=2),
            "refs": ["a-deu"],
        },
        {
            "on": "2025-03-05",
            "counts": counts(supports=2, unknown=1),
            "refs": ["a-fra"],
        },
        {"on": "2025-03-10", "counts": counts(supports=3), "refs": ["a-gbr"]},
        {
            "on": "2025-04-01",
            "counts": counts(supports=2, opposes=1),
            "refs": ["d-fra"],
        },
        {"on": "2025-04-10", "counts": counts(supports=3), "refs": ["b-fra"]},
    ]


def test_rule6_same_day_defection_and_resupport_is_no_interruption(summit):
    """Judged on end-of-day states: FRA opposes then supports again on 04-01,
    so consensus (reached 03-10) is not interrupted.  Reading: the path has
    an entry only when the end-of-day counts differ from the previous
    end-of-day counts, so 04-01 gets no entry."""
    summit.load(
        [
            *BASE,
            statement("a-deu", "2025-03-01", "DEU", "supports"),
            statement("a-fra", "2025-03-05", "FRA", "supports"),
            statement("a-gbr", "2025-03-10", "GBR", "supports"),
            statement("x-fra-no", "2025-04-01", "FRA", "opposes"),
            statement("x-fra-yes", "2025-04-01", "FRA", "supports"),
        ]
    )
    c = summit.consensus()
    assert c["reached_on"] == "2025-03-10"
    assert c["counts"] == counts(supports=3)
    assert [e["on"] for e in c["path"]] == ["2025-03-01", "2025-03-05", "2025-03-10"]
    assert summit.consensus(as_of="2025-04-01")["reached_on"] == "2025-03-10"


def test_rule6_path_has_entries_only_on_count_changes_with_all_that_days_refs(summit):
    """Recorded out of date order on purpose.  03-05 repeats DEU's support
    (no entry); 03-08 is evidence for another proposal (no entry); on 03-10
    GBR's opposition changes the counts and DEU's repeated support on the
    same date is listed too, in recording order (z-gbr before a-deu);
    the NATO statement, FRA's pledge and GBR's statement on proposal q are
    not evidence for p5; the retracted 03-11 statement is ignored; the
    03-12 sign-off brings everyone to support."""
    summit.load(
        [
            opened(),
            tabled(),
            tabled(ref="tab-q", proposal="q", targets=[tg("core_defence", 2, 2030)]),
            signoff("so", "2025-03-12", "all"),
            statement("z-gbr", "2025-03-10", "GBR", "opposes"),
            statement("a-deu", "2025-03-10", "DEU", "supports"),
            statement("a1", "2025-03-01", "DEU", "supports"),
            statement("a2", "2025-03-05", "DEU", "supports"),
            statement("q-fra", "2025-03-08", "FRA", "supports", proposal="q"),
            statement("nato-st", "2025-03-10", "NATO", "supports"),
            pledge("pl-fra", "2025-03-10", "FRA", "total", 5, 2035),
            statement("q-gbr", "2025-03-10", "GBR", "opposes", proposal="q"),
            statement("f-ret", "2025-03-11", "FRA", "supports"),
            retract("r-f", "f-ret"),
        ]
    )
    c = summit.consensus()
    assert c["path"] == [
        {"on": "2025-03-01", "counts": counts(supports=1, unknown=2), "refs": ["a1"]},
        {
            "on": "2025-03-10",
            "counts": counts(supports=1, opposes=1, unknown=1),
            "refs": ["z-gbr", "a-deu"],
        },
        {"on": "2025-03-12", "counts": counts(supports=3), "refs": ["so"]},
    ]
    assert c["reached_on"] == "2025-03-12"
    assert c["holdouts"] == []


def test_rule6_as_of_cuts_the_path_and_parties_come_from_the_opening(summit):
    """Reading: a consensus view as of a date before the opening still
    answers, with the opening's parties and rule, everyone unknown."""
    summit.load(REACH)
    c = summit.consensus(as_of="2025-03-07")
    assert c["as_of"] == "2025-03-07"
    assert c["parties"] == 3
    assert c["rule"] == "consensus"
    assert c["counts"] == counts(supports=2, unknown=1)
    assert c["holdouts"] == ["GBR"]
    assert c["reached_on"] is None
    assert [e["on"] for e in c["path"]] == ["2025-03-01", "2025-03-05"]

    c = summit.consensus(as_of="2024-12-01")
    assert c["parties"] == 3
    assert c["rule"] == "consensus"
    assert c["counts"] == counts(unknown=3)
    assert c["holdouts"] == ["DEU", "FRA", "GBR"]
    assert c["reached_on"] is None
    assert c["path"] == []


def test_parties_nato_means_members_on_the_summit_date(summit):
    """ "nato" = every ally that is a member on summit_on: 32 on 2025-06-24
    (SWE included), 31 on 2023-06-01 (FIN in, SWE out).  The count does
    not depend on as_of.  A sign-off by "all" with a reservation for ESP
    leaves ESP the only holdout."""
    summit.load(
        [
            opened(parties="nato", summit_on="2025-06-24"),
            tabled(),
            signoff("so", "2025-06-25", "all", reservations={"ESP": "Flexibility"}),
            opened(
                ref="open-v", parties="nato", summit_on="2023-06-01", neg="vilnius-2023"
            ),
            tabled(ref="tab-v", neg="vilnius-2023", on="2023-02-01"),
        ]
    )
    data = summit.stance()
    codes = [a["ally"] for a in data["allies"]]
    assert codes == sorted(NATO_2025)
    assert all(isinstance(a["name"], str) and a["name"].strip() for a in data["allies"])
    c = summit.consensus()
    assert c["parties"] == 32
    assert c["counts"] == counts(supports=31, conditional=1)
    assert c["holdouts"] == ["ESP"]
    assert c["reached_on"] is None
    assert summit.consensus(as_of="2023-06-01")["parties"] == 32

    v = summit.stance(neg="vilnius-2023")
    assert [a["ally"] for a in v["allies"]] == sorted(NATO_2025 - {"SWE"})
    cv = summit.consensus(neg="vilnius-2023")
    assert cv["parties"] == 31
    assert cv["counts"] == counts(unknown=31)

    result, path = summit.import_(
        [statement("swe", "2023-03-01", "SWE", "supports", neg="vilnius-2023")],
        "swe.jsonl",
    )
    assert_error_at(result, path, 1, ("actor",))


# --------------------------------------------------------------------------
# §2 validation through import
# --------------------------------------------------------------------------

GOOD_1 = statement("good-1", "2025-03-01", "DEU", "supports")
ST = statement("bad", "2025-03-02", "FRA", "supports")
PL = pledge("bad", "2025-03-02", "FRA", "core_defence", 3.5, 2035)
SO = signoff("bad", "2025-03-02", ["DEU", "FRA"])


def _case(id_, lines, bad_line, fields):
    return pytest.param(lines, bad_line, fields, id=id_)


INVALID_CASES = [
    _case("unknown-field", [GOOD_1, with_(ST, colour="red")], 2, ("colour",)),
    _case(
        "unknown-field-in-position",
        [
            GOOD_1,
            with_(ST, position={"proposal": "p5", "stance": "supports", "weight": 1}),
        ],
        2,
        ("weight", "position"),
    ),
    _case(
        "user-supplied-recorded_at",
        [GOOD_1, with_(ST, recorded_at="2025-03-02T00:00:00Z")],
        2,
        ("recorded_at",),
    ),
    _case("missing-type", [GOOD_1, with_(ST, type=DEL)], 2, ("type",)),
    _case("unknown-type", [GOOD_1, with_(ST, type="statement.deleted")], 2, ("type",)),
    _case(
        "missing-required-speaker", [GOOD_1, with_(ST, speaker=DEL)], 2, ("speaker",)
    ),
    _case(
        "blank-required-speaker", [GOOD_1, with_(ST, speaker="   ")], 2, ("speaker",)
    ),
    _case(
        "blank-title",
        [GOOD_1, tabled(ref="bad", proposal="q") | {"title": ""}],
        2,
        ("title",),
    ),
    _case(
        "source-missing-on-statement", [GOOD_1, with_(ST, source=DEL)], 2, ("source",)
    ),
    _case("source-missing-on-pledge", [GOOD_1, with_(PL, source=DEL)], 2, ("source",)),
    _case(
        "source-blank-outlet-no-url",
        [GOOD_1, with_(ST, source={"outlet": "  "})],
        2,
        ("source", "outlet"),
    ),
    _case(
        "source-bad-reliability",
        [GOOD_1, with_(ST, source={"outlet": "X", "reliability": "rumour"})],
        2,
        ("source", "reliability"),
    ),
    _case("bool-as-pct_gdp", [GOOD_1, with_(PL, pct_gdp=True)], 2, ("pct_gdp",)),
    _case("bool-as-by_year", [GOOD_1, with_(PL, by_year=True)], 2, ("by_year",)),
    _case("pct_gdp-zero", [GOOD_1, with_(PL, pct_gdp=0)], 2, ("pct_gdp",)),
    _case("pct_gdp-101", [GOOD_1, with_(PL, pct_gdp=101)], 2, ("pct_gdp",)),
    _case("pct_gdp-negative", [GOOD_1, with_(PL, pct_gdp=-1)], 2, ("pct_gdp",)),
    _case("pct_gdp-string", [GOOD_1, with_(PL, pct_gdp="3.5")], 2, ("pct_gdp",)),
    _case("by_year-1999", [GOOD_1, with_(PL, by_year=1999)], 2, ("by_year",)),
    _case("by_year-2101", [GOOD_1, with_(PL, by_year=2101)], 2, ("by_year",)),
    _case("by_year-fraction", [GOOD_1, with_(PL, by_year=2030.5)], 2, ("by_year",)),
    _case("by_year-string", [GOOD_1, with_(PL, by_year="2030")], 2, ("by_year",)),
    _case("bad-metric", [GOOD_1, with_(PL, metric="nuclear")], 2, ("metric",)),
    _case("bad-firmness", [GOOD_1, with_(PL, firmness="maybe")], 2, ("firmness",)),
    _case(
        "bad-date", [GOOD_1, with_(ST, occurred_on="2025-02-30")], 2, ("occurred_on",)
    ),
    _case(
        "missing-occurred_on", [GOOD_1, with_(ST, occurred_on=DEL)], 2, ("occurred_on",)
    ),
    _case(
        "stance-unknown-not-allowed",
        [GOOD_1, with_(ST, position={"proposal": "p5", "stance": "unknown"})],
        2,
        ("stance", "position"),
    ),
    _case(
        "target-pct_gdp-zero",
        [
            GOOD_1,
            tabled(ref="bad", proposal="q", targets=[tg("core_defence", 0, 2035)]),
        ],
        2,
        ("targets", "pct_gdp"),
    ),
    _case(
        "target-by_year-fraction",
        [
            GOOD_1,
            tabled(ref="bad", proposal="q", targets=[tg("core_defence", 3, 2035.5)]),
        ],
        2,
        ("targets", "by_year"),
    ),
    _case(
        "targets-empty",
        [GOOD_1, tabled(ref="bad", proposal="q", targets=[])],
        2,
        ("targets",),
    ),
    _case("ref-uppercase", [GOOD_1, with_(ST, ref="Bad-Ref")], 2, ("ref",)),
    _case("ref-leading-dash", [GOOD_1, with_(ST, ref="-bad")], 2, ("ref",)),
    _case("ref-with-space", [GOOD_1, with_(ST, ref="bad ref")], 2, ("ref",)),
    _case("ref-81-chars", [GOOD_1, with_(ST, ref="a" * 81)], 2, ("ref",)),
    _case("duplicate-ref-identical-content", [GOOD_1, GOOD_1], 2, ("ref",)),
    _case(
        "duplicate-ref-different-content",
        [GOOD_1, with_(ST, ref="good-1")],
        2,
        ("ref",),
    ),
    _case(
        "negotiation-slug-invalid",
        [GOOD_1, opened(ref="o2", neg="Bad Slug")],
        2,
        ("negotiation",),
    ),
    _case(
        "event-for-unopened-negotiation",
        [GOOD_1, with_(ST, negotiation="nowhere")],
        2,
        ("negotiation",),
    ),
    _case(
        "negotiation-opened-twice",
        [GOOD_1, opened(ref="open-again")],
        2,
        ("negotiation", "type"),
    ),
    _case("actor-not-a-party", [GOOD_1, with_(ST, actor="USA")], 2, ("actor",)),
    _case("actor-unknown-institution", [GOOD_1, with_(ST, actor="UN")], 2, ("actor",)),
    _case("pledge-by-institution", [GOOD_1, with_(PL, actor="NATO")], 2, ("actor",)),
    _case(
        "position-names-untabled-proposal",
        [GOOD_1, with_(ST, position={"proposal": "p9", "stance": "supports"})],
        2,
        ("position", "proposal"),
    ),
    _case(
        "position-names-proposal-tabled-later-in-file",
        [
            GOOD_1,
            with_(ST, position={"proposal": "p7", "stance": "supports"}),
            tabled(ref="tab-7", proposal="p7"),
        ],
        2,
        ("position", "proposal"),
    ),
    _case(
        "revision-of-untabled-proposal",
        [GOOD_1, revised("bad", "2025-03-02", DEFAULT_TARGETS, proposal="p9")],
        2,
        ("proposal",),
    ),
    _case(
        "signoff-adopts-untabled-proposal",
        [GOOD_1, with_(SO, proposal="p9")],
        2,
        ("proposal",),
    ),
    _case(
        "signatory-not-a-party",
        [GOOD_1, with_(SO, signatories=["DEU", "USA"])],
        2,
        ("signatories",),
    ),
    _case(
        "signatories-empty", [GOOD_1, with_(SO, signatories=[])], 2, ("signatories",)
    ),
    _case(
        "signatories-repeated",
        [GOOD_1, with_(SO, signatories=["DEU", "DEU"])],
        2,
        ("signatories",),
    ),
    _case(
        "reservation-key-not-a-signatory",
        [GOOD_1, with_(SO, reservations={"GBR": "Only if..."})],
        2,
        ("reservations",),
    ),
    _case(
        "duplicate-party-in-parties",
        [GOOD_1, opened(ref="o2", neg="other", parties=["DEU", "FRA", "DEU"])],
        2,
        ("parties",),
    ),
    _case(
        "parties-empty",
        [GOOD_1, opened(ref="o2", neg="other", parties=[])],
        2,
        ("parties",),
    ),
    _case(
        "party-code-not-alpha3",
        [GOOD_1, opened(ref="o2", neg="other", parties=["DE", "FRA"])],
        2,
        ("parties",),
    ),
    _case(
        "retraction-with-occurred_on",
        [GOOD_1, with_(retract("bad", "good-1"), occurred_on="2025-03-02")],
        2,
        ("occurred_on",),
    ),
    _case(
        "correction-with-occurred_on",
        [
            GOOD_1,
            with_(correct("bad", "good-1", {"speaker": "X"}), occurred_on="2025-03-02"),
        ],
        2,
        ("occurred_on",),
    ),
    _case(
        "retraction-of-unknown-ref", [GOOD_1, retract("bad", "nope")], 2, ("target",)
    ),
    _case(
        "retraction-of-the-opening", [GOOD_1, retract("bad", "open")], 2, ("target",)
    ),
    _case(
        "retraction-of-already-retracted-event",
        [GOOD_1, retract("r1", "good-1"), retract("bad", "good-1")],
        3,
        ("target",),
    ),
    _case(
        "retraction-across-negotiations",
        [GOOD_1, opened(ref="o2", neg="other"), retract("bad", "good-1", neg="other")],
        3,
        ("target",),
    ),
    _case(
        "correction-changing-type",
        [GOOD_1, correct("bad", "good-1", {"type": "pledge.made"})],
        2,
        ("changes", "type"),
    ),
    _case(
        "correction-changing-negotiation",
        [GOOD_1, correct("bad", "good-1", {"negotiation": "other"})],
        2,
        ("changes", "negotiation"),
    ),
    _case(
        "correction-changing-ref",
        [GOOD_1, correct("bad", "good-1", {"ref": "good-2"})],
        2,
        ("changes", "ref"),
    ),
    _case(
        "correction-changing-proposal-slug",
        [GOOD_1, correct("bad", "tab", {"proposal": "p6"})],
        2,
        ("changes", "proposal"),
    ),
    _case(
        "correction-targeting-a-retraction",
        [GOOD_1, retract("r1", "good-1"), correct("bad", "r1", {"reason": "Other"})],
        3,
        ("target",),
    ),
    _case(
        "correction-targeting-a-correction",
        [
            GOOD_1,
            correct("c1", "good-1", {"speaker": "Someone"}),
            correct("bad", "c1", {"reason": "Other"}),
        ],
        3,
        ("target",),
    ),
    _case(
        "correction-leaves-event-invalid",
        [
            GOOD_1,
            correct(
                "bad", "good-1", {"position": {"proposal": "p5", "stance": "maybe"}}
            ),
        ],
        2,
        ("changes", "position", "stance"),
    ),
    _case(
        "correction-removes-required-field",
        [GOOD_1, correct("bad", "good-1", {"speaker": None})],
        2,
        ("changes", "speaker"),
    ),
    _case(
        "correction-unknown-field",
        [GOOD_1, correct("bad", "good-1", {"colour": "red"})],
        2,
        ("changes", "colour"),
    ),
    _case("not-json", [GOOD_1, "{not json"], 2, None),
    _case("not-an-object", [GOOD_1, "[1, 2, 3]"], 2, None),
]


@pytest.fixture
def seeded(summit):
    """A store holding the opening (ref ``open``) and p5 (ref ``tab``)."""
    summit.load(BASE)
    return summit


@pytest.mark.parametrize(("lines", "bad_line", "fields"), INVALID_CASES)
def test_import_rejects_invalid_input_and_stores_nothing(
    seeded, lines, bad_line, fields
):
    """Exit 2, ``FILE:LINE: field: reason`` on stderr naming the bad line and
    its field, and nothing of the file stored (not even the good first
    line).  Reading: for nested faults any of the listed names may appear
    in the field part (e.g. ``position.proposal`` or ``proposal``)."""
    before = seeded.export()
    result, path = seeded.import_(lines, "bad.jsonl")
    assert_error_at(result, path, bad_line, fields)
    assert seeded.export() == before
    assert who(seeded.ally("DEU")) == ("unknown", None, None, None)


def test_import_valid_boundaries_are_accepted(seeded):
    """pct_gdp 100 and by_year 2000/2100 are inside the ranges."""
    ok(
        seeded.import_(
            [
                pledge("b1", "2025-03-01", "DEU", "core_defence", 100, 2000),
                pledge("b2", "2025-03-01", "DEU", "total", 0.01, 2100),
            ]
        )[0]
    )
    assert sorted(p["ref"] for p in seeded.ally("DEU")["pledges"]) == ["b1", "b2"]


def test_import_bad_500th_line_stores_nothing(seeded):
    good = [
        statement(f"s-{i:03d}", "2025-03-01", TRIO[i % 3], "supports")
        for i in range(499)
    ]
    bad = pledge("bad", "2025-03-02", "DEU", "core_defence", 0, 2035)
    before = seeded.export()
    result, path = seeded.import_([*good, bad], "big.jsonl")
    assert_error_at(result, path, 500, ("pct_gdp",))
    assert seeded.export() == before
    assert seeded.consensus()["counts"] == counts(unknown=3)


def test_import_error_line_numbers_count_physical_lines(seeded):
    """Reading: LINE is the physical 1-based line number in the file, so
    blank and comment lines are counted."""
    lines = ["# a comment", "", GOOD_1, "   ", with_(PL, pct_gdp=101)]
    result, path = seeded.import_(lines, "numbered.jsonl")
    assert_error_at(result, path, 5, ("pct_gdp",))


def test_import_ignores_blank_and_comment_lines(summit):
    lines = [
        "# scenario header",
        "",
        *BASE,
        "   ",
        "   # indented comment",
        "\t",
        GOOD_1,
        "",
    ]
    ok(summit.import_(lines)[0])
    assert who(summit.ally("DEU")) == ("supports", "2025-03-01", "good-1", None)


def test_import_from_stdin(summit):
    text = "".join(json.dumps(e) + "\n" for e in [*BASE, GOOD_1])
    ok(summit.run("import", "-", input=text))
    assert who(summit.ally("DEU")) == ("supports", "2025-03-01", "good-1", None)


def test_import_ignores_recorded_object(summit):
    """``_recorded`` in the input is read-only export data: accepted and
    ignored (the store sets its own recorded_at/by/position)."""
    fake = {"at": "1999-01-01T00:00:00Z", "by": "mallory", "position": 999}
    ok(summit.import_([with_(e, _recorded=fake) for e in [*BASE, GOOD_1]])[0])
    assert who(summit.ally("DEU")) == ("supports", "2025-03-01", "good-1", None)
    for line in summit.export().splitlines():
        if not line.strip():
            continue
        rec = json.loads(line).get("_recorded")
        if rec is not None:
            assert rec.get("at") != fake["at"], line
            assert rec.get("by") != fake["by"], line
            assert rec.get("position") != fake["position"], line


def test_import_assigns_a_ref_when_none_given(summit):
    summit.load([*BASE, with_(GOOD_1, ref=DEL)])
    evidence = summit.ally("DEU")["evidence"]
    assert isinstance(evidence, str) and REF_RE.match(evidence), evidence
    exported = [json.loads(x) for x in summit.export().splitlines() if x.strip()]
    assert evidence in [e.get("ref") for e in exported]


def test_reimport_of_the_same_file_stores_nothing_new(summit):
    events = [*BASE, GOOD_1, pledge("pl", "2025-03-02", "DEU", "core_defence", 2, 2030)]
    summit.load(events)
    first = summit.export()
    summit.load(events)
    assert summit.export() == first
    summit.load([*events, statement("new", "2025-04-01", "DEU", "opposes")])
    lines = [x for x in summit.export().splitlines() if x.strip()]
    assert len(lines) == len(events) + 1
    assert who(summit.ally("DEU")) == ("opposes", "2025-04-01", "new", None)


def test_reimport_is_compared_after_defaults_are_filled_in(summit):
    """Explicit defaults (rule, firmness, reliability, classified) and
    ``null`` optional fields are the same content as leaving them out."""
    plain = [
        *BASE,
        pledge("pl", "2025-03-02", "DEU", "core_defence", 2, 2030),
        with_(GOOD_1, source={"outlet": "Reuters"}),
        signoff("so", "2025-03-03", ["DEU"]),
    ]
    summit.load(plain)
    first = summit.export()
    explicit = [
        with_(plain[0], rule="consensus", note=None),
        plain[1],
        with_(plain[2], firmness="commitment"),
        with_(plain[3], source={"outlet": "Reuters", "reliability": "reported"}),
        with_(plain[4], classified=False, reservations=None),
    ]
    ok(summit.import_(explicit)[0])
    assert summit.export() == first


def test_reimport_of_a_ref_with_different_content_is_rejected(summit):
    """Reading: the error must name the offending line; the field named may
    be ``ref`` or the differing field, so only the line is asserted."""
    summit.load([*BASE, GOOD_1])
    before = summit.export()
    changed = with_(GOOD_1, position={"proposal": "p5", "stance": "opposes"})
    result, path = summit.import_(
        [statement("fresh", "2025-03-05", "FRA", "supports"), changed], "changed.jsonl"
    )
    assert_error_at(result, path, 2)
    assert summit.export() == before
    assert who(summit.ally("FRA")) == ("unknown", None, None, None)


# --------------------------------------------------------------------------
# export / import round trip, store errors
# --------------------------------------------------------------------------

RICH = [
    opened(),
    tabled(),
    revised(
        "rev",
        "2025-04-01",
        [
            tg("core_defence", 3.5, 2035),
            tg("defence_related", 1.5, 2035),
            tg("total", 5, 2035),
        ],
    ),
    statement("s-deu", "2025-03-01", "DEU", "supports"),
    statement("s-fra", "2025-03-05", "FRA", "conditional", conditions="Timeline"),
    statement("s-gbr", "2025-03-07", "GBR", "opposes"),
    statement("s-nato", "2025-03-08", "NATO", "supports"),
    pledge("pl-deu", "2025-03-02", "DEU", "core_defence", 2.1, 2029),
    pledge("pl-fra", "2025-03-06", "FRA", "total", 3.5, 2030, firmness="ambition"),
    pledge("pl-gbr", "2025-03-06", "GBR", "core_defence", 2.5, 2027),
    retract("r-gbr", "s-gbr"),
    correct("c-deu", "pl-deu", {"pct_gdp": 2.4}),
    signoff("so", "2025-06-24", "all", reservations={"FRA": "Review in 2029"}),
]


def test_export_then_import_into_empty_store_gives_same_views(tmp_path, new_store):
    """Reading: besides identical views, the re-imported log exports the
    same events in the same order once ``_recorded`` is stripped."""
    a = Summit(tmp_path, new_store("a"))
    a.load(RICH)
    exported = a.export()
    b = Summit(tmp_path, new_store("b"))
    ok(b.run("import", "-", input=exported))

    for as_of in (None, "2025-03-06", "2025-04-15"):
        assert b.stance(as_of=as_of) == a.stance(as_of=as_of)
        assert b.consensus(as_of=as_of) == a.consensus(as_of=as_of)

    def events(text):
        out = []
        for line in text.splitlines():
            if line.strip():
                ev = json.loads(line)
                ev.pop("_recorded", None)
                out.append(ev)
        return out

    assert events(b.export()) == events(exported)
    # sanity: the views reflect the log
    c = a.consensus()
    assert c["counts"] == counts(supports=2, conditional=1)
    assert c["holdouts"] == ["FRA"]
    assert_gap(a.ally("DEU"), "core_defence", "2.4", "1.1", False)


def test_export_of_one_negotiation_only_lists_its_events(summit):
    summit.load(
        [*BASE, GOOD_1, opened(ref="o2", neg="other"), tabled(ref="t2", neg="other")]
    )
    lines = [json.loads(x) for x in summit.export(NEG).splitlines() if x.strip()]
    assert [e["ref"] for e in lines] == ["open", "tab", "good-1"]
    assert {e["negotiation"] for e in lines} == {NEG}


def test_store_that_cannot_be_opened_exits_3(tmp_path):
    """Reading: a file that is not a SQLite database, or a path in a
    directory that does not exist, is a store that "could not be reached
    or opened"."""
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a sqlite database\x00" * 64)
    for store in (garbage, tmp_path / "no" / "such" / "dir" / "s.db"):
        result = CliRunner().invoke(
            cli,
            [
                "--store",
                str(store),
                "consensus",
                NEG,
                "--proposal",
                "p5",
                "--format",
                "json",
            ],
        )
        assert result.exit_code == 3, explain(result)
        no_traceback(result)
