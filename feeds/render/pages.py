"""The HTML pages, rendered once per data change like the feeds (a small calendar's when
first asked for: :class:`CalendarPages`, kept by :mod:`feeds.site.page_groups`).

This module renders them (:func:`render_pages`, reusing the pieces a
:class:`~feeds.render.page_cache.PageCache` kept from the last render); what they
show is :mod:`feeds.render.views` and :mod:`feeds.render.boxes`, their URLs
:mod:`feeds.render.paths`, their static files and QR codes :mod:`feeds.render.assets`.

Templates live in ``feeds/templates`` (Jinja2 escapes every value); CSS and
JavaScript in ``feeds/static`` are served as site resources, so the pages load
nothing from another host and work as static files. Every page is a pure
function of the data: nothing here reads the clock. What depends on "now"
(which events are past, the viewer's own time zone) is done in the browser by
``static/local-times.js`` from the UTC instants written into the page; without
JavaScript the agenda is complete, in date order, in the calendar's zone.

Links between pages are relative (``../../static/site.css``), so an export
works under any host and folder; absolute URLs (feeds, webcal, QR codes,
embed snippets) come only from ``settings.public_url``.

URLs::

    /                                   front page: upcoming deadlines, search (render.front)
    /archive/, /search.json             past conference-years; the front page's search index
    /calendars/<calendar>/              agenda, subscribe box, per-event links, picker
    /calendars/<calendar>/<kinds>/      the same for one kind (the kind filter)
    .../on/<2026-07 or 2026-07-08>/     a month or day of a calendar of > 1,000 events
    /tags/<tag>/, /series/<series>/     the feeds spanning calendars (render.group_pages)
    /embed/<feed-id>/                   compact agenda that other sites may frame
    /examples/widget/                   the cross-origin widget, demonstrated
    /qr/<feed-id>.svg                   QR code of the feed URL
    /static/...                         CSS and JavaScript
    /subscribe/?feed=..&ids=..          "your feed" (the one page rendered per request)
"""

from __future__ import annotations

import copy
import re
import secrets
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import date
from functools import lru_cache

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from feeds.config import Settings
from feeds.model import Calendar
from feeds.render import front, group_pages, metadata
from feeds.render.assets import (
    SVG_TYPE,
    QrCache,
    assets,
    qr_data_uri,
    qr_path,
    qr_svg,
    qr_urls,
    static_assets,
    static_files,
    static_path,
)
from feeds.render.boxes import (
    SubscribeBox,
    calendar_actions,
    quick_action,
    subscribe_box,
)
from feeds.render.page_cache import Generation, PageCache
from feeds.render.paths import (
    EMBED_PREFIX,
    PageLinks,
    calendar_page,
    embed_page,
    kind_page,
    relative,
)
from feeds.render.views import (
    Day,
    EventView,
    Row,
    agenda,
    by_kind,
    event_view,
    kind_label,
    kinds_label,
    page_unit,
    paged_agenda,
    row_order,
    rows_of,
    short_date,
    zone_name,
)
from feeds.render.views import Lookup as _Lookup
from feeds.render.views import feed_zone as _feed_zone

__all__ = [  # the names other modules and the tests use, wherever they are defined
    "EMBED_PREFIX",
    "SVG_TYPE",
    "PageCache",
    "QrCache",
    "SubscribeBox",
    "agenda",
    "assets",
    "calendar_page",
    "embed_page",
    "kind_page",
    "qr_data_uri",
    "qr_path",
    "qr_svg",
    "qr_urls",
    "relative",
    "render_all",
    "render_front",
    "render_pages",
    "render_your_feed",
    "rows_of",
    "static_assets",
    "static_files",
    "static_path",
]

#: Reminder choices offered by the picker (any ``?alarm=`` value works in URLs), each in its
#: canonical form, so "Change your choice" can tick them again from the canonical query.
REMINDER_CHOICES = (("7d", "1 week"), ("1d", "1 day"), ("1h", "1 hour"), ("15m", "15 minutes"))

_env = Environment(
    loader=PackageLoader("feeds", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


# -- rendering ----------------------------------------------------------------------------

#: A link inside a cached agenda row: ``\x00<n>\x01`` stands for ``url(targets[n])``, worked
#: out per page (the calendar page and its kind pages link the same targets from other folders).
_LINK = re.compile("\x00(\\d+)\x01")

#: Stands in a page's text for its agenda's day sections (random: no data can contain it).
_MARKER = f"\x02agenda-{secrets.token_hex(16)}\x03"


class _Renderer:
    """Renders the pages of one site from the pieces of the last render (``old``).

    What it uses goes into a new generation (``new``), which the caller keeps for the next.
    """

    def __init__(
        self, builds: Sequence, feeds: Sequence, settings: Settings, old: Generation | None = None
    ):
        self.builds = builds
        self.feeds = feeds
        self.settings = settings
        self._views: dict[str, list[EventView]] = {}
        self.old, self.new = old if old is not None else Generation(), Generation()
        self.group_feeds = group_pages.main_feeds(feeds)  # what calendar pages link to
        lookup = _Lookup(builds, feeds)
        self.feeds_of, self.builds_in = lookup.feeds_of, lookup.builds_in

    def views(self, build, kind: str | None = None) -> list[EventView]:
        """The views of ``build``'s events (of ``kind`` alone: the front page's deadlines)."""
        cal = build.calendar
        if kind is None and cal.id in self._views:
            return self._views[cal.id]
        context = (cal.id, cal.location, cal.timezone, self.settings.public_url, page_unit(build))
        old, new, out = self.old.views, self.new.views, []
        for event in (r.event for r in build.events if kind in (None, r.event.kind)):
            hit = new.get(id(event)) or old.get(id(event))
            if hit is None or hit[0] is not event or hit[1] != context:
                hit = (event, context, event_view(event, cal, self.settings, context[4]))
            new[id(event)] = hit
            out.append(hit[2])
        if kind is None:
            self._views[cal.id] = out
        return out

    def rows(self, view: EventView, zone: str) -> list[Row]:
        key = (id(view), zone)
        hit = self.new.rows.get(key) or self.old.rows.get(key)
        if hit is None or hit[0] is not view:
            hit = (view, rows_of(view, zone))
        self.new.rows[key] = hit
        return hit[1]

    def agenda(self, views: Sequence[EventView], zone: str) -> list[Day]:
        """:func:`agenda`, from the cached rows."""
        days: dict[date, Day] = {}
        for view in views:
            for row in self.rows(view, zone):
                day = days.get(row.day)
                if day is None:
                    day = days[row.day] = Day(row.day)
                day.rows.append(row)
        for day in days.values():
            day.rows.sort(key=row_order)
        return [days[d] for d in sorted(days)]

    def build_agenda(self, build, zone: str, kind: str | None = None) -> list[Day]:
        """The agenda of ``build``'s events (of ``kind``) in ``zone``, kept while the build is.

        Rows sort by a total order up to ties kept in input order, and filtering keeps order,
        so filtering the whole agenda by kind equals sorting the kind's rows.
        """
        key = (id(build), zone, kind)
        hit = self.new.agendas.get(key)
        if hit is None:
            hit = self.old.agendas.get(key)
            if hit is None or hit[0] is not build:
                if kind is None:
                    hit = (build, self.agenda(self.views(build), zone))
                else:  # every kind's agenda in one pass over the whole one
                    for k, days in by_kind(self.build_agenda(build, zone)).items():
                        self.new.agendas[(id(build), zone, k)] = (build, days)
                    hit = self.new.agendas.get(key) or (build, [])
            elif kind is None:
                for view in self.views(build):  # still used: carry its rows to the next render
                    self.rows(view, zone)
            self.new.agendas[key] = hit
        return hit[1]

    def feed_agenda(self, feed, zone: str) -> list[Day]:
        """``agenda(feed_views(feed), zone)``, from the build's agenda when it has one build."""
        scope = feed.scope
        builds = self.builds_in(scope)
        if len(builds) != 1 or scope.since is not None:
            return self.agenda(self.feed_views(feed), zone)
        # the build's agenda split by kind: equal to filtering it by scope.includes_kind
        return self.build_agenda(builds[0], zone, scope.kind)

    def days_html(self, page: str, days: list[Day], render) -> Markup:
        """An agenda's day sections on ``page``; a day is kept while it has the same rows.

        The sections are UTF-8 bytes joined into the page by :meth:`page` in place of the
        marker returned here (joining megabytes of text through Jinja copies them twice).
        """
        public_url = self.settings.public_url
        section = _macros("", public_url).day_section
        old, new = self.old.days, self.new.days
        out = []
        for day in days:
            rows = day.rows
            key = (page, public_url, *map(id, rows))  # the entry holds the rows: ids stay theirs
            hit = new.get(key) or old.get(key)
            if hit is None:
                html = Markup("".join([render(r) for r in rows]))
                hit = (rows, str(section(day, html, "h3")).encode("utf-8"))
            new[key] = hit
            out.append(hit[1])
        self._sections.append(out)
        return Markup(_MARKER)

    def page(
        self,
        template: str,
        path: str,
        head: dict | None = None,
        sections: list | None = None,
        **context,
    ) -> bytes:
        """``template`` rendered with ``head``, its :func:`metadata.head` (the site's by
        default); each marker in its text (from :meth:`days_html`, or one per entry of
        ``sections``, made before) is replaced by its UTF-8 pieces."""

        def url(to: str) -> str:
            return relative(path, to)

        def static(name: str) -> str:
            return relative(path, static_path(name))

        self._sections = list(sections or [])
        text = _env.get_template(template).render(
            site_name=self.settings.site_name,
            public_url=self.settings.public_url,
            path=path,
            url=url,
            static=static,
            **(head or metadata.head(self.settings, path)),
            **context,
        )
        pieces = text.split(_MARKER)
        if len(pieces) != len(self._sections) + 1:
            raise AssertionError("an agenda marker in a page's text")
        out = [pieces[0].encode("utf-8")]
        for sections, after in zip(self._sections, pieces[1:], strict=True):
            out.extend(sections)
            out.append(after.encode("utf-8"))
        if len(out) == 1:
            return out[0]
        # the same pieces as last time (the sections are the same objects): the same bytes
        # object, which the site then neither joins nor hashes again
        key = (template, path)
        hit = self.old.pages.get(key)
        if (
            hit is None
            or len(hit[0]) != len(out)
            or not all(a is b or a == b for a, b in zip(hit[0], out, strict=True))
        ):
            hit = (out, b"".join(out))
        self.new.pages[key] = hit
        return hit[1]

    def all(self, skip: Collection[str | None] = ()) -> dict[str, bytes]:
        out = front.front_page(self)
        order = ["/", front.ARCHIVE_PATH, front.SEARCH_PATH]
        for build in (b for b in self.builds if b.calendar.id not in skip):
            pages = self.calendar_and_embeds(build)
            out.update(pages)
            prefix = calendar_page(build.calendar.id)  # ids have no "/": only its own pages
            order.extend(p for p in pages if p.startswith(prefix))
        for feed in self.feeds:
            if feed.calendar_id is None and not feed.archive and None not in skip:
                out[embed_page(feed.id)] = self.embed(feed)
        groups = group_pages.contexts(self.builds, self.feeds, self.settings)
        for path, context in groups.items():
            out[path] = self.page("group.html", path, **context)
        out["/examples/widget/"] = _widget_example(self)
        # the order of render_all's result is the order pages were added before caching
        order.extend(
            embed_page(f.id) for f in self.feeds if not f.archive and f.calendar_id not in skip
        )
        order.extend(groups)
        order.append("/examples/widget/")
        return {p: out[p] for p in order}

    def calendar_and_embeds(self, build) -> dict[str, bytes]:
        """A calendar's pages and its feeds' embed pages: reused while its build is the same."""
        feeds = tuple(self.feeds_of(build.calendar.id))
        key = id(build)
        hit = self.new.calendars.get(key) or self.old.calendars.get(key)
        if hit is not None and hit[0] is build and hit[1] == self.settings and hit[2] == feeds:
            # still used: keep the rows and views it was made from for the next edit
            for view in self.views(build):
                self.rows(view, build.calendar.timezone)
            self.new.calendars[key] = hit
            return hit[3]
        out = self.calendar(build)
        for feed in feeds:
            out[embed_page(feed.id)] = self.embed(feed)
        self.new.calendars[key] = (build, self.settings, feeds, out)
        return out

    def macro(self, name: str):
        """A macro of ``_macros.html`` for pages at the site's root (the front page's rows)."""
        return getattr(_macros("", self.settings.public_url), name)

    def calendar_row(self, row: Row, zone: str) -> list[str]:
        """A row of the calendar pages, its links left open: [text, target, text, ...]."""
        key = (id(row), zone)
        hit = self.new.calendar_rows.get(key) or self.old.calendar_rows.get(key)
        if hit is None or hit[0] is not row:
            targets: list[str] = []

            def url(to: str) -> Markup:
                targets.append(to)
                return Markup(f"\x00{len(targets) - 1}\x01")

            macros = _macros(zone_name(zone))
            html = str(macros.event_row(row, url, "h4", True))
            parts = _LINK.split(html)
            for i in range(1, len(parts), 2):
                parts[i] = targets[int(parts[i])]
            hit = (row, parts)
        self.new.calendar_rows[key] = hit
        return hit[1]

    def calendar(self, build) -> dict[str, bytes]:
        cal: Calendar = build.calendar
        views = self.views(build)
        feeds = self.feeds_of(cal.id)
        main_feed = next(f for f in feeds if f.kind is None)
        kinds = sorted({v.event.kind for v in views})
        filters = [("All", len(views), calendar_page(cal.id), None)] + [
            (kinds_label(k), sum(1 for v in views if v.event.kind == k), kind_page(cal.id, k), k)
            for k in kinds
        ]
        out, zone, unit = {}, cal.timezone, page_unit(build)
        for kind in [None, *kinds]:
            feed = main_feed if kind is None else next(f for f in feeds if f.kind == kind)
            base = calendar_page(cal.id) if kind is None else kind_page(cal.id, kind)
            for at, shown, pager in paged_agenda(base, self.build_agenda(build, zone, kind), unit):
                links = PageLinks(at)

                def days_html(days: list[Day], links=links, path=at) -> Markup:
                    row = self.calendar_row
                    return self.days_html(path, days, lambda r: links.join(row(r, zone)))

                out[at] = self.page(
                    "calendar.html",
                    at,
                    metadata.calendar_head(self.settings, at, build, feed, main_feed, shown),
                    calendar=cal,
                    feed=feed,
                    kind=kind,
                    kind_label=kinds_label(kind) if kind else "",
                    kind_one=kind_label(kind) if kind else "",
                    filters=filters,
                    days=shown,
                    pager=pager,
                    zone=zone,
                    zone_name=zone_name(zone),
                    box=subscribe_box(feed, self.settings, at),
                    actions=calendar_actions(feeds, main_feed, kind, self.settings),
                    memberships=group_pages.memberships(cal, self.group_feeds),
                    reminders=REMINDER_CHOICES,
                    short_date=short_date,
                    days_html=days_html,
                )
        return out

    def feed_views(self, feed) -> list[EventView]:
        """The views of the events ``feed.scope`` includes."""
        scope = feed.scope
        return [
            v for b in self.builds_in(scope) for v in self.views(b) if scope.includes_event(v.event)
        ]

    def embed_row(self, row: Row, zone: str) -> Markup:
        """A row of the embed pages: the same in every feed's embed page with this zone."""
        public_url = self.settings.public_url
        key = (id(row), zone, public_url)
        hit = self.new.embed_rows.get(key) or self.old.embed_rows.get(key)
        if hit is None or hit[0] is not row:
            macros = _macros(zone_name(zone), public_url)
            hit = (row, macros.embed_row(row))
        self.new.embed_rows[key] = hit
        return hit[1]

    def embed(self, feed) -> bytes:
        path = embed_page(feed.id)
        zone = _feed_zone(feed)
        return self.page(
            "embed.html",
            path,
            feed=feed,
            days=self.feed_agenda(feed, zone),
            zone=zone,
            zone_name=zone_name(zone),
            full_page=self.settings.public_url + _feed_page(feed),
            feed_url=self.settings.public_url + feed.path,
            days_html=lambda days: self.days_html(path, days, lambda r: self.embed_row(r, zone)),
        )


def _widget_example(renderer: _Renderer) -> bytes:
    """The widget example page (the merged feed of everything, when there is one)."""
    path = "/examples/widget/"
    feed = next((f for f in renderer.feeds if f.id == "all"), None)
    return renderer.page(
        "widget.html",
        path,
        metadata.head(renderer.settings, path, metadata.WIDGET_DESCRIPTION),
        feeds_json=renderer.settings.public_url + "/feeds.json",
        feed=feed,
        widget_src=renderer.settings.public_url + static_path("widget.js"),
    )


def _feed_page(feed) -> str:
    """The page showing a feed's events: its kind's page, its calendar's, or the index."""
    if feed.calendar_id is None:
        return group_pages.page_of(feed) or "/"
    if feed.kind is None:
        return calendar_page(feed.calendar_id)
    return kind_page(feed.calendar_id, feed.kind)


def render_all(
    builds: Sequence, feeds: Sequence, settings: Settings, cache: PageCache | None = None
) -> dict[str, str]:
    """Every page of the site by URL path."""
    rendered = render_pages(builds, feeds, settings, cache)
    return {path: body.decode("utf-8") for path, body in rendered.items()}


def render_pages(
    builds: Sequence,
    feeds: Sequence,
    settings: Settings,
    cache: PageCache | None = None,
    skip: Collection[str | None] = (),
) -> dict[str, bytes]:
    """Every page of the site by URL path, as UTF-8 bytes.

    Pages, agenda rows and event views are kept in ``cache`` from the previous call with it
    (see :class:`PageCache`): a calendar whose build is unchanged keeps its pages, and an
    edited calendar re-renders only the rows of the events that changed; the pages are then
    joined again. Without a cache, everything is rendered.
    The calendars in ``skip`` are left out (their pages and their feeds' embeds), and with
    None in it the embeds of the feeds spanning calendars, for :class:`CalendarPages` to make
    when asked for.
    """
    renderer = _Renderer(builds, feeds, settings, cache.last if cache is not None else None)
    out = renderer.all(skip)
    if cache is not None:
        cache.last = renderer.new
    return out


class CalendarPages:
    """One calendar's pages at a time (its page, its kinds' pages, its feeds' embeds), each
    the bytes :func:`render_pages` gives it, made from nothing (for :mod:`feeds.site.page_groups`).

    Thread-safe: each call renders with its own caches; the site's lookups are made once."""

    def __init__(self, builds: Sequence, feeds: Sequence, settings: Settings):
        self._site = _Renderer(builds, feeds, settings)

    def paths(self, build) -> list[str]:
        """The URL paths :meth:`render` gives, known without rendering."""
        cid = build.calendar.id
        kinds = sorted({r.event.kind for r in build.events})
        embeds = [embed_page(f.id) for f in self._site.feeds_of(cid)]
        return [calendar_page(cid), *(kind_page(cid, k) for k in kinds), *embeds]

    def inputs(self, build) -> tuple:
        """What the pages read besides ``build`` and the settings: its feeds and groups."""
        cal = build.calendar
        feeds = tuple(self._site.feeds_of(cal.id))
        return feeds, tuple(f["feed"] for f in group_pages.memberships(cal, self._site.group_feeds))

    def render(self, build) -> dict[str, bytes]:
        return self._fresh().calendar_and_embeds(build)

    def embed(self, feed) -> bytes:
        """The embed page of a feed spanning calendars."""
        return self._fresh().embed(feed)

    def _fresh(self) -> _Renderer:
        renderer = copy.copy(self._site)  # the same lookups, with its own caches: nothing kept
        renderer._views, renderer.old, renderer.new = {}, Generation(), Generation()
        return renderer


def render_front(builds: Sequence, feeds: Sequence, settings: Settings) -> dict[str, bytes]:
    """The front page, the archive and the search index alone, by URL path: the same bytes
    as :func:`render_pages` gives them (for measuring a large site's front page)."""
    return front.front_page(_Renderer(builds, feeds, settings))


@lru_cache(maxsize=64)
def _macros(zone_label: str, public_url: str = ""):
    """``_macros.html`` as a module, with what its row macros read from the page's context."""
    return _env.get_template("_macros.html").make_module(
        {"zone_name": zone_label, "public_url": public_url}
    )


def render_your_feed(builds: Sequence, feeds: Sequence, feed, selection, settings: Settings) -> str:
    """The per-request "your feed" page: ``feed`` narrowed by ``selection``, to subscribe to."""
    return _your_feed(_Renderer(builds, feeds, settings), feed, selection, settings).decode("utf-8")


def _your_feed(renderer: _Renderer, feed, selection, settings: Settings) -> bytes:
    """The "your feed" page's bytes: its subscribe box for the selected URL, its agenda."""
    path = "/subscribe/"
    query = selection.query()
    url = settings.public_url + feed.path + (f"?{query}" if query else "")
    chosen = [
        v
        for v in renderer.feed_views(feed)
        if selection.matches(v.event, feed.scope.spans_calendars)
    ]
    name = selection.name(feed.name)
    back = _feed_page(feed)
    # back to the picker with the choice in the query string, where site.js ticks it again
    change = back + (f"?{query}#picker" if query and feed.calendar_id is not None else "")
    zone = _feed_zone(feed)
    box = subscribe_box(
        feed,
        settings,
        path,
        url=url,
        qr_src=qr_data_uri(url),
        event_count=len(chosen),
        name=name,
        note=selection.summary(),
        embed=not selection,
    )
    actions = [replace(quick_action(feed, settings, "Add your feed"), links=box.links)]
    return renderer.page(
        "subscribe.html",
        path,
        metadata.head(settings, path, f"Your feed: {name}. Subscribe in your calendar app."),
        feed=feed,
        name=name,
        summary=selection.summary(),
        days=agenda(chosen, zone),
        zone=zone,
        zone_name=zone_name(zone),
        box=box,
        back=back,
        change=change,
        actions=actions,
    )
