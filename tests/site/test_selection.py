"""Subscriber choices on feed URLs: ?kind=, ?tags=, ?ids=, ?alarm=.

Feeds are fetched through the Flask test client and parsed back with
icalendar; assertions are on what a client reads, not on our own text.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta

import icalendar
import markupsafe
import pytest
import vobject

from feeds.site import selection
from tests.pages_support import (
    KOREAN_ID,
    KOREAN_NAME,
    KOREAN_YAML,
    OPENING_TITLE,
    app,  # noqa: F401 - module-scoped fixtures over the Korean calendar
    client,  # noqa: F401
    make_app,
    site,  # noqa: F401
    write_events,
)

FEED = f"/feeds/{KOREAN_ID}.ics"


def fetch(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.data
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return response


def events_of(response) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(response.data)
    assert not cal.get_missing_tzids()
    return {str(e["UID"]).split("@")[0].split("/", 1)[1]: e for e in cal.walk("VEVENT")}


def calname(response) -> str:
    # icalendar keeps X-WR-CALNAME escaped (an unknown property to it); vobject unescapes it
    return vobject.readOne(response.get_data(as_text=True)).contents["x-wr-calname"][0].value


# -- narrowing -------------------------------------------------------------------


def test_no_query_string_is_the_plain_feed(client, site):
    response = fetch(client, FEED)
    assert response.data == site.get(FEED).body
    assert response.headers["ETag"] == site.get(FEED).etag


def test_kind_selects_events_and_names_the_calendar(client):
    response = fetch(client, FEED + "?kind=workshop,tutorial")
    assert set(events_of(response)) == {"workshop", "late-workshop", "tutorial-day"}
    assert calname(response) == f"{KOREAN_NAME} (tutorial, workshop)"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "query",
    [
        "kind=tutorial,workshop",
        "kind=workshop&kind=tutorial",
        "kind=workshops,tutorial,workshop",
        "kind=Tutorial&kinds=WORKSHOP",
        "kind=%20workshop%20,,tutorial,",
    ],
)
def test_equivalent_urls_give_identical_bytes_and_etag(client, query):
    reference = fetch(client, FEED + "?kind=workshop,tutorial")
    response = fetch(client, FEED + "?" + query)
    assert response.data == reference.data
    assert response.headers["ETag"] == reference.headers["ETag"]
    assert response.headers["Last-Modified"] == reference.headers["Last-Modified"]


def test_parameter_order_does_not_matter(client):
    a = fetch(client, FEED + "?alarm=1h,1d&ids=opening,workshop")
    b = fetch(client, FEED + "?ids=workshop&alarm=1d&ids=opening,opening&alarm=60m")
    assert a.data == b.data and a.headers["ETag"] == b.headers["ETag"]


def test_tags_select_any_of_them(client):
    response = fetch(client, FEED + "?tags=vision,구두")
    assert set(events_of(response)) == {"workshop", "opening"}
    assert calname(response) == f"{KOREAN_NAME} (tags: vision, 구두)"


def test_kind_and_tags_both_narrow(client):
    response = fetch(client, FEED + "?kind=workshop&tags=vision")
    assert set(events_of(response)) == {"workshop"}
    assert calname(response) == f"{KOREAN_NAME} (workshop; tag: vision)"


def test_ids_make_a_personal_feed(client):
    response = fetch(client, FEED + "?ids=opening,la-talk")
    got = events_of(response)
    assert set(got) == {"opening", "la-talk"}
    assert str(got["opening"]["SUMMARY"]) == OPENING_TITLE
    assert calname(response) == f"{KOREAN_NAME}: my events"


def test_selected_events_are_the_very_same_vevents(client, site):
    whole = events_of(fetch(client, FEED))
    picked = events_of(fetch(client, FEED + "?ids=workshop"))
    assert picked["workshop"].to_ical() == whole["workshop"].to_ical()
    assert str(picked["workshop"]["RRULE"].to_ical(), "ascii") == "FREQ=DAILY;COUNT=3"


def test_per_kind_feeds_take_selections_too(client):
    response = fetch(client, f"/feeds/{KOREAN_ID}/workshops.ics?ids=late-workshop&alarm=1h")
    assert set(events_of(response)) == {"late-workshop"}


def test_merged_feed_takes_qualified_or_unique_ids(client):
    qualified = fetch(client, "/feeds/all.ics?ids=hanguk-2026/opening,icml-2026/conference")
    assert set(events_of(qualified)) == {"opening", "conference"}
    bare = fetch(client, "/feeds/all.ics?ids=opening,conference")
    assert bare.data == qualified.data


def test_conditional_requests_on_a_selection(client):
    first = fetch(client, FEED + "?kind=workshop")
    again = client.get(FEED + "?kind=workshop", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["ETag"] == first.headers["ETag"]
    since = client.get(
        FEED + "?kind=workshop", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert since.status_code == 304
    head = client.head(FEED + "?kind=workshop")
    assert head.status_code == 200 and head.headers["ETag"] == first.headers["ETag"]


def test_a_repeated_poll_is_a_cache_lookup(site):
    first = selection.resource(site, FEED, "kind=session")
    second = selection.resource(site, FEED, "kinds=sessions")
    assert first is second
    assert first.path == FEED + "?kind=session"


# -- reminders -------------------------------------------------------------------


def test_no_alarms_by_default(client):
    for event in events_of(fetch(client, FEED + "?kind=workshop")).values():
        assert not event.walk("VALARM")


def test_alarms_become_display_valarms(client):
    got = events_of(fetch(client, FEED + "?alarm=1d,1h&ids=opening,workshop,paper-deadline"))
    assert set(got) == {"opening", "workshop", "paper-deadline"}
    for event in got.values():
        alarms = event.walk("VALARM")
        assert [a["TRIGGER"].dt for a in alarms] == [-timedelta(days=1), -timedelta(hours=1)]
        for alarm in alarms:
            assert str(alarm["ACTION"]) == "DISPLAY"
            assert str(alarm["DESCRIPTION"]) == str(event["SUMMARY"])


def test_alarm_forms(client):
    got = events_of(fetch(client, FEED + "?alarm=1h30m,0m,1w&ids=opening"))
    triggers = [a["TRIGGER"].dt for a in got["opening"].walk("VALARM")]
    assert triggers == [-timedelta(weeks=1), -timedelta(hours=1, minutes=30), timedelta(0)]


def test_alarms_alone_keep_the_name(client):
    response = fetch(client, FEED + "?alarm=15m")
    assert calname(response) == KOREAN_NAME
    assert len(events_of(response)) == 7


def test_cancelled_events_get_no_alarm(client):
    got = events_of(fetch(client, FEED + "?alarm=1d"))
    assert not got["cancelled-dinner"].walk("VALARM")
    assert got["opening"].walk("VALARM")


def test_selected_feeds_pass_the_strict_parsers(client):
    from ical.calendar_stream import IcsCalendarStream

    body = fetch(client, FEED + "?alarm=1d,1h&kind=workshop,keynote").data
    stream = IcsCalendarStream.from_ics(body.decode("utf-8"))
    assert len(stream.calendars[0].events) == 3


# -- errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "bad", "valid"),
    [
        (
            "kind=concert",
            "'concert'",
            "valid kinds: deadline, keynote, session, social, tutorial, workshop",
        ),
        ("tags=oral", "'oral'", "valid tags: plenary, remote, vision, 구두"),
        ("ids=opening,nope", "'nope'", "cancelled-dinner, la-talk, late-workshop, opening"),
        ("alarm=2y", "'2y'", "1d, 2h, 30m or 1h30m"),
        ("alarm=5w", "'5w'", "(0m to 4w)"),
        ("colour=red", "'colour'", "alarm, ids, kind, remind, tags"),
        ("alarm=1m,2m,3m,4m,5m", "at most 4 reminders", ""),
    ],
)
def test_unknown_values_are_a_400_naming_them(client, query, bad, valid):
    response = client.get(FEED + "?" + query)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")
    text = response.get_data(as_text=True)
    assert bad in text and valid in text


def test_a_kind_not_in_a_per_kind_feed_is_refused(client):
    response = client.get(f"/feeds/{KOREAN_ID}/workshops.ics?kind=tutorial")
    assert response.status_code == 400
    assert "valid kinds: workshop" in response.get_data(as_text=True)


def test_a_too_long_query_is_refused(client):
    response = client.get(FEED + "?ids=" + "a" * 5000)
    assert response.status_code == 400


def test_query_on_non_feeds_is_ignored(client, site):
    assert client.get("/?utm_source=x").data == site.get("/").body
    event = client.get(f"/events/{KOREAN_ID}/opening.ics?kind=x")
    assert (
        event.status_code == 200 and event.data == site.get(f"/events/{KOREAN_ID}/opening.ics").body
    )


def test_removed_events_keep_personal_feeds_working(tmp_path):
    folder = write_events(tmp_path / "events", icml=False)
    app = make_app(folder)
    client = app.test_client()
    assert len(events_of(fetch(client, FEED + "?ids=opening,la-talk"))) == 2
    text = KOREAN_YAML.split("  - id: la-talk")[0]
    definition = folder / f"{KOREAN_ID}.yaml"
    definition.write_text(text, encoding="utf-8")
    past = time.time() - 60  # an edit that has settled
    os.utime(definition, (past, past))
    assert app.extensions["feeds_store"].refresh()
    got = events_of(fetch(client, FEED + "?ids=opening,la-talk"))
    assert set(got) == {"opening"}
    assert client.get(FEED + "?ids=never-was").status_code == 400


# -- the pure parts ----------------------------------------------------------------


def test_canonical_query_text(site):
    feed = selection.feed_at(site, FEED)
    chosen = selection.parse(
        [("ids", "workshop,opening"), ("alarm", "60m,1d"), ("kind", "workshops"), ("tags", "구두")],
        site,
        feed,
    )
    assert (
        chosen.query() == "alarm=1d,1h&ids=opening,workshop&kind=workshop&tags=%EA%B5%AC%EB%91%90"
    )
    assert (
        chosen.summary()
        == "kinds workshop; tags 구두; 2 picked events; reminders 1 day, 1 hour before"
    )
    assert not selection.Selection()


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("1d", 1440),
        ("2h", 120),
        ("30m", 30),
        ("1h30m", 90),
        ("1w", 10080),
        ("0m", 0),
        (" 1D ", 1440),
    ],
)
def test_parse_alarm(text, minutes):
    assert selection.parse_alarm(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["", "1", "d", "-1h", "1x", "1h 30m", "PT1H", "29d"])
def test_parse_alarm_refuses(text):
    with pytest.raises(selection.SelectionError):
        selection.parse_alarm(text)


def test_duration_text_round_trips():
    for text in ("1d", "1h", "15m", "1d2h", "1h30m", "0m", "7d"):
        assert selection.duration_text(selection.parse_alarm(text)) == text


def test_tracking_and_cache_buster_parameters_are_ignored(client):
    """A shared link with ?utm_source= or a widget's ?_= must keep serving the same feed."""
    plain = client.get("/feeds/icml-2026.ics?kind=workshop")
    for extra in ("utm_source=newsletter", "fbclid=abc", "_=1700000000", "utm_medium=x&gclid=y"):
        tracked = client.get(f"/feeds/icml-2026.ics?kind=workshop&{extra}")
        assert tracked.status_code == 200, extra
        assert tracked.data == plain.data and tracked.headers["ETag"] == plain.headers["ETag"]
    assert client.get("/feeds/icml-2026.ics?knid=workshop").status_code == 400


def test_every_feed_holds_the_events_its_scope_includes(site):
    """The feeds are built by the same rule (``FeedInfo.scope``) the selections narrow."""
    calendars = {b.calendar.id: b.calendar for b in site.builds}
    for feed in site.feeds:
        members = selection.feed_events(site, feed)
        assert feed.event_count == len(members), feed.id
        assert all(feed.scope.includes(r.event, calendars[r.event.calendar_id]) for r in members), (
            feed.id
        )
        body = site.get(feed.path).body
        assert all(r.body_for(feed.scope.spans_calendars) in body for r in members), feed.id


@pytest.mark.parametrize("query", ["", "?times=utc", "?alarm=1h", "?alarm=1d&times=utc"])
def test_the_merged_deadlines_feed_holds_deadlines_whatever_the_query(client, query):
    """The attack: with any query it returned every event (it was registered without its kind)."""
    cal = icalendar.Calendar.from_ical(fetch(client, "/feeds/deadlines.ics" + query).data)
    kinds = [str(e["CATEGORIES"].cats[0]) for e in cal.walk("VEVENT")]
    assert kinds and set(kinds) == {"deadline"}, kinds


def test_the_deadlines_embed_and_feeds_json_agree_with_the_feed(client):
    listed = client.get("/feeds.json").get_json()["feeds"]
    ids = [f["id"] for f in listed]
    assert len(ids) == len(set(ids))
    (deadlines,) = [f for f in listed if f["id"] == "deadlines"]
    assert deadlines["kind"] == "deadline" and deadlines["calendar"] is None
    shown = str(markupsafe.escape(OPENING_TITLE))  # the opening, which is not a deadline
    assert shown in client.get("/embed/all/").get_data(as_text=True)
    assert shown not in client.get("/embed/deadlines/").get_data(as_text=True)
