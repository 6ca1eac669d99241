"""UTC timestamps and iCalendar date-times as text: one formatter for each form.

A base module: it imports nothing from ``feeds``. The iCalendar forms are
f-strings (several times faster than ``strftime``, and a feed writes thousands);
:func:`iso_utc` keeps a cache, because a calendar's stamps are few distinct times.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache


@lru_cache(maxsize=4096)
def iso_utc(moment: datetime) -> str:
    """An aware instant as ``2026-01-29T11:59:00Z`` (revisions files, JSON, page markup)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def basic_local(wall: datetime) -> str:
    """A naive wall-clock time as ``20260129T115900`` (iCalendar DATE-TIME, floating or TZID)."""
    return (
        f"{wall.year:04}{wall.month:02}{wall.day:02}T{wall.hour:02}{wall.minute:02}{wall.second:02}"
    )


def basic_utc(moment: datetime) -> str:
    """An aware instant as ``20260129T115900Z`` (iCalendar UTC DATE-TIME)."""
    return basic_local(moment.astimezone(UTC)) + "Z"


def basic_date(day: date) -> str:
    """A date as ``20260129`` (iCalendar DATE)."""
    return f"{day.year:04}{day.month:02}{day.day:02}"
