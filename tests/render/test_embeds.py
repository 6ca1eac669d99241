"""The embed pages as served: who is in them, what a row says, and that no query breaks them.

The options (``?theme=``, ``?next=``) are read in the browser (``static/embed.js``), so a
static export answers them too; the server sends the same bytes for every query, which
the hypothesis test below holds it to. The browser side is ``test_embed_browser.py``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.render.assets import static_files
from tests.pages_support import KOREAN_ID, app, client, parse_html, site  # noqa: F401

PUBLIC = "https://feeds.example.org"
EMBEDS = ("/embed/all/", "/embed/deadlines/", f"/embed/{KOREAN_ID}/", "/embed/icml-2026/")


def html_of(client, path: str, query: str = "") -> str:
    response = client.get(path + (f"?{query}" if query else ""))
    assert response.status_code == 200, (path, query, response.status_code)
    return response.get_data(as_text=True)


class Rows:
    """The event rows of an embed page: each row's link target and its text, by an HTML parser."""

    def __init__(self, html: str):
        from html.parser import HTMLParser

        rows: list[dict] = []

        class Parser(HTMLParser):
            def __init__(self):
                super().__init__(convert_charrefs=True)
                self.depth = 0  # inside a row's <li>: the nesting depth of <li>
                self.row: dict | None = None

            def handle_starttag(self, tag, attrs):
                a = dict(attrs)
                if tag == "li" and "event" in (a.get("class") or "").split():
                    self.row = {"start": a["data-start"], "text": "", "href": None}
                    rows.append(self.row)
                    self.depth = 1
                elif tag == "li" and self.row is not None:
                    self.depth += 1
                elif tag == "a" and self.row is not None and self.row["href"] is None:
                    self.row["href"] = a["href"]

            def handle_endtag(self, tag):
                if tag == "li" and self.row is not None:
                    self.depth -= 1
                    if self.depth == 0:
                        self.row = None

            def handle_data(self, data):
                if self.row is not None:
                    self.row["text"] += data

        Parser().feed(html)
        self.rows = rows

    def event_ids(self) -> set[str]:
        """``calendar/event`` of each row, from its link (``.../calendars/<cal>/#e-<event>``)."""
        out = set()
        for row in self.rows:
            parts = urlsplit(row["href"])
            calendar = parts.path.rstrip("/").rsplit("/", 1)[-1]
            assert parts.fragment.startswith("e-"), row
            out.add(f"{calendar}/{parts.fragment[2:]}")
        return out


def feed_event_ids(client, feed_path: str) -> set[str]:
    """``calendar/event`` of each VEVENT of a feed, by icalendar (UIDs are ``cal/event@host``)."""
    cal = icalendar.Calendar.from_ical(client.get(feed_path).get_data())
    out = set()
    for vevent in cal.walk("VEVENT"):
        uid = str(vevent["UID"]).split("@", 1)[0]
        out.add("/".join(uid.split("/")[:2]))
    return out


def test_the_deadlines_embed_holds_the_deadlines_feed_and_nothing_else(client, site):  # noqa: F811
    rows = Rows(html_of(client, "/embed/deadlines/"))
    shown = rows.event_ids()
    assert shown == feed_event_ids(client, "/feeds/deadlines.ics")
    # and those are exactly the model's deadline events, of every calendar
    kinds = {
        f"{cal.id}/{e.id}": e.kind
        for build in site.builds
        for cal in [build.calendar]
        for e in cal.events
    }
    assert shown == {key for key, kind in kinds.items() if kind == "deadline"}
    assert f"{KOREAN_ID}/paper-deadline" in shown and len(shown) > 1


def test_each_embed_shows_the_events_of_its_feed(client):  # noqa: F811
    for path in EMBEDS:
        feed = "/feeds/" + path.removeprefix("/embed/").rstrip("/") + ".ics"
        assert Rows(html_of(client, path)).event_ids() == feed_event_ids(client, feed), path


def test_a_deadline_row_states_its_own_zone(client):  # noqa: F811
    """The AoE time as written stays in the row, beside the time in the page's zone."""
    due = datetime(2026, 9, 1, 23, 59, tzinfo=timezone(timedelta(hours=-12)))  # the YAML's
    for path in (f"/embed/{KOREAN_ID}/", "/embed/deadlines/", "/embed/all/"):
        html = html_of(client, path)
        (zone,) = [a["data-zone"] for tag, a in parse_html(html).elements if "data-zone" in a]
        local = due.astimezone(ZoneInfo(zone))
        (row,) = [r for r in Rows(html).rows if r["href"].endswith("/#e-paper-deadline")]
        text = " ".join(row["text"].split())
        # the page's time names its own date (8 Dec in Seoul for a 7 Dec AoE deadline)
        stated = f"Due {local.day} {local:%b %Y %H:%M} {local.tzname()} "
        assert stated in text, (path, text)
        assert "1 Sep 2026 23:59 AoE, UTC-12 (Anywhere on Earth)" in text, (path, text)
        assert row["start"] == "2026-09-02T11:59:00Z"


def test_embed_pages_load_the_options_script_and_start_light(client):  # noqa: F811
    for path in EMBEDS:
        doc = parse_html(html_of(client, path))
        scripts = [a["src"] for tag, a in doc.elements if tag == "script"]
        assert any(
            s.startswith("../../static/embed.js?v=") or "/static/embed.js?v=" in s for s in scripts
        )
        (scheme,) = [
            a for tag, a in doc.elements if tag == "meta" and a.get("name") == "color-scheme"
        ]
        assert scheme["content"] == "light"
    css = static_files()["embed.css"].decode()
    # the dark colours only under an explicit theme, never from the reader's setting alone
    root_rules = re.findall(r"(:root[^{]*)\{", css)
    assert ":root " in root_rules and ':root[data-theme="dark"] ' in root_rules
    media = css[css.index("@media (prefers-color-scheme: dark)") :]
    assert media.split("{", 2)[1].strip() == ':root[data-theme="auto"]'


def test_the_host_script_is_served_for_any_page_to_load(client):  # noqa: F811
    response = client.get("/static/embed-host.js")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/javascript")


_QUERY_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200
)
_PAIRS = st.lists(
    st.tuples(
        st.sampled_from(["theme", "next", "THEME", "n", "", "theme[]"]),
        st.one_of(
            st.sampled_from(["light", "dark", "auto", "0", "1", "50", "51", "-1", "1e3", ""]),
            st.text(max_size=30),
        ),
    ),
    max_size=6,
)


@settings(max_examples=150)
@given(raw=_QUERY_TEXT, pairs=_PAIRS)
def test_no_query_changes_or_breaks_an_embed_page(client, raw, pairs):  # noqa: F811
    """Any query string, well formed or not, gets the same 200 page: the browser reads it."""
    from urllib.parse import quote, urlencode

    plain = client.get(f"/embed/{KOREAN_ID}/").get_data()
    for query in (quote(raw, safe="=&;%+"), urlencode(pairs)):
        response = client.get(f"/embed/{KOREAN_ID}/?{query}")
        assert response.status_code == 200, query
        assert response.get_data() == plain
