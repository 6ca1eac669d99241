"""FullCalendar (examples/fullcalendar/) reading a feed across origins in Chromium.

The example is its own npm project because @fullcalendar/icalendar 6.1 needs
ical.js 1.x while the root package.json has ical.js 2.x; ``make test`` runs
``npm ci`` there. The app runs on one loopback port (reusing the fixtures of
test_browser.py), the example folder is served as static files from a second
one, and the page is opened with ``?feed=<app>/feeds/icml-2026.ics`` or, as
docs/embedding.md recommends for the plugin, with the ``?times=utc`` variant of
that feed (its query string URL-encoded inside ``?feed=``).
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import quote
from urllib.request import urlopen
from zoneinfo import ZoneInfo

import icalendar
import pytest
from werkzeug.exceptions import NotFound
from werkzeug.middleware.shared_data import SharedDataMiddleware

from tests.pages_support import ROOT
from tests.render.test_browser import (  # noqa: F401
    ARTIFACTS,
    CHROMIUM,
    Server,
    _missing,
    browser,
    collect_errors,
    servers,
)

EXAMPLE = ROOT / "examples" / "fullcalendar"
NEEDED = [
    "node_modules/ical.js/build/ical.min.js",
    "node_modules/fullcalendar/index.global.min.js",
    "node_modules/@fullcalendar/icalendar/index.global.min.js",
]


def _example_missing() -> str | None:
    missing = [name for name in NEEDED if not (EXAMPLE / name).exists()]
    if missing:
        return (
            "FULLCALENDAR TEST NOT RUN: examples/fullcalendar is not installed "
            f"(missing {', '.join(missing)}); run `make test` or "
            "`npm ci --prefix examples/fullcalendar`"
        )
    return None


_why = _missing() or _example_missing()
pytestmark = pytest.mark.skipif(_why is not None, reason=_why or "")


@pytest.fixture(scope="module")
def example_site():
    static = Server()
    static.start(SharedDataMiddleware(NotFound(), {"/": str(EXAMPLE)}))
    yield static.base
    static.stop()


def open_example(browser, url: str, timezone_id: str):  # noqa: F811
    context = browser.new_context(
        locale="en-GB", timezone_id=timezone_id, viewport={"width": 1200, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = collect_errors(page)
    page.goto(url)
    page.locator("#status[data-state]").wait_for()
    assert page.locator("#status").get_attribute("data-state") == "loaded", page.locator(
        "#status"
    ).inner_text()
    return context, page, errors


SEOUL = ZoneInfo("Asia/Seoul")


def occurrences_in(feed: bytes, year: int) -> list[tuple[str, date]]:
    """(summary, start day in Seoul) of every occurrence in ``year``: what FullCalendar
    should show a reader in Seoul."""
    out = []
    for event in icalendar.Calendar.from_ical(feed).walk("VEVENT"):
        start = event["DTSTART"].dt
        day = start.astimezone(SEOUL).date() if isinstance(start, datetime) else start
        rule = event.get("RRULE")
        if rule:
            assert rule["FREQ"] == ["DAILY"] and "COUNT" in rule, rule  # all this feed uses
            days = [date.fromordinal(day.toordinal() + i) for i in range(rule["COUNT"][0])]
        else:
            days = [day]
        out += [(str(event["SUMMARY"]), d) for d in days if d.year == year]
    return out


@pytest.mark.parametrize("query", ["", "?times=utc"])
def test_fullcalendar_lists_the_icml_feed(browser, servers, example_site, query):  # noqa: F811
    base, _ = servers
    with urlopen(f"{base}/feeds/icml-2026.ics", timeout=10) as response:
        expected = occurrences_in(response.read(), 2026)  # from the main feed, RRULE and all
    assert len(expected) > 10
    feed_url = f"{base}/feeds/icml-2026.ics{query}"
    with urlopen(feed_url, timeout=10) as response:
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert sorted(occurrences_in(response.read(), 2026)) == sorted(expected)

    # a reader in Seoul, the conference's own zone
    context, page, errors = open_example(
        browser, f"{example_site}/index.html?feed={quote(feed_url, safe='')}", "Asia/Seoul"
    )
    try:
        assert page.locator(".fc-toolbar-title").inner_text() == "2026"
        assert page.locator("#feed-url").inner_text() == feed_url
        events = page.evaluate(
            "feedsCalendar.getEvents().map(e => [e.title, e.startStr.slice(0, 10)])"
        )
        assert sorted(map(tuple, events)) == sorted((s, d.isoformat()) for s, d in expected)
        status = page.locator("#status").inner_text()
        assert status == f"{len(expected)} events in the feed for this period."

        rows = page.locator("tr.fc-list-event")
        titles = rows.locator(".fc-list-event-title").all_inner_texts()
        assert titles.count("ICML 2026: Workshops") == 2
        assert "ICML 2026: Registration cancellation deadline" in titles
        # Seoul times at Seoul hours, 11:59 UTC at 20:59 KST (FullCalendar's English format)
        workshop = rows.filter(has_text="ICML 2026: Workshops").first
        assert workshop.locator(".fc-list-event-time").inner_text() == "8:00am - 5:00pm"
        deadline = rows.filter(has_text="Registration cancellation deadline")
        assert deadline.locator(".fc-list-event-time").inner_text() == "8:59pm"
        # all-day events say so
        tutorials = rows.filter(has_text="ICML 2026: Tutorials")
        assert tutorials.locator(".fc-list-event-time").inner_text() == "all-day"
        suffix = "-utc" if query else ""
        page.screenshot(path=str(ARTIFACTS / f"fullcalendar{suffix}.png"), full_page=True)

        # the month grid of July
        page.get_by_role("button", name="month").click()
        assert page.locator(".fc-toolbar-title").inner_text() == "July 2026"
        assert page.locator(".fc-daygrid-event", has_text="Workshops").count() == 2
        page.screenshot(path=str(ARTIFACTS / f"fullcalendar-month{suffix}.png"))
    finally:
        context.close()
    assert not errors, errors


def test_fullcalendar_places_tzid_times_at_wall_clock(browser, servers, example_site):  # noqa: F811
    """A known limit of @fullcalendar/icalendar 6.1 (see docs/embedding.md).

    The plugin hands FullCalendar ``ICAL.Time.toString()``, which has no offset,
    so a ``TZID=Asia/Seoul`` time is shown at its Seoul wall-clock hour in any
    zone; UTC times (deadlines) are converted correctly.
    """
    base, _ = servers
    feed_url = f"{base}/feeds/icml-2026.ics"
    context, page, errors = open_example(
        browser, f"{example_site}/index.html?feed={quote(feed_url, safe='')}", "Europe/Berlin"
    )
    try:
        rows = page.locator("tr.fc-list-event")
        deadline = rows.filter(has_text="Registration cancellation deadline")
        assert deadline.locator(".fc-list-event-time").inner_text() == "1:59pm"  # CEST: right
        workshop = rows.filter(has_text="ICML 2026: Workshops").first
        # 08:00 in Seoul is 01:00 in Berlin, but the plugin shows 08:00
        assert workshop.locator(".fc-list-event-time").inner_text() == "8:00am - 5:00pm"
    finally:
        context.close()
    assert not errors, errors


def test_fullcalendar_places_times_utc_right_in_berlin(browser, servers, example_site):  # noqa: F811
    """With ``?times=utc`` (docs/embedding.md) the plugin shows every time right in any zone."""
    base, _ = servers
    feed_url = f"{base}/feeds/icml-2026.ics?times=utc"
    context, page, errors = open_example(
        browser, f"{example_site}/index.html?feed={quote(feed_url, safe='')}", "Europe/Berlin"
    )
    try:
        assert page.locator("#feed-url").inner_text() == feed_url
        rows = page.locator("tr.fc-list-event")
        deadline = rows.filter(has_text="Registration cancellation deadline")
        assert deadline.locator(".fc-list-event-time").inner_text() == "1:59pm"  # CEST
        workshops = rows.filter(has_text="ICML 2026: Workshops")
        assert workshops.count() == 2
        # 08:00-17:00 in Seoul is 01:00-10:00 in Berlin (CEST), on 10 and 11 July
        assert workshops.locator(".fc-list-event-time").all_inner_texts() == [
            "1:00am - 10:00am",
            "1:00am - 10:00am",
        ]
        starts = page.evaluate(
            "feedsCalendar.getEvents().filter(e => e.title === 'ICML 2026: Workshops')"
            ".map(e => [e.start.toISOString(), e.end.toISOString()])"
        )
        assert sorted(map(tuple, starts)) == [
            ("2026-07-09T23:00:00.000Z", "2026-07-10T08:00:00.000Z"),
            ("2026-07-10T23:00:00.000Z", "2026-07-11T08:00:00.000Z"),
        ]
        tutorials = rows.filter(has_text="ICML 2026: Tutorials")
        assert tutorials.locator(".fc-list-event-time").inner_text() == "all-day"
    finally:
        context.close()
    assert not errors, errors
