"""Links people click: subscribe and add-to-calendar URLs for each client.

Every function here is pure: a URL (or an event) in, a URL out. The formats, and the
evidence for them, are summarised in ``docs/pages.md`` and ``docs/compatibility.md`` (from
the team's shared client reference); none is documented by its vendor, all are in wide
use. Every parameter value is percent-encoded as UTF-8 with nothing left "safe" except
where a format wants a literal ``/`` (Google's ``dates`` range, Outlook's ``path``), so
Korean text and ``& # + % ?`` survive the trip.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from urllib.parse import quote

from feeds import occurrences
from feeds.model import AllDay, Event
from feeds.timefmt import basic_date, basic_utc, iso_utc

GOOGLE_SUBSCRIBE = "https://calendar.google.com/calendar/r"
GOOGLE_ADD_BY_URL = "https://calendar.google.com/calendar/u/0/r/settings/addbyurl"
GOOGLE_TEMPLATE = "https://calendar.google.com/calendar/render"
OUTLOOK_COM = "https://outlook.live.com"
MICROSOFT_365 = "https://outlook.office.com"

#: Google and Outlook refuse or cut very long links; descriptions are shortened to this.
MAX_DETAILS = 1200


def webcal(url: str) -> str:
    """The ``webcal://`` form of an http(s) feed URL (Apple Calendar, Outlook desktop)."""
    return "webcal://" + url.split("://", 1)[1]


def query(pairs: list[tuple[str, str]], literal_slash: tuple[str, ...] = ()) -> str:
    """``k=v&...`` with every value percent-encoded (``/`` kept only for the names given)."""
    return "&".join(
        f"{_quoted(k, '')}={_quoted(v, '/' if k in literal_slash else '')}" for k, v in pairs
    )


#: ``quote`` remembered: a page repeats its feed's URL and name in a dozen links, and a site
#: of thousands of calendars builds hundreds of thousands of them.
_quoted = lru_cache(maxsize=8192)(quote)


# -- subscribing to a feed ----------------------------------------------------


def google_subscribe(url: str) -> str:
    """Google Calendar's one-click subscribe link: ``.../calendar/r?cid=webcal://...``.

    Only a second try: Google rejects it for many feeds it does not host, and where it
    works it is with the ``webcal://`` form in ``cid`` (``cid=https://...`` is refused as
    "not associated with an active Google Calendar account"; CLIENTS-2026.md). The
    default route is :data:`GOOGLE_ADD_BY_URL` with the URL copied.
    """
    return f"{GOOGLE_SUBSCRIBE}?{query([('cid', webcal(url))])}"


def outlook_subscribe(url: str, name: str, host: str = OUTLOOK_COM) -> str:
    """Outlook on the web's ``addfromweb`` link; ``host`` picks Outlook.com or Microsoft 365.

    The https URL, never ``webcal:`` (new Outlook for Windows strips that scheme).
    """
    return f"{host}/calendar/0/addfromweb?{query([('url', url), ('name', name)])}"


#: The parameter that makes a feed URL new to Google without changing the feed: Google
#: keeps one copy per URL for all its users, so re-adding the same URL fetches nothing.
VERSION_PARAMETER = "v"


def fresh_copy(url: str, version: int = 2) -> str:
    """``url`` with ``v=<version>``: the same bytes, a URL Google has not cached yet."""
    return f"{url}{'&' if '?' in url else '?'}{VERSION_PARAMETER}={version}"


@dataclass(frozen=True)
class SubscribeLinks:
    """Every way to subscribe to one feed URL."""

    url: str  # the plain http(s) URL, to copy or paste (Outlook on the web, new Outlook)
    webcal: str  # Apple Calendar, classic Outlook for Windows
    google: str  # the cid link: Google's second try
    google_add_by_url: str  # Google's default: this page, with the URL pasted
    outlook_com: str
    microsoft_365: str
    fresh: str  # the URL for a fresh copy in Google after an urgent change


def subscribe_links(url: str, name: str) -> SubscribeLinks:
    return SubscribeLinks(
        url=url,
        webcal=webcal(url),
        google=google_subscribe(url),
        google_add_by_url=GOOGLE_ADD_BY_URL,
        outlook_com=outlook_subscribe(url, name, OUTLOOK_COM),
        microsoft_365=outlook_subscribe(url, name, MICROSOFT_365),
        fresh=fresh_copy(url),
    )


# -- adding one event -----------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """When an event (its first occurrence) happens, as the add-event links need it.

    Timed events and deadlines give aware UTC datetimes; all-day events give
    dates with ``end`` exclusive (a 6 to 11 July event ends on 12 July).
    """

    start: datetime | date
    end: datetime | date
    all_day: bool


def first_span(event: Event) -> Span:
    """The span of the event's first occurrence (a repeating event's first date left
    by its exceptions); a deadline is the zero-length span of its instant."""
    start, end = occurrences.first(event)
    return Span(start, start if end is None else end, isinstance(event.when, AllDay))


def google_event(title: str, span: Span, details: str = "", location: str = "") -> str:
    """Google Calendar's ``action=TEMPLATE`` link.

    UTC ``...Z`` times, or for all-day events dates with an exclusive end.
    """
    if span.all_day:
        dates = f"{basic_date(span.start)}/{basic_date(span.end)}"
    else:
        dates = f"{basic_utc(span.start)}/{basic_utc(span.end)}"
    pairs = [("action", "TEMPLATE"), ("text", title), ("dates", dates)]
    if details:
        pairs.append(("details", shorten(details)))
    if location:
        pairs.append(("location", location))
    return f"{GOOGLE_TEMPLATE}?{query(pairs, literal_slash=('dates',))}"


def outlook_event(
    title: str, span: Span, details: str = "", location: str = "", host: str = OUTLOOK_COM
) -> str:
    """Outlook on the web's compose deeplink: UTC with ``Z``, or dates with ``allday=true``.

    For all-day events ``enddt`` is the exclusive end date, as in iCalendar.
    """
    if span.all_day:
        start, end = f"{span.start:%Y-%m-%d}", f"{span.end:%Y-%m-%d}"
    else:
        start = iso_utc(span.start)
        end = iso_utc(span.end)
    pairs = [
        ("path", "/calendar/action/compose"),
        ("rru", "addevent"),
        ("subject", title),
        ("startdt", start),
        ("enddt", end),
    ]
    if span.all_day:
        pairs.append(("allday", "true"))
    if details:
        pairs.append(("body", shorten(details)))
    if location:
        pairs.append(("location", location))
    return f"{host}/calendar/0/deeplink/compose?{query(pairs, literal_slash=('path',))}"


@dataclass(frozen=True)
class EventLinks:
    google: str
    outlook_com: str
    microsoft_365: str


def event_links(title: str, span: Span, details: str = "", location: str = "") -> EventLinks:
    return EventLinks(
        google=google_event(title, span, details, location),
        outlook_com=outlook_event(title, span, details, location, OUTLOOK_COM),
        microsoft_365=outlook_event(title, span, details, location, MICROSOFT_365),
    )


def shorten(text: str, limit: int = MAX_DETAILS) -> str:
    """``text`` cut at a line or word boundary to at most ``limit`` characters."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    for sep in ("\n", " "):
        at = cut.rfind(sep)
        if at > limit // 2:
            cut = cut[:at]
            break
    return cut.rstrip() + "…"
