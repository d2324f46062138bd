"""A deterministic generator of valid summit events, for benchmarks.

    python bench/generate.py 200000 > bench/out/events-200000.jsonl
    python bench/generate.py 50000 50000 > one-negotiation-of-50000.jsonl

Many negotiations of about 2,000 events each (so a store of 20,000 and one of
200,000 differ in how many negotiations they hold, not in how big each one
is), with proposals, revisions, statements with positions, pledges,
sign-offs with reservations, and a few retractions and corrections.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

sys.path.insert(0, __file__.rsplit("/bench/", 1)[0])

from domain import vocabulary
from domain.registry import nato_members_on

PER_NEGOTIATION = 2000
PARTIES = nato_members_on(date(2025, 6, 24))
STANCES = list(vocabulary.STANCES)
METRICS = list(vocabulary.METRICS)
OUTLETS = ["Reuters", "AFP", "Politico Europe", "Financial Times", "NATO"]
RELIABILITY = list(vocabulary.RELIABILITIES)


def _day(rng: random.Random) -> str:
    return (date(2025, 1, 1) + timedelta(days=rng.randrange(0, 180))).isoformat()


def _source(rng: random.Random) -> dict[str, Any]:
    return {
        "outlet": rng.choice(OUTLETS),
        "url": f"https://example.org/{rng.randrange(10**9)}",
        "reliability": rng.choice(RELIABILITY),
    }


def _targets(rng: random.Random) -> list[dict[str, Any]]:
    year = rng.choice([2030, 2032, 2035])
    return [
        {"metric": "core_defence", "pct_gdp": rng.choice([3, 3.5]), "by_year": year},
        {"metric": "defence_related", "pct_gdp": 1.5, "by_year": year},
    ]


def negotiation(rng: random.Random, n: int, size: int) -> Iterator[dict[str, Any]]:
    """One negotiation's events, in recording order."""
    neg = f"bench-{n:04d}"
    yield {
        "type": "negotiation.opened",
        "negotiation": neg,
        "ref": "opened",
        "occurred_on": "2025-01-01",
        "title": f"Benchmark table {n}",
        "summit_on": "2025-06-24",
        "venue": "The Hague",
        "parties": "nato",
    }
    proposals = ["p-main", "p-alt"]
    for p in proposals:
        yield {
            "type": "proposal.tabled",
            "negotiation": neg,
            "ref": f"tab-{p}",
            "occurred_on": _day(rng),
            "proposal": p,
            "by": "NATO",
            "title": f"Proposal {p}",
            "targets": _targets(rng),
            "source": _source(rng),
        }
    live: list[str] = []
    for i in range(size - 3):
        ref = f"e{i}"
        roll = rng.random()
        base = {"negotiation": neg, "ref": ref}
        if roll < 0.55:
            event: dict[str, Any] = {
                "type": "statement.made",
                **base,
                "occurred_on": _day(rng),
                "actor": rng.choice([*PARTIES, "NATO"]),
                "speaker": f"Speaker {rng.randrange(500)}",
                "quote": "We will do what it takes." if rng.random() < 0.5 else None,
                "summary": "Said something about defence spending.",
                "source": _source(rng),
            }
            if rng.random() < 0.7:
                event["position"] = {
                    "proposal": rng.choice(proposals),
                    "stance": rng.choice(STANCES),
                }
            event = {k: v for k, v in event.items() if v is not None}
        elif roll < 0.82:
            event = {
                "type": "pledge.made",
                **base,
                "occurred_on": _day(rng),
                "actor": rng.choice(PARTIES),
                "metric": rng.choice(METRICS),
                "pct_gdp": round(rng.uniform(1.0, 5.5), 2),
                "by_year": rng.choice([2027, 2030, 2032, 2035]),
                "firmness": rng.choice(vocabulary.FIRMNESS),
                "source": _source(rng),
            }
        elif roll < 0.86:
            event = {
                "type": "proposal.revised",
                **base,
                "occurred_on": _day(rng),
                "proposal": rng.choice(proposals),
                "targets": _targets(rng),
                "reason": "Negotiated change.",
            }
        elif roll < 0.96:
            signers = rng.sample(PARTIES, rng.randrange(1, len(PARTIES)))
            event = {
                "type": "signoff.recorded",
                **base,
                "occurred_on": _day(rng),
                "body": "Defence ministers",
                "document": f"Decision {i}",
                "signatories": signers,
                "proposal": rng.choice(proposals),
                "source": _source(rng),
            }
            if rng.random() < 0.5:
                event["reservations"] = {rng.choice(signers): "national procedures"}
        elif roll < 0.98 and live:
            target = live.pop(rng.randrange(len(live)))
            event = {
                "type": "record.retracted",
                **base,
                "target": target,
                "reason": "Misattributed.",
            }
            yield event
            continue
        elif live:
            event = {
                "type": "record.corrected",
                **base,
                "target": rng.choice(live),
                "changes": {"note": f"Corrected {i}"},
                "reason": "Detail fixed.",
            }
            yield event
            continue
        else:
            continue
        live.append(ref)
        yield event


def generate(
    total: int, seed: int = 2025, per: int = PER_NEGOTIATION
) -> Iterator[dict[str, Any]]:
    """`total` events (roughly: each negotiation holds about `per`)."""
    rng = random.Random(seed)
    count = 0
    n = 0
    while count < total:
        size = min(per, total - count)
        if size < 3:
            break
        for event in negotiation(rng, n, size):
            yield event
            count += 1
        n += 1


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    per = int(sys.argv[2]) if len(sys.argv) > 2 else PER_NEGOTIATION
    out = sys.stdout
    for event in generate(total, per=per):
        out.write(json.dumps(event, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
