"""The whole published site as ready bytes: every feed, event file, index and page.

:func:`render_calendar` turns one loaded calendar into a :class:`CalendarBuild`
(its events' VEVENT bytes and its own feeds); :func:`assemble` joins builds
into a :class:`Site` that adds the merged feeds, ``feeds.json`` and the pages.
The web app serves a ``Site`` by lookup, ``feeds build`` writes one to disk,
and the store swaps in a new one when definitions change, so what is served and
what is exported are the same bytes. Which events a feed holds is its
:class:`feeds.scope.Scope`; what a re-assembly reuses is in the caller's
:class:`feeds.site.cache.SiteCache`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime

from feeds.config import Settings
from feeds.model import Calendar, Event, kind_slug
from feeds.render import changes, ics, pages
from feeds.render.links import webcal
from feeds.render.paths import feed_path
from feeds.revisions import EPOCH, Revisions
from feeds.scope import Scope
from feeds.site import changelog, groups, page_groups, selection, variants
from feeds.site.cache import SiteCache
from feeds.site.lazy import Resources
from feeds.site.resources import (
    CALENDAR_TYPE,
    HTML_TYPE,
    JSON_TYPE,
    CalendarBuild,
    FeedInfo,
    Horizon,
    PendingFeed,
    Resource,
    Site,
    with_modified,
)
from feeds.timefmt import iso_utc

#: id(Event) -> (Event, Revision, calendar header values and uid domain, RenderedEvent,
#: the single-event file's FeedHeader, its PendingFeed): an edit re-renders only what it
#: touched. Keyed by identity, checked by value: unchanged events are usually the same
#: objects (feeds.definitions.incremental), and hashing 10,000 events by value costs more
#: than rendering a few; past a few misses (a full re-parse makes new objects) entries are
#: found by value.
EventCache = dict
_LOOKUPS_BY_VALUE_AFTER = 50
_FEEDS = "feeds"  # the cache's entry for the calendar's own feeds: path -> (header, ..., Resource)


def render_calendar(
    calendar: Calendar,
    revisions: Revisions,
    settings: Settings,
    cache: EventCache | None = None,
    version: str = "",
) -> CalendarBuild:
    """Render one calendar; events whose data and revision are unchanged come from ``cache``."""
    return _render_calendar(calendar, revisions, settings, cache, version)


def _render_calendar(
    calendar: Calendar,
    revisions: Revisions,
    settings: Settings,
    cache: EventCache | None,
    version: str,
) -> CalendarBuild:
    rendered = []
    singles: list[PendingFeed] = []
    context = (calendar.location, calendar.url, calendar.timezone, settings.uid_domain)
    single_header = ics.FeedHeader(
        calendar.name, "", calendar.url, calendar.timezone, settings.refresh
    )
    old_cache = dict(cache) if cache else {}
    old = {k: v for k, v in old_cache.items() if k != _FEEDS}
    by_value: dict | None = None  # the old entries by equal content, made only when needed
    misses = 0
    fresh: EventCache = {}
    keep = cache is not None
    stored, lookup, of = revisions.events.get, old.get, revisions.of  # (hot loop: local names)
    # A single-event file also shows the calendar's name, url and zone: its Last-Modified
    # moves when they do (revisions.header), or Apple would keep the old file.
    header_time = revisions.header.modified if revisions.header is not None else EPOCH
    for event in calendar.events:
        revision = stored(event.id) or of(event.id)
        hit = lookup(id(event))  # an unchanged event is usually the very same object
        if (
            hit is None
            or hit[0] is not event
            or (hit[1] is not revision and hit[1] != revision)
            or hit[2] != context
        ):
            hit = None
            misses += 1
            if misses > _LOOKUPS_BY_VALUE_AFTER and old:
                if by_value is None:
                    by_value = {(e[0], e[1], e[2]): e for e in old.values()}
                hit = by_value.get((event, revision, context))
        if (
            hit is not None
            and hit[4] == single_header
            and hit[5].modified == max(revision.modified, header_time)
        ):
            r, single = hit[3], hit[5]
        else:
            r = (
                hit[3]
                if hit is not None
                else ics.render_event(event, revision, calendar, settings.uid_domain)
            )
            single = PendingFeed(
                event_path(r.event),
                single_header,
                (r,),
                max(r.revision.modified, header_time),
                download_name=f"{calendar.id}-{r.event.id}.ics",
            )
        if keep:
            fresh[id(event)] = (event, revision, context, r, single_header, single)
        rendered.append(r)
        singles.append(single)
    if cache is not None:
        cache.clear()
        cache.update(fresh)
    events = tuple(rendered)
    # Feeds list events by start; sorting once here makes each feed's own sort cheap.
    by_start = sorted(events, key=ics.sort_key)
    resources: list[Resource] = []
    feeds: list[FeedInfo] = []

    # Every feed of the calendar changes with the calendar: an event that changes kind
    # leaves one kind's feed, whose Last-Modified must move forward too (never back).
    calendar_modified = revisions.modified

    old_feeds = old_cache.get(_FEEDS, {}) if old_cache else {}
    new_feeds: dict = {}

    def add_feed(
        feed_id: str, name: str, description: str, subset: list[ics.RenderedEvent], kind=None
    ):
        path = feed_path(feed_id)
        modified = calendar_modified
        header = ics.FeedHeader(
            name, description, calendar.url, calendar.timezone, settings.refresh
        )
        scope = Scope(calendar.id, kind)
        before = old_feeds.get(path)
        if (
            before is not None
            and before[0] == header
            and before[1] == modified
            and before[2] == subset
        ):
            resource = before[3]  # the same events (the same objects): the same bytes
        else:
            body = ics.feed_bytes(header, subset, scope.spans_calendars)
            resource = Resource(path, body, CALENDAR_TYPE, modified, cors=True)
        new_feeds[path] = (header, modified, subset, resource)
        resources.append(resource)
        info = FeedInfo(feed_id, name, description, path, len(subset), modified, scope, header)
        feeds.append(info)

    add_feed(calendar.id, calendar.name, calendar.description, by_start)
    # each kind's Scope(calendar.id, kind) members, in one pass rather than a filter per kind
    # (a calendar's events are all of calendar.id, and each is of exactly one kind)
    of_kind: dict[str, list[ics.RenderedEvent]] = {"deadline": []}
    for r in by_start:
        of_kind.setdefault(r.event.kind, []).append(r)
    for kind in sorted(of_kind):
        subset = of_kind[kind]
        label = kind_slug(kind)
        add_feed(
            f"{calendar.id}/{label}",
            f"{calendar.name}: {label}",
            f"{label.capitalize()} of {calendar.name}.",
            subset,
            kind,
        )
    if cache is not None:
        cache[_FEEDS] = new_feeds
    return CalendarBuild(
        calendar,
        revisions,
        events,
        tuple(resources),
        tuple(feeds),
        version,
        tuple(by_start),
        tuple(singles),
    )


def assemble(
    builds: Iterable[CalendarBuild], settings: Settings, cache: SiteCache | None = None
) -> Site:
    """The site: every build's resources, the merged feeds, ``feeds.json`` and the pages.

    ``cache`` holds what the last call with it made (pages and their resources), so a site
    re-assembled after an edit reuses what did not change; without one, nothing is reused.
    The site keeps it for its selections.
    """
    return _assemble(builds, settings, cache if cache is not None else SiteCache())


def _assemble(builds: Iterable[CalendarBuild], settings: Settings, cache: SiteCache) -> Site:
    ordered = tuple(sorted(builds, key=lambda b: b.calendar.id))
    resources: dict[str, Resource] = {}
    feeds: list[FeedInfo] = []
    singles: dict[str, PendingFeed] = {}  # and the histories: made when first asked for
    for build in ordered:
        resources.update((r.path, r) for r in build.resources)
        singles.update((s.path, s) for s in build.singles)
        feeds.extend(build.feeds)
    # every event, already in feed order (the merged feeds' own sort then costs little)
    everything = sorted((r for b in ordered for r in (b.by_start or b.events)), key=ics.sort_key)
    horizon = groups.horizon_of(settings)
    # the site's own resources (feeds.json, pages) state the build date: they change with it
    modified = max([b.revisions.modified for b in ordered] + [horizon.moment])
    first, last = groups.cross_feeds(ordered, everything, settings, horizon)
    for _, resource in first + last:
        if isinstance(resource, PendingFeed):  # a history: made when asked for
            singles[resource.path] = resource
        else:
            resources[resource.path] = resource
    feeds = [info for info, _ in first] + feeds + [info for info, _ in last]
    site_feeds = tuple(feeds)
    remind, make_variant = _variant_pending(ordered, site_feeds, resources, settings, cache)
    resources["/feeds.json"] = Resource(
        "/feeds.json",
        feeds_json(site_feeds, settings, horizon, cache.feed_items),
        JSON_TYPE,
        modified,
        cors=True,
    )
    resources.update(changelog.resources(ordered, settings, cache.changes))
    lazy = page_groups.Pending(ordered, site_feeds, settings, modified, cache.page_groups)
    resources.update(_page_resources(ordered, site_feeds, settings, modified, cache, lazy.skipped))
    for path, (body, media_type) in pages.static_assets().items():
        resources[path] = Resource(path, body, media_type, modified)
    # QR codes are made when first asked for, each kept by its URL (see feeds.site.lazy)
    qr_codes = pages.qr_urls(site_feeds, settings)
    cache.qr.keep_only(qr_codes.values())

    def make(path: str, key, qr=cache.qr) -> Resource:
        if isinstance(key, str):  # a QR code's: the URL it encodes
            return Resource(path, qr.svg(key), pages.SVG_TYPE, modified)
        if isinstance(key, PendingFeed):  # a single-event file or a history
            return key.resource()
        if isinstance(key, FeedInfo):  # a merged feed's embed
            return lazy.embed(path, key)
        return make_variant(path, key)

    pending = {**singles, **remind, **lazy.merged_embeds, **qr_codes}
    return Site(
        Resources(resources, pending, make, lazy.paths, lazy.resource),
        site_feeds,
        ordered,
        settings,
        cache=cache,
        horizon=horizon,
    )


def _variant_pending(
    ordered: tuple[CalendarBuild, ...],
    site_feeds: tuple[FeedInfo, ...],
    resources: dict[str, Resource],
    settings: Settings,
    cache: SiteCache,
) -> tuple[dict[str, tuple], Callable[[str, tuple], Resource]]:
    """The deadlines feeds' reminder variants (:mod:`feeds.site.variants`), each the bytes of
    its feed with ``?remind=``, made when first asked for: the merged deadlines feed changes at
    every edit, and its variants took a third of an edit at thousands of calendars. A variant
    whose feed is the same bytes as when it was last made is that one. Returns ``{path: what
    makes it}`` and what makes it."""
    before, kept = cache.variants, {}
    cache.variants = kept  # what this site makes, for the next one
    cache.reminders.turn()
    build_of = {b.calendar.id: b for b in ordered}
    pending: dict[str, tuple] = {}
    for feed in site_feeds:
        offered = variants.paths(feed)
        base = resources[feed.path] if offered else None  # (a history has none: pending)
        for days, path in offered:
            key = (base.etag, base.last_modified, feed.scope, days)
            hit = before.get(path)
            if hit is not None and hit[0] == key:
                kept[path] = hit
            cid = feed.scope.calendar_id  # a calendar's own feed: only its build to read
            pending[path] = (key, feed, ordered if cid is None else (build_of[cid],))

    def make(path: str, spec: tuple) -> Resource:
        key, feed, members = spec
        hit = kept.get(path)
        if hit is None or hit[0] != key:
            chosen = selection.Selection(reminders=key[3])
            body = selection.compose(members, feed, chosen, settings.uid_domain, cache.reminders)
            hit = kept[path] = (key, Resource(path, body, CALENDAR_TYPE, key[1], cors=True))
        return hit[1]

    return pending, make


def _page_resources(
    ordered: tuple[CalendarBuild, ...],
    site_feeds: tuple[FeedInfo, ...],
    settings: Settings,
    modified: datetime,
    cache: SiteCache,
    lazy: frozenset[str | None],
) -> dict[str, Resource]:
    """The HTML pages made with the site (not the ``lazy`` calendars': see
    :mod:`feeds.site.page_groups`) as resources; a page that is the same bytes object as last
    time keeps its Resource (not hashed again), remade only if Last-Modified moved."""
    before_all = cache.page_resources
    kept: dict[str, tuple[bytes, Resource]] = {}
    out: dict[str, Resource] = {}
    for path, body in pages.render_pages(ordered, site_feeds, settings, cache.pages, lazy).items():
        embeddable = path.startswith(pages.EMBED_PREFIX)
        before = before_all.get(path)
        if before is not None and before[0] is body:  # the same page (pages keeps it): not hashed
            old = before[1]
            resource = old if old.last_modified == modified else with_modified(old, modified)
        else:
            media_type = JSON_TYPE if path.endswith(".json") else HTML_TYPE  # /search.json
            resource = Resource(path, body, media_type, modified, embeddable=embeddable)
        kept[path] = (body, resource)
        out[path] = resource
    cache.page_resources = kept
    return out


def event_path(event: Event) -> str:
    return f"/events/{event.calendar_id}/{event.id}.ics"


def feeds_json(
    feeds: tuple[FeedInfo, ...],
    settings: Settings,
    horizon: Horizon | None = None,
    cache: dict | None = None,
) -> bytes:
    """The machine-readable index of every feed: ``json.dumps(..., indent=2)`` of it.

    Feeds spanning calendars say what they collect (``tag``, ``series``); a feed with a
    horizon says from when (``horizon``) and where its full history is (``history``); a
    history says it is an ``archive``. The build date those horizons were decided by is
    ``build_date``. ``changes`` is the site's change log (Atom), and each calendar's own
    feed names its calendar's. Written item by item, each kept in ``cache``
    (``SiteCache.feed_items``, as UTF-8) by its feed and the public URL, so an edit re-writes
    the items of the feeds it changed.
    """
    head: dict = {"site": settings.site_name, "changes": settings.public_url + changes.SITE_PATH}
    if horizon is not None:
        head["build_date"] = horizon.build_date.isoformat()
        head["horizon_days"] = horizon.days
    if not feeds:
        data = {**head, "feeds": []}
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    old = cache if cache is not None else {}
    new = {}
    items = []
    for f in feeds:
        key = (f, settings.public_url)
        item = old.get(key)
        if item is None:  # as UTF-8: the join below is then the one copy of the index
            item = _feed_item(f, settings.public_url).encode("utf-8")
        new[key] = item
        items.append(item)
    if cache is not None:
        cache.clear()
        cache.update(new)
    opening = json.dumps(head, indent=2, ensure_ascii=False).removesuffix("\n}")
    return b"".join(
        [(opening + ',\n  "feeds": [\n').encode("utf-8"), b",\n".join(items), b"\n  ]\n}\n"]
    )


def _feed_item(f: FeedInfo, base: str) -> str:
    """One feed's entry, as ``json.dumps`` writes it two levels deep (indented by four)."""
    url = base + f.path
    item = {
        "id": f.id,
        "name": f.name,
        "description": f.description,
        "calendar": f.calendar_id,
        "kind": f.kind,
        "url": url,
        "webcal": webcal(url),
        "events": f.event_count,
        "last_modified": iso_utc(f.last_modified),
    }
    if f.calendar_id is not None and f.kind is None:  # a calendar's own: its change log
        item["changes"] = base + changes.calendar_path(f.calendar_id)
    if f.scope.tag is not None:
        item["tag"] = f.scope.tag
    if f.scope.series is not None:
        item["series"] = f.scope.series
    if f.horizon is not None:
        item["horizon"] = {
            "build_date": f.horizon.build_date.isoformat(),
            "days": f.horizon.days,
            "since": iso_utc(f.horizon.since),
        }
        item["history"] = base + f.history_path
    if f.archive:
        item["archive"] = True
    if variants.has_variants(f):
        item["reminders"] = [
            {
                "remind": ",".join(f"{n}d" for n in days),
                "url": base + path,
                "webcal": webcal(base + path),
            }
            for days, path in variants.paths(f)
        ]
    return "    " + json.dumps(item, indent=2, ensure_ascii=False).replace("\n", "\n    ")
