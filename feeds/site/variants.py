"""The fixed reminder variants of the deadlines feeds: paths of their own, for static hosts.

A static export cannot answer ``?remind=7d`` (:mod:`feeds.site.selection`), so every feed
whose :class:`~feeds.scope.Scope` holds deadlines (each calendar's ``deadlines`` feed, the
merged one, and any later cross-calendar deadlines feed) is also published, byte for byte as
``<feed>.ics?remind=...`` serves it, at::

    /feeds/icml-2026/deadlines/remind-7d.ics       ?remind=7d
    /feeds/icml-2026/deadlines/remind-1d.ics       ?remind=1d
    /feeds/icml-2026/deadlines/remind-7d-1d.ics    ?remind=7d,1d
    /feeds/deadlines/remind-7d.ics                 (the merged deadlines feed), ...

A folder named like the feed cannot meet another URL: kind slugs have no ``/`` (so nothing
else lives under ``/feeds/<calendar>/deadlines/``) and ``deadlines`` is a reserved calendar
id (so nothing else lives under ``/feeds/deadlines/``). ``feeds.json`` lists each deadlines
feed's variants with it. This module owns the scheme; :func:`feeds.site.build.assemble`
renders the variants, and the live app answers a query on a variant path as the same query
on its feed with the variant's reminders.
"""

from __future__ import annotations

import re

from feeds.render import reminders
from feeds.render.paths import reminder_variant
from feeds.site.resources import FeedInfo

VARIANTS = reminders.VARIANTS
_VARIANT = re.compile(r"(?P<stem>/feeds/.+)/remind-(?P<days>[0-9]+d(?:-[0-9]+d)*)\.ics")


def has_variants(feed: FeedInfo) -> bool:
    """Deadlines feeds to subscribe to; not the histories, which are archives."""
    return reminders.has_variants(feed)


def paths(feed: FeedInfo) -> list[tuple[tuple[int, ...], str]]:
    """``(days, path)`` of each variant of ``feed``; none for a feed without deadlines."""
    if not has_variants(feed):
        return []
    return [(days, reminder_variant(feed.path, days)) for days in VARIANTS]


def at(path: str) -> tuple[str, tuple[int, ...]] | None:
    """``(the feed's path, days)`` if ``path`` has the shape of a variant of one of
    :data:`VARIANTS`, else None (whether that feed exists is the caller's to check)."""
    match = _VARIANT.fullmatch(path)
    if match is None:
        return None
    days = tuple(int(part[:-1]) for part in match["days"].split("-"))
    if days not in VARIANTS:
        return None
    return match["stem"] + ".ics", days
