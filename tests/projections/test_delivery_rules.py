"""SPEC §3 rules 7 and 8, on the pure module: figures in, JSON pieces out."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import count
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from projections.delivery import (
    STATUSES,
    Figure,
    Pledge,
    Target,
    ally_delivery,
    delivery_entry,
    figures_of,
    latest_figures,
    pledge_entry,
    spending_for_year,
    summary,
)

_positions = count(1)
CORE_2035 = Target("core_defence", "3.5", 2035)


def fig(
    year: int,
    pct: str,
    *,
    actor: str = "GBR",
    metric: str = "core_defence",
    basis: str = "actual",
    on: str | None = None,
    ref: str | None = None,
) -> Figure:
    """A figure recorded after every earlier one (its position grows)."""
    return Figure(
        actor=actor,
        metric=metric,
        year=year,
        pct_gdp=pct,
        basis=basis,
        ref=ref or f"{actor.lower()}-{metric}-{year}-{pct}",
        occurred_on=date.fromisoformat(on or f"{year + 1}-06-01"),
        position=next(_positions),
    )


def of(*figures: Figure, actor: str = "GBR") -> dict[tuple[str, int], Figure]:
    return figures_of(actor, latest_figures(figures))


def deliver(target: Target, *figures: Figure) -> dict[str, Any]:
    return delivery_entry(of(*figures), target)


# Rule 7: the figure of record.


def test_later_vintage_supersedes_earlier_estimate() -> None:
    june = fig(2024, "2.33", basis="estimate", on="2024-06-17", ref="est-june")
    final = fig(2024, "2.29", basis="actual", on="2025-06-05", ref="actual")
    latest = latest_figures([june, final])
    assert latest[("GBR", "core_defence", 2024)] is final
    # Recorded in the other order, the later publication still wins (rule 2).
    assert latest_figures([final, june])[("GBR", "core_defence", 2024)] is final


def test_given_only_the_earlier_vintage_the_earlier_is_the_figure_of_record() -> None:
    """What a `known_at` before the actual would hand in: the estimate alone."""
    june = fig(2024, "2.33", basis="estimate", on="2024-06-17", ref="est-june")
    row = deliver(CORE_2035, june)
    assert (row["reported_pct"], row["basis"], row["ref"]) == (
        2.33,
        "estimate",
        "est-june",
    )


def test_same_day_vintages_are_ordered_by_recording_position() -> None:
    a = fig(2024, "2.10", on="2025-02-01", ref="a")
    b = fig(2024, "2.20", on="2025-02-01", ref="b")
    assert latest_figures([b, a])[("GBR", "core_defence", 2024)].ref == "b"


def test_figures_are_kept_apart_by_actor_metric_and_year() -> None:
    figures = [
        fig(2024, "2.3"),
        fig(2024, "2.5", metric="total"),
        fig(2024, "1.9", actor="DEU"),
        fig(2023, "2.2"),
    ]
    assert len(latest_figures(figures)) == 4


def test_spending_lists_one_figure_per_metric_and_year_by_metric_then_year() -> None:
    figures = of(
        fig(2025, "2.6", metric="total", basis="estimate"),
        fig(2024, "2.3"),
        fig(2023, "2.2", metric="total"),
        fig(2024, "2.4", on="2026-01-01", ref="revised"),
    )
    rows = ally_delivery(figures, [], [])["spending"]
    assert [(r["metric"], r["year"], r["pct_gdp"]) for r in rows] == [
        ("core_defence", 2024, 2.4),
        ("total", 2023, 2.2),
        ("total", 2025, 2.6),
    ]
    assert set(rows[0]) == {"metric", "year", "pct_gdp", "basis", "ref"}


# Rule 8: the six statuses, in SPEC's order of precedence.


def test_no_figure_for_the_metric_is_no_data_with_every_number_null() -> None:
    row = deliver(CORE_2035, fig(2024, "2.5", metric="total"))
    assert row == {
        "metric": "core_defence",
        "target_pct": 3.5,
        "by_year": 2035,
        "reported_year": None,
        "reported_pct": None,
        "basis": None,
        "ref": None,
        "gap_pp": None,
        "trend_pp_per_year": None,
        "required_pp_per_year": None,
        "status": "no_data",
    }


def test_only_figures_after_the_target_year_is_no_data() -> None:
    row = deliver(Target("core_defence", "3.5", 2030), fig(2031, "3.6"))
    assert row["status"] == "no_data"


def test_figure_at_or_above_target_is_met_with_zero_gap_and_required() -> None:
    row = deliver(CORE_2035, fig(2024, "3.6"))
    assert (row["gap_pp"], row["required_pp_per_year"], row["status"]) == (
        0,
        0,
        "met",
    )
    # A single figure: no trend, but met comes first.
    assert row["trend_pp_per_year"] is None


def test_target_year_figure_below_target_is_missed() -> None:
    target = Target("core_defence", "3.5", 2035)
    row = deliver(target, fig(2034, "3.0"), fig(2035, "3.4"))
    assert row["reported_year"] == 2035
    assert row["gap_pp"] == 0.1
    assert row["required_pp_per_year"] is None  # y == reported_year
    assert row["trend_pp_per_year"] == 0.4
    assert row["status"] == "missed"


def test_single_figure_below_target_is_insufficient_data() -> None:
    row = deliver(CORE_2035, fig(2024, "2.0"))
    assert row["trend_pp_per_year"] is None
    assert row["required_pp_per_year"] == 0.14  # 1.5 / 11 = 0.13636…
    assert row["status"] == "insufficient_data"


def test_figure_older_than_the_three_year_window_gives_no_trend() -> None:
    row = deliver(CORE_2035, fig(2020, "1.5"), fig(2024, "2.0"))
    assert row["trend_pp_per_year"] is None
    assert row["status"] == "insufficient_data"


def test_trend_at_or_above_required_is_on_track() -> None:
    # required (3.5 - 2.5) / (2030 - 2025) = 0.2; trend (2.5 - 2.1) / 2 = 0.2.
    target = Target("core_defence", "3.5", 2030)
    row = deliver(target, fig(2023, "2.1"), fig(2025, "2.5"))
    assert (row["trend_pp_per_year"], row["required_pp_per_year"]) == (0.2, 0.2)
    assert row["status"] == "on_track"


def test_trend_below_required_is_off_track() -> None:
    # required (3.5 - 2.3) / 11 = 0.10909… → 0.11; trend (2.3 - 2.2) / 1 = 0.1.
    row = deliver(CORE_2035, fig(2023, "2.2"), fig(2024, "2.3"))
    assert (row["trend_pp_per_year"], row["required_pp_per_year"]) == (0.1, 0.11)
    assert row["status"] == "off_track"


def test_on_track_compares_rounded_trend_with_rounded_required() -> None:
    # trend (2.5 - 2.0) / 3 = 0.1666… → 0.17; required (3.5 - 2.5) / 6 =
    # 0.1666… → 0.17 as well: equal once rounded, so on track.
    target = Target("core_defence", "3.5", 2030)
    row = deliver(target, fig(2021, "2.0"), fig(2024, "2.5"))
    assert (row["trend_pp_per_year"], row["required_pp_per_year"]) == (0.17, 0.17)
    assert row["status"] == "on_track"


def test_trend_window_spans_three_years_and_tolerates_a_missing_year() -> None:
    # Window [2021, 2024]: 2021 and 2024 (2022, 2023 missing); 2020 is outside.
    row = deliver(CORE_2035, fig(2020, "0.5"), fig(2021, "1.7"), fig(2024, "2.0"))
    assert row["trend_pp_per_year"] == 0.1  # (2.0 - 1.7) / 3
    # Inside the window, the earliest year is the anchor, not the year before.
    row = deliver(CORE_2035, fig(2021, "1.7"), fig(2023, "1.9"), fig(2024, "2.0"))
    assert row["trend_pp_per_year"] == 0.1


def test_falling_trend_is_negative_and_off_track() -> None:
    row = deliver(CORE_2035, fig(2022, "2.4"), fig(2024, "2.0"))
    assert row["trend_pp_per_year"] == -0.2
    assert row["status"] == "off_track"


def test_reported_year_is_the_latest_year_up_to_the_target_year() -> None:
    target = Target("core_defence", "3.5", 2026)
    row = deliver(target, fig(2025, "2.5"), fig(2027, "3.6"))
    assert (row["reported_year"], row["reported_pct"]) == (2025, 2.5)
    assert row["required_pp_per_year"] == 1  # (3.5 - 2.5) / 1, an int like gap_pp


def test_revising_the_target_year_changes_the_required_slope() -> None:
    figures = (fig(2023, "2.2"), fig(2024, "2.3"))
    before = deliver(Target("core_defence", "3.5", 2035), *figures)
    after = deliver(Target("core_defence", "3.5", 2030), *figures)
    # (3.5 - 2.3) / 11 = 0.109… → 0.11 ; (3.5 - 2.3) / 6 = 0.2
    assert before["required_pp_per_year"] == 0.11
    assert after["required_pp_per_year"] == 0.2
    assert before["gap_pp"] == after["gap_pp"] == 1.2


def test_half_way_required_slope_rounds_half_up() -> None:
    # (3.5 - 2.49) / (2035 - 2033) = 1.01 / 2 = 0.505 → 0.51
    row = deliver(CORE_2035, fig(2033, "2.49"))
    assert row["required_pp_per_year"] == 0.51
    assert row["gap_pp"] == 1.01


def test_arithmetic_is_decimal_on_the_numbers_as_written() -> None:
    # In binary floats 3.3 - 3.0 is 0.2999…; in decimal it is exactly 0.3.
    row = deliver(Target("total", "3.3", 2030), fig(2025, "3.0", metric="total"))
    assert row["gap_pp"] == 0.3
    row = deliver(
        Target("total", Decimal("3.30"), 2030), fig(2025, "3.3", metric="total")
    )
    assert (row["gap_pp"], row["status"]) == (0, "met")


def test_numbers_echo_as_written_and_derived_integers_come_out_as_ints() -> None:
    row = deliver(Target("total", "5", 2035), fig(2025, "3.0", metric="total"))
    assert row["target_pct"] == 5 and isinstance(row["target_pct"], int)
    assert isinstance(row["reported_pct"], float)  # written 3.0
    assert row["gap_pp"] == 2 and isinstance(row["gap_pp"], int)


# Rule 8: pledges.


def test_pledge_is_kept_when_its_year_figure_reaches_it() -> None:
    pledge = Pledge("total", "2.5", 2025, "commitment", "pl")
    row = pledge_entry(of(fig(2025, "2.50", metric="total")), pledge)
    assert row == {
        "metric": "total",
        "pct_gdp": 2.5,
        "by_year": 2025,
        "firmness": "commitment",
        "ref": "pl",
        "reported_pct": 2.5,
        "status": "kept",
    }


def test_pledge_is_broken_when_its_year_figure_is_below_it() -> None:
    pledge = Pledge("total", "2.5", 2025, "ambition", "pl")
    row = pledge_entry(of(fig(2025, "2.49", metric="total")), pledge)
    assert (row["reported_pct"], row["status"]) == (2.49, "broken")


def test_pledge_is_pending_without_a_figure_for_exactly_its_metric_and_year() -> None:
    pledge = Pledge("total", "2.5", 2027, "commitment", "pl")
    figures = of(
        fig(2026, "3.0", metric="total"),  # another year
        fig(2027, "3.0", metric="core_defence"),  # another metric
    )
    row = pledge_entry(figures, pledge)
    assert (row["reported_pct"], row["status"]) == (None, "pending")


def test_ally_pledges_come_by_metric_then_year() -> None:
    pledges = [
        Pledge("total", "5", 2035, "commitment", "c"),
        Pledge("core_defence", "3.5", 2035, "commitment", "b"),
        Pledge("core_defence", "2.5", 2027, "ambition", "a"),
    ]
    rows = ally_delivery({}, [CORE_2035], pledges)["pledges"]
    assert [r["ref"] for r in rows] == ["a", "b", "c"]


# Summary: every party, every status.


def test_summary_counts_every_party_with_all_six_statuses() -> None:
    parties = ["DEU", "FRA", "GBR", "POL"]
    latest = latest_figures(
        [
            fig(2024, "4.1", actor="POL"),  # met
            fig(2023, "2.2", actor="GBR"),
            fig(2024, "2.3", actor="GBR"),  # off_track
            fig(2024, "2.0", actor="FRA"),  # insufficient_data
        ]
    )
    rows = summary(parties, latest, [CORE_2035, Target("total", "5", 2035)])
    assert rows[0] == {
        "metric": "core_defence",
        "target_pct": 3.5,
        "by_year": 2035,
        "counts": {
            "met": 1,
            "on_track": 0,
            "off_track": 1,
            "missed": 0,
            "insufficient_data": 1,
            "no_data": 1,
        },
    }
    assert rows[1]["counts"]["no_data"] == 4
    assert list(rows[1]["counts"]) == list(STATUSES)


# `summit spending`.


def test_spending_below_is_strict_and_no_data_keeps_every_silent_party() -> None:
    latest = latest_figures(
        [
            fig(2024, "2.0", actor="DEU", metric="total"),  # not strictly below
            fig(2024, "1.99", actor="CAN", metric="total"),
            fig(2024, "2.33", actor="GBR", metric="total", basis="estimate"),
            fig(2024, "1.2", actor="ESP", metric="core_defence"),  # other metric
            fig(2023, "1.3", actor="ITA", metric="total"),  # other year
        ]
    )
    parties = ["USA", "GBR", "ITA", "ESP", "DEU", "CAN"]
    answer = spending_for_year(parties, latest, 2024, below="2.0")
    assert [a["ally"] for a in answer["allies"]] == ["CAN"]
    assert answer["allies"][0] == {
        "ally": "CAN",
        "name": "CAN",
        "pct_gdp": 1.99,
        "basis": "actual",
        "ref": "can-total-2024-1.99",
    }
    assert answer["no_data"] == ["ESP", "ITA", "USA"]
    everyone = spending_for_year(parties, latest, 2024, name_of=str.lower)
    assert [(a["ally"], a["name"]) for a in everyone["allies"]] == [
        ("CAN", "can"),
        ("DEU", "deu"),
        ("GBR", "gbr"),
    ]
    assert everyone["no_data"] == answer["no_data"]


def test_spending_ignores_figures_of_actors_who_are_not_parties() -> None:
    latest = latest_figures([fig(2024, "2.0", actor="SWE", metric="total")])
    assert spending_for_year(["GBR"], latest, 2024) == {
        "allies": [],
        "no_data": ["GBR"],
    }


# Properties.


def as_text(c: int) -> str:
    return f"{c // 100}.{c % 100:02d}"


cents = st.integers(min_value=0, max_value=10_000).map(as_text)
years = st.integers(min_value=2014, max_value=2040)


def half_up(x: Fraction) -> Fraction:
    """An independent rounding: to hundredths, halves away from zero."""
    scaled = abs(x) * 100
    whole = int(scaled)
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    return Fraction(whole if x >= 0 else -whole, 100)


@given(
    st.dictionaries(years, cents, max_size=8),
    st.integers(min_value=1, max_value=10_000).map(as_text),
    years,
)
def test_delivery_row_is_well_formed_and_matches_exact_arithmetic(
    by_year_pct: dict[int, str], target_pct: str, by_year: int
) -> None:
    target = Target("total", target_pct, by_year)
    row = deliver(target, *(fig(y, p, metric="total") for y, p in by_year_pct.items()))
    assert row["status"] in STATUSES
    held = {y: Fraction(p) for y, p in by_year_pct.items() if y <= by_year}
    if not held:
        assert row["status"] == "no_data" and row["gap_pp"] is None
        return
    year = max(held)
    t = Fraction(target_pct)
    gap = half_up(max(Fraction(0), t - held[year]))
    assert row["gap_pp"] >= 0
    assert Fraction(str(row["gap_pp"])) == gap
    assert (row["status"] == "met") == (gap == 0)
    window = [y for y in held if year - 3 <= y <= year]
    if len(window) >= 2:
        first = min(window)
        trend = half_up((held[year] - held[first]) / (year - first))
        assert Fraction(str(row["trend_pp_per_year"])) == trend
    else:
        assert row["trend_pp_per_year"] is None
    if gap == 0:
        assert row["required_pp_per_year"] == 0
    elif by_year > year:
        required = half_up((t - held[year]) / (by_year - year))
        assert Fraction(str(row["required_pp_per_year"])) == required
    else:
        assert row["required_pp_per_year"] is None
        assert row["status"] == "missed"
    if row["status"] in ("on_track", "off_track"):
        on_track = row["trend_pp_per_year"] >= row["required_pp_per_year"]
        assert (row["status"] == "on_track") == on_track
    if row["status"] == "insufficient_data":
        assert row["trend_pp_per_year"] is None and by_year > year


@given(st.lists(st.tuples(years, cents, st.integers(0, 3)), max_size=12))
def test_latest_figure_is_the_last_in_rule_two_order(
    reports: list[tuple[int, str, int]],
) -> None:
    figures = [
        fig(y, p, metric="total", on=f"{2030 + day}-01-01") for y, p, day in reports
    ]
    latest = latest_figures(figures)
    for y in {f.year for f in figures}:
        same = [f for f in figures if f.year == y]
        last = max(same, key=lambda f: (f.occurred_on, f.position))
        assert latest[("GBR", "total", y)] is last


def test_half_up_helper_agrees_with_decimal_on_the_spec_example() -> None:
    exact = Decimal("0.505").quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert half_up(Fraction("1.01") / 2) == Fraction(str(exact)) == Fraction(51, 100)
