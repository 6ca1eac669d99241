"""SEQUENCE follows the location subscribers see: the writer's rule, by the time's shape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from feeds import revisions
from feeds.definitions import loader
from feeds.model import inherits_location, location_of

DEFINITION = """
id: loc
name: Location rule
location: {place}
timezone: Asia/Seoul
events:
  - id: desk
    title: Submission desk
    kind: deadline
    start: 2026-07-10 09:00
    end: 10:00
  - id: due
    title: Papers due
    kind: workshop
    due: 2026-07-01 23:59
  - id: own
    title: Own place
    kind: deadline
    start: 2026-07-11 09:00
    end: 10:00
    location: Room 1
"""

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def _calendar(place: str):
    return loader.load_text(DEFINITION.format(place=place))


def test_location_of_follows_the_time_shape():
    calendar = _calendar("Hall A")
    desk, due, own = (calendar.event(i) for i in ("desk", "due", "own"))
    assert inherits_location(desk) and not inherits_location(due)
    assert location_of(desk, calendar) == "Hall A"
    assert location_of(due, calendar) == ""
    assert location_of(own, calendar) == "Room 1"


def test_a_new_calendar_location_raises_sequence_where_the_feed_shows_it():
    first = revisions.reconcile(_calendar("Hall A"), None, NOW)
    later = revisions.reconcile(_calendar("Hall B"), first, NOW + timedelta(hours=1))
    # The timed event of kind "deadline" gets the new LOCATION in the feed: SEQUENCE rises.
    assert later.of("desk").sequence == 1
    # A deadline instant has no LOCATION, and an event with its own keeps it: unchanged.
    assert later.of("due").sequence == 0
    assert later.of("own").sequence == 0


def test_sequence_rises_exactly_where_a_parser_reads_a_new_location():
    """Held against what subscribers receive: each event's LOCATION, read back with icalendar."""
    import icalendar

    from feeds.render import ics

    def locations(place, stored, now):
        calendar = _calendar(place)
        revs = revisions.reconcile(calendar, stored, now)
        feed = ics.feed_bytes(
            ics.FeedHeader(calendar.name),
            [ics.render_event(e, revs.of(e.id), calendar, "d") for e in calendar.events],
        )
        read = icalendar.Calendar.from_ical(feed).walk("VEVENT")
        by_id = {str(e["UID"]).split("/")[1].split("@")[0]: e for e in read}
        return revs, {i: str(e.get("LOCATION", "")) for i, e in by_id.items()}

    first, before = locations("Hall A", None, NOW)
    later, after = locations("Hall B", first, NOW + timedelta(hours=1))
    for event_id in before:
        moved = before[event_id] != after[event_id]
        assert later.of(event_id).sequence == (1 if moved else 0), event_id
    assert before["desk"] != after["desk"]  # the case the old rule (kind != deadline) missed
