"""The feeds that span calendars: merged, by tag, by series, and the full histories.

URLs (``<tag>`` and ``<series>`` are the lower-case slugs of the definitions' ``tags:`` and
``series:``)::

    /feeds/all.ics                            every event                  horizon
    /feeds/deadlines.ics                      every deadline               horizon
    /feeds/tags/<tag>.ics                     the tagged calendars' events horizon
    /feeds/tags/<tag>/deadlines.ics           their deadlines              horizon
    /feeds/series/<series>.ics                every edition's events       no horizon
    /feeds/history/all.ics                    /feeds/all.ics with every past event
    /feeds/history/deadlines.ics              ... and so on for each feed with a horizon
    /feeds/history/tags/<tag>.ics
    /feeds/history/tags/<tag>/deadlines.ics

Calendar ids ``all``, ``deadlines``, ``tags``, ``series`` and ``history`` are refused by the
loader, so none of these paths is a calendar's. A feed with a horizon holds the events whose
last occurrence ends on or after :attr:`Horizon.since` (see :class:`feeds.scope.Scope`);
upcoming is decided by the build date (:func:`feeds.config.build_date`), which the feed's
X-WR-CALDESC and ``feeds.json`` state.

Series feeds have no horizon: a series grows by one edition a year (tens of events), so it
stays far below what clients read, and the point of subscribing to it is to keep one URL
across the years, last year's edition included. :mod:`feeds.site.limits` warns if one grows
past the limits anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from feeds import config
from feeds.config import Settings
from feeds.render import ics
from feeds.render.paths import feed_path
from feeds.revisions import EPOCH
from feeds.scope import Scope
from feeds.site.resources import CalendarBuild, FeedInfo, Horizon, PendingFeed, Resource
from feeds.timefmt import iso_utc

HISTORY = "history"


@dataclass(frozen=True)
class Group:
    """A feed spanning calendars, before its members are known."""

    feed_id: str  # "all", "tags/vision", "series/icml"
    name: str
    description: str
    scope: Scope  # without a horizon
    horizon: bool  # True: the feed keeps recent events only, its history is apart


def horizon_of(settings: Settings) -> Horizon:
    """The horizon of a site built now with ``settings``."""
    return Horizon(config.build_date(settings), settings.horizon_days)


def groups(builds: Sequence[CalendarBuild], settings: Settings) -> list[Group]:
    """Every cross-calendar feed of ``builds``: merged, each tag's, each series'."""
    site = settings.site_name
    out = [
        Group("all", site, f"Every event of every calendar on {site}.", Scope(), True),
        Group(
            "deadlines",
            f"{site}: deadlines",
            f"Every deadline of every calendar on {site}.",
            # one scope builds the feed and is registered with it, so selections
            # (?times=utc, ?alarm=), /embed/deadlines/ and feeds.json agree with the feed
            Scope(kind="deadline"),
            True,
        ),
    ]
    tags = sorted({t for b in builds for t in b.calendar.tags})
    for tag in tags:
        out.append(
            Group(
                f"tags/{tag}",
                f"{site}: {tag}",
                f"Every event of the calendars tagged {tag} on {site}.",
                Scope(tag=tag),
                True,
            )
        )
        out.append(
            Group(
                f"tags/{tag}/deadlines",
                f"{site}: {tag} deadlines",
                f"Every deadline of the calendars tagged {tag} on {site}.",
                Scope(tag=tag, kind="deadline"),
                True,
            )
        )
    for series in sorted({b.calendar.series for b in builds if b.calendar.series}):
        out.append(
            Group(
                f"series/{series}",
                f"{series}: every edition",
                f"Every event of every edition of {series} on {site}, "
                "past editions included: one feed to keep across the years.",
                Scope(series=series),
                False,
            )
        )
    return out


def history_id(feed_id: str) -> str:
    """The id of the full history of the feed ``feed_id``: ``history/all``."""
    return f"{HISTORY}/{feed_id}"


def horizon_words(horizon: Horizon, history_url: str) -> str:
    """The sentence a feed with a horizon says about it (in X-WR-CALDESC and on the pages)."""
    return (
        f"Upcoming events and those of the last {horizon.days} days, as of the build date "
        f"{horizon.build_date.isoformat()}: events that ended before {iso_utc(horizon.since)} "
        f"are left out. Every past event: {history_url}"
    )


def cross_feeds(
    builds: Sequence[CalendarBuild],
    everything: Sequence[ics.RenderedEvent],
    settings: Settings,
    horizon: Horizon,
) -> tuple[list[tuple[FeedInfo, Resource]], list[tuple[FeedInfo, Resource | PendingFeed]]]:
    """The feeds spanning calendars, as ``(first, last)``: ``all`` and ``deadlines`` (listed
    before the calendars' feeds), then the tag and series feeds and the histories.

    ``builds`` are sorted by calendar id and ``everything`` is every build's events in feed
    order. Each feed's members are those its :class:`Scope` includes. The histories are
    :class:`PendingFeed` s: archives to download, made when first asked for.
    """
    since = horizon.since
    within = Scope(since=since)
    recent = {id(r) for r in everything if within.includes_time(r.event)}
    first: list[tuple[FeedInfo, Resource]] = []
    last: list[tuple[FeedInfo, Resource | PendingFeed]] = []
    histories: list[tuple[FeedInfo, Resource | PendingFeed]] = []
    # the builds that may be members, by tag and series (the scope still decides)
    candidates: dict[tuple[str, str], list[CalendarBuild]] = {}
    for b in builds:
        for tag in b.calendar.tags:
            candidates.setdefault(("tag", tag), []).append(b)
        if b.calendar.series:
            candidates.setdefault(("series", b.calendar.series), []).append(b)
    for group in groups(builds, settings):
        scope = group.scope
        if scope.tag is not None:
            pool_builds = candidates.get(("tag", scope.tag), [])
        elif scope.series is not None:
            pool_builds = candidates.get(("series", scope.series), [])
        else:
            pool_builds = list(builds)
        members = [b for b in pool_builds if scope.includes_calendar(b.calendar)]
        if len(members) == len(builds):
            pool: Sequence[ics.RenderedEvent] = everything
        else:
            pool = sorted((r for b in members for r in (b.by_start or b.events)), key=ics.sort_key)
        whole = [r for r in pool if group.scope.includes_event(r.event)]
        modified = max((b.revisions.modified for b in members), default=EPOCH)
        zone = _zone(members)
        if not group.horizon:
            last.append(_feed(group, group.scope, whole, modified, zone, settings))
            continue
        history = replace(
            group,
            feed_id=history_id(group.feed_id),
            name=f"{group.name} (full history)",
            description=f"{group.description} Every past event included: an archive to "
            f"download; subscribe to {settings.public_url}{feed_path(group.feed_id)} instead.",
        )
        history_feed = _feed(
            history, group.scope, whole, modified, zone, settings, pending=True, archive=True
        )
        histories.append(history_feed)
        # the same members, less those that ended before the horizon
        shown = [r for r in whole if id(r) in recent]
        dated = replace(
            group,
            description=f"{group.description} "
            + horizon_words(horizon, settings.public_url + history_feed[0].path),
        )
        feed = _feed(
            dated,
            replace(group.scope, since=since),
            shown,
            max(modified, horizon.moment),
            zone,
            settings,
            horizon=horizon,
            history_path=history_feed[0].path,
        )
        (first if group.scope.tag is None else last).append(feed)
    return first, last + histories


def _feed(
    group: Group,
    scope: Scope,
    members: Sequence[ics.RenderedEvent],
    modified: datetime,
    zone: str,
    settings: Settings,
    pending: bool = False,
    **extra,
) -> tuple[FeedInfo, Resource | PendingFeed]:
    """A feed's FeedInfo and Resource (``pending``: a :class:`PendingFeed`, made when asked)."""
    path = feed_path(group.feed_id)
    header = ics.FeedHeader(
        group.name, group.description, settings.public_url + "/", zone, settings.refresh
    )
    feed = PendingFeed(path, header, tuple(members), modified, scope.spans_calendars)
    resource = feed if pending else feed.resource()
    info = FeedInfo(
        group.feed_id,
        group.name,
        group.description,
        path,
        len(members),
        modified,
        scope,
        header,
        **extra,
    )
    return info, resource


def _zone(builds: Sequence[CalendarBuild]) -> str:
    """The zone a feed spanning ``builds`` is shown in: theirs if they share one, else UTC."""
    zones = {b.calendar.timezone for b in builds}
    return zones.pop() if len(zones) == 1 else "UTC"
