"""RevisionCache: memos under visible keys, hit by identity or by value, never wrong."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from feeds import revisions
from feeds.definitions import loader
from feeds.model import Where
from tests.conftest import BUNDLED

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def _calendar():
    return loader.load_file(BUNDLED / "icml-2026.yaml")


def test_fingerprints_hit_by_identity_and_by_value_and_leave_events_alone():
    calendar = _calendar()
    cache = revisions.RevisionCache()
    first = revisions.reconcile(calendar, None, NOW, cache)
    table = cache.fingerprints[(calendar.id, revisions.VERSION)]
    event = calendar.events[0]
    assert table[event.id][0] is event
    assert "_fingerprints" not in event.__dict__  # no hidden memo on the frozen event
    # A copy whose lines moved (what the incremental loader makes) still hits.
    moved = object.__new__(type(event))
    moved.__dict__.update(event.__dict__, where=Where("elsewhere.yaml", 999))
    again = replace(calendar, events=(moved, *calendar.events[1:]))
    assert revisions.reconcile(again, first, NOW + timedelta(hours=1), cache) == first
    assert cache.fingerprints[(calendar.id, revisions.VERSION)][event.id][1] is table[event.id][1]
    # An edited event does not.
    edited = replace(event, title=event.title + "!")
    changed = replace(calendar, events=(edited, *calendar.events[1:]))
    later = revisions.reconcile(changed, first, NOW + timedelta(hours=2), cache)
    assert later == revisions.reconcile(changed, first, NOW + timedelta(hours=2))
    assert later.of(event.id).content != first.of(event.id).content


def test_dumps_and_read_with_a_cache_equal_them_without(tmp_path):
    stored = revisions.read(BUNDLED / "icml-2026.revisions.json")
    cache = revisions.RevisionCache()
    text = revisions.dumps(stored, cache)
    assert text == revisions.dumps(stored)
    assert text == json.dumps(revisions.as_json(stored), indent=1, ensure_ascii=False) + "\n"
    assert revisions.dumps(stored, cache) is text  # the last dump, by identity
    path = tmp_path / "r.json"
    path.write_text(text, encoding="utf-8")
    once = revisions.read(path, cache)
    assert once == stored and revisions.read(path, cache) is once
    assert revisions.read(path) is not once  # no cache: read afresh
    path.write_text(text.replace('"calendar": "', '"calendar": "x'), encoding="utf-8")
    assert revisions.read(path, cache).calendar == "x" + stored.calendar
