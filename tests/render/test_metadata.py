"""What the pages tell machines: link previews, schema.org Event JSON-LD, feed discovery,
the favicon and robots.txt, read back with independent parsers (lxml for the HTML, pyld for
JSON-LD, urllib.robotparser for robots.txt) and compared as instants in UTC.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from urllib import robotparser
from urllib.parse import quote, urlsplit

import lxml.html
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyld import jsonld

from feeds.export.writer import write_site
from feeds.render.metadata import json_ld_script
from tests.pages_support import KOREAN_ID, KOREAN_NAME, OPENING_TITLE, make_app, write_events

PUBLIC = "https://feeds.example.org"
SCHEMA = "https://schema.org/"
#: schema.org's own context, reduced to what JSON-LD expansion needs (no network here):
#: every term in the schema.org vocabulary, IRIs where schema.org says a value is one.
SCHEMA_CONTEXT = {
    "@context": {
        "@vocab": SCHEMA,
        "eventStatus": {"@type": "@id"},
        "eventAttendanceMode": {"@type": "@id"},
        "url": {"@type": "@id"},
    }
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return write_events(tmp_path_factory.mktemp("events"))


@pytest.fixture(scope="module")
def client(folder):
    return make_app(folder, PUBLIC).test_client()


def head(client, path: str):
    response = client.get(path)
    assert response.status_code == 200
    return lxml.html.fromstring(response.get_data(as_text=True))


def meta(doc, **attr) -> str:
    ((key, value),) = attr.items()
    (content,) = doc.xpath(f'//head/meta[@{key.replace("_", ":")}="{value}"]/@content')
    return content


def load_document(url, options=None):
    if url.rstrip("/") + "/" != SCHEMA:
        raise AssertionError(f"JSON-LD context from elsewhere: {url}")
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": SCHEMA_CONTEXT,
    }


def expanded_events(doc) -> list[dict]:
    (text,) = doc.xpath('//script[@type="application/ld+json"]/text()')
    data = json.loads(text)
    out = jsonld.expand(data, {"documentLoader": load_document})
    assert len(out) == 1
    return out


def value(node: dict, term: str):
    (item,) = node[SCHEMA + term]
    return item.get("@value", item.get("@id", item))


def instant(text: str) -> datetime | date:
    if "T" not in text:
        return date.fromisoformat(text)
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/", "Conference calendars"),
        (f"/calendars/{KOREAN_ID}/", f"{KOREAN_NAME} · Conference calendars"),
        ("/calendars/icml-2026/deadlines/", "Deadlines: ICML 2026 · Conference calendars"),
        ("/examples/widget/", "Widget example · Conference calendars"),
    ],
)
def test_link_previews_have_title_description_and_url(client, path, title):
    doc = head(client, path)
    description = meta(doc, name="description")
    assert 40 <= len(description) <= 200 and "\n" not in description
    assert meta(doc, property="og:title") == title == doc.findtext(".//title")
    assert meta(doc, property="og:description") == description
    assert meta(doc, property="og:url") == PUBLIC + path
    assert doc.xpath('//link[@rel="canonical"]/@href') == [PUBLIC + path]
    assert meta(doc, name="twitter:card") == "summary"
    assert meta(doc, name="twitter:title") == title
    assert meta(doc, name="twitter:description") == description


def test_descriptions_say_what_the_page_holds(client):
    icml = meta(head(client, "/calendars/icml-2026/"), name="description")
    assert icml.startswith("43rd International Conference on Machine Learning")
    deadlines = meta(head(client, "/calendars/icml-2026/deadlines/"), name="description")
    assert deadlines.startswith("ICML 2026: 9 deadlines.")
    index = meta(head(client, "/"), name="description")
    assert "ICML 2026" in index and KOREAN_NAME in index


@pytest.mark.parametrize(
    ("path", "feeds"),
    [
        ("/", ["/feeds/all.ics", "/feeds/deadlines.ics"]),
        (f"/calendars/{KOREAN_ID}/", [f"/feeds/{KOREAN_ID}.ics"]),
        (
            "/calendars/icml-2026/workshops/",
            ["/feeds/icml-2026/workshops.ics", "/feeds/icml-2026.ics"],
        ),
    ],
)
def test_feeds_are_discoverable(client, path, feeds):
    doc = head(client, path)
    links = doc.xpath('//head/link[@rel="alternate"][@type="text/calendar"]')
    assert [link.get("href") for link in links] == [PUBLIC + f for f in feeds]
    for link in links:
        assert link.get("title")
        response = client.get(urlsplit(link.get("href")).path)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/calendar")


def test_icml_page_is_a_schema_org_event(client):
    (event,) = expanded_events(head(client, "/calendars/icml-2026/"))
    assert event["@type"] == [SCHEMA + "Event"]
    assert value(event, "name") == "ICML 2026"
    # the conference's days, 6 to 11 July (its exclusive end, 12 July, is not a day of it)
    assert instant(value(event, "startDate")) == date(2026, 7, 6)
    assert instant(value(event, "endDate")) == date(2026, 7, 11)
    assert value(event, "eventStatus") == SCHEMA + "EventScheduled"
    assert value(event, "url") == "https://icml.cc/"
    (place,) = event[SCHEMA + "location"]
    assert place["@type"] == [SCHEMA + "Place"]
    assert value(place, "name") == "COEX Convention & Exhibition Center"
    assert value(place, "address") == "COEX Convention & Exhibition Center, Seoul, South Korea"
    subs = {value(s, "name"): s for s in event[SCHEMA + "subEvent"]}
    # deadlines and milestones are dates of the submission cycle, not events at COEX
    assert "ICML 2026: Full paper submission deadline" not in subs
    assert "ICML 2026: Paper submissions open on OpenReview" not in subs
    # the conference, tutorials, main conference, workshops and two registration desks
    assert len(event[SCHEMA + "subEvent"]) == 6
    workshops = subs["ICML 2026: Workshops"]
    assert instant(value(workshops, "startDate")) == datetime(2026, 7, 9, 23, 0, tzinfo=UTC)
    assert instant(value(workshops, "endDate")) == datetime(2026, 7, 10, 8, 0, tzinfo=UTC)
    assert value(workshops, "url") == f"{PUBLIC}/calendars/icml-2026/#e-workshops"


def test_korean_page_event_survives_markup_and_cancellation(client):
    (event,) = expanded_events(head(client, f"/calendars/{KOREAN_ID}/"))
    assert value(event, "name") == KOREAN_NAME
    # no conference event: the span of every event at the venue, 29 Nov to 6 Dec
    assert instant(value(event, "startDate")) == date(2026, 11, 29)
    assert instant(value(event, "endDate")) == date(2026, 12, 6)
    subs = {value(s, "name"): s for s in event[SCHEMA + "subEvent"]}
    opening = subs[OPENING_TITLE]
    assert instant(value(opening, "startDate")) == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    assert value(opening[SCHEMA + "location"][0], "address") == "그랜드볼룸 A & B #3"
    assert value(subs["취소된 만찬"], "eventStatus") == SCHEMA + "EventCancelled"
    la = subs["Remote talk from LA"]
    assert instant(value(la, "startDate")) == datetime(2026, 12, 2, 0, 0, tzinfo=UTC)


def test_json_ld_cannot_end_its_script_element(tmp_path):
    """A title holding ``</script>`` stays inside the JSON (escaped as \\u003c)."""
    folder = write_events(tmp_path / "events", icml=False)
    path = folder / f"{KOREAN_ID}.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "title: 튜토리얼의 날", 'title: "x</script><script>alert(1)</script> &amp;"'
        ),
        encoding="utf-8",
    )
    html = make_app(folder, PUBLIC).test_client().get(f"/calendars/{KOREAN_ID}/").get_data(True)
    doc = lxml.html.fromstring(html)
    assert not doc.xpath("//script[not(@src) and not(@type)]")
    (event,) = expanded_events(doc)
    names = [value(s, "name") for s in event[SCHEMA + "subEvent"]]
    assert "x</script><script>alert(1)</script> &amp;" in names


def test_kind_pages_and_the_index_carry_no_event_data(client):
    for path in ("/", "/calendars/icml-2026/deadlines/", "/calendars/icml-2026/workshops/"):
        assert not head(client, path).xpath('//script[@type="application/ld+json"]')


def test_favicon_is_a_same_site_svg(client):
    doc = head(client, "/")
    (href,) = doc.xpath('//head/link[@rel="icon"]/@href')
    assert doc.xpath('//head/link[@rel="icon"]/@type') == ["image/svg+xml"]
    response = client.get("/" + urlsplit(href).path.lstrip("./"))
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/svg+xml"
    assert ET.fromstring(response.data).tag == "{http://www.w3.org/2000/svg}svg"


FETCHERS = ["Googlebot", "Google-Calendar-Importer", "Microsoft Office", "bingbot", "*"]


def robots_of(text: str) -> robotparser.RobotFileParser:
    parser = robotparser.RobotFileParser()
    parser.parse(text.splitlines())
    return parser


def check_robots(parser: robotparser.RobotFileParser) -> None:
    for agent in FETCHERS:
        for path in (
            "/",
            "/feeds/all.ics",
            "/feeds/icml-2026.ics?v=2",
            "/feeds/icml-2026/deadlines.ics",
            "/events/icml-2026/workshops.ics",
            "/calendars/icml-2026/",
            "/feeds.json",
        ):
            assert parser.can_fetch(agent, PUBLIC + path), (agent, path)
        assert not parser.can_fetch(agent, PUBLIC + "/subscribe/?feed=all")


def test_robots_txt_allows_every_feed_served_by_the_app(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    check_robots(robots_of(response.get_data(as_text=True)))


def test_robots_txt_is_in_the_static_export(client, tmp_path):
    write_site(client.application.extensions["feeds_store"].site, tmp_path / "out")
    text = (tmp_path / "out" / "robots.txt").read_text(encoding="utf-8")
    check_robots(robots_of(text))
    assert (tmp_path / "out" / "static" / "favicon.svg").exists()


@given(st.dictionaries(st.text(max_size=20), st.text(max_size=60), max_size=4))
def test_json_ld_of_any_text_reads_back_whole(values):
    """Whatever the text (``</script>``, ``<!--``, ``]]>``, controls), the element holds it."""
    data = {"@context": "https://schema.org", "@type": "Event"} | values
    html = f"<!doctype html><html><head>{json_ld_script(data)}</head><body><p>x</p></body></html>"
    doc = lxml.html.document_fromstring(html)
    (text,) = doc.xpath('//script[@type="application/ld+json"]/text()')
    assert json.loads(text) == data
    assert [e.tag for e in doc.xpath("//head/*")] == ["script"]
    assert doc.xpath("//body/p/text()") == ["x"]


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_characters="&#="), max_size=30))
def test_any_version_serves_the_same_feed(client, version):
    plain = client.get(f"/feeds/{KOREAN_ID}.ics")
    versioned = client.get(f"/feeds/{KOREAN_ID}.ics?v={quote(version, safe='')}")
    assert versioned.status_code == 200
    assert versioned.data == plain.data and versioned.headers["ETag"] == plain.headers["ETag"]
