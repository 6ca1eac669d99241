"""One owner per calendar id: two files declaring one id are an error naming both, neither
writes revisions, and what was served before stays served, byte for byte."""

from __future__ import annotations

import time

from feeds.serve.app import create_app
from tests.conftest import make_settings
from tests.revisions.support import FEED, definition, feeds, sequences, store, write


def _twin(folder, start: str = "10:00"):
    """A second file declaring the calendar id ``conf``, with another time for the talk."""
    return write(folder, definition(start), mtime=time.time() - 30, name="b-copy.yaml")


def test_a_second_file_with_the_id_changes_nothing_served_however_often_it_is_polled(tmp_path):
    write(tmp_path, definition(), mtime=time.time() - 60, name="conf.yaml")
    settings = make_settings(tmp_path, reload_seconds=0.001)
    live = store(tmp_path)
    client = create_app(settings, live).test_client()
    first = client.get(FEED)
    revisions_file = tmp_path / "conf.revisions.json"
    recorded = revisions_file.read_bytes()
    twin = _twin(tmp_path)
    for _ in range(5):
        live.refresh()
        got = client.get(FEED)
        assert got.data == first.data and got.headers["ETag"] == first.headers["ETag"]
        assert client.get(FEED, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert sequences(got.data) == {"talk": 0, "due": 0, "party": 0}
    assert revisions_file.read_bytes() == recorded
    body, status = live.health()
    assert status == 200 and body["status"] == "degraded"
    for path, other in ((twin, tmp_path / "conf.yaml"), (tmp_path / "conf.yaml", twin)):
        assert any(
            e.startswith(f"{path}:1: calendar id 'conf' is also used by {other}")
            for e in body["errors"]
        )


def test_the_owner_edited_during_the_conflict_waits_and_goes_out_when_it_ends(tmp_path):
    owner = write(tmp_path, definition(), mtime=time.time() - 60, name="conf.yaml")
    live = store(tmp_path)
    before = live.site.get(FEED).body
    recorded = (tmp_path / "conf.revisions.json").read_bytes()
    twin = _twin(tmp_path)
    live.refresh()
    write(tmp_path, definition("09:30"), mtime=time.time() - 20, name="conf.yaml")
    live.refresh()
    assert live.site.get(FEED).body == before  # neither is published
    assert (tmp_path / "conf.revisions.json").read_bytes() == recorded
    twin.unlink()
    live.removal_grace = 0
    live.refresh()
    assert sequences(live.site.get(FEED).body) == {"talk": 1, "due": 0, "party": 0}
    assert owner.exists() and live.health()[0]["status"] == "ok"


def test_two_files_from_the_start_publish_nothing_and_write_no_revisions(tmp_path):
    write(tmp_path, definition(), mtime=time.time() - 60, name="conf.yaml")
    _twin(tmp_path)
    live = store(tmp_path)
    assert live.site.get(FEED) is None
    assert not (tmp_path / "conf.revisions.json").exists()
    errors = live.health()[0]["errors"]
    assert len([e for e in errors if "calendar id 'conf' is also used by" in e]) == 2


def test_build_with_two_files_refuses_every_time_and_writes_no_revisions(tmp_path):
    write(tmp_path, definition(), name="conf.yaml")
    revised = feeds("revise", str(tmp_path))
    assert revised.returncode == 0, revised.stderr
    recorded = (tmp_path / "conf.revisions.json").read_bytes()
    twin = _twin(tmp_path)
    out = tmp_path.parent / f"{tmp_path.name}-site"
    for _ in range(3):
        done = feeds("build", str(out), "--events", str(tmp_path))
        assert done.returncode == 1
        assert (
            f"{twin}:1: calendar id 'conf' is also used by {tmp_path / 'conf.yaml'}" in done.stderr
        )
    done = feeds("revise", str(tmp_path))
    assert done.returncode == 1 and "revisions were not changed" in done.stderr
    assert (tmp_path / "conf.revisions.json").read_bytes() == recorded
    assert not out.exists()
