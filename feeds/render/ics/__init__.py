"""From the model to iCalendar bytes, with the icalendar library.

Each event is rendered once to the bytes of its VEVENT (:func:`event_bytes`);
feeds are assembled from those bytes (:func:`feed_bytes`), so a calendar, its
per-kind feeds, the merged feeds and the single-event files share the work and
an edit re-renders only the events it touched. Output is deterministic: UIDs
come from ids, DTSTAMP/LAST-MODIFIED/SEQUENCE from :mod:`feeds.revisions`,
ordering from start times and ids.

The package owns the iCalendar bytes: this module the events and feeds, and
:mod:`feeds.render.ics.contentlines` the escaping and folding of content lines. It may
import the model, occurrences, tz, timefmt and revisions (lower layers), and icalendar.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import icalendar
from icalendar import vDuration, vText

from feeds import __version__, occurrences, tz
from feeds.model import AllDay, Calendar, Deadline, Event, Timed, is_busy, location_of
from feeds.render import changes
from feeds.render.ics.contentlines import fold as _fold
from feeds.render.ics.contentlines import refold as _refold
from feeds.render.ics.contentlines import text as _text
from feeds.revisions import Revision
from feeds.timefmt import basic_date, basic_local, basic_utc

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
    """An event with its VEVENT bytes and what a feed needs to place it.

    ``body`` is the VEVENT as single-calendar feeds have it (the title as written);
    ``merged_body`` as feeds spanning calendars have it (:func:`summary_prefix` before the
    title), the very same object when the title already names its calendar.
    """

    event: Event
    revision: Revision
    body: bytes
    sort_key: tuple
    zone_span: tuple[str, datetime, datetime] | None  # (zone, first, last) needing a VTIMEZONE
    merged_body: bytes = b""

    def body_for(self, merged: bool) -> bytes:
        """The VEVENT for a feed that spans calendars (``merged``) or holds one."""
        return (self.merged_body or self.body) if merged else self.body


def uid(event: Event, domain: str) -> str:
    """The event's UID: stable for as long as the calendar and event ids are."""
    return f"{event.calendar_id}/{event.id}@{domain}"


def render_event(
    event: Event, revision: Revision, calendar: Calendar, uid_domain: str
) -> RenderedEvent:
    """The event rendered for both kinds of feed: its title as written, and as merged feeds
    name it (the lines are made and folded once; only SUMMARY differs)."""
    lines = list(map(_fold, _event_lines(event, revision, calendar, uid_domain)))
    body = _join(lines)
    prefix = summary_prefix(event.title, calendar)
    merged = body if not prefix else _join(_with_summary(lines, prefix + event.title))
    return RenderedEvent(
        event=event,
        revision=revision,
        body=body,
        sort_key=(start_instant(event), event.calendar_id, event.id),
        zone_span=_zone_span(event),
        merged_body=merged,
    )


def summary_prefix(title: str, calendar: Calendar) -> str:
    """What a feed spanning calendars puts before the title: ``"AAAI 2027: "``, or "".

    "" when the title already names its calendar: when it holds, ignoring case, the
    calendar's name (``ICML 2026``) or its short name (the name less a final year,
    ``ICML``), not inside a longer word or number (``ICMLW``, ``NICML``). So a title
    "ICML: Paper deadline" keeps its words. Single-calendar feeds never prefix.
    """
    folded = title.casefold()
    if any(pattern.search(folded) for pattern in _name_patterns(calendar.name)):
        return ""
    return f"{calendar.name}: "


@lru_cache(maxsize=8192)
def _name_patterns(name: str) -> tuple[re.Pattern, ...]:
    """The patterns finding the calendar's names as words (compiled once per name: ``re``'s
    own cache holds 512, and a site has a name per calendar)."""
    return tuple(re.compile(r"(?<![^\W_])" + re.escape(n) + r"(?![^\W_])") for n in _names(name))


#: A year at the end of a calendar's name: `` 2026``, ``-2026``, ``2026``, ``'26``.
_FINAL_YEAR = re.compile(r"(?:[\s_-]*(?:19|20)\d\d|\s*['’]\d\d)$")


def _names(name: str) -> list[str]:
    """The calendar's name and its short name (of two characters or more), folded."""
    full = name.strip().casefold()
    short = _FINAL_YEAR.sub("", full).strip()
    return [n for n in dict.fromkeys((full, short)) if len(n) >= 2 or n == full and n]


def event_bytes(
    event: Event,
    revision: Revision,
    calendar: Calendar,
    uid_domain: str,
    summary_prefix: str = "",
) -> bytes:
    """The VEVENT's bytes: exactly ``event_component(...).to_ical()``, about 15x faster.

    ``summary_prefix`` goes before the title in SUMMARY (a feed spanning calendars passes
    :func:`summary_prefix`'s; single-calendar feeds pass none), so it is part of any key
    the bytes are cached under.

    Building an icalendar component per event and serializing it (encoding each
    property, sorting, folding one character at a time) was most of a cold
    render; see docs/performance.md. This writes the same content lines
    directly. :func:`event_component` stays the reference: the tests compare the
    two on every shape of event. What validation lets through is always inside
    what is written here: zone names are tz database names (never quoted in a
    TZID) and URLs have no whitespace (see :func:`_event_lines`' assertions).
    """
    lines = list(map(_fold, _event_lines(event, revision, calendar, uid_domain)))
    if summary_prefix:
        lines = _with_summary(lines, summary_prefix + event.title)
    return _join(lines)


def _join(folded: list[bytes]) -> bytes:
    return b"\r\n".join(folded) + b"\r\n"


def _with_summary(folded: list[bytes], summary: str) -> list[bytes]:
    """Folded VEVENT lines with another SUMMARY (the second line, see :func:`_event_lines`)."""
    assert folded[1].startswith(b"SUMMARY:"), folded[1]
    return [folded[0], _fold(f"SUMMARY:{_text(summary)}"), *folded[2:]]


def event_component(
    event: Event,
    revision: Revision,
    calendar: Calendar,
    uid_domain: str,
    summary_prefix: str = "",
) -> icalendar.Event:
    ev = icalendar.Event()
    ev.add("uid", uid(event, uid_domain))
    ev.add("dtstamp", revision.modified)
    ev.add("created", revision.created)
    ev.add("last-modified", revision.modified)
    ev.add("sequence", revision.sequence)
    ev.add("summary", Text(summary_prefix + event.title))
    when = event.when
    if isinstance(when, Timed):
        _add_time(ev, "dtstart", when.start, when.start_utc, when.zone)
        _add_time(ev, "dtend", when.end, when.end_utc, when.zone)
    elif isinstance(when, AllDay):
        ev.add("dtstart", when.first)
        ev.add("dtend", when.end_exclusive)
    else:
        ev.add("dtstart", when.at_utc)
    busy = is_busy(event)
    ev.add("transp", "OPAQUE" if busy else "TRANSPARENT")
    if not busy:
        ev.add("x-microsoft-cdo-busystatus", "FREE")
    if event.repeat is not None:
        _add_repeat(ev, event)
    ev.add("status", event.status.upper())
    ev.add("categories", list(event.categories))
    location = location_of(event, calendar)
    if location:
        ev.add("location", Text(location))
    description = describe(event, calendar, revision)
    if description:
        ev.add("description", Text(description))
    url = event.url or calendar.url
    if url:
        ev.add("url", url, parameters={"VALUE": "URI"})
    return ev


def describe(event: Event, calendar: Calendar, revision: Revision | None = None) -> str:
    """The DESCRIPTION: the author's text, the time in words for deadlines, what the last
    change was (``Changed 2 Feb 2026: was 28 Jan 2026 23:59 AoE``), and links."""
    parts = []
    if event.status == "cancelled":
        parts.append("CANCELLED.")
    elif event.status == "tentative":
        parts.append("Tentative: the time may still change.")
    if isinstance(event.when, Deadline):
        parts.append(deadline_text(event.when, calendar.timezone))
    changed = changes.description_line(revision) if revision is not None else ""
    if changed:
        parts.append(changed)
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
    abbreviation = tz.abbreviation(at, when.zone)
    lines = [f"Due {_when_words(when.at)} {abbreviation}"]
    if when.zone != tz.UTC_NAME and tz.offset_label(at, when.zone) != abbreviation:
        lines[0] += f" ({tz.offset_label(at, when.zone)})"
    if when.zone != tz.UTC_NAME:
        lines.append(f"= {_when_words(tz.to_wall(at, 'UTC'))} UTC")
    if home_zone not in (when.zone, tz.UTC_NAME):
        home = tz.to_wall(at, home_zone)
        city = tz.city(home_zone)
        place = f" ({city})" if city else ""  # "UTC-8" names no place
        lines.append(f"= {_when_words(home)} {tz.abbreviation(at, home_zone)}{place}")
    return "\n".join(lines)


def sort_key(rendered: RenderedEvent) -> tuple:
    """Where an event goes in a feed: by start, then calendar and event id."""
    return rendered.sort_key


def feed_bytes(header: FeedHeader, events: Sequence[RenderedEvent], merged: bool = False) -> bytes:
    """A whole VCALENDAR from rendered events: header, VTIMEZONEs, events by start.

    ``merged``: the feed spans calendars (its :class:`feeds.scope.Scope` says so), so each
    SUMMARY names its calendar (:attr:`RenderedEvent.merged_body`).
    """
    ordered = sorted(events, key=sort_key)
    return b"".join(
        [
            _header_bytes(header),
            *(_vtimezone_bytes(zone, first, last) for zone, first, last in zone_spans(events)),
            *(r.body_for(merged) for r in ordered),
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


class Text(vText):
    """icalendar's TEXT value, escaped by :func:`_text` (a backslash-N stays as written)."""

    def to_ical(self) -> bytes:
        return _text(str(self)).encode(self.encoding)


def header_component_bytes(header: FeedHeader) -> bytes:
    """The VCALENDAR's opening lines as icalendar writes them: the reference that
    :func:`_header_bytes` is held equal to (``tests/ics/test_header_bytes.py``)."""
    cal = icalendar.Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", PRODID)
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", Text(header.name))
    cal.add("x-wr-calname", Text(header.name))
    if header.description:
        cal.add("description", Text(header.description))
        cal.add("x-wr-caldesc", Text(header.description))
    if _writes_zone(header.timezone):
        # not "AoE", which is ours: readers that resolve X-WR-TIMEZONE (recurring-ical-events,
        # so Open Web Calendar) fail on a name they do not know
        cal.add("x-wr-timezone", header.timezone)
    if header.url:
        cal.add("url", header.url, parameters={"VALUE": "URI"})
    cal.add("refresh-interval", vDuration(header.refresh), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(header.refresh))
    data = _refold(cal.to_ical())
    end = b"END:VCALENDAR\r\n"
    assert data.endswith(end)
    return data[: -len(end)]


def _writes_zone(zone: str) -> bool:
    return bool(zone) and tz.in_tz_database(zone)


#: Stand-ins for the header's values in :func:`_header_template` (letters only: icalendar
#: writes them unchanged and no line holding one is long enough to fold).
_HEADER_SLOTS = ("QZNAMEQZ", "QZDESCQZ", "QZZONEQZ", "QZURLQZ")


@lru_cache(maxsize=64)  # keyed by which lines a header has: a few entries, ever
def _header_template(has_description: bool, has_zone: bool, has_url: bool, refresh: timedelta):
    """icalendar's header lines (unfolded) for headers of this shape, values as slots."""
    name, description, zone, url = _HEADER_SLOTS
    sample = FeedHeader(
        name, description if has_description else "", url if has_url else "", "", refresh
    )
    if has_zone:  # a name from the tz database, replaced by the slot in the lines below
        sample = FeedHeader(sample.name, sample.description, sample.url, "UTC", refresh)
    lines = header_component_bytes(sample).decode("utf-8").split("\r\n")[:-1]
    if has_zone:
        lines = [f"X-WR-TIMEZONE:{zone}" if line == "X-WR-TIMEZONE:UTC" else line for line in lines]
    return tuple(lines)


def _header_bytes(header: FeedHeader) -> bytes:
    """The VCALENDAR's opening lines: exactly :func:`header_component_bytes`, written from a
    template of icalendar's own lines (about 0.5 ms less per feed: a site of thousands of
    calendars has thousands of feeds)."""
    has_zone = _writes_zone(header.timezone)
    template = _header_template(
        bool(header.description), has_zone, bool(header.url), header.refresh
    )
    name, description, zone, url = _HEADER_SLOTS
    values = {
        name: _text(header.name),
        description: _text(header.description),
        zone: icalendar.vText(header.timezone).to_ical().decode("utf-8") if has_zone else "",
        url: header.url,
    }
    out = []
    for line in template:
        for slot in _HEADER_SLOTS:
            if slot in line:
                line = line.replace(slot, values[slot])
                break
        out.append(_fold(line))
    return b"\r\n".join(out) + b"\r\n"


@lru_cache(maxsize=1024)
def _vtimezone_bytes(zone: str, first_year: int, last_year: int) -> bytes:
    """A VTIMEZONE from the tz database covering whole years ``first_year``..``last_year``."""
    component = icalendar.Timezone()
    component.add("tzid", zone)
    first = datetime(first_year, 1, 1, tzinfo=UTC)
    last = datetime(last_year, 12, 31, tzinfo=UTC)
    for obs in tz.observances(zone, first, last):
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
        component.add_component(block)
    return component.to_ical()


def start_instant(event: Event) -> datetime:
    when = event.when
    if isinstance(when, Timed):
        return when.start_utc
    if isinstance(when, Deadline):
        return when.at_utc
    return datetime.combine(when.first, datetime.min.time(), UTC)


# -- writing content lines directly ------------------------------------------------

#: Zone names written unquoted and unescaped as a TZID parameter (every tz database name).
_PLAIN_TZID = re.compile(r"[A-Za-z0-9_/+\-]+")


def _event_lines(
    event: Event, revision: Revision, calendar: Calendar, uid_domain: str
) -> list[str]:
    """The VEVENT's content lines, unfolded, in icalendar's order.

    icalendar writes SUMMARY, DTSTART, DTEND, DTSTAMP, UID, SEQUENCE, RRULE and
    EXDATE first (its canonical order), then the other properties by name.
    """
    when = event.when
    if isinstance(when, Timed):
        # the loader accepts only tz database names, UTC and AoE: a TZID never needs quoting
        assert tz.is_utc_like(when.zone) or _PLAIN_TZID.fullmatch(when.zone), when.zone
        start = _time_line("DTSTART", when.start, when.start_utc, when.zone)
        end = _time_line("DTEND", when.end, when.end_utc, when.zone)
    elif isinstance(when, AllDay):
        start = f"DTSTART;VALUE=DATE:{basic_date(when.first)}"
        end = f"DTEND;VALUE=DATE:{basic_date(when.end_exclusive)}"
    else:
        start = f"DTSTART:{basic_utc(when.at_utc)}"
        end = None
    busy = is_busy(event)
    url = event.url or calendar.url
    assert not any(c.isspace() for c in url), url  # the loader refuses URLs with whitespace
    modified = basic_utc(revision.modified)
    lines = ["BEGIN:VEVENT", f"SUMMARY:{_text(event.title)}", start]
    if end is not None:
        lines.append(end)
    lines += [
        f"DTSTAMP:{modified}",
        f"UID:{_text(uid(event, uid_domain))}",
        f"SEQUENCE:{int(revision.sequence)}",
    ]
    if event.repeat is not None:
        lines += _repeat_lines(event)
    lines += [
        "CATEGORIES:" + ",".join(map(_text, event.categories)),
        f"CREATED:{basic_utc(revision.created)}",
    ]
    description = describe(event, calendar, revision)
    if description:
        lines.append(f"DESCRIPTION:{_text(description)}")
    lines.append(f"LAST-MODIFIED:{modified}")
    location = location_of(event, calendar)
    if location:
        lines.append(f"LOCATION:{_text(location)}")
    lines += [f"STATUS:{_text(event.status.upper())}", busy_lines(busy)[0]]
    if url:
        lines.append(f"URL;VALUE=URI:{url}")
    lines += busy_lines(busy)[1:]
    lines.append("END:VEVENT")
    return lines


def busy_lines(busy: bool) -> tuple[str, ...]:
    """TRANSP, and for free time Outlook's own property, which it reads before TRANSP.

    Outlook takes TRANSP when X-MICROSOFT-CDO-BUSYSTATUS is absent (MS-OXCICAL
    2.1.3.1.1.20.25), so busy time needs only ``TRANSP:OPAQUE``; free time says both.
    """
    if busy:
        return ("TRANSP:OPAQUE",)
    return ("TRANSP:TRANSPARENT", "X-MICROSOFT-CDO-BUSYSTATUS:FREE")


def _time_line(name: str, wall: datetime, instant: datetime, zone: str) -> str:
    if tz.is_utc_like(zone):
        return f"{name}:{basic_utc(instant)}"
    return f"{name};TZID={zone}:{basic_local(wall)}"


def _repeat_lines(event: Event) -> list[str]:
    rule = event.repeat
    assert rule is not None
    when = event.when
    parts = [f"FREQ={rule.freq.upper()}"]
    if rule.count is not None:
        parts.append(f"COUNT={int(rule.count)}")
    elif rule.until is not None:
        if isinstance(when, AllDay):
            parts.append(f"UNTIL={basic_date(rule.until)}")
        else:
            assert isinstance(when, Timed)
            parts.append(f"UNTIL={basic_utc(_until(event))}")
    if rule.interval != 1:
        parts.append(f"INTERVAL={int(rule.interval)}")
    if rule.weekdays:
        days, wkst = _byday(event)
        parts.append("BYDAY=" + ",".join(days))
        if wkst:
            parts.append(f"WKST={wkst}")
    lines = ["RRULE:" + ";".join(parts)]
    if rule.exceptions:
        if isinstance(when, AllDay):
            lines.append("EXDATE;VALUE=DATE:" + ",".join(basic_date(d) for d in rule.exceptions))
        else:
            assert isinstance(when, Timed)
            walls = [datetime.combine(d, when.start.time()) for d in rule.exceptions]
            if tz.is_utc_like(when.zone):
                lines.append("EXDATE:" + ",".join(basic_utc(_utc_of(w, when.zone)) for w in walls))
            else:
                lines.append(f"EXDATE;TZID={when.zone}:" + ",".join(map(basic_local, walls)))
    return lines


def _byday(event: Event) -> tuple[list[str], str | None]:
    """BYDAY of a weekly rule, and WKST when the week does not start on Monday.

    A UTC or AoE event's rule runs on UTC dates: an AoE afternoon is the next
    UTC day, so its weekdays, and the day its weeks start, move with it.
    """
    rule, when = event.repeat, event.when
    assert rule is not None
    shift = 0
    if isinstance(when, Timed) and tz.is_utc_like(when.zone):
        shift = (when.start_utc.date() - when.start.date()).days
    days = [_WEEKDAYS[(d + shift) % 7] for d in rule.weekdays]
    return days, _WEEKDAYS[shift % 7] if shift else None


# -- internals -------------------------------------------------------------------


def _add_time(ev: icalendar.Event, name: str, wall: datetime, instant: datetime, zone: str) -> None:
    if tz.is_utc_like(zone):
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
            rrule["UNTIL"] = _until(event)
    if rule.weekdays:
        rrule["BYDAY"], wkst = _byday(event)
        if wkst:
            rrule["WKST"] = wkst
    ev.add("rrule", rrule)
    if rule.exceptions:
        if isinstance(when, AllDay):
            ev.add("exdate", list(rule.exceptions))
        else:
            assert isinstance(when, Timed)
            walls = [datetime.combine(d, when.start.time()) for d in rule.exceptions]
            if tz.is_utc_like(when.zone):
                ev.add("exdate", [_utc_of(w, when.zone) for w in walls])
            else:
                ev.add("exdate", walls, parameters={"TZID": when.zone})


def _utc_of(wall: datetime, zone: str) -> datetime:
    return tz.to_utc(wall, zone)


def _until(event: Event) -> datetime:
    """A timed series' UNTIL: the UTC start of its last occurrence.

    Not the ``until`` day at the start's time: that day may be an exception on which the
    time does not exist or exists twice (a daylight-saving change), and the last occurrence
    that happens bounds the rule to the same set.
    """
    assert isinstance(event.when, Timed) and event.repeat is not None
    start, _ = occurrences.last(event)
    assert isinstance(start, datetime)
    return start


def _zone_span(event: Event) -> tuple[str, datetime, datetime] | None:
    """The zone a timed event needs a VTIMEZONE for, from its first start to its last end."""
    when = event.when
    if not isinstance(when, Timed) or tz.is_utc_like(when.zone):
        return None
    _, last = occurrences.last(event)
    assert isinstance(last, datetime)
    return (when.zone, when.start_utc, last)


def _when_words(moment: datetime | date) -> str:
    if isinstance(moment, datetime):
        return f"{moment.day} {moment:%b %Y %H:%M}"
    return f"{moment.day} {moment:%b %Y}"
