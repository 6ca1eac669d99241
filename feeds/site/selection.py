"""Subscriber choices: a feed narrowed by kind, tag or picked events, with optional reminders.

A feed URL may carry a query string::

    /feeds/icml-2026.ics?kind=workshop,tutorial
    /feeds/icml-2026.ics?tags=oral
    /feeds/icml-2026.ics?ids=keynote-1,workshops      (a personal "my events" feed)
    /feeds/icml-2026.ics?alarm=1d,1h                    (VALARM reminders; none by default)
    /feeds/deadlines.ics?remind=7d,1d                   (reminder events, for Google: below)
    /feeds/icml-2026.ics?times=utc                      (for display widgets: see below)

Each parameter narrows the feed (an event must match every one given); the
values of one parameter are alternatives. Values may be comma-separated or
repeated (``?ids=a&ids=b``), in any order and with duplicates: :func:`parse`
turns them into one canonical :class:`Selection`, so equivalent URLs give the
same bytes and the same ETag. Anything unknown is a :class:`SelectionError`
naming the bad value and the valid ones (a 400 for the web app).

:func:`render` reuses the VEVENT bytes the site already rendered, inserting
VALARM blocks before ``END:VEVENT`` when reminders are asked for, and
:func:`resource` caches the result in the site's selections LRU
(:class:`feeds.site.cache.SiteCache`) keyed by the unfiltered
feed's ETag (which changes whenever anything in it does) and the canonical
selection, so a client polling the same URL gets a lookup.

``?times=utc`` is for display widgets that cannot read VTIMEZONEs (FullCalendar's
iCalendar plugin with ical.js 1.x reads ``DTSTART;TZID=...`` as floating): every
timed event is written with UTC instants (``DTSTART:...Z``), and a repeating one is
expanded into a VEVENT per occurrence, at the instants :mod:`feeds.occurrences`
gives (an RRULE in UTC would drift by an hour across a daylight-saving change).
Each occurrence's UID is the event's with the occurrence's UTC start added
(``icml-2026/workshops/20260709T230000Z@domain``), so this variant is for showing
a calendar, not for subscribing: its UIDs differ from the main feed's. All-day
events and deadlines are as in the main feed.

``?remind=7d,1d`` adds, before each deadline, an all-day reminder event per number of days
(:mod:`feeds.render.reminders` says on which day, and why): Google ignores VALARM in
subscribed calendars, so these are what reaches a Google user. At most
:data:`MAX_REMINDERS` values, each 1 to 365 days.

Selections need the live app: a static export serves the unfiltered feed
whatever the query string says, except for the fixed reminder variants of the deadlines
feeds, which are files of their own (:mod:`feeds.site.variants`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, quote

import icalendar

from feeds import occurrences
from feeds.config import Settings
from feeds.model import Event, Timed, kind_slug
from feeds.render import ics, pages, reminders
from feeds.site import variants
from feeds.site.cache import LRU, SiteCache
from feeds.site.resources import CALENDAR_TYPE, HTML_TYPE, CalendarBuild, FeedInfo, Resource, Site
from feeds.timefmt import basic_utc

#: Parameter names, with the spellings accepted for each.
PARAMETERS = {
    "kind": "kind",
    "kinds": "kind",
    "tags": "tags",
    "tag": "tags",
    "ids": "ids",
    "id": "ids",
    "alarm": "alarm",
    "alarms": "alarm",
    "times": "times",
    "time": "times",
    "remind": "remind",
    "reminders": "remind",
}
#: The values ``?times=`` takes: ``utc``, every time as a UTC instant, repeats expanded.
TIMES = ("utc",)
MAX_QUERY = 4096
MAX_VALUES = 500
MAX_ALARMS = 4
MAX_ALARM = timedelta(weeks=4)
MAX_REMINDERS = 5
_DURATION_PART = re.compile(r"(\d{1,5})([wdhm])")
_UNIT = {
    "w": timedelta(weeks=1),
    "d": timedelta(days=1),
    "h": timedelta(hours=1),
    "m": timedelta(minutes=1),
}


class SelectionError(ValueError):
    """A query string that does not describe a selection of this feed."""


@dataclass(frozen=True)
class Selection:
    """A canonical choice: sorted, deduplicated values, so equal choices compare equal."""

    kinds: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()  # "event-id", or "calendar-id/event-id" in merged feeds
    alarms: tuple[timedelta, ...] = ()  # longest first
    times: str = ""  # "" (as the feed has them) or "utc" (UTC instants, repeats expanded)
    reminders: tuple[int, ...] = ()  # days ahead of each deadline, longest first

    def __bool__(self) -> bool:
        return bool(
            self.kinds or self.tags or self.ids or self.alarms or self.times or self.reminders
        )

    def query(self) -> str:
        """The canonical query string (without ``?``); empty for the whole feed."""
        parts = []
        if self.alarms:
            parts.append("alarm=" + ",".join(duration_text(a) for a in self.alarms))
        for name, values in (("ids", self.ids), ("kind", self.kinds), ("tags", self.tags)):
            if values:
                parts.append(name + "=" + ",".join(_quote(v) for v in values))
        if self.reminders:
            parts.append("remind=" + ",".join(f"{n}d" for n in self.reminders))
        if self.times:
            parts.append(f"times={self.times}")
        return "&".join(parts)

    def matches(self, event: Event, qualified: bool) -> bool:
        if self.kinds and event.kind not in self.kinds:
            return False
        if self.tags and not set(self.tags) & set(event.tags):
            return False
        if self.ids:
            key = f"{event.calendar_id}/{event.id}" if qualified else event.id
            if key not in self.ids:
                return False
        return True

    def name(self, base: str) -> str:
        """The name a client shows: ``ICML 2026 (tutorial, workshop)``, ``ICML 2026: my events``."""
        if self.ids:
            return f"{base}: my events"
        parts = []
        if self.kinds:
            parts.append(", ".join(self.kinds))
        if self.tags:
            parts.append(("tags: " if len(self.tags) > 1 else "tag: ") + ", ".join(self.tags))
        return f"{base} ({'; '.join(parts)})" if parts else base

    def summary(self) -> str:
        """The selection in words, for the feed description and the pages."""
        parts = []
        if self.kinds:
            parts.append("kinds " + ", ".join(self.kinds))
        if self.tags:
            parts.append("tags " + ", ".join(self.tags))
        if self.ids:
            parts.append(f"{len(self.ids)} picked event{'s' if len(self.ids) != 1 else ''}")
        if self.alarms:
            parts.append(
                "reminders " + ", ".join(duration_words(a) for a in self.alarms) + " before"
            )
        if self.reminders:
            days = ", ".join(reminders.days_words(n) for n in self.reminders)
            parts.append(f"a reminder event {days} before each deadline")
        if self.times == "utc":
            parts.append("times in UTC, repeats expanded (for display widgets)")
        return "; ".join(parts)


# -- parsing --------------------------------------------------------------------


def parse_query(query_string: str | bytes) -> list[tuple[str, str]]:
    """``k=v`` pairs of a raw query string, blank values kept; too long is an error."""
    if isinstance(query_string, bytes):
        try:
            query_string = query_string.decode("utf-8")
        except UnicodeDecodeError:
            raise SelectionError("the query string is not valid UTF-8") from None
    if len(query_string) > MAX_QUERY:
        raise SelectionError(f"the query string is longer than {MAX_QUERY} characters")
    try:
        return parse_qsl(query_string, keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise SelectionError("the query string is not valid UTF-8") from None


#: Parameters that link trackers and widgets' cache-busters add to a URL someone
#: shared; refusing them would break that subscription for good, so they are ignored
#: (as are ``utm_*``). Every other unknown parameter is refused, so a typo such as
#: ``?knid=`` is said, not silently served as the whole feed.
#: ``v`` is the version a subscriber adds (``?v=2``) to get a fresh copy from Google, which
#: keeps one copy per URL for all its users (docs/pages.md): the same feed at a new URL.
IGNORED_PARAMETERS = frozenset({"fbclid", "gclid", "msclkid", "mc_cid", "mc_eid", "_", "v"})


def parse(pairs: Iterable[tuple[str, str]], site: Site, feed: FeedInfo) -> Selection:
    """The canonical selection ``pairs`` describe for ``feed``; :class:`SelectionError` if bad."""
    raw: dict[str, list[str]] = {}
    count = 0
    for key, value in pairs:
        if key.startswith("utm_") or key in IGNORED_PARAMETERS:
            continue  # added by link trackers and cache-busters: not the subscriber's choice
        name = PARAMETERS.get(key)
        if name is None:
            valid = ", ".join(sorted(set(PARAMETERS.values())))
            raise SelectionError(f"unknown parameter '{_show(key)}': use {valid}")
        items = [v.strip() for v in value.split(",") if v.strip()]
        count += len(items)
        if count > MAX_VALUES:
            raise SelectionError(f"too many values: at most {MAX_VALUES}")
        raw.setdefault(name, []).extend(items)
    # values are checked against every event the feed ever held: an event that left its
    # horizon must not turn a subscribed ?ids= or ?kind= URL into a 400
    events = [r.event for r in feed_events(site, feed, horizon=False)]
    return Selection(
        kinds=_kinds(raw.get("kind", []), events, feed),
        tags=_tags(raw.get("tags", []), events),
        ids=_ids(raw.get("ids", []), events, feed, site),
        alarms=_alarms(raw.get("alarm", [])),
        times=_times(raw.get("times", [])),
        reminders=parse_reminders(raw.get("remind", [])),
    )


def _kinds(values: list[str], events: list[Event], feed: FeedInfo) -> tuple[str, ...]:
    if not values:
        return ()
    kinds = {e.kind for e in events} | ({feed.scope.kind} if feed.scope.kind else {"deadline"})
    lookup = {k: k for k in kinds} | {kind_slug(k): k for k in kinds}
    out = set()
    for value in values:
        kind = lookup.get(value.lower())
        if kind is None:
            raise SelectionError(
                f"unknown kind '{_show(value)}' in this feed; "
                f"valid kinds: {', '.join(sorted(kinds))}"
            )
        out.add(kind)
    return tuple(sorted(out))


def _tags(values: list[str], events: list[Event]) -> tuple[str, ...]:
    if not values:
        return ()
    tags = {t for e in events for t in e.tags}
    lookup = {t.casefold(): t for t in sorted(tags)}
    out = set()
    for value in values:
        tag = lookup.get(value.casefold())
        if tag is None:
            valid = ", ".join(sorted(tags)) if tags else "none (no event in this feed has tags)"
            raise SelectionError(f"unknown tag '{_show(value)}' in this feed; valid tags: {valid}")
        out.add(tag)
    return tuple(sorted(out))


def _ids(values: list[str], events: list[Event], feed: FeedInfo, site: Site) -> tuple[str, ...]:
    """Event ids, checked against the feed; ids of removed events are accepted (they
    match nothing), so a personal feed keeps working when an event is dropped."""
    if not values:
        return ()
    qualified = feed.scope.spans_calendars
    known = {f"{e.calendar_id}/{e.id}" if qualified else e.id for e in events}
    by_bare: dict[str, list[str]] = {}
    for e in events:
        by_bare.setdefault(e.id, []).append(f"{e.calendar_id}/{e.id}")
    removed = set()
    for build in site.builds:
        if feed.scope.includes_calendar(build.calendar):
            removed |= {
                f"{build.calendar.id}/{i}" if qualified else i for i in build.revisions.removed
            }
    out = set()
    for value in values:
        if value in known or value in removed:
            out.add(value)
        elif qualified and len(by_bare.get(value, ())) == 1:
            out.add(by_bare[value][0])
        else:
            listed = sorted(known)
            shown = ", ".join(listed[:40]) + (
                f" and {len(listed) - 40} more" if len(listed) > 40 else ""
            )
            form = "calendar-id/event-id" if qualified else "event id"
            raise SelectionError(
                f"unknown event '{_show(value)}' in this feed (give an {form}); valid: {shown}"
            )
    return tuple(sorted(out))


def _alarms(values: list[str]) -> tuple[timedelta, ...]:
    out = set()
    for value in values:
        out.add(parse_alarm(value))
    if len(out) > MAX_ALARMS:
        raise SelectionError(f"at most {MAX_ALARMS} reminders, not {len(out)}")
    return tuple(sorted(out, reverse=True))


def _times(values: list[str]) -> str:
    out = set()
    for value in values:
        if value.lower() not in TIMES:
            raise SelectionError(
                f"unknown times '{_show(value)}': use times=utc "
                "(every time as a UTC instant, repeats expanded)"
            )
        out.add(value.lower())
    return out.pop() if out else ""


def parse_reminders(values: Iterable[str]) -> tuple[int, ...]:
    """``["7d", "1d"]`` as days ahead, longest first, de-duplicated; else SelectionError."""
    try:
        return reminders.parse_days(values, MAX_REMINDERS)
    except ValueError as error:
        raise SelectionError(_show(str(error), 200)) from None


def parse_alarm(text: str) -> timedelta:
    """``1d``, ``2h``, ``30m``, ``1w``, ``1h30m``: how long before the start to remind."""
    compact = text.strip().lower()
    if compact and _DURATION_PART.sub("", compact) == "" and _DURATION_PART.match(compact):
        total = sum((int(n) * _UNIT[u] for n, u in _DURATION_PART.findall(compact)), timedelta())
        if total <= MAX_ALARM:
            return total
    raise SelectionError(
        f"unknown alarm '{_show(text)}': give how long before, like 1d, 2h, 30m or 1h30m (0m to 4w)"
    )


def duration_text(value: timedelta) -> str:
    """The canonical short form: ``1d``, ``1h30m``, ``0m``."""
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    text = (
        (f"{days}d" if days else "") + (f"{hours}h" if hours else "") + (f"{mins}m" if mins else "")
    )
    return text or "0m"


def duration_words(value: timedelta) -> str:
    minutes = int(value.total_seconds() // 60)
    if minutes == 0:
        return "at the start"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    words = []
    for n, unit in ((days, "day"), (hours, "hour"), (mins, "minute")):
        if n:
            words.append(f"{n} {unit}{'s' if n != 1 else ''}")
    return " ".join(words)


# -- rendering ------------------------------------------------------------------


def feed_events(site: Site, feed: FeedInfo, horizon: bool = True) -> list[ics.RenderedEvent]:
    """The rendered events ``feed.scope`` includes (``horizon=False``: whenever they are)."""
    return _members(site.builds, feed, horizon)


def _members(
    builds: Iterable[CalendarBuild], feed: FeedInfo, horizon: bool = True
) -> list[ics.RenderedEvent]:
    scope = feed.scope if horizon else replace(feed.scope, since=None)
    return [
        r
        for b in builds
        if scope.includes_calendar(b.calendar)
        for r in b.events
        if scope.includes_event(r.event)
    ]


def render(site: Site, feed: FeedInfo, selection: Selection) -> bytes:
    """The feed's bytes narrowed to ``selection``, with its reminders."""
    assert site.settings is not None  # assemble gives every site its settings
    return compose(site.builds, feed, selection, site.settings.uid_domain)


def compose(
    builds: Sequence[CalendarBuild],
    feed: FeedInfo,
    selection: Selection,
    uid_domain: str,
    kept: reminders.Kept | None = None,
) -> bytes:
    """:func:`render` from any ``builds`` holding the feed's calendars (each call reads every
    one given: ``assemble``, with an index, passes a calendar's feed its one build);
    ``kept``: the reminder events of the last call with it (see :class:`reminders.Kept`)."""
    qualified = feed.scope.spans_calendars
    members = [r for r in _members(builds, feed) if selection.matches(r.event, qualified)]
    # each event as this feed has it (a merged feed's SUMMARY names the calendar), so the
    # rewrites below and the feed see one body
    chosen: Sequence[ics.RenderedEvent] = [
        replace(r, body=r.body_for(qualified), merged_body=b"") for r in members
    ]
    calendars = {r.event.calendar_id: None for r in chosen}
    calendars.update((b.calendar.id, b.calendar) for b in builds if b.calendar.id in calendars)
    extra = []  # reminder events follow the events chosen, before any rewrite of those
    make = kept.reminders if kept is not None else reminders.reminders
    for r in members if selection.reminders else ():
        calendar = calendars[r.event.calendar_id]
        extra += make(r, calendar, selection.reminders, uid_domain, qualified)
    if selection.times == "utc":
        chosen = [o for r in chosen for o in in_utc(r)]
    if selection.alarms:  # an alarm says what its event's SUMMARY says
        chosen = [
            with_alarms(r, selection.alarms, _prefix(r, calendars, qualified)) for r in chosen
        ]
    chosen = [*chosen, *extra]
    base = feed.header or ics.FeedHeader(feed.name, feed.description)
    description = base.description
    if selection:
        description = f"{description} " * bool(description) + f"Selection: {selection.summary()}."
    header = replace(base, name=selection.name(base.name), description=description)
    return ics.feed_bytes(header, chosen)


_END = b"END:VEVENT\r\n"
#: Lines of a timed VEVENT that ``?times=utc`` rewrites or drops.
_TIME_LINES = ("DTSTART", "DTEND", "RRULE", "EXDATE", "RDATE", "UID")


def in_utc(rendered: ics.RenderedEvent) -> list[ics.RenderedEvent]:
    """A timed event as VEVENTs with UTC instants: one per occurrence when it repeats.

    Every other line is the rendered event's own, as the main feed has it. A repeating
    event's occurrences each get a UID of their own: the event's with the occurrence's
    UTC start before the ``@``. All-day events and deadlines are returned unchanged.
    """
    event = rendered.event
    if not isinstance(event.when, Timed):
        return [rendered]
    lines = rendered.body.decode("utf-8").replace("\r\n ", "").split("\r\n")
    assert lines[-1] == "" and lines[0] == "BEGIN:VEVENT", lines[:1]
    lines = lines[:-1]
    uid_line = next(line for line in lines if line.startswith("UID:"))
    repeats = event.repeat is not None
    out = []
    for start, end in occurrences.occurrences(event):
        assert isinstance(start, datetime) and isinstance(end, datetime)
        stamp = basic_utc(start)
        if repeats:
            local, at, domain = uid_line.rpartition("@")
            uid_text = f"{local}/{stamp}{at}{domain}" if at else f"{uid_line}/{stamp}"
        else:
            uid_text = uid_line
        body = []
        for line in lines:
            name = re.split(r"[;:]", line, maxsplit=1)[0].upper()
            if name not in _TIME_LINES:
                body.append(line)
            elif name == "DTSTART":
                body.append(f"DTSTART:{stamp}")
            elif name == "DTEND":
                body.append(f"DTEND:{basic_utc(end)}")
            elif name == "UID":
                body.append(uid_text)
        data = b"\r\n".join(map(ics._fold, body)) + b"\r\n"
        out.append(
            replace(
                rendered,
                body=data,
                sort_key=(start, event.calendar_id, event.id),
                zone_span=None,
            )
        )
    return out


def _prefix(rendered: ics.RenderedEvent, calendars: dict, merged: bool) -> str:
    event = rendered.event
    return ics.summary_prefix(event.title, calendars[event.calendar_id]) if merged else ""


def with_alarms(
    rendered: ics.RenderedEvent, alarms: Sequence[timedelta], prefix: str = ""
) -> ics.RenderedEvent:
    """The event with a DISPLAY VALARM per reminder, saying ``prefix`` and the title;
    cancelled events get none."""
    if rendered.event.status == "cancelled" or not rendered.body.endswith(_END):
        return rendered
    blocks = b"".join(_alarm_bytes(prefix + rendered.event.title, a) for a in alarms)
    return replace(rendered, body=rendered.body[: -len(_END)] + blocks + _END)


def _alarm_bytes(title: str, before: timedelta) -> bytes:
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", ics.Text(title))  # a backslash-N stays as written
    alarm.add("trigger", -before)
    return alarm.to_ical()


# -- serving --------------------------------------------------------------------


def feed_at(site: Site, path: str) -> FeedInfo | None:
    for feed in site.feeds:
        if feed.path == path:
            return feed
    return None


def feed_by_id(site: Site, feed_id: str) -> FeedInfo | None:
    for feed in site.feeds:
        if feed.id == feed_id:
            return feed
    return None


def _selections(site: Site, cache: SiteCache | None) -> LRU:
    """Where selected feeds are kept: ``cache``'s, else the site's own, else a fresh one."""
    owner = cache if cache is not None else site.cache
    return owner.selections if owner is not None else LRU()


def resource(
    site: Site, path: str, query_string: str | bytes, cache: SiteCache | None = None
) -> Resource | None:
    """The resource for a feed ``path`` with a query string, from the cache when it can be.

    ``cache`` is the site's :class:`~feeds.site.cache.SiteCache` (by default the one the site
    was assembled with); selected feeds are kept in its ``selections`` LRU.

    Returns None when ``path`` is not a feed; raises :class:`SelectionError` for a bad query.
    An empty selection is the feed itself.
    """
    whole = site.get(path)
    feed = feed_at(site, path)
    variant = variants.at(path) if feed is None else None
    if variant is not None:  # a fixed reminder variant: its feed, with its reminders
        feed = feed_at(site, variant[0])
    if whole is None or feed is None:
        return None
    selection = parse(parse_query(query_string), site, feed)
    if variant is not None:
        if selection.reminders:
            raise SelectionError(f"this URL already adds reminders: use {feed.path}?remind=...")
        selection = replace(selection, reminders=variant[1])
        if selection == Selection(reminders=variant[1]):
            return whole  # only tracking parameters: the variant itself
    if not selection:
        return whole
    key = (path, whole.etag, selection)
    lru = _selections(site, cache)
    hit = lru.get(key)
    if hit is None:
        body = render(site, feed, selection)
        hit = Resource(
            f"{path}?{selection.query()}", body, CALENDAR_TYPE, whole.last_modified, cors=True
        )
        lru.put(key, hit)
    return hit


def _quote(value: str) -> str:
    return quote(value, safe="/")


def _show(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[:limit] + "..."


def subscribe_page(
    site: Site, query_string: str | bytes, settings: Settings, cache: SiteCache | None = None
) -> Resource:
    """The "your feed" page for ``?feed=<feed id>&ids=..&alarm=..`` (the picker form's target).

    It is the one page rendered per request, because its URL has a query
    string; results are cached like selected feeds. A static export has no
    such page (nor selections): the picker needs the live app.
    """
    pairs = parse_query(query_string)
    feed_ids = sorted({v for k, v in pairs if k == "feed"})
    known = ", ".join(f.id for f in site.feeds)
    if len(feed_ids) != 1:
        raise SelectionError(f"give exactly one feed=<feed id>; feeds: {known}")
    feed = feed_by_id(site, feed_ids[0])
    whole = site.get(feed.path) if feed is not None else None
    if feed is None or whole is None:
        raise SelectionError(f"unknown feed '{_show(feed_ids[0])}'; feeds: {known}")
    chosen = parse([(k, v) for k, v in pairs if k != "feed"], site, feed)
    key = ("/subscribe/", whole.etag, feed.id, chosen, settings.public_url)
    lru = _selections(site, cache)
    hit = lru.get(key)
    if hit is None:
        html = pages.render_your_feed(site.builds, site.feeds, feed, chosen, settings)
        query = f"feed={quote(feed.id, safe='/')}" + (f"&{chosen.query()}" if chosen else "")
        hit = Resource(f"/subscribe/?{query}", html.encode("utf-8"), HTML_TYPE, whole.last_modified)
        lru.put(key, hit)
    return hit
