"""The tz database backend: the only module that imports pytz.

Everything the rest of :mod:`feeds.tz` needs from the tz library goes through
the neutral functions here: zone names, a zone's offset changes between two
instants, the steady-offset fast path, wall time to UTC with gap and overlap
detection, and UTC to wall time. Moving to :mod:`zoneinfo` (icalendar 8 drops
pytz) means rewriting this module alone; ``tests/tz/test_zoneinfo_equality.py``
runs the VTIMEZONE generator on a zoneinfo implementation of :func:`transitions`
and :func:`state_at` to show the results agree.

pytz zones are never handed out: attaching one with ``datetime(..., tzinfo=zone)``
gives the zone's 1908 LMT offset (+08:28 for Seoul). This module reads pytz's
transition tables (``_utc_transition_times``, ``_transition_info``), which are
private to pytz: that knowledge stays here.
"""

from __future__ import annotations

import bisect
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from typing import NamedTuple

import pytz

from feeds.tz import spellings

#: "Anywhere on Earth": UTC-12, the zone most paper deadlines are stated in.
AOE = "AoE"
UTC_NAME = "UTC"


class WallTimeError(ValueError):
    """A wall-clock time that does not exist, or exists twice, in a zone."""

    def __init__(self, kind: str, naive: datetime, zone: str):
        self.kind = kind  # "nonexistent" or "ambiguous"
        self.naive = naive
        self.zone = zone
        super().__init__(f"{naive:%Y-%m-%d %H:%M} is {kind} in {zone}")


class Transition(NamedTuple):
    """A change of a zone's UTC offset."""

    at: datetime  # the aware UTC instant of the change
    before: timedelta  # the offset in force before it
    after: timedelta  # the offset in force from it on
    is_dst: bool  # daylight saving from it on
    name: str  # the abbreviation from it on


class State(NamedTuple):
    """What a zone says at one instant."""

    wall: datetime  # the naive wall-clock time
    offset: timedelta
    is_dst: bool
    name: str  # the abbreviation, as the database has it ("KST", "+0530", "-12")


@lru_cache(maxsize=1)
def zone_names() -> frozenset[str]:
    """Every zone name the database knows."""
    return frozenset(pytz.all_timezones)


def transitions(zone: str, first: datetime, last: datetime) -> list[Transition]:
    """The changes of ``zone``'s UTC offset at instants in ``first`` (excluded)..``last``."""
    tz = library_zone(zone)
    times = getattr(tz, "_utc_transition_times", None)
    infos = getattr(tz, "_transition_info", None)
    if not times or not infos:
        return []
    out = []
    naive_first = first.astimezone(UTC).replace(tzinfo=None)
    naive_last = last.astimezone(UTC).replace(tzinfo=None)
    for i in range(1, len(times)):
        when = times[i]
        if not (naive_first < when <= naive_last):
            continue
        before = infos[i - 1][0]
        after, dst, name = infos[i]
        if before == after:
            continue
        out.append(Transition(when.replace(tzinfo=UTC), before, after, bool(dst), name))
    return out


def state_at(instant: datetime, zone: str) -> State:
    """The wall time, offset, daylight-saving flag and abbreviation of ``zone`` at ``instant``."""
    local = instant.astimezone(library_zone(zone))
    return State(
        local.replace(tzinfo=None),
        local.utcoffset() or timedelta(0),
        bool(local.dst()),
        local.tzname() or "",
    )


_DAY = timedelta(days=1)


def steady_offset(naive: datetime, zone: str) -> timedelta | None:
    """The zone's UTC offset at ``naive`` when no transition is within a day of it, else None.

    This is the answer :func:`to_utc` gives, found the way pytz finds it (its
    transition table, searched a day either side) without building and
    normalizing candidates: a few times faster, and the bulk of a calendar's
    times are far from any transition. Near one, pytz decides.
    """
    return _steady_offset(library_zone(zone), naive)


def _steady_offset(tz, naive: datetime) -> timedelta | None:
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


def to_utc(naive: datetime, zone: str) -> datetime:
    """The aware UTC instant of a wall-clock time; :class:`WallTimeError` in a gap or overlap."""
    tz = library_zone(zone)
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


def to_wall(instant: datetime, zone: str) -> datetime:
    """The naive wall-clock time in ``zone`` of an aware instant."""
    return instant.astimezone(library_zone(zone)).replace(tzinfo=None)


@cache
def library_zone(zone: str):
    """The library's own zone object, for this module and for tests that compare with pytz."""
    if zone == AOE:
        return pytz.FixedOffset(-12 * 60)
    if zone == UTC_NAME:
        return pytz.utc
    offset = spellings.fixed(zone)  # "UTC-8", "UTC+5:30": ours, like AoE
    if offset is not None:
        return pytz.FixedOffset(int(offset.total_seconds() // 60))
    return pytz.timezone(zone)
