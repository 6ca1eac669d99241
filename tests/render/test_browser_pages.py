"""The first screen, the subscribe panel and the small fixes, in a real browser.

Same servers and Chromium as ``test_browser.py`` (its fixtures). Each platform is a browser
context with that platform's user agent (and ``navigator.userAgentData`` where Chromium
reports it); "now" is fixed, so what is past is known.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

import pytest

from feeds.render.paths import kind_page
from tests.pages_support import KOREAN_ID, KOREAN_NAME, params
from tests.render.test_browser import (  # noqa: F401  (fixtures)
    NOW,
    _missing,
    browser,
    collect_errors,
    servers,
    shot,
)

pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")

ADD_BY_URL = "https://calendar.google.com/calendar/u/0/r/settings/addbyurl"
DESKTOP = {"width": 1200, "height": 900}
PHONE = {"width": 390, "height": 844}

#: A user agent and the platform Chromium's userAgentData would report, per platform.
PLATFORMS = {
    "android": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36",
        "Android",
    ),
    "chromeos": (
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36",
        "Chrome OS",
    ),
    "iphone": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        None,  # Safari has no userAgentData
    ),
    "mac": (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/18.1 Safari/605.1.15",
        None,
    ),
    "windows": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
        "Windows",
    ),
    "linux": (
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        None,  # Firefox has no userAgentData
    ),
}


def context_for(browser, platform: str | None = None, **options):
    if platform is not None:
        agent, data_platform = PLATFORMS[platform]
        options["user_agent"] = agent
    options.setdefault("locale", "en-GB")
    options.setdefault("timezone_id", "Europe/Berlin")
    phone = platform in ("android", "iphone")
    options.setdefault("viewport", PHONE if phone else DESKTOP)
    if phone:
        options.setdefault("is_mobile", True)
        options.setdefault("has_touch", True)
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    if platform is not None:
        # what the browser itself would say: its platform, or no userAgentData at all
        value = "undefined" if data_platform is None else f"{{platform: {data_platform!r}}}"
        context.add_init_script(
            "Object.defineProperty(Navigator.prototype, 'userAgentData', "
            f"{{get: () => {value}, configurable: true}});"
        )
    return context


def open_page(context, url: str):
    page = context.new_page()
    page.clock.set_fixed_time(NOW)
    errors = collect_errors(page)
    page.goto(url)
    return page, errors


@pytest.mark.parametrize(
    ("platform", "app", "name", "host"),
    [
        ("android", "google", "Google Calendar", "calendar.google.com"),
        ("chromeos", "google", "Google Calendar", "calendar.google.com"),
        ("iphone", "apple", "Apple Calendar", ""),
        ("mac", "apple", "Apple Calendar", ""),
        ("windows", "outlook", "Outlook", "outlook.live.com"),
        ("linux", "google", "Google Calendar", "calendar.google.com"),
    ],
)
def test_first_screen_offers_the_likely_app(browser, servers, platform, app, name, host):
    base, _ = servers
    context = context_for(browser, platform)
    page, errors = open_page(context, f"{base}/calendars/{KOREAN_ID}/")
    deadlines_url = f"{base}/feeds/{KOREAN_ID}/deadlines.ics"
    action = page.locator(f'[data-quick-action="{KOREAN_ID}--deadlines"]')
    main = action.locator(".quick-main")
    assert main.inner_text() == f"Add all deadlines to {name}"
    href = main.get_attribute("href")
    if app == "apple":
        assert href == "webcal://" + deadlines_url.split("://")[1]
    elif app == "google":
        assert href == ADD_BY_URL and main.get_attribute("data-copy-url") == deadlines_url
    else:
        assert urlsplit(href).netloc == host
        assert params(href) == {"url": deadlines_url, "name": f"{KOREAN_NAME}: deadlines"}
    # both actions in view without scrolling, on a phone too, above the agenda
    height = page.viewport_size["height"]
    for button in (main, page.locator(f'[data-quick-action="{KOREAN_ID}"] .quick-main')):
        box = button.bounding_box()
        assert box is not None and box["y"] + box["height"] <= height, (platform, box)
    # the others one click away, the chosen one not twice
    others = action.locator(".quick-others a[data-app-name]")
    visible = [
        others.nth(i).get_attribute("data-app")
        for i in range(others.count())
        if others.nth(i).is_visible()
    ]
    assert app not in visible and len(visible) == 3
    whole = page.locator(f'[data-quick-action="{KOREAN_ID}"] .quick-main')
    assert whole.inner_text() == f"Add the whole conference to {name}"
    if platform in ("android", "windows"):
        shot(page, f"first-screen-{platform}", full=False)
    context.close()
    assert not errors, errors


def test_first_screen_without_javascript_names_apple_and_every_other_app(browser, servers):
    base, _ = servers
    context = context_for(browser, java_script_enabled=False)
    page = context.new_page()
    page.goto(base + "/")
    main = page.locator('[data-quick-action="deadlines"] .quick-main')
    assert main.inner_text() == "Add all deadlines to Apple Calendar"
    assert main.get_attribute("href") == "webcal://" + base.split("://")[1] + "/feeds/deadlines.ics"
    others = page.locator('[data-quick-action="deadlines"] .quick-others a:visible')
    assert [others.nth(i).inner_text() for i in range(others.count())] == [
        "Google Calendar",
        "Outlook.com",
        "Microsoft 365",
        "other apps",
    ]
    # "other apps" leads to the full panel of that page
    page.locator('[data-quick-action="deadlines"]').get_by_role("link", name="other apps").click()
    assert (
        page.locator("section.subscribe").first.evaluate("s => s.id") == urlsplit(page.url).fragment
    )
    context.close()


def test_google_copies_the_url_then_opens_from_url(browser, servers):
    base, _ = servers
    context = context_for(browser, "android")
    context.route(
        "https://calendar.google.com/**",
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<title>Google</title>"
        ),
    )
    page, errors = open_page(context, f"{base}/calendars/{KOREAN_ID}/")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    with page.expect_popup() as popup:
        page.locator(f'[data-quick-action="{KOREAN_ID}"] .quick-main').click()
    assert popup.value.url == ADD_BY_URL
    status = page.locator(".quick-status")
    status.wait_for()
    text = status.inner_text()
    assert "paste it under “URL of calendar”" in text or f"{base}/feeds/{KOREAN_ID}.ics" in text
    if text.startswith("Feed URL copied"):
        assert page.evaluate("navigator.clipboard.readText()") == f"{base}/feeds/{KOREAN_ID}.ics"
    context.close()
    assert not errors, errors


def test_seoul_viewer_reads_the_last_day_not_the_exclusive_end(browser, servers):
    base, _ = servers
    for zone in ("Asia/Seoul", "America/Los_Angeles"):
        context = context_for(browser, timezone_id=zone)
        page, _ = open_page(context, base + "/calendars/icml-2026/")
        status = page.locator(".agenda-status").inner_text()
        assert "(the last ended 11 July 2026)" in status, (zone, status)
        context.close()


def test_every_past_occurrence_is_dimmed(browser, servers):
    base, _ = servers
    context = context_for(browser)
    page, _ = open_page(context, base + "/calendars/icml-2026/workshops/")
    first = page.locator("li.event#e-workshops")
    second = page.locator("li.event.repeat")
    assert "is-past" in second.get_attribute("class")
    color = "e => getComputedStyle(e).color"
    past = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--past')")
    assert first.locator(".title a").evaluate(color) == second.locator(".title").evaluate(color)
    assert second.locator(".title").evaluate(color) != page.locator("h1").evaluate(color)
    assert past.strip()
    context.close()


@pytest.mark.parametrize("locale", ["en-US", "en-GB", "ko-KR"])
def test_your_time_is_a_24_hour_clock_with_the_page_s_zone_labels(browser, servers, locale):
    base, _ = servers
    context = context_for(browser, locale=locale)
    page, _ = open_page(context, f"{base}/calendars/{KOREAN_ID}/")
    text = page.locator("#e-opening time.viewer").inner_text()
    assert "01:00–02:30" in text, text  # 09:00–10:30 in Seoul is 01:00–02:30 in Berlin
    assert not re.search(r"AM|PM|GMT|오전|오후", text), text
    assert re.search(r"(CET|UTC\+1)$", text), text
    la = page.locator("#e-la-talk time.viewer").inner_text()
    assert "01:00–02:00" in la and not re.search(r"AM|PM|GMT", la), la
    context.close()


def test_change_your_choice_comes_back_with_every_pick(browser, servers):
    base, _ = servers
    context = context_for(browser)
    page, errors = open_page(
        context, f"{base}/subscribe/?feed={KOREAN_ID}&ids=opening,la-talk&alarm=1w,1h"
    )
    page.get_by_role("link", name="Change your choice").click()
    page.wait_for_url(f"{base}/calendars/{KOREAN_ID}/**")
    picks = page.locator('input[name="ids"][form="picker"]')
    ticked = sorted(
        picks.nth(i).get_attribute("value")
        for i in range(picks.count())
        if picks.nth(i).is_checked()
    )
    assert ticked == ["la-talk", "opening"]
    assert page.get_by_role("checkbox", name="1 week before").is_checked()
    assert page.get_by_role("checkbox", name="1 hour before").is_checked()
    assert not page.get_by_role("checkbox", name="1 day before").is_checked()
    assert page.locator(".picked-count").inner_text() == "2 events picked."
    page.get_by_role("button", name="Make my feed").click()
    page.wait_for_url(f"{base}/subscribe/**")
    assert page.locator("input.url").first.input_value() == (
        f"{base}/feeds/{KOREAN_ID}.ics?alarm=7d,1h&ids=la-talk,opening"
    )
    context.close()
    assert not errors, errors


def test_printout_has_the_feed_url_and_no_screen_instructions(browser, servers):
    base, _ = servers
    context = context_for(browser)
    page, _ = open_page(context, f"{base}/calendars/{KOREAN_ID}/")
    assert not page.locator(".print-feed").is_visible()
    page.emulate_media(media="print")
    assert page.locator(".print-feed").is_visible()
    assert f"{base}/feeds/{KOREAN_ID}.ics" in page.locator(".print-feed").inner_text()
    for hidden in (".pick-note", ".first-screen", "section.subscribe", ".picker", ".pick"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert "Pick for my feed" not in page.locator("main").inner_text()
    context.close()


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _rgb(css: str) -> tuple[float, float, float]:
    r, g, b = (float(x) for x in re.findall(r"[\d.]+", css)[:3])
    return r, g, b


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_selected_pill_count_has_at_least_4_5_to_1(browser, servers, scheme):
    """axe leaves text under opacity to a person ("incomplete"): computed here, WCAG's way."""
    base, _ = servers
    context = context_for(browser, color_scheme=scheme)
    page, _ = open_page(context, base + "/calendars/icml-2026/deadlines/")
    pill = page.locator('.kind-filter a[aria-current="page"]')
    style = pill.locator(".count").evaluate(
        """e => ({color: getComputedStyle(e).color, opacity: getComputedStyle(e).opacity,
                  background: getComputedStyle(e.parentElement).backgroundColor})"""
    )
    context.close()
    alpha = float(style["opacity"])
    fg, bg = _rgb(style["color"]), _rgb(style["background"])
    shown = tuple(alpha * f + (1 - alpha) * b for f, b in zip(fg, bg, strict=True))
    light, dark = sorted((_luminance(shown), _luminance(bg)), reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 4.5, style


def test_google_row_offers_the_deadlines_feed_with_reminder_events(browser, servers):
    """Google ignores VALARM in subscribed calendars, so its row of a deadlines feed's box
    links the variant with reminder events; what that link serves is read with icalendar."""
    from urllib.request import urlopen

    import icalendar

    base, _ = servers
    context = context_for(browser, "android")
    page, errors = open_page(context, base + kind_page(KOREAN_ID, "deadline"))
    links = page.locator('[data-client="google-remind"]')
    hrefs = links.evaluate_all("as => as.map(a => a.href)")
    assert hrefs, "a deadlines box offers its reminder variant to Google"
    remind = f"{base}/feeds/{KOREAN_ID}/deadlines/remind-7d-1d.ics"
    assert remind in hrefs
    with urlopen(remind, timeout=10) as response:
        feed = icalendar.Calendar.from_ical(response.read())
    deadlines, reminders = [], []
    for event in feed.walk("VEVENT"):
        (reminders if "/remind-" in str(event["UID"]) else deadlines).append(event)
    assert deadlines and len(reminders) == 2 * len(
        [d for d in deadlines if str(d.get("STATUS", "CONFIRMED")) != "CANCELLED"]
    )
    for event in reminders:
        assert str(event["TRANSP"]) == "TRANSPARENT"
        assert not isinstance(event.decoded("DTSTART"), datetime)  # an all-day reminder
    context.close()
    assert not errors, errors
