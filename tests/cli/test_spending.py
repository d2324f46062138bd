"""Reported spending through the CLI, on both stores: vintages, retractions,
corrections, known-at cuts, bad input, and the SPEC scenarios of
`tests/projections/test_delivery_scenarios_spec.py` run on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.builders import corrected, opened, retracted, spent, tabled
from tests.projections import test_delivery_scenarios_spec as spec

TARGET = [{"metric": "total", "pct_gdp": 3.5, "by_year": 2030}]
BASE = [opened(), tabled(TARGET)]


def gbr(summit: Any, *args: str) -> dict[str, Any]:
    """GBR's delivery against the total target."""
    view = summit.json("delivery", "t", "--ally", "GBR", *args)
    delivery: dict[str, Any] = view["allies"][0]["delivery"][0]
    return delivery


@pytest.mark.parametrize(
    "scenario",
    [
        (spec.UK_EVENTS, spec.UK),
        (spec.STATUS_EVENTS, spec.STATUSES),
        (spec.WALES_EVENTS, spec.WALES),
        (spec.SAME_DAY_EVENTS, spec.SAME_DAY),
    ],
    ids=["uk-vintages", "statuses", "wales-deadline", "same-day"],
)
def test_spec_scenarios_on_both_stores(summit: Any, scenario: Any) -> None:
    events, queries = scenario
    summit.load(events)
    for args, expected in queries:
        assert summit.json(*args) == expected, args


def test_a_later_vintage_supersedes_and_a_retracted_one_falls_back(
    summit: Any,
) -> None:
    summit.load(
        [
            *BASE,
            spent("est", "GBR", 2024, 2.33, "2024-06-17"),
            spent("act", "GBR", 2024, 2.29, "2025-06-05", basis="actual"),
        ]
    )
    assert (gbr(summit)["ref"], gbr(summit)["reported_pct"]) == ("act", 2.29)
    summit.load([retracted("act-wrong", "act")])
    now = gbr(summit)
    assert (now["ref"], now["reported_pct"], now["basis"]) == ("est", 2.33, "estimate")
    # The log keeps the retracted figure; the timeline flags it.
    events = summit.json("timeline", "t", "--type", "spending.reported")["events"]
    assert [e["ref"] for e in events] == ["est", "act"]
    assert [e["retracted"] for e in events] == [False, True]


def test_a_corrected_figure_is_the_figure_of_record(summit: Any) -> None:
    summit.load([*BASE, spent("est", "GBR", 2024, 2.33, "2024-06-17")])
    summit.load([corrected("fix", "est", {"pct_gdp": 3.1})])
    assert gbr(summit)["reported_pct"] == 3.1
    assert gbr(summit)["gap_pp"] == 0.4
    figures = summit.json("spending", "t", "--year", "2024")["allies"]
    assert figures == [
        {
            "ally": "GBR",
            "name": "United Kingdom",
            "pct_gdp": 3.1,
            "basis": "estimate",
            "ref": "est",
        }
    ]


def test_known_at_before_a_later_vintage_shows_the_earlier(summit: Any) -> None:
    summit.load([*BASE, spent("june", "GBR", 2025, 2.4, "2025-06-05")])
    exported = [json.loads(x) for x in summit.ok("export").stdout.splitlines()]
    first_known = exported[-1]["_recorded"]["at"]
    summit.load([spent("august", "GBR", 2025, 2.6, "2025-08-28")])
    assert gbr(summit)["ref"] == "august"
    then = summit.json("delivery", "t", "--ally", "GBR", "--known-at", first_known)
    assert then["known_at"] is not None
    assert then["allies"][0]["delivery"][0]["ref"] == "june"
    year = summit.json("spending", "t", "--year", "2025", "--known-at", first_known)
    assert [a["pct_gdp"] for a in year["allies"]] == [2.4]
    # As of a date before the revision was published: the June figure too.
    assert gbr(summit, "--as-of", "2025-07-01")["ref"] == "june"


def test_record_spending_from_flags_and_in_the_timeline(summit: Any) -> None:
    summit.load(BASE)
    ref = summit.ok(
        "record", "spending", "-n", "t", "--on", "2025-06-05", "--actor", "gbr",
        "--metric", "total", "--year", "2024", "--pct", "2.33",
        "--outlet", "NATO", "--reliability", "official",
    ).stdout.strip()  # fmt: skip
    assert ref.startswith("spending-")
    events = summit.json("timeline", "t", "--type", "spending.reported")["events"]
    assert [(e["ref"], e["summary"]) for e in events] == [
        (ref, "United Kingdom spent 2.33% total in 2024 (estimate)")
    ]
    assert summit.json("spending", "t", "--year", "2024")["allies"][0]["ref"] == ref


BAD = [
    ({"year": 1999}, "year", "out of range"),
    ({"year": 2101}, "year", "out of range"),
    ({"year": 2024.0}, "year", ""),
    ({"pct_gdp": -0.1}, "pct_gdp", "out of range"),
    ({"pct_gdp": 100.5}, "pct_gdp", "out of range"),
    ({"metric": "defence"}, "metric", ""),
    ({"basis": "guess"}, "basis", ""),
    ({"actor": "NATO"}, "actor", "institution"),
    ({"actor": "EU"}, "actor", "institution"),
    ({"actor": "USA"}, "actor", "not a party"),
    ({"source": None}, "source", "required"),
]


@pytest.mark.parametrize("change,field,reason", BAD, ids=[b[1] for b in BAD])
def test_bad_spending_input_exits_2_naming_line_and_field_and_stores_nothing(
    summit: Any, tmp_path: Path, change: dict[str, Any], field: str, reason: str
) -> None:
    summit.load(BASE)
    before = summit.ok("export").stdout
    line = {**spent("bad", "GBR", 2024, 2.0, "2025-06-05"), **change}
    line = {k: v for k, v in line.items() if v is not None}
    good = spent("good", "FRA", 2024, 2.06, "2025-06-05")
    file = tmp_path / "figures.jsonl"
    file.write_text(json.dumps(good) + "\n" + json.dumps(line) + "\n")
    result = summit.run("import", str(file))
    assert result.exit_code == 2, result.output
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{file}:2: {field}: "), result.stderr
    assert reason in first
    assert "Traceback" not in result.output
    assert summit.ok("export").stdout == before


def test_zero_spending_is_a_figure(summit: Any) -> None:
    summit.load([*BASE, spent("nil", "GBR", 2024, 0, "2025-06-05")])
    assert summit.json("spending", "t", "--year", "2024")["allies"][0]["pct_gdp"] == 0


@pytest.mark.parametrize(
    "args,words",
    [
        (["delivery", "t", "--proposal", "nope"], "proposal 'nope' is not tabled"),
        (["delivery", "t", "--ally", "USA"], "'USA' is not a party of 't'"),
        (["spending", "t"], "--year is required"),
        (["spending", "t", "--year", "2024", "--below", "two"], "not a number"),
        (["delivery", "nowhere"], "'nowhere' is not in this store"),
    ],
)
def test_query_errors_exit_2_with_one_line(
    summit: Any, args: list[str], words: str
) -> None:
    summit.load(BASE)
    result = summit.run(*args)
    assert result.exit_code == 2, result.output
    assert words in result.stderr
    if args[0:2] != ["spending", "t"] or "--below" not in args:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_the_delivery_table_puts_the_furthest_behind_first(summit: Any) -> None:
    summit.load(
        [
            *BASE,
            # FRA met; GBR on track (+0.5/yr vs 0.25 needed); DEU off track,
            # the larger gap of the two behind.
            spent("fra", "FRA", 2025, 3.6, "2025-06-05"),
            spent("gbr-23", "GBR", 2023, 1.5, "2025-06-05"),
            spent("gbr-25", "GBR", 2025, 2.5, "2025-06-05"),
            spent("deu-23", "DEU", 2023, 1.5, "2025-06-05"),
            spent("deu-25", "DEU", 2025, 1.5, "2025-06-05"),
        ]
    )
    out = summit.ok("delivery", "t").stdout
    rows = [line for line in out.splitlines() if line.startswith("│")]
    assert [r.strip("│ ").split()[0] for r in rows] == ["DEU", "GBR", "FRA"]
    assert "off track" in rows[0] and "on track" in rows[1] and "met" in rows[2]
    assert "1 met · 1 on track · 1 off track" not in out  # severity order instead
    assert "1 off track · 1 on track · 1 met" in out


def test_the_spending_table_lists_parties_without_a_figure_apart(
    summit: Any,
) -> None:
    summit.load([*BASE, spent("gbr", "GBR", 2024, 2.33, "2025-06-05")])
    out = summit.ok("spending", "t", "--year", "2024", "--below", "2.5").stdout
    assert "GBR United Kingdom" in out and "2.33%" in out
    assert "no figure (2): DEU, FRA" in out


def _drop_spending_view(store: str) -> None:
    """Make the store look written before the spending view existed."""
    if store.endswith(".db"):
        import sqlite3

        with sqlite3.connect(store) as conn:
            conn.execute("DROP TABLE summit_spending")
        return
    import psycopg

    from cli.store.postgres import parse_url, password_for

    t = parse_url(store)
    with psycopg.connect(
        host=t.host, port=t.port, dbname=t.dbname, user=t.user, password=password_for(t)
    ) as conn:
        conn.execute(f'DROP TABLE "{t.schema}".summit_spending')


def test_views_written_before_the_spending_table_gain_it(summit: Any) -> None:
    # No log written before spending.reported existed can hold one, so the
    # table is created empty on the first query, with the views up to date.
    summit.load(BASE)
    summit.json("stance", "t")  # the views are caught up
    _drop_spending_view(summit.store)
    assert gbr(summit)["status"] == "no_data"
    assert summit.json("spending", "t", "--year", "2024")["no_data"] == [
        "DEU",
        "FRA",
        "GBR",
    ]
    summit.load([spent("gbr", "GBR", 2024, 2.33, "2025-06-05")])
    assert gbr(summit)["ref"] == "gbr"
    summit.ok("views", "rebuild")
    assert gbr(summit)["ref"] == "gbr"
