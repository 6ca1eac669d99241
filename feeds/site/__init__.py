"""The published site: every URL's ready bytes, built from rendered calendars.

Owns what a URL answers (:mod:`resources`), the feeds each calendar gives (each
with the :class:`feeds.scope.Scope` of events it holds) and how calendars are
joined into the site (:mod:`build`), the feeds spanning calendars: merged, per tag,
per series, with their horizon and full histories (:mod:`groups`), the warning for
feeds too big for clients (:mod:`limits`), the response-header policy shared by the
live app and static hosts (:mod:`response_headers`), feeds narrowed by a
subscriber's query (:mod:`selection`), the deadlines feeds' fixed reminder
variants as paths of their own (:mod:`variants`), and what a live site keeps between
builds and requests (:mod:`cache`, one :class:`SiteCache` the caller owns).

May import: the model, :mod:`feeds.scope`, :mod:`feeds.render`,
:mod:`feeds.revisions`, config. Never imports Flask or the serving and
export shells.
"""

from feeds.site.build import assemble, event_path, feeds_json, render_calendar
from feeds.site.cache import SiteCache
from feeds.site.resources import (
    CALENDAR_TYPE,
    HTML_TYPE,
    JSON_TYPE,
    CalendarBuild,
    FeedInfo,
    Resource,
    Site,
)

__all__ = [
    "CALENDAR_TYPE",
    "HTML_TYPE",
    "JSON_TYPE",
    "CalendarBuild",
    "FeedInfo",
    "Resource",
    "Site",
    "SiteCache",
    "assemble",
    "event_path",
    "feeds_json",
    "render_calendar",
]
