"""The pages of the feeds spanning calendars: one per tag (``/tags/<tag>/``) and per series
(``/series/<series>/``), with their subscribe boxes, their full histories and their calendars.

Pure functions of the builds and the feeds, like the other pages: what is upcoming is the
feeds' (their horizon and build date, stated on the page), never the clock's.
"""

from __future__ import annotations

from collections.abc import Sequence

from feeds.config import Settings
from feeds.render.boxes import subscribe_box
from feeds.render.paths import calendar_page, series_page, tag_page


def page_of(feed) -> str | None:
    """The page showing a tag or series feed (its history too), or None for other feeds."""
    if feed.scope.calendar_id is None and feed.scope.tag is not None:
        return tag_page(feed.scope.tag)
    if feed.scope.calendar_id is None and feed.scope.series is not None:
        return series_page(feed.scope.series)
    return None


def tag_links(feeds: Sequence) -> list[tuple[str, str]]:
    """``(tag, its page)`` of every tag, for the index."""
    return [
        (f.scope.tag, tag_page(f.scope.tag))
        for f in feeds
        if f.group == "tag" and f.kind is None and not f.archive
    ]


def main_feeds(feeds: Sequence) -> dict[tuple[str, str], object]:
    """The main feed of each tag and series (not its deadlines or history), by
    ``("tag", tag)`` or ``("series", series)``."""
    out = {}
    for f in feeds:
        if not f.archive and f.kind is None and page_of(f) is not None:
            scope = f.scope
            out[("tag", scope.tag) if scope.tag is not None else ("series", scope.series)] = f
    return out


def memberships(calendar, group_feeds: dict) -> list[dict]:
    """The tag and series pages a calendar's page links to: ``[{label, page, feed}]``, from
    the :func:`main_feeds` of the site (its feeds' scopes decide)."""
    keys = [("tag", t) for t in calendar.tags] + [("series", calendar.series)]
    out = []
    for key in keys:
        feed = group_feeds.get(key)
        if feed is None or not feed.scope.includes_calendar(calendar):
            continue
        label = f"Tag {key[1]}" if key[0] == "tag" else f"Series {key[1]}"
        out.append({"label": label, "page": page_of(feed), "feed": feed})
    return out


def contexts(builds: Sequence, feeds: Sequence, settings: Settings) -> dict[str, dict]:
    """Each tag's and series' page path, with what ``group.html`` shows on it."""
    pages: dict[str, dict] = {}
    for feed in feeds:
        path = page_of(feed)
        if path is None:
            continue
        page = pages.setdefault(path, {"feeds": [], "histories": [], "feed": None})
        if feed.archive:
            page["histories"].append(feed)
            continue
        page["feeds"].append(feed)
        if feed.kind is None:
            page["feed"] = feed
    candidates: dict[str, list] = {}  # page -> the calendars that may be on it
    for b in builds:
        cal = b.calendar
        for path in [tag_page(t) for t in cal.tags] + (
            [series_page(cal.series)] * bool(cal.series)
        ):
            candidates.setdefault(path, []).append(cal)
    out = {}
    for path, page in pages.items():
        main = page["feed"]
        scope = main.scope
        members = [c for c in candidates.get(path, []) if scope.includes_calendar(c)]
        members.sort(key=_newest_first)
        out[path] = {
            "title": f"Tag: {scope.tag}" if scope.tag is not None else f"Series: {scope.series}",
            "feed": main,
            "boxes": [subscribe_box(f, settings, path) for f in page["feeds"]],
            "histories": page["histories"],
            "calendars": [(c, calendar_page(c.id)) for c in members],
        }
    return out


def _newest_first(calendar) -> tuple:
    """Newest edition first (by its first event's day), calendars without events last."""
    first = min((e.first_day for e in calendar.events), default=None)
    return (first is None, -first.toordinal() if first else 0, calendar.id)
