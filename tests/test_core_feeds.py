"""Served feeds, read back by independent parsers, put every event at the right instant."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
import pytz

from feeds import revisions, site
from feeds.definitions import loader
from feeds.doctor import parsers
from feeds.serve.app import create_app
from feeds.serve.store import Store
from tests.conftest import make_settings

SPEC_PARSERS = ["icalendar", "ical.js"]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def read(data: bytes, parser: str) -> dict[tuple, parsers.ParsedEvent]:
    ok, reason = parsers.available(parser)
    if not ok:
        pytest.skip(f"{parser} is not installed here: {reason} (make test installs it)")
    return {(e.uid.split("@")[0], e.recurrence_id): e for e in parsers.parse(parser, data)}


@pytest.fixture(params=SPEC_PARSERS)
def parser(request) -> str:
    return request.param


# -- the ICML facts, as every parser reads them -------------------------------------


def test_a_workshop_at_0800_seoul_starts_at_2300_utc_the_day_before(client, parser):
    events = read(client.get("/feeds/icml-2026.ics").data, parser)
    first = events[("icml-2026/workshops", utc(2026, 7, 9, 23, 0))]
    second = events[("icml-2026/workshops", utc(2026, 7, 10, 23, 0))]
    assert (first.start, first.end) == (utc(2026, 7, 9, 23, 0), utc(2026, 7, 10, 8, 0))
    assert (second.start, second.end) == (utc(2026, 7, 10, 23, 0), utc(2026, 7, 11, 8, 0))
    assert not first.floating and not second.floating


def test_the_full_paper_deadline_28_jan_aoe_is_1159_utc_on_29_jan(client, parser):
    events = read(client.get("/feeds/icml-2026/deadlines.ics").data, parser)
    deadline = events[("icml-2026/full-paper-deadline", None)]
    assert deadline.start == utc(2026, 1, 29, 11, 59)


def test_the_registration_cancellation_deadline_is_in_utc(client, parser):
    events = read(client.get("/feeds/deadlines.ics").data, parser)
    assert events[("icml-2026/registration-cancellation-deadline", None)].start == utc(
        2026, 6, 15, 11, 59
    )


def test_the_conference_is_all_day_6_to_11_july_with_an_exclusive_end(client, parser):
    events = read(client.get("/feeds/icml-2026.ics").data, parser)
    conference = events[("icml-2026/conference", None)]
    assert conference.all_day
    assert (conference.start, conference.end) == (date(2026, 7, 6), date(2026, 7, 12))


def test_registration_desk_hours(client, parser):
    events = read(client.get("/feeds/icml-2026.ics").data, parser)
    day1 = events[("icml-2026/registration-desk-jul-10", None)]
    day2 = events[("icml-2026/registration-desk-jul-11", None)]
    assert (day1.start, day1.end) == (utc(2026, 7, 9, 22, 30), utc(2026, 7, 10, 7, 0))
    assert (day2.start, day2.end) == (utc(2026, 7, 10, 22, 30), utc(2026, 7, 11, 3, 0))


def test_every_feed_matches_the_model_for_every_parser(client, parser, bundled_dir):
    """Each feed in feeds.json, each event, each parser: the model's instants, no floating time."""
    calendars = {c.id: c for c in loader.load_folder(bundled_dir)}
    for feed in client.get("/feeds.json").get_json()["feeds"]:
        path = feed["url"].removeprefix("https://feeds.example.org")
        parsed = read(client.get(path).data, parser)
        assert len({uid for uid, _ in parsed}) == feed["events"], feed["id"]
        for (uid, _), got in parsed.items():
            cal_id, event_id = uid.split("/")
            expected = expected_occurrences(calendars[cal_id].event(event_id))
            assert (got.start, got.end) in expected, (feed["id"], uid)
            assert not got.floating


def expected_occurrences(event) -> set[tuple]:
    """(start, end) of every occurrence as the model states it, in UTC or as dates."""
    when = event.when
    if hasattr(when, "at_utc"):
        return {(when.at_utc, None), (when.at_utc, when.at_utc)}
    if hasattr(when, "first"):
        days = event.repeat.occurrences(when.first) if event.repeat else [when.first]
        length = when.end_exclusive - when.first
        return {(d, d + length) for d in days}
    days = event.repeat.occurrences(when.start.date()) if event.repeat else [when.start.date()]
    tz = pytz.timezone(when.zone)
    out = set()
    for d in days:
        shift = d - when.start.date()
        start = tz.localize(when.start + shift).astimezone(UTC)
        end = tz.localize(when.end + shift).astimezone(UTC)
        out.add((start, end))
    return out


# -- what the feed says about itself ------------------------------------------------------


def test_the_calendar_properties_clients_read(client):
    cal = icalendar.Calendar.from_ical(client.get("/feeds/icml-2026.ics").data)
    assert cal["VERSION"] == "2.0"
    assert cal["METHOD"] == "PUBLISH"
    assert cal["CALSCALE"] == "GREGORIAN"
    assert str(cal["X-WR-CALNAME"]) == str(cal["NAME"]) == "ICML 2026"
    assert "43rd International Conference on Machine Learning" in str(cal["X-WR-CALDESC"])
    assert str(cal["X-WR-TIMEZONE"]) == "Asia/Seoul"
    assert str(cal["URL"]) == "https://icml.cc/"
    assert cal["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert cal["REFRESH-INTERVAL"].dt == timedelta(hours=12)
    assert icalendar.vDuration.from_ical(str(cal["X-PUBLISHED-TTL"])) == timedelta(hours=12)


def test_the_refresh_interval_is_configurable(bundled_dir):
    settings = make_settings(bundled_dir, refresh=timedelta(hours=6))
    app = create_app(settings, Store(settings, write_revisions=False))
    response = app.test_client().get("/feeds/all.ics")
    cal = icalendar.Calendar.from_ical(response.data)
    assert cal["REFRESH-INTERVAL"].dt == timedelta(hours=6)
    assert response.headers["Cache-Control"] == "public, max-age=21600"


def test_seoul_is_one_plus_0900_block_without_1987_history(client):
    cal = icalendar.Calendar.from_ical(client.get("/feeds/icml-2026.ics").data)
    (zone,) = cal.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Asia/Seoul"
    (block,) = zone.subcomponents
    assert block.name == "STANDARD"
    assert block["TZOFFSETFROM"].td == block["TZOFFSETTO"].td == timedelta(hours=9)
    assert "RDATE" not in block


def test_no_lmt_offset_reaches_a_feed(client):
    # The trap: attaching a pytz zone directly gives Seoul's 1908 LMT offset.
    trap = datetime(2026, 7, 10, 8, 0, tzinfo=pytz.timezone("Asia/Seoul"))
    assert trap.utcoffset() == timedelta(hours=8, minutes=28)
    for feed in client.get("/feeds.json").get_json()["feeds"]:
        data = client.get(feed["url"].removeprefix("https://feeds.example.org")).data
        cal = icalendar.Calendar.from_ical(data)
        offsets = {
            b[p].td
            for z in cal.walk("VTIMEZONE")
            for b in z.subcomponents
            for p in ("TZOFFSETFROM", "TZOFFSETTO")
        }
        assert offsets <= {timedelta(hours=9)}, feed["id"]
        for event in cal.walk("VEVENT"):
            start = event["DTSTART"].dt
            if isinstance(start, datetime) and start.tzinfo is not None:
                assert start.utcoffset() in (timedelta(0), timedelta(hours=9))


def test_every_tzid_has_its_vtimezone_and_no_time_floats(client):
    for feed in client.get("/feeds.json").get_json()["feeds"]:
        cal = icalendar.Calendar.from_ical(
            client.get(feed["url"].removeprefix("https://feeds.example.org")).data
        )
        assert cal.get_missing_tzids() == set()
        for event in cal.walk("VEVENT"):
            start = event["DTSTART"].dt
            assert not (isinstance(start, datetime) and start.tzinfo is None), event["UID"]


def test_events_carry_status_categories_location_url_description(client):
    cal = icalendar.Calendar.from_ical(client.get("/feeds/icml-2026.ics").data)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    workshops = events["icml-2026/workshops@feeds.example.org"]
    assert workshops["STATUS"] == "CONFIRMED"
    assert workshops.categories == ["workshop"]
    assert str(workshops["LOCATION"]) == "COEX Convention & Exhibition Center, Seoul, South Korea"
    assert str(workshops["URL"]) == "https://icml.cc/"
    assert "44 workshops" in str(workshops["DESCRIPTION"])
    deadline = events["icml-2026/full-paper-deadline@feeds.example.org"]
    assert "LOCATION" not in deadline
    text = str(deadline["DESCRIPTION"])
    assert "28 Jan 2026 23:59 AoE (UTC-12)" in text
    assert "29 Jan 2026 11:59 UTC" in text
    assert "29 Jan 2026 20:59 KST (Seoul)" in text


def test_aoe_is_never_written_as_an_etc_gmt_zone(client):
    data = client.get("/feeds/all.ics").data
    assert b"Etc/GMT" not in data
    cal = icalendar.Calendar.from_ical(data)
    for event in cal.walk("VEVENT"):
        if "deadline" in event.categories:
            assert event["DTSTART"].dt.tzinfo is not None
            assert event["DTSTART"].dt.utcoffset() == timedelta(0)


def test_text_is_escaped(write, app_for):
    write(
        "t.yaml",
        """
        name: "Commas, semicolons; and \\\\ backslashes"
        description: "Two\\nlines"
        events:
          - id: e
            title: "A, B; C \\\\ D"
            description: "first line\\nsecond, line; end"
            start: 2026-07-10 09:00
            duration: 1h
        """,
    )
    data = app_for().test_client().get("/feeds/t.ics").data
    cal = icalendar.Calendar.from_ical(data)

    # Parsers hand back NAME and the X-WR- properties raw (their type is not
    # declared), so unescape them as TEXT, their default type (RFC 5545 3.8.8.2).
    def unescape(text: str) -> str:
        return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], text)

    assert unescape(str(cal["NAME"])) == "Commas, semicolons; and \\ backslashes"
    assert unescape(str(cal["X-WR-CALNAME"])) == "Commas, semicolons; and \\ backslashes"
    assert unescape(str(cal["X-WR-CALDESC"])) == "Two\nlines"
    assert str(cal["DESCRIPTION"]) == "Two\nlines"
    (event,) = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == "A, B; C \\ D"
    assert str(event["DESCRIPTION"]) == "first line\nsecond, line; end"


# -- identity and determinism ------------------------------------------------------------


def test_uids_are_stable_and_built_from_ids_and_the_domain(client):
    cal = icalendar.Calendar.from_ical(client.get("/feeds/icml-2026.ics").data)
    uids = [str(e["UID"]) for e in cal.walk("VEVENT")]
    assert len(uids) == len(set(uids)) == 17
    assert "icml-2026/full-paper-deadline@feeds.example.org" in uids


def test_two_renders_are_byte_identical(bundled_dir):
    def everything() -> dict[str, bytes]:
        settings = make_settings(bundled_dir)
        store = Store(settings, write_revisions=False)
        return {path: r.body for path, r in store.site.resources.items()}

    assert everything() == everything()


def test_stamps_come_from_the_revisions_file_not_the_clock(client, bundled_dir):
    stored = revisions.read(bundled_dir / "icml-2026.revisions.json")
    cal = icalendar.Calendar.from_ical(client.get("/feeds/icml-2026.ics").data)
    for event in cal.walk("VEVENT"):
        event_id = str(event["UID"]).split("/")[1].split("@")[0]
        assert event["DTSTAMP"].dt == stored.events[event_id].modified
        assert event["LAST-MODIFIED"].dt == stored.events[event_id].modified
        assert event["SEQUENCE"] == stored.events[event_id].sequence


def test_the_bundled_revisions_file_is_up_to_date():
    (calendar,) = loader.load_folder("events")
    stored = revisions.read(revisions.revisions_path(calendar))
    assert revisions.stale(calendar, stored) == [], "run 'feeds revise' and commit the file"


WORKSHOP = """
name: Test
events:
  - id: ws
    title: Workshop
    start: 2026-07-10 08:00
    end: 17:00
    location: Room 1
"""


def sequence_and_stamp(app, uid="t/ws@feeds.example.org"):
    cal = icalendar.Calendar.from_ical(app.test_client().get("/feeds/t.ics").data)
    (event,) = [e for e in cal.walk("VEVENT") if str(e["UID"]) == uid]
    return event["SEQUENCE"], event["DTSTAMP"].dt, event["DTSTART"].dt


@pytest.mark.parametrize(
    "edit, rises",
    [
        (("08:00", "09:00"), True),  # time
        (("Room 1", "Room 2"), True),  # place
        (("location: Room 1", "location: Room 1\n    status: cancelled"), True),  # status
        (("title: Workshop", "title: Workshops"), False),  # wording only
    ],
)
def test_sequence_rises_when_time_status_or_place_changes(write, app_for, edit, rises):
    path = write("t.yaml", WORKSHOP)
    seq0, stamp0, _ = sequence_and_stamp(app_for())
    assert seq0 == 0
    path.write_text(WORKSHOP.replace(*edit).lstrip(), encoding="utf-8")
    revisions.update(loader.load_file(path), now=stamp0 + timedelta(hours=1))
    seq1, stamp1, _ = sequence_and_stamp(app_for())
    assert seq1 == (1 if rises else 0)
    assert stamp1 == stamp0 + timedelta(hours=1)  # LAST-MODIFIED and DTSTAMP move either way


def test_an_unchanged_reload_keeps_sequence_and_stamps(write, app_for):
    write("t.yaml", WORKSHOP)
    assert sequence_and_stamp(app_for()) == sequence_and_stamp(app_for())


def test_validate_warns_about_a_stale_revisions_file(write, events_dir):
    path = write("t.yaml", WORKSHOP)
    calendar = loader.load_file(path)
    revisions.update(calendar)
    path.write_text(WORKSHOP.replace("08:00", "09:00").lstrip(), encoding="utf-8")
    changed = loader.load_file(path)
    (warning,) = revisions.stale_problems(
        changed, revisions.read(revisions.revisions_path(changed))
    )
    assert warning.severity == "warning"
    assert str(warning).startswith(f"{path}:3: warning: event 'ws': is new or changed")


# -- recurrence and other zones across daylight saving ----------------------------------------


def test_a_recurrence_across_a_dst_change_keeps_its_wall_time(write, app_for, parser):
    write(
        "t.yaml",
        """
        name: Test
        events:
          - id: standup
            title: Standup
            timezone: America/Los_Angeles
            start: 2026-03-06 09:00
            duration: 30m
            repeat: {every: day, count: 4, except: [2026-03-07]}
        """,
    )
    parsed = read(app_for().test_client().get("/feeds/t.ics").data, parser)
    starts = sorted(e.start for e in parsed.values())
    assert starts == [utc(2026, 3, 6, 17, 0), utc(2026, 3, 8, 16, 0), utc(2026, 3, 9, 16, 0)]


def test_london_events_on_both_sides_of_the_clock_change(write, app_for, parser):
    write(
        "t.yaml",
        """
        name: Test
        timezone: Europe/London
        events:
          - {id: before, title: Before, start: 2026-03-28 12:00, duration: 1h}
          - {id: after, title: After, start: 2026-03-29 12:00, duration: 1h}
          - {id: autumn, title: Autumn, start: 2026-10-25 12:00, duration: 1h}
        """,
    )
    parsed = read(app_for().test_client().get("/feeds/t.ics").data, parser)
    assert parsed[("t/before", None)].start == utc(2026, 3, 28, 12, 0)
    assert parsed[("t/after", None)].start == utc(2026, 3, 29, 11, 0)
    assert parsed[("t/autumn", None)].start == utc(2026, 10, 25, 12, 0)


def test_dst_zones_get_yearly_rules_not_rdate_lists(write, app_for):
    write(
        "t.yaml",
        """
        name: Test
        timezone: America/Los_Angeles
        events:
          - {id: a, title: A, start: 2025-06-01 12:00, duration: 1h}
          - {id: b, title: B, start: 2027-06-01 12:00, duration: 1h}
        """,
    )
    data = app_for().test_client().get("/feeds/t.ics").data
    assert b"RDATE" not in data
    cal = icalendar.Calendar.from_ical(data)
    (zone,) = cal.walk("VTIMEZONE")
    rules = {
        (b.name, b["DTSTART"].dt.isoformat(), b["RRULE"].to_ical().decode())
        for b in zone.subcomponents
        if "RRULE" in b
    }
    assert ("DAYLIGHT", "2025-03-09T02:00:00", "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3") in rules
    assert ("STANDARD", "2025-11-02T02:00:00", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=11") in rules


# -- HTTP -------------------------------------------------------------------------------------


def test_feed_headers(client):
    response = client.get("/feeds/icml-2026.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert re.fullmatch(r'"[0-9a-f]{32}"', response.headers["ETag"])
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "public, max-age=43200"
    assert "Content-Encoding" not in response.headers
    assert "Content-Disposition" not in response.headers
    assert response.headers["Last-Modified"].endswith(" GMT")


def test_single_event_files_are_downloads(client):
    response = client.get("/events/icml-2026/full-paper-deadline.ics")
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="icml-2026-full-paper-deadline.ics"'
    )
    (event,) = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    assert event["DTSTART"].dt == utc(2026, 1, 29, 11, 59)


def test_every_event_has_its_own_file(client, bundled_dir):
    (calendar,) = loader.load_folder(bundled_dir)
    for event in calendar.events:
        response = client.get(site.event_path(event))
        assert response.status_code == 200, event.id
        (got,) = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
        assert str(got["UID"]) == f"icml-2026/{event.id}@feeds.example.org"


def test_if_none_match_gives_304(client):
    etag = client.get("/feeds/all.ics").headers["ETag"]
    response = client.get("/feeds/all.ics", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag
    assert client.get("/feeds/all.ics", headers={"If-None-Match": '"other"'}).status_code == 200


def test_if_modified_since_gives_304(client):
    last_modified = client.get("/feeds/all.ics").headers["Last-Modified"]
    assert (
        client.get("/feeds/all.ics", headers={"If-Modified-Since": last_modified}).status_code
        == 304
    )
    older = "Thu, 01 Jan 2015 00:00:00 GMT"
    assert client.get("/feeds/all.ics", headers={"If-Modified-Since": older}).status_code == 200


def test_head_sends_headers_without_a_body(client):
    get = client.get("/feeds/all.ics")
    head = client.head("/feeds/all.ics")
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Length"] == str(len(get.data))


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_only_get_head_and_options(client, method):
    response = getattr(client, method)("/feeds/all.ics")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_options_answers_cors_preflight(client):
    response = client.options("/feeds/all.ics")
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "path", ["/feeds/nope.ics", "/events/icml-2026/nope.ics", "/feeds/icml-2026/nopes.ics"]
)
def test_unknown_names_get_a_short_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/plain")
    assert b"/feeds.json" in response.data


def test_no_redirects_and_no_content_negotiation(client):
    for accept in (None, "text/html", "application/json"):
        headers = {"Accept": accept} if accept else {}
        response = client.get("/feeds/icml-2026.ics", headers=headers)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"


def test_feeds_json_lists_every_feed(client):
    data = client.get("/feeds.json").get_json()
    ids = [f["id"] for f in data["feeds"]]
    assert ids[:2] == ["all", "deadlines"]
    assert {"icml-2026", "icml-2026/deadlines", "icml-2026/workshops"} <= set(ids)
    entry = next(f for f in data["feeds"] if f["id"] == "icml-2026")
    assert entry["url"] == "https://feeds.example.org/feeds/icml-2026.ics"
    assert entry["webcal"] == "webcal://feeds.example.org/feeds/icml-2026.ics"
    assert entry["events"] == 17
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry["last_modified"])


def test_the_index_page_lists_the_feeds(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    # the merged feeds' subscribe boxes, each conference's deadlines and its page
    assert b"https://feeds.example.org/feeds/deadlines.ics" in response.data
    assert b"webcal://feeds.example.org/feeds/icml-2026/deadlines.ics" in response.data
    assert b'href="calendars/icml-2026/"' in response.data


# -- revisions beyond one event -----------------------------------------------------------------


def feed_last_modified(app, path="/feeds/t.ics") -> str:
    return app.test_client().get(path).headers["Last-Modified"]


def test_a_calendar_name_edit_moves_last_modified(write, app_for):
    """Apple revalidates by date only: a header-only edit must not leave it a stale copy."""
    path = write("t.yaml", WORKSHOP)
    before = feed_last_modified(app_for())
    calendar = loader.load_file(path)
    stamp = revisions.read(revisions.revisions_path(calendar)).modified
    path.write_text(WORKSHOP.replace("name: Test", "name: Test 2026").lstrip(), encoding="utf-8")
    revisions.update(loader.load_file(path), now=stamp + timedelta(hours=2))
    after = feed_last_modified(app_for())
    assert before != after
    assert after == (stamp + timedelta(hours=2)).strftime("%a, %d %b %Y %H:%M:%S GMT")


def test_a_new_default_location_raises_sequence_of_events_using_it(write, app_for):
    text = WORKSHOP.replace("    location: Room 1\n", "") + (
        "  - id: own\n    title: Own room\n    start: 2026-07-10 10:00\n"
        "    duration: 1h\n    location: Hall B\n"
    )
    text = text.replace("name: Test\n", "name: Test\nlocation: COEX\n")
    path = write("t.yaml", text)
    app_for()
    stamp = revisions.read(revisions.revisions_path(loader.load_file(path))).modified
    path.write_text(text.replace("location: COEX", "location: Online"), encoding="utf-8")
    revisions.update(loader.load_file(path), now=stamp + timedelta(hours=1))
    app = app_for()
    assert sequence_and_stamp(app)[0] == 1  # inherits the calendar's place
    assert sequence_and_stamp(app, "t/own@feeds.example.org")[0] == 0  # has its own


def test_an_event_removed_and_restored_continues_its_sequence(write, app_for):
    path = write("t.yaml", WORKSHOP)
    app_for()
    stamp = revisions.read(revisions.revisions_path(loader.load_file(path))).modified
    path.write_text("name: Test\nevents: []\n", encoding="utf-8")
    removed = revisions.update(loader.load_file(path), now=stamp + timedelta(hours=1))
    assert removed.removed == {"ws": stamp + timedelta(hours=1)}
    path.write_text(WORKSHOP.lstrip(), encoding="utf-8")
    revisions.update(loader.load_file(path), now=stamp + timedelta(hours=2))
    sequence, dtstamp, _ = sequence_and_stamp(app_for())
    assert sequence == 1  # not 0: clients would keep their copy of the older revision
    assert dtstamp == stamp + timedelta(hours=2)


def test_the_revisions_file_is_what_json_dumps_writes(write, app_for):
    import json

    path = write("t.yaml", WORKSHOP)
    app_for()
    stored = revisions.read(revisions.revisions_path(loader.load_file(path)))
    text = revisions.revisions_path(loader.load_file(path)).read_text(encoding="utf-8")
    assert text == json.dumps(revisions.as_json(stored), indent=1, ensure_ascii=False) + "\n"
