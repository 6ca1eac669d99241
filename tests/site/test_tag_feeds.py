"""Feeds across conferences, as paths: per tag, per tag's deadlines, per series.

A site of generated conference-years (tests/site/conference_years.py: series, area tags,
AoE/UTC/zoned deadlines, all-day events, weekly series, six zones) is served; each tag and
series feed is fetched and parsed with icalendar (and one with ical.js), and its UIDs and
UTC instants are compared with what the definitions mean, worked out with zoneinfo. The
feeds are listed in feeds.json, reachable from the pages, and written by the static export
with the same bytes.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import icalendar
import pytest
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds import revisions
from feeds.definitions import loader
from feeds.doctor import parsers
from feeds.export import writer as export
from feeds.serve.app import create_app
from feeds.serve.store import Store
from feeds.site import assemble, render_calendar
from tests.conftest import make_settings
from tests.pages_support import parse_html, resolve
from tests.site import conference_years

TODAY = date(2020, 6, 1)
HORIZON_DAYS = 90
SINCE = datetime.combine(TODAY - timedelta(days=HORIZON_DAYS), time(), UTC)
BASE = "https://feeds.example.org"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("years") / "events"
    editions = conference_years.write(folder, 150)  # 2019 to 2021
    settings = make_settings(folder, today=TODAY, horizon_days=HORIZON_DAYS)
    store = Store(settings)
    assert not store.errors(), store.errors()[:3]
    app = create_app(settings, store)
    return editions, app.test_client(), store.site


def fetch(client, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, (path, response.data[:200])
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return response.data


def read(body: bytes) -> dict[str, object]:
    """UID -> the UTC instant (or date) of DTSTART, as icalendar reads the feed."""
    cal = icalendar.Calendar.from_ical(body)
    assert not cal.get_missing_tzids()
    out = {}
    for event in cal.walk("VEVENT"):
        start = event.decoded("DTSTART")
        out[str(event["UID"])] = start.astimezone(UTC) if isinstance(start, datetime) else start
    return out


def expected(editions, keep) -> dict[str, object]:
    return {e.uid: e.first_start for ed in editions for e in ed.events if keep(ed, e)}


def in_horizon(event) -> bool:
    return event.last_end >= SINCE


def tags_of(editions) -> list[str]:
    return sorted({t for ed in editions for t in ed.tags})


def test_each_tag_feed_holds_the_tagged_calendars_events_inside_the_horizon(world):
    editions, client, _ = world
    tags = tags_of(editions)
    assert len(tags) == len(conference_years.AREAS)
    for tag in tags:
        read_back = read(fetch(client, f"/feeds/tags/{tag}.ics"))
        want = expected(editions, lambda ed, e, tag=tag: tag in ed.tags and in_horizon(e))
        assert read_back == want, tag
        assert want, tag  # the horizon leaves some in every tag
        history = read(fetch(client, f"/feeds/history/tags/{tag}.ics"))
        assert history == expected(editions, lambda ed, e, tag=tag: tag in ed.tags), tag
        assert len(history) > len(read_back), tag  # and leaves some out


def test_each_tags_deadlines_feed_holds_its_deadlines_only(world):
    editions, client, _ = world
    for tag in tags_of(editions):
        read_back = read(fetch(client, f"/feeds/tags/{tag}/deadlines.ics"))
        want = expected(
            editions,
            lambda ed, e, tag=tag: tag in ed.tags and e.kind == "deadline" and in_horizon(e),
        )
        assert read_back == want and want, tag
        cal = icalendar.Calendar.from_ical(fetch(client, f"/feeds/tags/{tag}/deadlines.ics"))
        assert {str(e["CATEGORIES"].cats[0]) for e in cal.walk("VEVENT")} == {"deadline"}


def test_a_series_feed_holds_every_edition_past_ones_included(world):
    editions, client, _ = world
    series = sorted({ed.series for ed in editions})
    for name in series:
        read_back = read(fetch(client, f"/feeds/series/{name}.ics"))
        assert read_back == expected(editions, lambda ed, e, name=name: ed.series == name), name
    years = {uid.split("/")[0] for uid in read(fetch(client, "/feeds/series/icml.ics"))}
    assert years == {"icml-2019", "icml-2020", "icml-2021"}  # one URL across the years


def test_the_feeds_are_named_and_dated_for_their_subscribers(world):
    editions, client, _ = world
    cal = vobject.readOne(fetch(client, "/feeds/tags/robotics.ics").decode("utf-8"))
    assert cal.contents["x-wr-calname"][0].value == "Conference calendars: robotics"
    description = cal.contents["x-wr-caldesc"][0].value
    assert "as of the build date 2020-06-01" in description
    assert "ended before 2020-03-03T00:00:00Z are left out" in description
    assert f"{BASE}/feeds/history/tags/robotics.ics" in description
    series = vobject.readOne(fetch(client, "/feeds/series/icml.ics").decode("utf-8"))
    assert series.contents["x-wr-calname"][0].value == "icml: every edition"
    assert "build date" not in series.contents["x-wr-caldesc"][0].value  # no horizon


def test_ical_js_reads_every_occurrence_of_a_tag_feed_where_the_definitions_put_it(world):
    editions, client, _ = world
    ok, reason = parsers.available("ical.js")
    assert ok, reason
    body = fetch(client, "/feeds/tags/machine-learning.ics")
    occurrences: dict[str, list] = {}
    for o in parsers.parse("ical.js", body):
        assert not o.floating, o
        occurrences.setdefault(o.uid, []).append(o)
    want = {
        e.uid: e
        for ed in editions
        if "machine-learning" in ed.tags
        for e in ed.events
        if in_horizon(e)
    }
    assert set(occurrences) == set(want)
    for uid, found in occurrences.items():
        event = want[uid]
        found.sort(key=lambda o: str(o.start))
        assert found[0].start == event.first_start, uid
        if event.kind == "reading-group":  # a weekly series, whole, last one ending as meant
            assert found[-1].end == event.last_end, uid
        elif event.kind != "deadline":
            assert len(found) == 1
            assert found[0].end == event.last_end.date(), uid  # all-day: exclusive end


def test_feeds_json_lists_every_tag_series_and_history_feed(world):
    editions, client, site = world
    data = json.loads(client.get("/feeds.json").data)
    assert data["build_date"] == "2020-06-01" and data["horizon_days"] == HORIZON_DAYS
    listed = {f["id"]: f for f in data["feeds"]}
    wanted = {"all", "deadlines", "history/all", "history/deadlines"}
    for tag in tags_of(editions):
        wanted |= {f"tags/{tag}", f"tags/{tag}/deadlines"}
        wanted |= {f"history/tags/{tag}", f"history/tags/{tag}/deadlines"}
    wanted |= {f"series/{ed.series}" for ed in editions}
    assert wanted <= set(listed)
    for feed_id in wanted:
        item = listed[feed_id]
        path = item["url"].removeprefix(BASE)
        assert item["url"] == f"{BASE}/feeds/{feed_id}.ics"
        assert item["webcal"] == "webcal://feeds.example.org" + path
        assert item["events"] == len(read(fetch(client, path))), feed_id
        assert item["calendar"] is None
    tag_feed = listed["tags/nlp"]
    assert tag_feed["tag"] == "nlp" and tag_feed["kind"] is None
    assert tag_feed["horizon"] == {
        "build_date": "2020-06-01",
        "days": 90,
        "since": "2020-03-03T00:00:00Z",
    }
    assert tag_feed["history"] == f"{BASE}/feeds/history/tags/nlp.ics"
    assert listed["tags/nlp/deadlines"]["kind"] == "deadline"
    assert listed["history/tags/nlp"]["archive"] is True
    assert "horizon" not in listed["history/tags/nlp"]
    assert listed["series/icml"]["series"] == "icml" and "horizon" not in listed["series/icml"]
    # a calendar's own feeds say nothing new but where its change log is
    assert set(listed["icml-2020"]) == {
        "id", "name", "description", "calendar", "kind", "url", "webcal", "events",
        "last_modified", "changes",
    }  # fmt: skip
    assert "changes" not in listed["icml-2020/deadlines"]


def test_the_static_export_has_them_with_the_served_bytes(world, tmp_path):
    editions, client, site = world
    out = tmp_path / "site"
    export.write_site(site, out)
    paths = ["/feeds/tags/nlp.ics", "/feeds/tags/nlp/deadlines.ics", "/feeds/series/icml.ics"]
    paths += ["/feeds/history/all.ics", "/feeds/history/tags/nlp/deadlines.ics"]
    paths += ["/tags/nlp/", "/series/icml/"]
    for path in paths:
        file = out / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))
        assert file.read_bytes() == client.get(path).data, path


def test_no_two_urls_collide_on_a_case_insensitive_disk(world):
    _, _, site = world
    paths = list(site.resources)
    assert len({p.casefold() for p in paths}) == len(paths)


def test_a_tag_page_offers_its_feeds_and_lists_its_calendars(world):
    editions, client, _ = world
    page = parse_html(client.get("/tags/computer-vision/").get_data(as_text=True))
    hrefs = [a["href"] for a in page.anchors]
    for feed in ("computer-vision", "computer-vision/deadlines"):
        assert f"webcal://feeds.example.org/feeds/tags/{feed}.ics" in hrefs
    targets = {resolve("/tags/computer-vision/", h) for h in hrefs}
    assert "/feeds/history/tags/computer-vision.ics" in targets
    members = {ed.id for ed in editions if "computer-vision" in ed.tags}
    linked = {t.split("/")[2] for t in targets if t.startswith("/calendars/")}
    assert linked == members
    # no subscribe box for the history: it is an archive
    assert "webcal://feeds.example.org/feeds/history/tags/computer-vision.ics" not in hrefs


def test_a_calendar_page_links_to_its_tags_and_series(world):
    editions, client, _ = world
    edition = editions[0]
    path = f"/calendars/{edition.id}/"
    page = parse_html(client.get(path).get_data(as_text=True))
    targets = {resolve(path, a["href"]) for a in page.anchors}
    for tag in edition.tags:
        assert f"/tags/{tag}/" in targets and f"/feeds/tags/{tag}.ics" in targets
    assert f"/series/{edition.series}/" in targets
    assert f"/feeds/series/{edition.series}.ics" in targets
    series_page = parse_html(client.get(f"/series/{edition.series}/").get_data(as_text=True))
    hrefs = [a["href"] for a in series_page.anchors]
    assert f"webcal://feeds.example.org/feeds/series/{edition.series}.ics" in hrefs
    index = parse_html(client.get("/").get_data(as_text=True))
    index_targets = {resolve("/", a["href"]) for a in index.anchors}
    assert {f"/tags/{t}/" for t in tags_of(editions)} <= index_targets


def test_a_selection_of_a_tag_feed_keeps_its_horizon(world):
    editions, client, _ = world
    narrowed = read(fetch(client, "/feeds/tags/theory.ics?kind=deadline"))
    assert narrowed == read(fetch(client, "/feeds/tags/theory/deadlines.ics"))
    assert all(uid in narrowed for uid in read(fetch(client, "/feeds/tags/theory/deadlines.ics")))


def test_the_embed_of_a_tag_feed_shows_the_events_of_its_horizon(world):
    editions, client, _ = world
    page = parse_html(client.get("/embed/tags/speech/deadlines/").get_data(as_text=True))
    starts = sorted(
        attrs["data-start"] for tag, attrs in page.elements if tag == "li" and "data-start" in attrs
    )
    deadlines = [
        e for ed in editions if "speech" in ed.tags for e in ed.events if e.kind == "deadline"
    ]
    want = sorted(f"{e.first_start:%Y-%m-%dT%H:%M:%SZ}" for e in deadlines if in_horizon(e))
    assert starts == want and len(want) < len(deadlines)


_NAMES = st.sampled_from(
    ["tags", "Tags", "series", "history", "all", "deadlines", "ml", "ML", "deadlines.ics",
     "icml", "ICML", "a.b", "x-1", "010"]
)  # fmt: skip


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(_NAMES, st.lists(_NAMES, max_size=3), st.one_of(st.none(), _NAMES)),
        min_size=1,
        max_size=4,
    )
)
def test_calendar_ids_tags_and_series_never_share_a_url(calendars):
    """Whatever ids, tags and series collide in spelling or case, each URL of the site is
    one resource's, case-insensitively, or the definitions are refused."""
    texts = []
    for index, (cal_id, tags, series) in enumerate(calendars):
        head = f"id: '{cal_id}'\nname: C{index}\ntags: {json.dumps(tags)}\n"
        head += f"series: '{series}'\n" if series else ""
        texts.append(head + "events:\n  - id: e\n    title: E\n    due: 2026-03-01 12:00 UTC\n")
    loaded, ids = [], set()
    for index, text in enumerate(texts):
        cal, problems = loader.check_text(text, f"c{index}.yaml")
        if cal is None:
            assert any(p.severity == "error" and p.line >= 1 for p in problems)
            continue
        if cal.id.casefold() in ids:
            continue  # the loader's folder check refuses the second (tests/definitions)
        ids.add(cal.id.casefold())
        loaded.append(cal)
    settings = make_settings(Path("."), today=date(2026, 1, 1))
    builds = [
        render_calendar(c, revisions.reconcile(c, None, revisions.EPOCH), settings) for c in loaded
    ]
    paths = list(assemble(builds, settings).resources)
    assert len({p.casefold() for p in paths}) == len(paths)
