"""The published site: every URL's ready bytes, built from rendered calendars.

Owns what a URL answers (:mod:`resources`), which events each feed holds and how
calendars are joined into the site (:mod:`build`), the response-header policy
shared by the live app and static hosts (:mod:`response_headers`), and feeds
narrowed by a subscriber's query (:mod:`selection`).

May import: the model, :mod:`feeds.render`, :mod:`feeds.revisions`, config.
Never imports Flask or the serving and export shells.
"""

from feeds.site.build import assemble, event_path, feeds_json, render_calendar
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
    "assemble",
    "event_path",
    "feeds_json",
    "render_calendar",
]
