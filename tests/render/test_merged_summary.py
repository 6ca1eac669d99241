"""Merged feeds say which conference: "AAAI 2027: Paper deadline", not "Paper deadline".

A feed that spans calendars (its Scope has no calendar: ``all``, ``deadlines``, and any later
cross-calendar feed) puts the calendar's name before a title that does not already name it;
a single-calendar feed keeps the title as written; UIDs never change. Read back with
icalendar and ical.js.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeds import revisions
from feeds.definitions import loader
from feeds.model import Calendar
from feeds.render import ics
from feeds.site import selection
from tests.conftest import BUNDLED
from tests.render.icaljs_props import READERS, by_uid

DOMAIN = "feeds.example.org"

AAAI = """\
id: aaai-2027
name: AAAI 2027
events:
  - id: paper
    title: Paper deadline
    due: 2027-08-01
    timezone: AoE
  - id: abstract
    title: AAAI-27 abstract deadline
    due: 2027-07-25
    timezone: AoE
  - id: named
    title: "aaai 2027: Conference"
    kind: conference
    start: 2027-02-20
    end: 2027-02-27
  - id: workshop
    title: Workshop day
    kind: workshop
    start: 2027-02-21 09:00
    end: 17:00
"""

ICML = """\
id: icml-2027
name: ICML 2027
events:
  - id: paper
    title: Paper deadline
    due: 2027-01-29
    timezone: AoE
  - id: icmlw
    title: ICMLW paper deadline
    due: 2027-04-01
    timezone: AoE
"""

#: uid -> SUMMARY in a merged feed
MERGED = {
    "aaai-2027/paper": "AAAI 2027: Paper deadline",
    "aaai-2027/abstract": "AAAI-27 abstract deadline",
    "aaai-2027/named": "aaai 2027: Conference",
    "aaai-2027/workshop": "AAAI 2027: Workshop day",
    "icml-2027/paper": "ICML 2027: Paper deadline",
    "icml-2027/icmlw": "ICML 2027: ICMLW paper deadline",
}
#: uid -> SUMMARY as written (single-calendar feeds)
WRITTEN = {
    "aaai-2027/paper": "Paper deadline",
    "aaai-2027/abstract": "AAAI-27 abstract deadline",
    "aaai-2027/named": "aaai 2027: Conference",
    "aaai-2027/workshop": "Workshop day",
    "icml-2027/paper": "Paper deadline",
    "icml-2027/icmlw": "ICMLW paper deadline",
}


@pytest.fixture
def two(write, app_for):
    write("aaai.yaml", AAAI)
    write("icml.yaml", ICML)
    return app_for().test_client()


def _summaries(body: bytes, reader: str) -> dict[str, str]:
    return {
        uid.removesuffix(f"@{DOMAIN}"): e["summary"]
        for uid, e in by_uid(READERS[reader](body)).items()
    }


@pytest.mark.parametrize("reader", sorted(READERS))
def test_merged_feeds_name_the_calendar_unless_the_title_does(two, reader):
    everything = _summaries(two.get("/feeds/all.ics").data, reader)
    assert everything == MERGED
    deadlines = _summaries(two.get("/feeds/deadlines.ics").data, reader)
    assert deadlines == {
        uid: s for uid, s in MERGED.items() if uid not in ("aaai-2027/named", "aaai-2027/workshop")
    }


@pytest.mark.parametrize("reader", sorted(READERS))
def test_single_calendar_feeds_and_event_files_keep_the_title_as_written(two, reader):
    for path in ("/feeds/aaai-2027.ics", "/feeds/icml-2027.ics", "/feeds/aaai-2027/deadlines.ics"):
        got = _summaries(two.get(path).data, reader)
        assert got and all(WRITTEN[uid] == summary for uid, summary in got.items()), path
    for uid, title in WRITTEN.items():
        body = two.get(f"/events/{uid}.ics").data
        assert _summaries(body, reader) == {uid: title}


@pytest.mark.parametrize(
    "query", ["", "?times=utc", "?alarm=1h", "?ids=aaai-2027/paper", "?kind=deadline"]
)
def test_selections_of_a_merged_feed_keep_the_names_and_the_uids(two, query):
    body = two.get("/feeds/all.ics" + query).data
    got = _summaries(body, "icalendar")
    assert got and all(MERGED[uid] == summary for uid, summary in got.items()), query
    single = _summaries(
        two.get("/feeds/aaai-2027.ics" + query.replace("aaai-2027/", "")).data, "icalendar"
    )
    assert all(WRITTEN[uid] == summary for uid, summary in single.items()), query


def test_only_the_scope_decides_every_feed_spanning_calendars_names_them(two, events_dir):
    """The rule goes by the feed's Scope, not its name: every feed of the site checked."""
    store_site = two.application.extensions["feeds_store"].site
    for feed in store_site.feeds:
        got = _summaries(store_site.get(feed.path).body, "icalendar")
        expected = MERGED if feed.scope.spans_calendars else WRITTEN
        assert got and all(expected[uid] == s for uid, s in got.items()), feed.id
        assert feed.scope.spans_calendars == (feed.scope.calendar_id is None)


# -- the rule --------------------------------------------------------------------------------


def _cal(name: str) -> Calendar:
    return Calendar("c", name, ())


@pytest.mark.parametrize(
    ("name", "title", "names_it"),
    [
        ("AAAI 2027", "Paper deadline", False),
        ("AAAI 2027", "AAAI 2027 paper deadline", True),
        ("AAAI 2027", "aaai 2027: paper", True),  # case does not matter
        ("AAAI 2027", "AAAI paper deadline", True),  # the short name: the name less its year
        ("AAAI 2027", "AAAI-27 abstract", True),
        ("AAAI 2027", "Paper deadline (AAAI)", True),
        ("ICML 2026", "ICMLW paper deadline", False),  # inside a longer word
        ("ICML 2026", "NICML deadline", False),
        ("ML 2026", "ICML deadline", False),
        ("ICLR", "ICLR workshop", True),  # a name without a year
        ("ICLR", "Workshop", False),
        ("NeurIPS'26", "NeurIPS paper deadline", True),
        ("CVPR2026", "CVPR paper deadline", True),
        ("C++ Conf 2026", "c++ conf talk", True),  # regex characters in the name
        ("C++ Conf 2026", "C talk", False),
        ("한국 학회 2026", "한국 학회 논문 마감", True),
        ("한국 학회 2026", "논문 마감", False),
        ("K 2026", "K deadline", False),  # a one-letter short name is not used
        ("K 2026", "K 2026 deadline", True),
        ("AAAI 2027", "AAAI_2027 deadline", True),
    ],
)
def test_what_names_the_calendar(name, title, names_it):
    assert ics.summary_prefix(title, _cal(name)) == ("" if names_it else f"{name}: ")


@given(st.text(min_size=1, max_size=30), st.text(max_size=60))
def test_a_prefixed_title_names_its_calendar_and_the_prefix_is_the_name_or_nothing(name, title):
    name = name.strip() or "X"
    prefix = ics.summary_prefix(title, _cal(name))
    assert prefix in ("", f"{name}: ")
    assert ics.summary_prefix(prefix + title, _cal(name)) == ""


def test_the_prefix_is_an_argument_of_the_vevent_renderer_and_matches_the_reference(two):
    """event_bytes takes the prefix explicitly (a cache of VEVENT bytes keys on it); the
    merged body is exactly event_bytes with the prefix, and icalendar's own component."""
    store = two.application.extensions["feeds_store"]
    checked = 0
    for build in store.site.builds:
        calendar = build.calendar
        stored = revisions.reconcile(calendar, None, datetime(2027, 1, 1, tzinfo=UTC))
        for event in calendar.events:
            revision = stored.of(event.id)
            rendered = ics.render_event(event, revision, calendar, DOMAIN)
            prefix = ics.summary_prefix(event.title, calendar)
            fast = ics.event_bytes(event, revision, calendar, DOMAIN, prefix)
            assert rendered.merged_body == fast
            assert rendered.body == ics.event_bytes(event, revision, calendar, DOMAIN)
            reference = ics.event_component(event, revision, calendar, DOMAIN, prefix)
            assert fast == ics._refold(reference.to_ical())
            checked += 1
    assert checked == len(MERGED)


def test_a_long_prefixed_summary_folds_cleanly_and_reads_back(write, app_for):
    name = "Very long conference name with 학회 and emoji 🎉 " * 2 + "2027"
    write(
        "long.yaml",
        f'id: long\nname: "{name.strip()}"\nevents:\n  - id: d\n'
        '    title: "Paper, deadline; \\\\ x"\n    due: 2027-01-01\n',
    )
    client = app_for().test_client()
    body = client.get("/feeds/all.ics").data
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    for reader in READERS:
        (summary,) = _summaries(body, reader).values()
        assert summary == f"{name.strip()}: Paper, deadline; \\ x"


def test_the_bundled_titles_already_name_icml_2026_so_its_merged_feeds_keep_them(client):
    calendar = loader.load_folder(BUNDLED)[0]
    assert all(ics.summary_prefix(e.title, calendar) == "" for e in calendar.events)
    merged = _summaries(client.get("/feeds/all.ics").data, "icalendar")
    titles = {f"icml-2026/{e.id}": e.title for e in calendar.events}
    assert merged == titles
    assert selection.feed_by_id(client.application.extensions["feeds_store"].site, "all")


def test_an_alarm_in_a_merged_feed_says_what_its_summary_says(two):
    import icalendar

    for path, expected in (("/feeds/all.ics", MERGED), ("/feeds/aaai-2027.ics", WRITTEN)):
        cal = icalendar.Calendar.from_ical(two.get(path + "?alarm=1h").data)
        seen = 0
        for event in cal.walk("VEVENT"):
            uid = str(event["UID"]).removesuffix(f"@{DOMAIN}")
            (alarm,) = event.walk("VALARM")
            assert str(alarm["DESCRIPTION"]) == str(event["SUMMARY"]) == expected[uid]
            seen += 1
        assert seen, path
