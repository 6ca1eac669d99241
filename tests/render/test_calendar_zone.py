"""X-WR-TIMEZONE names a zone clients know, or is left out.

The attack: a calendar whose default zone is AoE wrote ``X-WR-TIMEZONE:AoE``, which no
client knows; recurring-ical-events (Open Web Calendar) failed on the feed.
"""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar
import recurring_ical_events

from feeds import revisions
from feeds.definitions import loader
from feeds.render import ics

AOE_CALENDAR = """\
id: aoe-cal
name: Deadlines in AoE
timezone: AoE
events:
  - id: paper
    title: Paper deadline
    due: 2026-01-28
  - id: office-hours
    title: Office hours
    start: 2026-01-05 10:00
    end: 11:00
    repeat: {every: week, count: 3}
"""


def feed_of(text: str) -> bytes:
    calendar = loader.load_text(text, "aoe-cal.yaml")
    revs = revisions.reconcile(calendar, None, datetime(2026, 1, 1, tzinfo=UTC))
    rendered = [ics.render_event(e, revs.of(e.id), calendar, "d") for e in calendar.events]
    header = ics.FeedHeader(calendar.name, timezone=calendar.timezone)
    return ics.feed_bytes(header, rendered)


def test_an_aoe_calendar_writes_no_x_wr_timezone_and_every_reader_expands_it():
    cal = icalendar.Calendar.from_ical(feed_of(AOE_CALENDAR))
    assert "X-WR-TIMEZONE" not in cal
    found = recurring_ical_events.of(cal).between(datetime(2026, 1, 1), datetime(2026, 2, 1))
    starts = sorted(e["DTSTART"].dt.astimezone(UTC) for e in found)
    # 10:00 AoE is 22:00 UTC; the deadline 23:59 AoE on 28 Jan is 11:59 UTC on 29 Jan
    assert starts[:3] == [datetime(2026, 1, d, 22, 0, tzinfo=UTC) for d in (5, 12, 19)]
    assert starts[3] == datetime(2026, 1, 29, 11, 59, tzinfo=UTC)


def test_a_calendar_in_a_tz_database_zone_names_it():
    data = feed_of(AOE_CALENDAR.replace("timezone: AoE", "timezone: Asia/Seoul"))
    assert str(icalendar.Calendar.from_ical(data)["X-WR-TIMEZONE"]) == "Asia/Seoul"
