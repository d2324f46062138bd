"""The report's Delivery section: the chart, the summary counts and one row per
ally and target, from the `summit delivery` view (SPEC §4) as it stands."""

from __future__ import annotations

from typing import Any

from cli.render.charts import common as charts
from cli.render.charts.delivery import STATUS_RANK, delivery_svg, panel_order
from domain.vocabulary import DELIVERY_STATUSES

STATUS_CLASS = {
    "met": "meets",
    "on_track": "meets",
    "off_track": "short",
    "missed": "short",
    "insufficient_data": "none",
}
FIELDS = (
    "reported_pct",
    "reported_year",
    "basis",
    "gap_pp",
    "trend_pp_per_year",
    "required_pp_per_year",
    "status",
)


def cell(value: Any) -> str:
    """A value of the view as the table shows it: as written, `—` for null."""
    return charts.fmt_pct(value)


def _rows(delivery: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per ally and target with a figure, furthest behind first."""
    rows = []
    for ally in panel_order(delivery):
        entries = [d for d in ally["delivery"] if d["status"] != "no_data"]
        entries.sort(key=lambda d: STATUS_RANK.get(d["status"], 2))
        for d in entries:
            rows.append(
                {
                    "code": ally["ally"],
                    "name": ally.get("name") or ally["ally"],
                    "metric": d["metric"],
                    "target": charts.describe_target(d),
                    "ref": d.get("ref"),
                    "kind": STATUS_CLASS.get(d["status"], "none"),
                    "cells": {f: cell(d.get(f)) for f in FIELDS},
                    "pledges": [_pledge(p) for p in ally.get("pledges") or []],
                }
            )
    return rows


def _pledge(pledge: dict[str, Any]) -> str:
    text = f"{charts.describe_target(pledge)}: {pledge['status']}"
    if pledge.get("reported_pct") is not None:
        text += f" ({cell(pledge['reported_pct'])}% reported)"
    return text


def _summary(delivery: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"target": charts.describe_target(s), "metric": s["metric"], **s}
        for s in delivery.get("summary") or []
    ]


def delivery_section(delivery: dict[str, Any] | None, source_line: str) -> Any:
    """What the template's Delivery section shows, or None without a view."""
    if delivery is None:
        return None
    no_figure = [a for a in delivery.get("allies") or [] if not a.get("spending")]
    if len(no_figure) == len(delivery.get("allies") or []):
        return {"empty": True}
    from markupsafe import Markup

    try:
        svg = delivery_svg(delivery, source_line=source_line)
        chart = Markup(charts.inline_svg(svg))
    except charts.ChartsUnavailable:
        chart = None
    return {
        "empty": False,
        "chart": chart,
        "summary": _summary(delivery),
        "statuses": DELIVERY_STATUSES,
        "rows": _rows(delivery),
        "no_figure": [f"{a.get('name') or a['ally']} ({a['ally']})" for a in no_figure],
    }
