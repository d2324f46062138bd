"""One self-contained, publishable HTML page of a negotiation, from the JSON views.

Rendered with Jinja2 (autoescaped: quotes and notes come from the outside world);
charts are inlined as SVG, CSS is inline, and nothing is fetched over the network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cli.render.charts import common as charts
from cli.render.charts.consensus import consensus_svg as draw_consensus
from cli.render.charts.pledges import pledges_svg as draw_pledges
from cli.render.report.delivery import delivery_section
from cli.render.report.stancemap import map_context
from cli.render.text import visible

TEMPLATES = Path(__file__).parent
NO_CHARTS_NOTE = "Charts are not included: " + charts.INSTALL_HINT + "."


class ReportUnavailable(RuntimeError):
    """Jinja2 (the `summit[report]` extra) is not installed."""


def http_url(url: str | None) -> str | None:
    """`url` when it is a plain http(s) link, else None (never a live `href`)."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    ok = parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
    return url.strip() if ok else None


def _visible(value: Any) -> Any:
    """Every value the template prints, with stored control characters escaped
    (the charts, already markup, are left as they are)."""
    from markupsafe import Markup

    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value)
    return value


QUOTE_CAP = 280  # characters shown before a long text folds into <details>


def capped(text: str | None) -> dict[str, Any]:
    """`text` as `summary` (at most QUOTE_CAP characters, cut at a word) and
    `full` (the whole text, when it was cut, else None)."""
    if not text or len(text) <= QUOTE_CAP:
        return {"summary": text, "full": None}
    cut = text[:QUOTE_CAP].rsplit(" ", 1)[0] or text[:QUOTE_CAP]
    return {"summary": cut + " …", "full": text}


def _evidence_entry(row: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    event = row.get("event") or {}
    source = event.get("source") or {}
    actor = event.get("actor")
    position = event.get("position") or {}
    signatories = event.get("signatories")
    if isinstance(signatories, list):
        signatories = ", ".join(signatories)
    return {
        "ref": row.get("ref"),
        "type": row.get("type"),
        "occurred_on": row.get("occurred_on"),
        "retracted": bool(row.get("retracted")),
        "corrected": bool(row.get("corrected")),
        **{f"summary_{k}": v for k, v in capped(row.get("summary")).items()},
        "actor": f"{names.get(actor, actor)} ({actor})" if actor else None,
        "speaker": event.get("speaker"),
        "role": event.get("role"),
        "venue": event.get("venue"),
        **{f"quote_{k}": v for k, v in capped(event.get("quote")).items()},
        "stance": position.get("stance"),
        "conditions": position.get("conditions"),
        "body": event.get("body"),
        "document": event.get("document"),
        "signatories": signatories,
        "reservations": event.get("reservations") or {},
        "outlet": source.get("outlet"),
        "url": source.get("url"),
        "href": http_url(source.get("url")),
        "published_on": source.get("published_on"),
        "reliability": source.get("reliability"),
        "note": event.get("note"),
    }


def _gap_cell(gap: dict[str, Any]) -> dict[str, str]:
    target = charts.describe_target(
        {
            "metric": gap["metric"],
            "pct_gdp": gap["target_pct"],
            "by_year": gap["by_year"],
        }
    )
    if gap.get("pledged_pct") is None:
        return {"target": target, "text": "no pledge", "kind": "none"}
    pledged = charts.fmt_pct(gap["pledged_pct"])
    if gap.get("meets"):
        return {"target": target, "text": f"{pledged}%: meets", "kind": "meets"}
    gap_pp = charts.fmt_pct(gap.get("gap_pp"))
    return {"target": target, "text": f"{pledged}%: gap {gap_pp} pp", "kind": "short"}


def _pledge_text(pledge: dict[str, Any]) -> str:
    text = charts.describe_target(pledge)
    return text + (" (ambition)" if pledge.get("firmness") == "ambition" else "")


def _charts(views: dict[str, Any], source_line: str, drawn_through: str) -> Any:
    """Both charts as inline SVG (`views`: stance, consensus, timeline and the
    negotiation), or None without matplotlib."""
    from markupsafe import Markup

    stance = views["stance"]
    try:
        consensus_svg = draw_consensus(
            views["consensus"],
            title_targets=stance.get("targets") or [],
            summit_on=views["negotiation"].get("summit_on"),
            signoffs=charts.signoffs_from_timeline(views["timeline"]),
            source_line=source_line,
            as_of=drawn_through,
        )
        pledges_svg = draw_pledges(stance, source_line=source_line)
    except charts.ChartsUnavailable:
        return None
    # matplotlib escapes every text it writes into the SVG, so it is markup-safe.
    return {
        "consensus": Markup(charts.inline_svg(consensus_svg)),
        "pledges": Markup(charts.inline_svg(pledges_svg)),
    }


def render_report(
    *,
    stance: dict[str, Any],
    consensus: dict[str, Any],
    timeline: dict[str, Any],
    negotiation: dict[str, Any],
    log_position: int,
    head_digest: str | None,
    generated_at: str,
    chart_end: str | None = None,
    over_time: dict[str, Any] | None = None,
    delivery: dict[str, Any] | None = None,
) -> str:
    """The report as one HTML document (UTF-8 text, no external resources).

    `chart_end` is where the consensus chart's time axis stops when the view
    has no `as_of` (default: the day the report is generated); `over_time`
    (projections.over_time) adds the stance map's time slider; `delivery`, the
    `summit delivery` view, adds the Delivery section.
    """
    try:
        import jinja2
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ReportUnavailable(
            "the report needs jinja2: pip install 'summit[report]'"
        ) from exc

    allies = stance.get("allies") or []
    names = {a["ally"]: a.get("name") or a["ally"] for a in allies}
    events = timeline.get("events") or []
    by_ref = {row.get("ref"): row for row in events if row.get("ref")}

    cited: list[str] = []
    for ally in allies:
        refs = [ally.get("evidence")] + [
            p.get("ref") for p in ally.get("pledges") or []
        ]
        cited += [r for r in refs if r and r in by_ref and r not in cited]
    order = {row.get("ref"): i for i, row in enumerate(events)}
    cited.sort(key=lambda ref: order[ref])
    evidence = [_evidence_entry(by_ref[ref], names) for ref in cited]
    linked = set(cited)

    rows = [
        {
            "code": a["ally"],
            "name": names[a["ally"]],
            "stance": a.get("stance") or "unknown",
            "since": a.get("since"),
            "evidence": a.get("evidence"),
            "evidence_linked": a.get("evidence") in linked,
            "conditions": a.get("conditions"),
            "pledges": [
                {
                    "text": _pledge_text(p),
                    "ref": p.get("ref"),
                    "linked": p.get("ref") in linked,
                }
                for p in a.get("pledges") or []
            ],
            "gaps": [_gap_cell(g) for g in a.get("gaps") or []],
        }
        for a in allies
    ]
    stances = {a["ally"]: a.get("stance") or "unknown" for a in allies}
    as_of = consensus.get("as_of")
    known_at = consensus.get("known_at")
    latest = charts.latest_on(timeline)
    source_line = charts.make_source_line(
        log_position=log_position, as_of=as_of, known_at=known_at, latest=latest
    )
    quiet = [r for r in rows if not r["evidence"] and not r["pledges"]]
    context = {
        "negotiation": negotiation,
        "proposal": consensus.get("proposal") or stance.get("proposal"),
        "targets": [charts.describe_target(t) for t in stance.get("targets") or []],
        "counts": {
            s: (consensus.get("counts") or {}).get(s, 0) for s in charts.STANCES
        },
        "supports": (consensus.get("counts") or {}).get("supports", 0),
        "parties": consensus.get("parties", len(allies)),
        "holdouts": [
            {"code": c, "name": names.get(c, c), "stance": stances.get(c, "unknown")}
            for c in consensus.get("holdouts") or []
        ],
        "reached_on": consensus.get("reached_on"),
        "as_of": as_of,
        "cut": charts.cut_text(as_of, latest),
        "known_at": known_at,
        "charts": _charts(
            {
                "stance": stance,
                "consensus": consensus,
                "timeline": timeline,
                "negotiation": negotiation,
            },
            source_line,
            as_of or chart_end or generated_at[:10],
        ),
        "no_charts_note": NO_CHARTS_NOTE,
        "delivery": delivery_section(delivery, source_line),
        "rows": [r for r in rows if r not in quiet],
        "quiet": quiet,
        "evidence": evidence,
        "timeline": [
            {
                "position": row.get("position"),
                "occurred_on": row.get("occurred_on"),
                "recorded_on": (row.get("recorded_at") or "")[:10],
                "type": row.get("type"),
                "ref": row.get("ref"),
                "linked": row.get("ref") in linked,
                **capped(row.get("summary")),
                "retracted": bool(row.get("retracted")),
                "corrected": bool(row.get("corrected")),
            }
            for row in events
        ],
        "map": map_context(
            allies,
            names,
            over_time,
            lambda ref: _evidence_entry(by_ref[ref], names) if ref in by_ref else None,
        ),
        "stance_colours": charts.STANCE_COLOURS,
        "log_position": log_position,
        "head_digest": head_digest,
        "generated_at": generated_at,
        "source_line": source_line,
    }
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_visible,
    )
    return env.get_template("report.html.j2").render(context)
