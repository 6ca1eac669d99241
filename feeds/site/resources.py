"""What the site is made of: resources (one URL's bytes and header facts), feeds, the site.

These are plain values: :mod:`feeds.site.build` makes them, the web app and the
export read them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from feeds.config import Settings
from feeds.model import Calendar
from feeds.render import ics
from feeds.revisions import Revisions
from feeds.scope import Scope

if TYPE_CHECKING:
    from feeds.site.cache import SiteCache

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
    embeddable: bool = False  # HTML that other sites may frame (/embed/...)
    etag: str = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "etag", '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"')


_RESOURCE_FIELDS = tuple(f.name for f in fields(Resource))


def with_modified(old: Resource, modified: datetime) -> Resource:
    """``old`` with another Last-Modified, its body and ETag kept (not hashed again)."""
    new = object.__new__(Resource)
    for name in _RESOURCE_FIELDS:
        object.__setattr__(new, name, modified if name == "last_modified" else getattr(old, name))
    return new


@dataclass(frozen=True)
class Horizon:
    """How much past the feeds with a horizon keep: from ``days`` before ``build_date``.

    The build date is :func:`feeds.config.build_date` of the settings, decided once per
    assembly and stated in each such feed and in ``feeds.json``.
    """

    build_date: date
    days: int

    @property
    def since(self) -> datetime:
        """The instant the horizon starts: the UTC midnight ``days`` before the build date."""
        try:
            first = self.build_date - timedelta(days=self.days)
        except OverflowError:
            first = date.min
        return datetime.combine(first, time(), UTC)

    @property
    def moment(self) -> datetime:
        """When this horizon began to apply (the build date's UTC midnight): its feeds
        changed then, so their Last-Modified is at least this."""
        return datetime.combine(self.build_date, time(), UTC)


@dataclass(frozen=True)
class FeedInfo:
    """A feed as listed in ``feeds.json`` and on the pages."""

    id: str  # "icml-2026", "icml-2026/deadlines", "all", "tags/vision", "history/all"
    name: str
    description: str
    path: str
    event_count: int
    last_modified: datetime
    scope: Scope = Scope()  # which events it holds
    header: ics.FeedHeader | None = field(default=None, compare=False, repr=False)
    #: the horizon its scope's ``since`` comes from, for feeds that have one
    horizon: Horizon | None = None
    #: a feed with a horizon: the path of the same feed with every past event
    history_path: str = ""
    #: the full history of a feed with a horizon: an archive, not offered for subscribing
    archive: bool = False

    @property
    def calendar_id(self) -> str | None:
        """The calendar it is one of the feeds of; None for feeds spanning calendars."""
        return self.scope.calendar_id

    @property
    def kind(self) -> str | None:
        return self.scope.kind

    @property
    def group(self) -> str:
        """What it collects: ``calendar`` (one calendar's), ``tag``, ``series`` or ``site``
        (every calendar's: ``all``, ``deadlines``), histories included."""
        if self.scope.calendar_id is not None:
            return "calendar"
        if self.scope.tag is not None:
            return "tag"
        if self.scope.series is not None:
            return "series"
        return "site"


@dataclass(frozen=True)
class PendingFeed:
    """A feed made when first asked for: a single-event file (``/events/<calendar>/<event>.ics``,
    one per event, mostly fetched by nobody: 12 MB at 14,000 events) or a history (every past
    event: an archive to download, megabytes made again at every edit)."""

    path: str
    header: ics.FeedHeader
    members: tuple[ics.RenderedEvent, ...]
    modified: datetime
    merged: bool = False  # the feed spans calendars (see ics.feed_bytes)
    download_name: str | None = None

    @property
    def body(self) -> bytes:
        """Its bytes, made again at each call (:meth:`resource` is made once per site)."""
        return ics.feed_bytes(self.header, self.members, self.merged)

    def resource(self) -> Resource:
        return Resource(
            self.path, self.body, CALENDAR_TYPE, self.modified, self.download_name, cors=True
        )


@dataclass(frozen=True)
class CalendarBuild:
    """Everything rendered from one calendar: its feeds' resources, its single-event files."""

    calendar: Calendar
    revisions: Revisions
    events: tuple[ics.RenderedEvent, ...]
    resources: tuple[Resource, ...]
    feeds: tuple[FeedInfo, ...]
    version: str = ""  # content hash of the definition the build came from
    by_start: tuple[ics.RenderedEvent, ...] = field(
        default=(), compare=False, repr=False
    )  # feed order
    singles: tuple[PendingFeed, ...] = field(default=(), compare=False, repr=False)

    def every_resource(self) -> tuple[Resource, ...]:
        """Its feeds' resources and its single-event files, made."""
        return self.resources + tuple(s.resource() for s in self.singles)


@dataclass(frozen=True)
class Site:
    resources: Mapping[str, Resource]
    feeds: tuple[FeedInfo, ...]
    builds: tuple[CalendarBuild, ...]
    settings: Settings | None = None  # what it was built with (max-age for static hosts)
    horizon: Horizon | None = None  # the build date and horizon of its merged and tag feeds
    #: the cache it was assembled with: the default for its selections (feeds.site.selection)
    cache: SiteCache | None = field(default=None, compare=False, repr=False)

    def get(self, path: str) -> Resource | None:
        return self.resources.get(path)
