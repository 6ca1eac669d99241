"""Reloading off the request path (issue 10): a request never waits for a rebuild.

The store's poller thread notices edits and publishes a new snapshot; requests read the
last one. These tests hold a rebuild still with an event (no timing) and look at what a
request gets meanwhile; the listing the poller uses is held equal to the plain one.
"""

from __future__ import annotations

import os
import threading

import pytest

from feeds.definitions import loader
from feeds.render import ics
from feeds.serve import poller
from feeds.serve.app import create_app
from feeds.serve.store import Store
from tests.conftest import make_settings
from tests.serve.test_reload import calendar_yaml, wait_for


@pytest.fixture
def held(monkeypatch):
    """While ``held.clear()`` is in force, rendering an event waits for ``held.set()``."""
    gate = threading.Event()
    gate.set()
    entered = threading.Event()
    render = ics.render_event

    def waiting_render(*args, **kwargs):
        if not gate.is_set():
            entered.set()
            assert gate.wait(30), "the test never released the rebuild"
        return render(*args, **kwargs)

    monkeypatch.setattr(ics, "render_event", waiting_render)
    gate.entered = entered
    yield gate
    gate.set()


def test_a_request_during_a_rebuild_gets_the_last_good_site_at_once(write, events_dir, held):
    path = write("conf.yaml", calendar_yaml("conf", 4))
    settings = make_settings(events_dir, reload_seconds=0.02)
    store = Store(settings, settle_seconds=0)
    client = create_app(settings, store).test_client()
    before = client.get("/feeds/conf.ics")
    held.clear()  # the next rebuild stops inside rendering
    path.write_text(calendar_yaml("conf", 4, retitle={2: "Renamed"}))
    assert held.entered.wait(10), "the poller did not start the rebuild"
    during = [client.get(p) for p in ("/feeds/conf.ics", "/", "/feeds/all.ics", "/healthz")]
    assert during[0].status_code == 200 and during[0].data == before.data
    assert all(r.status_code == 200 for r in during)
    held.set()
    after = wait_for(lambda: (r := client.get("/feeds/conf.ics")).data != before.data and r)
    assert b"SUMMARY:Renamed" in after.data
    store.close()


def test_the_poller_starts_with_the_first_request_and_ends_with_the_store(write, events_dir):
    write("conf.yaml", calendar_yaml("conf", 2))
    settings = make_settings(events_dir, reload_seconds=0.02)
    store = Store(settings, settle_seconds=0)
    assert store._poller is None  # made, not serving: nothing polls (fork-safe under preload)
    store.current()
    running = store._poller
    assert running is not None and running.alive
    store.close()
    running._thread.join(5)
    assert not running._thread.is_alive()


def test_without_a_reload_interval_nothing_polls_and_refresh_looks_when_asked(write, events_dir):
    path = write("conf.yaml", calendar_yaml("conf", 2))
    store = Store(make_settings(events_dir, reload_seconds=0), settle_seconds=0)
    store.current()
    assert store._poller is None
    path.write_text(calendar_yaml("conf", 2, retitle={0: "Seen"}))
    assert b"SUMMARY:Seen" in store.wait_until_current().site.get("/feeds/conf.ics").body


def test_a_forked_worker_starts_its_own_poller(write, events_dir):
    write("conf.yaml", calendar_yaml("conf", 2))
    settings = make_settings(events_dir, reload_seconds=0.02)
    store = Store(settings, settle_seconds=0)
    store.current()
    parent = store._poller
    lock = store._lock
    poller._forks[0] += 1  # what os.register_at_fork's hook does in a child
    try:
        assert not parent.alive  # its thread was not copied into the child
        store.current()
        assert store._poller is not parent and store._poller.alive
        assert store._lock is not lock  # a lock held by a thread left behind never frees
    finally:
        poller._forks[0] -= 1
        parent.stop()
        store.close()


def test_an_idle_poll_keeps_the_report_and_the_site(write, events_dir):
    for i in range(5):
        write(f"c{i}.yaml", calendar_yaml(f"c{i}", 2))
    store = Store(make_settings(events_dir), settle_seconds=0)
    before = store.current()
    assert not store.refresh()
    after = store.current()
    assert after.site is before.site and after.calendars is before.calendars
    (events_dir / "c3.yaml").write_text("id: c3\n")  # broken: reported, last good kept
    store.refresh()
    broken = store.current()
    assert broken.site is before.site and broken.calendars is not before.calendars
    assert any("c3.yaml" in str(p) for p in broken.problems)


def test_the_listing_equals_the_plain_one_through_changes(events_dir, tmp_path):
    listing = loader.Listing(events_dir)
    outside = tmp_path / "outside.yaml"
    outside.write_text("id: x\n")
    steps = [
        lambda: (events_dir / "b.yaml").write_text("x"),
        lambda: (events_dir / "a.yml").write_text("x"),
        lambda: (events_dir / ".hidden.yaml").write_text("x"),
        lambda: (events_dir / "notes.txt").write_text("x"),
        lambda: (events_dir / "dir.yaml").mkdir(),
        lambda: (events_dir / "link.yaml").symlink_to(events_dir / "b.yaml"),
        lambda: (events_dir / "out.yaml").symlink_to(outside),
        lambda: (events_dir / "b.yaml").rename(events_dir / "c.yaml"),  # link now dangles
        lambda: (events_dir / "a.yml").unlink(),
        lambda: os.mkfifo(events_dir / "fifo.yaml"),
    ]
    assert listing.paths() == loader.definition_files(events_dir) == []
    for step in steps:
        step()
        assert listing.paths() == loader.definition_files(events_dir)
    assert [p.name for p in listing.paths()] == ["c.yaml"]
