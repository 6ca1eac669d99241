"""From the model to iCalendar bytes, with the icalendar library.

Each event is rendered once to the bytes of its VEVENT (:func:`event_bytes`);
feeds are assembled from those bytes (:func:`feed_bytes`), so a calendar, its
per-kind feeds, the merged feeds and the single-event files share the work and
an edit re-renders only the events it touched. Output is deterministic: UIDs
come from ids, DTSTAMP/LAST-MODIFIED/SEQUENCE from :mod:`feeds.revisions`,
ordering from start times and ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import icalendar
from icalendar import vDuration, vText

from . import __version__, timezones
from .model import AllDay, Calendar, Deadline, Event, Timed
from .revisions import Revision

PRODID = f"-//calendar-feeds//calendar-feeds {__version__}//EN"
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class FeedHeader:
    """What a VCALENDAR says about itself."""

    name: str
    description: str = ""
    url: str = ""
    timezone: str = ""
    refresh: timedelta = timedelta(hours=12)


@dataclass(frozen=True)
class RenderedEvent:
    """An event with its VEVENT bytes and what a feed needs to place it."""

    event: Event
    revision: Revision
    body: bytes
    sort_key: tuple
    zone_span: tuple[str, datetime, datetime] | None  # (zone, first, last) needing a VTIMEZONE


def uid(event: Event, domain: str) -> str:
    """The event's UID: stable for as long as the calendar and event ids are."""
    return f"{event.calendar_id}/{event.id}@{domain}"


def render_event(event: Event, revision: Revision, calendar: Calendar, uid_domain: str) -> RenderedEvent:
    component = event_component(event, revision, calendar, uid_domain)
    return RenderedEvent(
        event=event,
        revision=revision,
        body=component.to_ical(),
        sort_key=(start_instant(event), event.calendar_id, event.id),
        zone_span=_zone_span(event),
    )


def event_component(
    event: Event, revision: Revision, calendar: Calendar, uid_domain: str
) -> icalendar.Event:
    ev = icalendar.Event()
    ev.add("uid", uid(event, uid_domain))
    ev.add("dtstamp", revision.modified)
    ev.add("created", revision.created)
    ev.add("last-modified", revision.modified)
    ev.add("sequence", revision.sequence)
    ev.add("summary", vText(event.title))
    when = event.when
    if isinstance(when, Timed):
        _add_time(ev, "dtstart", when.start, when.start_utc, when.zone)
        _add_time(ev, "dtend", when.end, when.end_utc, when.zone)
        ev.add("transp", "OPAQUE")
    elif isinstance(when, AllDay):
        ev.add("dtstart", when.first)
        ev.add("dtend", when.end_exclusive)
        ev.add("transp", "TRANSPARENT")
    else:
        ev.add("dtstart", when.at_utc)
        ev.add("transp", "TRANSPARENT")
    if event.repeat is not None:
        _add_repeat(ev, event)
    ev.add("status", event.status.upper())
    ev.add("categories", list(event.categories))
    location = event.location or ("" if isinstance(when, Deadline) else calendar.location)
    if location:
        ev.add("location", vText(location))
    description = describe(event, calendar)
    if description:
        ev.add("description", vText(description))
    url = event.url or calendar.url
    if url:
        ev.add("url", url, parameters={"VALUE": "URI"})
    return ev


def describe(event: Event, calendar: Calendar) -> str:
    """The DESCRIPTION: the author's text, the time in words for deadlines, and links."""
    parts = []
    if event.status == "cancelled":
        parts.append("CANCELLED.")
    elif event.status == "tentative":
        parts.append("Tentative: the time may still change.")
    if isinstance(event.when, Deadline):
        parts.append(deadline_text(event.when, calendar.timezone))
    if event.description:
        parts.append(event.description)
    if event.url:
        parts.append(f"More: {event.url}")
    if event.source and event.source != event.url:
        parts.append(f"Source: {event.source}")
    return "\n\n".join(parts)


def deadline_text(when: Deadline, home_zone: str) -> str:
    """``Due 28 Jan 2026 23:59 AoE (UTC-12) = 29 Jan 2026 11:59 UTC = ... in Seoul``."""
    at = when.at_utc
    lines = [f"Due {_when_words(when.at)} {timezones.abbreviation(at, when.zone)}"]
    if when.zone != timezones.UTC_NAME:
        lines[0] += f" ({timezones.offset_label(at, when.zone)})"
    if when.zone != timezones.UTC_NAME:
        lines.append(f"= {_when_words(timezones.to_wall(at, 'UTC'))} UTC")
    if home_zone not in (when.zone, timezones.UTC_NAME):
        home = timezones.to_wall(at, home_zone)
        city = home_zone.rsplit("/", 1)[-1].replace("_", " ")
        lines.append(f"= {_when_words(home)} {timezones.abbreviation(at, home_zone)} ({city})")
    return "\n".join(lines)


def feed_bytes(header: FeedHeader, events: Sequence[RenderedEvent]) -> bytes:
    """A whole VCALENDAR from rendered events: header, VTIMEZONEs, events by start."""
    ordered = sorted(events, key=lambda r: r.sort_key)
    return b"".join(
        [
            _header_bytes(header),
            *(_vtimezone_bytes(zone, first, last) for zone, first, last in zone_spans(events)),
            *(r.body for r in ordered),
            b"END:VCALENDAR\r\n",
        ]
    )


def zone_spans(events: Iterable[RenderedEvent]) -> list[tuple[str, int, int]]:
    """Each TZID used, with the first and last year its events need, by name."""
    spans: dict[str, tuple[int, int]] = {}
    for rendered in events:
        if rendered.zone_span is None:
            continue
        zone, first, last = rendered.zone_span
        if zone in spans:
            old_first, old_last = spans[zone]
            spans[zone] = (min(first.year, old_first), max(last.year, old_last))
        else:
            spans[zone] = (first.year, last.year)
    return [(zone, *spans[zone]) for zone in sorted(spans)]


@lru_cache(maxsize=256)
def _header_bytes(header: FeedHeader) -> bytes:
    cal = icalendar.Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", PRODID)
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", vText(header.name))
    cal.add("x-wr-calname", vText(header.name))
    if header.description:
        cal.add("description", vText(header.description))
        cal.add("x-wr-caldesc", vText(header.description))
    if header.timezone:
        cal.add("x-wr-timezone", header.timezone)
    if header.url:
        cal.add("url", header.url, parameters={"VALUE": "URI"})
    cal.add("refresh-interval", vDuration(header.refresh), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(header.refresh))
    data = cal.to_ical()
    end = b"END:VCALENDAR\r\n"
    assert data.endswith(end)
    return data[: -len(end)]


@lru_cache(maxsize=1024)
def _vtimezone_bytes(zone: str, first_year: int, last_year: int) -> bytes:
    """A VTIMEZONE from the tz database covering whole years ``first_year``..``last_year``."""
    tz = icalendar.Timezone()
    tz.add("tzid", zone)
    first = datetime(first_year, 1, 1, tzinfo=UTC)
    last = datetime(last_year, 12, 31, tzinfo=UTC)
    for obs in timezones.observances(zone, first, last):
        block = icalendar.TimezoneDaylight() if obs.daylight else icalendar.TimezoneStandard()
        block.add("dtstart", obs.start)
        if obs.rule is not None:
            month, nth, weekday = obs.rule
            block.add(
                "rrule", {"FREQ": "YEARLY", "BYMONTH": month, "BYDAY": f"{nth}{_WEEKDAYS[weekday]}"}
            )
        block.add("tzoffsetfrom", obs.offset_from)
        block.add("tzoffsetto", obs.offset_to)
        block.add("tzname", obs.name)
        tz.add_component(block)
    return tz.to_ical()


def start_instant(event: Event) -> datetime:
    when = event.when
    if isinstance(when, Timed):
        return when.start_utc
    if isinstance(when, Deadline):
        return when.at_utc
    return datetime.combine(when.first, datetime.min.time(), UTC)


# -- internals -------------------------------------------------------------------


def _add_time(ev: icalendar.Event, name: str, wall: datetime, instant: datetime, zone: str) -> None:
    if timezones.is_utc_like(zone):
        ev.add(name, instant)
    else:
        ev.add(name, wall, parameters={"TZID": zone})


def _add_repeat(ev: icalendar.Event, event: Event) -> None:
    rule = event.repeat
    assert rule is not None
    rrule: dict[str, object] = {"FREQ": rule.freq.upper()}
    if rule.interval != 1:
        rrule["INTERVAL"] = rule.interval
    when = event.when
    if rule.count is not None:
        rrule["COUNT"] = rule.count
    elif rule.until is not None:
        if isinstance(when, AllDay):
            rrule["UNTIL"] = rule.until
        else:
            assert isinstance(when, Timed)
            last = datetime.combine(rule.until, when.start.time())
            rrule["UNTIL"] = _utc_of(last, when.zone)
    if rule.weekdays:
        rrule["BYDAY"] = [_WEEKDAYS[d] for d in rule.weekdays]
    ev.add("rrule", rrule)
    if rule.exceptions:
        if isinstance(when, AllDay):
            ev.add("exdate", list(rule.exceptions))
        else:
            assert isinstance(when, Timed)
            walls = [datetime.combine(d, when.start.time()) for d in rule.exceptions]
            if timezones.is_utc_like(when.zone):
                ev.add("exdate", [_utc_of(w, when.zone) for w in walls])
            else:
                ev.add("exdate", walls, parameters={"TZID": when.zone})


def _utc_of(wall: datetime, zone: str) -> datetime:
    return timezones.to_utc(wall, zone)


def _zone_span(event: Event) -> tuple[str, datetime, datetime] | None:
    when = event.when
    if not isinstance(when, Timed) or timezones.is_utc_like(when.zone):
        return None
    last = when.end_utc
    if event.repeat is not None:
        days = event.repeat.dates(when.start.date())
        if days:
            shift = days[-1] - when.start.date()
            last = _utc_of(when.end + shift, when.zone)
    return (when.zone, when.start_utc, last)


def _when_words(moment: datetime | date) -> str:
    if isinstance(moment, datetime):
        return f"{moment.day} {moment:%b %Y %H:%M}"
    return f"{moment.day} {moment:%b %Y}"
