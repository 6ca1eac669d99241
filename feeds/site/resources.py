"""What the site is made of: resources (one URL's bytes and header facts), feeds, the site.

These are plain values: :mod:`feeds.site.build` makes them, the web app and the
export read them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
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


@dataclass(frozen=True)
class FeedInfo:
    """A feed as listed in ``feeds.json`` and on the pages."""

    id: str  # "icml-2026", "icml-2026/deadlines", "all", "deadlines"
    name: str
    description: str
    path: str
    event_count: int
    last_modified: datetime
    scope: Scope = Scope()  # which events it holds
    header: ics.FeedHeader | None = field(default=None, compare=False, repr=False)

    @property
    def calendar_id(self) -> str | None:
        """The calendar it is one of the feeds of; None for the merged feeds."""
        return self.scope.calendar_id

    @property
    def kind(self) -> str | None:
        return self.scope.kind


@dataclass(frozen=True)
class CalendarBuild:
    """Everything rendered from one calendar."""

    calendar: Calendar
    revisions: Revisions
    events: tuple[ics.RenderedEvent, ...]
    resources: tuple[Resource, ...]
    feeds: tuple[FeedInfo, ...]
    version: str = ""  # content hash of the definition the build came from
    by_start: tuple[ics.RenderedEvent, ...] = field(
        default=(), compare=False, repr=False
    )  # feed order


@dataclass(frozen=True)
class Site:
    resources: Mapping[str, Resource]
    feeds: tuple[FeedInfo, ...]
    builds: tuple[CalendarBuild, ...]
    settings: Settings | None = None  # what it was built with (max-age for static hosts)
    #: the cache it was assembled with: the default for its selections (feeds.site.selection)
    cache: SiteCache | None = field(default=None, compare=False, repr=False)

    def get(self, path: str) -> Resource | None:
        return self.resources.get(path)
