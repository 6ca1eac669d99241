"""The subscribe box: a feed's links for every calendar client, its QR code and embed snippet;
and the first-screen actions ("Add all deadlines") that lead to the viewer's likely app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from feeds.config import Settings
from feeds.model import kind_slug
from feeds.render import links, reminders
from feeds.render.paths import embed_page, qr_path, relative, reminder_variant


@dataclass(frozen=True)
class SubscribeBox:
    """Everything the subscribe box shows for one feed URL."""

    key: str  # unique within a page, for element ids
    name: str
    event_count: int
    links: links.SubscribeLinks
    qr_src: str
    refresh_words: str
    client_refresh: dict  # client key -> how soon it shows a change (CLIENT_REFRESH)
    download: str  # link (relative) to the feed itself
    embed_url: str = ""
    embed_snippet: str = ""
    note: str = ""  # e.g. what the selection is
    #: a deadlines feed's variant with reminder events 7 and 1 days ahead, for Google
    #: (which ignores alarms in subscribed calendars); "" for other feeds
    remind_url: str = ""


#: How soon each client shows a change, as reported in 2024-2026 (CLIENTS-2026.md, COMPAT.md);
#: shown beside each client in the subscribe panel. ``{feed}`` is the feed's own interval.
CLIENT_REFRESH = {
    "apple": "as often as you choose on a Mac (every 5 minutes to every week); "
    "iPhone and iPad on their own schedule",
    "google": "on Google's schedule, every few hours to about a day; "
    "it ignores the feed's suggested interval",
    "outlook-web": "on Microsoft's schedule, often several hours or more; "
    "it ignores the feed's suggested interval",
    "outlook-classic": "every {feed}, the feed's suggestion, when \u201cUpdate this subscription "
    "with the publisher's recommendation\u201d is ticked",
    "thunderbird": "as set in the calendar's properties (\u201cRefresh calendar\u201d)",
}


@dataclass(frozen=True)
class QuickAction:
    """A first-screen action: one feed, offered to the viewer's likely app.

    The page names Apple Calendar (a ``webcal:`` link) without JavaScript; ``site.js``
    offers the app the platform suggests instead, the others staying one click away.
    """

    key: str
    label: str  # "Add all deadlines"
    event_count: int
    links: links.SubscribeLinks


def quick_action(feed, settings: Settings, label: str) -> QuickAction:
    url = settings.public_url + feed.path
    return QuickAction(
        key=feed.id.replace("/", "--"),
        label=label,
        event_count=feed.event_count,
        links=links.subscribe_links(url, feed.name),
    )


def calendar_actions(feeds, main_feed, kind: str | None, settings: Settings) -> list[QuickAction]:
    """A calendar page's first-screen actions: its deadlines (or the page's kind), then all."""
    shown = kind or "deadline"
    first = next((f for f in feeds if f.kind == shown), None)
    out: list[QuickAction] = []
    if first is not None and first.event_count:
        out.append(quick_action(first, settings, f"Add all {kind_slug(shown).replace('-', ' ')}"))
    out.append(quick_action(main_feed, settings, "Add the whole conference"))
    return out


def index_actions(merged, settings: Settings) -> list[QuickAction]:
    """The index's first-screen actions: every deadline, then every event, of every calendar."""
    labels = {"deadlines": "Add all deadlines", "all": "Add every calendar"}
    return [
        quick_action(f, settings, labels[f.id])
        for f in sorted(merged, key=lambda f: f.id != "deadlines")
        if f.id in labels and f.event_count
    ]


def client_refresh(refresh: timedelta) -> dict[str, str]:
    """:data:`CLIENT_REFRESH` with this feed's interval filled in."""
    words = refresh_words(refresh)
    return {k: v.format(feed=words) for k, v in CLIENT_REFRESH.items()}


def refresh_words(refresh: timedelta) -> str:
    hours, rest = divmod(int(refresh.total_seconds()), 3600)
    if rest == 0 and hours % 24 == 0:
        days = hours // 24
        return f"{days} day{'s' if days != 1 else ''}"
    if rest == 0:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{int(refresh.total_seconds() // 60)} minutes"


def embed_snippet(url: str, title: str, public_url: str = "") -> str:
    """The snippet a site owner pastes: the frame, and the host script that sets its height
    from the embed's messages (docs/embedding.md, "Auto-height")."""
    frame = (
        f'<iframe src="{url}" title="{_attr(title)}" width="100%" height="480" '
        f'style="border:0; max-height:90vh" loading="lazy"></iframe>'
    )
    if not public_url:
        return frame
    return frame + f'\n<script src="{public_url}/static/embed-host.js" defer></script>'


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
    own = url == settings.public_url + feed.path  # not a selection's URL
    remind_url = ""
    if own and reminders.has_variants(feed):
        remind_url = settings.public_url + reminder_variant(feed.path, (7, 1))
    return SubscribeBox(
        key=feed.id.replace("/", "--"),
        name=name,
        event_count=feed.event_count if event_count is None else event_count,
        links=links.subscribe_links(url, name),
        qr_src=qr_src or relative(page, qr_path(feed.id)),
        refresh_words=refresh_words(settings.refresh),
        client_refresh=client_refresh(settings.refresh),
        download=relative(page, feed.path) if own else url,
        embed_url=embed_url,
        embed_snippet=(
            embed_snippet(embed_url, f"{name} calendar", settings.public_url) if embed else ""
        ),
        note=note,
        remind_url=remind_url,
    )
