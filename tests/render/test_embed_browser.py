"""The embed options in a real browser, framed by a host page on another origin.

The host page is light; the reader's device may be dark. Each test loads
``/embed/...?<options>`` in an iframe of that page and checks what the reader sees
against the feed itself, parsed with icalendar and expanded with
recurring-ical-events (instants compared in UTC). "Now" is fixed with Playwright's
clock, as in ``test_browser.py``, whose Chromium set-up and servers this module uses.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlencode
from urllib.request import urlopen
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds.export.hosts import file_path
from feeds.export.writer import current_build, write_site
from tests.pages_support import KOREAN_ID, make_app, write_events
from tests.render.test_browser import (  # noqa: F401  (browser: a fixture)
    ARTIFACTS,
    NOW,
    Server,
    _missing,
    browser,
    collect_errors,
)

pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")

SEOUL = ZoneInfo("Asia/Seoul")
LIGHT_BG, DARK_BG = "rgb(255, 255, 255)", "rgb(13, 17, 23)"
#: After every event of the Korean calendar.
LATER = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
HEIGHT_MESSAGE = "calendar-feeds:height"


def host_site(feeds_base: str):
    """A light page of another site: ``/host?src=/embed/...&resize=1`` frames ``src``.

    It records every message from the feeds' origin in ``window.messages``; with
    ``resize=1`` it loads ``static/embed-host.js`` as docs/embedding.md says.
    """

    def app(environ, start_response):
        query = parse_qs(environ.get("QUERY_STRING", ""))
        src = query.get("src", ["/embed/all/"])[0]
        src = src if src.startswith("http://") else feeds_base + src
        resize = ""
        if query.get("resize") == ["1"]:
            resize = f'<script src="{feeds_base}/static/embed-host.js" defer></script>'
        elif query.get("resize") == ["late"]:  # added once the frame has loaded and posted
            resize = f"""<script>
document.getElementById('embed').addEventListener('load', function () {{
  setTimeout(function () {{
    var s = document.createElement('script');
    s.src = {feeds_base + "/static/embed-host.js"!r};
    document.body.appendChild(s);
  }}, 300);
}});
</script>"""
        body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="color-scheme" content="light">
<title>A light host page</title>
<style>body {{ background: #fff; color: #111; margin: 0; }}
h1 {{ margin: 0; height: 40px; }}</style>
<script>
window.messages = [];
window.addEventListener('message', function (e) {{
  if (e.origin === {feeds_base!r}) window.messages.push(e.data);
}});
</script></head>
<body><h1>Host</h1>
<iframe id="embed" src="{html.escape(src)}" title="Calendar" width="600" height="150"
 style="border:0; display:block"></iframe>
{resize}
</body></html>""".encode()
        start_response(
            "200 OK",
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
        )
        return [body]

    return app


def static_files_of(folder: Path):
    """A WSGI app serving an export as a plain static host does: files by path, queries ignored."""
    types = {".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css"}

    def app(environ, start_response):
        path = folder / file_path(environ.get("PATH_INFO", "/"))
        if not path.resolve().is_relative_to(folder.resolve()) or not path.is_file():
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        body = path.read_bytes()
        kind = types.get(path.suffix, "application/octet-stream")
        start_response("200 OK", [("Content-Type", kind), ("Content-Length", str(len(body)))])
        return [body]

    return app


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    feeds_server = Server()
    app = make_app(write_events(tmp_path_factory.mktemp("events")), feeds_server.base)
    feeds_server.start(app)
    host = Server()
    host.start(host_site(feeds_server.base))
    yield feeds_server.base, host.base
    host.stop()
    feeds_server.stop()


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The same site exported (``feeds export``) and on a static host of its own."""
    out = tmp_path_factory.mktemp("export") / "site"
    server = Server()
    app = make_app(write_events(tmp_path_factory.mktemp("events")), server.base)
    write_site(app.extensions["feeds_store"].site, out)
    server.start(static_files_of(current_build(out)))
    yield server.base
    server.stop()


class Host:
    """Opens the host page framing an embed, for a reader with a colour scheme at a time."""

    def __init__(self, browser, servers):
        self.browser = browser
        self.base, self.host = servers
        self.contexts = []
        self.errors: list[str] = []

    def open(self, src: str, *, scheme: str = "dark", now: datetime = NOW, resize: str = ""):
        context = self.browser.new_context(
            locale="en-GB",
            timezone_id="Europe/Berlin",
            color_scheme=scheme,
            viewport={"width": 900, "height": 700},
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        page.clock.set_fixed_time(now)
        self.errors = collect_errors(page)
        query = urlencode({"src": src, **({"resize": resize} if resize else {})})
        page.goto(f"{self.host}/host?{query}")
        frame = page.frame_locator("#embed")
        frame.locator("html.times-ready").wait_for(state="attached")
        return page, frame

    def close(self):
        for context in self.contexts:
            context.close()
        assert not self.errors, self.errors


@pytest.fixture
def host(browser, servers):
    h = Host(browser, servers)
    yield h
    h.close()


def background(frame) -> str:
    return frame.locator("body").evaluate("b => getComputedStyle(b).backgroundColor")


def korean_occurrences(base: str, after: datetime) -> list[tuple[str, datetime]]:
    """(title, start in UTC) of each occurrence in the Korean feed not over at ``after``."""
    with urlopen(f"{base}/feeds/{KOREAN_ID}.ics", timeout=10) as response:
        cal = icalendar.Calendar.from_ical(response.read())
    out = []
    for event in recurring_ical_events.of(cal).between(after, after + timedelta(days=3 * 365)):
        start, end = event["DTSTART"].dt, event.end

        def utc(value):
            if isinstance(value, datetime):
                return value.astimezone(UTC)
            return datetime.combine(value, time(), SEOUL).astimezone(UTC)

        if utc(end) > after or utc(start) > after:
            out.append((str(event["SUMMARY"]), utc(start)))
    return sorted(out, key=lambda item: item[1])


def all_korean_occurrences(base: str) -> list[tuple[str, datetime]]:
    return korean_occurrences(base, datetime(2026, 1, 1, tzinfo=UTC))


def shown_rows(frame) -> list[tuple[str, datetime]]:
    """(title, start in UTC) of each event row the reader sees, top to bottom."""
    rows = frame.locator("li.event:visible")
    out = []
    for i in range(rows.count()):
        row = rows.nth(i)
        start = row.get_attribute("data-start").replace("Z", "+00:00")
        out.append((row.locator(".title a").inner_text(), datetime.fromisoformat(start)))
    return out


# -- theme --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "scheme", "expected"),
    [
        ("", "dark", LIGHT_BG),  # the old bug: a dark reader turned a light host's embed dark
        ("?theme=light", "dark", LIGHT_BG),
        ("?theme=dark", "light", DARK_BG),
        ("?theme=auto", "dark", DARK_BG),
        ("?theme=auto", "light", LIGHT_BG),
        ("?theme=DARK", "dark", LIGHT_BG),  # bad values: ignored, the default applies
        ("?theme=dark&theme=dark", "dark", LIGHT_BG),
        ("?theme=%00dark", "dark", LIGHT_BG),
        ("?theme=" + "x" * 5000, "dark", LIGHT_BG),
    ],
)
def test_theme(host, query, scheme, expected):
    page, frame = host.open(f"/embed/{KOREAN_ID}/{query}", scheme=scheme)
    assert background(frame) == expected
    # text stays readable in either: the foreground is the other end of the scale
    color = frame.locator("h1 a").evaluate("a => getComputedStyle(a).color")
    assert color == ("rgb(27, 31, 36)" if expected == LIGHT_BG else "rgb(230, 237, 243)")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == LIGHT_BG
    if query in ("", "?theme=dark"):
        name = "embed-theme-" + (query.removeprefix("?theme=") or "default") + f"-{scheme}"
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


# -- next N -------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3, 5])
def test_next_n_shows_the_next_events_of_the_feed(host, count):
    page, frame = host.open(f"/embed/{KOREAN_ID}/?next={count}")
    expected = korean_occurrences(host.base, NOW)[:count]
    assert len(expected) == count
    assert shown_rows(frame) == expected
    # no section headings or zone note in the compact list; a link to all of them
    assert frame.locator("h2:visible").count() == 0
    total = frame.locator("li.event").count()
    more = frame.locator(".embed-more a")
    assert more.is_visible() and more.inner_text() == f"All {total} events"
    if count == 3:
        page.screenshot(path=str(ARTIFACTS / "embed-next-3.png"))


@pytest.mark.parametrize("value", ["0", "51", "-1", "3.5", "03", "1e1", "abc", "", "３"])
def test_a_bad_next_is_ignored(host, value):
    _, frame = host.open(f"/embed/{KOREAN_ID}/?{urlencode({'next': value})}")
    assert frame.locator("li.event:visible").count() == frame.locator("li.event").count()
    assert not frame.locator(".embed-more").is_visible()


def test_next_repeated_is_ignored(host):
    _, frame = host.open(f"/embed/{KOREAN_ID}/?next=2&next=2")
    assert frame.locator("li.event:visible").count() == frame.locator("li.event").count()


# -- AoE ----------------------------------------------------------------------------------


def test_a_deadline_shows_its_aoe_time(host):
    _, frame = host.open("/embed/deadlines/")
    row = frame.locator("li.event", has=frame.locator('a[href$="#e-full-paper-deadline"]'))
    assert row.locator(".original").is_visible()
    assert row.locator(".original").inner_text() == (
        "28 Jan 2026 23:59 AoE, UTC-12 (Anywhere on Earth)"
    )
    # the same instant as the feed's, which the page's own time and "your time" come from
    with urlopen(f"{host.base}/feeds/deadlines.ics", timeout=10) as response:
        cal = icalendar.Calendar.from_ical(response.read())
    (vevent,) = [
        e
        for e in cal.walk("VEVENT")
        if str(e["SUMMARY"]).endswith("Full paper submission deadline")
    ]
    due = vevent["DTSTART"].dt.astimezone(UTC)
    assert due == datetime(2026, 1, 29, 11, 59, tzinfo=UTC)
    assert row.get_attribute("data-start") == "2026-01-29T11:59:00Z"
    assert row.locator("time.viewer").inner_text().startswith("Your time: Thu 29 Jan, 12:59")


# -- height -------------------------------------------------------------------------------


def test_the_host_snippet_sizes_the_frame_to_the_agenda(host):
    page, frame = host.open(f"/embed/{KOREAN_ID}/", resize="1")
    iframe = page.locator("#embed")
    page.wait_for_function(
        "document.getElementById('embed').getAttribute('data-calendar-feeds-height') !== null"
    )
    messages = page.evaluate("window.messages")
    heights = [m["height"] for m in messages if m.get("type") == HEIGHT_MESSAGE]
    assert heights and all(isinstance(h, int) and h > 150 for h in heights), messages
    body = frame.locator("body").evaluate("b => Math.ceil(b.getBoundingClientRect().height)")
    assert iframe.evaluate("f => f.getBoundingClientRect().height") == body == heights[-1]
    # nothing left to scroll inside the frame
    assert frame.locator("html").evaluate("h => h.scrollHeight <= window.innerHeight")
    page.screenshot(path=str(ARTIFACTS / "embed-auto-height.png"), full_page=True)

    # a narrower frame lays the rows out again: the embed says so and the frame follows
    iframe.evaluate("f => { f.width = '300'; }")
    page.wait_for_function(
        f"document.getElementById('embed').getAttribute('data-calendar-feeds-height') != {body}"
    )
    narrow = frame.locator("body").evaluate("b => Math.ceil(b.getBoundingClientRect().height)")
    assert iframe.evaluate("f => f.getBoundingClientRect().height") == narrow != body

    # a message from anywhere else (here the host page itself) changes nothing
    page.evaluate(f"window.postMessage({{type: {HEIGHT_MESSAGE!r}, height: 20}}, '*')")
    page.wait_for_timeout(100)
    assert iframe.evaluate("f => f.getBoundingClientRect().height") == narrow


def test_the_host_script_may_load_after_the_frame(host):
    """Loaded late, it has missed the first message: it asks the frame, which answers."""
    page, frame = host.open(f"/embed/{KOREAN_ID}/", resize="late")
    page.wait_for_function(
        "document.getElementById('embed').getAttribute('data-calendar-feeds-height') !== null"
    )
    heights = [m["height"] for m in page.evaluate("window.messages")]
    assert len(heights) >= 2  # the first, unheard, and the answer to the request
    body = frame.locator("body").evaluate("b => Math.ceil(b.getBoundingClientRect().height)")
    assert page.locator("#embed").evaluate("f => f.getBoundingClientRect().height") == body


def test_next_n_posts_a_smaller_height(host):
    page, _ = host.open(f"/embed/{KOREAN_ID}/?next=2", resize="1")
    page.wait_for_function(
        "document.getElementById('embed').getAttribute('data-calendar-feeds-height') !== null"
    )
    compact = page.locator("#embed").evaluate("f => f.getBoundingClientRect().height")
    assert 60 < compact < 300


# -- everything past ----------------------------------------------------------------------


def test_when_everything_is_past_the_latest_come_first(host):
    page, frame = host.open(f"/embed/{KOREAN_ID}/", now=LATER)
    expected = sorted(all_korean_occurrences(host.base), key=lambda item: item[1], reverse=True)
    assert len(expected) == frame.locator("li.event").count()
    assert shown_rows(frame) == expected
    assert frame.locator("#events-heading").inner_text().lower() == (
        "every event is over · latest first"
    )
    assert not frame.locator(".agenda-status").is_visible()
    # the first row within the top third of the snippet's default 480 px, not below a notice
    top = page.locator("#embed").bounding_box()["y"]
    first = frame.locator("li.event").first.bounding_box()["y"]
    assert first - top < 160, first - top
    page.screenshot(path=str(ARTIFACTS / "embed-all-past.png"))


def test_when_everything_is_past_next_n_shows_the_latest(host):
    _, frame = host.open(f"/embed/{KOREAN_ID}/?next=2", now=LATER)
    expected = sorted(all_korean_occurrences(host.base), key=lambda item: item[1], reverse=True)
    assert shown_rows(frame) == expected[:2]


def test_past_events_below_upcoming_ones_are_newest_first(host):
    _, frame = host.open(f"/embed/{KOREAN_ID}/")
    upcoming = korean_occurrences(host.base, NOW)
    past = [o for o in all_korean_occurrences(host.base) if o not in upcoming]
    assert past, "the test calendar has a past event at NOW"
    rows = shown_rows(frame)
    assert rows == upcoming + sorted(past, key=lambda item: item[1], reverse=True)


# -- from a static export ------------------------------------------------------------------


def test_the_options_work_from_a_static_export(host, exported):
    """A static host ignores the query: the same file, and embed.js applies the options."""
    _, frame = host.open(f"{exported}/embed/{KOREAN_ID}/?theme=dark&next=2")
    assert background(frame) == DARK_BG
    assert shown_rows(frame) == korean_occurrences(host.base, NOW)[:2]
    _, frame = host.open(f"{exported}/embed/{KOREAN_ID}/")
    assert background(frame) == LIGHT_BG
    assert frame.locator("li.event:visible").count() == frame.locator("li.event").count()


# -- the option parser, against its documented rules ----------------------------------------


@pytest.fixture(scope="module")
def parser_page(browser, servers):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{servers[0]}/embed/{KOREAN_ID}/")
    page.wait_for_function("window.CalendarFeedsEmbed !== undefined")
    yield page
    context.close()


def documented(pairs: list[tuple[str, str]]) -> dict:
    """docs/embedding.md's rules: one exact value each, else the default."""
    themes = [v for k, v in pairs if k == "theme"]
    nexts = [v for k, v in pairs if k == "next"]
    theme = themes[0] if len(themes) == 1 and themes[0] in ("light", "dark", "auto") else "light"
    ok = len(nexts) == 1 and re.fullmatch(r"[1-9][0-9]?", nexts[0]) and int(nexts[0]) <= 50
    return {"theme": theme, "next": int(nexts[0]) if ok else None}


_VALUES = st.one_of(
    st.sampled_from(["light", "dark", "auto", "Dark", " dark", "1", "9", "10", "50", "51", "0"]),
    st.sampled_from(["-1", "+5", "05", "5.0", "1e1", "99", "100", "", "٣", "５"]),
    st.text(max_size=12),
)
_PAIRS = st.lists(
    st.tuples(st.sampled_from(["theme", "next", "Theme", "next ", "x"]), _VALUES), max_size=5
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=_PAIRS, raw=st.text(max_size=60))
def test_every_query_gives_bounded_options(parser_page, pairs, raw):
    raw_query = "?" + quote(raw, safe="=&")
    results = parser_page.evaluate(
        "qs => qs.map(q => window.CalendarFeedsEmbed.parseOptions(q))",
        ["?" + urlencode(pairs), raw_query],
    )
    assert results[0] == documented(pairs)
    options = results[1]
    assert options["theme"] in ("light", "dark", "auto")
    assert options["next"] is None or options["next"] in range(1, 51)
    # the same rules over the pairs as a browser splits and decodes them
    decoded = [
        tuple(unquote(x) for x in (part.split("=", 1) if "=" in part else [part, ""]))
        for part in raw_query[1:].split("&")
        if part
    ]
    assert options == documented(decoded)
