"""Whether each feed stays readable: the warning when one grows past what clients read.

Google Calendar stops reading a subscribed feed at about 1 MB or 1,100 events (COMPAT.md,
seminars#777), silently: the events past that point never reach its subscribers.
:func:`oversized` is the one check, used by ``feeds build``, ``feeds serve`` (at start and
on each reload, in the log and ``/healthz``) and ``feeds validate``; it warns at 1,000,000
bytes or 1,000 events, a margin below the reports, naming the feed and what to do about it.

Full histories (``/feeds/history/...``) are archives, not offered for subscribing, and are
not checked: they grow with every year by design.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from feeds.config import Settings
from feeds.errors import Problem
from feeds.model import Calendar
from feeds.render import ics
from feeds.revisions import Revisions
from feeds.site import groups
from feeds.site.build import render_calendar
from feeds.site.resources import FeedInfo, Resource, Site

#: Warn past these: a margin below Google's reported ~1 MB and ~1,100 events.
MAX_FEED_BYTES = 1_000_000
MAX_FEED_EVENTS = 1_000


def oversized(
    feeds: Iterable[FeedInfo], size_of: Callable[[FeedInfo], int], settings: Settings
) -> list[Problem]:
    """A warning for each subscribable feed over :data:`MAX_FEED_BYTES` or
    :data:`MAX_FEED_EVENTS`; ``size_of`` gives a feed's size in bytes."""
    out = []
    for feed in feeds:
        if feed.archive:
            continue
        size = size_of(feed)
        if size <= MAX_FEED_BYTES and feed.event_count <= MAX_FEED_EVENTS:
            continue
        out.append(
            Problem(
                feed.path,
                0,
                f"feed '{feed.id}' is {size / 1_000_000:.2f} MB with {feed.event_count:,} "
                f"events, past what Google Calendar reads (about 1 MB or 1,100 events): its "
                "subscribers there would silently miss events",
                advice(feed, settings),
                severity="warning",
            )
        )
    return out


def site_warnings(site: Site) -> list[Problem]:
    """:func:`oversized` for every feed of a built site, at its exact size."""
    settings = site.settings or Settings()

    def size_of(feed: FeedInfo) -> int:
        resource = site.get(feed.path)
        return len(resource.body) if resource is not None else 0

    return oversized(site.feeds, size_of, settings)


def advice(feed: FeedInfo, settings: Settings) -> str:
    """What to do about a feed that is too big, by what it collects."""
    horizon = (
        f"shorten the horizon (horizon_days, FEEDS_HORIZON_DAYS: now {settings.horizon_days} "
        "days of past events)"
    )
    group = feed.group
    if group == "site" and feed.kind is None:
        return (
            f"{horizon}, or point subscribers to smaller feeds: /feeds/deadlines.ics and the "
            "tag feeds /feeds/tags/<tag>.ics (give calendars tags: [...])"
        )
    if group == "site":
        return (
            f"{horizon}, or point subscribers to each area's deadlines: "
            "/feeds/tags/<tag>/deadlines.ics (give calendars tags: [...])"
        )
    if group == "tag":
        return f"{horizon}, or split the tag '{feed.scope.tag}' into narrower tags"
    if group == "series":
        return (
            f"the series '{feed.scope.series}' holds every edition: give the oldest editions "
            "another series (or none), or move their minor events to calendars of their own"
        )
    if feed.kind is None:
        return (
            "split the calendar into several files (by year or by track), or point "
            f"subscribers to its per-kind feeds (/feeds/{feed.calendar_id}/<kind>.ics)"
        )
    return "split the calendar into several files (by year or by track)"


def definition_warnings(
    calendars: Iterable[tuple[Calendar, Revisions]], settings: Settings
) -> list[Problem]:
    """:func:`oversized` for the feeds ``calendars`` would publish, rendered without pages
    (what ``feeds validate`` checks): the calendars' own feeds and those spanning them."""
    builds = sorted(
        (render_calendar(cal, revs, settings) for cal, revs in calendars),
        key=lambda b: b.calendar.id,
    )
    everything = sorted((r for b in builds for r in b.by_start), key=ics.sort_key)
    first, last = groups.cross_feeds(builds, everything, settings, groups.horizon_of(settings))
    sizes = {r.path: len(r.body) for b in builds for r in b.resources}
    # the histories (PendingFeed, made when asked for) are archives: never checked, not made
    sizes.update((r.path, len(r.body)) for _, r in first + last if isinstance(r, Resource))
    feeds = [info for info, _ in first] + [f for b in builds for f in b.feeds]
    feeds += [info for info, _ in last]
    return oversized(feeds, lambda f: sizes.get(f.path, 0), settings)
