"""Every use of the time zone database lives here.

The rest of the package names zones by string (``"Asia/Seoul"``, ``"UTC"``,
``"AoE"``) and works with naive wall-clock datetimes plus such a name. This
module is the only one that imports pytz: icalendar 7 deprecates pytz for its
8.0, and moving to :mod:`zoneinfo` must be a change to this file alone.

pytz is used only through ``localize`` and ``normalize``; attaching a pytz zone
with ``datetime(..., tzinfo=zone)`` would give the zone's 1908 LMT offset
(+08:28 for Seoul), which is why nothing outside this module sees a pytz zone.
"""

from __future__ import annotations

import bisect
import calendar
import difflib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import pytz

#: "Anywhere on Earth": UTC-12, the zone most paper deadlines are stated in.
AOE = "AoE"
UTC_NAME = "UTC"

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


class WallTimeError(ValueError):
    """A wall-clock time that does not exist, or exists twice, in a zone."""

    def __init__(self, kind: str, naive: datetime, zone: str):
        self.kind = kind  # "nonexistent" or "ambiguous"
        self.naive = naive
        self.zone = zone
        super().__init__(f"{naive:%Y-%m-%d %H:%M} is {kind} in {zone}")


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


def is_utc_like(zone: str) -> bool:
    """True for zones whose times are written as UTC instants (``...Z``) in feeds."""
    return zone in (UTC_NAME, AOE)


def to_utc(naive: datetime, zone: str) -> datetime:
    """The UTC instant of a wall-clock time in ``zone``.

    Raises :class:`WallTimeError` when the time falls in a daylight-saving gap
    or overlap: a definition must then say which instant it means.
    """
    tz = _zone(zone)
    offset = _steady_offset(tz, naive)
    if offset is not None:
        return (naive - offset).replace(tzinfo=UTC)
    try:
        local = tz.localize(naive, is_dst=None)
    except pytz.NonExistentTimeError:
        raise WallTimeError("nonexistent", naive, zone) from None
    except pytz.AmbiguousTimeError:
        raise WallTimeError("ambiguous", naive, zone) from None
    return local.astimezone(UTC)


_DAY = timedelta(days=1)


def _steady_offset(tz, naive: datetime) -> timedelta | None:
    """The zone's UTC offset at ``naive`` when no transition is within a day of it, else None.

    This is the answer ``tz.localize(naive, is_dst=None)`` gives, found the way
    pytz finds it (its transition table, searched a day either side) without
    building and normalizing candidates: a few times faster, and the bulk of a
    calendar's times are far from any transition. Near one, pytz decides.
    """
    times = getattr(tz, "_utc_transition_times", None)
    if not times:
        return None
    try:
        before, after = naive - _DAY, naive + _DAY
    except OverflowError:
        return None
    index = bisect.bisect_right(times, before)
    if index != bisect.bisect_right(times, after):
        return None
    return tz._transition_info[max(0, index - 1)][0]


def to_wall(instant: datetime, zone: str) -> datetime:
    """The naive wall-clock time in ``zone`` of an aware instant."""
    return instant.astimezone(_zone(zone)).replace(tzinfo=None)


def offset_label(instant: datetime, zone: str) -> str:
    """``UTC+9``, ``UTC-12``, ``UTC+5:30``: the zone's offset at ``instant``."""
    offset = instant.astimezone(_zone(zone)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def abbreviation(instant: datetime, zone: str) -> str:
    """The zone's abbreviation at ``instant`` (``KST``, ``PDT``), or its offset label."""
    if zone == AOE:
        return "AoE"
    name = instant.astimezone(_zone(zone)).tzname() or ""
    if not name or name[0] in "+-":
        return offset_label(instant, zone)
    return name


# -- VTIMEZONE data ---------------------------------------------------------


@dataclass(frozen=True)
class Observance:
    """One STANDARD or DAYLIGHT block of a VTIMEZONE, in neutral terms.

    ``start`` is the onset as wall-clock time in the offset in force *before*
    it (RFC 5545 3.6.5). ``rule`` is ``(month, nth_weekday, weekday)`` for a
    yearly ``RRULE:FREQ=YEARLY;BYMONTH=m;BYDAY=nWD`` (nth -1 means last), or
    None for a single onset.
    """

    daylight: bool
    start: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str
    rule: tuple[int, int, int] | None = None


def observances(zone: str, first: datetime, last: datetime) -> list[Observance]:
    """The observances a VTIMEZONE needs to cover instants ``first``..``last`` (UTC).

    The first block starts at midnight (local) of the first day with the offset
    then in force; each transition inside the span follows. Transitions that
    recur yearly on the same rule are written once with that rule, which is
    what Outlook needs (it reads no RDATE lists).
    """
    tz = _zone(zone)
    # Whole calendar years, so a zone with daylight saving gets both of its
    # yearly rules (the shape Outlook expects) and a zone without stays one block.
    first = datetime(first.astimezone(UTC).year, 1, 1, tzinfo=UTC) - timedelta(days=1)
    last = datetime(last.astimezone(UTC).year + 1, 1, 1, tzinfo=UTC) + timedelta(days=1)
    at_start = first.astimezone(tz)
    start_offset = at_start.utcoffset() or timedelta(0)
    start_wall = at_start.replace(tzinfo=None).replace(hour=0, minute=0, second=0, microsecond=0)
    blocks = [
        Observance(
            daylight=bool(at_start.dst()),
            start=start_wall,
            offset_from=start_offset,
            offset_to=start_offset,
            name=abbreviation(first, zone),
        )
    ]
    transitions = _transitions(tz, first, last)
    groups: dict[tuple, list[datetime]] = {}
    for onset_wall, before, after, is_dst, name in transitions:
        groups.setdefault((is_dst, before, after, name), []).append(onset_wall)
    for (is_dst, before, after, name), onsets in groups.items():
        rule = _yearly_rule(onsets)
        # An open-ended yearly RRULE says the rule goes on; one that stopped inside
        # the span (Seoul's 1987-88 daylight saving) is written onset by onset.
        if rule is not None and onsets[-1].year >= last.year - 1:
            blocks.append(Observance(is_dst, onsets[0], before, after, name, rule))
        else:
            blocks.extend(Observance(is_dst, onset, before, after, name) for onset in onsets)
    return blocks


def _transitions(tz, first: datetime, last: datetime):
    times = getattr(tz, "_utc_transition_times", None)
    infos = getattr(tz, "_transition_info", None)
    if not times or not infos:
        return []
    out = []
    naive_first = first.replace(tzinfo=None)
    naive_last = last.replace(tzinfo=None)
    for i in range(1, len(times)):
        when = times[i]
        if not (naive_first < when <= naive_last):
            continue
        before = infos[i - 1][0]
        after, dst, name = infos[i]
        if before == after:
            continue
        out.append((when + before, before, after, bool(dst), name))
    return out


def _yearly_rule(onsets: list[datetime]) -> tuple[int, int, int] | None:
    """``(month, nth, weekday)`` if all onsets follow one yearly weekday rule."""
    years = [o.year for o in onsets]
    if len(set(years)) != len(years):
        return None
    month, weekday, clock = onsets[0].month, onsets[0].weekday(), onsets[0].time()
    if any((o.month, o.weekday(), o.time()) != (month, weekday, clock) for o in onsets):
        return None
    nths = {(o.day - 1) // 7 + 1 for o in onsets}
    if len(nths) == 1 and nths != {5}:
        return (month, nths.pop(), weekday)
    if all(o.day + 7 > calendar.monthrange(o.year, o.month)[1] for o in onsets):
        return (month, -1, weekday)
    return None


# -- internals --------------------------------------------------------------


@lru_cache(maxsize=None)
def _zone(zone: str):
    if zone == AOE:
        return pytz.FixedOffset(-12 * 60)
    if zone == UTC_NAME:
        return pytz.utc
    return pytz.timezone(zone)


@lru_cache(maxsize=1)
def _all_zones() -> frozenset[str]:
    return frozenset(pytz.all_timezones)


@lru_cache(maxsize=1)
def _lowercase_index() -> dict[str, str]:
    return {z.lower(): z for z in pytz.all_timezones}
