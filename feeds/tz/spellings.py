"""Zone spellings that are not tz database names: fixed offsets and abbreviations.

The one reading of what people write besides IANA names:

* ``UTC±H[:MM]`` and ``GMT±H[:MM]`` (also ``UTC±HHMM``, ``UTC+05:30``, and U+2212 ``−``
  for the minus) carry the human sign: ``UTC-8`` is 8 hours *behind* UTC.
* ``Etc/GMT±N``, the tz database's POSIX names, carry the inverted sign: ``Etc/GMT+12``
  is UTC-12. They are read as the fixed offset they are and written like ``UTC-12``.
* Offsets run from UTC-12:00 to UTC+14:00, the ones in use on Earth (RFC 5545 would
  allow more); anything else is refused, never wrapped or clamped.
* Abbreviations (``PST``, ``CEST``, ``IST``) are not zones: each names a fixed offset,
  which is not the time of the place it is named after all year (``PST`` in June is not
  Los Angeles time: Los Angeles is on PDT then). They are refused, and :data:`ABBREVIATIONS`
  gives the hint: the fixed offset and the IANA zone, and how they differ.

The canonical name of a fixed offset is what :func:`offset_text` writes (``UTC-8``,
``UTC+5:30``). Pure functions on strings and timedeltas: imports nothing from the tz
library, so :mod:`feeds.tz.database` can use it.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import NamedTuple

#: The offsets in use on Earth: Baker Island (UTC-12) to Kiritimati (UTC+14).
LOWEST, HIGHEST = timedelta(hours=-12), timedelta(hours=14)
BOUNDS_TEXT = "offsets run from UTC-12 to UTC+14"

_MINUS = "-\u2212"  # ASCII hyphen-minus and U+2212 MINUS SIGN
_HUMAN = re.compile(
    rf"(?:UTC|GMT)(?P<sign>[+{_MINUS}])(?:(?P<h>\d{{1,2}})(?::(?P<m>\d{{2}}))?|(?P<hh>\d{{2}})(?P<mm>\d{{2}}))",
    re.IGNORECASE,
)
_POSIX = re.compile(r"Etc/GMT(?P<sign>[+-])(?P<h>\d{1,2})", re.IGNORECASE)
_CANONICAL = re.compile(r"UTC(?P<sign>[+-])(?P<h>\d{1,2})(?::(?P<m>\d{2}))?")
# What a hint reads an offset from: spaces, dashes and a trailing "h" or ":00" forgiven.
_LOOSE = re.compile(
    r"(?P<etc>etc/)?(?:utc|gmt|z)?(?P<sign>[+-])(?P<h>\d{1,3})(?:[:.h]?(?P<m>\d{2}))?(?::00)?h?",
    re.IGNORECASE,
)
_DASHES = str.maketrans({c: "-" for c in "\u2212\u2010\u2011\u2012\u2013\u2014\ufe63\uff0d"})


class OffsetError(ValueError):
    """A fixed-offset spelling whose offset no place uses (``UTC+15``, ``UTC+5:75``)."""


def offset_text(offset: timedelta) -> str:
    """``UTC+9``, ``UTC-12``, ``UTC+5:30``: the canonical name of a fixed offset."""
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def read_offset(name: str) -> timedelta | None:
    """The offset ``UTC-8``, ``GMT+5:30`` or ``Etc/GMT+12`` names; None for other names.

    :class:`OffsetError` for such a spelling outside :data:`LOWEST`..:data:`HIGHEST` or
    with minutes past 59.
    """
    key = name.strip()
    human = _HUMAN.fullmatch(key)
    if human:
        hours, minutes = human["h"] or human["hh"], human["m"] or human["mm"] or "0"
        return _bounded(human["sign"] == "+", int(hours), int(minutes))
    posix = _POSIX.fullmatch(key)
    if posix:
        return _bounded(posix["sign"] == "-", int(posix["h"]), 0, posix=True)
    return None


def fixed(zone: str) -> timedelta | None:
    """The offset of a canonical fixed-offset name (``UTC-8``, ``UTC+5:30``), else None."""
    match = _CANONICAL.fullmatch(zone)
    if not match:
        return None
    try:
        offset = _bounded(match["sign"] == "+", int(match["h"]), int(match["m"] or 0))
    except OffsetError:
        return None
    return offset if offset_text(offset) == zone else None


def loose_offset(name: str) -> tuple[timedelta, bool] | None:
    """For a hint: the offset a near-miss spelling means and whether it used the POSIX sign.

    ``UTC -8``, ``UTC+8:00:00``, ``GMT+8h``, ``+09:00``, ``Etc/GMT+13``. The offset may
    lie outside the bounds (the hint then says so); None when no offset can be read.
    """
    key = "".join(name.translate(_DASHES).split())
    match = _LOOSE.fullmatch(key)
    if not match:
        return None
    posix = bool(match["etc"])
    ahead = (match["sign"] == "+") != posix
    minutes = int(match["m"] or 0)
    if minutes > 59:
        return None
    offset = timedelta(hours=int(match["h"]), minutes=minutes)
    return (offset if ahead else -offset), posix


def in_bounds(offset: timedelta) -> bool:
    return LOWEST <= offset <= HIGHEST


def _bounded(ahead: bool, hours: int, minutes: int, posix: bool = False) -> timedelta:
    if minutes > 59:
        raise OffsetError(f"it has {minutes} minutes, and an offset's minutes run to 59")
    size = timedelta(hours=hours, minutes=minutes)
    offset = size if ahead else -size
    if not in_bounds(offset):
        if posix:
            raise OffsetError(
                f"it means {offset_text(offset)} (an Etc/GMT name's sign is inverted), "
                f"and {BOUNDS_TEXT}"
            )
        raise OffsetError(BOUNDS_TEXT)
    return offset


class Meaning(NamedTuple):
    """What an abbreviation stands for in one place."""

    offset: timedelta | None  # None for the names of a zone's clock (PT: PST and PDT)
    zone: str  # the IANA zone of the place
    place: str
    difference: str  # how the place's clock differs from the fixed offset


def _h(hours: float) -> timedelta:
    return timedelta(hours=hours)


def _steady(hours: float, zone: str, place: str) -> Meaning:
    return Meaning(_h(hours), zone, place, f"keeps {offset_text(_h(hours))} all year")


def _changes(
    abbr: str, hours: float, zone: str, place: str, other: str, other_hours: float, then: str
) -> Meaning:
    """A place whose clock moves to ``other`` for part of the year, e.g. in ``then``."""
    return Meaning(
        _h(hours),
        zone,
        place,
        f"is on {other} ({offset_text(_h(other_hours))}) part of the year: "
        f"{abbr} in {then} is not {place} time",
    )


def _clock(zone: str, place: str, winter: str, summer: str) -> Meaning:
    return Meaning(None, zone, place, f"is {winter} in winter and {summer} in summer")


_LA, _NY, _CHI, _DEN = (
    "America/Los_Angeles",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
)

#: The abbreviations people write, by what they stand for. Small on purpose: other
#: names that are not zones get the generic hint.
ABBREVIATIONS: dict[str, tuple[Meaning, ...]] = {
    "PST": (_changes("PST", -8, _LA, "Los Angeles", "PDT", -7, "June"),),
    "PDT": (_changes("PDT", -7, _LA, "Los Angeles", "PST", -8, "January"),),
    "MST": (_changes("MST", -7, _DEN, "Denver", "MDT", -6, "June"),),
    "MDT": (_changes("MDT", -6, _DEN, "Denver", "MST", -7, "January"),),
    "CDT": (_changes("CDT", -5, _CHI, "Chicago", "CST", -6, "January"),),
    "EST": (_changes("EST", -5, _NY, "New York", "EDT", -4, "June"),),
    "EDT": (_changes("EDT", -4, _NY, "New York", "EST", -5, "January"),),
    "HST": (_steady(-10, "Pacific/Honolulu", "Honolulu"),),
    "WET": (_changes("WET", 0, "Europe/Lisbon", "Lisbon", "WEST", 1, "June"),),
    "CET": (_changes("CET", 1, "Europe/Paris", "Paris", "CEST", 2, "June"),),
    "CEST": (_changes("CEST", 2, "Europe/Paris", "Paris", "CET", 1, "January"),),
    "EET": (_changes("EET", 2, "Europe/Athens", "Athens", "EEST", 3, "June"),),
    "EEST": (_changes("EEST", 3, "Europe/Athens", "Athens", "EET", 2, "January"),),
    "MSK": (_steady(3, "Europe/Moscow", "Moscow"),),
    "HKT": (_steady(8, "Asia/Hong_Kong", "Hong Kong"),),
    "SGT": (_steady(8, "Asia/Singapore", "Singapore"),),
    "AWST": (_steady(8, "Australia/Perth", "Perth"),),
    "JST": (_steady(9, "Asia/Tokyo", "Tokyo"),),
    "KST": (_steady(9, "Asia/Seoul", "Seoul"),),
    "ACST": (_changes("ACST", 9.5, "Australia/Adelaide", "Adelaide", "ACDT", 10.5, "January"),),
    "AEST": (_changes("AEST", 10, "Australia/Sydney", "Sydney", "AEDT", 11, "January"),),
    "AEDT": (_changes("AEDT", 11, "Australia/Sydney", "Sydney", "AEST", 10, "July"),),
    "NZST": (_changes("NZST", 12, "Pacific/Auckland", "Auckland", "NZDT", 13, "January"),),
    "NZDT": (_changes("NZDT", 13, "Pacific/Auckland", "Auckland", "NZST", 12, "July"),),
    "BRT": (_steady(-3, "America/Sao_Paulo", "São Paulo"),),
    "CST": (
        _changes("CST", -6, _CHI, "Chicago", "CDT", -5, "June"),
        _steady(8, "Asia/Shanghai", "China"),
    ),
    "BST": (
        _changes("BST", 1, "Europe/London", "London", "GMT", 0, "January"),
        _steady(6, "Asia/Dhaka", "Bangladesh"),
    ),
    "IST": (
        _steady(5.5, "Asia/Kolkata", "India"),
        _changes("IST", 1, "Europe/Dublin", "Dublin", "GMT", 0, "January"),
        _changes("IST", 2, "Asia/Jerusalem", "Israel", "IDT", 3, "June"),
    ),
    "PT": (_clock(_LA, "Pacific", "PST (UTC-8)", "PDT (UTC-7)"),),
    "MT": (_clock(_DEN, "Mountain", "MST (UTC-7)", "MDT (UTC-6)"),),
    "CT": (_clock(_CHI, "Central", "CST (UTC-6)", "CDT (UTC-5)"),),
    "ET": (_clock(_NY, "Eastern", "EST (UTC-5)", "EDT (UTC-4)"),),
}


def abbreviation_hint(abbr: str) -> str | None:
    """What to write instead of an abbreviation, or None when ``abbr`` is not one we know."""
    meanings = ABBREVIATIONS.get(abbr.strip().upper())
    if meanings is None:
        return None
    name = abbr.strip().upper()
    if len(meanings) == 1:
        (m,) = meanings
        if m.offset is None:
            return f"write '{m.zone}' for {m.place} time, which {m.difference}"
        fixed_name = offset_text(m.offset)
        return (
            f"write '{fixed_name}' for the fixed offset {name} names, or '{m.zone}' for "
            f"{m.place} time, which {m.difference}"
        )
    ways = "; ".join(
        f"{m.place}: '{offset_text(m.offset)}' (or '{m.zone}', which {m.difference})"
        for m in meanings
        if m.offset is not None
    )
    return f"{name} is ambiguous, write the one you mean: {ways}"
