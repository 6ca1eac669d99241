"""The front page of a site of many calendars, its search index and the archive.

The front page leads with the deadlines still ahead across every calendar, soonest first:
each with the time as stated (AoE, or its own zone) and in UTC, its conference, one-click
add (the single-event ``.ics``, Google, Outlook.com) and a subscription to that conference's
deadlines; ``static/front.js`` adds the time left and the time in the viewer's own zone,
hides what passed since the build, and searches and filters by tag over ``/search.json``.
Conference-years whose every event ended before the build date are listed on ``/archive/``.

What is upcoming is decided by the build date the page states (the site's horizon, see
:func:`build_date_of`), never by the clock: the same data and build date give the same bytes.

What each calendar contributes (:class:`Entry`: its deadlines, their list items, when it
ends) is a function of that calendar's build alone, kept in the page cache by the build's
identity, so a site of thousands re-renders only the edited calendar's part; the page then
picks and joins the first :data:`FIRST_SHOWN` items.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from markupsafe import Markup

from feeds import config, occurrences, tz
from feeds.config import Settings
from feeds.model import Calendar, kind_slug
from feeds.render import group_pages, links, metadata
from feeds.render.boxes import index_actions, subscribe_box
from feeds.render.paths import calendar_page, feed_path, relative
from feeds.render.views import EventView, Row, short_date
from feeds.timefmt import iso_utc

#: Deadlines written into the front page; the rest come from the search index in the browser.
FIRST_SHOWN = 50
SEARCH_PATH = "/search.json"
ARCHIVE_PATH = "/archive/"
FRONT_PATH = "/"
#: The event kind the front page leads with (the kind of ``/feeds/deadlines.ics``).
DEADLINE = "deadline"


@dataclass(frozen=True)
class Due:
    """One occurrence of a deadline, as the front page and the search index list it."""

    at: datetime  # the UTC instant it is due
    view: EventView
    number: int  # its occurrence number (1 unless the deadline repeats)
    stated: str  # as written: "23 Jan 2026 23:59 AoE (UTC-12)"
    utc: str  # "24 Jan 2026 11:59 UTC"

    @property
    def at_z(self) -> str:
        return iso_utc(self.at)

    @property
    def order(self) -> tuple:
        """Soonest first; ties by conference, then event, then occurrence."""
        return (self.at, self.view.calendar.id, self.view.event.id, self.number)


@dataclass(frozen=True)
class Entry:
    """What the front page, the archive and the search index take from one calendar."""

    calendar: Calendar
    dues: tuple[Due, ...]  # soonest first
    ends: datetime | None  # when its last event ends (UTC); None without events
    first_day: date | None
    deadlines_feed: str  # URL path of the calendar's deadlines feed

    @property
    def page(self) -> str:
        return calendar_page(self.calendar.id)


def build_date_of(feeds: Sequence, settings: Settings) -> date:
    """The build date of the site's horizon (carried by its merged feeds), so the pages and
    the feeds agree on what is upcoming; the settings' build date when no feed has one."""
    for f in feeds:
        if f.horizon is not None:
            return f.horizon.build_date
    return config.build_date(settings)


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def _label(instant: datetime, zone: str) -> str:
    """``AoE (UTC-12)``, ``CET (UTC+1)``, ``UTC``, ``UTC-8``: the zone as the page states it."""
    abbr = tz.abbreviation(instant, zone)
    if abbr.startswith("UTC"):
        return abbr
    return f"{abbr} ({tz.offset_label(instant, zone)})"


def _dues(view: EventView, rows: Sequence[Row]) -> list[Due]:
    """The deadline's occurrences: a deadline at its instant, anything else of the kind
    due at its start (an all-day one at the end of its last day, in its zone)."""
    when = view.event.when
    zone = getattr(when, "zone", view.calendar.timezone)
    out = []
    for row in rows:
        if row.all_day:
            at = row.end_utc
            stated = f"{short_date(row.last_day)}, end of the day ({_label(at, zone)})"
        else:
            at = row.start_utc
            wall = tz.to_wall(at, zone)
            stated = f"{short_date(wall)} {wall:%H:%M} {_label(at, zone)}"
        utc = at.astimezone(UTC)
        out.append(Due(at, view, row.number, stated, f"{short_date(utc)} {utc:%H:%M} UTC"))
    return out


def _ends(calendar: Calendar) -> datetime | None:
    """When the calendar's last event ends, as a UTC instant (a date from its zone's midnight)."""
    out = None
    for event in calendar.events:
        start, end = occurrences.last(event)
        value = end if end is not None else start
        if isinstance(value, datetime):
            instant = value.astimezone(UTC)
        else:
            instant = tz.to_utc(datetime.combine(value, time()), calendar.timezone)
        out = instant if out is None or instant > out else out
    return out


def entry(renderer, build) -> Entry:
    """What ``build``'s calendar adds to the front page; kept while the build is the same."""
    settings = renderer.settings
    key = id(build)
    hit = renderer.new.front.get(key) or renderer.old.front.get(key)
    if hit is not None and hit[0] is build and hit[1] == settings.public_url:
        renderer.new.front[key] = hit
        return hit[2]
    cal = build.calendar
    dues: list[Due] = []
    for view in renderer.views(build, DEADLINE):  # (views of every event: 15 MB at 2,500)
        dues.extend(_dues(view, renderer.rows(view, cal.timezone)))
    dues.sort(key=lambda d: d.order)
    feed = feed_path(f"{cal.id}/{kind_slug(DEADLINE)}")
    first = min((e.first_day for e in cal.events), default=None)
    made = Entry(cal, tuple(dues), _ends(cal), first, feed)
    renderer.new.front[key] = (build, settings.public_url, made)
    return made


def _url(page: str):
    return lambda to: relative(page, to)


def upcoming(entries: Sequence[Entry], since: datetime) -> list[Due]:
    """Every deadline due at or after ``since``, soonest first."""
    runs = [[d for d in e.dues if d.at >= since] for e in entries]
    return list(heapq.merge(*runs, key=lambda d: d.order))


def _items(renderer, entries: Sequence[Entry], dues: Sequence[Due]) -> Markup:
    """The list items of ``dues``: made for the few the page shows (made for every deadline
    and kept, they were 20 MB at 2,500 calendars)."""
    item, url = renderer.macro("due_item"), _url(FRONT_PATH)
    base = renderer.settings.public_url
    feeds = {e.calendar.id: e.deadlines_feed for e in entries}
    return Markup(
        "".join(str(item(d, url, links.webcal(base + feeds[d.view.calendar.id]))) for d in dues)
    )


def front_page(renderer) -> dict[str, bytes]:
    """The front page, the archive and the search index, by URL path."""
    settings, feeds = renderer.settings, renderer.feeds
    entries = [entry(renderer, b) for b in renderer.builds]
    built = build_date_of(feeds, settings)
    since = _moment(built)
    ahead = upcoming(entries, since)
    current = [e for e in entries if e.ends is not None and e.ends >= since]
    past = [e for e in entries if e.ends is None or e.ends < since]
    merged = [f for f in feeds if f.group == "site" and not f.archive]
    boxes = [subscribe_box(f, settings, FRONT_PATH) for f in merged]
    head = metadata.index_head(settings, [b.calendar.name for b in renderer.builds], merged)
    out = {
        FRONT_PATH: renderer.page(
            "index.html",
            FRONT_PATH,
            head,
            built=built,
            built_text=f"{built.day} {built:%B %Y}",
            dues=_items(renderer, entries, ahead[:FIRST_SHOWN]),
            shown=min(len(ahead), FIRST_SHOWN),
            ahead=len(ahead),
            current=sorted(current, key=_by_name),
            past_count=len(past),
            boxes=boxes,
            actions=index_actions(merged, settings),
            panel=f"sub-{boxes[0].key}" if boxes else "deadlines-heading",
            tags=group_pages.tag_links(feeds),
            search_index=SEARCH_PATH,
            archive=ARCHIVE_PATH,
        ),
        ARCHIVE_PATH: _archive(renderer, past, built),
        SEARCH_PATH: search_json(entries, ahead, built, settings),
    }
    return out


def _archive(renderer, past: list[Entry], built: date) -> bytes:
    """The archive page; kept while its entries are the same objects (an edit of a current
    conference leaves it as it was: at thousands of past ones, it was a tenth of an edit)."""
    settings = renderer.settings
    key = (built, settings)
    hit = renderer.new.front.get(ARCHIVE_PATH) or renderer.old.front.get(ARCHIVE_PATH)
    if (
        hit is None
        or hit[0] != key
        or len(hit[1]) != len(past)
        or not all(a is b for a, b in zip(hit[1], past, strict=True))
    ):
        body = renderer.page(
            "archive.html",
            ARCHIVE_PATH,
            metadata.head(
                settings, ARCHIVE_PATH, f"Past conference-years of {settings.site_name}."
            ),
            built_text=f"{built.day} {built:%B %Y}",
            years=_archive_years(past),
            count=len(past),
        )
        hit = (key, past, body)
    renderer.new.front[ARCHIVE_PATH] = hit
    return hit[2]


def _by_name(e: Entry) -> tuple:
    return (e.calendar.name.casefold(), e.calendar.id)


def _archive_years(past: Sequence[Entry]) -> list[tuple[int, list[Entry]]]:
    """Past conference-years by the year they ended, newest first, by name within a year."""
    years: dict[int, list[Entry]] = {}
    for e in past:
        year = e.ends.year if e.ends is not None else 0
        years.setdefault(year, []).append(e)
    return [(y, sorted(years[y], key=_by_name)) for y in sorted(years, reverse=True)]


def search_json(
    entries: Sequence[Entry], ahead: Sequence[Due], built: date, settings: Settings
) -> bytes:
    """``/search.json``: what the front page searches and filters in the browser.

    ``calendars`` lists every calendar as ``[id, name, page, tags, deadlines feed, past]``
    (paths relative to the site's root); ``deadlines`` every deadline due on or after the
    build date, soonest first, as ``[UTC instant, calendar index, title, single-event file,
    anchor, as stated, in UTC]``. Compact and sorted: the same data gives the same bytes.
    """
    since = _moment(built)
    index = {}
    calendars = []
    for n, e in enumerate(entries):
        cal = e.calendar
        index[cal.id] = n
        past = e.ends is None or e.ends < since
        calendars.append(
            [cal.id, cal.name, calendar_page(cal.id), list(cal.tags), e.deadlines_feed, past]
        )
    deadlines = [
        [
            iso_utc(d.at),
            index[d.view.calendar.id],
            d.view.event.title,
            d.view.ics_path,
            d.view.anchor,
            d.stated,
            d.utc,
        ]
        for d in ahead
    ]
    data = {
        "build_date": built.isoformat(),
        "public_url": settings.public_url,
        "calendars": calendars,
        "deadlines": deadlines,
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return (text + "\n").encode("utf-8")
