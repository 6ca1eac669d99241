"""Small calendars' pages are made when first asked for, kept within a budget, and exact.

Issue 10: a site of thousands of small calendars kept every page in memory (hundreds of
megabytes) and made every one before it answered. Now a small calendar's pages are made
on the first request for one of them (``feeds.site.page_groups``). Whenever, and however
often, a page is made, it is the bytes and ETag a render of every page from nothing gives.
"""

from __future__ import annotations

import pytest

from bench import generate
from feeds import site
from feeds.render import pages
from feeds.revisions import EPOCH
from feeds.serve.store import Store
from feeds.site import page_groups
from feeds.site.page_groups import PageGroups
from tests.conftest import make_settings


@pytest.fixture
def many(tmp_path):
    folder, _ = generate.write_many(tmp_path / "gen", 30)
    return folder


def store(folder, budget=None):
    live = Store(make_settings(folder), write_revisions=False, settle_seconds=0, removal_grace=0)
    live.cache.page_groups.max_bytes = budget
    return live


def html_paths(built):
    return [p for p in built.resources if p.startswith(("/calendars/", "/embed/"))]


def test_every_page_made_on_request_is_the_page_of_a_render_from_nothing(many):
    built = store(many).site
    everything = pages.render_pages(built.builds, built.feeds, built.settings)  # no cache, no skip
    assert built.resources.fetched() > 0  # these calendars are small: their pages wait
    for path in html_paths(built):
        assert built.get(path).body == everything[path], path
    assert set(html_paths(built)) == {
        p for p in everything if p.startswith(("/calendars/", "/embed/"))
    }


def test_a_page_dropped_by_the_budget_is_made_again_with_the_same_bytes_and_etag(many):
    live = store(many, budget=1)  # room for none: every group is dropped once made
    path = next(p for p in html_paths(live.site) if p.startswith("/calendars/"))
    first = live.site.get(path)
    assert len(live.cache.page_groups) <= 1 and live.cache.page_groups.size <= len(first.body) * 20
    live.site.get(next(p for p in html_paths(live.site) if p != path))  # drops the first
    again = live.site.get(path)
    assert again is not first
    assert (again.body, again.etag, again.last_modified) == (
        first.body,
        first.etag,
        first.last_modified,
    )


def test_the_budget_bounds_what_is_kept(many):
    live = store(many, budget=200_000)
    for path in html_paths(live.site):
        live.site.get(path)
    assert 0 < live.cache.page_groups.size <= 200_000


def test_an_edit_keeps_the_pages_of_the_other_calendars_and_remakes_the_edited_ones(many):
    live = store(many)
    files = sorted(many.glob("*.yaml"))
    edited, other = files[2].stem, files[5].stem
    before = {c: live.site.get(pages.calendar_page(c)) for c in (edited, other)}
    files[2].write_text(
        files[2].read_text("utf-8").replace("title: ", "title: Moved ", 1), encoding="utf-8"
    )
    assert live.refresh()
    after = {c: live.site.get(pages.calendar_page(c)) for c in (edited, other)}
    assert after[other].body is before[other].body  # kept, not made again
    assert after[other].last_modified == live.site.get("/").last_modified  # the site's
    assert after[edited].body != before[edited].body
    assert b"Moved " in after[edited].body


def test_a_large_calendar_has_its_pages_made_with_the_site(tmp_path):
    folder = generate.write(tmp_path, page_groups.LAZY_EVENTS + 1).parent
    built = store(folder).site
    assert built.resources.fetched() == 0
    assert not page_groups.is_lazy(next(iter(built.builds)))


def test_a_removed_calendar_leaves_no_pages_kept(many):
    live = store(many)
    files = sorted(many.glob("*.yaml"))
    live.site.get(pages.calendar_page(files[0].stem))
    assert files[0].stem in live.cache.page_groups._groups
    files[0].unlink()
    (many / f"{files[0].stem}.revisions.json").unlink(missing_ok=True)
    assert live.refresh()
    assert files[0].stem not in live.cache.page_groups._groups
    assert live.site.get(pages.calendar_page(files[0].stem)) is None


def test_page_groups_alone():
    groups = PageGroups(max_bytes=10)
    build = object()
    resource = site.Resource("/calendars/a/", b"12345678", site.HTML_TYPE, EPOCH)
    groups.put("a", (build, 1), {"/calendars/a/": resource})
    assert groups.get("a", (build, 1)) == {"/calendars/a/": resource}
    assert groups.get("a", (object(), 1)) is None  # another build: made again
    assert groups.get("a", (build, 2)) is None  # other inputs: made again
    groups.put("b", (build, 1), {"/calendars/b/": resource})  # 16 bytes > 10: "a" dropped
    assert groups.get("a", (build, 1)) is None and groups.size == 8


def test_pages_asked_for_by_many_threads_at_once_are_the_same_bytes(many):
    """Concurrent first requests (and remakes after the budget drops a group) agree."""
    from concurrent.futures import ThreadPoolExecutor

    live = store(many, budget=100_000)  # small: groups are dropped and made again meanwhile
    built = live.site
    everything = pages.render_pages(built.builds, built.feeds, built.settings)
    paths = html_paths(built)

    def fetch(offset: int) -> list[tuple[str, bytes, str]]:
        order = paths[offset:] + paths[:offset]
        return [(p, built.get(p).body, built.get(p).etag) for p in order]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(fetch, range(0, 8 * 7, 7)))
    etags: dict[str, str] = {}
    for result in results:
        for path, body, etag in result:
            assert body == everything[path], path
            assert etags.setdefault(path, etag) == etag, path
    assert live.cache.page_groups.size <= 100_000
