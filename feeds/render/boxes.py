"""The subscribe box: a feed's links for every calendar client, its QR code and embed snippet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from feeds.config import Settings
from feeds.render import links
from feeds.render.paths import embed_page, qr_path, relative


@dataclass(frozen=True)
class SubscribeBox:
    """Everything the subscribe box shows for one feed URL."""

    key: str  # unique within a page, for element ids
    name: str
    event_count: int
    links: links.SubscribeLinks
    qr_src: str
    refresh_words: str
    download: str  # link (relative) to the feed itself
    embed_url: str = ""
    embed_snippet: str = ""
    note: str = ""  # e.g. what the selection is


def refresh_words(refresh: timedelta) -> str:
    hours, rest = divmod(int(refresh.total_seconds()), 3600)
    if rest == 0 and hours % 24 == 0:
        days = hours // 24
        return f"{days} day{'s' if days != 1 else ''}"
    if rest == 0:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{int(refresh.total_seconds() // 60)} minutes"


def embed_snippet(url: str, title: str) -> str:
    return (
        f'<iframe src="{url}" title="{_attr(title)}" width="100%" height="480" '
        f'style="border:0" loading="lazy"></iframe>'
    )


def _attr(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def subscribe_box(
    feed,
    settings: Settings,
    page: str,
    *,
    url: str | None = None,
    qr_src: str | None = None,
    event_count: int | None = None,
    name: str | None = None,
    note: str = "",
    embed: bool = True,
) -> SubscribeBox:
    url = url or settings.public_url + feed.path
    name = name or feed.name
    embed_url = settings.public_url + embed_page(feed.id) if embed else ""
    return SubscribeBox(
        key=feed.id.replace("/", "--"),
        name=name,
        event_count=feed.event_count if event_count is None else event_count,
        links=links.subscribe_links(url, name),
        qr_src=qr_src or relative(page, qr_path(feed.id)),
        refresh_words=refresh_words(settings.refresh),
        download=relative(page, feed.path) if url == settings.public_url + feed.path else url,
        embed_url=embed_url,
        embed_snippet=embed_snippet(embed_url, f"{name} calendar") if embed else "",
        note=note,
    )
