"""A large calendar's pages are split by month (or by day), every event still one click away.

Issue 10: the calendar page of 10,000 events was 32 MB of HTML. A calendar of more than
``PAGED_EVENTS`` events now has, at its usual URL, an index of its months (of its days when
a month holds more than ``MONTH_EVENTS``), and a page per part at ``.../on/<part>/``. The
pages are read back with an HTML parser: every event's anchor is on exactly one part, the
one its links name, and every link between the parts leads to a page of the site.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from bench import generate
from feeds.render import views
from feeds.serve.store import Store
from tests.conftest import make_settings
from tests.render.test_browser import _missing, browser  # noqa: F401

BASE = "/calendars/bench/"


class Page(HTMLParser):
    """The ids and the link targets of one page."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])


def site_of(tmp_path, events: int):
    folder = generate.write(tmp_path, events).parent
    return Store(make_settings(folder), write_revisions=False, settle_seconds=0).site


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    return site_of(tmp_path_factory.mktemp("paging"), views.PAGED_EVENTS + 200)


def parts_of(site, base: str = BASE) -> list[str]:
    return [p for p in site.resources if p.startswith(base + "on/") and p.count("/") == 5]


def test_a_calendar_of_paged_events_or_fewer_is_one_page(tmp_path):
    site = site_of(tmp_path, views.PAGED_EVENTS)
    assert parts_of(site) == []
    assert len(Page(site.get(BASE).body.decode()).ids & {"e-ev-000001", "e-ev-000999"}) == 2


def test_a_larger_calendar_has_an_index_of_months_and_a_page_per_month(big):
    parts = parts_of(big)
    assert len(parts) > 1
    index = Page(big.get(BASE).body.decode())
    linked = {urljoin(BASE, urlsplit(href).path) for href in index.links}
    assert set(parts) <= linked  # the index links every part
    assert not any(i.startswith("e-ev-") for i in index.ids)  # and shows no agenda
    for part in parts:
        key = part.removeprefix(BASE + "on/").strip("/")
        assert len(key) == len("2026-07")  # by month: this calendar has no crowded month
        assert len(big.get(part).body) < 1_000_000


def test_every_event_is_on_exactly_the_part_its_links_name(big):
    build = next(b for b in big.builds if b.calendar.id == "bench")
    unit = views.page_unit(build)
    on: dict[str, str] = {}
    for part in parts_of(big):
        for anchor in Page(big.get(part).body.decode()).ids:
            if anchor.startswith("e-ev-"):
                assert anchor not in on, f"{anchor} on {on.get(anchor)} and {part}"
                on[anchor] = part
    for r in build.events:
        view = views.event_view(r.event, build.calendar, big.settings, unit)
        assert on[view.anchor] == view.page, view.anchor
    assert len(on) == len(build.events)


def test_the_links_between_parts_lead_to_pages_of_the_site(big):
    parts = parts_of(big)
    for part in (parts[0], parts[len(parts) // 2], parts[-1]):
        for href in Page(big.get(part).body.decode()).links:
            target = urlsplit(urljoin(part, href))
            if target.scheme or target.netloc or not target.path.startswith("/calendars/"):
                continue
            assert target.path in big.resources, (part, href)
    middle = Page(big.get(parts[1]).body.decode()).links
    assert {urljoin(parts[1], h) for h in middle} >= {parts[0], parts[2], BASE}


def test_kind_pages_are_split_like_the_calendar_page(big):
    kind_parts = [
        p for p in big.resources if p.startswith(BASE) and "/on/" in p and p.count("/") == 6
    ]
    assert kind_parts  # e.g. /calendars/bench/sessions/on/2026-01/


def test_a_crowded_month_splits_the_calendar_by_day(tmp_path, monkeypatch):
    monkeypatch.setattr(views, "MONTH_EVENTS", 10)
    site = site_of(tmp_path, views.PAGED_EVENTS + 1)
    parts = parts_of(site)
    assert parts and all(len(p.removeprefix(BASE + "on/").strip("/")) == 10 for p in parts)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from tests.pages_support import make_app
    from tests.render.test_browser import Server

    folder = generate.write(tmp_path_factory.mktemp("served"), views.PAGED_EVENTS + 200).parent
    server = Server()
    server.start(make_app(folder, server.base))
    yield server.base
    server.stop()


@pytest.mark.skipif(_missing() is not None, reason=_missing() or "")
@pytest.mark.parametrize("part", ["index", "month"])
def test_no_axe_violations_on_the_index_and_a_part(browser, served, part):  # noqa: F811
    from tests.render.test_accessibility import AXE, axe_run

    if not AXE.exists():
        pytest.skip("no axe-core: run `npm ci` (make test)")
    context = browser.new_context(locale="en-GB", timezone_id="Europe/Berlin", bypass_csp=True)
    page = context.new_page()
    page.goto(served + BASE + ("" if part == "index" else "on/2026-02/"))
    page.wait_for_function("document.documentElement.classList.contains('times-ready')")
    result = axe_run(page)
    context.close()
    assert result["violations"] == [], result["violations"]
