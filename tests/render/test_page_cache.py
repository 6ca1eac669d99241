"""The HTML pages' cache (feeds.render.page_cache.PageCache): an edit re-renders what it
touched, with the same bytes.

No timing here: the tests count what is rendered and compare bytes with a render from
nothing.
"""

from __future__ import annotations

import os
from datetime import datetime

import pytest

from feeds.render import pages
from feeds.serve.store import Store
from feeds.site import page_groups
from tests.conftest import BUNDLED, make_settings

SOURCE = (BUNDLED / "icml-2026.yaml").read_text(encoding="utf-8")
TITLE = "  - id: conference\n    title: ICML 2026\n"


@pytest.fixture
def spied(monkeypatch):
    """Counts of calendar pages and agenda rows rendered (not reused), every calendar's pages
    made with the site (as a large calendar's are: small ones' wait, see test_page_groups)."""
    monkeypatch.setattr(page_groups, "LAZY_EVENTS", -1)
    counts = {"calendar": [], "event_row": 0, "rows_of": 0}
    calendar, rows_of, macros = pages._Renderer.calendar, pages.rows_of, pages._macros

    def spy_calendar(self, build):
        counts["calendar"].append(build.calendar.id)
        return calendar(self, build)

    def spy_rows_of(view, zone):
        counts["rows_of"] += 1
        return rows_of(view, zone)

    class Spy:
        def __init__(self, module):
            self.module = module

        def event_row(self, *args):
            counts["event_row"] += 1
            return self.module.event_row(*args)

        def __getattr__(self, name):
            return getattr(self.module, name)

    monkeypatch.setattr(pages._Renderer, "calendar", spy_calendar)
    monkeypatch.setattr(pages, "rows_of", spy_rows_of)
    monkeypatch.setattr(pages, "_macros", lambda *a: Spy(macros(*a)))
    return counts


def _fresh_pages(site) -> dict[str, bytes]:
    return pages.render_pages(site.builds, site.feeds, site.settings)  # no cache: from nothing


def test_an_edit_re_renders_one_calendars_pages_and_one_events_rows(tmp_path, spied):
    folder = tmp_path / "events"
    folder.mkdir()
    (folder / "a.yaml").write_text(SOURCE, encoding="utf-8")
    other = SOURCE.replace("\nid: icml-2026\n", "\nid: other-2026\n")
    (folder / "b.yaml").write_text(other, encoding="utf-8")
    live = Store(make_settings(folder), settle_seconds=0)
    assert sorted(set(spied["calendar"])) == ["icml-2026", "other-2026"]
    assert spied["event_row"] > 10

    assert TITLE in SOURCE
    edited = SOURCE.replace(TITLE, TITLE.replace("ICML 2026", "ICML 2026 (edited)"))
    for i, text in enumerate([edited, SOURCE]):
        spied["calendar"].clear()
        spied["event_row"] = spied["rows_of"] = 0
        path = folder / "a.yaml"
        path.write_text(text, encoding="utf-8")
        stamp = datetime.now().timestamp() - 100 + i
        os.utime(path, (stamp, stamp))
        live.refresh()
        assert spied["calendar"] == ["icml-2026"]  # the other calendar's pages are reused
        assert spied["rows_of"] == 1  # only the edited event's rows, in its calendar's zone
        assert spied["event_row"] == 1  # one row (a conference has one occurrence)
        resources = live.site.resources.items()
        html = {  # the pages, and the front page's search index rendered with them
            p: r.body
            for p, r in resources
            if r.media_type.startswith("text/html") or p == "/search.json"
        }
        assert html == _fresh_pages(live.site)


def test_render_all_equals_a_render_from_nothing_when_nothing_changed(tmp_path, spied):
    live = Store(make_settings(BUNDLED), settle_seconds=0, write_revisions=False)
    site = live.site
    cache = pages.PageCache()
    first = pages.render_all(site.builds, site.feeds, site.settings, cache)
    spied["event_row"] = 0
    again = pages.render_all(site.builds, site.feeds, site.settings, cache)
    assert spied["event_row"] == 0
    assert again == first == {p: b.decode() for p, b in _fresh_pages(site).items()}


def test_a_site_cache_is_what_a_re_assembly_reuses(tmp_path):
    from feeds import site as site_module

    live = Store(make_settings(BUNDLED), settle_seconds=0, write_revisions=False)
    builds, settings = live.site.builds, live.site.settings
    page = "/calendars/icml-2026/"
    # the store's cache: the same page Resource (its bytes not hashed again)
    again = site_module.assemble(builds, settings, live.cache)
    assert again.get(page) is live.site.get(page)
    assert again.cache is live.cache
    # no cache: nothing reused, the same bytes
    fresh = site_module.assemble(builds, settings)
    assert fresh.get(page) is not live.site.get(page)
    assert fresh.get(page).body == live.site.get(page).body
    assert fresh.cache is not live.cache
