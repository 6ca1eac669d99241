"""Zone names, aliases and suggestions; wall time to UTC and back; offset labels.

The rest of the package names zones by string (``"Asia/Seoul"``, ``"UTC"``,
``"AoE"``, ``"UTC-8"``) and works with naive wall-clock datetimes plus such a name.
UTC, AoE and the fixed offsets are ours: written as UTC instants, never as a TZID
(:func:`is_utc_like`, :func:`in_tz_database`); :mod:`feeds.tz.spellings` reads
the fixed-offset spellings and knows the abbreviations. This
module is built only on the backend, :mod:`feeds.tz.database`, which alone
imports the tz library.
"""

from __future__ import annotations

import difflib
from datetime import datetime, timedelta
from functools import lru_cache

from feeds.tz import database, spellings
from feeds.tz.database import AOE, UTC_NAME, WallTimeError, to_utc, to_wall
from feeds.tz.vtimezone import label

__all__ = [
    "AOE",
    "UTC_NAME",
    "WallTimeError",
    "abbreviation",
    "canonical",
    "city",
    "fixed_name",
    "in_tz_database",
    "is_utc_like",
    "offset_label",
    "refusal",
    "suggest",
    "to_utc",
    "to_wall",
]

_ALIASES = {
    "aoe": AOE,
    "anywhere on earth": AOE,
    "utc": UTC_NAME,
    "z": UTC_NAME,
    "gmt": UTC_NAME,
    # the tz database's other names for UTC: written as UTC, never as a TZID
    **{
        name: UTC_NAME
        for bare in ("utc", "gmt", "uct", "gmt0", "greenwich", "universal", "zulu")
        for name in (bare, f"etc/{bare}")
    },
}


def canonical(name: str) -> str | None:
    """The zone's canonical name, or None when it is not one (:func:`refusal` says why).

    An IANA name as the tz database spells it; ``UTC``; ``AoE``; or a fixed offset as
    :func:`~feeds.tz.spellings.offset_text` writes it (``UTC-8``), from ``UTC-8``,
    ``GMT-8:00``, ``UTC−8`` or ``Etc/GMT+8``. UTC+0 is ``UTC`` and UTC-12 is ``AoE``.
    Abbreviations (``PST``) are not zones, even those the database keeps (``EST``, ``CET``).
    """
    key = name.strip()
    if key.upper() in spellings.ABBREVIATIONS:
        return None
    alias = _ALIASES.get(key.lower())
    if alias:
        return alias
    try:
        offset = spellings.read_offset(key)
    except spellings.OffsetError:
        return None
    if offset is not None:
        return fixed_name(offset)
    if key in _all_zones():
        return key
    return _lowercase_index().get(key.lower())


def fixed_name(offset: timedelta) -> str:
    """The zone name of a fixed offset: ``UTC``, ``AoE`` (UTC-12) or ``UTC-8``."""
    if not offset:
        return UTC_NAME
    if offset == timedelta(hours=-12):
        return AOE
    return spellings.offset_text(offset)


def refusal(name: str) -> tuple[str, str]:
    """Why ``name`` (for which :func:`canonical` gave None) is not a zone, and the fix."""
    key = name.strip()
    hint = spellings.abbreviation_hint(key)
    if hint is not None:
        return f"'{key}' is an abbreviation, not a time zone", hint
    try:
        spellings.read_offset(key)
    except spellings.OffsetError as exc:
        return f"'{key}' is not an offset in use: {exc}", _CHECK_OFFSET
    return f"unknown time zone '{key}'", suggest(key)


_CHECK_OFFSET = "check the sign and the hours: UTC-8 is 8 hours behind UTC, UTC+9 is ahead of it"
_OFFSET_EXAMPLES = (
    "write a fixed offset as UTC, a sign and hours (UTC-8 is 8 hours behind UTC, UTC+5:30), "
    "or an IANA name"
)


def suggest(name: str) -> str:
    """A hint for a name that is not a zone; it never proposes a zone of another offset.

    A name with an offset in it (``UTC -8``, ``GMT+8:00:00``) gets that offset's spelling
    or none; only names without digits are matched against the tz database's names.
    """
    key = name.strip()
    hint = spellings.abbreviation_hint(key)
    if hint is not None:
        return hint
    loose = spellings.loose_offset(key)
    if loose is not None:
        offset, posix = loose
        if not spellings.in_bounds(offset):
            return f"that would be {spellings.offset_text(offset)}; {spellings.BOUNDS_TEXT}"
        meant = spellings.offset_text(offset) if offset else UTC_NAME
        note = " (an Etc/GMT name has the inverted sign: Etc/GMT+8 is UTC-8)" if posix else ""
        return f"did you mean '{meant}'?{note}"
    if any(c.isdigit() for c in key):
        return _OFFSET_EXAMPLES
    city = key.replace(" ", "_").lower()
    by_city = [z for z in _named_zones() if z.rsplit("/", 1)[-1].lower() == city]
    if by_city:
        return f"did you mean '{by_city[0]}'?"
    close = difflib.get_close_matches(key, _named_zones(), n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "use an IANA name such as 'Asia/Seoul', or 'UTC', or 'AoE'"


def in_tz_database(zone: str) -> bool:
    """True for names clients can look up (X-WR-TIMEZONE, TZID); False for ours (AoE, UTC-8)."""
    return zone != AOE and spellings.fixed(zone) is None


def is_utc_like(zone: str) -> bool:
    """True for zones whose times are written as UTC instants (``...Z``) in feeds.

    UTC, AoE and the fixed offsets (``UTC-8``): none is written as a TZID or a VTIMEZONE.
    """
    return zone in (UTC_NAME, AOE) or spellings.fixed(zone) is not None


def city(zone: str) -> str | None:
    """The place a zone is named after (``Seoul``, ``Los Angeles``); None for a fixed offset."""
    if zone == UTC_NAME or spellings.fixed(zone) is not None:
        return None
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def offset_label(instant: datetime, zone: str) -> str:
    """``UTC+9``, ``UTC-12``, ``UTC+5:30``: the zone's offset at ``instant``."""
    return spellings.offset_text(database.state_at(instant, zone).offset)


def abbreviation(instant: datetime, zone: str) -> str:
    """The zone's abbreviation at ``instant`` (``KST``, ``PDT``), or its offset label."""
    if zone == AOE:
        return "AoE"
    return label(database.state_at(instant, zone), zone)


@lru_cache(maxsize=1)
def _all_zones() -> frozenset[str]:
    return database.zone_names()


@lru_cache(maxsize=1)
def _named_zones() -> tuple[str, ...]:
    """The names a misspelling is matched against: places, not offsets or abbreviations."""
    return tuple(
        sorted(
            z
            for z in _all_zones()
            if not z.startswith("Etc/")
            and not any(c.isdigit() for c in z)
            and z.upper() not in spellings.ABBREVIATIONS
            and "/" in z
        )
    )


@lru_cache(maxsize=1)
def _lowercase_index() -> dict[str, str]:
    return {z.lower(): z for z in sorted(_all_zones())}
