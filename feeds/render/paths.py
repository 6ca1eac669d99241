"""URL paths of the pages, and the relative links between them.

Links between pages are relative (``../../static/site.css``), so an export works
under any host and folder; absolute URLs come only from ``settings.public_url``.
"""

from __future__ import annotations

import posixpath

from feeds.model import kind_slug

EMBED_PREFIX = "/embed/"


def feed_path(feed_id: str) -> str:
    """The URL path of a feed: ``icml-2026`` -> ``/feeds/icml-2026.ics``,
    ``icml-2026/deadlines`` -> ``/feeds/icml-2026/deadlines.ics``."""
    return f"/feeds/{feed_id}.ics"


def calendar_page(calendar_id: str) -> str:
    return f"/calendars/{calendar_id}/"


def kind_page(calendar_id: str, kind: str) -> str:
    return f"/calendars/{calendar_id}/{kind_slug(kind)}/"


def embed_page(feed_id: str) -> str:
    return f"{EMBED_PREFIX}{feed_id}/"


def qr_path(feed_id: str) -> str:
    return f"/qr/{feed_id}.svg"


def relative(from_page: str, to: str) -> str:
    """A link from the page at URL path ``from_page`` to ``to``, relative so exports can move."""
    target, _, extra = to.partition("?")
    target, _, fragment = target.partition("#")
    base = from_page if from_page.endswith("/") else posixpath.dirname(from_page) + "/"
    rel = posixpath.relpath(target, base.rstrip("/") or "/")
    if target.endswith("/") and not rel.endswith("/"):
        rel += "/"
    if rel == "./" or rel == ".":
        rel = "./"
    return rel + (f"?{extra}" if extra else "") + (f"#{fragment}" if fragment else "")


def tag_page(tag: str) -> str:
    """The page of a tag's feeds and calendars."""
    return f"/tags/{tag}/"


def series_page(series: str) -> str:
    """The page of a series' feed and editions."""
    return f"/series/{series}/"


def reminder_variant(feed_path: str, days: tuple[int, ...]) -> str:
    """The path of a deadlines feed's reminder variant: ``/feeds/x/deadlines.ics`` with
    ``(7, 1)`` -> ``/feeds/x/deadlines/remind-7d-1d.ics`` (see :mod:`feeds.site.variants`)."""
    stem = feed_path.removesuffix(".ics")
    return f"{stem}/remind-{'-'.join(f'{n}d' for n in days)}.ics"
