"""URL paths of the pages, and the relative links between them.

Links between pages are relative (``../../static/site.css``), so an export works
under any host and folder; absolute URLs come only from ``settings.public_url``.
"""

from __future__ import annotations

import posixpath
from functools import lru_cache

from markupsafe import escape

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


def part_page(page: str, key: str) -> str:
    """A month's or a day's part of a split calendar page (``views.page_unit``):
    ``/calendars/x/`` and ``2026-07`` -> ``/calendars/x/on/2026-07/``. No kind's folder is
    ``on``: a kind's is its plural, which ends in "s" (``model.kind_slug``)."""
    return f"{page}on/{key}/"


def qr_path(feed_id: str) -> str:
    return f"/qr/{feed_id}.svg"


def relative(from_page: str, to: str) -> str:
    """A link from the page at URL path ``from_page`` to ``to``, relative so exports can move.

    The answer of ``posixpath.relpath`` (``tests/render/test_paths.py`` pins the two equal),
    computed from the paths' segments: a page has some thirty links and a site of thousands
    of calendars tens of thousands of pages, where ``relpath``'s normalising was a tenth of
    the pages' time.
    """
    target, _, extra = to.partition("?")
    target, _, fragment = target.partition("#")
    base = _segments(from_page if from_page.endswith("/") else posixpath.dirname(from_page))
    parts = _segments(target)
    common = 0
    for a, b in zip(base, parts, strict=False):
        if a != b:
            break
        common += 1
    rel = "/".join(("..",) * (len(base) - common) + parts[common:]) or "."
    if target.endswith("/") and not rel.endswith("/"):
        rel += "/"
    if rel == "./" or rel == ".":
        rel = "./"
    return rel + (f"?{extra}" if extra else "") + (f"#{fragment}" if fragment else "")


@lru_cache(maxsize=4096)
def _segments(path: str) -> tuple[str, ...]:
    """The segments of an absolute URL path, normalised as ``posixpath.abspath`` does."""
    if "/." in path or "//" in path:
        path = posixpath.normpath(path)
    return tuple(part for part in path.split("/") if part)


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


class PageLinks:
    """Fills in a cached row's links for one page (``relative(page, target)``, escaped)."""

    def __init__(self, page: str):
        self.page = page
        self.folders: dict[str, str] = {}

    def link(self, target: str) -> str:
        folder, sep, name = target.rpartition("/")
        if sep and name and "?" not in name and "#" not in name:
            base = self.folders.get(folder)
            if base is None:
                base = self.folders[folder] = relative(self.page, folder + "/")
            if base != "./":
                return str(escape(base + name))
        return str(escape(relative(self.page, target)))

    def join(self, parts: list[str]) -> str:
        if len(parts) == 1:
            return parts[0]
        out = parts[:]
        link = self.link
        for i in range(1, len(out), 2):
            out[i] = link(out[i])
        return "".join(out)
