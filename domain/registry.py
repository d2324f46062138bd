"""The fixed registers: NATO allies with accession dates, and the institutions."""

from __future__ import annotations

from datetime import date
from typing import Any

INSTITUTIONS: dict[str, str] = {
    "NATO": "NATO (Secretary General and International Staff)",
    "EU": "European Union",
}

# ISO 3166-1 alpha-3 code -> (name, date the ally joined the alliance).
NATO_ALLIES: dict[str, tuple[str, date]] = {
    "BEL": ("Belgium", date(1949, 8, 24)),
    "CAN": ("Canada", date(1949, 8, 24)),
    "DNK": ("Denmark", date(1949, 8, 24)),
    "FRA": ("France", date(1949, 8, 24)),
    "ISL": ("Iceland", date(1949, 8, 24)),
    "ITA": ("Italy", date(1949, 8, 24)),
    "LUX": ("Luxembourg", date(1949, 8, 24)),
    "NLD": ("Netherlands", date(1949, 8, 24)),
    "NOR": ("Norway", date(1949, 8, 24)),
    "PRT": ("Portugal", date(1949, 8, 24)),
    "GBR": ("United Kingdom", date(1949, 8, 24)),
    "USA": ("United States", date(1949, 8, 24)),
    "GRC": ("Greece", date(1952, 2, 18)),
    "TUR": ("Türkiye", date(1952, 2, 18)),
    "DEU": ("Germany", date(1955, 5, 6)),
    "ESP": ("Spain", date(1982, 5, 30)),
    "CZE": ("Czechia", date(1999, 3, 12)),
    "HUN": ("Hungary", date(1999, 3, 12)),
    "POL": ("Poland", date(1999, 3, 12)),
    "BGR": ("Bulgaria", date(2004, 3, 29)),
    "EST": ("Estonia", date(2004, 3, 29)),
    "LVA": ("Latvia", date(2004, 3, 29)),
    "LTU": ("Lithuania", date(2004, 3, 29)),
    "ROU": ("Romania", date(2004, 3, 29)),
    "SVK": ("Slovakia", date(2004, 3, 29)),
    "SVN": ("Slovenia", date(2004, 3, 29)),
    "ALB": ("Albania", date(2009, 4, 1)),
    "HRV": ("Croatia", date(2009, 4, 1)),
    "MNE": ("Montenegro", date(2017, 6, 5)),
    "MKD": ("North Macedonia", date(2020, 3, 27)),
    "FIN": ("Finland", date(2023, 4, 4)),
    "SWE": ("Sweden", date(2024, 3, 7)),
}


def nato_members_on(day: date) -> list[str]:
    """Codes of the allies that are members on `day`, sorted."""
    return sorted(code for code, (_, joined) in NATO_ALLIES.items() if joined <= day)


def expand_parties(opened: dict[str, Any]) -> list[str]:
    """The party codes of an opening: `"nato"` means the allies on the summit date."""
    parties = opened["parties"]
    if parties == "nato":
        return nato_members_on(date.fromisoformat(opened["summit_on"]))
    return sorted(parties)


def name_of(code: str) -> str:
    """A readable name for a party or institution (the code when unknown)."""
    if code in NATO_ALLIES:
        return NATO_ALLIES[code][0]
    return INSTITUTIONS.get(code, code)
