"""Zone names, aliases and suggestions; wall time to UTC and back; offset labels.

The rest of the package names zones by string (``"Asia/Seoul"``, ``"UTC"``,
``"AoE"``) and works with naive wall-clock datetimes plus such a name. This
module is built only on the backend, :mod:`feeds.tz.database`, which alone
imports the tz library.
"""

from __future__ import annotations

import difflib
from datetime import datetime
from functools import lru_cache

from feeds.tz import database
from feeds.tz.database import AOE, UTC_NAME, WallTimeError, to_utc, to_wall
from feeds.tz.vtimezone import label, offset_text

__all__ = [
    "AOE",
    "UTC_NAME",
    "WallTimeError",
    "abbreviation",
    "canonical",
    "is_utc_like",
    "offset_label",
    "suggest",
    "to_utc",
    "to_wall",
]

_ALIASES = {
    "aoe": AOE,
    "anywhere on earth": AOE,
    "utc-12": AOE,
    "utc": UTC_NAME,
    "z": UTC_NAME,
    "gmt": UTC_NAME,
    "etc/utc": UTC_NAME,
    "etc/gmt": UTC_NAME,
}

# Abbreviations people write; they are not zones, but we can say which one
# they probably meant.
_ABBREVIATIONS = {
    "KST": "Asia/Seoul",
    "JST": "Asia/Tokyo",
    "CST": "America/Chicago or Asia/Shanghai",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "PT": "America/Los_Angeles",
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "ET": "America/New_York",
    "CET": "Europe/Paris",
    "CEST": "Europe/Paris",
    "BST": "Europe/London",
    "IST": "Asia/Kolkata",
    "AEST": "Australia/Sydney",
    "SGT": "Asia/Singapore",
    "HKT": "Asia/Hong_Kong",
}


def canonical(name: str) -> str | None:
    """The zone's canonical name, or None when the tz database does not know it."""
    key = name.strip()
    alias = _ALIASES.get(key.lower())
    if alias:
        return alias
    if key in _all_zones():
        return key
    lowered = _lowercase_index().get(key.lower())
    return lowered


def suggest(name: str) -> str:
    """A hint for an unknown zone name: the likeliest zone(s) it meant."""
    key = name.strip()
    if key.upper() in _ABBREVIATIONS:
        return f"use an IANA name such as '{_ABBREVIATIONS[key.upper()]}', not an abbreviation"
    city = key.replace(" ", "_").lower()
    by_city = [z for z in _all_zones() if z.rsplit("/", 1)[-1].lower() == city]
    if by_city:
        return f"did you mean '{by_city[0]}'?"
    close = difflib.get_close_matches(key, _all_zones(), n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "use an IANA name such as 'Asia/Seoul', or 'UTC', or 'AoE'"


def in_tz_database(zone: str) -> bool:
    """True for names clients can look up (X-WR-TIMEZONE, TZID); False for ours, like AoE."""
    return zone != AOE


def is_utc_like(zone: str) -> bool:
    """True for zones whose times are written as UTC instants (``...Z``) in feeds."""
    return zone in (UTC_NAME, AOE)


def offset_label(instant: datetime, zone: str) -> str:
    """``UTC+9``, ``UTC-12``, ``UTC+5:30``: the zone's offset at ``instant``."""
    return offset_text(database.state_at(instant, zone).offset)


def abbreviation(instant: datetime, zone: str) -> str:
    """The zone's abbreviation at ``instant`` (``KST``, ``PDT``), or its offset label."""
    if zone == AOE:
        return "AoE"
    return label(database.state_at(instant, zone), zone)


@lru_cache(maxsize=1)
def _all_zones() -> frozenset[str]:
    return database.zone_names()


@lru_cache(maxsize=1)
def _lowercase_index() -> dict[str, str]:
    return {z.lower(): z for z in sorted(_all_zones())}
