"""SEQUENCE never falls for a UID: across remove-and-restore, a revisions file lost or
replaced by an older copy (the server keeps what it served; a build refuses to go below
the export it replaces), and a git conflict resolved with ``feeds revise --resolve``."""

from __future__ import annotations

import shutil
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tests.hypothesis_profiles  # noqa: F401  (the deterministic profile)
from feeds import revisions
from feeds.definitions import loader
from feeds.export import floor
from tests.revisions.support import FEED, definition, feeds, sequences, store, write

T1, T2, T3 = (str(int(datetime(2026, 1, d, tzinfo=UTC).timestamp())) for d in (1, 2, 3))


def _revise(folder: Path, text: str, epoch: str) -> None:
    write(folder, text)
    done = feeds("revise", str(folder), env={"SOURCE_DATE_EPOCH": epoch})
    assert done.returncode == 0, done.stderr


def test_a_removed_event_that_comes_back_continues_its_sequence(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", T1)
    write(tmp_path, definition("09:00"), mtime=time.time() - 60)
    live = store(tmp_path)
    write(tmp_path, definition("09:30"), mtime=time.time() - 50)
    live.refresh()
    assert sequences(live.site.get(FEED).body)["talk"] == 1
    write(tmp_path, definition("09:30", drop="talk"), mtime=time.time() - 40)
    live.refresh()
    assert "talk" not in sequences(live.site.get(FEED).body)
    write(tmp_path, definition("09:30"), mtime=time.time() - 30)  # restored as it was
    live.refresh()
    assert sequences(live.site.get(FEED).body)["talk"] == 2
    fresh = store(tmp_path, write_revisions=False)  # a restart reads the same
    assert sequences(fresh.site.get(FEED).body)["talk"] == 2


@pytest.mark.parametrize("loss", ["deleted", "older copy"])
def test_the_server_never_serves_lower_than_it_served_when_the_file_is_lost(tmp_path, loss):
    _revise(tmp_path, definition("09:00"), T1)
    older = (tmp_path / "conf.revisions.json").read_bytes()
    _revise(tmp_path, definition("09:30"), T2)
    live = store(tmp_path)
    served = live.site.get(FEED)
    assert sequences(served.body)["talk"] == 1
    path = tmp_path / "conf.revisions.json"
    if loss == "deleted":
        path.unlink()
    else:
        path.write_bytes(older)  # `git checkout` of an older revisions file
    write(tmp_path, definition("09:30").replace("title: Party", "title: Party!"))
    live.refresh()
    now = live.site.get(FEED)
    assert sequences(now.body)["talk"] >= 1 and now.last_modified > served.last_modified
    written = revisions.read(path)  # rewritten from what was served
    assert written.of("talk").sequence >= 1
    restarted = store(tmp_path, write_revisions=False)
    assert sequences(restarted.site.get(FEED).body) == sequences(now.body)


def test_a_build_refuses_to_publish_a_lower_sequence_than_the_export_it_replaces(tmp_path):
    events = tmp_path / "events"
    events.mkdir()
    out = tmp_path / "site"
    _revise(events, definition("09:00"), T1)
    _revise(events, definition("09:30"), T2)
    assert feeds("build", str(out), "--events", str(events)).returncode == 0
    exported = floor.previous_events(out)["conf"]
    assert exported["talk"][0] == 1
    published = floor.previous(out)
    (events / "conf.revisions.json").unlink()  # a fresh clone without it, say
    done = feeds("build", str(out), "--events", str(events))
    assert done.returncode == 1
    assert "event conf/talk@feeds.example.org: SEQUENCE would fall from 1" in done.stderr
    assert f"feeds revise --floor {out}" in done.stderr
    assert floor.previous(out) == published  # the export was left as it was
    revised = feeds("revise", "--floor", str(out), str(events), env={"SOURCE_DATE_EPOCH": T1})
    assert revised.returncode == 0, revised.stderr
    assert feeds("build", str(out), "--events", str(events)).returncode == 0
    after = floor.previous_events(out)["conf"]
    for event_id, (sequence, when) in exported.items():
        assert after[event_id][0] >= sequence and after[event_id][1] >= when, event_id
    assert after["talk"][0] == 2  # above what subscribers hold, so every client updates


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=folder,
        capture_output=True,
        text=True,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize("style", ["merge", "diff3"])
def test_a_git_conflict_is_refused_then_resolved_keeping_both_sides(tmp_path, style):
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "config", "merge.conflictStyle", style)
    _revise(tmp_path, definition("09:00"), T1)
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "published")
    _git(tmp_path, "checkout", "-qb", "other")
    _revise(tmp_path, definition("10:00"), T3)  # the talk moved on one branch ...
    _git(tmp_path, "commit", "-qam", "other")
    _git(tmp_path, "checkout", "-q", "main")
    _revise(tmp_path, definition("09:30"), T2)  # ... and differently on the other
    _git(tmp_path, "commit", "-qam", "main")
    assert _git(tmp_path, "merge", "other").returncode != 0
    path = tmp_path / "conf.revisions.json"
    assert "<<<<<<<" in path.read_text("utf-8")
    write(tmp_path, definition("10:00"))  # the definition's conflict, settled by hand
    conflicted = path.read_bytes()
    refused = feeds("revise", str(tmp_path))
    assert refused.returncode == 1 and "merge conflict" in refused.stderr
    assert "feeds revise --resolve" in refused.stderr and path.read_bytes() == conflicted
    done = feeds("revise", "--resolve", str(tmp_path), env={"SOURCE_DATE_EPOCH": T1})
    assert done.returncode == 0, done.stderr
    assert "conflict resolved" in done.stdout
    state = revisions.read(path)
    # Both sides published SEQUENCE 1 for the talk, at different times: the later side's
    # entry is kept (its fingerprint matches 10:00), so nothing moves; the time is T3's.
    assert state.of("talk").sequence == 1
    assert state.of("talk").modified == datetime(2026, 1, 3, tzinfo=UTC)
    served = store(tmp_path, write_revisions=False).site.get(FEED)
    assert sequences(served.body)["talk"] == 1


def test_resolving_keeps_the_higher_sequence_and_the_later_time_per_event():
    calendar = loader.load_text(definition("09:00"))
    base = revisions.reconcile(calendar, None, datetime(2026, 1, 1, tzinfo=UTC))
    one = revisions.reconcile(
        loader.load_text(definition("09:30")), base, datetime(2026, 1, 2, tzinfo=UTC)
    )
    two = revisions.reconcile(
        loader.load_text(definition("10:00")), one, datetime(2026, 1, 3, tzinfo=UTC)
    )
    gone = revisions.reconcile(
        loader.load_text(definition("09:00", drop="party")), base, datetime(2026, 1, 4, tzinfo=UTC)
    )
    merged = revisions.merge(two, gone)
    assert merged == revisions.merge(gone, two)  # the order of the sides does not matter
    assert merged.of("talk").sequence == 2 and merged.of("talk") == two.of("talk")
    assert "party" in merged.history and "party" not in merged.events  # removed after its edit
    assert merged.clock == max(two.clock, gone.clock)
    back = revisions.reconcile(
        loader.load_text(definition("10:00")), merged, datetime(2026, 1, 5, tzinfo=UTC)
    )
    assert back.of("party").sequence == 1  # it returns above what was published


_TIMES = st.integers(0, 5).map(lambda d: datetime(2026, 1, 1 + d, tzinfo=UTC))
_REVISION = st.builds(
    revisions.Revision,
    st.integers(0, 3),
    _TIMES,
    _TIMES,
    st.sampled_from(["s1", "s2"]),
    st.sampled_from(["c1", "c2"]),
)
_IDS = st.sampled_from(["a", "b", "c", "d"])


@st.composite
def _states(draw):
    events = draw(st.dictionaries(_IDS, _REVISION, max_size=4))
    history = draw(st.dictionaries(_IDS, _REVISION, max_size=4))
    history = {k: v for k, v in history.items() if k not in events}
    removed = {k: draw(_TIMES) for k in history}
    return revisions.Revisions("conf", events, removed, history)


@given(a=_states(), b=_states())
def test_merging_two_states_loses_no_sequence_and_no_time(a, b):
    merged = revisions.merge(a, b)
    assert merged == revisions.merge(b, a)
    for side in (a, b):
        for key, sequence in side.sequences().items():
            assert merged.sequences()[key] >= sequence, key
    assert merged.clock == max(a.clock, b.clock)
    assert not set(merged.events) & set(merged.history)
    assert set(merged.removed) == set(merged.history)
