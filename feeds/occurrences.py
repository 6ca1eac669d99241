"""When an event happens, as the model states it: every occurrence as a UTC instant or a date.

This is the reference every reading of a feed is held against (the interop proof in
``tests/test_interop.py`` compares six independent parsers with it), worked out from the model
alone, without iCalendar: a timed occurrence keeps the wall-clock start and end the author
wrote, on each date of the rule, in the event's zone (so across a daylight-saving change its UTC
instants move by the change; the loader refuses a series with an occurrence that would span a
change, so every occurrence also lasts exactly as long as the first, as RFC 5545 3.8.5.3 has
it); an all-day occurrence is its dates, the end exclusive as in a feed; a deadline is one
instant with no end.

Pages and links can use it for "next occurrence" lists and add-to-calendar times.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from feeds import tz
from feeds.model import AllDay, Deadline, Event

Value = date | datetime
Occurrence = tuple[Value, Value | None]  # (start, end): UTC instants or dates; end None: a deadline


def occurrences(event: Event) -> list[Occurrence]:
    """``(start, end)`` of each occurrence, in order, exceptions left out.

    Timed: aware UTC datetimes. All-day: dates, ``end`` the day after the last day.
    Deadline: ``(the instant in UTC, None)``.
    """
    when = event.when
    if isinstance(when, Deadline):
        return [(when.at_utc, None)]
    first = event.first_day
    days = event.repeat.occurrences(first) if event.repeat is not None else [first]
    if isinstance(when, AllDay):
        length = when.end_exclusive - when.first
        return [(day, day + length) for day in days]
    out = []
    for day in days:
        shift = day - first
        out.append((tz.to_utc(when.start + shift, when.zone),
                    tz.to_utc(when.end + shift, when.zone)))
    return out


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
