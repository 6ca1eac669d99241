"""Which kind of client fetched a feed, from its User-Agent: a pure function.

Families, checked in this order (the first match wins):

=============  =====================================================================
``google``     Google Calendar's fetcher (``Google-Calendar-Importer``), Googlebot and
               other ``Google-*`` / ``Googlebot*`` / ``GoogleOther`` agents
``apple``      Apple's calendar daemons: ``iOS/... dataaccessd``, ``macOS/... CalendarAgent``,
               ``Mac OS X/... CalendarAgent``, ``iCal/``, ``Calendar/... (Macintosh)``
``thunderbird`` Thunderbird (``Thunderbird/115.0``), checked before browsers (its UA says Gecko)
``microsoft``  Outlook and Exchange: ``Microsoft Office``, ``Microsoft Outlook``,
               ``Outlook-iOS``, ``Outlook-Android``, ``MSFT-...``, ``Microsoft Exchange``,
               ``ExchangeWebServices``, ``Microsoft.Exchange``
``browser``    a web browser: ``Mozilla/5.0`` with a browser engine token and no bot token
``other``      everything else, including other bots, tools and an empty User-Agent
=============  =====================================================================

Only the family is kept and logged, never the User-Agent string itself.
"""

from __future__ import annotations

import functools
import re

FAMILIES = ("google", "apple", "thunderbird", "microsoft", "browser", "other")

_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("google", re.compile(r"google-calendar-importer|googlebot|googleother|\bgoogle-[a-z]", re.I)),
    (
        "apple",
        re.compile(
            r"\bdataaccessd\b|\bcalendaragent\b|\bical/\d|\bcalendar/[\d.]+ \(macintosh|"
            r"^(ios|ipados|macos|mac os x|watchos)/[\d.]+ \(",
            re.I,
        ),
    ),
    ("thunderbird", re.compile(r"\bthunderbird/", re.I)),
    (
        "microsoft",
        re.compile(
            r"microsoft office|microsoft outlook|\boutlook-(ios|android|express)\b|^msft|\bmsft-|"
            r"microsoft[ .]exchange|exchangewebservices|\bms-office\b|\bmicrosoft\.outlook",
            re.I,
        ),
    ),
)
_BOT = re.compile(r"bot\b|crawler|spider|slurp|preview|fetcher|monitor|http-?client", re.I)
_BROWSER = re.compile(
    r"^mozilla/5\.0 .*(gecko|applewebkit|chrome|firefox|safari|edg/|trident)", re.I
)


@functools.lru_cache(maxsize=1024)  # a server sees the same few User-Agents all day
def family(user_agent: str | None) -> str:
    """The client family of ``user_agent`` (see the module's table); never raises."""
    ua = (user_agent or "").strip()[:512]
    if not ua:
        return "other"
    for name, pattern in _RULES:
        if pattern.search(ua):
            return name
    if _BROWSER.search(ua) and not _BOT.search(ua):
        return "browser"
    return "other"
