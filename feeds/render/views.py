"""What the page templates show: events as views, their occurrences as agenda rows by day.

Pure functions of the model (nothing reads the clock); times are written in the
display zone and as UTC instants, which ``static/local-times.js`` turns into the
viewer's own time in the browser.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property

from feeds import occurrences, tz
from feeds.config import Settings
from feeds.model import (
    AllDay,
    Calendar,
    Deadline,
    Event,
    Repeat,
    Timed,
    kind_slug,
    location_of,
)
from feeds.render import ics, links
from feeds.render.paths import calendar_page, part_page
from feeds.timefmt import iso_utc

#: A calendar of more events has its pages split, one per month or day, with an index of
#: them at its usual URL: a calendar page of 10,000 events was 32 MB of HTML.
PAGED_EVENTS = 1_000
#: A split calendar has a page per day when a month would hold more events than this.
MONTH_EVENTS = 500

#: A repeating event shows at most this many occurrences in the agenda.
MAX_OCCURRENCES_SHOWN = 60


@dataclass(frozen=True)
class EventView:
    """An event as the pages show it, with every link that acts on it."""

    event: Event
    calendar: Calendar
    anchor: str
    page: str  # URL path of the calendar page holding its anchor
    ics_path: str
    location: str
    details: str
    repeat_text: str
    kind_label: str
    #: what :attr:`links` are made from: the add-to-calendar links are made when a page first
    #: shows them (kept for every deadline of thousands of calendars, they were 16 MB)
    link_text: tuple[str, str] = field(default=("", ""), repr=False)

    @cached_property
    def links(self) -> links.EventLinks:
        title, details = self.link_text
        return links.event_links(title, links.first_span(self.event), details, self.location)


@dataclass(frozen=True)
class Row:
    """One occurrence in the agenda."""

    view: EventView
    first: bool  # the first occurrence carries the anchor, checkbox and links
    number: int  # 1-based occurrence number
    total: int
    day: date  # the day it is listed under
    last_day: date  # the last day it covers, in the display zone (an exclusive end is not one)
    all_day: bool
    start_utc: datetime
    end_utc: datetime
    time_text: str  # in the display zone
    time_iso: str  # for <time datetime>
    end_iso: str  # the end, as time_iso (for an all-day row its last day)
    zone_abbr: str
    original: str  # the time as written, when in another zone ("28 Jan 23:59 AoE")
    viewer: bool  # timed or deadline: the browser adds the viewer's local time

    @property
    def start_z(self) -> str:
        return _z(self.start_utc)

    @property
    def end_z(self) -> str:
        return _z(self.end_utc)


@dataclass
class Day:
    day: date
    rows: list[Row] = field(default_factory=list)

    @property
    def end_z(self) -> str:
        return _z(max(r.end_utc for r in self.rows))

    @property
    def last_iso(self) -> str:
        """The last day any of its rows covers (``data-last``: "the last ended 11 July")."""
        return max(r.last_day for r in self.rows).isoformat()

    @property
    def heading(self) -> str:
        return long_date(self.day)

    @property
    def iso(self) -> str:
        return self.day.isoformat()


def long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def short_date(day: date | datetime) -> str:
    return f"{day.day} {day:%b %Y}"


_z = iso_utc  # <time datetime> and data-* attributes


def _offset_iso(wall: datetime, instant: datetime) -> str:
    offset = wall - instant.astimezone(UTC).replace(tzinfo=None)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{wall:%Y-%m-%dT%H:%M}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _midnight_utc(day: date, zone: str) -> datetime:
    """The instant a day starts in ``zone`` (an hour later where midnight does not exist)."""
    try:
        return tz.to_utc(datetime.combine(day, time()), zone)
    except tz.WallTimeError:
        return tz.to_utc(datetime.combine(day, time(1)), zone)


def repeat_words(rule: Repeat, first: date) -> str:
    """``Repeats daily, 2 times``; ``Repeats every 2 weeks on Mon, Wed until 1 Aug 2026``."""
    unit = "day" if rule.freq == "daily" else "week"
    text = (
        f"every {rule.interval} {unit}s"
        if rule.interval != 1
        else ("daily" if unit == "day" else "weekly")
    )
    if rule.weekdays:
        names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
        text += " on " + ", ".join(names[d] for d in rule.weekdays)
    if rule.count is not None:
        text += f", {rule.count} times" if rule.count != 1 else ", once"
    elif rule.until is not None:
        text += f" until {short_date(rule.until)}"
    if rule.exceptions:
        text += " (except " + ", ".join(short_date(d) for d in rule.exceptions) + ")"
    return "Repeats " + text


def kind_label(kind: str) -> str:
    """One event's kind in words: ``Deadline``."""
    return kind.replace("-", " ").replace("_", " ").capitalize()


def kinds_label(kind: str) -> str:
    """A kind's page and filter in words, plural like its URL: ``Deadlines``."""
    return kind_label(kind_slug(kind))


def event_view(event: Event, calendar: Calendar, settings: Settings, unit: str = "") -> EventView:
    """How the pages show ``event``. ``unit``: its calendar's pages are split by month or day
    (:func:`page_unit`), and the event's anchor is on the part of its first row's day (in
    the calendar's zone)."""
    view = _event_view(event, calendar, settings, calendar_page(calendar.id))
    if not unit:
        return view
    key = page_key(rows_of(view, calendar.timezone)[0].day, unit)
    return _event_view(event, calendar, settings, part_page(calendar_page(calendar.id), key))


def _event_view(event: Event, calendar: Calendar, settings: Settings, page: str) -> EventView:
    anchor = f"e-{event.id}"
    location = location_of(event, calendar)
    details = ics.describe(event, calendar)
    repeat_text = repeat_words(event.repeat, event.first_day) if event.repeat else ""
    if repeat_text:
        details = (
            f"{details}\n\n{repeat_text}: this is the first; the .ics file has them all.".strip()
        )
    details = f"{details}\n\n{settings.public_url}{page}#{anchor}".strip()
    return EventView(
        event=event,
        calendar=calendar,
        anchor=anchor,
        page=page,
        ics_path=f"/events/{calendar.id}/{event.id}.ics",
        location=location,
        details=ics.describe(event, calendar),
        repeat_text=repeat_text,
        kind_label=kind_label(event.kind),
        link_text=(event.title, details),
    )


def rows_of(view: EventView, zone: str) -> list[Row]:
    """The agenda rows of one event: one per occurrence, times in ``zone``."""
    event = view.event
    when = event.when
    shifts = occurrences.shifts(event)
    total = len(shifts)
    rows = []
    for number, shift in enumerate(shifts[:MAX_OCCURRENCES_SHOWN], start=1):
        common = dict(view=view, first=number == 1, number=number, total=total)
        if isinstance(when, AllDay):
            rows.append(_all_day_row(common, when, shift, zone))
        else:
            rows.append(_timed_row(common, event, shift, zone))
    return rows


def _all_day_row(common: dict, when: AllDay, shift: timedelta, zone: str) -> Row:
    first, end = when.first + shift, when.end_exclusive + shift
    days = (end - first).days
    text = (
        "All day"
        if days == 1
        else f"{short_date(first)} to {short_date(end - timedelta(days=1))} ({days} days)"
    )
    return Row(
        **common,
        day=first,
        last_day=end - timedelta(days=1),
        all_day=True,
        start_utc=_midnight_utc(first, zone),
        end_utc=_midnight_utc(end, zone),
        time_text=text,
        time_iso=first.isoformat(),
        end_iso=(end - timedelta(days=1)).isoformat(),
        zone_abbr="",
        original="",
        viewer=False,
    )


def _timed_row(common: dict, event: Event, shift: timedelta, zone: str) -> Row:
    """A timed event's or a deadline's row: in ``zone``, and as written when that differs."""
    when = event.when
    assert isinstance(when, Timed | Deadline)
    start_utc, end_utc = occurrences.at(event, shift)
    if isinstance(when, Deadline):
        end_utc = start_utc
        wall_start = wall_end = when.at
    else:
        wall_start, wall_end = when.start + shift, when.end + shift
    here_start = tz.to_wall(start_utc, zone)
    here_end = tz.to_wall(end_utc, zone)
    abbr = tz.abbreviation(start_utc, zone)
    day = here_start.date()
    if isinstance(when, Deadline):
        # listed under the date it is stated for ("7 Dec AoE" under 7 December), wherever
        # that instant falls in the display zone; the time then says its own date
        day = (when.at + shift).date()
        text = (
            f"Due {here_start:%H:%M}"
            if here_start.date() == day
            else f"Due {short_date(here_start)} {here_start:%H:%M}"
        )
    elif here_end.date() == here_start.date():
        text = f"{here_start:%H:%M}–{here_end:%H:%M}"
    else:
        text = f"{here_start:%H:%M} to {short_date(here_end)} {here_end:%H:%M}"
    original = ""
    if when.zone != zone:
        original = _as_written(when, wall_start, wall_end, start_utc)
    return Row(
        **common,
        day=day,
        last_day=_last_day(here_start, here_end, day),
        all_day=False,
        start_utc=start_utc,
        end_utc=end_utc,
        time_text=text,
        time_iso=_offset_iso(here_start, start_utc),
        end_iso=_offset_iso(here_end, end_utc),
        zone_abbr=abbr,
        original=original,
        viewer=True,
    )


def _last_day(start: datetime, end: datetime, day: date) -> date:
    """The last day a timed span covers: its end's date, the day before if it ends at 00:00."""
    if end > start and end.time() == time(0):
        return max(day, end.date() - timedelta(days=1))
    return max(day, end.date())


def _as_written(
    when: Timed | Deadline, wall_start: datetime, wall_end: datetime, start_utc: datetime
) -> str:
    """The time as written, in the event's own zone and labelled so (rows show another zone)."""
    own_zone = when.zone
    own_abbr = tz.abbreviation(start_utc, own_zone)
    label = (
        own_abbr
        if own_abbr.startswith("UTC")
        else f"{own_abbr}, {tz.offset_label(start_utc, own_zone)}"
    )
    if isinstance(when, Deadline):
        original = f"{short_date(wall_start)} {wall_start:%H:%M} {label}"
    elif wall_end.date() == wall_start.date():
        original = f"{short_date(wall_start)} {wall_start:%H:%M}–{wall_end:%H:%M} {label}"
    else:
        original = (
            f"{short_date(wall_start)} {wall_start:%H:%M} to "
            f"{short_date(wall_end)} {wall_end:%H:%M} {label}"
        )
    if own_zone == tz.AOE:
        original += " (Anywhere on Earth)"
    return original


def agenda(views: Sequence[EventView], zone: str) -> list[Day]:
    """Rows grouped by day in ``zone``, days in order, all-day rows first within a day."""
    days: dict[date, Day] = {}
    for view in views:
        for row in rows_of(view, zone):
            days.setdefault(row.day, Day(row.day)).rows.append(row)
    for day in days.values():
        day.rows.sort(key=row_order)
    return [days[d] for d in sorted(days)]


def zone_name(zone: str) -> str:
    """``Seoul time (Asia/Seoul)`` for a heading."""
    if zone == tz.UTC_NAME:
        return "UTC"
    if zone == tz.AOE:
        return "Anywhere on Earth (UTC-12)"
    city = tz.city(zone)
    if city is None:  # a fixed offset: "UTC-8"
        return zone
    return f"{city} time ({zone})"


def by_kind(days: list[Day]) -> dict[str, list[Day]]:
    """An agenda split by kind: each kind's days with only its rows, in the same order."""
    out: dict[str, list[Day]] = {}
    for day in days:
        split: dict[str, list[Row]] = {}
        for r in day.rows:
            kind = r.view.event.kind
            rows = split.get(kind)
            if rows is None:
                split[kind] = [r]
            else:
                rows.append(r)
        for kind, rows in split.items():
            out.setdefault(kind, []).append(Day(day.day, rows))
    return out


def row_order(r: Row) -> tuple:
    """Agenda order within a day: all-day rows first, then by time, title and id."""
    return (not r.all_day, r.start_utc, r.end_utc, r.view.event.title, r.view.event.id)


# -- lookups for pages of many calendars ------------------------------------------


class Lookup:
    """Each calendar's feeds and build by id: looked up per calendar and per feed, so
    thousands of calendars cost a dictionary lookup each, not a pass over all of them."""

    def __init__(self, builds: Sequence, feeds: Sequence):
        self.builds = builds
        self._feeds_of: dict[str | None, list] = {}
        for feed in feeds:
            self._feeds_of.setdefault(feed.calendar_id, []).append(feed)
        self._build_of = {b.calendar.id: b for b in builds}

    def feeds_of(self, calendar_id: str | None) -> list:
        """The feeds of one calendar (None: the merged feeds), in site order."""
        return self._feeds_of.get(calendar_id, [])

    def builds_in(self, scope) -> list:
        """The builds whose calendar ``scope`` may include (``Scope.includes_calendar``)."""
        if scope.calendar_id is not None:
            found = self._build_of.get(scope.calendar_id)
            candidates = [found] if found is not None else []
        else:
            candidates = self.builds
        return [b for b in candidates if scope.includes_calendar(b.calendar)]


def feed_zone(feed) -> str:
    """The zone a feed's agenda is shown in (embed and "your feed" pages): its own, else UTC."""
    return feed.header.timezone if feed.header is not None and feed.header.timezone else tz.UTC_NAME


def page_unit(build) -> str:
    """How ``build``'s calendar pages are split: "" (one page: at most :data:`PAGED_EVENTS`
    events), by "month", or by "day" when a month would have more than
    :data:`MONTH_EVENTS` events (a conference's week of sessions)."""
    if len(build.events) <= PAGED_EVENTS:
        return ""
    months = Counter((r.event.first_day.year, r.event.first_day.month) for r in build.events)
    return "month" if max(months.values()) <= MONTH_EVENTS else "day"


def page_key(day: date, unit: str) -> str:
    """Which page of a split calendar a day is on: ``2026-07`` by month, ``2026-07-08`` by day."""
    return f"{day:%Y-%m}" if unit == "month" else day.isoformat()


def paged_agenda(page: str, days: list[Day], unit: str) -> list[tuple[str, list[Day], dict]]:
    """``(path, days, pager)`` of the pages showing the agenda ``days`` from ``page``: that
    page alone; or, split by ``unit`` (:func:`page_unit`), an index of the parts at ``page``
    and a page per month or day at :func:`feeds.render.paths.part_page` (``pager`` names the
    index, and the part before and after)."""
    if not unit:
        return [(page, days, {})]
    parts: dict[str, list[Day]] = {}
    for d in days:
        parts.setdefault(page_key(d.day, unit), []).append(d)
    at = [part_page(page, key) for key in parts]
    index = [
        (_part_label(shown[0].day, unit), sum(len(d.rows) for d in shown), path)
        for shown, path in zip(parts.values(), at, strict=True)
    ]
    out: list[tuple[str, list[Day], dict]] = [(page, [], {"parts": index, "unit": unit})]
    for i, shown in enumerate(parts.values()):
        before = at[i - 1] if i else None
        after = at[i + 1] if i + 1 < len(at) else None
        pager = {"index": page, "prev": before, "next": after, "unit": unit}
        out.append((at[i], shown, pager))
    return out


def _part_label(day: date, unit: str) -> str:
    return f"{day:%B %Y}" if unit == "month" else long_date(day)
