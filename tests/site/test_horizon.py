"""The horizon: merged and tag feeds keep upcoming events and a recent past, decided by a
stated build date; the full history stays at /feeds/history/...; big feeds are warned about.

What is in a feed is compared with the definitions' meaning worked out with zoneinfo
(tests/site/conference_years.py), for build dates before, inside and after the data and
for several horizons; feeds are parsed with icalendar, and recurring-ical-events expands a
series that straddles the horizon.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
import recurring_ical_events
import vobject
from hypothesis import given
from hypothesis import strategies as st

from feeds import cli, config, revisions
from feeds.definitions import loader
from feeds.errors import ConfigError
from feeds.render import ics
from feeds.serve.store import Store
from feeds.site import groups, limits, render_calendar
from feeds.site.resources import FeedInfo
from tests.conftest import make_settings
from tests.site import conference_years


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """150 conference-years (2019 to 2021) loaded and rendered once, without pages."""
    folder = tmp_path_factory.mktemp("years") / "events"
    editions = conference_years.write(folder, 150)
    settings = make_settings(folder)
    builds = sorted(
        (
            render_calendar(cal, revisions.update(cal, write=False), settings)
            for cal in loader.load_folder(folder)
        ),
        key=lambda b: b.calendar.id,
    )
    return editions, builds, settings, folder


def cross(world, today: date, days: int) -> dict[str, bytes]:
    """The bytes of every feed spanning calendars, built as of ``today``."""
    _, builds, settings, _ = world
    settings = settings.with_overrides(today=today, horizon_days=days)
    everything = sorted((r for b in builds for r in b.by_start), key=ics.sort_key)
    first, last = groups.cross_feeds(builds, everything, settings, groups.horizon_of(settings))
    return {info.id: resource.body for info, resource in first + last}


def uids(body: bytes) -> set[str]:
    cal = icalendar.Calendar.from_ical(body)
    assert not cal.get_missing_tzids()
    return {str(e["UID"]) for e in cal.walk("VEVENT")}


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


@pytest.mark.parametrize("today", [date(2018, 6, 1), date(2020, 3, 15), date(2021, 8, 1)])
@pytest.mark.parametrize("days", [0, 30, 90, 400])
def test_merged_and_tag_feeds_hold_what_ends_inside_the_horizon(world, today, days):
    editions, *_ = world
    feeds = cross(world, today, days)
    since = midnight(today - timedelta(days=days))
    events = [(ed, e) for ed in editions for e in ed.events]

    def want(keep) -> set[str]:
        return {e.uid for ed, e in events if keep(ed, e)}

    recent = want(lambda ed, e: e.last_end >= since)
    assert uids(feeds["all"]) == recent
    assert uids(feeds["deadlines"]) == want(
        lambda ed, e: e.kind == "deadline" and e.last_end >= since
    )
    assert uids(feeds["history/all"]) == want(lambda ed, e: True)
    assert uids(feeds["history/deadlines"]) == want(lambda ed, e: e.kind == "deadline")
    for tag in ("nlp", "theory"):
        assert uids(feeds[f"tags/{tag}"]) == want(
            lambda ed, e, tag=tag: tag in ed.tags and e.last_end >= since
        )
        assert uids(feeds[f"history/tags/{tag}/deadlines"]) == want(
            lambda ed, e, tag=tag: tag in ed.tags and e.kind == "deadline"
        )
    # a series keeps every edition whatever the date
    assert uids(feeds["series/icml"]) == want(lambda ed, e: ed.series == "icml")
    if today < date(2019, 1, 1):
        assert recent == want(lambda ed, e: True)  # before the data: everything is upcoming


def test_after_the_last_event_the_merged_feeds_are_empty_and_the_histories_full(world):
    feeds = cross(world, date(2030, 1, 1), 90)
    assert uids(feeds["all"]) == set() and uids(feeds["tags/nlp"]) == set()
    assert len(uids(feeds["history/all"])) == sum(len(ed.events) for ed in world[0])


def test_a_series_straddling_the_horizon_is_in_whole(world):
    """A weekly event with occurrences both sides of the horizon is in the feed, with every
    occurrence: clients expand it from its first, as recurring-ical-events does here."""
    editions, *_ = world
    today = date(2020, 6, 1)
    since = midnight(today - timedelta(days=90))
    straddling = [
        e
        for ed in editions
        for e in ed.events
        if e.kind == "reading-group" and e.first_start < since <= e.last_end
    ]
    assert straddling, "the generated data should have one"
    body = cross(world, today, 90)["all"]
    cal = icalendar.Calendar.from_ical(body)
    found = recurring_ical_events.of(cal).between(midnight(date(2018, 1, 1)), midnight(today))
    for event in straddling:
        starts = sorted(
            o.decoded("DTSTART").astimezone(UTC) for o in found if o["UID"] == event.uid
        )
        assert starts[0] == event.first_start, event.uid
        ends = [o.decoded("DTEND").astimezone(UTC) for o in found if o["UID"] == event.uid]
        assert max(ends) == event.last_end, event.uid


def test_the_build_date_is_stated_and_decides_the_bytes(world):
    feeds = cross(world, date(2020, 3, 15), 30)
    again = cross(world, date(2020, 3, 15), 30)
    assert feeds == again  # deterministic: no clock in the rendering
    description = vobject.readOne(feeds["all"].decode()).contents["x-wr-caldesc"][0].value
    assert "Upcoming events and those of the last 30 days, as of the build date 2020-03-15" in (
        description
    )
    assert "events that ended before 2020-02-14T00:00:00Z are left out" in description
    assert "https://feeds.example.org/feeds/history/all.ics" in description
    later = cross(world, date(2020, 3, 16), 30)
    assert later["all"] != feeds["all"]
    assert later["history/all"] == feeds["history/all"]  # the archive does not depend on it


def test_the_clock_is_read_in_one_place_and_a_server_rolls_over_at_midnight(tmp_path, monkeypatch):
    """The store rebuilds when the build date changes, with no file edited: the horizon
    moves, Last-Modified moves with it, and an event that left the horizon is gone."""
    folder = tmp_path / "events"
    editions = conference_years.write(folder, 30)  # 2019
    edited = midnight(date(2019, 1, 1)).timestamp()
    # revisions are recorded at SOURCE_DATE_EPOCH (docs/revisions.md): before both build dates
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(edited)))
    day = {"today": date(2019, 6, 1)}
    monkeypatch.setattr(config, "build_date", lambda settings, now=None: day["today"])
    store = Store(make_settings(folder, today=None))
    before = store.site
    assert before.horizon.build_date == date(2019, 6, 1)
    assert store.refresh() is False  # the same day: nothing to do
    day["today"] = date(2019, 9, 1)
    assert store.refresh() is True
    after = store.site
    old, new = before.get("/feeds/all.ics"), after.get("/feeds/all.ics")
    assert old.last_modified == midnight(date(2019, 6, 1))
    assert new.last_modified == midnight(date(2019, 9, 1))
    left = uids(old.body) - uids(new.body)
    since = midnight(date(2019, 9, 1) - timedelta(days=90))
    assert left == {e.uid for ed in editions for e in ed.events if e.last_end < since} & uids(
        old.body
    )
    assert left
    assert json.loads(after.get("/feeds.json").body)["build_date"] == "2019-09-01"


def test_build_date_is_the_utc_date_unless_pinned():
    evening_in_new_york = datetime(2026, 12, 1, 23, 30, tzinfo=UTC) + timedelta(hours=0)
    settings = config.Settings()
    assert config.build_date(settings, evening_in_new_york) == date(2026, 12, 1)
    late = datetime.fromisoformat("2026-12-01T21:30:00-05:00")  # 02:30 UTC the next day
    assert config.build_date(settings, late) == date(2026, 12, 2)
    pinned = config.Settings(today=date(2025, 1, 2))
    assert config.build_date(pinned, late) == date(2025, 1, 2)


def test_the_settings_come_from_the_environment_and_bad_values_are_refused():
    settings = config.from_env({"FEEDS_TODAY": "2026-12-01", "FEEDS_HORIZON_DAYS": "30"})
    assert settings.today == date(2026, 12, 1) and settings.horizon_days == 30
    assert config.Settings().horizon_days == 90
    for bad in ({"FEEDS_TODAY": "2026-13-01"}, {"FEEDS_TODAY": "tomorrow"}):
        with pytest.raises(ConfigError, match="FEEDS_TODAY"):
            config.from_env(bad)
    for bad in ("-1", "36601", "ninety"):
        with pytest.raises(ConfigError, match="horizon|HORIZON"):
            config.from_env({"FEEDS_HORIZON_DAYS": bad})
    huge = config.Settings(today=date(1, 1, 2), horizon_days=36600)
    assert groups.horizon_of(huge).since == datetime(1, 1, 1, tzinfo=UTC)  # no overflow


# -- the size warnings ------------------------------------------------------------------


def info(event_count: int, feed_id: str = "all") -> FeedInfo:
    return FeedInfo(feed_id, "n", "", f"/feeds/{feed_id}.ics", event_count, datetime.now(UTC))


@given(st.integers(0, 3_000_000), st.integers(0, 5_000))
def test_a_feed_is_warned_about_exactly_past_a_million_bytes_or_a_thousand_events(size, count):
    found = limits.oversized([info(count)], lambda f: size, config.Settings())
    assert bool(found) == (size > 1_000_000 or count > 1_000)
    archive = FeedInfo(
        "history/all", "n", "", "/feeds/history/all.ics", count, info(0).last_modified, archive=True
    )
    assert limits.oversized([archive], lambda f: size, config.Settings()) == []


def run(argv: list[str], capsys) -> tuple[int, str]:
    code = cli.main(argv)
    return code, capsys.readouterr().err


def test_validate_warns_about_the_merged_and_tag_feeds_of_a_big_site(tmp_path, capsys, monkeypatch):
    """300 conference-years with a century of horizon: every event stays in ``all``."""
    folder = tmp_path / "events"
    conference_years.write(folder, 300)
    monkeypatch.setenv("FEEDS_TODAY", "2021-01-01")
    monkeypatch.setenv("FEEDS_HORIZON_DAYS", "36600")
    code, err = run(["validate", str(folder)], capsys)
    assert code == 0, err  # a warning, not an error
    lines = [line for line in err.splitlines() if line.startswith("/feeds/")]
    all_line = next(line for line in lines if line.startswith("/feeds/all.ics: warning: "))
    assert "past what Google Calendar reads (about 1 MB or 1,100 events)" in all_line
    assert "shorten the horizon (horizon_days, FEEDS_HORIZON_DAYS: now 36600 days" in all_line
    assert "/feeds/tags/<tag>.ics" in all_line
    count = int(all_line.split(" with ")[1].split(" events")[0].replace(",", ""))
    assert count == sum(len(ed.events) for ed in conference_years.editions(300))
    assert not any(line.startswith("/feeds/history/") for line in lines)
    # the default horizon as of the end of the data: nothing left to warn about
    monkeypatch.setenv("FEEDS_HORIZON_DAYS", "90")
    monkeypatch.setenv("FEEDS_TODAY", "2024-01-01")
    code, err = run(["validate", str(folder)], capsys)
    assert code == 0 and "/feeds/" not in err


def big_calendar(folder, events: int, description: str = "") -> None:
    lines = ["id: big", "name: Big", "tags: [ml]", "timezone: UTC", "events:"]
    for i in range(events):
        lines += [
            f"  - id: d{i}",
            "    title: Deadline",
            f"    due: 2030-01-01 {i // 60 % 24:02d}:{i % 60:02d}",
        ]
        if description:
            lines.append(f"    description: {description}")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "big.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_build_and_serve_warn_naming_each_feed_and_what_to_do(
    tmp_path, capsys, monkeypatch, caplog
):
    folder = tmp_path / "events"
    big_calendar(folder, 1_001)
    monkeypatch.setenv("FEEDS_TODAY", "2026-01-01")
    code, err = run(["build", str(tmp_path / "out"), "--events", str(folder)], capsys)
    assert code == 0, err
    warned = {line.split(":")[0] for line in err.splitlines() if ": warning: feed " in line}
    assert warned == {
        "/feeds/all.ics",
        "/feeds/deadlines.ics",
        "/feeds/tags/ml.ics",
        "/feeds/tags/ml/deadlines.ics",
        "/feeds/big.ics",
        "/feeds/big/deadlines.ics",
    }
    assert "1,001 events" in err
    assert "/feeds/big.ics: warning: feed 'big' is " in err
    assert "split the calendar into several files (by year or by track)" in err
    assert "/feeds/tags/ml.ics: warning: " in err and "split the tag 'ml' into narrower" in err
    assert (tmp_path / "out" / "feeds" / "tags" / "ml.ics").is_file()  # still published
    with caplog.at_level(logging.WARNING, logger="feeds"):
        Store(make_settings(folder), write_revisions=False)
    logged = {
        r.getMessage().split(":")[0] for r in caplog.records if "warning: feed" in r.getMessage()
    }
    assert logged == warned


def test_a_feed_past_a_megabyte_is_warned_about_by_its_size(tmp_path):
    folder = tmp_path / "events"
    big_calendar(folder, 400, "x" * 2_600)  # about 1.1 MB in 400 events
    settings = make_settings(folder)
    cal = loader.load_file(folder / "big.yaml")
    found = limits.definition_warnings([(cal, revisions.update(cal, write=False))], settings)
    by_feed = {p.path: str(p) for p in found}
    assert "/feeds/big.ics" in by_feed and " with 400 events" in by_feed["/feeds/big.ics"]
    size = float(by_feed["/feeds/big.ics"].split(" is ")[1].split(" MB")[0])
    store = Store(settings, write_revisions=False)
    assert size == round(len(store.site.get("/feeds/big.ics").body) / 1_000_000, 2)
    assert {p.path for p in limits.site_warnings(store.site)} == set(by_feed)


def test_a_subscribed_selection_keeps_working_when_its_events_leave_the_horizon(write, app_for):
    """``/feeds/all.ics?ids=...`` picked last year must not become a 400 (which clients show
    as a broken subscription) once its events are past the horizon: it is empty instead."""
    write(
        "old.yaml",
        """
        id: old
        name: Old
        timezone: UTC
        events:
          - id: talk
            title: Past workshop
            kind: workshop
            start: 2025-03-01 09:00
            duration: 1h
          - id: later
            title: Upcoming deadline
            due: 2026-09-01 12:00
        """,
    )
    client = app_for(today=date(2026, 6, 1)).test_client()
    for query in ("ids=old/talk", "kind=workshop", "ids=talk&kind=workshop"):
        response = client.get(f"/feeds/all.ics?{query}")
        assert response.status_code == 200, (query, response.data)
        assert uids(response.data) == set(), query
    assert uids(client.get("/feeds/all.ics?ids=later").data) == {"old/later@feeds.example.org"}
    assert client.get("/feeds/all.ics?ids=old/nothing").status_code == 400
    assert client.get("/feeds/deadlines.ics?ids=old/talk").status_code == 400  # not its kind
