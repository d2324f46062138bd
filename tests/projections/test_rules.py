"""SPEC §3, rule by rule: feed log entries to the folds, assert the views."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from projections.consensus import consensus_view
from projections.history import resolve
from projections.stance import stance_view
from projections.timeline import timeline_view
from tests.builders import (
    NEG,
    T0,
    corrected,
    log,
    opened,
    pledged,
    retracted,
    revised,
    said,
    signed,
    tabled,
)


def stance_of(entries: list[Any], ally: str, **kw: Any) -> dict[str, Any]:
    known_at = kw.pop("known_at", None)
    view = stance_view(resolve(NEG, entries, known_at), "p5", allies=(ally,), **kw)
    return view["allies"][0]


def consensus(entries: list[Any], **kw: Any) -> dict[str, Any]:
    known_at = kw.pop("known_at", None)
    return consensus_view(resolve(NEG, entries, known_at), "p5", **kw)


# Rule 2: order by occurred_on, ties by recording order.


def test_same_day_statements_are_ordered_by_recording_order() -> None:
    entries = log(
        opened(),
        tabled(),
        said("a", "GBR", "2025-06-10", "opposes"),
        said("b", "GBR", "2025-06-10", "supports"),
    )
    assert stance_of(entries, "GBR")["stance"] == "supports"
    assert stance_of(entries, "GBR")["evidence"] == "b"


def test_later_occurred_on_wins_even_when_recorded_first() -> None:
    entries = log(
        opened(),
        tabled(),
        said("late", "GBR", "2025-06-12", "supports"),
        said("early", "GBR", "2025-06-10", "opposes"),
    )
    row = stance_of(entries, "GBR")
    assert (row["stance"], row["evidence"], row["since"]) == (
        "supports",
        "late",
        "2025-06-12",
    )


# Rule 1: retractions and corrections.


def test_retracted_statement_no_longer_decides_stance() -> None:
    entries = log(
        opened(),
        tabled(),
        said("a", "GBR", "2025-06-10", "undecided"),
        said("b", "GBR", "2025-06-11", "opposes"),
        retracted("r", "b"),
    )
    row = stance_of(entries, "GBR")
    assert (row["stance"], row["evidence"], row["since"]) == (
        "undecided",
        "a",
        "2025-06-10",
    )


def test_retracting_the_retraction_restores_the_statement() -> None:
    entries = log(
        opened(),
        tabled(),
        said("b", "GBR", "2025-06-11", "opposes"),
        retracted("r", "b"),
        retracted("rr", "r"),
    )
    assert stance_of(entries, "GBR")["stance"] == "opposes"


def test_retraction_applies_to_every_as_of_view() -> None:
    entries = log(
        opened(),
        tabled(),
        said("b", "GBR", "2025-06-11", "opposes"),
        retracted("r", "b"),
    )
    assert stance_of(entries, "GBR", as_of="2025-06-11")["stance"] == "unknown"


def test_correction_moving_occurred_on_changes_the_order() -> None:
    entries = log(
        opened(),
        tabled(),
        said("a", "GBR", "2025-06-10", "opposes"),
        said("b", "GBR", "2025-06-12", "supports"),
        corrected("c", "a", {"occurred_on": "2025-06-13"}),
    )
    row = stance_of(entries, "GBR")
    assert (row["stance"], row["evidence"]) == ("opposes", "a")
    assert stance_of(entries, "GBR", as_of="2025-06-12")["stance"] == "supports"


def test_retracting_a_correction_undoes_it() -> None:
    entries = log(
        opened(),
        tabled(),
        said("a", "GBR", "2025-06-10", "opposes"),
        corrected("c", "a", {"position": {"proposal": "p5", "stance": "supports"}}),
        retracted("r", "c"),
    )
    assert stance_of(entries, "GBR")["stance"] == "opposes"


def test_known_at_before_a_retraction_still_sees_the_statement() -> None:
    entries = log(
        opened(),
        tabled(),
        said("b", "GBR", "2025-06-11", "opposes"),
        retracted("r", "b"),
    )
    before = entries[2].recorded_at
    assert stance_of(entries, "GBR", known_at=before)["stance"] == "opposes"
    after = entries[3].recorded_at
    assert stance_of(entries, "GBR", known_at=after)["stance"] == "unknown"


def test_timeline_keeps_retracted_events_flagged() -> None:
    entries = log(
        opened(),
        tabled(),
        said("b", "GBR", "2025-06-11", "opposes"),
        retracted("r", "b"),
    )
    events = timeline_view(resolve(NEG, entries))["events"]
    flagged = {e["ref"]: e["retracted"] for e in events}
    assert flagged == {"open": False, "tab": False, "b": True}


def test_timeline_show_history_gives_original_values() -> None:
    entries = log(
        opened(),
        tabled(),
        said("a", "GBR", "2025-06-10", "opposes", quote="typo"),
        corrected("c", "a", {"quote": "fixed"}),
    )
    view = timeline_view(resolve(NEG, entries), show_history=True)
    event = next(e for e in view["events"] if e["ref"] == "a")
    assert event["corrected"] is True
    assert event["event"]["quote"] == "fixed"
    assert event["original"]["quote"] == "typo"
    assert event["corrections"] == ["c"]


# Rule 3: targets as of a date.


def test_targets_follow_the_latest_revision_as_of_the_date() -> None:
    entries = log(
        opened(),
        tabled(),
        revised(
            [{"metric": "core_defence", "pct_gdp": 3.0, "by_year": 2030}],
            ref="rev",
            occurred_on="2025-06-20",
        ),
    )
    history = resolve(NEG, entries)
    assert stance_view(history, "p5", as_of="2025-06-10")["targets"] == [
        {"metric": "core_defence", "pct_gdp": 3.5, "by_year": 2035}
    ]
    assert stance_view(history, "p5")["targets"][0]["by_year"] == 2030
    assert stance_view(history, "p5", as_of="2025-05-01")["targets"] == []


# Rule 4: stance, since, evidence.


def test_since_stays_put_when_a_stance_is_repeated() -> None:
    entries = log(
        opened(),
        tabled(),
        said("a", "GBR", "2025-06-10", "supports"),
        said("b", "GBR", "2025-06-12", "supports"),
    )
    row = stance_of(entries, "GBR")
    assert (row["since"], row["evidence"]) == ("2025-06-10", "b")


def test_since_moves_when_the_stance_changes_and_returns() -> None:
    entries = log(
        opened(),
        tabled(),
        said("a", "GBR", "2025-06-10", "supports"),
        said("b", "GBR", "2025-06-11", "opposes"),
        said("c", "GBR", "2025-06-12", "supports"),
    )
    assert stance_of(entries, "GBR")["since"] == "2025-06-12"


def test_reservation_on_a_signoff_gives_conditional_with_its_text() -> None:
    entries = log(
        opened(),
        tabled(),
        signed("s", "2025-06-25", reservations={"FRA": "only if EU funds count"}),
    )
    fra = stance_of(entries, "FRA")
    assert (fra["stance"], fra["conditions"], fra["evidence"]) == (
        "conditional",
        "only if EU funds count",
        "s",
    )
    assert stance_of(entries, "DEU")["stance"] == "supports"


def test_institution_statements_and_pledges_are_not_evidence() -> None:
    entries = log(
        opened(),
        tabled(),
        said("n", "NATO", "2025-06-10", "supports"),
        pledged("p", "GBR", "2025-06-10", 5.0, 2035),
    )
    view = stance_view(resolve(NEG, entries), "p5")
    assert {a["stance"] for a in view["allies"]} == {"unknown"}
    assert all(a["since"] is None and a["evidence"] is None for a in view["allies"])


def test_evidence_may_predate_the_tabling() -> None:
    entries = log(opened(), tabled(), said("early", "GBR", "2025-01-07", "supports"))
    assert stance_of(entries, "GBR", as_of="2025-02-01")["stance"] == "supports"


# Rule 5: pledges and gaps.


def test_latest_pledge_per_metric_and_year_wins() -> None:
    entries = log(
        opened(),
        tabled(),
        pledged("p1", "GBR", "2025-02-01", 3.0, 2035),
        pledged("p2", "GBR", "2025-03-01", 2.5, 2035),
    )
    row = stance_of(entries, "GBR")
    assert [p["ref"] for p in row["pledges"]] == ["p2"]
    assert row["gaps"][0]["pledged_pct"] == 2.5
    assert row["gaps"][0]["gap_pp"] == 1


def test_gap_is_decimal_and_rounded_half_up() -> None:
    entries = log(
        opened(),
        tabled(),
        pledged("p1", "GBR", "2025-02-01", 2.3, 2030),
        pledged("p2", "FRA", "2025-02-01", 2.125, 2030),
    )
    assert stance_of(entries, "GBR")["gaps"][0]["gap_pp"] == 1.2
    assert stance_of(entries, "FRA")["gaps"][0]["gap_pp"] == 1.38


def test_pledge_for_a_later_year_or_other_metric_does_not_count() -> None:
    entries = log(
        opened(),
        tabled(
            [
                {"metric": "core_defence", "pct_gdp": 3.5, "by_year": 2035},
                {"metric": "total", "pct_gdp": 5, "by_year": 2035},
            ]
        ),
        pledged("late", "GBR", "2025-02-01", 4.0, 2036),
        pledged("core", "FRA", "2025-02-01", 3.5, 2030, firmness="ambition"),
        pledged("rel", "FRA", "2025-02-01", 1.5, 2030, metric="defence_related"),
    )
    gbr = stance_of(entries, "GBR")["gaps"][0]
    assert (gbr["pledged_pct"], gbr["gap_pp"], gbr["meets"]) == (None, None, False)
    core, total = stance_of(entries, "FRA")["gaps"]
    assert (core["gap_pp"], core["meets"]) == (0, True)
    assert (total["pledged_pct"], total["meets"]) == (None, False)


def test_a_revision_changes_gaps_only_for_later_as_of() -> None:
    entries = log(
        opened(),
        tabled(),
        pledged("p", "GBR", "2025-02-01", 3.0, 2030),
        revised(
            [{"metric": "core_defence", "pct_gdp": 3.0, "by_year": 2030}],
            ref="rev",
            occurred_on="2025-06-20",
        ),
    )
    assert stance_of(entries, "GBR", as_of="2025-06-19")["gaps"][0]["gap_pp"] == 0.5
    after = stance_of(entries, "GBR", as_of="2025-06-20")["gaps"][0]
    assert (after["gap_pp"], after["meets"]) == (0, True)


# Rule 6: consensus.


def test_counts_holdouts_and_reached_on() -> None:
    entries = log(
        opened(),
        tabled(),
        said("a", "GBR", "2025-06-10", "supports"),
        said("b", "FRA", "2025-06-11", "opposes"),
        signed("s", "2025-06-25"),
    )
    early = consensus(entries, as_of="2025-06-11")
    assert early["counts"] == {
        "supports": 1,
        "conditional": 0,
        "undecided": 0,
        "opposes": 1,
        "unknown": 1,
    }
    assert early["holdouts"] == ["DEU", "FRA"]
    assert early["reached_on"] is None
    final = consensus(entries)
    assert (final["reached_on"], final["holdouts"]) == ("2025-06-25", [])


def test_reached_on_resets_after_a_defection() -> None:
    entries = log(
        opened(),
        tabled(),
        signed("s", "2025-06-25"),
        said("d", "FRA", "2025-06-27", "opposes"),
        said("back", "FRA", "2025-06-30", "supports"),
    )
    assert consensus(entries, as_of="2025-06-26")["reached_on"] == "2025-06-25"
    assert consensus(entries, as_of="2025-06-28")["reached_on"] is None
    assert consensus(entries)["reached_on"] == "2025-06-30"


def test_reached_on_is_judged_on_end_of_day_states() -> None:
    entries = log(
        opened(),
        tabled(),
        signed("s", "2025-06-25"),
        said("wobble", "FRA", "2025-06-27", "opposes"),
        said("steady", "FRA", "2025-06-27", "supports"),
    )
    view = consensus(entries)
    assert view["reached_on"] == "2025-06-25"
    assert [p["on"] for p in view["path"]] == ["2025-06-25"]


def test_path_has_entries_only_when_counts_change_with_all_refs_of_that_day() -> None:
    entries = log(
        opened(),
        tabled(),
        said("a", "GBR", "2025-06-10", "supports"),
        said("a2", "GBR", "2025-06-11", "supports"),
        said("b", "FRA", "2025-06-12", "supports"),
        said("c", "FRA", "2025-06-12", "supports"),
    )
    path = consensus(entries)["path"]
    assert [(p["on"], p["refs"]) for p in path] == [
        ("2025-06-10", ["a"]),
        ("2025-06-12", ["b", "c"]),
    ]
    assert path[-1]["counts"]["supports"] == 2


def test_parties_and_rule_come_from_the_opening_whatever_the_as_of() -> None:
    entries = log(opened(parties="nato"), tabled())
    view = consensus(entries, as_of="2000-01-01")
    assert (view["parties"], view["rule"]) == (32, "consensus")
    assert view["counts"]["unknown"] == 32


def test_known_at_between_records() -> None:
    entries = log(
        opened(),
        tabled(),
        said("a", "GBR", "2025-06-10", "supports"),
        said("b", "GBR", "2025-06-10", "opposes"),
    )
    at = T0 + timedelta(minutes=3)
    assert stance_of(entries, "GBR", known_at=at)["stance"] == "supports"
    assert stance_of(entries, "GBR")["stance"] == "opposes"
