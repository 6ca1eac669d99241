"""Live reload: edits show up without a restart, only what changed is redone, broken edits
are never served."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

import pytest

from feeds.definitions import loader
from feeds.render import ics
from feeds.serve.app import create_app
from feeds.serve.store import Store
from tests.conftest import make_settings


def calendar_yaml(
    cal_id: str, count: int, name: str | None = None, retitle: dict[int, str] | None = None
) -> str:
    """A calendar of ``count`` all-day events, ``e0``..; ``retitle`` changes some titles."""
    retitle = retitle or {}
    lines = [f"id: {cal_id}", f"name: {name or cal_id.upper()}", "timezone: Asia/Seoul", "events:"]
    for i in range(count):
        day = 1 + i % 28
        lines += [
            f"  - id: e{i}",
            f"    title: {retitle.get(i, f'Event {i}')}",
            f"    start: 2026-07-{day:02d}",
            f"    kind: {'deadline' if i % 5 == 0 else 'workshop'}",
        ]
    return "\n".join(lines) + "\n"


def wait_for(condition, timeout: float = 5.0, step: float = 0.02):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the condition")
        time.sleep(step)


@pytest.fixture
def spies(monkeypatch):
    """Counts of event renders and definition parses, by calendar id / file name."""
    counts = {"render": [], "parse": []}
    render, parse = ics.render_event, loader.check_text

    def counting_render(event, *args, **kwargs):
        counts["render"].append(f"{event.calendar_id}/{event.id}")
        return render(event, *args, **kwargs)

    def counting_parse(text, path, *args, **kwargs):
        counts["parse"].append(Path(path).name)
        return parse(text, path, *args, **kwargs)

    monkeypatch.setattr(ics, "render_event", counting_render)
    monkeypatch.setattr(loader, "check_text", counting_parse)
    return counts


def store_for(folder: Path, **options) -> Store:
    options.setdefault("settle_seconds", 0)
    return Store(make_settings(folder), **options)


# -- edits reach the served feed ------------------------------------------------------


def test_an_edit_is_served_within_the_reload_interval(write, events_dir):
    path = write("conf.yaml", calendar_yaml("conf", 3))
    settings = make_settings(events_dir, reload_seconds=0.2)
    client = create_app(settings, Store(settings)).test_client()
    before = client.get("/feeds/conf.ics")
    assert b"SUMMARY:Event 1" in before.data
    started = time.monotonic()
    path.write_text(calendar_yaml("conf", 3, retitle={1: "Renamed talk"}))
    after = wait_for(lambda: (r := client.get("/feeds/conf.ics")).data != before.data and r)
    assert time.monotonic() - started < 2.0  # the default settle time included
    assert b"SUMMARY:Renamed talk" in after.data
    assert after.headers["ETag"] != before.headers["ETag"]
    assert (
        client.get("/feeds/conf.ics", headers={"If-None-Match": before.headers["ETag"]}).status_code
        == 200
    )


def test_files_added_and_removed_while_serving(write, events_dir):
    write("a.yaml", calendar_yaml("a", 2))
    store = store_for(events_dir, removal_grace=0)
    assert store.site.get("/feeds/b.ics") is None
    write("b.yaml", calendar_yaml("b", 2))
    store.refresh()
    assert store.site.get("/feeds/b.ics") is not None
    assert b"Event 0" in store.site.get("/feeds/all.ics").body
    (events_dir / "b.yaml").unlink()
    store.refresh()
    assert store.site.get("/feeds/b.ics") is None
    assert [b.calendar.id for b in store.site.builds] == ["a"]


# -- only what changed is redone ---------------------------------------------------------


def test_one_edited_event_in_a_big_calendar_is_the_only_one_rendered_again(
    write, events_dir, spies
):
    big = write("big.yaml", calendar_yaml("big", 400))
    write("small.yaml", calendar_yaml("small", 5))
    store = store_for(events_dir)
    assert len(spies["render"]) == 405 and sorted(spies["parse"]) == ["big.yaml", "small.yaml"]
    old_all = store.site.get("/feeds/all.ics").body
    spies["render"].clear(), spies["parse"].clear()

    big.write_text(calendar_yaml("big", 400, retitle={123: "Moved keynote"}))
    assert store.refresh()
    assert spies["parse"] == ["big.yaml"]  # the other calendar is not even parsed
    assert spies["render"] == ["big/e123"]  # nor any other event rendered
    # every feed that holds the event has it: calendar, kind, merged (which names the
    # calendar) and single-event
    for path, summary in (
        ("/feeds/big.ics", b"SUMMARY:Moved keynote"),
        ("/feeds/big/workshops.ics", b"SUMMARY:Moved keynote"),
        ("/feeds/all.ics", b"SUMMARY:BIG: Moved keynote"),
        ("/events/big/e123.ics", b"SUMMARY:Moved keynote"),
    ):
        assert summary + b"\r\n" in store.site.get(path).body, path
    assert store.site.get("/feeds/all.ics").body != old_all
    assert b"SUMMARY:BIG: Event 124" in store.site.get("/feeds/all.ics").body


def test_a_touched_but_unchanged_file_is_not_parsed_again(write, events_dir, spies):
    path = write("conf.yaml", calendar_yaml("conf", 3))
    store = store_for(events_dir)
    site_before = store.site
    spies["parse"].clear()
    os.utime(path)  # new mtime, same bytes
    assert not store.refresh()
    assert spies["parse"] == [] and store.site is site_before


def test_a_same_size_edit_within_one_timestamp_tick_is_still_noticed(write, events_dir):
    path = write("conf.yaml", calendar_yaml("conf", 3, retitle={0: "AAAA"}))
    store = store_for(events_dir)
    stat = path.stat()
    path.write_text(calendar_yaml("conf", 3, retitle={0: "BBBB"}))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same mtime, same inode
    assert path.stat().st_size == stat.st_size
    store.refresh()
    assert b"SUMMARY:BBBB" in store.site.get("/feeds/conf.ics").body


# -- broken edits are never served ---------------------------------------------------------


def test_a_broken_edit_keeps_the_last_good_version_and_is_reported(write, events_dir, caplog):
    path = write("conf.yaml", calendar_yaml("conf", 3))
    settings = make_settings(events_dir, reload_seconds=0.05)
    client = create_app(settings, Store(settings, settle_seconds=0)).test_client()
    good = client.get("/feeds/conf.ics")
    assert client.get("/healthz").json["status"] == "ok"

    broken = calendar_yaml("conf", 3).replace(
        "start: 2026-07-02\n", "start: 2026-07-02\n    end: 2026-06-01\n"
    )
    with caplog.at_level(logging.ERROR, logger="feeds"):
        path.write_text(broken)
        # the poller may first see the file half written (another error): wait for this one
        health = wait_for(
            lambda: (
                (h := client.get("/healthz")).json["status"] == "degraded"
                and any(f"{path}:" in e and "e1" in e for e in h.json["errors"])
                and h
            )
        )
    assert health.status_code == 200  # still serving: a load balancer keeps the instance
    (entry,) = health.json["calendars"]
    assert entry["serving"] == "last good version" and entry["id"] == "conf"
    assert entry["errors"] and entry["errors"][0].startswith(f"{path}:")  # located: file and line
    assert any(f"{path}:" in e and "e1" in e for e in health.json["errors"])
    logged = [r.getMessage() for r in caplog.records]
    assert any(m.startswith(f"{path}:") for m in logged), logged
    assert any("still serving the last good version" in m for m in logged)
    same = client.get("/feeds/conf.ics")
    assert same.data == good.data and same.headers["ETag"] == good.headers["ETag"]

    path.write_text(calendar_yaml("conf", 3, retitle={2: "Fixed"}))
    fixed = wait_for(lambda: (r := client.get("/feeds/conf.ics")).data != good.data and r)
    assert b"SUMMARY:Fixed" in fixed.data
    assert client.get("/healthz").json["status"] == "ok"


def test_a_file_emptied_or_cut_short_is_not_served(write, events_dir):
    path = write("conf.yaml", calendar_yaml("conf", 6))
    store = store_for(events_dir)
    good = store.site.get("/feeds/conf.ics").body
    for text in ("", calendar_yaml("conf", 6)[:95]):  # empty; cut inside the first event
        path.write_text(text)
        store.refresh()
        assert store.site.get("/feeds/conf.ics").body == good
        assert store.errors()


def test_a_file_still_being_written_is_left_until_it_settles(write, events_dir):
    full = calendar_yaml("conf", 6)
    path = write("conf.yaml", full)
    store = store_for(events_dir, settle_seconds=30)
    # a writer that has put down the first events only (still valid YAML!)
    path.write_text(calendar_yaml("conf", 2))
    store.refresh()
    assert len(store.site.builds[0].events) == 6  # too fresh to trust: the last good version stays
    path.write_text(calendar_yaml("conf", 6, retitle={5: "Complete"}))
    store.refresh()
    assert b"Complete" not in store.site.get("/feeds/conf.ics").body
    settled = time.time() - 31
    os.utime(path, (settled, settled))  # as if the writer had finished 31 s ago
    store.refresh()
    assert len(store.site.builds[0].events) == 6
    assert b"SUMMARY:Complete" in store.site.get("/feeds/conf.ics").body


def test_a_deleted_file_is_served_through_a_replacement_window(write, events_dir):
    path = write("conf.yaml", calendar_yaml("conf", 3))
    store = store_for(events_dir, removal_grace=1.0)
    path.unlink()  # git checkout, rsync: unlink, then the new file
    store.refresh()
    assert store.site.get("/feeds/conf.ics") is not None
    body, _ = store.health()
    assert body["calendars"][0]["serving"] == "last good version (file missing)"
    time.sleep(1.05)
    store.refresh()
    assert store.site.get("/feeds/conf.ics") is None
    body, status = store.health()
    assert status == 503 and body["status"] == "failing"


def test_a_folder_briefly_unreadable_keeps_everything(write, events_dir, tmp_path):
    write("conf.yaml", calendar_yaml("conf", 3))
    store = store_for(events_dir, removal_grace=0)
    site = store.site
    aside = tmp_path / "aside"
    events_dir.rename(aside)  # a deploy swapping the folder
    store.refresh()
    assert store.site is site
    body, status = store.health()
    assert status == 200 and body["status"] == "degraded"
    assert any("cannot read the folder" in e for e in body["errors"])
    aside.rename(events_dir)
    store.refresh()
    body, _ = store.health()
    assert (
        body["status"] == "ok"
        and store.site.get("/feeds/conf.ics").body == site.get("/feeds/conf.ics").body
    )


def test_two_files_with_one_id_leave_the_first_one_serving(write, events_dir):
    write("b.yaml", calendar_yaml("conf", 2, name="Original"))
    store = store_for(events_dir, removal_grace=0)
    write("a.yaml", calendar_yaml("conf", 3, name="Newcomer"))  # sorts first, but came later
    store.refresh()
    assert b"X-WR-CALNAME:Original" in store.site.get("/feeds/conf.ics").body
    body, status = store.health()
    assert status == 200 and any(
        "a.yaml:1: calendar id 'conf' is also used by" in e for e in body["errors"]
    )
    (events_dir / "b.yaml").unlink()
    store.refresh()
    assert b"X-WR-CALNAME:Newcomer" in store.site.get("/feeds/conf.ics").body
    assert store.health()[0]["status"] == "ok"


def test_an_unexpected_error_while_rendering_keeps_the_old_site(
    write, events_dir, monkeypatch, caplog
):
    path = write("conf.yaml", calendar_yaml("conf", 3))
    settings = make_settings(events_dir, reload_seconds=0.01)
    client = create_app(settings, Store(settings, settle_seconds=0)).test_client()
    good = client.get("/feeds/conf.ics").data

    def boom(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(ics, "render_event", boom)
    path.write_text(calendar_yaml("conf", 3, retitle={0: "Never rendered"}))
    with caplog.at_level(logging.ERROR, logger="feeds"):
        # the reload runs on the store's own thread: wait until it has met the bug
        wait_for(lambda: any("internal error" in e for e in client.get("/healthz").json["errors"]))
        response = client.get("/feeds/conf.ics")
    assert response.status_code == 200 and response.data == good


# -- health ----------------------------------------------------------------------------------


def test_health_reports_versions_and_load_times(bundled_dir):
    settings = make_settings(bundled_dir)
    client = create_app(settings, Store(settings)).test_client()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    body = response.json
    assert body["status"] == "ok" and body["errors"] == [] and body["process"] == os.getpid()
    (cal,) = body["calendars"]
    assert cal["id"] == "icml-2026" and cal["serving"] == "current" and cal["events"] == 17
    assert len(cal["version"]) == 64 and cal["loaded_at"].endswith("Z")
    assert body["site_version"] and body["loaded_at"].endswith("Z")


@pytest.mark.parametrize(
    "files", [{}, {"bad.yaml": "id: bad\nevents: 3\n"}], ids=["empty", "all broken"]
)
def test_health_is_503_when_there_is_nothing_good_to_serve(events_dir, files):
    for name, text in files.items():
        (events_dir / name).write_text(text)
    settings = make_settings(events_dir)
    response = create_app(settings, Store(settings)).test_client().get("/healthz")
    assert response.status_code == 503 and response.json["status"] == "failing"


# -- consistency -------------------------------------------------------------------------------


def test_a_snapshot_never_mixes_two_versions_of_a_calendar(write, events_dir):
    """While the calendar is renamed over and over, every feed of one snapshot agrees."""
    path = write("conf.yaml", calendar_yaml("conf", 30, name="V0"))
    store = store_for(events_dir)
    stop = threading.Event()
    problems: list[str] = []
    checked = 0

    def reader():
        nonlocal checked
        while not stop.is_set():
            site = store.site  # one read of the reference, as a request does
            names = {
                line
                for p in (
                    "/feeds/conf.ics",
                    "/feeds/conf/deadlines.ics",
                    "/feeds/conf/workshops.ics",
                )
                for line in site.get(p).body.split(b"\r\n")
                if line.startswith(b"X-WR-CALNAME:")
            }
            version = {n.split(b":")[1].split(b" ")[0] for n in names}
            if len(version) != 1:
                problems.append(repr(names))
            checked += 1

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for i in range(1, 16):
            path.write_text(calendar_yaml("conf", 30, name=f"V{i}"))
            store.refresh()
    finally:
        stop.set()
        thread.join()
    assert checked > 10 and not problems, problems[:3]
    assert b"X-WR-CALNAME:V15" in store.site.get("/feeds/conf.ics").body


@pytest.mark.parametrize(
    "writable", [True, False], ids=["revisions written", "read-only revisions"]
)
def test_two_workers_seeing_one_edit_at_different_times_serve_the_same_bytes(bundled_dir, writable):
    settings = make_settings(bundled_dir)
    first = Store(settings, write_revisions=writable, settle_seconds=0)
    second = Store(settings, write_revisions=writable, settle_seconds=0)
    definition = bundled_dir / "icml-2026.yaml"
    definition.write_text(
        definition.read_text().replace("title: ICML 2026\n", "title: ICML 2026 (Seoul)\n", 1)
    )
    first.refresh()
    time.sleep(1.1)  # the second worker notices a second later
    second.refresh()
    for path, resource in first.site.resources.items():
        assert second.site.get(path).etag == resource.etag, path
    assert b"ICML 2026 (Seoul)" in first.site.get("/feeds/icml-2026.ics").body
