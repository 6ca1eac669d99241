"""Real zone spellings: ``UTC-8``, ``GMT+8``, ``UTC+5:45``, ``Etc/GMT+12``, and abbreviations.

The rules (README, "Zones" under "Times"; docs/compatibility.md):

* ``UTC±H[:MM]`` and ``GMT±H[:MM]`` have the human sign: ``UTC-8`` is 8 hours behind UTC.
  ``Etc/GMT±N`` has the tz database's inverted sign: ``Etc/GMT+12`` is UTC-12.
* They are written like AoE: UTC instants (``DTSTART:...Z``), never a TZID, a VTIMEZONE or
  an X-WR-TIMEZONE; the description and the pages name the offset (``23:59 UTC-8``).
* Offsets outside UTC-12..UTC+14 are refused at the line.
* Abbreviations are refused with the fixed offset and the IANA zone, and how they differ.
* A hint never proposes a zone of another offset.

Each spelling is served through the app and read back with icalendar, recurring-ical-events
and ical.js; the instants expected are worked out here by hand from the wall time and the
offset the spelling means.
"""

from __future__ import annotations

import html
import os
import re
import textwrap
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import recurring_ical_events
from hypothesis import given
from hypothesis import strategies as st

from feeds import tz
from feeds.definitions import loader
from feeds.doctor import parsers
from feeds.serve.app import create_app
from feeds.serve.store import Store
from feeds.tz import database, spellings
from tests.conftest import make_settings

REQUIRE_ALL = os.environ.get("FEEDS_REQUIRE_ALL_PARSERS") == "1"

H = timedelta(hours=1)
M = timedelta(minutes=1)

#: (as written, the offset it means, how feeds and pages name it)
SPELLINGS = [
    ("UTC-8", -8 * H, "UTC-8"),
    ("GMT+8", 8 * H, "UTC+8"),
    ("UTC+0", timedelta(0), "UTC"),
    ("UTC\u22128", -8 * H, "UTC-8"),  # U+2212 MINUS SIGN
    ("UTC+05:30", 5 * H + 30 * M, "UTC+5:30"),
    ("UTC+5:45", 5 * H + 45 * M, "UTC+5:45"),
    ("utc-0330", -(3 * H + 30 * M), "UTC-3:30"),
    ("GMT-9:30", -(9 * H + 30 * M), "UTC-9:30"),
    ("UTC+14", 14 * H, "UTC+14"),
    ("UTC+12:45", 12 * H + 45 * M, "UTC+12:45"),
    ("Etc/GMT+5", -5 * H, "UTC-5"),  # POSIX sign: five hours behind
    ("Etc/GMT-14", 14 * H, "UTC+14"),
    ("Etc/GMT+12", -12 * H, "AoE"),  # UTC-12 is Anywhere on Earth
    ("UTC-12", -12 * H, "AoE"),
]
IDS = [written for written, _, _ in SPELLINGS]


def calendar_yaml(index: int, written: str) -> str:
    """A calendar in the zone ``written``: a deadline, a weekly meeting, an event elsewhere."""
    return textwrap.dedent(f"""\
        name: Zone {index}
        timezone: "{written}"
        events:
          - id: paper
            title: Paper deadline
            due: 2026-06-01
          - id: meeting
            title: Weekly meeting
            start: 2026-06-01 09:00
            end: 10:00
            repeat: {{every: week, count: 3}}
          - id: in-seoul
            title: Seoul keynote
            timezone: Asia/Seoul
            start: 2026-06-03 10:00
            end: 11:00
        """)


SEOUL_YAML = "name: Seoul\nevents:\n" + "".join(
    f"""\
  - id: due-{index}
    title: Due {index}
    due: "2026-06-01 23:59 {written}"
  - id: own-{index}
    title: Own {index}
    timezone: "{written}"
    start: 2026-06-01 09:00
    duration: 30m
"""
    for index, (written, _, _) in enumerate(SPELLINGS)
)


def wall(offset: timedelta, *args: int) -> datetime:
    """The UTC instant of a wall time in a fixed offset, worked out by hand."""
    return datetime(*args, tzinfo=UTC) - offset


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spellings")
    for index, (written, _, _) in enumerate(SPELLINGS):
        (folder / f"z{index}.yaml").write_text(calendar_yaml(index, written), encoding="utf-8")
    (folder / "seoul.yaml").write_text(SEOUL_YAML, encoding="utf-8")
    settings = make_settings(folder)
    store = Store(settings, write_revisions=False)
    assert store.errors() == []
    client = create_app(settings, store).test_client()

    def get(path: str) -> bytes:
        response = client.get(path)
        assert response.status_code == 200, path
        return response.data

    return get


def read_with(parser: str, data: bytes) -> dict[str, list]:
    ok, reason = parsers.available(parser)
    if not ok:
        if REQUIRE_ALL:
            pytest.fail(reason)
        pytest.skip(reason)
    starts: dict[str, list] = {}
    for event in parsers.parse(parser, data):
        assert not event.floating, (parser, event.uid)
        starts.setdefault(event.uid.split("@")[0], []).append(event.start.astimezone(UTC))
    return {uid: sorted(found) for uid, found in starts.items()}


@pytest.mark.parametrize("parser", ["icalendar", "ical.js", "recurring-ical-events"])
@pytest.mark.parametrize("index", range(len(SPELLINGS)), ids=IDS)
def test_a_calendar_in_a_fixed_offset_is_read_at_its_utc_instants(site, parser, index):
    written, offset, _ = SPELLINGS[index]
    data = site(f"/feeds/z{index}.ics")
    starts = read_with(parser, data)
    assert starts[f"z{index}/paper"] == [wall(offset, 2026, 6, 1, 23, 59)]
    assert starts[f"z{index}/meeting"] == [wall(offset, 2026, 6, d, 9, 0) for d in (1, 8, 15)]
    assert starts[f"z{index}/in-seoul"] == [datetime(2026, 6, 3, 1, 0, tzinfo=UTC)]


@pytest.mark.parametrize("parser", ["icalendar", "ical.js"])
def test_a_zone_after_the_time_or_on_the_event_gives_the_same_instants(site, parser):
    starts = read_with(parser, site("/feeds/seoul.ics"))
    for index, (written, offset, _) in enumerate(SPELLINGS):
        assert starts[f"seoul/due-{index}"] == [wall(offset, 2026, 6, 1, 23, 59)], written
        assert starts[f"seoul/own-{index}"] == [wall(offset, 2026, 6, 1, 9, 0)], written


@pytest.mark.parametrize("index", range(len(SPELLINGS)), ids=IDS)
def test_no_tzid_no_vtimezone_and_no_x_wr_timezone_for_a_fixed_offset(site, index):
    data = site(f"/feeds/z{index}.ics")
    calendar = icalendar.Calendar.from_ical(data)
    if SPELLINGS[index][2] == "UTC":  # UTC+0 is UTC, a name every client knows
        assert calendar["X-WR-TIMEZONE"] == "UTC"
    else:
        assert "X-WR-TIMEZONE" not in calendar
    # the one VTIMEZONE is the Seoul keynote's own: none for the calendar's fixed offset
    assert [str(v["TZID"]) for v in calendar.walk("VTIMEZONE")] == ["Asia/Seoul"]
    for event in calendar.walk("VEVENT"):
        start = event["DTSTART"]
        if str(event["SUMMARY"]) == "Seoul keynote":
            assert start.params["TZID"] == "Asia/Seoul"
        else:
            assert "TZID" not in start.params
            assert start.dt.utcoffset() == timedelta(0)
    assert b"Etc/GMT" not in data


def test_a_fixed_offset_calendar_expands_with_recurring_ical_events_and_no_zone(site):
    # recurring-ical-events rewrites UTC values into the X-WR-TIMEZONE: there is none to
    # misread, and "UTC-8" would be a name it cannot resolve.
    calendar = icalendar.Calendar.from_ical(site("/feeds/z0.ics"))
    found = recurring_ical_events.of(calendar).between(datetime(2026, 6, 1), datetime(2026, 7, 1))
    meetings = sorted(e["DTSTART"].dt for e in found if str(e["SUMMARY"]) == "Weekly meeting")
    assert meetings == [datetime(2026, 6, d, 17, 0, tzinfo=UTC) for d in (1, 8, 15)]


def test_merged_feeds_of_fixed_offset_calendars_name_no_zone(tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(calendar_yaml(0, "UTC-8"), encoding="utf-8")
    settings = make_settings(tmp_path)
    client = create_app(settings, Store(settings, write_revisions=False)).test_client()
    for path in ("/feeds/all.ics", "/feeds/deadlines.ics"):
        calendar = icalendar.Calendar.from_ical(client.get(path).data)
        assert "X-WR-TIMEZONE" not in calendar, path
        found = recurring_ical_events.of(calendar).between(
            datetime(2026, 6, 1), datetime(2026, 7, 1)
        )
        papers = [e["DTSTART"].dt for e in found if str(e["SUMMARY"]).endswith("Paper deadline")]
        assert papers == [datetime(2026, 6, 2, 7, 59, tzinfo=UTC)] * 2, path


@pytest.mark.parametrize("index", range(len(SPELLINGS)), ids=IDS)
def test_the_description_states_the_offset_as_written(site, index):
    _, _, label = SPELLINGS[index]
    calendar = icalendar.Calendar.from_ical(site(f"/feeds/z{index}.ics"))
    (paper,) = [e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == "Paper deadline"]
    first = str(paper["DESCRIPTION"]).splitlines()[0]
    if label == "AoE":
        assert first == "Due 1 Jun 2026 23:59 AoE (UTC-12)"
    else:
        assert first == f"Due 1 Jun 2026 23:59 {label}"


def page_text(data: bytes) -> str:
    text = re.sub(r"<[^>]+>", " ", data.decode("utf-8"))
    return re.sub(r"\s+", " ", html.unescape(text))


@pytest.mark.parametrize("index", range(len(SPELLINGS)), ids=IDS)
def test_the_calendar_page_names_the_offset(site, index):
    _, _, label = SPELLINGS[index]
    text = page_text(site(f"/calendars/z{index}/"))
    heading = "Anywhere on Earth (UTC-12)" if label == "AoE" else label
    assert f"Times are in {heading}." in text
    assert f"Due 23:59 {label}" in text
    assert "Etc/GMT" not in text


def test_a_page_in_another_zone_shows_each_deadline_as_written(site):
    text = page_text(site("/calendars/seoul/"))
    for _, _, label in SPELLINGS:
        if label not in ("AoE", "UTC"):
            assert f"1 Jun 2026 23:59 {label}" in text, label


# --- refused spellings: located, with a hint that keeps the offset -----------------------

PATH = "events/zones.yaml"


def errors(text: str) -> list[str]:
    _, found = loader.check_text(textwrap.dedent(text), PATH)
    return [str(p) for p in found if p.severity == "error"]


def one_event(zone_line: str, due: str = "2026-06-01") -> str:
    return f"""\
name: Z
events:
  - id: x
    title: X
    {zone_line}
    due: {due}
"""


@pytest.mark.parametrize(
    "written, message, fix",
    [
        (
            "PST",
            "'PST' is an abbreviation, not a time zone",
            "write 'UTC-8' for the fixed offset PST names, or 'America/Los_Angeles' for Los "
            "Angeles time, which is on PDT (UTC-7) part of the year: PST in June is not Los "
            "Angeles time",
        ),
        (
            "CEST",
            "'CEST' is an abbreviation, not a time zone",
            "write 'UTC+2' for the fixed offset CEST names, or 'Europe/Paris' for Paris time, "
            "which is on CET (UTC+1) part of the year: CEST in January is not Paris time",
        ),
        (
            "UTC+15",
            "'UTC+15' is not an offset in use: offsets run from UTC-12 to UTC+14",
            "check the sign and the hours: UTC-8 is 8 hours behind UTC, UTC+9 is ahead of it",
        ),
        (
            "Etc/GMT+13",
            "'Etc/GMT+13' is not an offset in use: it means UTC-13 (an Etc/GMT name's sign is "
            "inverted), and offsets run from UTC-12 to UTC+14",
            "check the sign and the hours: UTC-8 is 8 hours behind UTC, UTC+9 is ahead of it",
        ),
        (
            "UTC+5:75",
            "'UTC+5:75' is not an offset in use: it has 75 minutes, and an offset's minutes run "
            "to 59",
            "check the sign and the hours: UTC-8 is 8 hours behind UTC, UTC+9 is ahead of it",
        ),
        ("UTC -8", "unknown time zone 'UTC -8'", "did you mean 'UTC-8'?"),
        ("GMT+8:00:00", "unknown time zone 'GMT+8:00:00'", "did you mean 'UTC+8'?"),
        (
            "Etc/GMT+8:00",
            "unknown time zone 'Etc/GMT+8:00'",
            "did you mean 'UTC-8'? (an Etc/GMT name has the inverted sign: Etc/GMT+8 is UTC-8)",
        ),
        ("+09:00", "'+09:00' is a bare offset, not a time zone", "did you mean 'UTC+9'?"),
    ],
)
def test_a_refused_zone_is_located_with_its_fix(written, message, fix):
    assert errors(one_event(f'timezone: "{written}"')) == [f"{PATH}:5: event 'x': {message}; {fix}"]


@pytest.mark.parametrize(
    "number, fix",
    [("-8", "did you mean 'UTC-8'?"), ("9", "did you mean 'UTC+9'?"), ("0", "did you mean 'UTC'?")],
)
def test_a_number_as_a_zone_gets_the_offset_it_would_mean(number, fix):
    assert errors(one_event(f"timezone: {number}")) == [
        f"{PATH}:5: event 'x': time zone {number} is a number, not a zone name; {fix}"
    ]


def test_an_abbreviation_after_the_time_is_refused_at_that_line():
    (found,) = errors(one_event("kind: deadline", due='"2026-06-01 23:59 PDT"'))
    assert found.startswith(f"{PATH}:6: event 'x': 'PDT' is an abbreviation, not a time zone; ")
    assert "'UTC-7'" in found and "'America/Los_Angeles'" in found


def test_an_abbreviation_as_the_calendar_zone_is_refused_at_its_line():
    (found,) = errors("name: Z\ntimezone: EST\nevents: []\n")
    assert found.startswith(f"{PATH}:2: 'EST' is an abbreviation, not a time zone; ")
    assert "'UTC-5'" in found and "'America/New_York'" in found
    assert "EST in June is not New York time" in found


@pytest.mark.parametrize(
    "abbr, places",
    [
        ("IST", ["India: 'UTC+5:30'", "Dublin: 'UTC+1'", "Israel: 'UTC+2'"]),
        ("BST", ["London: 'UTC+1'", "Bangladesh: 'UTC+6'"]),
        ("CST", ["Chicago: 'UTC-6'", "China: 'UTC+8'"]),
    ],
)
def test_an_ambiguous_abbreviation_says_so_and_lists_each_meaning(abbr, places):
    (found,) = errors(one_event(f"timezone: {abbr}"))
    assert f"{abbr} is ambiguous" in found
    for place in places:
        assert place in found


@pytest.mark.parametrize("abbr", ["EST", "CET", "MST", "HST", "WET", "EET"])
def test_abbreviations_the_tz_database_keeps_as_zones_are_still_refused(abbr):
    assert abbr in database.zone_names()
    assert tz.canonical(abbr) is None


# --- the abbreviation table against the tz database --------------------------------------


def states_in(zone: str, year: int) -> list[database.State]:
    days = (datetime(year, 1, 1, tzinfo=UTC) + timedelta(days=d) for d in range(0, 366, 7))
    return [database.state_at(day, zone) for day in days]


@pytest.mark.parametrize("abbr", sorted(spellings.ABBREVIATIONS))
def test_every_abbreviation_names_an_offset_its_zone_really_keeps(abbr):
    for meaning in spellings.ABBREVIATIONS[abbr]:
        assert meaning.zone in database.zone_names()
        states = states_in(meaning.zone, 2026)
        seen = {s.offset for s in states}
        if meaning.offset is not None:
            assert meaning.offset in seen, (abbr, meaning.zone)
            # where the tz database spells the abbreviation in letters, it is this one
            names = {s.name for s in states if s.offset == meaning.offset}
            if any(name.isalpha() for name in names):
                assert abbr in names, (abbr, meaning.zone, names)
        stated = {spell_offset(q) for q in re.findall(r"\((UTC[+-][0-9:]+)\)", meaning.difference)}
        if "all year" in meaning.difference:
            assert seen == {meaning.offset}, (abbr, meaning.zone)
        else:
            # the place keeps two offsets: the abbreviation's and the one the hint states
            assert len(seen) == 2 and stated <= seen, (abbr, meaning.zone, seen)
            assert seen - {meaning.offset} <= stated, (abbr, meaning.zone, seen)


def spell_offset(label: str) -> timedelta:
    offset = spellings.read_offset(label)
    assert offset is not None
    return offset


# --- properties ---------------------------------------------------------------------------

signs = st.sampled_from([("+", 1), ("-", -1), ("\u2212", -1)])
hours = st.integers(0, 16)
minutes = st.sampled_from([0, 15, 30, 45])


@given(st.sampled_from(["UTC", "GMT", "utc", "Gmt"]), signs, hours, minutes, st.booleans())
def test_every_offset_in_bounds_is_accepted_with_the_human_sign(prefix, sign, h, m, padded):
    symbol, factor = sign
    text = f"{prefix}{symbol}{h:02d}:{m:02d}" if padded or m else f"{prefix}{symbol}{h}"
    meant = factor * timedelta(hours=h, minutes=m)
    zone = tz.canonical(text)
    if -12 * H <= meant <= 14 * H:
        assert zone is not None, text
        instant = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
        assert database.state_at(instant, zone).offset == meant
        assert tz.to_utc(datetime(2026, 6, 1, 9, 0), zone) == wall(meant, 2026, 6, 1, 9, 0)
        assert tz.is_utc_like(zone)
        assert tz.in_tz_database(zone) == (zone == "UTC")  # UTC+0 is UTC
    else:
        assert zone is None
        assert "offsets run from UTC-12 to UTC+14" in tz.refusal(text)[0]


@given(st.sampled_from(["+", "-"]), st.integers(0, 14))
def test_etc_gmt_names_are_their_real_offset(symbol, h):
    text = f"Etc/GMT{symbol}{h}"
    meant = timedelta(hours=-h if symbol == "+" else h)
    zone = tz.canonical(text)
    if -12 * H <= meant <= 14 * H:
        assert zone is not None
        # the tz database agrees: its Etc/GMT+5 is five hours behind UTC
        instant = datetime(2026, 1, 1, tzinfo=UTC)
        if text in database.zone_names():
            assert database.state_at(instant, text).offset == meant
        assert database.state_at(instant, zone).offset == meant
        assert not zone.startswith("Etc/")
    else:
        assert zone is None


@st.composite
def near_misses(draw) -> tuple[str, timedelta]:
    """Offset spellings with the slips people make, and the offset they mean."""
    prefix = draw(st.sampled_from(["UTC", "GMT", "Etc/GMT", "utc", "", "Z"]))
    symbol, factor = draw(signs | st.just(("\u2013", -1)))
    h = draw(st.integers(0, 15))
    m = draw(minutes)
    clock = draw(
        st.sampled_from(
            [f"{h}", f"{h:02d}", f"{h}:{m:02d}", f"{h:02d}{m:02d}", f"{h}h", f"{h}:{m:02d}:00"]
        )
    )
    if clock in (f"{h}", f"{h:02d}", f"{h}h"):
        m = 0
    gap = draw(st.sampled_from(["", " ", "  "]))
    tail = draw(st.sampled_from(["", "", " ", "x", "!"]))
    meant = factor * timedelta(hours=h, minutes=m)
    if prefix == "Etc/GMT":
        meant = -meant
    return f"{prefix}{gap}{symbol}{gap}{clock}{tail}", meant


@given(near_misses(), st.datetimes(datetime(1970, 1, 2), datetime(2037, 12, 30)))
def test_no_hint_proposes_a_zone_of_another_offset(case, naive):
    text, meant = case
    instant = naive.replace(tzinfo=UTC)
    zone = tz.canonical(text)
    if zone is not None:
        assert database.state_at(instant, zone).offset == meant, text
        return
    message, hint = tz.refusal(text)
    proposed = [q for q in re.findall(r"'([^']*)'", hint) if q != text.strip()]
    for name in proposed:
        suggested = tz.canonical(name)
        assert suggested is not None, (text, hint)
        assert database.state_at(instant, suggested).offset == meant, (text, hint)
    if not -12 * H <= meant <= 14 * H:
        assert proposed == [], (text, hint)


@given(
    st.sampled_from(sorted(spellings.ABBREVIATIONS)),
    st.datetimes(datetime(1970, 1, 2), datetime(2037, 12, 30)),
)
def test_an_abbreviation_hint_first_proposes_its_own_fixed_offset(abbr, naive):
    hint = tz.refusal(abbr)[1]
    first = re.findall(r"'([^']*)'", hint)[0]
    meaning = spellings.ABBREVIATIONS[abbr][0]
    zone = tz.canonical(first)
    assert zone is not None
    if meaning.offset is None:  # PT, ET: the names of a zone's clock, not of an offset
        assert zone == meaning.zone
    else:
        offset = database.state_at(naive.replace(tzinfo=UTC), zone).offset
        assert offset == meaning.offset
