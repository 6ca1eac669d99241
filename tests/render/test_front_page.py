"""A site of thousands of conference-years: a small front page, readable merged feeds.

2,500 generated conference-years (tests/site/conference_years.py, whose meaning is worked out
with zoneinfo, not with the package) are rendered; the front page is parsed with
html.parser and its deadlines are compared, as UTC instants, with what the definitions
mean: every deadline due on or after the build date the page states, soonest first. The
archive lists exactly the conference-years over before that date; ``/search.json`` holds
every deadline ahead. A smaller site served by the Store shows the front page is the same
bytes there and in the static export. The feeds spanning the 2,500 calendars keep the
horizon (histories keep everything), name the conference in each SUMMARY, and the size
warning names exactly the feeds past what Google reads (issue 10).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser

import icalendar
import pytest

from feeds import revisions
from feeds.definitions import loader
from feeds.export import writer as export
from feeds.render import front, ics, pages
from feeds.serve.store import Store
from feeds.site import groups, limits, render_calendar
from tests.conftest import make_settings
from tests.pages_support import resolve
from tests.site import conference_years

BUILD_DATE = date(2026, 6, 1)
SINCE = datetime.combine(BUILD_DATE, time(), UTC)
MAX_FRONT_BYTES = 300_000


class FrontParser(HTMLParser):
    """The deadlines of a front page: each ``li.due``'s data-at, <time datetime>, texts, links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.dues: list[dict] = []
        self.links: list[str] = []
        self.texts: list[str] = []
        self._in: list[str] = []
        self.built = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-built" in a:
            self.built = a["data-built"]
        if tag == "li" and "due" in (a.get("class") or "").split():
            self.dues.append({"data-at": a["data-at"], "calendar": a["data-calendar"], "text": ""})
        elif self.dues and tag == "time" and "datetime" in a and "time" not in self.dues[-1]:
            self.dues[-1]["time"] = a["datetime"]
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
            if self.dues and a.get("data-action"):
                self.dues[-1].setdefault("actions", {})[a["data-action"]] = a["href"]

    def handle_data(self, data):
        self.texts.append(data)
        if self.dues:
            self.dues[-1]["text"] += data


def parse(body: bytes) -> FrontParser:
    parser = FrontParser()
    parser.feed(body.decode("utf-8"))
    return parser


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """2,500 conference-years rendered, with the feeds spanning them, and the front page."""
    folder = tmp_path_factory.mktemp("thousands") / "events"
    editions = conference_years.write(folder, 2500)
    settings = make_settings(folder, today=BUILD_DATE)
    builds = sorted(
        (
            render_calendar(c, revisions.update(c, write=False), settings)
            for c in loader.load_folder(folder)
        ),
        key=lambda b: b.calendar.id,
    )
    everything = sorted((r for b in builds for r in b.by_start), key=ics.sort_key)
    first, last = groups.cross_feeds(builds, everything, settings, groups.horizon_of(settings))
    feeds = [i for i, _ in first] + [f for b in builds for f in b.feeds] + [i for i, _ in last]
    crossing = {info.id: (info, resource) for info, resource in first + last}
    CROSSING[folder] = (crossing, settings)  # for the merged-feed tests below
    return editions, pages.render_front(builds, feeds, settings)


#: The big site's feeds that span calendars: feed id -> (FeedInfo, Resource), and settings.
CROSSING: dict = {}


@pytest.fixture(scope="module")
def merged(big):
    ((crossing, settings),) = CROSSING.values()
    return big[0], crossing, settings


def upcoming_deadlines(editions) -> list[tuple[datetime, str, str]]:
    """(instant, calendar, event) of every deadline due on or after the build date, soonest
    first, ties by calendar and event: from the definitions' meaning."""
    return sorted(
        (e.first_start, e.calendar, e.event)
        for ed in editions
        for e in ed.events
        if e.kind == "deadline" and e.first_start >= SINCE
    )


def test_the_front_page_of_2500_calendars_is_at_most_300_kb(big):
    _, rendered = big
    size = len(rendered["/"])
    assert size <= MAX_FRONT_BYTES, f"the front page is {size:,} bytes"


def test_it_leads_with_the_first_deadlines_ahead_soonest_first(big):
    editions, rendered = big
    page = parse(rendered["/"])
    assert page.built == BUILD_DATE.isoformat()
    expected = upcoming_deadlines(editions)[: front.FIRST_SHOWN]
    assert len(expected) == front.FIRST_SHOWN
    shown = [(instant(d["time"]), d["calendar"]) for d in page.dues]
    assert shown == [(at, cal) for at, cal, _ in expected]
    assert all(instant(d["data-at"]) == instant(d["time"]) for d in page.dues)
    instants = [at for at, _ in shown]
    assert instants == sorted(instants) and instants[0] >= SINCE


def test_each_deadline_says_its_utc_time_its_conference_and_how_to_add_it(big):
    editions, rendered = big
    names = {ed.id: f"{ed.series.upper()} {ed.id.rsplit('-', 1)[1]}" for ed in editions}
    for due in parse(rendered["/"]).dues:
        at = instant(due["time"])
        assert f"({at.day} {at:%b %Y %H:%M} UTC)" in due["text"]
        assert names[due["calendar"]] in due["text"]
        actions = due["actions"]
        assert resolve("/", actions["ics"]).startswith(f"/events/{due['calendar']}/")
        assert actions["subscribe"] == (
            f"webcal://feeds.example.org/feeds/{due['calendar']}/deadlines.ics"
        )
        assert actions["google"].startswith("https://calendar.google.com/")


def test_aoe_deadlines_are_stated_in_aoe(big):
    editions, rendered = big
    zones = {(e.calendar, e.first_start): e.yaml for ed in editions for e in ed.events}
    for due in parse(rendered["/"]).dues:
        lines = zones[(due["calendar"], instant(due["time"]))]
        if any(line.endswith("AoE") for line in lines):
            at = instant(due["time"])
            wall = at.replace(tzinfo=None) - timedelta(hours=12)
            assert f"{wall.day} {wall:%b %Y %H:%M} AoE (UTC-12)" in due["text"]


def test_the_archive_lists_exactly_the_conference_years_over_before_the_build_date(big):
    editions, rendered = big
    past = {ed.id for ed in editions if max(e.last_end for e in ed.events) < SINCE}
    page = parse(rendered[front.ARCHIVE_PATH])
    listed = {
        resolve(front.ARCHIVE_PATH, h).split("/")[2]
        for h in page.links
        if resolve(front.ARCHIVE_PATH, h).startswith("/calendars/")
    }
    assert listed == past
    index = parse(rendered["/"])
    assert any(resolve("/", h) == front.ARCHIVE_PATH for h in index.links)
    current = {
        resolve("/", h).split("/")[2]
        for h in index.links
        if resolve("/", h).count("/") == 3 and resolve("/", h).startswith("/calendars/")
    }
    assert current == {ed.id for ed in editions} - past


def test_the_search_index_holds_every_deadline_ahead_in_order(big):
    editions, rendered = big
    data = json.loads(rendered[front.SEARCH_PATH])
    assert data["build_date"] == BUILD_DATE.isoformat()
    calendars = data["calendars"]
    got = [(instant(row[0]), calendars[row[1]][0]) for row in data["deadlines"]]
    assert got == [(at, cal) for at, cal, _ in upcoming_deadlines(editions)]
    tags = {ed.id: sorted(ed.tags) for ed in editions}
    assert {c[0]: sorted(c[3]) for c in calendars} == tags


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("served") / "events"
    conference_years.write(folder, 120)
    settings = make_settings(folder, today=BUILD_DATE)
    store = Store(settings)
    assert not store.errors(), store.errors()[:3]
    return store.site, settings, tmp_path_factory.mktemp("export")


def test_the_served_front_page_is_render_front_s_and_the_export_s(served):
    site, settings, out = served
    alone = pages.render_front(site.builds, site.feeds, settings)
    assert site.get("/").body == alone["/"]
    assert site.get(front.SEARCH_PATH).media_type == "application/json"
    export.write_site(site, out)
    build = export.current_build(out)
    assert (build / "index.html").read_bytes() == site.get("/").body
    assert (build / "search.json").read_bytes() == alone[front.SEARCH_PATH]
    assert (build / "archive" / "index.html").read_bytes() == alone[front.ARCHIVE_PATH]


def test_the_front_page_is_the_same_bytes_when_built_again(served):
    site, settings, _ = served
    again = pages.render_front(site.builds, site.feeds, settings)
    assert again == pages.render_front(site.builds, site.feeds, settings)
    assert again["/"] == site.get("/").body


def test_a_later_build_date_moves_deadlines_into_the_past(tmp_path):
    folder = tmp_path / "events"
    editions = conference_years.write(folder, 60)
    later = date(2019, 9, 1)
    store = Store(make_settings(folder, today=later))
    page = parse(store.site.get("/").body)
    since = datetime.combine(later, time(), UTC)
    expected = sorted(
        (e.first_start, e.calendar)
        for ed in editions
        for e in ed.events
        if e.kind == "deadline" and e.first_start >= since
    )[: front.FIRST_SHOWN]
    assert [(instant(d["time"]), d["calendar"]) for d in page.dues] == expected


HOSTILE = """\
id: hostile-2026
name: "مؤتمر 2026 <b>&amp;</b>"
tags: [nlp]
timezone: UTC
events:
  - id: paper
    title: "</li><script>alert(1)</script> \\"q\\" & 'a'"
    due: 2026-07-01 12:00
"""


class BdiParser(HTMLParser):
    """The text inside each <bdi> of the deadline list."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.bdi: list[str] = []
        self.scripts = 0
        self._open = False

    def handle_starttag(self, tag, attrs):
        if tag == "bdi":
            self.bdi.append("")
            self._open = True
        self.scripts += tag == "script" and not dict(attrs).get("src")

    def handle_endtag(self, tag):
        if tag == "bdi":
            self._open = False

    def handle_data(self, data):
        if self._open:
            self.bdi[-1] += data


def test_names_and_titles_are_isolated_and_stay_text(tmp_path):
    folder = tmp_path / "events"
    folder.mkdir()
    (folder / "hostile-2026.yaml").write_text(HOSTILE, encoding="utf-8")
    site = Store(make_settings(folder, today=BUILD_DATE)).site
    calendar = site.builds[0].calendar
    title = calendar.events[0].title
    parser = BdiParser()
    parser.feed(site.get("/").body.decode("utf-8"))
    assert [calendar.name, title] == parser.bdi[:2]  # the deadline's conference and title
    assert calendar.name in parser.bdi[2:]  # and the conference in the list
    assert parser.scripts == 0  # no inline script, whatever the title says
    data = json.loads(site.get(front.SEARCH_PATH).body)
    assert data["calendars"][0][1] == calendar.name
    assert data["deadlines"][0][2] == title
    assert data["deadlines"][0][0] == "2026-07-01T12:00:00Z"


# -- the feeds spanning the 2,500 calendars -------------------------------------------------


def test_merged_feeds_hold_what_is_ahead_and_the_horizon_s_past_and_histories_everything(
    merged,
):
    editions, crossing, settings = merged
    since = SINCE - timedelta(days=settings.horizon_days)
    every = [e for ed in editions for e in ed.events]
    for feed_id, kept in (
        ("all", lambda e: True),
        ("deadlines", lambda e: e.kind == "deadline"),
    ):
        _, resource = crossing[feed_id]
        uids = {str(v["UID"]) for v in icalendar.Calendar.from_ical(resource.body).walk("VEVENT")}
        assert uids == {e.uid for e in every if kept(e) and e.last_end >= since}, feed_id
        _, history = crossing[f"history/{feed_id}"]
        everything = icalendar.Calendar.from_ical(history.body).walk("VEVENT")
        assert {str(v["UID"]) for v in everything} == {e.uid for e in every if kept(e)}


def test_merged_feeds_name_the_conference_in_each_summary_and_keep_the_uids(merged):
    editions, crossing, _ = merged
    names = {ed.id: f"{ed.series.upper()} {ed.id.rsplit('-', 1)[1]}" for ed in editions}
    _, resource = crossing["deadlines"]
    events = icalendar.Calendar.from_ical(resource.body).walk("VEVENT")
    assert events
    for event in events:
        uid = str(event["UID"])
        calendar = uid.split("/", 1)[0]
        assert str(event["SUMMARY"]).startswith(f"{names[calendar]}: "), event["SUMMARY"]
        assert uid == f"{calendar}/{uid.split('/', 1)[1]}"  # calendar/event@domain, as ever


def test_the_size_warning_names_exactly_the_feeds_past_what_google_reads(merged):
    _, crossing, settings = merged
    infos = [info for info, _ in crossing.values()]
    size = {info.id: len(resource.body) for info, resource in crossing.values()}
    warned = {p.path for p in limits.oversized(infos, lambda f: size[f.id], settings)}
    too_big = {
        info.path
        for info in infos
        if not info.archive
        and (size[info.id] > limits.MAX_FEED_BYTES or info.event_count > limits.MAX_FEED_EVENTS)
    }
    assert warned == too_big
    assert "/feeds/all.ics" in warned  # 2,500 calendars' future alone pass 1,000 events
    # the histories of 2,500 calendars are past the limits, and are archives: not warned
    history = crossing["history/all"][0]
    assert history.archive and size[history.id] > limits.MAX_FEED_BYTES
    assert history.path not in warned
