"""Hypothesis strategies for valid event sequences of one negotiation."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

PARTIES = ["DEU", "FRA", "GBR", "POL"]
STANCES = ["supports", "conditional", "undecided", "opposes"]
METRICS = ["core_defence", "defence_related", "total"]
SRC = {"outlet": "Wire", "reliability": "reported"}

days = st.integers(min_value=0, max_value=40).map(
    lambda d: (date(2025, 6, 1) + timedelta(days=d)).isoformat()
)
pcts = st.sampled_from([1, 1.5, 2, 2.125, 2.5, 3, 3.333, 3.5, 5])
years = st.integers(min_value=2027, max_value=2036)
spent_pcts = st.sampled_from([0, 1.2, 1.99, 2, 2.005, 2.49, 3.5, 5])
spent_years = st.integers(min_value=2023, max_value=2030)
targets = st.lists(
    st.fixed_dictionaries(
        {"metric": st.sampled_from(METRICS), "pct_gdp": pcts, "by_year": years}
    ),
    min_size=1,
    max_size=3,
    unique_by=lambda t: (t["metric"], t["by_year"]),  # one target per metric and year
)


@st.composite
def negotiation_log(
    draw: Any, neg: str = "prop", max_events: int = 25
) -> list[dict[str, Any]]:
    """A valid log: opening, one or two proposals, then a mix of everything."""
    events: list[dict[str, Any]] = [
        {
            "type": "negotiation.opened",
            "negotiation": neg,
            "ref": "open",
            "occurred_on": "2025-05-01",
            "title": "Property table",
            "summit_on": "2025-06-24",
            "venue": "Somewhere",
            "parties": PARTIES,
        },
        {
            "type": "proposal.tabled",
            "negotiation": neg,
            "ref": "tab-p",
            "occurred_on": draw(days),
            "proposal": "p",
            "by": "NATO",
            "title": "P",
            "targets": draw(targets),
        },
    ]
    n = draw(st.integers(min_value=0, max_value=max_events))
    for i in range(n):
        kind = draw(
            st.sampled_from(
                [
                    "statement",
                    "statement",
                    "pledge",
                    "spending",
                    "spending",
                    "signoff",
                    "revise",
                    "retract",
                    "correct",
                ]
            )
        )
        ref = f"e{i}"
        if kind == "statement":
            record = {
                "type": "statement.made",
                "negotiation": neg,
                "ref": ref,
                "occurred_on": draw(days),
                "actor": draw(st.sampled_from([*PARTIES, "NATO"])),
                "speaker": "Someone",
                "source": SRC,
            }
            if draw(st.booleans()):
                position = {"proposal": "p", "stance": draw(st.sampled_from(STANCES))}
                if draw(st.booleans()):
                    position["conditions"] = "if others do"
                record["position"] = position
        elif kind == "pledge":
            record = {
                "type": "pledge.made",
                "negotiation": neg,
                "ref": ref,
                "occurred_on": draw(days),
                "actor": draw(st.sampled_from(PARTIES)),
                "metric": draw(st.sampled_from(METRICS)),
                "pct_gdp": draw(pcts),
                "by_year": draw(years),
                "firmness": draw(st.sampled_from(["commitment", "ambition"])),
                "source": SRC,
            }
        elif kind == "spending":
            record = {
                "type": "spending.reported",
                "negotiation": neg,
                "ref": ref,
                "occurred_on": draw(days),
                "actor": draw(st.sampled_from(PARTIES)),
                "metric": draw(st.sampled_from(METRICS)),
                "year": draw(spent_years),
                "pct_gdp": draw(spent_pcts),
                "basis": draw(st.sampled_from(["estimate", "actual"])),
                "source": SRC,
            }
        elif kind == "signoff":
            signatories = draw(
                st.one_of(
                    st.just("all"),
                    st.lists(
                        st.sampled_from(PARTIES), min_size=1, max_size=4, unique=True
                    ),
                )
            )
            signed = PARTIES if signatories == "all" else signatories
            record = {
                "type": "signoff.recorded",
                "negotiation": neg,
                "ref": ref,
                "occurred_on": draw(days),
                "body": "Ministers",
                "document": "Decision",
                "signatories": signatories,
                "proposal": "p",
                "source": SRC,
            }
            if draw(st.booleans()):
                record["reservations"] = {draw(st.sampled_from(signed)): "caveat"}
        elif kind == "revise":
            record = {
                "type": "proposal.revised",
                "negotiation": neg,
                "ref": ref,
                "occurred_on": draw(days),
                "proposal": "p",
                "targets": draw(targets),
                "reason": "moved",
            }
        elif kind == "retract" and _retractable(events):
            record = {
                "type": "record.retracted",
                "negotiation": neg,
                "ref": ref,
                "target": draw(st.sampled_from(_retractable(events))),
                "reason": "wrong",
            }
        elif kind == "correct" and _correctable(events):
            target = draw(st.sampled_from(_correctable(events)))
            record = {
                "type": "record.corrected",
                "negotiation": neg,
                "ref": ref,
                "target": target,
                "changes": {"occurred_on": draw(days)},
                "reason": "date was wrong",
            }
            if book_type(events, target) == "spending.reported" and draw(st.booleans()):
                record["changes"] = {"pct_gdp": draw(spent_pcts)}
        else:
            continue
        events.append(record)
    return events


def _book(events: list[dict[str, Any]]) -> Any:
    from domain.book import RecordBook
    from domain.interchange import parse_record

    book = RecordBook()
    for e in events:
        book.apply(parse_record(e))
    return book


def _retractable(events: list[dict[str, Any]]) -> list[str]:
    book = _book(events)
    return [
        r
        for r, e in book.entries.items()
        if not e.retracted and e.type not in ("negotiation.opened", "proposal.tabled")
    ]


def _correctable(events: list[dict[str, Any]]) -> list[str]:
    book = _book(events)
    return [
        r
        for r, e in book.entries.items()
        if not e.retracted and e.type in ("statement.made", "spending.reported")
    ]


def book_type(events: list[dict[str, Any]], ref: str) -> str:
    """The event type of `ref` among `events`."""
    return str(_book(events).entries[ref].type)
