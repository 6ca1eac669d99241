"""When an event happens, as the model states it: every occurrence as a UTC instant or a date.

This is the reference every reading of a feed is held against (the interop proof in
``tests/test_interop.py`` compares six independent parsers with it), worked out from the model
alone, without iCalendar: a timed occurrence keeps the wall-clock start and end the author
wrote, on each date of the rule, in the event's zone (so across a daylight-saving change its UTC
instants move by the change; the loader refuses a series with an occurrence that would span a
change, so every occurrence also lasts exactly as long as the first, as RFC 5545 3.8.5.3 has
it); an all-day occurrence is its dates, the end exclusive as in a feed; a deadline is one
instant with no end.

It is the one expansion of an event: the feed writer (a series' UNTIL and the years its
VTIMEZONE covers), the add-event links, the pages' agenda rows, the ``?times=utc`` variant and
the loader's check that every occurrence lasts as long as the first all use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta

from feeds import tz
from feeds.model import AllDay, Deadline, Event, Timed

Value = date | datetime
Occurrence = tuple[Value, Value | None]  # (start, end): UTC instants or dates; end None: a deadline


def days(event: Event) -> list[date]:
    """The day each occurrence starts on, in the event's own zone, exceptions left out."""
    first = event.first_day
    return event.repeat.occurrences(first) if event.repeat is not None else [first]


def shifts(event: Event) -> list[timedelta]:
    """How far each occurrence is from the first one as written (the first is 0)."""
    first = event.first_day
    return [day - first for day in days(event)]


def walls(when: Timed, on: Iterable[date]) -> Iterator[tuple[date, datetime, datetime]]:
    """``(day, wall-clock start, wall-clock end)`` of a timed event's occurrence on each day.

    The wall-clock times the author wrote, moved to each day: what a feed's RRULE means.
    """
    first = when.start.date()
    for day in on:
        shift = day - first
        yield day, when.start + shift, when.end + shift


def at(event: Event, shift: timedelta) -> Occurrence:
    """The occurrence ``shift`` after the first, as ``(start, end)`` like :func:`occurrences`."""
    when = event.when
    if isinstance(when, Deadline):
        return (when.at_utc, None)
    if isinstance(when, AllDay):
        return (when.first + shift, when.end_exclusive + shift)
    assert isinstance(when, Timed)
    if not shift:
        return (when.start_utc, when.end_utc)
    return (tz.to_utc(when.start + shift, when.zone), tz.to_utc(when.end + shift, when.zone))


def first(event: Event) -> Occurrence:
    """The first occurrence that happens (a series' first day may be excepted)."""
    return at(event, shifts(event)[0])


def last(event: Event) -> Occurrence:
    """The last occurrence."""
    return at(event, shifts(event)[-1])


def occurrences(event: Event) -> list[Occurrence]:
    """``(start, end)`` of each occurrence, in order, exceptions left out.

    Timed: aware UTC datetimes. All-day: dates, ``end`` the day after the last day.
    Deadline: ``(the instant in UTC, None)``.
    """
    return [at(event, shift) for shift in shifts(event)]


def instant(value: Value) -> datetime:
    """A start or end as a point on the UTC time line; a date counts from its UTC midnight."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.combine(value, time(), UTC)


def span(events: Iterable[Event]) -> tuple[datetime, datetime] | None:
    """From the first occurrence's start to the last one's end (a deadline's end: its instant).

    Dates count from their UTC midnight, as parsers place them on a time line. None for no
    events.
    """
    starts, ends = [], []
    for event in events:
        for start, end in occurrences(event):
            starts.append(instant(start))
            ends.append(instant(start if end is None else end))
    if not starts:
        return None
    return min(starts), max(ends)


def window(
    events: Iterable[Event], margin: timedelta = timedelta(days=31)
) -> tuple[datetime, datetime] | None:
    """:func:`span` widened by ``margin`` each side: where to look for the events' occurrences.

    The margin is there so that an occurrence a reader adds just past the last one (a rule
    ending one step late) is still seen, and so that an all-day date read from another
    midnight is not cut off.
    """
    found = span(events)
    if found is None:
        return None
    return found[0] - margin, found[1] + margin
