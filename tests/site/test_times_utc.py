"""``?times=utc``: every time as a UTC instant, repeats expanded, for display widgets.

Widgets such as FullCalendar's iCalendar plugin (ical.js 1.x without registered
VTIMEZONEs) read ``DTSTART;TZID=...`` as floating. The variant is read back with
the parsers of :mod:`feeds.parsers` and held against :mod:`feeds.occurrences`.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import icalendar
import pytest
import vobject

from feeds import occurrences
from feeds.doctor import lint, parsers
from feeds.model import Timed
from feeds.render import ics
from feeds.site import selection
from feeds.timefmt import basic_utc
from tests.pages_support import (  # noqa: F401 - app, client, site: fixtures over the Korean calendar
    KOREAN_ID,
    KOREAN_NAME,
    app,
    client,
    make_app,
    site,
    write_events,
)

REQUIRE_ALL = os.environ.get("FEEDS_REQUIRE_ALL_PARSERS") == "1"
DOMAIN = "calendar-feeds.invalid"  # the default UID domain

LA_YAML = """\
id: la-2026
name: LA 2026
timezone: America/Los_Angeles
events:
  - id: standup
    title: Daily stand-up
    kind: session
    start: 2026-03-05 09:00
    end: 09:30
    repeat:
      every: day
      count: 7
      except: [2026-03-07]
  - id: single
    title: One talk
    kind: session
    start: 2026-03-10 14:00
    end: 15:00
  - id: retreat
    title: Retreat
    kind: social
    start: 2026-03-06
    end: 2026-03-07
  - id: form-due
    title: Form due
    kind: deadline
    due: 2026-03-09 17:00
"""


@pytest.fixture(scope="module")
def la_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("la")
    (folder / "la-2026.yaml").write_text(LA_YAML, encoding="utf-8")
    return make_app(folder)


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.data
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return response


def calname(response) -> str:
    return vobject.readOne(response.get_data(as_text=True)).contents["x-wr-calname"][0].value


def expected(site, path) -> set[tuple]:
    """(uid, start, end) of every occurrence, from the model alone."""
    feed = selection.feed_at(site, path)
    out = set()
    for rendered in selection.feed_events(site, feed):
        event = rendered.event
        base = ics.uid(event, DOMAIN)
        for start, end in occurrences.occurrences(event):
            uid = base
            if isinstance(event.when, Timed) and event.repeat is not None:
                uid = f"{event.calendar_id}/{event.id}/{basic_utc(start)}@{DOMAIN}"
            out.add((uid, start, end))
    return out


def read(parser: str, data: bytes) -> set[tuple]:
    ok, reason = parsers.available(parser)
    if not ok:
        if REQUIRE_ALL or parser not in ("ical.js", "node-ical"):
            pytest.fail(f"{parser} cannot run: {reason}")
        pytest.skip(f"{parser} cannot run here: {reason} (make test installs it)")
    out = set()
    for event in parsers.parse(parser, data):
        assert not event.floating, event
        assert event.recurrence_id is None, event  # no series left
        end = event.end
        if end == event.start and not event.all_day:
            end = None  # a deadline: some parsers give its end as its start
        out.add((event.uid, event.start, end))
    return out


FEEDS = [
    ("main", "/feeds/icml-2026.ics"),
    ("main", f"/feeds/{KOREAN_ID}.ics"),
    ("main", "/feeds/all.ics"),
    ("la", "/feeds/la-2026.ics"),
]


@pytest.mark.parametrize("parser", parsers.PARSERS)
@pytest.mark.parametrize(("which", "path"), FEEDS)
def test_every_parser_reads_the_model_instants(parser, which, path, app, la_app):
    chosen = app if which == "main" else la_app
    site = chosen.extensions["feeds_store"].site
    data = fetch(chosen.test_client(), path + "?times=utc").data
    want = expected(site, path)
    assert len(want) > 3
    assert read(parser, data) == want


def test_la_series_keeps_its_wall_clock_across_the_dst_change(la_app):
    data = fetch(la_app.test_client(), "/feeds/la-2026.ics?times=utc").data
    assert b"TZID" not in data and b"RRULE" not in data
    cal = icalendar.Calendar.from_ical(data)
    starts = sorted(
        e["DTSTART"].dt for e in cal.walk("VEVENT") if str(e["SUMMARY"]) == "Daily stand-up"
    )
    # 09:00 PST is 17:00 UTC; from 8 March 09:00 PDT is 16:00 UTC; the 7th is an exception
    assert starts == [
        datetime(2026, 3, d, 17 if d < 8 else 16, tzinfo=UTC) for d in (5, 6, 8, 9, 10, 11)
    ]
    uids = {str(e["UID"]) for e in cal.walk("VEVENT") if str(e["SUMMARY"]) == "Daily stand-up"}
    assert "la-2026/standup/20260305T170000Z@calendar-feeds.invalid" in uids
    assert "la-2026/standup/20260308T160000Z@calendar-feeds.invalid" in uids
    # all-day events and deadlines are as in the main feed
    plain = {
        str(e["UID"]): e.to_ical()
        for e in icalendar.Calendar.from_ical(
            fetch(la_app.test_client(), "/feeds/la-2026.ics").data
        ).walk("VEVENT")
    }
    mine = {str(e["UID"]): e.to_ical() for e in cal.walk("VEVENT")}
    for name in ("retreat", "form-due"):
        uid = f"la-2026/{name}@calendar-feeds.invalid"
        assert mine[uid] == plain[uid]


@pytest.mark.parametrize(
    "path", ["/feeds/icml-2026.ics", f"/feeds/{KOREAN_ID}.ics", "/feeds/all.ics"]
)
def test_no_tzid_no_rule_and_lint_clean(client, path):
    data = fetch(client, path + "?times=utc&alarm=1h").data
    assert b"TZID" not in data and b"VTIMEZONE" not in data
    assert b"RRULE" not in data and b"EXDATE" not in data
    assert not [f for f in lint.lint(data) if f.severity == "error"], lint.lint(data)
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")


def test_everything_but_the_times_is_the_main_feeds(client):
    plain = icalendar.Calendar.from_ical(fetch(client, "/feeds/icml-2026.ics?alarm=1d").data)
    mine = icalendar.Calendar.from_ical(
        fetch(client, "/feeds/icml-2026.ics?alarm=1d&times=utc").data
    )
    assert str(mine["X-WR-CALNAME"]) == str(plain["X-WR-CALNAME"])
    by_uid = {str(e["UID"]): e for e in plain.walk("VEVENT")}
    timed = set(selection._TIME_LINES)
    workshops = 0
    for event in mine.walk("VEVENT"):
        uid = str(event["UID"])
        if uid.startswith("icml-2026/workshops/"):
            workshops += 1
            uid = "icml-2026/workshops@calendar-feeds.invalid"
        original = by_uid[uid]
        keep = {k: v for k, v in original.items() if k not in timed}
        assert {k: v for k, v in event.items() if k not in timed} == keep
        assert len(event.walk("VALARM")) == len(original.walk("VALARM")) == 1
        assert event["DTSTART"].dt.__class__ is original["DTSTART"].dt.__class__
    assert workshops == 2


def test_the_berlin_workshop_is_at_one(client):
    cal = icalendar.Calendar.from_ical(fetch(client, "/feeds/icml-2026.ics?times=utc").data)
    starts = sorted(
        e["DTSTART"].dt for e in cal.walk("VEVENT") if str(e["SUMMARY"]) == "ICML 2026: Workshops"
    )
    assert starts == [datetime(2026, 7, 9, 23, tzinfo=UTC), datetime(2026, 7, 10, 23, tzinfo=UTC)]


@pytest.mark.parametrize(
    "query", ["times=UTC", "time=utc", "times=utc&times=utc", "times=utc,utc", "times=%20utc%20"]
)
def test_equivalent_urls_give_identical_bytes_and_etag(client, query):
    reference = fetch(client, "/feeds/icml-2026.ics?times=utc")
    response = fetch(client, "/feeds/icml-2026.ics?" + query)
    assert response.data == reference.data
    assert response.headers["ETag"] == reference.headers["ETag"]


def test_selections_combine_in_one_canonical_order(client, site):
    a = fetch(client, f"/feeds/{KOREAN_ID}.ics?times=utc&kind=workshop&alarm=1h")
    b = fetch(client, f"/feeds/{KOREAN_ID}.ics?alarm=60m&kinds=workshops&time=UTC")
    assert a.data == b.data and a.headers["ETag"] == b.headers["ETag"]
    hit = selection.resource(site, f"/feeds/{KOREAN_ID}.ics", "time=UTC&kind=workshop")
    assert hit.path == f"/feeds/{KOREAN_ID}.ics?kind=workshop&times=utc"
    assert hit is selection.resource(site, f"/feeds/{KOREAN_ID}.ics", "kind=workshop&times=utc")
    cal = icalendar.Calendar.from_ical(a.data)
    assert len(cal.walk("VEVENT")) == 3  # workshop: 2 of 3 days; late-workshop: 1 of 2
    assert calname(a) == f"{KOREAN_NAME} (workshop)"


def test_times_alone_keeps_the_name(client):
    assert calname(fetch(client, f"/feeds/{KOREAN_ID}.ics?times=utc")) == KOREAN_NAME


@pytest.mark.parametrize("value", ["local", "floating", "z", "utc,local"])
def test_other_values_are_a_400_naming_utc(client, value):
    response = client.get(f"/feeds/icml-2026.ics?times={value}")
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")
    text = response.get_data(as_text=True)
    assert "times=utc" in text and "'" in text


def test_unknown_parameter_lists_times(client):
    text = client.get("/feeds/icml-2026.ics?zone=utc").get_data(as_text=True)
    assert "alarm, ids, kind, remind, tags, times" in text
