"""Audit-grade history: tamper-evident chain, known-at views, replay, checkpoints.

Tamper tests edit the SQLite file directly, as an attacker with a plain SQL
client would, and expect `summit audit verify` to name the first bad position.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.builders import opened, pledged, retracted, said, tabled

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hague-2025-seed.jsonl"


def rows(store: str) -> list[tuple[int, str, int, str, bytes]]:
    """The log's rows, each state as its JSON (a forger writes JSON back: the
    form of stores written before the log was compressed, still read)."""
    from domain.stored import plain_state

    with sqlite3.connect(store) as c:
        found = c.execute(
            "SELECT rowid, originator_id, originator_version, topic, state "
            "FROM stored_events ORDER BY rowid"
        ).fetchall()
    return [(*row[:4], plain_state(row[4])) for row in found]


def execute(store: str, sql: str, *params: Any) -> None:
    c = sqlite3.connect(store)
    with c:
        c.execute(sql, params)
    c.close()


@pytest.fixture
def loaded(summit: Any) -> Any:
    if not summit.store.endswith(".db"):
        pytest.skip("tamper tests edit a SQLite file")
    summit.load([opened(), tabled(), said("a", "GBR", "2025-06-10", "supports")])
    summit.load([pledged("p", "GBR", "2025-06-11", 2.5, 2030)])
    summit.load([said("b", "FRA", "2025-06-12", "opposes")])
    return summit


def verify_fails_at(summit: Any, position: int) -> str:
    result = summit.run("audit", "verify")
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert f"position {position}" in result.stderr
    return str(result.stderr)


def test_an_intact_log_verifies_with_count_and_head_digest(loaded: Any) -> None:
    view = loaded.json("audit", "verify")
    assert view["checked"] == 5
    (head,) = view["negotiations"]
    assert head["events"] == 5 and len(head["head_digest"]) == 64
    assert loaded.ok("audit", "verify").stdout.startswith("ok: 5 events checked")


def test_one_altered_value_inside_one_event_is_caught(loaded: Any) -> None:
    _, _, _, _, state = rows(loaded.store)[3]
    forged = state.replace(b'"pct_gdp":2.5', b'"pct_gdp":3.5')
    assert forged != state
    execute(loaded.store, "UPDATE stored_events SET state=? WHERE rowid=4", forged)
    assert "ref 'p'" in verify_fails_at(loaded, 4)


def test_a_deleted_row_is_caught(loaded: Any) -> None:
    execute(loaded.store, "DELETE FROM stored_events WHERE rowid=3")
    assert "removed" in verify_fails_at(loaded, 4)


def test_two_swapped_rows_are_caught(loaded: Any) -> None:
    r = rows(loaded.store)
    execute(loaded.store, "UPDATE stored_events SET state=? WHERE rowid=3", r[3][4])
    execute(loaded.store, "UPDATE stored_events SET state=? WHERE rowid=4", r[2][4])
    verify_fails_at(loaded, 3)


def test_a_forged_row_is_caught(loaded: Any) -> None:
    _, oid, _, topic, state = rows(loaded.store)[4]
    forged = state.replace(b'"opposes"', b'"supports"')
    execute(
        loaded.store,
        "INSERT INTO stored_events VALUES (?, ?, ?, ?)",
        oid,
        6,
        topic,
        forged,
    )
    verify_fails_at(loaded, 6)


def test_a_truncated_last_event_is_caught(loaded: Any) -> None:
    state = rows(loaded.store)[4][4]
    execute(loaded.store, "UPDATE stored_events SET state=? WHERE rowid=5", state[:40])
    assert "no longer decodes" in verify_fails_at(loaded, 5)


def test_a_changed_topic_is_caught(loaded: Any) -> None:
    execute(
        loaded.store,
        "UPDATE stored_events SET topic=? WHERE rowid=2",
        "domain.negotiation:Negotiation.StatementMade",
    )
    verify_fails_at(loaded, 2)


def test_audit_log_lists_records_with_digests_and_filters(loaded: Any) -> None:
    records = loaded.json("audit", "log")["records"]
    assert [r["position"] for r in records] == [1, 2, 3, 4, 5]
    assert all(len(r["digest"]) == 64 and r["recorded_by"] == "tester" for r in records)
    loaded.by = "alice"
    loaded.load([said("c", "DEU", "2025-06-13", "supports")])
    mine = loaded.json("audit", "log", "--recorder", "alice")["records"]
    assert [r["ref"] for r in mine] == ["c"]
    csv = loaded.ok("audit", "log", "--format", "csv").stdout.splitlines()
    assert csv[0].startswith("position,negotiation,version,recorded_at")
    assert len(csv) == 7


def test_the_chain_digest_can_be_recomputed_from_the_export(loaded: Any) -> None:
    """The README's recipe: an auditor needs only hashlib and the export."""
    import hashlib

    digests = [r["digest"] for r in loaded.json("audit", "log")["records"]]
    prev = "0" * 64
    for line, expected in zip(
        loaded.ok("export").stdout.splitlines(), digests, strict=True
    ):
        event = json.loads(line)
        meta = event.pop("_recorded")
        content = json.dumps(
            {"record": event, "recorded_at": meta["at"], "recorded_by": meta["by"]},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        prev = hashlib.sha256((prev + content).encode()).hexdigest()
        assert prev == expected


# known_at: what did we believe then?


class Clock:
    """A controlled clock for eventsourcing's timestamps."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, start: datetime) -> None:
        self.now = start
        import eventsourcing.domain

        monkeypatch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo", self)

    def __call__(self) -> datetime:
        return self.now


def test_known_at_shows_what_was_believed_at_that_instant(
    summit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch, datetime(2025, 6, 11, 9, 0, tzinfo=UTC))
    summit.load([opened(), tabled(), said("esp", "GBR", "2025-06-10", "supports")])
    clock.now = datetime(2025, 6, 21, 9, 0, tzinfo=UTC)
    summit.load([retracted("r", "esp"), said("esp2", "GBR", "2025-06-10", "opposes")])

    def gbr(*cut: str) -> dict[str, Any]:
        view = summit.json(
            "stance", "t", "--ally", "GBR", "--as-of", "2025-06-10", *cut
        )
        return dict(view["allies"][0])

    assert gbr("--known-at", "2025-06-20")["stance"] == "supports"
    assert gbr("--known-at", "2025-06-21T08:59:59Z")["evidence"] == "esp"
    assert gbr("--known-at", "2025-06-21T11:00:00+02:00")["stance"] == "opposes"
    assert gbr()["stance"] == "opposes"
    view = summit.json("consensus", "t", "--known-at", "2025-06-20")
    assert view["known_at"] == "2025-06-20T23:59:59.999999Z"
    assert view["counts"]["supports"] == 1
    early = summit.ok("export", "--known-at", "2025-06-20").stdout.splitlines()
    assert [json.loads(x)["ref"] for x in early] == ["open", "tab", "esp"]
    timeline = summit.json("timeline", "t", "--known-at", "2025-06-20")["events"]
    assert [e["retracted"] for e in timeline if e["ref"] == "esp"] == [False]


@pytest.mark.parametrize(
    "value", ["yesterday", "2025-06-20T10:00:00", "2025-13-01", "2025-06-20T25:00Z"]
)
def test_a_bad_known_at_is_a_usage_error(summit: Any, value: str) -> None:
    summit.load([opened(), tabled()])
    result = summit.run("stance", "t", "--known-at", value)
    assert result.exit_code == 2 and "--known-at" in result.stderr


# replay


def test_replay_equals_the_live_views_at_the_same_cut(summit: Any) -> None:
    summit.ok("import", str(SAMPLE))
    summit.ok(
        "record",
        "statement",
        "-n",
        "hague-2025",
        "--on",
        "2025-06-12",
        "--actor",
        "ESP",
        "--speaker",
        "Pedro Sánchez",
        "--proposal",
        "defence-investment-5pct",
        "--stance",
        "opposes",
        "--outlet",
        "Reuters",
    )
    head = len(summit.ok("export").stdout.splitlines())
    cut = summit.json("replay", "hague-2025", "--until", str(head - 1))
    assert cut["replayed"]["last_position"] == head - 1
    assert cut["consensus"]["counts"]["opposes"] == 0
    full = summit.json("replay", "hague-2025", "--until", str(head))
    assert full["stance"] == summit.json("stance", "hague-2025")
    assert full["consensus"] == summit.json("consensus", "hague-2025")
    assert full["consensus"]["counts"]["opposes"] == 1


def test_replay_beyond_the_log_or_without_a_cut_is_a_usage_error(summit: Any) -> None:
    summit.load([opened(), tabled()])
    for args in (["--until", "99"], ["--until", "0"], []):
        result = summit.run("replay", "t", *args)
        assert result.exit_code == 2, result.stderr
        assert "Traceback" not in result.stderr


# retract and correct from the CLI


def test_retract_and_correct_from_flags(summit: Any) -> None:
    summit.load([opened(), tabled(), said("a", "GBR", "2025-06-10", "opposes")])
    summit.ok(
        "record", "correct", "a", "--set", "occurred_on=2025-06-11", "--reason", "x"
    )
    events = summit.json("timeline", "t", "--show-history")["events"]
    a = next(e for e in events if e["ref"] == "a")
    assert (a["occurred_on"], a["original"]["occurred_on"]) == (
        "2025-06-11",
        "2025-06-10",
    )
    summit.ok("record", "retract", "a", "--reason", "misquoted")
    assert (
        summit.json("stance", "t", "--ally", "GBR")["allies"][0]["stance"] == "unknown"
    )
    missing = summit.run("record", "retract", "nope", "--reason", "x")
    assert missing.exit_code == 2 and "nope" in missing.stderr
    again = summit.run("record", "retract", "a", "--reason", "x")
    assert again.exit_code == 2 and "already retracted" in again.stderr


# checkpoints


def test_checkpoint_verifies_on_an_extended_log_and_fails_after_a_rewrite(
    loaded: Any,
) -> None:
    keys = loaded.tmp / "newsroom"
    loaded.ok("audit", "keygen", "--out", str(keys))
    cp = loaded.tmp / "cp.json"
    loaded.ok("audit", "checkpoint", "--sign", f"{keys}.key", "--out", str(cp))
    loaded.load([said("c", "DEU", "2025-06-13", "supports")])
    ok = loaded.ok(
        "audit", "verify", "--checkpoint", str(cp), "--pubkey", f"{keys}.pub"
    )
    assert "extends checkpoint" in ok.stdout and "signature checked" in ok.stdout

    other = loaded.tmp / "other"
    loaded.ok("audit", "keygen", "--out", str(other))
    wrong = loaded.run(
        "audit", "verify", "--checkpoint", str(cp), "--pubkey", f"{other}.pub"
    )
    assert wrong.exit_code == 2 and "does not verify" in wrong.stderr

    corrupted = loaded.tmp / "bad.json"
    corrupted.write_text(cp.read_text()[:50])
    bad = loaded.run("audit", "verify", "--checkpoint", str(corrupted))
    assert bad.exit_code == 2 and "not valid JSON" in bad.stderr

    # A rewrite before the checkpoint, with every digest recomputed so the
    # chain itself verifies: only the checkpoint can catch it.
    _rewrite_history(loaded.store)
    # The views still hold the original: the forger rebuilds them from the
    # rewritten log, so that they match it.
    loaded.ok("views", "rebuild")
    assert loaded.run("audit", "verify").exit_code == 0
    caught = loaded.run("audit", "verify", "--checkpoint", str(cp))
    assert caught.exit_code == 1 and "no longer extends" in caught.stderr


def test_checkpoint_catches_a_deleted_last_event(loaded: Any) -> None:
    cp = loaded.tmp / "cp.json"
    loaded.ok("audit", "checkpoint", "--out", str(cp))
    execute(loaded.store, "DELETE FROM stored_events WHERE rowid=5")
    # A careful forger also rebuilds the views from the shortened log (writes
    # keep them current, and views that differ from the log are reported):
    # only the checkpoint can tell.
    loaded.ok("views", "rebuild")
    assert loaded.run("audit", "verify").exit_code == 0
    result = loaded.run("audit", "verify", "--checkpoint", str(cp))
    assert result.exit_code == 1 and "has only 4 events" in result.stderr


def _rewrite_history(store: str) -> None:
    """Change the first statement and recompute every later digest: a careful forger."""
    from domain.chain import GENESIS, chain_digest

    prev = GENESIS
    for rowid, _, _, _, state in rows(store):
        data = json.loads(state)
        record = data["record"]
        if record["ref"] == "a":
            record["position"]["stance"] = "opposes"
        data["digest"] = prev = chain_digest(
            prev, record, data["timestamp"]["_data_"], data["recorded_by"]
        )
        execute(
            store,
            "UPDATE stored_events SET state=? WHERE rowid=?",
            json.dumps(data, separators=(",", ":")).encode(),
            rowid,
        )
