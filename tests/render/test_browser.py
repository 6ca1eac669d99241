"""The pages in a real browser: Playwright driving the system's headless Chromium.

The app runs on a loopback port in a thread; a second loopback port serves a
page of "another site" that frames /embed/... and runs the widget, so framing
and CORS are tested across origins. Screenshots go to test-artifacts/ (ignored
by git) for a person to look at.

Chromium comes from the Debian package (``scripts/system-deps.sh``, run by
``make test``); Playwright's own browser download is never used. Without
Chromium or the playwright package the tests skip and say why.
"""

from __future__ import annotations

import os
import re
import threading
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import urlopen

import icalendar
import pytest
from werkzeug.serving import make_server

from tests.pages_support import (
    KOREAN_ID,
    KOREAN_NAME,
    OPENING_TITLE,
    ROOT,
    make_app,
    params,
    write_events,
)

CHROMIUM = os.environ.get("FEEDS_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"
#: "Now" for the browser: between the Korean calendar's past and coming events.
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return (
            "BROWSER TEST NOT RUN: the 'playwright' package is missing; "
            "run: .venv/bin/pip install -e '.[test]'"
        )
    if not Path(CHROMIUM).exists():
        return (
            f"BROWSER TEST NOT RUN: no Chromium at {CHROMIUM}; run `make test` "
            "(scripts/system-deps.sh installs the Debian packages chromium and "
            "chromium-driver) or set FEEDS_TEST_CHROMIUM"
        )
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


class Server:
    """A WSGI app on 127.0.0.1 and a free port, in a thread."""

    def __init__(self):
        self.app = None
        self.httpd = make_server("127.0.0.1", 0, self, threaded=True)
        self.base = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)

    def start(self, app):
        self.app = app
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def other_site(feeds_base: str):
    """The WSGI app of "another web site" that embeds our calendar two ways."""
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Another site</title></head>
<body><h1>Another site</h1>
<iframe id="embed" name="embed" src="{feeds_base}/embed/{KOREAN_ID}/"
 title="Calendar" width="600" height="500"></iframe>
<iframe id="framed-page" name="framed-page" src="{feeds_base}/calendars/{KOREAN_ID}/"
 title="Not allowed" width="300" height="100"></iframe>
<div id="widget" data-calendar-feeds="{feeds_base}/feeds.json" data-feed="{KOREAN_ID}"
 data-limit="5"></div>
<script src="{feeds_base}/static/widget.js" defer></script>
</body></html>""".encode()

    def app(environ, start_response):
        start_response(
            "200 OK",
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
        )
        return [body]

    return app


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    feeds_server = Server()
    folder = write_events(tmp_path_factory.mktemp("events"))
    feeds_server.start(make_app(folder, feeds_server.base))
    other = Server()
    other.start(other_site(feeds_server.base))
    yield feeds_server.base, other.base
    other.stop()
    feeds_server.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, servers):
    context = browser.new_context(
        locale="en-GB",
        timezone_id="Europe/Berlin",
        viewport={"width": 1200, "height": 900},
        accept_downloads=True,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.clock.set_fixed_time(NOW)
    errors = collect_errors(page)
    yield page
    context.close()
    assert not [
        e for e in errors if "Refused to display" not in e and "frame-ancestors" not in e
    ], errors


def shot(page, name: str, full: bool = True):
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full)


def test_index_and_calendar_page(page, servers):
    from playwright.sync_api import expect

    base, _ = servers
    page.goto(base + "/")
    assert page.locator("h1").inner_text() == "Conference calendars"
    shot(page, "index")
    conferences = page.locator('section[aria-labelledby="calendars-heading"]')
    conferences.get_by_role("link", name=KOREAN_NAME, exact=True).click()
    page.wait_for_url(f"{base}/calendars/{KOREAN_ID}/")
    assert page.locator("h1").inner_text() == KOREAN_NAME

    # the viewer's own time, from the UTC instant, with the zone named
    opening = page.locator("#e-opening time.viewer")
    assert opening.is_visible()
    assert opening.inner_text().startswith("Your time: Tue 1 Dec, 01:00–02:30")
    assert "Europe/Berlin" in page.locator(".viewer-zone").inner_text()

    # upcoming and past apart, decided in the browser at its "now"
    upcoming = page.locator("section.upcoming")
    assert upcoming.is_visible()
    assert upcoming.locator("#e-opening").count() == 1
    assert upcoming.locator("#e-paper-deadline").count() == 0
    assert page.locator("#events-heading").inner_text() == "Past events"
    assert "is-past" in page.locator("#e-paper-deadline").get_attribute("class")

    # the subscribe links
    feed_url = f"{base}/feeds/{KOREAN_ID}.ics"
    assert page.locator("input.url").first.input_value() == feed_url
    box = page.locator("section.subscribe").first
    assert (
        box.locator('[data-client="apple"]').get_attribute("href")
        == "webcal://" + feed_url.split("://")[1]
    )
    google = box.locator('[data-client="google"]')
    assert (
        google.get_attribute("href")
        == "https://calendar.google.com/calendar/u/0/r/settings/addbyurl"
    )
    assert google.get_attribute("data-copy-url") == feed_url
    cid = box.locator('[data-client="google-cid"]').get_attribute("href")
    assert params(cid) == {"cid": "webcal://" + feed_url.split("://")[1]}
    outlook = params(box.locator('[data-client="outlook-com"]').get_attribute("href"))
    assert outlook == {"url": feed_url, "name": KOREAN_NAME}
    m365 = box.locator('[data-client="microsoft-365"]').get_attribute("href")
    assert urlsplit(m365).netloc == "outlook.office.com" and params(m365)["name"] == KOREAN_NAME
    qr = box.locator("figure.qr img")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100")

    # copy button (shown by JS) puts the URL on the clipboard
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    box.get_by_role("button", name="Copy URL").click()
    status = box.locator(".copy-status").first
    expect(status).to_have_text(re.compile(r"^(Copied\.|Press Ctrl\+C)"))
    if status.inner_text() == "Copied.":
        assert page.evaluate("navigator.clipboard.readText()") == feed_url
    shot(page, "calendar-korean")

    # the kind filter works as plain links
    page.locator(".kind-filter").get_by_role("link", name="Workshops").click()
    page.wait_for_url(f"{base}/calendars/{KOREAN_ID}/workshops/")
    assert page.locator("li.event[id]").count() == 2

    # a phone-sized screen
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/calendars/{KOREAN_ID}/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "calendar-korean-phone")


def test_past_calendar_says_so(page, servers):
    base, _ = servers
    page.goto(base + "/calendars/icml-2026/")
    status = page.locator(".agenda-status")
    assert status.is_visible() and "Every event here is over" in status.inner_text()
    assert page.locator("li.event a[data-action=ics]").count() == 17
    shot(page, "calendar-icml-past", full=False)


def test_download_one_event(page, servers):
    base, _ = servers
    page.goto(f"{base}/calendars/{KOREAN_ID}/")
    with page.expect_download() as info:
        page.locator('#e-opening a[data-action="ics"]').click()
    download = info.value
    assert download.suggested_filename == f"{KOREAN_ID}-opening.ics"
    data = Path(download.path()).read_bytes()
    (event,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert str(event["SUMMARY"]) == OPENING_TITLE
    assert event["DTSTART"].dt.astimezone(UTC) == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    # and the add-to-calendar links carry the same event
    google = page.locator('#e-opening a[data-action="google"]').get_attribute("href")
    assert params(google)["dates"] == "20261201T000000Z/20261201T013000Z"


def test_pick_two_events_and_subscribe(page, servers):
    base, _ = servers
    page.goto(f"{base}/calendars/{KOREAN_ID}/")
    page.locator("#e-opening").get_by_role("checkbox").check()
    page.locator("#e-la-talk").get_by_role("checkbox").check()
    page.get_by_role("checkbox", name="1 hour before").check()
    assert page.locator(".picked-count").inner_text() == "2 events picked."
    page.get_by_role("button", name="Make my feed").click()
    page.wait_for_url(f"{base}/subscribe/**")
    assert page.locator("h1").inner_text() == f"Your feed: {KOREAN_NAME}: my events"
    url = page.locator("input.url").input_value()
    assert url == f"{base}/feeds/{KOREAN_ID}.ics?alarm=1h&ids=la-talk,opening"
    assert (
        page.locator('[data-client="apple"]').get_attribute("href")
        == "webcal://" + url.split("://")[1]
    )
    assert page.locator('[data-client="google"]').get_attribute("data-copy-url") == url
    cid = page.locator('[data-client="google-cid"]').get_attribute("href")
    assert params(cid) == {"cid": "webcal://" + url.split("://")[1]}
    shot(page, "your-feed")
    with urlopen(url, timeout=10) as response:  # what a calendar app would fetch
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        cal = icalendar.Calendar.from_ical(response.read())
    events = cal.walk("VEVENT")
    assert sorted(str(e["SUMMARY"]) for e in events) == sorted(
        [OPENING_TITLE, "Remote talk from LA"]
    )
    assert all(len(e.walk("VALARM")) == 1 for e in events)


def test_embed_in_a_frame_of_another_site(page, servers):
    base, other = servers
    page.goto(other + "/")
    frame = page.frame_locator("#embed")
    heading = frame.locator("h1")
    heading.wait_for()
    assert heading.inner_text() == KOREAN_NAME
    assert frame.locator("li.event").count() >= 7
    assert frame.locator("section.upcoming").is_visible()
    # the widget read feeds.json and the feed across origins
    page.locator("#widget .cf-event").first.wait_for()
    assert page.locator("#widget .cf-event").count() == 5
    assert page.locator("#widget .cf-title").inner_text() == KOREAN_NAME
    # a normal page refuses to be framed (frame-ancestors 'none')
    framed = page.frame(name="framed-page")
    assert framed is not None
    assert not framed.url.startswith(base)  # Chromium shows its error page instead
    assert KOREAN_NAME not in framed.content()
    shot(page, "embed-on-another-site", full=False)


def test_widget_example_page(page, servers):
    base, _ = servers
    page.goto(base + "/examples/widget/")
    page.locator(".cf-event").first.wait_for()
    assert page.locator(".cf-event").count() >= 1
    code = page.locator("#widget-code").input_value()
    assert f'data-calendar-feeds="{base}/feeds.json"' in code


def collect_errors(page) -> list[str]:
    """A list that fills with the page's script errors and console errors (but favicon 404s)."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    return errors
