"""Every independent parser reads the hand-written feeds at the instants worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from feeds.doctor import parsers

ICS = Path(__file__).parent.parent / "ics"
CLEAN = (ICS / "clean.ics").read_bytes()
BROKEN = (ICS / "broken.ics").read_bytes()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# (uid, recurrence_id) -> (start, end), worked out by hand from the fixture's local times.
EXPECTED = {
    # 2026-07-10 08:00-09:30 Asia/Seoul (UTC+9)
    ("keynote@example.org", None): (utc(2026, 7, 9, 23, 0), utc(2026, 7, 10, 0, 30)),
    # 2026-03-06 09:00 America/Los_Angeles, still PST (UTC-8)
    ("winter-call@example.org", None): (utc(2026, 3, 6, 17, 0), utc(2026, 3, 6, 18, 0)),
    # 2026-03-10 09:00 America/Los_Angeles, PDT (UTC-7) since 8 March
    ("summer-call@example.org", None): (utc(2026, 3, 10, 16, 0), utc(2026, 3, 10, 17, 0)),
    # 6 to 11 July inclusive: the exclusive end is 12 July
    ("conference@example.org", None): (date(2026, 7, 6), date(2026, 7, 12)),
    # 28 January 23:59 AoE (UTC-12), written as the UTC instant
    ("paper-deadline@example.org", None): (utc(2026, 1, 29, 11, 59), utc(2026, 1, 29, 11, 59)),
    # weekly 10:00 Los Angeles from 22 October: PDT, then PST after 1 November; 29 October is
    # an EXDATE, and the 12 November one moved to Friday 13 November
    ("meetup@example.org", utc(2026, 10, 22, 17, 0)): (
        utc(2026, 10, 22, 17, 0),
        utc(2026, 10, 22, 18, 0),
    ),
    ("meetup@example.org", utc(2026, 11, 5, 18, 0)): (
        utc(2026, 11, 5, 18, 0),
        utc(2026, 11, 5, 19, 0),
    ),
    ("meetup@example.org", utc(2026, 11, 12, 18, 0)): (
        utc(2026, 11, 13, 18, 0),
        utc(2026, 11, 13, 19, 0),
    ),
    # 2026-07-11 14:00-17:00 Asia/Seoul, called off
    ("workshop@example.org", None): (utc(2026, 7, 11, 5, 0), utc(2026, 7, 11, 8, 0)),
}


def feed(*event: str) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//test//EN",
        "BEGIN:VEVENT",
        "UID:only@example.org",
        "DTSTAMP:20260101T000000Z",
        *event,
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(f"{line}\r\n" for line in lines).encode()


def read(name: str, data: bytes, span=None) -> list[parsers.ParsedEvent]:
    ok, reason = parsers.available(name)
    if not ok and name in ("ical.js", "node-ical"):
        pytest.skip(f"{name} cannot run here: {reason}")
    return parsers.parse(name, data, span)


@pytest.fixture(params=parsers.PARSERS)
def name(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def clean() -> dict[str, list[parsers.ParsedEvent] | str]:
    """The clean feed as each parser reads it (or why the parser cannot run here)."""
    readings = {}
    for name in parsers.PARSERS:
        ok, reason = parsers.available(name)
        readings[name] = parsers.parse(name, CLEAN) if ok else reason
    return readings


def clean_events(clean, name: str) -> dict[tuple, parsers.ParsedEvent]:
    reading = clean[name]
    if isinstance(reading, str):
        assert name in ("ical.js", "node-ical"), f"{name} must be installed: {reading}"
        pytest.skip(f"{name} cannot run here: {reading}")
    events = {event.key: event for event in reading}
    assert len(events) == len(reading), f"{name} read an occurrence twice"
    return events


def test_every_parser_reads_every_clean_event_at_the_hand_worked_instants(clean, name):
    events = clean_events(clean, name)
    assert {key: (e.start, e.end) for key, e in events.items()} == EXPECTED


def test_timed_values_are_utc_and_all_day_values_are_dates(clean, name):
    for event in clean_events(clean, name).values():
        if event.uid == "conference@example.org":
            assert event.all_day and type(event.start) is date and type(event.end) is date
        else:
            assert not event.all_day
            assert event.start.utcoffset().total_seconds() == 0
        assert not event.floating


def test_the_excluded_and_the_moved_meetups_are_where_the_file_says(clean, name):
    meetups = sorted(
        (e for e in clean_events(clean, name).values() if e.uid == "meetup@example.org"),
        key=lambda e: e.start,
    )
    assert [e.start.date() for e in meetups] == [
        date(2026, 10, 22),
        date(2026, 11, 5),
        date(2026, 11, 13),
    ]
    assert meetups[-1].summary == "Weekly meetup (moved to Friday)"


def test_text_and_status_come_through_folding_and_escapes(clean, name):
    events = clean_events(clean, name)
    assert events["keynote@example.org", None].summary == "Keynote 기조연설"
    assert events["workshop@example.org", None].status == "CANCELLED"
    assert events["keynote@example.org", None].status == "CONFIRMED"


def test_a_span_keeps_the_occurrences_that_start_inside_it(name):
    november = (utc(2026, 11, 1), utc(2026, 12, 1))
    events = read(name, CLEAN, november)
    assert [(e.uid, e.start) for e in events] == [
        ("meetup@example.org", utc(2026, 11, 5, 18, 0)),
        ("meetup@example.org", utc(2026, 11, 13, 18, 0)),
    ]


def test_an_endless_rule_gives_its_first_5000_occurrences(name):
    daily = feed("DTSTART;VALUE=DATE:20260101", "RRULE:FREQ=DAILY")
    events = read(name, daily)
    assert len(events) == parsers.CAP == 5000
    assert (events[0].start, events[-1].start) == (date(2026, 1, 1), date(2039, 9, 9))
    assert events[-1].recurrence_id == date(2039, 9, 9)


def test_a_time_without_a_zone_is_floating_and_read_as_utc(name):
    (event,) = read(name, feed("DTSTART:20260710T100000", "DTEND:20260710T110000"))
    assert event.floating
    assert (event.start, event.end) == (utc(2026, 7, 10, 10, 0), utc(2026, 7, 10, 11, 0))


def test_only_ical_js_floats_a_tzid_that_has_no_vtimezone(name):
    (event,) = read(name, BROKEN)
    if name == "ical.js":  # Thunderbird knows no zone the file does not carry
        assert event.floating and event.start == utc(2026, 7, 10, 10, 0)
    else:  # the others take Europe/Berlin (CEST, UTC+2) from the tz database
        assert not event.floating and event.start == utc(2026, 7, 10, 8, 0)


@pytest.mark.parametrize("name", [n for n in parsers.PARSERS if n != "node-ical"])
def test_a_failure_carries_the_parsers_own_message(name):
    with pytest.raises(parsers.ParserFailed) as failure:
        read(name, b"this is not a calendar\r\n")
    assert failure.value.parser == name
    assert str(failure.value).startswith(f"{name}: ")
    assert "not a calendar" in failure.value.message  # the parser quotes the bad line


def test_node_ical_reads_a_file_that_is_no_calendar_as_an_empty_one():
    assert read("node-ical", b"this is not a calendar\r\n") == []


def test_ical_is_strict_about_dtend_together_with_duration():
    both = feed("DTSTART:20260710T100000Z", "DTEND:20260710T110000Z", "DURATION:PT1H")
    with pytest.raises(parsers.ParserFailed, match="(?i)dtend or duration"):
        parsers.parse("ical", both)


def test_an_unknown_parser_is_unavailable_and_says_which_exist():
    ok, reason = parsers.available("outlook")
    assert not ok and "icalendar" in reason
    with pytest.raises(parsers.ParserFailed, match="unknown parser"):
        parsers.parse("outlook", CLEAN)


@pytest.mark.parametrize("name", ["ical.js", "node-ical"])
def test_without_node_modules_the_javascript_parsers_say_to_run_npm_ci(name, monkeypatch, tmp_path):
    monkeypatch.setenv("FEEDS_NODE_MODULES", str(tmp_path))
    ok, reason = parsers.available(name)
    assert not ok
    assert "npm ci" in reason or "node" in reason
