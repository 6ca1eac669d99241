"""Fingerprints of named fields, versioned: upgrading a file changes no SEQUENCE and no time.

``data/icml-2026.v1.revisions.json`` is the bundled revisions file as it was committed
before version 2 (fingerprints of dataclass reprs); ``events/icml-2026.revisions.json``
is what ``feeds revise`` made of it.
"""

from __future__ import annotations

import dataclasses
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feeds import model, revisions
from feeds.definitions import loader
from feeds.revisions import fingerprints
from feeds.serve.store import Store
from tests.conftest import BUNDLED, make_settings
from tests.revisions.support import events, feeds
from tests.test_interop import corpus_copy

V1 = Path(__file__).parent / "data" / "icml-2026.v1.revisions.json"
#: The bundled file as version 2 wrote it (fingerprints of named fields, no change log).
V2 = Path(__file__).parent / "data" / "icml-2026.v2.revisions.json"
NAME = "icml-2026.revisions.json"


def _bundled():
    return loader.load_file(BUNDLED / "icml-2026.yaml")


def _served(folder: Path) -> dict[str, bytes]:
    site = Store(make_settings(folder), write_revisions=False).site
    return {path: r.body for path, r in site.resources.items()}


def test_version_1_reproduces_every_digest_of_the_committed_v1_file():
    stored = revisions.parse(V1.read_text("utf-8"))
    assert stored.version == 1
    calendar = _bundled()
    for event in calendar.events:
        entry = stored.events[event.id]
        assert fingerprints.prints(event, 1) == (entry.schedule, entry.content), event.id
    assert fingerprints.header_prints(calendar, 1) == (stored.header.content, stored.header.place)


@pytest.mark.parametrize("source", [V1, V2], ids=["v1", "v2"])
def test_upgrading_the_bundled_file_keeps_every_sequence_time_and_published_byte(tmp_path, source):
    old = tmp_path / "v1"
    shutil.copytree(BUNDLED, old, ignore=shutil.ignore_patterns(".*"))
    shutil.copy(source, old / NAME)
    before = _served(old)
    done = feeds("revise", str(old))
    assert done.returncode == 0, done.stderr
    assert "0 event(s) revised (upgraded to format version 3)" in done.stdout
    upgraded = (old / NAME).read_text("utf-8")
    assert upgraded == (BUNDLED / NAME).read_text("utf-8")  # what is committed
    v1, v2 = revisions.parse(source.read_text("utf-8")), revisions.parse(upgraded)
    assert v2.version == revisions.VERSION
    for section in ("events", "history"):
        a, b = getattr(v1, section), getattr(v2, section)
        assert {k: (r.sequence, r.created, r.modified) for k, r in a.items()} == {
            k: (r.sequence, r.created, r.modified) for k, r in b.items()
        }
    assert (v1.removed, v1.header.modified) == (v2.removed, v2.header.modified)
    assert _served(old) == before
    again = feeds("revise", str(old))
    assert "0 event(s) revised" in again.stdout and "upgraded" not in again.stdout


def _as_v1(state: revisions.Revisions, calendar: model.Calendar) -> revisions.Revisions:
    """``state`` as a version-1 writer would have stored it: the same revisions, the old
    digests (which the test above shows equal to what the old code wrote)."""
    ev = {}
    for key, r in state.events.items():
        schedule, content = fingerprints.prints(calendar.event(key), 1)
        ev[key] = dataclasses.replace(r, schedule=schedule, content=content)
    content, place = fingerprints.header_prints(calendar, 1)
    header = dataclasses.replace(state.header, content=content, place=place)
    return dataclasses.replace(state, events=ev, header=header, version=1)


def test_upgrading_the_corpus_keeps_every_sequence_and_published_byte(tmp_path):
    folder = corpus_copy(tmp_path / "corpus")
    calendars = loader.load_folder(folder)
    current = {}
    for calendar in calendars:
        path = revisions.revisions_path(calendar)
        current[calendar.id] = revisions.read(path)
        path.write_text(revisions.dumps(_as_v1(current[calendar.id], calendar)), "utf-8")
    before = _served(folder)
    moved = [c for c in current.values() if any(r.sequence for r in c.events.values())]
    assert moved, "the corpus has an edited calendar (SEQUENCE 1 somewhere)"
    later = datetime(2027, 1, 1, tzinfo=UTC)
    for calendar in calendars:
        upgraded = revisions.update(calendar, now=later)
        assert upgraded == current[calendar.id]  # the v2 state, not one time moved
    assert _served(folder) == before


def test_every_event_field_is_fingerprinted_by_name_or_said_not_to_be():
    event = dataclasses.replace(_bundled().events[0], busy=False)  # busy: named when given
    named = set(fingerprints.everything(event))
    declared = {f.name for f in dataclasses.fields(model.Event)}
    assert declared == named | set(fingerprints.NOT_FINGERPRINTED)
    assert set(fingerprints.material(event)) == {"when", "repeat", "status", "location"}


def test_version_2_does_not_depend_on_reprs_or_class_names(monkeypatch):
    calendar = _bundled()
    before = [fingerprints.prints(e, 2) for e in calendar.events]
    for cls in (model.Timed, model.AllDay, model.Deadline, model.Repeat, model.Event):
        monkeypatch.setattr(cls, "__repr__", lambda self: "renamed")
    assert [fingerprints.prints(e, 2) for e in calendar.events] == before
    assert [fingerprints.prints(e, 1) for e in calendar.events] != before  # v1 did


EDITS = {
    "title": ("    title: ICML 2026\n", "    title: ICML 2026 (Seoul)\n", False),
    "description": ("    description: All ten", "    description: Updated. All ten", False),
    "tags": ("    kind: conference\n", "    kind: conference\n    tags: [main]\n", False),
    "dates": ("    end: 2026-07-11 ", "    end: 2026-07-12 ", True),
    "deadline": ("    due: 2026-01-23", "    due: 2026-01-24", True),
    "url": ("    url: https://icml.cc/\n", "    url: https://icml.cc/2026\n", False),
    "status": ("    kind: conference\n", "    kind: conference\n    status: cancelled\n", True),
    "own location": (
        "    kind: conference\n",
        "    kind: conference\n    location: Hall 7\n",
        True,
    ),
}


@pytest.mark.parametrize("field", sorted(EDITS))
def test_what_raises_sequence_and_what_only_moves_last_modified(tmp_path, field):
    old, new, material = EDITS[field]
    source = (BUNDLED / "icml-2026.yaml").read_text("utf-8")
    assert old in source, old
    path = tmp_path / "icml-2026.yaml"
    path.write_text(source, "utf-8")
    shutil.copy(BUNDLED / NAME, tmp_path / NAME)
    stored = revisions.read(tmp_path / NAME)
    path.write_text(source.replace(old, new, 1), "utf-8")
    later = datetime(2027, 1, 1, tzinfo=UTC)
    fresh = revisions.update(loader.load_file(path), now=later)
    changed = {k for k, r in fresh.events.items() if r != stored.events.get(k)}
    assert changed, field
    for key in changed:
        assert fresh.events[key].modified == later
        assert fresh.events[key].sequence == stored.events[key].sequence + (1 if material else 0)
    served = events(_served(tmp_path)["/feeds/icml-2026.ics"])
    for key in changed:
        assert int(served[key]["SEQUENCE"]) == fresh.events[key].sequence
        assert served[key]["LAST-MODIFIED"].dt == later


def test_a_read_only_deployment_of_a_v1_file_keeps_serving_the_same_bytes(tmp_path, monkeypatch):
    """Upgrading feeds where the revisions cannot be written: only fingerprints would
    change, so nothing needs recording and nothing is refused."""
    old = tmp_path / "v1"
    shutil.copytree(BUNDLED, old, ignore=shutil.ignore_patterns(".*"))
    shutil.copy(V1, old / NAME)
    before = _served(old)
    from feeds.revisions import save

    monkeypatch.setattr(save, "_write_atomic", lambda path, text: "Read-only file system")
    live = Store(make_settings(old), settle_seconds=0)
    assert live.health()[0]["status"] == "ok"
    assert {p: r.body for p, r in live.site.resources.items()} == before
    assert (old / NAME).read_bytes() == V1.read_bytes()
    (old / "icml-2026.yaml").write_text(
        (old / "icml-2026.yaml")
        .read_text("utf-8")
        .replace("    title: ICML 2026\n", "    title: X\n")
    )
    live.refresh()  # a real change cannot be recorded: refused, the last good version stays
    assert {p: r.body for p, r in live.site.resources.items()} == before
    assert any("cannot be written (Read-only file system)" in e for e in live.health()[0]["errors"])
