"""The pages' non-HTML resources: static CSS, JavaScript and the favicon, a QR code per feed,
and robots.txt (served by the app and written by the export like every resource)."""

from __future__ import annotations

import hashlib
import io
import posixpath
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources as package_files

import segno

from feeds.config import Settings
from feeds.render.metadata import ROBOTS_TXT
from feeds.render.paths import qr_path

STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
SVG_TYPE = "image/svg+xml"
TEXT_TYPE = "text/plain; charset=utf-8"
ROBOTS_PATH = "/robots.txt"


@lru_cache(maxsize=1)
def static_files() -> dict[str, bytes]:
    """``feeds/static`` by file name."""
    folder = package_files.files("feeds") / "static"
    return {
        entry.name: entry.read_bytes()
        for entry in folder.iterdir()
        if entry.is_file() and posixpath.splitext(entry.name)[1] in STATIC_TYPES
    }


def static_path(name: str) -> str:
    """``/static/site.css?v=1a2b3c4d``: the version busts caches when the file changes."""
    body = static_files()[name]
    return f"/static/{name}?v={hashlib.sha256(body).hexdigest()[:10]}"


def qr_svg(url: str) -> bytes:
    """A QR code of ``url`` as a standalone SVG (deterministic for a given URL)."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        scale=4,
        border=4,
        dark="#000",
        light="#fff",
        xmldecl=True,
        title=url,
        svgclass=None,
        lineclass=None,
    )
    return out.getvalue()


def qr_data_uri(url: str) -> str:
    """The QR code as a ``data:`` URI, for the per-request "your feed" page."""
    return segno.make(url, error="m", micro=False).svg_data_uri(
        scale=4, border=4, dark="#000", light="#fff", svgclass=None, lineclass=None
    )


class QrCache:
    """QR codes by the URL they encode (the one input of :func:`qr_svg`'s bytes).

    A code costs about 4 ms (segno tries eight masks in Python); a site of thousands of
    calendars has a code per feed, and a feed's URL does not change when its events do, so
    whoever re-renders a site (the live store, through ``feeds.site.SiteCache``) keeps one
    and no code is made twice. Entries whose URL is gone are dropped by :meth:`keep_only`.
    """

    def __init__(self):
        self._svg: dict[str, bytes] = {}

    def svg(self, url: str) -> bytes:
        body = self._svg.get(url)
        if body is None:
            body = self._svg.setdefault(url, qr_svg(url))  # two threads: one kept, same bytes
        return body

    def keep_only(self, urls) -> None:
        """Forget the codes of URLs not in ``urls`` (feeds that no longer exist)."""
        wanted = set(urls)
        for url in [u for u in self._svg if u not in wanted]:
            self._svg.pop(url, None)

    def __len__(self) -> int:
        return len(self._svg)


def static_assets() -> dict[str, tuple[bytes, str]]:
    """The static files and robots.txt as ``{URL path: (bytes, media type)}``."""
    out = {
        f"/static/{name}": (body, STATIC_TYPES[posixpath.splitext(name)[1]])
        for name, body in static_files().items()
    }
    out[ROBOTS_PATH] = (ROBOTS_TXT.encode("utf-8"), TEXT_TYPE)
    return out


def qr_urls(feeds: Sequence, settings: Settings) -> dict[str, str]:
    """Each feed's QR code: ``{URL path of the SVG: the feed URL it encodes}``; none for a
    full history, which is not offered for subscribing."""
    return {
        qr_path(feed.id): settings.public_url + feed.path
        for feed in feeds
        if not getattr(feed, "archive", False)
    }


def assets(
    feeds: Sequence, settings: Settings, qr: QrCache | None = None
) -> dict[str, tuple[bytes, str]]:
    """Non-HTML resources of the pages: static files and one QR code per feed."""
    qr = qr if qr is not None else QrCache()
    out = static_assets()
    for path, url in qr_urls(feeds, settings).items():
        out[path] = (qr.svg(url), SVG_TYPE)
    return out
