"""Why ``feeds.tz.vtimezone`` exists: the installed icalendar's VTIMEZONE is wrong for us.

icalendar's ``Timezone.from_tzinfo`` (which ``Calendar.add_missing_timezones`` uses) puts
each daylight-saving onset in the wall time *after* the change (03:00 for Los Angeles'
spring-forward), where RFC 5545 3.6.5 wants the wall time of the offset in force before
it (02:00), and writes the further onsets as RDATE lists, which Outlook ignores (it
needs one yearly RRULE per observance). These tests assert that behaviour: when one
fails, upstream has changed, and our own generator may no longer be needed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight

from feeds.tz import observances

FIXED = (
    "icalendar now writes DST onsets correctly: consider using Timezone.from_tzinfo "
    "instead of feeds.tz.vtimezone (see docs/architecture.md)"
)
ZONE = "America/Los_Angeles"


def _daylight(first: date, last: date) -> list[TimezoneDaylight]:
    vtimezone = Timezone.from_tzinfo(ZoneInfo(ZONE), ZONE, first, last)
    return [c for c in vtimezone.subcomponents if isinstance(c, TimezoneDaylight)]


def test_our_generator_puts_the_onset_in_the_wall_time_before_the_change():
    span = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)
    (daylight,) = [o for o in observances(ZONE, *span) if o.daylight]
    assert daylight.start == datetime(2026, 3, 8, 2, 0)
    assert daylight.rule == (3, 2, 6)  # the second Sunday of March, every year


def test_icalendar_puts_dst_onsets_an_hour_late():
    (daylight,) = _daylight(date(2026, 1, 1), date(2027, 1, 1))
    onset = daylight.DTSTART
    assert onset != datetime(2026, 3, 8, 2, 0), FIXED
    assert onset == datetime(2026, 3, 8, 3, 0), FIXED


def test_icalendar_writes_rdate_lists_not_yearly_rules():
    (daylight,) = _daylight(date(2026, 1, 1), date(2029, 1, 1))
    assert "RRULE" not in daylight, FIXED
    assert "RDATE" in daylight, FIXED
