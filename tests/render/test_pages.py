"""The pages: index, calendar and kind pages, embeds, the "your feed" page, assets.

Pages are fetched through the Flask test client and parsed with html.parser;
every link is decoded with urllib.parse and compared with what it must carry.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from urllib.parse import urlsplit

import icalendar
import pytest

from feeds import site
from feeds.render import links, pages
from tests.pages_support import (
    KOREAN_ID,
    KOREAN_NAME,
    OPENING_TITLE,
    make_app,
    params,
    parse_html,
    resolve,
    settings_for,
    write_events,
)

PUBLIC = "https://feeds.example.org"
CAL_PAGE = f"/calendars/{KOREAN_ID}/"
FEED_URL = f"{PUBLIC}/feeds/{KOREAN_ID}.ics"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return write_events(tmp_path_factory.mktemp("events"))


@pytest.fixture(scope="module")
def app(folder):
    return make_app(folder, PUBLIC)


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def the_site(app):
    return app.extensions["feeds_store"].site


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.data[:200])
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    return response


def html_paths(the_site):
    return sorted(p for p, r in the_site.resources.items() if r.media_type.startswith("text/html"))


def anchors(html: str, **attrs):
    return [a for a in parse_html(html).anchors if all(a.get(k) == v for k, v in attrs.items())]


def url_field(html: str) -> str:
    (value,) = [
        a["value"]
        for t, a in parse_html(html).elements
        if t == "input" and "url" in a.get("class", "")
    ]
    return value


def event_item(html: str, event_id: str) -> str:
    start = rf'<li class="event[^"]*" id="e-{re.escape(event_id)}"'
    pattern = start + r'.*?(?=<li class="event|</ul>\n</section>)'
    match = re.search(pattern, html, re.S)
    assert match, event_id
    return match.group(0)


# -- every page ------------------------------------------------------------------


def test_the_expected_pages_exist(the_site):
    paths = set(html_paths(the_site))
    expected = {
        "/",
        CAL_PAGE,
        f"{CAL_PAGE}workshops/",
        f"{CAL_PAGE}deadlines/",
        f"{CAL_PAGE}keynotes/",
        "/calendars/icml-2026/",
        "/calendars/icml-2026/workshops/",
        "/embed/all/",
        "/embed/deadlines/",
        f"/embed/{KOREAN_ID}/",
        f"/embed/{KOREAN_ID}/workshops/",
        "/embed/icml-2026/",
        "/examples/widget/",
    }
    assert expected <= paths
    assert {f"/embed/{f.id}/" for f in the_site.feeds if not f.archive} <= paths
    # a full history (/feeds/history/...) is an archive, not offered for embedding
    assert not {f"/embed/{f.id}/" for f in the_site.feeds if f.archive} & paths
    for path in paths:  # pages are paths ending in "/" (static-export friendly), no query
        assert path.endswith("/") and "?" not in path


def test_every_page_is_landmarked_accessible_html(client, the_site):
    for path in html_paths(the_site):
        html = page(client, path).get_data(as_text=True)
        tags = [t for t, _ in parse_html(html).elements]
        assert html.startswith('<!doctype html>\n<html lang="en">')
        assert tags.count("main") == 1 and tags.count("h1") == 1, path
        if not path.startswith("/embed/"):
            assert "header" in tags and "footer" in tags, path
        for tag, attrs in parse_html(html).elements:
            if tag == "img":
                assert attrs.get("alt"), path
            if tag in ("input", "textarea") and attrs.get("type") != "hidden":
                ident = attrs.get("id")
                labelled = (
                    (ident and f'for="{ident}"' in html)
                    or tag == "input"
                    and attrs.get("type") == "checkbox"
                )
                assert labelled, (path, attrs)


def test_no_inline_scripts_or_styles_and_nothing_from_other_hosts(client, the_site):
    for path in html_paths(the_site):
        html = page(client, path).get_data(as_text=True)
        for tag, attrs in parse_html(html).elements:
            assert "style" not in attrs, (path, tag)
            assert not any(k.startswith("on") for k in attrs), (path, tag)
            if tag == "script" and attrs.get("type") == "application/ld+json":
                continue  # data, never run (and CSP does not apply to it)
            if tag == "script":
                assert attrs.get("src"), path  # no inline script
            if tag in ("script", "img", "iframe") or (
                tag == "link" and attrs.get("rel") == "stylesheet"
            ):
                src = attrs.get("src") or attrs.get("href")
                assert not urlsplit(src).netloc, (path, src)  # same site only
        assert "<style" not in html


def test_html_security_headers(client):
    response = page(client, CAL_PAGE)
    csp = response.headers["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    )
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_embed_pages_may_be_framed_by_any_site(client):
    response = page(client, f"/embed/{KOREAN_ID}/")
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_every_internal_link_resolves_to_a_resource(client, the_site):
    """Links are relative and every target exists, so a static export needs no rewriting."""
    for path in html_paths(the_site):
        html = page(client, path).get_data(as_text=True)
        for _tag, attrs in parse_html(html).elements:
            for key in ("href", "src", "action"):
                value = attrs.get(key)
                if (
                    not value
                    or value.startswith(("#", "data:", "mailto:"))
                    or urlsplit(value).scheme
                ):
                    continue
                assert not value.startswith("/"), (
                    path,
                    value,
                )  # relative, for exports under a folder
                target = resolve(path, value)
                assert target in the_site.resources or target == "/subscribe/", (
                    path,
                    value,
                    target,
                )


def test_pages_are_deterministic(folder, the_site):
    from feeds.serve.store import Store

    again = Store(settings_for(folder, PUBLIC)).site
    for path in html_paths(the_site):
        assert again.get(path).body == the_site.get(path).body, path


def test_korean_and_markup_are_escaped(client):
    html = page(client, CAL_PAGE).get_data(as_text=True)
    assert "한국 학회 2026 &amp; 친구들 #1 + α" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# -- index -----------------------------------------------------------------------------


def test_index_lists_calendars_and_the_merged_feeds(client):
    html = page(client, "/").get_data(as_text=True)
    hrefs = {a["href"] for a in parse_html(html).anchors}
    assert f"calendars/{KOREAN_ID}/" in hrefs and "calendars/icml-2026/" in hrefs
    for feed_id in ("all", "deadlines"):
        (apple,) = [
            a
            for a in anchors(html, **{"data-client": "apple"})
            if a["href"].endswith(f"/feeds/{feed_id}.ics")
        ]
        assert apple["href"] == f"webcal://feeds.example.org/feeds/{feed_id}.ics"


# -- the subscribe box ---------------------------------------------------------------------


def panel(html: str) -> str:
    """The full subscribe panel of a page (the first one)."""
    match = re.search(r'<section class="subscribe".*?</section>', html, re.S)
    assert match
    return match.group(0)


def first_screen(html: str) -> str:
    match = re.search(r'<section class="first-screen".*?</section>', html, re.S)
    assert match
    return match.group(0)


def test_subscribe_box_links_for_every_client(client):
    html = panel(page(client, CAL_PAGE).get_data(as_text=True))
    webcal = f"webcal://feeds.example.org/feeds/{KOREAN_ID}.ics"
    assert url_field(html) == FEED_URL  # the URL to copy, selectable
    (apple,) = anchors(html, **{"data-client": "apple"})
    assert apple["href"] == webcal
    # Google: by default the "From URL" page, with the https URL copied on the way
    (google,) = anchors(html, **{"data-client": "google"})
    assert google["href"] == links.GOOGLE_ADD_BY_URL
    assert urlsplit(google["href"])[1:3] == (
        "calendar.google.com",
        "/calendar/u/0/r/settings/addbyurl",
    )
    assert google["data-copy-url"] == FEED_URL and google["target"] == "_blank"
    # the cid link as a second try, with the webcal form Google accepts in cid
    (cid,) = anchors(html, **{"data-client": "google-cid"})
    assert urlsplit(cid["href"])[:3] == ("https", "calendar.google.com", "/calendar/r")
    assert params(cid["href"]) == {"cid": webcal}
    # Outlook on the web and the new Outlook: the https URL, never webcal
    (outlook,) = anchors(html, **{"data-client": "outlook-com"})
    assert urlsplit(outlook["href"])[1:3] == ("outlook.live.com", "/calendar/0/addfromweb")
    assert params(outlook["href"]) == {"url": FEED_URL, "name": KOREAN_NAME}
    (m365,) = anchors(html, **{"data-client": "microsoft-365"})
    assert urlsplit(m365["href"])[1:3] == ("outlook.office.com", "/calendar/0/addfromweb")
    assert params(m365["href"]) == {"url": FEED_URL, "name": KOREAN_NAME}
    (classic,) = anchors(html, **{"data-client": "outlook-classic"})
    assert classic["href"] == webcal
    # Outlook for Mac is sent to Apple Calendar
    assert "Outlook for Mac cannot subscribe" in html and "use Apple Calendar" in html
    assert "Thunderbird" in html and "every 12 hours" in html


def test_each_client_says_how_soon_it_shows_a_change(client):
    html = panel(page(client, CAL_PAGE).get_data(as_text=True))
    rows = dict(re.findall(r'<li data-client-row="([a-z0-9-]+)">(.*?)</li>', html, re.S))
    assert set(rows) == {
        "apple",
        "google",
        "outlook-com",
        "microsoft-365",
        "outlook-classic",
        "thunderbird",
    }
    expected = {
        "apple": "every 5 minutes to every week",
        "google": "every few hours to about a day",
        "outlook-com": "several hours",
        "microsoft-365": "several hours",
        "outlook-classic": "every 12 hours, the feed's suggestion",
        "thunderbird": "Refresh calendar",
    }
    for client_key, words in expected.items():
        (refresh,) = re.findall(r'<span class="refresh">(.*?)</span>', rows[client_key])
        assert words in html_text(refresh), client_key


def html_text(fragment: str) -> str:
    import html as html_module

    return html_module.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_google_fresh_copy_url_is_documented_and_serves_the_same_feed(client):
    html = panel(page(client, CAL_PAGE).get_data(as_text=True))
    (fresh,) = re.findall(r'<code class="fresh-url">(.*?)</code>', html)
    fresh = html_text(fresh)
    assert params(fresh) == {"v": "2"} and fresh.startswith(FEED_URL + "?")
    path = urlsplit(fresh).path + "?" + urlsplit(fresh).query
    plain, versioned = client.get(f"/feeds/{KOREAN_ID}.ics"), client.get(path)
    assert versioned.status_code == 200
    assert versioned.data == plain.data and versioned.headers["ETag"] == plain.headers["ETag"]
    # on a selection too: the version changes nothing but the URL
    chosen = client.get(f"/feeds/{KOREAN_ID}.ics?alarm=1h&ids=opening")
    again = client.get(f"/feeds/{KOREAN_ID}.ics?alarm=1h&ids=opening&v=7")
    assert again.status_code == 200 and again.data == chosen.data


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            CAL_PAGE,
            [
                ("Add all deadlines", f"/feeds/{KOREAN_ID}/deadlines.ics"),
                ("Add the whole conference", f"/feeds/{KOREAN_ID}.ics"),
            ],
        ),
        (
            f"{CAL_PAGE}workshops/",
            [
                ("Add all workshops", f"/feeds/{KOREAN_ID}/workshops.ics"),
                ("Add the whole conference", f"/feeds/{KOREAN_ID}.ics"),
            ],
        ),
        (
            "/",
            [
                ("Add all deadlines", "/feeds/deadlines.ics"),
                ("Add every calendar", "/feeds/all.ics"),
            ],
        ),
    ],
)
def test_first_screen_offers_the_feeds_to_every_app(client, path, expected):
    """Before the agenda and the kind filter: each action, Apple by default (no JavaScript),
    every other app one click away, each link decoded."""
    html = page(client, path).get_data(as_text=True)
    quick = first_screen(html)
    assert html.index('class="first-screen"') < html.index('class="subscribe"')
    if path != "/":
        assert html.index('class="first-screen"') < html.index('class="kind-filter"')
    actions = re.findall(r'<div class="quick-action".*?</div>', quick, re.S)
    assert len(actions) == len(expected)
    for action, (label, feed_path) in zip(actions, expected, strict=True):
        url = PUBLIC + feed_path
        (main,) = anchors(action, **{"class": "button primary quick-main"})
        assert main["data-label"] == label and main["_text"] == f"{label} to Apple Calendar"
        assert main["href"] == "webcal://" + url.split("://", 1)[1]
        by_app = {a["data-app"]: a for a in parse_html(action).anchors if "data-app-name" in a}
        assert set(by_app) == {"apple", "google", "outlook", "microsoft-365"}
        assert "hidden" in by_app["apple"]  # it is the main button already
        assert by_app["google"]["href"] == links.GOOGLE_ADD_BY_URL
        assert by_app["google"]["data-copy-url"] == url
        assert params(by_app["outlook"]["href"])["url"] == url
        assert urlsplit(by_app["outlook"]["href"]).netloc == "outlook.live.com"
        assert params(by_app["microsoft-365"]["href"])["url"] == url
        (other,) = anchors(action, **{"data-app": "other"})
        target = other["href"].lstrip("#")
        assert f'id="{target}"' in html  # the full panel, further down


def test_kind_page_box_subscribes_to_the_kind_feed(client):
    html = page(client, f"{CAL_PAGE}workshops/").get_data(as_text=True)
    (outlook,) = anchors(html, **{"data-client": "outlook-com"})
    assert params(outlook["href"]) == {
        "url": f"{PUBLIC}/feeds/{KOREAN_ID}/workshops.ics",
        "name": f"{KOREAN_NAME}: workshops",
    }


def test_qr_code_is_an_svg_of_the_feed_url(client, the_site):
    html = page(client, CAL_PAGE).get_data(as_text=True)
    (img,) = [a for t, a in parse_html(html).elements if t == "img" and "QR" in a.get("alt", "")]
    target = resolve(CAL_PAGE, img["src"])
    assert target == f"/qr/{KOREAN_ID}.svg"
    response = client.get(target)
    assert response.headers["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(response.data)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("{http://www.w3.org/2000/svg}title").text == FEED_URL
    assert response.data == pages.qr_svg(FEED_URL)
    for feed in the_site.feeds:  # a history is an archive, not offered for subscribing
        assert (the_site.get(f"/qr/{feed.id}.svg") is None) == feed.archive, feed.id


def test_embed_snippet_on_each_feed_page(client):
    html = page(client, CAL_PAGE).get_data(as_text=True)
    match = re.search(r'<textarea id="embed-[^"]+"[^>]*>(.*?)</textarea>', html, re.S)
    snippet = (
        match.group(1)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#34;", '"')
        .replace("&amp;", "&")
    )
    assert snippet.startswith(f'<iframe src="{PUBLIC}/embed/{KOREAN_ID}/"')
    assert 'title="' in snippet
    # with the host script that sets the frame's height (docs/embedding.md), served here
    script = f'<script src="{PUBLIC}/static/embed-host.js" defer></script>'
    assert snippet.endswith("</iframe>\n" + script)
    assert client.get("/static/embed-host.js").status_code == 200


# -- the agenda --------------------------------------------------------------------------


def test_events_grouped_by_day_in_the_calendar_zone(client):
    html = page(client, CAL_PAGE).get_data(as_text=True)
    days = re.findall(r'<h3 id="day-([0-9-]+)"', html)
    assert days == sorted(days)
    # 16:00 in Los Angeles on 1 Dec is 09:00 on 2 Dec in Seoul
    la = event_item(html, "la-talk")
    assert html.index('id="day-2026-12-02"') < html.index('id="e-la-talk"')
    assert "09:00–10:00" in la and "KST" in la and "1 Dec 2026 16:00–17:00 PST" in la
    assert (
        '<time class="viewer" datetime="2026-12-02T00:00:00Z" data-end="2026-12-02T01:00:00Z"' in la
    )
    # 1 Sep 23:59 AoE is 2 Sep 20:59 in Seoul: listed under 1 September, the date it is
    # stated for, with the Seoul time saying its own date
    deadline = event_item(html, "paper-deadline")
    assert day_of(html, "paper-deadline") == "2026-09-01"
    assert "Due 2 Sep 2026 20:59" in deadline and "1 Sep 2026 23:59 AoE" in deadline


def day_of(html: str, event_id: str) -> str:
    """The date of the day section an event is listed under."""
    sections = re.split(r'(?=<section class="day")', html)
    (day,) = [
        re.search(r'id="day-([0-9-]+)"', s).group(1) for s in sections if f'id="e-{event_id}"' in s
    ]
    return day


def test_deadlines_are_listed_under_their_stated_date(client):
    """ICML's "7 Dec AoE" is 8 Dec in Seoul, and is listed under 7 December."""
    html = page(client, "/calendars/icml-2026/").get_data(as_text=True)
    assert day_of(html, "tutorial-nomination-deadline") == "2025-12-07"
    assert day_of(html, "full-paper-deadline") == "2026-01-28"
    # stated in UTC at 11:59 on 15 June: 20:59 the same day in Seoul, no date needed
    assert day_of(html, "registration-cancellation-deadline") == "2026-06-15"
    assert "Due 20:59" in event_item(html, "registration-cancellation-deadline")
    item = event_item(html, "tutorial-nomination-deadline")
    assert "Due 8 Dec 2025 20:59" in item and "7 Dec 2025 23:59 AoE" in item
    days = re.findall(r'<h3 id="day-([0-9-]+)"', html)
    assert days == sorted(days) and len(days) == len(set(days))


def test_day_sections_carry_their_last_covered_day(client):
    """The 6 to 11 July conference ends (exclusively) on 12 July: its last day is 11 July."""
    html = page(client, "/calendars/icml-2026/").get_data(as_text=True)
    lasts = re.findall(r'<section class="day" data-end="[^"]+" data-last="([0-9-]+)"', html)
    assert max(lasts) == "2026-07-11"
    first_day = re.search(
        r'<section class="day"[^>]*data-last="([0-9-]+)"[^>]*day-2026-07-06', html
    )
    assert first_day.group(1) == "2026-07-11"  # the conference bar, 6 to 11 July


def test_repeating_event_shows_each_occurrence_and_says_it_repeats(client):
    html = page(client, CAL_PAGE).get_data(as_text=True)
    first = event_item(html, "workshop")
    assert "Repeats daily, 3 times (except 3 Dec 2026)" in first and "1 of 2" in first
    assert html.count("워크숍 (매일)") >= 2
    assert 'id="day-2026-12-04"' in html and 'id="day-2026-12-03"' not in html
    google = [a for a in parse_html(first).anchors if a.get("data-action") == "google"][0]
    got = params(google["href"])
    assert got["dates"] == "20261202T040000Z/20261202T080000Z"  # the first occurrence
    assert "Repeats daily" in got["details"]


def test_cancelled_event_is_marked(client):
    html = page(client, CAL_PAGE).get_data(as_text=True)
    assert "Cancelled" in event_item(html, "cancelled-dinner")
    assert "status-cancelled" in event_item(html, "cancelled-dinner")


def test_kind_filter_pages(client):
    html = page(client, f"{CAL_PAGE}workshops/").get_data(as_text=True)
    ids = re.findall(r'id="e-([^"]+)"', html)
    assert sorted(ids) == ["late-workshop", "workshop"]
    current = [a for a in parse_html(html).anchors if a.get("aria-current") == "page"]
    assert [a["href"] for a in current] == ["./"]
    whole = page(client, CAL_PAGE).get_data(as_text=True)
    assert sorted(re.findall(r'id="e-([^"]+)"', whole)) == sorted(
        [
            "opening",
            "tutorial-day",
            "workshop",
            "late-workshop",
            "paper-deadline",
            "cancelled-dinner",
            "la-talk",
        ]
    )


def test_past_calendar_page_still_has_everything(client):
    """ICML 2026 is over; without JavaScript its page lists everything with working links."""
    html = page(client, "/calendars/icml-2026/").get_data(as_text=True)
    assert html.count('data-action="ics"') == 17
    assert 'class="agenda-status" role="status" hidden' in html  # filled in by the browser


# -- one event -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "event_id", ["opening", "tutorial-day", "paper-deadline", "workshop", "la-talk"]
)
def test_add_one_event_links(client, the_site, event_id):
    html = page(client, CAL_PAGE).get_data(as_text=True)
    item = parse_html(event_item(html, event_id))
    by_action = {a["data-action"]: a["href"] for a in item.anchors if a.get("data-action")}
    build = next(b for b in the_site.builds if b.calendar.id == KOREAN_ID)
    event = build.calendar.event(event_id)
    span = links.first_span(event)

    ics = client.get(resolve(CAL_PAGE, by_action["ics"]))
    assert ics.status_code == 200
    assert (
        ics.headers["Content-Disposition"] == f'attachment; filename="{KOREAN_ID}-{event_id}.ics"'
    )
    (vevent,) = icalendar.Calendar.from_ical(ics.data).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == event.title

    google = params(by_action["google"])
    assert urlsplit(by_action["google"])[1:3] == ("calendar.google.com", "/calendar/render")
    assert google["action"] == "TEMPLATE" and google["text"] == event.title
    start, end = google["dates"].split("/")
    if span.all_day:
        assert vevent["DTSTART"].dt.strftime("%Y%m%d") == start
        assert vevent["DTEND"].dt.strftime("%Y%m%d") == end
    else:
        assert datetime.strptime(start, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC) == vevent[
            "DTSTART"
        ].dt.astimezone(UTC)
        if "DTEND" in vevent:
            assert datetime.strptime(end, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC) == vevent[
                "DTEND"
            ].dt.astimezone(UTC)
        else:
            assert start == end  # a deadline
    assert google["details"].endswith(f"{PUBLIC}{CAL_PAGE}#e-{event_id}")

    for action, netloc in (
        ("outlook-com", "outlook.live.com"),
        ("microsoft-365", "outlook.office.com"),
    ):
        got = params(by_action[action])
        assert urlsplit(by_action[action])[1:3] == (netloc, "/calendar/0/deeplink/compose")
        assert got["subject"] == event.title and got["rru"] == "addevent"
        assert got["path"] == "/calendar/action/compose"
        if span.all_day:
            assert got["allday"] == "true" and got["startdt"] == span.start.isoformat()
        else:
            assert "allday" not in got
            assert got["startdt"] == span.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            assert got["enddt"].endswith("Z")


def test_korean_title_survives_every_event_link(client):
    html = page(client, CAL_PAGE).get_data(as_text=True)
    item = parse_html(event_item(html, "opening"))
    hrefs = {a["data-action"]: a["href"] for a in item.anchors if a.get("data-action")}
    assert params(hrefs["google"])["text"] == OPENING_TITLE
    assert params(hrefs["google"])["location"] == "그랜드볼룸 A & B #3"
    assert params(hrefs["outlook-com"])["subject"] == OPENING_TITLE
    assert params(hrefs["microsoft-365"])["subject"] == OPENING_TITLE
    for href in hrefs.values():
        assert href.isascii() and not urlsplit(href).fragment


# -- the picker and "your feed" -----------------------------------------------------------------


def test_picker_form_is_a_plain_get_form(client):
    html = page(client, CAL_PAGE).get_data(as_text=True)
    (form,) = [a for t, a in parse_html(html).elements if t == "form"]
    assert form["method"] == "get" and resolve(CAL_PAGE, form["action"]) == "/subscribe/"
    boxes = [a for t, a in parse_html(html).elements if t == "input" and a.get("name") == "ids"]
    assert {b["value"] for b in boxes} == {
        "opening",
        "tutorial-day",
        "workshop",
        "late-workshop",
        "paper-deadline",
        "cancelled-dinner",
        "la-talk",
    }
    assert all(b["form"] == "picker" for b in boxes)
    alarms = [
        a["value"]
        for t, a in parse_html(html).elements
        if t == "input" and a.get("name") == "alarm"
    ]
    assert alarms == ["7d", "1d", "1h", "15m"]  # canonical, as "Change your choice" returns them


def test_your_feed_page(client):
    response = page(client, f"/subscribe/?feed={KOREAN_ID}&ids=la-talk&ids=opening&alarm=1h")
    html = response.get_data(as_text=True)
    url = f"{FEED_URL}?alarm=1h&ids=la-talk,opening"
    assert url_field(html) == url
    (google,) = anchors(html, **{"data-client": "google"})
    assert google["data-copy-url"] == url
    (cid,) = anchors(html, **{"data-client": "google-cid"})
    assert params(cid["href"]) == {"cid": "webcal://" + url.split("://", 1)[1]}
    (outlook,) = anchors(html, **{"data-client": "outlook-com"})
    assert params(outlook["href"]) == {"url": url, "name": f"{KOREAN_NAME}: my events"}
    (apple,) = anchors(html, **{"data-client": "apple"})
    assert (
        apple["href"]
        == "webcal://feeds.example.org/feeds/hanguk-2026.ics?alarm=1h&ids=la-talk,opening"
    )
    # its first screen adds this feed; "Change your choice" goes back with the choice
    (main,) = anchors(first_screen(html), **{"class": "button primary quick-main"})
    assert main["href"] == apple["href"] and main["data-label"] == "Add your feed"
    (change,) = anchors(html, **{"class": "change-choice"})
    assert resolve("/subscribe/", change["href"]) == CAL_PAGE
    assert urlsplit(change["href"]).fragment == "picker"
    assert params(change["href"]) == {"alarm": "1h", "ids": "la-talk,opening"}
    assert sorted(re.findall(r'id="e-([^"]+)"', html)) == ["la-talk", "opening"]
    assert "data:image/svg+xml" in html  # its QR code
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    same = client.get(f"/subscribe/?alarm=1h&ids=opening,la-talk&feed={KOREAN_ID}")
    assert same.headers["ETag"] == response.headers["ETag"]
    # the URL it shows is served
    feed = client.get(urlsplit(url).path + "?" + urlsplit(url).query)
    assert len(icalendar.Calendar.from_ical(feed.data).walk("VEVENT")) == 2


def test_your_feed_with_nothing_picked_is_the_whole_feed(client):
    html = page(client, f"/subscribe/?feed={KOREAN_ID}").get_data(as_text=True)
    assert url_field(html) == FEED_URL


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "give exactly one feed"),
        ("feed=nope", "unknown feed 'nope'"),
        (f"feed={KOREAN_ID}&ids=zzz", "'zzz'"),
    ],
)
def test_your_feed_errors(client, query, message):
    response = client.get("/subscribe/?" + query)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


# -- assets, embeds, proxies -----------------------------------------------------------------------


def test_static_assets_are_served_with_versions(client):
    html = page(client, CAL_PAGE).get_data(as_text=True)
    refs = [
        a.get("src") or a.get("href")
        for t, a in parse_html(html).elements
        if (t == "script" and a.get("src")) or (t == "link" and a["rel"] in ("stylesheet", "icon"))
    ]
    assert len(refs) == 4  # the style sheet, two scripts, the favicon
    for ref in refs:
        response = client.get(resolve(CAL_PAGE, ref) + "?" + urlsplit(ref).query)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith(
            ("text/css", "text/javascript", "image/svg+xml")
        )
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_embed_page_is_small_and_self_contained(client):
    html = page(client, f"/embed/{KOREAN_ID}/").get_data(as_text=True)
    assert len(html.encode()) < 40_000
    assert OPENING_TITLE.replace("&", "&amp;") in html
    for a in parse_html(html).anchors:
        assert a.get("target") == "_blank" and "noopener" in a.get("rel", "")


def test_absolute_urls_come_from_public_url_only(folder):
    app = make_app(folder, "https://cal.example.net/base", trusted_proxies=0)
    client = app.test_client()
    html = client.get(
        CAL_PAGE,
        headers={
            "Host": "evil.example",
            "X-Forwarded-Host": "evil.example",
            "X-Forwarded-Proto": "http",
        },
    ).get_data(as_text=True)
    assert "evil.example" not in html
    (google,) = anchors(html, **{"data-client": "google-cid"})
    assert params(google["href"]) == {"cid": f"webcal://cal.example.net/base/feeds/{KOREAN_ID}.ics"}
    (google,) = anchors(html, **{"data-client": "google"})
    assert google["data-copy-url"] == f"https://cal.example.net/base/feeds/{KOREAN_ID}.ics"


def test_resource_embeddable_flag(the_site):
    for path, resource in the_site.resources.items():
        assert resource.embeddable == path.startswith("/embed/"), path


def test_relative_links():
    assert pages.relative("/calendars/x/", "/static/site.css?v=1") == "../../static/site.css?v=1"
    assert pages.relative("/calendars/x/", "/calendars/x/") == "./"
    assert pages.relative("/calendars/x/", "/calendars/x/#e-a") == "./#e-a"
    assert pages.relative("/", "/feeds.json") == "feeds.json"
    assert pages.relative("/calendars/x/kinds/", "/") == "../../../"
    assert pages.relative("/subscribe/", "/events/x/y.ics") == "../events/x/y.ics"


def test_assemble_adds_assets_for_every_feed(the_site):
    assert isinstance(the_site, site.Site)
    for name in ("site.css", "embed.css", "local-times.js", "site.js", "widget.js"):
        assert the_site.get(f"/static/{name}") is not None
