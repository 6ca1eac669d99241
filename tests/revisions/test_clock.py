"""Time only moves forward: each change is recorded strictly after the calendar's previous
revision, whatever the clock or the file's mtime says, and a feed's Last-Modified moves
forward whenever its bytes change (Apple revalidates with If-Modified-Since only)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tests.hypothesis_profiles  # noqa: F401  (the deterministic profile)
from feeds import revisions
from feeds.definitions import loader
from feeds.serve.app import create_app
from tests.conftest import make_settings
from tests.revisions.support import FEED, definition, modified, starts, store, write

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def test_a_change_recorded_at_an_earlier_time_comes_one_second_after_the_last():
    first = revisions.reconcile(loader.load_text(definition("09:00")), None, T0)
    moved = loader.load_text(definition("09:30"))
    for now in (T0 - timedelta(days=400), T0, T0 + timedelta(microseconds=999_999)):
        later = revisions.reconcile(moved, first, now)
        assert later.of("talk").modified == T0 + timedelta(seconds=1)
        assert later.of("talk").sequence == 1
    assert revisions.reconcile(moved, first, T0 + timedelta(hours=1)).of("talk").modified == (
        T0 + timedelta(hours=1)
    )


def test_an_unchanged_calendar_keeps_its_times_whatever_the_clock():
    calendar = loader.load_text(definition())
    first = revisions.reconcile(calendar, None, T0)
    assert revisions.reconcile(calendar, first, T0 + timedelta(days=9)) is first
    assert revisions.reconcile(calendar, first, T0 - timedelta(days=9)) is first


def _apple_poll(client, last_modified: str | None):
    headers = {"If-Modified-Since": last_modified} if last_modified else {}
    return client.get(FEED, headers=headers)


@pytest.mark.parametrize(
    "how",
    ["mtime in the past (cp -p)", "mtime normalised to 1 (Nix)", "same second", "clock set back"],
)
def test_an_apple_client_sees_every_edit(tmp_path, monkeypatch, how):
    """The client revalidates with If-Modified-Since only: a 304 would keep the old time."""
    now = time.time()
    write(tmp_path, definition("09:00"), mtime=now - 60)
    settings = make_settings(tmp_path)
    if how in ("same second", "clock set back"):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(now)))
    client = create_app(settings, store(tmp_path)).test_client()
    first = _apple_poll(client, None)
    assert first.status_code == 200
    seen = first.headers["Last-Modified"]
    for step, start in enumerate(["09:30", "10:00", "10:30"]):
        mtime = {
            "mtime in the past (cp -p)": now - 86400 * (step + 2),
            "mtime normalised to 1 (Nix)": 1,
            "same second": now - 60,
            "clock set back": now - 60,
        }[how]
        if how == "clock set back":
            monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(now) - 3600 * (step + 1)))
        write(tmp_path, definition(start), mtime=mtime)
        client.application.extensions["feeds_store"].refresh()
        got = _apple_poll(client, seen)
        assert got.status_code == 200, (step, seen)
        hour, minute = map(int, start.split(":"))
        wanted = datetime(2026, 7, 6, hour - 2, minute, tzinfo=UTC)  # Berlin is UTC+2 in July
        assert starts(got.data)["talk"] == wanted
        assert parsedate_to_datetime(got.headers["Last-Modified"]) > parsedate_to_datetime(seen)
        seen = got.headers["Last-Modified"]
        assert _apple_poll(client, seen).status_code == 304  # and nothing else moved


def test_an_event_changing_kind_moves_the_feed_it_leaves(tmp_path):
    path = write(tmp_path, definition(), mtime=time.time() - 60)
    live = store(tmp_path)
    deadlines = live.site.get("/feeds/conf/deadlines.ics")
    assert "due" in modified(deadlines.body)
    text = path.read_text().replace("kind: deadline\n    due:", "kind: workshop\n    due:")
    write(tmp_path, text, mtime=time.time() - 30)
    live.refresh()
    left = live.site.get("/feeds/conf/deadlines.ics")  # the deadlines feed is always there
    assert left.body != deadlines.body and "due" not in modified(left.body)
    assert left.last_modified > deadlines.last_modified


def test_renaming_the_calendar_moves_its_single_event_files(tmp_path):
    path = write(tmp_path, definition(), mtime=time.time() - 60)
    live = store(tmp_path)
    single = live.site.get("/events/conf/party.ics")
    write(tmp_path, path.read_text().replace("name: Conf 2026", "name: Conf 26"))
    live.refresh()
    renamed = live.site.get("/events/conf/party.ics")
    assert renamed.body != single.body and renamed.last_modified > single.last_modified


EDITS = st.lists(
    st.tuples(
        st.sampled_from(["09:00", "09:30", "10:00"]),  # the talk's start
        st.sampled_from(["", "due", "party"]),  # an event removed
        st.sampled_from(["Conf 2026", "Conf 26"]),  # the calendar's name
        st.integers(-3, 3),  # where SOURCE_DATE_EPOCH goes, in seconds from the last one
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=EDITS)
def test_every_feed_only_moves_forward_and_moves_whenever_its_bytes_change(
    tmp_path_factory, monkeypatch, edits
):
    folder = tmp_path_factory.mktemp("clock")
    clock = int(T0.timestamp())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(clock))
    write(folder, definition())
    live = store(folder)
    served = dict(live.site.resources)
    for start, drop, name, step in edits:
        clock += step
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(clock))
        write(folder, definition(start, drop).replace("Conf 2026", name), mtime=1)
        live.refresh()
        for url, resource in live.site.resources.items():
            before = served.get(url)
            if before is None or not url.endswith(".ics"):
                continue
            assert resource.last_modified >= before.last_modified, url
            if resource.body != before.body:
                assert resource.last_modified > before.last_modified, url
        served.update(live.site.resources)


def test_last_modified_is_an_http_date_of_the_recorded_revision(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(T0.timestamp())))
    write(tmp_path, definition())
    client = create_app(make_settings(tmp_path), store(tmp_path)).test_client()
    got = client.get(FEED)
    assert got.headers["Last-Modified"] == format_datetime(T0, usegmt=True)
    assert set(modified(got.data).values()) == {T0}
