"""The change log's URLs: ``/changes/<calendar>.atom`` for each calendar, ``/changes.atom`` for all.

The words and the Atom bytes are :mod:`feeds.render.changes`; this module puts them at their
URLs with the Last-Modified of what they come from: a calendar's feed has the calendar's
latest revision (as its ``.ics`` feeds do), the site's the latest of every calendar, and each
feed's Atom ``updated`` is that same time, so its bytes and its Last-Modified move together.
No other URL starts with ``/changes``.
"""

from __future__ import annotations

from collections.abc import Sequence

from feeds.config import Settings
from feeds.render import changes
from feeds.render.paths import calendar_page
from feeds.revisions import EPOCH
from feeds.site.resources import CalendarBuild, Resource

ATOM_TYPE = "application/atom+xml; charset=utf-8"


def resources(
    builds: Sequence[CalendarBuild], settings: Settings, cache: dict | None = None
) -> dict[str, Resource]:
    """Each calendar's change log and the site's, by path.

    ``cache`` maps a calendar id to (its revisions, what else its feed shows, its entries,
    its Resource) from the last call: a calendar whose revisions are the same object keeps
    its feed, not rebuilt. The caller owns it (``SiteCache.changes``).
    """
    base = settings.public_url
    pages = {b.calendar.id: base + calendar_page(b.calendar.id) for b in builds}
    fresh: dict = {}
    out: dict[str, Resource] = {}
    logs = []
    for build in builds:
        cal = build.calendar
        context = (cal.name, settings.uid_domain, base, settings.site_name)
        hit = cache.get(cal.id) if cache is not None else None
        if hit is None or hit[0] is not build.revisions or hit[1] != context:
            entries = changes.entries(cal, build.revisions, settings.uid_domain)
            path = changes.calendar_path(cal.id)
            feed = changes.AtomFeed(
                f"{cal.name}: what changed",
                base + path,
                pages[cal.id],
                settings.site_name,
                f"Changes to the dates, places and titles of {cal.name}, newest first.",
            )
            modified = build.revisions.modified
            body = changes.atom_bytes(feed, entries, pages, modified)
            hit = (
                build.revisions,
                context,
                entries,
                Resource(path, body, ATOM_TYPE, modified, cors=True),
            )
        fresh[cal.id] = hit
        out[hit[3].path] = hit[3]
        logs.append(hit[2])
    if cache is not None:
        cache.clear()
        cache.update(fresh)
    modified = max((b.revisions.modified for b in builds), default=EPOCH)
    site = changes.AtomFeed(
        f"{settings.site_name}: what changed",
        base + changes.SITE_PATH,
        base + "/",
        settings.site_name,
        "Changes to the dates, places and titles of every calendar, newest first.",
    )
    body = changes.atom_bytes(site, changes.newest(logs), pages, modified)
    out[changes.SITE_PATH] = Resource(changes.SITE_PATH, body, ATOM_TYPE, modified, cors=True)
    return out
