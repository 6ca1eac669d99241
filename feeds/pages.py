"""The HTML pages, rendered once per data change like the feeds.

Templates live in ``feeds/templates``; Jinja2 escapes every value.
"""

from __future__ import annotations

from collections.abc import Sequence

from jinja2 import Environment, PackageLoader, select_autoescape

from .config import Settings
from .links import webcal

_env = Environment(
    loader=PackageLoader("feeds", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def render_all(builds: Sequence, feeds: Sequence, settings: Settings) -> dict[str, str]:
    """Every page of the site by URL path."""
    listed = [
        {
            "feed": f,
            "url": settings.public_url + f.path,
            "webcal": webcal(settings.public_url + f.path),
        }
        for f in feeds
    ]
    return {
        "/": _env.get_template("index.html").render(
            site_name=settings.site_name, feeds=listed, builds=builds, settings=settings
        )
    }
