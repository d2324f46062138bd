"""Stances, pledges and gaps of every party on one proposal (SPEC §3 rules 3–5)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from domain.registry import name_of
from domain.vocabulary import UNKNOWN
from projections.inputs import Inputs, Pledge, inputs_from_history, view_head


def _exact(x: float) -> tuple[int, int]:
    """`x` as written (its shortest repr) as an integer and a decimal exponent:
    x == n × 10**-e exactly, as `Decimal(repr(x))` holds it."""
    text = repr(x) if isinstance(x, float) else str(x)
    mantissa, _, exponent = text.lower().partition("e")
    whole, _, fraction = mantissa.partition(".")
    return int(whole + fraction), len(fraction) - int(exponent or 0)


def gap_pp(target: float, pledged: float) -> float | int:
    """Rule 5's gap, `max(0, target - pledged)` in decimal on the numbers as
    written, rounded to 2 places halves up: as `decimal` computes it (a
    property test holds the two equal), in integers, so that a stance query
    does not load the decimal module (a cold query's start is most of it)."""
    (t, te), (p, pe) = _exact(target), _exact(pledged)
    scale = max(te, pe)
    diff = max(0, t * 10 ** (scale - te) - p * 10 ** (scale - pe))
    if diff >= 10**28:  # decimal's context keeps 28 digits, halves to even
        drop = len(str(diff)) - 28
        diff, rest = divmod(diff, 10**drop)
        if 2 * rest > 10**drop or (2 * rest == 10**drop and diff % 2 == 1):
            diff += 1
        scale -= drop
    if scale <= 2:
        cents = diff * 10 ** (2 - scale)
    else:  # halves up: the gap is never negative
        cents = (diff * 200 + 10**scale) // (2 * 10**scale)
    if cents % 100 == 0 and cents < 10**17:
        return int(cents // 100)
    return float(f"{cents // 100}.{cents % 100:02d}")


def latest_pledges(party: str, pledges: list[Pledge]) -> dict[tuple[str, int], Pledge]:
    """Rule 5: the latest pledge of `party` for each (metric, by_year)."""
    latest: dict[tuple[str, int], Pledge] = {}
    for p in pledges:
        if p.party == party:
            latest[(p.metric, p.by_year)] = p
    return latest


def pledges_of(party: str, pledges: list[Pledge]) -> list[dict[str, Any]]:
    """Rule 5's pledges of `party` as the stance view lists them."""
    return [
        {
            "metric": p.metric,
            "pct_gdp": p.pct_gdp,
            "by_year": p.by_year,
            "firmness": p.firmness,
            "ref": p.ref,
        }
        for _, p in sorted(latest_pledges(party, pledges).items())
    ]


def pledges_by_party(pledges: list[Pledge]) -> dict[str, list[Pledge]]:
    """The pledges of each party, in their order (so `pledges_of` reads only
    its own party's)."""
    grouped: dict[str, list[Pledge]] = {}
    for p in pledges:
        grouped.setdefault(p.party, []).append(p)
    return grouped


def gaps_of(pledges: list[dict[str, Any]], targets: list[Any]) -> list[dict[str, Any]]:
    """Rule 5: for each target, the best matching pledge and the decimal gap."""
    gaps = []
    for t in targets:
        matching = [
            p["pct_gdp"]
            for p in pledges
            if p["metric"] == t["metric"] and p["by_year"] <= t["by_year"]
        ]
        # Floats order as their decimal values do (repr is exact).
        pledged = max(matching) if matching else None
        gap = None if pledged is None else gap_pp(t["pct_gdp"], pledged)
        gaps.append(
            {
                "metric": t["metric"],
                "target_pct": t["pct_gdp"],
                "by_year": t["by_year"],
                "pledged_pct": pledged,
                "gap_pp": gap,
                "meets": gap == 0 if gap is not None else False,
            }
        )
    return gaps


def stance_rows(inputs: Inputs) -> dict[str, dict[str, Any]]:
    """Rule 4 for every party: stance, since, evidence, conditions."""
    if inputs.stances is not None:
        return inputs.stances
    rows: dict[str, dict[str, Any]] = {
        p: {"stance": UNKNOWN, "since": None, "evidence": None, "conditions": None}
        for p in inputs.parties
    }
    for ev in inputs.evidence:
        row = rows[ev.party]
        if row["stance"] != ev.stance:
            row["since"] = ev.occurred_on
        row["stance"] = ev.stance
        row["evidence"] = ev.ref
        row["conditions"] = ev.conditions
    return rows


def stance_from(
    inputs: Inputs,
    *,
    as_of: str | None = None,
    known_at: str | None = None,
    allies: Sequence[str] = (),
) -> dict[str, Any]:
    """The `summit stance` JSON document (SPEC §4) from its inputs."""
    rows = stance_rows(inputs)
    by_party = pledges_by_party(inputs.pledges)
    shown: list[dict[str, Any]] = []
    for code in inputs.parties:
        if allies and code not in allies:
            continue
        pledges = pledges_of(code, by_party.get(code, []))
        shown.append(
            {
                "ally": code,
                "name": name_of(code),
                **rows[code],
                "pledges": pledges,
                "gaps": gaps_of(pledges, inputs.targets),
            }
        )
    return {**view_head(inputs, as_of, known_at), "allies": shown}


def stance_view(
    history: Any,
    proposal: str,
    *,
    as_of: str | None = None,
    known_at: str | None = None,
    allies: Sequence[str] = (),
) -> dict[str, Any]:
    """The `summit stance` JSON document, folded from a history."""
    inputs = inputs_from_history(history, proposal, as_of)
    return stance_from(inputs, as_of=as_of, known_at=known_at, allies=allies)
