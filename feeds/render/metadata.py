"""What the pages tell machines: descriptions for link previews, schema.org Event data, robots.txt.

Link previews in chat apps and search results read ``<meta name="description">`` and the
Open Graph and Twitter card tags; search engines list a conference as an event from the
schema.org ``Event`` JSON-LD of its page (``name``, ``startDate`` and ``location`` are what
Google requires). Everything here is a pure function of the model and the agenda rows, so
the pages stay the same bytes for the same data.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from markupsafe import Markup

from feeds.config import Settings
from feeds.model import Calendar, inherits_location
from feeds.render import changes
from feeds.render.links import shorten
from feeds.render.paths import calendar_page
from feeds.render.views import Row, kinds_label

#: Link previews cut descriptions near here; longer ones are shortened at a word.
MAX_DESCRIPTION = 200
#: A page lists at most this many of its events as sub-events in its JSON-LD.
MAX_SUB_EVENTS = 100

_STATUS = {
    "cancelled": "https://schema.org/EventCancelled",
    "tentative": "https://schema.org/EventScheduled",
    "confirmed": "https://schema.org/EventScheduled",
}

ROBOTS_TXT = """\
# Every page and every feed may be fetched: search engines, link previews and the
# calendar services that poll subscriptions (Google, Microsoft, Apple) alike.
# /subscribe/ is a page per query string, made for people, not for indexing.
# (Disallow first: some parsers take the first rule that matches, Google the longest.)
User-agent: *
Disallow: /subscribe/
Allow: /feeds/
Allow: /events/
Allow: /
"""


WIDGET_DESCRIPTION = (
    "Put an agenda of these calendars on any web page, with times in the reader's own zone."
)


def head(
    settings: Settings, path: str, text: str = "", feeds: Sequence = (), atom: Sequence = ()
) -> dict:
    """What ``base.html`` puts in a page's head: its URL, description, feeds and change
    logs (``atom``: (title, URL path) pairs)."""
    return {
        "page_url": settings.public_url + path,
        "description": description(text or f"{settings.site_name}: calendar feeds."),
        "alternates": [(f.name, settings.public_url + f.path) for f in feeds],
        "atom_alternates": [(name, settings.public_url + p) for name, p in atom],
        "json_ld": Markup(""),
    }


def index_head(settings: Settings, names: Sequence[str], merged: Sequence) -> dict:
    text = index_description(settings.site_name, names)
    return head(settings, "/", text, merged, [("What changed", changes.SITE_PATH)])


def calendar_head(settings: Settings, path: str, build, feed, main_feed, days: Sequence) -> dict:
    """A calendar page's head: JSON-LD on the calendar's own page, not on its kind pages
    (one event, one page); a kind page names its kind's feed and the whole one; every
    one links the calendar's change log. The calendar's own page also gets ``changes``,
    its newest changes for the "What changed" section (:func:`feeds.render.changes.recent`).
    """
    calendar: Calendar = build.calendar
    kind = feed.kind
    text = calendar_description(calendar, kinds_label(kind) if kind else "", feed.event_count)
    log = [(f"{calendar.name}: what changed", changes.calendar_path(calendar.id))]
    out = head(settings, path, text, [feed] if kind is None else [feed, main_feed], log)
    out["changes"], out["changes_feed"] = [], log[0][1]
    if kind is None:
        rows = [row for day in days for row in day.rows]
        out["json_ld"] = event_json_ld(calendar, rows, settings.public_url + path)
    if kind is None and path == calendar_page(calendar.id):  # not on each part of a split one
        newest = changes.entries(calendar, build.revisions, settings.uid_domain, changes.ON_PAGE)
        out["changes"] = changes.recent(newest)
    return out


def description(text: str) -> str:
    """One line of at most :data:`MAX_DESCRIPTION` characters."""
    return shorten(" ".join(text.split()), MAX_DESCRIPTION)


def calendar_description(calendar: Calendar, kind_words: str = "", count: int = 0) -> str:
    """``ICML 2026: 12 deadlines. 43rd International ... Subscribe in ...``."""
    head = f"{calendar.name}: {count} {kind_words.lower()}." if kind_words else ""
    body = calendar.description or f"The events of {calendar.name}."
    return description(
        f"{head} {body} Subscribe in Google Calendar, Apple Calendar or Outlook, "
        "or add single events."
    )


def index_description(site_name: str, names: Sequence[str]) -> str:
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    what = f" for {shown}" if shown else ""
    return description(
        f"{site_name}: calendar feeds{what}. Subscribe once in Google Calendar, Apple Calendar "
        "or Outlook and the dates and deadlines stay up to date."
    )


def _date(row: Row, end: bool) -> str:
    """A row's start or end as schema.org wants it: a date for all-day, else with offset."""
    if row.all_day:
        return (row.last_day if end else row.day).isoformat()
    return row.end_iso if end else row.time_iso


def _place(location: str) -> dict:
    name = location.split(",", 1)[0].strip()
    return {"@type": "Place", "name": name, "address": location}


def _event(name: str, first: Row, last: Row, location: str, status: str, url: str) -> dict:
    out: dict = {
        "@type": "Event",
        "name": name,
        "startDate": _date(first, False),
        "endDate": _date(last, True),
        "eventStatus": _STATUS.get(status, _STATUS["confirmed"]),
        "url": url,
    }
    if location:
        out["eventAttendanceMode"] = "https://schema.org/OfflineEventAttendanceMode"
        out["location"] = _place(location)
    return out


def event_json_ld(calendar: Calendar, rows: Sequence[Row], page_url: str) -> Markup:
    """The calendar as one schema.org ``Event`` with its events as ``subEvent``s, as a
    ``<script type="application/ld+json">`` (empty when nothing happens at a venue).

    The whole spans the calendar's ``conference`` events when it has any, else every event
    that happens somewhere (:func:`feeds.model.inherits_location`, or its own location);
    deadlines and milestones are not sub-events.
    """
    # what happens somewhere: the model's one location rule (deadlines and milestones do not)
    at_venue = [r for r in rows if r.view.event.location or inherits_location(r.view.event)]
    if not at_venue:
        return Markup("")
    main = [r for r in at_venue if r.view.event.kind == "conference"] or at_venue
    first = min(main, key=lambda r: r.day)
    last = max(main, key=lambda r: r.last_day)
    cancelled = all(r.view.event.status == "cancelled" for r in main)
    data = {"@context": "https://schema.org"} | _event(
        calendar.name,
        first,
        last,
        calendar.location,
        "cancelled" if cancelled else "confirmed",
        calendar.url or page_url,
    )
    # the whole is days (its first to its last, in the calendar's zone), whatever its parts
    data["startDate"] = first.day.isoformat()
    data["endDate"] = last.last_day.isoformat()
    if calendar.description:
        data["description"] = description(calendar.description)
    subs = []
    for row in at_venue:
        if not row.first or len(subs) >= MAX_SUB_EVENTS:
            continue
        view = row.view
        subs.append(
            _event(
                view.event.title,
                row,
                row,
                view.location,
                view.event.status,
                f"{page_url}#{view.anchor}",
            )
        )
    if subs:
        data["subEvent"] = subs
    return json_ld_script(data)


def json_ld_script(data: dict) -> Markup:
    """``data`` as a JSON-LD element no value can end or break out of: ``<``, ``>`` and ``&``
    are written as JSON escapes (``\\u003c``), which every JSON parser reads back."""
    text = json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(f'<script type="application/ld+json">{text}</script>')
