"""VTIMEZONE data in neutral terms: the observances a zone needs over a span of years.

Built only on the backend's :func:`~feeds.tz.database.transitions` and
:func:`~feeds.tz.database.state_at`; :func:`observances` takes the backend as a
parameter so a test can run the same generator on :mod:`zoneinfo`.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from feeds.tz import database
from feeds.tz.database import AOE, State, Transition
from feeds.tz.spellings import offset_text


class Backend(Protocol):
    """What the generator needs from a tz library (the functions of :mod:`feeds.tz.database`)."""

    def transitions(self, zone: str, first: datetime, last: datetime) -> list[Transition]: ...

    def state_at(self, instant: datetime, zone: str) -> State: ...


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


def observances(
    zone: str, first: datetime, last: datetime, backend: Backend = database
) -> list[Observance]:
    """The observances a VTIMEZONE needs to cover instants ``first``..``last`` (UTC).

    The first block starts at midnight (local) of the first day with the offset
    then in force; each transition inside the span follows. Transitions that
    recur yearly on the same rule are written once with that rule, which is
    what Outlook needs (it reads no RDATE lists).
    """
    # Whole calendar years, so a zone with daylight saving gets both of its
    # yearly rules (the shape Outlook expects) and a zone without stays one block.
    first = datetime(first.astimezone(UTC).year, 1, 1, tzinfo=UTC) - timedelta(days=1)
    last = datetime(last.astimezone(UTC).year + 1, 1, 1, tzinfo=UTC) + timedelta(days=1)
    at_start = backend.state_at(first, zone)
    start_wall = at_start.wall.replace(hour=0, minute=0, second=0, microsecond=0)
    blocks = [
        Observance(
            daylight=at_start.is_dst,
            start=start_wall,
            offset_from=at_start.offset,
            offset_to=at_start.offset,
            name=label(at_start, zone),
        )
    ]
    groups: dict[tuple, list[datetime]] = {}
    for at, before, after, is_dst, name in backend.transitions(zone, first, last):
        onset_wall = at.replace(tzinfo=None) + before
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


def label(state: State, zone: str) -> str:
    """The zone's abbreviation in ``state`` (``KST``, ``PDT``), or its offset label (``UTC+9``)."""
    if zone == AOE:
        return "AoE"
    name = state.name
    if not name or name[0] in "+-":
        return offset_text(state.offset)
    return name


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
