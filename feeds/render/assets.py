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


@lru_cache(maxsize=512)
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


def assets(feeds: Sequence, settings: Settings) -> dict[str, tuple[bytes, str]]:
    """Non-HTML resources of the pages: static files and one QR code per feed."""
    out: dict[str, tuple[bytes, str]] = {}
    for name, body in static_files().items():
        out[f"/static/{name}"] = (body, STATIC_TYPES[posixpath.splitext(name)[1]])
    for feed in feeds:
        if getattr(feed, "archive", False):
            continue  # a full history is not offered for subscribing: no QR code
        out[qr_path(feed.id)] = (qr_svg(settings.public_url + feed.path), SVG_TYPE)
    out[ROBOTS_PATH] = (ROBOTS_TXT.encode("utf-8"), TEXT_TYPE)
    return out
