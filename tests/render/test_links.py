"""The link builders of feeds.links, against the formats in COMPAT.md.

Every link is parsed back with urllib.parse and compared decoded, so the tests
check what a client would read, including Korean text and ``& # + ? %``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from feeds.definitions import loader
from feeds.render import links
from tests.pages_support import KOREAN_YAML, OPENING_TITLE, params

TRICKY = "한국어 제목 & more #1 + 50% ? a=b/c"
FEED = "https://feeds.example.org/feeds/hanguk-2026.ics"


@pytest.fixture(scope="module")
def korean():
    return loader.load_text(KOREAN_YAML, "hanguk-2026.yaml")


def only_ascii_and_no_fragment(url: str) -> None:
    assert url.isascii(), url
    assert urlsplit(url).fragment == ""  # a raw '#' would cut the link short
    assert " " not in url


def test_webcal_swaps_only_the_scheme():
    assert links.webcal(FEED) == "webcal://feeds.example.org/feeds/hanguk-2026.ics"
    assert (
        links.webcal("http://127.0.0.1:8000/feeds/all.ics")
        == "webcal://127.0.0.1:8000/feeds/all.ics"
    )
    assert (
        links.webcal(FEED + "?ids=a,b")
        == "webcal://feeds.example.org/feeds/hanguk-2026.ics?ids=a,b"
    )


@pytest.mark.parametrize(
    "url", [FEED, FEED + "?kind=workshop,tutorial&alarm=1d", "https://h.example/한글.ics?a=1&b=2#x"]
)
def test_google_subscribe_is_cid_with_the_encoded_webcal_url(url):
    """The cid form reported to work for feeds Google does not host is the webcal one."""
    link = links.google_subscribe(url)
    only_ascii_and_no_fragment(link)
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "calendar.google.com",
        "/calendar/r",
    )
    assert params(link) == {"cid": "webcal://" + url.split("://", 1)[1]}


def test_google_add_by_url_fallback():
    assert links.GOOGLE_ADD_BY_URL == "https://calendar.google.com/calendar/u/0/r/settings/addbyurl"
    assert links.subscribe_links(FEED, "x").google_add_by_url == links.GOOGLE_ADD_BY_URL


@pytest.mark.parametrize(
    ("host", "netloc"),
    [(links.OUTLOOK_COM, "outlook.live.com"), (links.MICROSOFT_365, "outlook.office.com")],
)
def test_outlook_addfromweb_with_url_and_name(host, netloc):
    url = FEED + "?ids=a,b&alarm=1h"
    link = links.outlook_subscribe(url, TRICKY, host)
    only_ascii_and_no_fragment(link)
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", netloc, "/calendar/0/addfromweb")
    assert params(link) == {"url": url, "name": TRICKY}


@pytest.mark.parametrize(
    ("url", "fresh"),
    [
        (FEED, {"v": "3"}),
        (FEED + "?ids=a,b&alarm=1h", {"ids": "a,b", "alarm": "1h", "v": "3"}),
    ],
)
def test_fresh_copy_adds_only_the_version(url, fresh):
    link = links.fresh_copy(url, 3)
    assert urlsplit(link).path == urlsplit(url).path and params(link) == fresh


def test_subscribe_links_bundle():
    bundle = links.subscribe_links(FEED, TRICKY)
    assert bundle.url == FEED
    assert bundle.webcal == links.webcal(FEED)
    assert params(bundle.google) == {"cid": links.webcal(FEED)}
    assert bundle.google_add_by_url == links.GOOGLE_ADD_BY_URL
    assert params(bundle.fresh) == {"v": "2"} and bundle.fresh.startswith(FEED + "?")
    assert urlsplit(bundle.outlook_com).netloc == "outlook.live.com"
    assert urlsplit(bundle.microsoft_365).netloc == "outlook.office.com"
    assert params(bundle.microsoft_365)["name"] == TRICKY


def test_google_event_timed_in_utc():
    span = links.Span(
        datetime(2026, 7, 9, 23, 0, tzinfo=UTC), datetime(2026, 7, 10, 8, 0, tzinfo=UTC), False
    )
    link = links.google_event(TRICKY, span, "첫 줄\n둘째 & #3 + 4", "코엑스 A&B #2")
    only_ascii_and_no_fragment(link)
    parts = urlsplit(link)
    assert (parts.netloc, parts.path) == ("calendar.google.com", "/calendar/render")
    assert params(link) == {
        "action": "TEMPLATE",
        "text": TRICKY,
        "dates": "20260709T230000Z/20260710T080000Z",
        "details": "첫 줄\n둘째 & #3 + 4",
        "location": "코엑스 A&B #2",
    }
    assert "dates=20260709T230000Z/20260710T080000Z" in link  # the slash stays literal


def test_google_event_converts_aware_times_to_utc():
    from datetime import timezone

    seoul = timezone(timedelta(hours=9))
    span = links.Span(
        datetime(2026, 7, 10, 8, 0, tzinfo=seoul), datetime(2026, 7, 10, 17, 0, tzinfo=seoul), False
    )
    assert params(links.google_event("x", span))["dates"] == "20260709T230000Z/20260710T080000Z"


def test_google_event_all_day_dates_with_exclusive_end():
    span = links.Span(date(2026, 7, 6), date(2026, 7, 12), True)
    assert params(links.google_event("ICML", span))["dates"] == "20260706/20260712"


def test_google_event_leaves_out_empty_fields():
    span = links.Span(date(2026, 7, 6), date(2026, 7, 7), True)
    assert set(params(links.google_event("x", span))) == {"action", "text", "dates"}


@pytest.mark.parametrize(
    ("host", "netloc"),
    [(links.OUTLOOK_COM, "outlook.live.com"), (links.MICROSOFT_365, "outlook.office.com")],
)
def test_outlook_compose_timed_in_utc_with_z(host, netloc):
    span = links.Span(
        datetime(2026, 7, 9, 23, 0, tzinfo=UTC), datetime(2026, 7, 10, 8, 0, tzinfo=UTC), False
    )
    link = links.outlook_event(TRICKY, span, "본문 & #1 + 2", "장소 #1", host)
    only_ascii_and_no_fragment(link)
    parts = urlsplit(link)
    assert (parts.netloc, parts.path) == (netloc, "/calendar/0/deeplink/compose")
    assert params(link) == {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": TRICKY,
        "startdt": "2026-07-09T23:00:00Z",
        "enddt": "2026-07-10T08:00:00Z",
        "body": "본문 & #1 + 2",
        "location": "장소 #1",
    }


def test_outlook_compose_all_day():
    span = links.Span(date(2026, 7, 6), date(2026, 7, 12), True)
    got = params(links.outlook_event("ICML", span))
    assert got["allday"] == "true"
    assert (got["startdt"], got["enddt"]) == ("2026-07-06", "2026-07-12")


def test_long_details_are_shortened():
    text = ("긴 설명 " * 600).strip()
    span = links.Span(date(2026, 7, 6), date(2026, 7, 7), True)
    details = params(links.google_event("x", span, text))["details"]
    assert len(details) <= links.MAX_DETAILS
    assert details.endswith("…")
    assert text.startswith(details[:-1].rstrip())


def test_first_span_of_each_kind_of_time(korean):
    opening = korean.event("opening")
    span = links.first_span(opening)
    assert span == links.Span(
        datetime(2026, 12, 1, 0, 0, tzinfo=UTC), datetime(2026, 12, 1, 1, 30, tzinfo=UTC), False
    )
    tutorial = links.first_span(korean.event("tutorial-day"))
    assert tutorial == links.Span(date(2026, 11, 29), date(2026, 12, 1), True)
    deadline = links.first_span(korean.event("paper-deadline"))
    # 1 Sep 2026 23:59 AoE (UTC-12) = 2 Sep 11:59 UTC; a deadline is zero-length
    assert deadline.start == deadline.end == datetime(2026, 9, 2, 11, 59, tzinfo=UTC)
    la = links.first_span(korean.event("la-talk"))
    assert la.start == datetime(2026, 12, 2, 0, 0, tzinfo=UTC)  # 16:00 PST


def test_first_span_of_a_repeat_skips_an_excepted_first_date(korean):
    # late-workshop: 5 and 6 Dec, 13:00-17:00 Seoul, 5 Dec excepted: the first is 6 Dec
    span = links.first_span(korean.event("late-workshop"))
    assert span.start == datetime(2026, 12, 6, 4, 0, tzinfo=UTC)
    assert span.end == datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    # workshop: 2, 3, 4 Dec with 3 Dec excepted: the first is still 2 Dec
    assert links.first_span(korean.event("workshop")).start == datetime(
        2026, 12, 2, 4, 0, tzinfo=UTC
    )


def test_event_links_for_a_korean_event(korean):
    opening = korean.event("opening")
    got = links.event_links(opening.title, links.first_span(opening), "설명", opening.location)
    assert params(got.google)["text"] == OPENING_TITLE
    assert params(got.outlook_com)["subject"] == OPENING_TITLE
    assert params(got.microsoft_365)["location"] == "그랜드볼룸 A & B #3"
    assert params(got.google)["dates"] == "20261201T000000Z/20261201T013000Z"
