"""The definition format: what is accepted, and the located error for what is not."""

from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime, timedelta

import pytest

from feeds.definitions import loader
from feeds.errors import DefinitionError
from feeds.model import AllDay, Deadline, Timed

PATH = "events/test.yaml"


def load(body: str, head: str = "name: Test\nevents:\n"):
    return loader.load_text(head + textwrap.indent(textwrap.dedent(body).lstrip("\n"), "  "), PATH)


def problems(body: str, head: str = "name: Test\nevents:\n") -> list[str]:
    text = head + textwrap.indent(textwrap.dedent(body).lstrip("\n"), "  ")
    calendar, found = loader.check_text(text, PATH)
    return [str(p) for p in found if p.severity == "error"]


def only_event(body: str):
    (event,) = load(body).events
    return event


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- the three forms PyYAML gives for a time, each accepted on purpose ----------


def test_a_string_without_seconds_is_seoul_wall_time():
    # PyYAML leaves "2026-07-10 08:00" a string: it has no seconds.
    event = only_event("""
        - id: ws
          title: Workshop
          start: 2026-07-10 08:00
          end: 2026-07-10 17:00
    """)
    assert isinstance(event.when, Timed)
    assert event.when.zone == "Asia/Seoul"
    assert event.when.start == datetime(2026, 7, 10, 8, 0)
    assert event.when.start_utc == utc(2026, 7, 9, 23, 0)
    assert event.when.end_utc == utc(2026, 7, 10, 8, 0)


def test_a_naive_datetime_with_seconds_is_seoul_wall_time():
    # PyYAML turns "2026-07-10 08:00:00" into a naive datetime.
    event = only_event("""
        - id: ws
          title: Workshop
          start: 2026-07-10 08:00:00
          end: 2026-07-10 17:00:00
    """)
    assert event.when.start_utc == utc(2026, 7, 9, 23, 0)


def test_a_date_makes_an_all_day_event_with_an_inclusive_end():
    event = only_event("""
        - id: conf
          title: ICML
          start: 2026-07-06
          end: 2026-07-11
    """)
    assert event.when == AllDay(date(2026, 7, 6), date(2026, 7, 11))
    assert event.when.end_exclusive == date(2026, 7, 12)


def test_a_date_alone_is_a_single_all_day_event():
    event = only_event("""
        - id: tut
          title: Tutorials
          start: 2026-07-06
    """)
    assert event.when == AllDay(date(2026, 7, 6), date(2026, 7, 6))


def test_a_quoted_date_string_is_a_date_too():
    event = only_event("""
        - id: tut
          title: Tutorials
          start: "2026-07-06"
    """)
    assert isinstance(event.when, AllDay)


def test_an_end_given_as_a_clock_time_is_on_the_start_day():
    # YAML 1.1 would read 17:00 as the number 1020; we keep it a time of day.
    event = only_event("""
        - id: ws
          title: Workshop
          start: 2026-07-10 08:00
          end: 17:00
    """)
    assert event.when.end == datetime(2026, 7, 10, 17, 0)


@pytest.mark.parametrize("duration", ["9h", "540m", "PT9H", "8h60m", "PT8H60M"])
def test_a_duration_instead_of_an_end(duration):
    event = only_event(f"""
        - id: ws
          title: Workshop
          start: 2026-07-10 08:00
          duration: {duration}
    """)
    assert event.when.end_utc - event.when.start_utc == timedelta(hours=9)


def test_an_event_crossing_midnight_ends_on_the_next_date():
    event = only_event("""
        - id: party
          title: Party
          start: 2026-07-10 22:00
          end: 2026-07-11 01:30
    """)
    assert event.when.end_utc == utc(2026, 7, 10, 16, 30)


def test_an_event_may_name_its_own_zone():
    event = only_event("""
        - id: la
          title: Satellite
          timezone: America/Los_Angeles
          start: 2026-07-10 08:00
          duration: 1h
    """)
    assert event.when.zone == "America/Los_Angeles"
    assert event.when.start_utc == utc(2026, 7, 10, 15, 0)


def test_the_calendar_default_zone_can_change():
    cal = load(
        """
        - id: talk
          title: Talk
          start: 2026-03-01 10:00
          duration: 1h
        """,
        head="name: London\ntimezone: Europe/London\nevents:\n",
    )
    assert cal.timezone == "Europe/London"
    assert cal.events[0].when.start_utc == utc(2026, 3, 1, 10, 0)


def test_an_aware_datetime_is_an_instant_shown_in_the_event_zone():
    event = only_event("""
        - id: call
          title: Call
          start: 2026-07-10T00:00:00+00:00
          duration: 1h
    """)
    assert event.when.start_utc == utc(2026, 7, 10, 0, 0)
    assert event.when.start == datetime(2026, 7, 10, 9, 0)  # Seoul wall time


# -- deadlines ---------------------------------------------------------------------


def test_an_aoe_deadline_given_as_a_date_ends_at_2359_aoe():
    event = only_event("""
        - id: paper
          title: Full paper
          due: 2026-01-28
          timezone: AoE
    """)
    assert event.kind == "deadline"
    assert event.when == Deadline(datetime(2026, 1, 28, 23, 59), "AoE", utc(2026, 1, 29, 11, 59))


@pytest.mark.parametrize(
    "due, instant",
    [
        ("2026-01-28 23:59 AoE", utc(2026, 1, 29, 11, 59)),
        ("2026-01-28 00:00 AoE", utc(2026, 1, 28, 12, 0)),
        ("2026-06-15 11:59 UTC", utc(2026, 6, 15, 11, 59)),
        ("2026-06-15 11:59 Z", utc(2026, 6, 15, 11, 59)),
        ("2026-06-15 20:59 Asia/Seoul", utc(2026, 6, 15, 11, 59)),
        ("2026-06-15 20:59", utc(2026, 6, 15, 11, 59)),  # the calendar's zone
    ],
)
def test_a_deadline_with_a_zone_written_after_it(due, instant):
    event = only_event(f"""
        - id: d
          title: Deadline
          due: {due}
    """)
    assert event.when.at_utc == instant


# -- recurrence ----------------------------------------------------------------------


def test_a_daily_repeat_with_an_exception():
    event = only_event("""
        - id: posters
          title: Posters
          start: 2026-07-07 10:00
          duration: 2h
          repeat: {every: day, count: 3, except: [2026-07-08]}
    """)
    assert event.repeat.occurrences(date(2026, 7, 7)) == [date(2026, 7, 7), date(2026, 7, 9)]


def test_a_weekly_repeat_on_weekdays_until_a_date():
    event = only_event("""
        - id: reading
          title: Reading group
          start: 2026-07-06 18:00
          duration: 1h
          repeat: {every: week, on: [mo, th], until: 2026-07-16}
    """)
    assert event.repeat.occurrences(date(2026, 7, 6)) == [
        date(2026, 7, 6),
        date(2026, 7, 9),
        date(2026, 7, 13),
        date(2026, 7, 16),
    ]


# -- errors: each located, with a way to fix it ---------------------------------------


def test_an_unknown_key_suggests_the_known_one():
    assert problems("""
        - id: ws
          title: Workshop
          start: 2026-07-10 08:00
          ned: 2026-07-10 17:00
    """) == [
        "events/test.yaml:3: event 'ws': the event has a start time but no end; "
        "add 'end:' or 'duration:'",
        "events/test.yaml:6: event 'ws': unknown key 'ned'; did you mean 'end'?",
    ]


def test_missing_required_fields_are_each_reported():
    found = problems("""
        - title: No id
          start: 2026-07-10
        - id: no-title
          start: 2026-07-10
        - id: no-time
          title: No time
    """)
    assert found == [
        "events/test.yaml:3: event '#1': 'id' is missing; add a stable 'id: ...' "
        "(it identifies the event in subscribers' calendars)",
        "events/test.yaml:5: event 'no-title': 'title' is missing; add 'title: ...'",
        "events/test.yaml:7: event 'no-time': the event has no time; add 'start:' (with 'end:' or "
        "'duration:'), or 'due:' for a deadline",
    ]


def test_a_duplicate_id_names_the_first_line():
    found = problems("""
        - id: ws
          title: A
          start: 2026-07-10
        - id: ws
          title: B
          start: 2026-07-11
    """)
    assert len(found) == 1
    assert found[0].startswith("events/test.yaml:6: event 'ws': duplicate id (also at line 3)")


def test_an_end_before_the_start():
    (found,) = problems("""
        - id: ws
          title: Workshop
          start: 2026-07-10 17:00
          end: 2026-07-10 08:00
    """)
    assert found.startswith(
        "events/test.yaml:6: event 'ws': the end (2026-07-10 08:00) is not after"
    )


def test_an_all_day_end_before_the_start():
    (found,) = problems("""
        - id: conf
          title: Conf
          start: 2026-07-11
          end: 2026-07-06
    """)
    assert "end 2026-07-06 is before start 2026-07-11" in found


@pytest.mark.parametrize(
    "zone, hint",
    [
        ("Asia/Seol", "did you mean 'Asia/Seoul'?"),
        ("Seoul", "did you mean 'Asia/Seoul'?"),
        ("Mars/Olympus", "use an IANA name such as 'Asia/Seoul', or 'UTC', or 'AoE'"),
    ],
)
def test_an_unknown_zone_gets_a_suggestion(zone, hint):
    (found,) = problems(f"""
        - id: ws
          title: Workshop
          timezone: {zone}
          start: 2026-07-10 08:00
          duration: 1h
    """)
    assert found == f"events/test.yaml:5: event 'ws': unknown time zone '{zone}'; {hint}"


def test_a_wall_time_in_a_daylight_saving_gap_is_refused():
    (found,) = problems("""
        - id: la
          title: Gap
          timezone: America/Los_Angeles
          start: 2026-03-08 02:30
          duration: 1h
    """)
    assert "2026-03-08 02:30 does not exist once in America/Los_Angeles: it is nonexistent" in found
    assert "clocks skip this hour" in found


def test_an_ambiguous_wall_time_is_refused_with_a_way_out():
    (found,) = problems("""
        - id: la
          title: Overlap
          timezone: America/Los_Angeles
          start: 2026-11-01 01:30
          duration: 1h
    """)
    assert "it is ambiguous" in found and "give the time in UTC" in found


def test_a_repeat_landing_in_a_gap_is_refused():
    (found,) = problems("""
        - id: la
          title: Daily
          timezone: America/Los_Angeles
          start: 2026-03-06 02:30
          duration: 30m
          repeat: {every: day, count: 5}
    """)
    assert "2026-03-08 02:30" in found and "nonexistent" in found


@pytest.mark.parametrize(
    "repeat, message",
    [
        (
            "{every: month, count: 2}",
            "repeat 'every' is 'month'; use 'every: day' or 'every: week'",
        ),
        ("{every: day}", "repeat needs exactly one of 'count' or 'until'"),
        (
            "{every: day, count: 2, until: 2026-07-12}",
            "repeat needs exactly one of 'count' or 'until'",
        ),
        ("{every: day, count: 0}", "'count' must be a whole number from 1 to 1000"),
        (
            "{every: day, count: 3, except: [2026-07-20]}",
            "2026-07-20 is not an occurrence of the rule",
        ),
        ("{every: day, until: 2026-07-01}", "'until' 2026-07-01 is before the first occurrence"),
        ("{every: day, on: [mo], count: 2}", "'on' goes with 'every: week'"),
        ("{every: week, on: [xx], count: 2}", "'on' has 'xx', which is not a weekday"),
    ],
)
def test_invalid_recurrence(repeat, message):
    (found,) = problems(f"""
        - id: r
          title: Repeating
          start: 2026-07-10 08:00
          duration: 1h
          repeat: {repeat}
    """)
    assert message in found
    assert found.startswith("events/test.yaml:")


def test_every_problem_is_reported_in_one_run():
    found = problems("""
        - id: a
          title: A
          start: 2026-07-10 25:00
          duration: 1h
        - id: b
          title: B
          start: 2026-07-10 08:00
          duration: forever
        - id: c
          title: C
          stauts: confirmed
          start: 2026-07-10
    """)
    assert [f.split(":")[1] for f in found] == ["5", "10", "13"]


def test_yaml_syntax_errors_carry_pyyaml_position():
    calendar, found = loader.check_text("name: Test\nevents:\n  - id: a\n   title: [oops\n", PATH)
    (problem,) = found
    assert calendar is None
    assert str(problem).startswith("events/test.yaml:4: YAML syntax:")


def test_a_key_given_twice_is_an_error_not_a_silent_overwrite():
    calendar, found = loader.check_text(
        "name: Test\nevents:\n  - id: a\n    title: A\n    title: B\n    start: 2026-07-10\n", PATH
    )
    assert [str(p) for p in found] == [
        "events/test.yaml:5: key 'title' appears twice in one mapping (first at line 4); "
        "remove one of them; YAML would silently keep only the last"
    ]


def test_python_tags_are_refused_by_safe_loading():
    calendar, found = loader.check_text(
        "name: !!python/object/apply:os.system ['true']\nevents: []\n", PATH
    )
    assert calendar is None
    assert "events/test.yaml:1:" in str(found[0])


def test_a_yes_no_value_as_id_must_be_quoted():
    (found,) = problems("""
        - id: no
          title: Norway
          start: 2026-07-10
    """)
    assert (
        found == "events/test.yaml:3: event '#1': id must be text; quote it, e.g. id: 'keynote-1'"
    )


def test_ids_must_be_usable_in_urls():
    (found,) = problems("""
        - id: my event/1
          title: Spaces
          start: 2026-07-10
    """)
    assert "cannot be used in a URL" in found


def test_the_calendar_id_defaults_to_the_file_name():
    assert load("[]").id == "test"


def test_reserved_calendar_ids_are_refused():
    calendar, found = loader.check_text("id: all\nname: All\nevents: []\n", PATH)
    assert "reserved for a merged feed" in str(found[0])


def test_the_bundled_definitions_are_valid():
    calendars = loader.load_folder("events")
    assert [c.id for c in calendars] == ["icml-2026"]
    with pytest.raises(DefinitionError):
        loader.load_text("name: Broken\nevents: [{id: x}]\n", PATH)


def test_a_utc_series_in_a_calendar_with_daylight_saving_gets_a_warning():
    text = (
        "name: Test\ntimezone: Europe/London\nevents:\n"
        "  - id: call\n    title: Call\n    start: 2026-03-20 09:00 UTC\n    duration: 1h\n"
        "    repeat: {every: week, count: 4}\n"
    )
    calendar, found = loader.check_text(text, PATH)
    assert calendar is not None
    (warning,) = found
    assert warning.severity == "warning"
    assert str(warning).startswith(
        "events/test.yaml:8: warning: event 'call': a repeating event in UTC"
    )


def test_a_utc_series_in_seoul_needs_no_warning():
    text = (
        "name: Test\nevents:\n"
        "  - id: call\n    title: Call\n    start: 2026-03-20 09:00 UTC\n    duration: 1h\n"
        "    repeat: {every: week, count: 4}\n"
    )
    assert loader.check_text(text, PATH)[1] == []
