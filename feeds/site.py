"""The whole published site as ready bytes: every feed, event file, index and page.

:func:`render_calendar` turns one loaded calendar into a :class:`CalendarBuild`
(its events' VEVENT bytes and its own feeds); :func:`assemble` joins builds
into a :class:`Site` that adds the merged feeds, ``feeds.json`` and the pages.
The web app serves a ``Site`` by lookup, ``feeds build`` writes one to disk,
and the store swaps in a new one when definitions change, so what is served and
what is exported are the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from . import ics, pages
from .links import webcal
from .config import Settings
from .model import Calendar, Event, kind_slug
from .revisions import EPOCH, Revisions

CALENDAR_TYPE = "text/calendar; charset=utf-8"
JSON_TYPE = "application/json"
HTML_TYPE = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Resource:
    """One URL's response body and what its headers need."""

    path: str
    body: bytes
    media_type: str
    last_modified: datetime
    download_name: str | None = None  # single-event files are downloads
    cors: bool = False
    etag: str = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "etag", '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"')


@dataclass(frozen=True)
class FeedInfo:
    """A feed as listed in ``feeds.json`` and on the pages."""

    id: str  # "icml-2026", "icml-2026/deadlines", "all", "deadlines"
    name: str
    description: str
    path: str
    event_count: int
    last_modified: datetime
    calendar_id: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class CalendarBuild:
    """Everything rendered from one calendar."""

    calendar: Calendar
    revisions: Revisions
    events: tuple[ics.RenderedEvent, ...]
    resources: tuple[Resource, ...]
    feeds: tuple[FeedInfo, ...]
    version: str = ""  # content hash of the definition the build came from


@dataclass(frozen=True)
class Site:
    resources: Mapping[str, Resource]
    feeds: tuple[FeedInfo, ...]
    builds: tuple[CalendarBuild, ...]

    def get(self, path: str) -> Resource | None:
        return self.resources.get(path)


EventCache = dict  # (Event, Revision, calendar header values, uid domain) -> RenderedEvent


def render_calendar(
    calendar: Calendar,
    revisions: Revisions,
    settings: Settings,
    cache: EventCache | None = None,
    version: str = "",
) -> CalendarBuild:
    """Render one calendar; events whose data and revision are unchanged come from ``cache``."""
    rendered = []
    context = (calendar.location, calendar.url, calendar.timezone, settings.uid_domain)
    fresh: EventCache = {}
    for event in calendar.events:
        revision = revisions.of(event.id)
        key = (event, revision, context)
        hit = cache.get(key) if cache is not None else None
        if hit is None:
            hit = ics.render_event(event, revision, calendar, settings.uid_domain)
        fresh[key] = hit
        rendered.append(hit)
    if cache is not None:
        cache.clear()
        cache.update(fresh)
    events = tuple(rendered)
    resources: list[Resource] = []
    feeds: list[FeedInfo] = []

    def add_feed(feed_id: str, name: str, description: str, subset: list[ics.RenderedEvent], kind=None):
        path = f"/feeds/{feed_id}.ics"
        modified = revisions.modified_for(r.event.id for r in subset)
        header = ics.FeedHeader(name, description, calendar.url, calendar.timezone, settings.refresh)
        resources.append(
            Resource(path, ics.feed_bytes(header, subset), CALENDAR_TYPE, modified, cors=True)
        )
        feeds.append(FeedInfo(feed_id, name, description, path, len(subset), modified, calendar.id, kind))

    add_feed(calendar.id, calendar.name, calendar.description, list(events))
    kinds = sorted({e.kind for e in calendar.events} | {"deadline"})
    for kind in kinds:
        subset = [r for r in events if r.event.kind == kind]
        label = kind_slug(kind)
        add_feed(
            f"{calendar.id}/{label}",
            f"{calendar.name}: {label}",
            f"{label.capitalize()} of {calendar.name}.",
            subset,
            kind,
        )
    single_header = ics.FeedHeader(calendar.name, "", calendar.url, calendar.timezone, settings.refresh)
    for r in events:
        resources.append(
            Resource(
                event_path(r.event),
                ics.feed_bytes(single_header, [r]),
                CALENDAR_TYPE,
                r.revision.modified,
                download_name=f"{calendar.id}-{r.event.id}.ics",
                cors=True,
            )
        )
    return CalendarBuild(calendar, revisions, events, tuple(resources), tuple(feeds), version)


def assemble(builds: Iterable[CalendarBuild], settings: Settings) -> Site:
    """The site: every build's resources, the merged feeds, ``feeds.json`` and the pages."""
    ordered = tuple(sorted(builds, key=lambda b: b.calendar.id))
    resources: dict[str, Resource] = {}
    feeds: list[FeedInfo] = []
    for build in ordered:
        resources.update((r.path, r) for r in build.resources)
        feeds.extend(build.feeds)
    everything = [r for b in ordered for r in b.events]
    modified = max((b.revisions.modified for b in ordered), default=EPOCH)
    zones = {b.calendar.timezone for b in ordered}
    merged_zone = zones.pop() if len(zones) == 1 else "UTC"
    for feed_id, name, description, subset in (
        ("all", settings.site_name, f"Every event of every calendar on {settings.site_name}.", everything),
        (
            "deadlines",
            f"{settings.site_name}: deadlines",
            f"Every deadline of every calendar on {settings.site_name}.",
            [r for r in everything if r.event.kind == "deadline"],
        ),
    ):
        path = f"/feeds/{feed_id}.ics"
        header = ics.FeedHeader(name, description, settings.public_url + "/", merged_zone, settings.refresh)
        resources[path] = Resource(path, ics.feed_bytes(header, subset), CALENDAR_TYPE, modified, cors=True)
        feeds.insert(0 if feed_id == "all" else 1, FeedInfo(feed_id, name, description, path, len(subset), modified))
    site_feeds = tuple(feeds)
    resources["/feeds.json"] = Resource(
        "/feeds.json", feeds_json(site_feeds, settings), JSON_TYPE, modified, cors=True
    )
    for path, html in pages.render_all(ordered, site_feeds, settings).items():
        resources[path] = Resource(path, html.encode("utf-8"), HTML_TYPE, modified)
    return Site(MappingProxyType(resources), site_feeds, ordered)


def event_path(event: Event) -> str:
    return f"/events/{event.calendar_id}/{event.id}.ics"


def feeds_json(feeds: tuple[FeedInfo, ...], settings: Settings) -> bytes:
    """The machine-readable index of every feed."""
    base = settings.public_url
    items = []
    for f in feeds:
        url = base + f.path
        items.append(
            {
                "id": f.id,
                "name": f.name,
                "description": f.description,
                "calendar": f.calendar_id,
                "kind": f.kind,
                "url": url,
                "webcal": webcal(url),
                "events": f.event_count,
                "last_modified": f.last_modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )
    data = {"site": settings.site_name, "feeds": items}
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
