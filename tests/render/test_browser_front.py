"""The front page in a real browser: time left and the viewer's own time, search, area filter,
what passed since the build, the page without JavaScript, and axe-core light and dark.

Its own server: the Korean calendar and ICML 2026 of tests/pages_support.py, plus two tagged
conference-years, built on 1 January 2026. "Now" is fixed per page; what a deadline means
(its UTC instant, its wall time in Berlin and Los Angeles) is worked out with zoneinfo here.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.pages_support import make_app, write_events
from tests.render.test_accessibility import AXE, axe_run, version
from tests.render.test_browser import Server, _missing, browser, collect_errors  # noqa: F401

pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")

NOW = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)  # the day after the build date
#: ICML 2026's abstract deadline, 23 January 2026 23:59 AoE (UTC-12)
ABSTRACT = datetime(2026, 1, 24, 11, 59, tzinfo=UTC)

VISION = """\
id: vision-2026
name: Vision Conf 2026
tags: [computer-vision]
timezone: Europe/Berlin
events:
  - id: paper
    title: Paper deadline
    due: 2026-03-10 23:59 AoE
"""
SPEECH = """\
id: speech-2026
name: Speech Meeting 2026
tags: [speech]
timezone: Europe/Berlin
events:
  - id: paper
    title: Paper deadline
    due: 2026-02-15 12:00
  - id: camera
    title: Camera-ready deadline
    due: 2026-04-01 12:00
"""


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    folder = write_events(tmp_path_factory.mktemp("front"))
    (folder / "vision-2026.yaml").write_text(VISION, encoding="utf-8")
    (folder / "speech-2026.yaml").write_text(SPEECH, encoding="utf-8")
    server = Server()
    server.start(make_app(folder, server.base))
    yield server.base
    server.stop()


#: How long a check waits for the page's scripts. Waits poll from Playwright's side
#: (``expect``), since the page's CSP refuses the string a ``wait_for_function`` evaluates.
WAIT = 10_000


def open_front(browser, base, now=NOW, **options):
    options.setdefault("locale", "en-GB")
    options.setdefault("timezone_id", "Europe/Berlin")
    context = browser.new_context(viewport={"width": 1200, "height": 900}, **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    if options.get("java_script_enabled", True):
        page.clock.set_fixed_time(now)
    errors = collect_errors(page)
    page.goto(base + "/")
    return context, page, errors


def visible_calendars(page) -> list[str]:
    items = page.locator("li.due:visible")
    return [items.nth(i).get_attribute("data-calendar") for i in range(items.count())]


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/Los_Angeles"])
def test_time_left_and_the_viewer_s_own_time(browser, base, zone):
    context, page, errors = open_front(browser, base, timezone_id=zone)
    first = page.locator("li.due").first
    assert first.get_attribute("data-at") == "2026-01-24T11:59:00Z"
    left = ABSTRACT - NOW  # 21 days 23 hours 59 minutes
    hours = left.seconds // 3600
    assert first.locator(".countdown").inner_text() == f"{left.days} days {hours} hours left"
    local = ABSTRACT.astimezone(ZoneInfo(zone))
    text = first.locator(".due-local").inner_text()
    assert text.startswith(f"Your time: {local:%a} {local.day} {local:%b}, {local:%H:%M} ")
    assert text.endswith(f"({zone})")
    # the stated and UTC times stay beside it
    assert "23 Jan 2026 23:59 AoE (UTC-12)" in first.inner_text()
    assert "(24 Jan 2026 11:59 UTC)" in first.inner_text()
    context.close()
    assert not errors, errors


def test_the_list_is_soonest_first_and_hides_what_passed_since_the_build(browser, base):
    context, page, errors = open_front(browser, base, now=ABSTRACT + timedelta(minutes=1))
    dues = page.locator("li.due")
    instants = [dues.nth(i).get_attribute("data-at") for i in range(dues.count())]
    assert instants == sorted(instants, key=lambda s: datetime.fromisoformat(s))
    assert not dues.first.is_visible()  # the abstract deadline passed a minute ago
    assert dues.nth(1).is_visible()
    assert page.locator(".due-status").inner_text().startswith("1 deadline passed")
    # the rest come from the search index, still without what passed
    before = dues.count()
    page.get_by_role("button", name="Show more deadlines").click()
    expect(page.locator(".due-status")).to_contain_text("ahead", timeout=WAIT)
    assert dues.count() == before - 1
    assert "2026-01-24T11:59:00Z" not in [
        dues.nth(i).get_attribute("data-at") for i in range(dues.count())
    ]
    context.close()
    assert not errors, errors


def test_search_narrows_the_list(browser, base):
    context, page, errors = open_front(browser, base)
    assert set(visible_calendars(page)) >= {"icml-2026", "speech-2026", "vision-2026"}
    page.get_by_label("Search conferences and deadlines").fill("speech camera")
    expect(page.locator("li.due")).to_have_count(1, timeout=WAIT)
    assert visible_calendars(page) == ["speech-2026"]
    assert "Camera-ready deadline" in page.locator("li.due").inner_text()
    assert page.locator(".due-status").inner_text() == "1 deadline ahead matches."
    page.get_by_label("Search conferences and deadlines").fill("")
    expect(page.locator("li.due").nth(3)).to_be_attached(timeout=WAIT)
    context.close()
    assert not errors, errors


def test_the_area_filter_keeps_that_area_s_conferences(browser, base):
    context, page, errors = open_front(browser, base)
    page.get_by_label("Area", exact=True).select_option("computer-vision")
    expect(page.locator("li.due")).to_have_count(1, timeout=WAIT)
    assert visible_calendars(page) == ["vision-2026"]
    item = page.locator("li.due")
    assert item.locator(".countdown").is_visible()
    ics = item.locator('a[data-action="ics"]').get_attribute("href")
    assert page.request.get(base + "/" + ics).headers["content-type"].startswith("text/calendar")
    page.get_by_label("Area", exact=True).select_option("speech")
    expect(page.locator("li.due")).to_have_count(2, timeout=WAIT)
    expect(page.locator('li.due:not([data-calendar="speech-2026"])')).to_have_count(0)
    context.close()
    assert not errors, errors


def test_without_javascript_the_stated_and_utc_times_show(browser, base):
    context, page, _ = open_front(browser, base, java_script_enabled=False)
    first = page.locator("li.due").first
    assert first.locator("time").inner_text() == "23 Jan 2026 23:59 AoE (UTC-12)"
    assert first.locator(".due-utc").inner_text() == "(24 Jan 2026 11:59 UTC)"
    assert not first.locator(".countdown").is_visible()
    assert not page.locator("form.front-search").is_visible()
    speech = page.locator('li.due[data-calendar="speech-2026"]').first
    assert speech.locator("time").inner_text() == "15 Feb 2026 12:00 CET (UTC+1)"
    assert speech.locator(".due-utc").inner_text() == "(15 Feb 2026 11:00 UTC)"
    context.close()


@pytest.mark.skipif(not AXE.exists(), reason="no axe-core: run `npm ci` (make test)")
@pytest.mark.parametrize("path", ["/", "/archive/"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_axe_violations_on_the_front_page_and_archive(browser, base, scheme, path):
    context = browser.new_context(
        locale="en-GB", timezone_id="Europe/Berlin", color_scheme=scheme, bypass_csp=True
    )
    page = context.new_page()
    page.clock.set_fixed_time(NOW)
    page.goto(base + path)
    if path == "/":
        page.locator("li.due .countdown").first.wait_for()
        page.get_by_label("Search conferences and deadlines").fill("deadline")
        page.wait_for_function("document.querySelector('.due-status').textContent !== ''")
    result = axe_run(page)
    context.close()
    assert result["version"] == version()
    assert result["violations"] == [], json.dumps(result["violations"], indent=1)
