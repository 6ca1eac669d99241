"""The four Python parsers, each reading the same bytes its own way (see :mod:`parsers`)."""

from __future__ import annotations

import itertools
import logging
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from feeds.doctor.budget import Budget as _Budget
from feeds.doctor.parsed import CAP, SLACK, ParsedEvent, ParserFailed, Span, Value, _event, _normal

# --- series expanded here: icalendar and vobject read them, this matches the overrides --------


@dataclass(frozen=True)
class _Component:
    uid: str
    recurrence_id: Value | None
    summary: object
    status: object
    start: Value | None
    end: Value | None
    occurrences: list[Value] | None = field(default=None)  # None: not a series
    details: dict = field(default_factory=dict)  # sequence, location, description


def _expand(components: list[_Component]) -> list[ParsedEvent]:
    """Occurrences of each series, an override (same UID and RECURRENCE-ID) replacing one."""
    overrides = {
        (c.uid, _normal(c.recurrence_id)[0]): c for c in components if c.recurrence_id is not None
    }
    events = []
    for master in components:
        if master.recurrence_id is not None:
            continue
        if master.occurrences is None:
            events.append(
                _event(
                    master.uid,
                    None,
                    master.summary,
                    master.status,
                    master.start,
                    master.end,
                    **master.details,
                )
            )
            continue
        length = _length(master.start, master.end)
        for start in master.occurrences:
            override = overrides.pop((master.uid, _normal(start)[0]), None)
            if override is not None:
                events.append(
                    _event(
                        override.uid,
                        start,
                        override.summary,
                        override.status,
                        override.start,
                        override.end,
                        **override.details,
                    )
                )
            else:
                end = None if length is None else _normal(start)[0] + length
                events.append(
                    _event(
                        master.uid,
                        start,
                        master.summary,
                        master.status,
                        start,
                        end,
                        **master.details,
                    )
                )
    for orphan in overrides.values():  # an override of no occurrence still stands for itself
        events.append(
            _event(
                orphan.uid,
                orphan.recurrence_id,
                orphan.summary,
                orphan.status,
                orphan.start,
                orphan.end,
                **orphan.details,
            )
        )
    return events


def _length(start: Value | None, end: Value | None) -> timedelta | None:
    """The exact length of an occurrence, or None when the event has no end."""
    if start is None or end is None:
        return None
    return _normal(end)[0] - _normal(start)[0]


def _like(value: datetime, start: Value) -> Value:
    """An rrule result (always a datetime) as the same kind of value as DTSTART."""
    return value if isinstance(start, datetime) else value.date()


def _as_datetime(value: Value) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, time())


def _first(rules, start: Value, span: Span | None, budget: _Budget) -> list[Value]:
    """The first CAP occurrences of a dateutil rule set, or those around ``span``."""
    if span is None:
        return [_like(v, start) for v in budget.take(rules, CAP)]
    naive = not isinstance(start, datetime) or start.utcoffset() is None
    low, high = (b.replace(tzinfo=None) if naive else b for b in (span[0] - SLACK, span[1] + SLACK))
    found = itertools.takewhile(lambda v: v < high, rules.xafter(low, inc=True))
    return [_like(v, start) for v in budget.take(found, CAP)]


def _read_icalendar(data: bytes, span: Span | None, budget: _Budget) -> list[ParsedEvent]:
    import icalendar
    from dateutil.rrule import rruleset, rrulestr

    def occurrences(component, start: Value) -> list[Value] | None:
        if "RRULE" not in component and "RDATE" not in component:
            return None
        rules = rruleset()
        rules.rdate(_as_datetime(start))  # DTSTART is always the first occurrence
        for rule in component.rrules:
            rules.rrule(rrulestr(rule.to_ical().decode(), dtstart=_as_datetime(start)))
        for value, _ in component.rdates:
            rules.rdate(_as_datetime(value))
        for value in component.exdates:
            rules.exdate(_as_datetime(value))
        return _first(rules, start, span, budget)

    components = []
    for vevent in icalendar.Calendar.from_ical(data).walk("VEVENT"):
        start = vevent["DTSTART"].dt if "DTSTART" in vevent else None
        components.append(
            _Component(
                uid=vevent.get("UID"),
                recurrence_id=vevent["RECURRENCE-ID"].dt if "RECURRENCE-ID" in vevent else None,
                summary=vevent.get("SUMMARY"),
                status=vevent.get("STATUS"),
                start=start,
                end=vevent.end if start is not None else None,
                occurrences=None if start is None else occurrences(vevent, start),
                details=_icalendar_details(vevent),
            )
        )
    return _expand(components)


def _icalendar_details(vevent) -> dict:
    return {
        "sequence": vevent.get("SEQUENCE"),
        "location": vevent.get("LOCATION"),
        "description": vevent.get("DESCRIPTION"),
    }


@contextmanager
def _quiet_root_logger() -> Iterator[None]:
    """vobject logs an unknown TZID with ``logging.error``; keep that out of the output.

    A filter on the root logger drops only records logged on it directly, not those that
    other loggers pass up to its handlers.
    """
    root = logging.getLogger()
    root.addFilter(_drop)
    try:
        yield
    finally:
        root.removeFilter(_drop)


def _drop(record: logging.LogRecord) -> bool:
    return False


@contextmanager
def _fresh_vobject_zones() -> Iterator[None]:
    """Read each file with vobject's zone registry as a fresh process has it.

    vobject keeps every TZID it has met in one registry for the whole process, and the first
    zone registered under a name wins: without this, how a file is read would depend on the
    files read before it.
    """
    from vobject import icalendar as vobject_icalendar

    registry = vars(vobject_icalendar)["__tzidMap"]
    saved = dict(registry)
    try:
        yield
    finally:
        registry.clear()
        registry.update(saved)


def _read_vobject(data: bytes, span: Span | None, budget: _Budget) -> list[ParsedEvent]:
    import vobject

    def end_of(vevent, start: Value | None) -> Value | None:
        if "dtend" in vevent.contents:
            return vevent.dtend.value
        if start is not None and "duration" in vevent.contents:
            return start + vevent.duration.value
        return None

    with _quiet_root_logger(), _fresh_vobject_zones():
        calendar = vobject.readOne(data.decode("utf-8"))
        calendar.validate(raiseException=True)  # what vobject requires: UID, DTSTAMP, PRODID...
        components = []
        for vevent in calendar.contents.get("vevent", []):
            start = vevent.dtstart.value if "dtstart" in vevent.contents else None
            series = vevent.rruleset if start is not None else None
            components.append(
                _Component(
                    uid=vevent.uid.value if "uid" in vevent.contents else None,
                    recurrence_id=vevent.recurrence_id.value
                    if "recurrence-id" in vevent.contents
                    else None,
                    summary=vevent.summary.value if "summary" in vevent.contents else None,
                    status=vevent.status.value if "status" in vevent.contents else None,
                    start=start,
                    end=end_of(vevent, start),
                    occurrences=None
                    if series is None
                    else _first(vevent.getrruleset(addRDate=True), start, span, budget),
                    details={
                        name: getattr(vevent, name).value if name in vevent.contents else None
                        for name in ("sequence", "location", "description")
                    },
                )
            )
    return _expand(components)


# --- series expanded by the parser itself ---------------------------------------------------


def _read_ical(data: bytes, span: Span | None, budget: _Budget) -> list[ParsedEvent]:
    from ical.calendar_stream import IcsCalendarStream
    from ical.timeline import calendar_timeline

    calendar = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    series = defaultdict(list)
    for vevent in calendar.events:
        series[vevent.uid].append(vevent)
    events = []
    for members in series.values():
        masters = [m for m in members if m.recurrence_id is None]
        recurring = len(members) > 1 or any(m.rrule or m.rdate for m in masters)
        zone = (
            masters[0].dtstart.tzinfo
            if masters and isinstance(masters[0].dtstart, datetime)
            else None
        )
        timeline = calendar_timeline(members, UTC)
        found = timeline.overlapping(span[0] - SLACK, span[1] + SLACK) if span else iter(timeline)
        for vevent in budget.take(found, CAP):
            recurrence_id = _ical_recurrence_id(vevent.recurrence_id, zone) if recurring else None
            events.append(
                _event(
                    vevent.uid,
                    recurrence_id,
                    vevent.summary,
                    vevent.status,
                    vevent.dtstart,
                    vevent.end,
                    sequence=vevent.sequence,
                    location=vevent.location,
                    description=vevent.description,
                )
            )
    return events


def _ical_recurrence_id(value: str | None, zone) -> Value | None:
    """ical gives RECURRENCE-ID as text in the series' own zone: ``20261112T100000``."""
    if not value:
        return None
    if len(value) == 8:
        return datetime.strptime(value, "%Y%m%d").date()
    if value.endswith("Z"):
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=zone)


def _read_recurring_ical_events(
    data: bytes, span: Span | None, budget: _Budget
) -> list[ParsedEvent]:
    import icalendar
    import recurring_ical_events

    calendar = icalendar.Calendar.from_ical(data)
    vevents = [c for c in calendar.subcomponents if c.name == "VEVENT"]
    if budget.left is not None and any(_too_fine(c) for c in vevents):
        raise ParserFailed(
            "recurring-ical-events",
            "not run: an RRULE with FREQ=SECONDLY or MINUTELY makes it use memory without bound",
        )
    recurring = {
        str(c.get("UID"))
        for c in vevents
        if any(name in c for name in ("RRULE", "RDATE", "RECURRENCE-ID"))
    }
    if span:
        found = recurring_ical_events.of(calendar).between(span[0] - SLACK, span[1] + SLACK)
    else:  # one query per series, so that an endless one cannot crowd out the others
        by_uid = defaultdict(list)
        for vevent in vevents:
            by_uid[str(vevent.get("UID"))].append(vevent)
        found = []
        for members in by_uid.values():
            alone = calendar.copy()
            alone.subcomponents = members
            found.extend(budget.take(recurring_ical_events.of(alone).all(), CAP))
    events = []
    for vevent in found:
        uid = str(vevent.get("UID"))
        recurrence_id = vevent["RECURRENCE-ID"].dt if uid in recurring else None
        events.append(
            _event(
                uid,
                recurrence_id,
                vevent.get("SUMMARY"),
                vevent.get("STATUS"),
                vevent.start,
                vevent.end,
                **_icalendar_details(vevent),
            )
        )
    return events


def _too_fine(vevent) -> bool:
    """Whether ``vevent`` repeats every second or minute (measured: gigabytes, endless)."""
    rules = vevent.get("RRULE")
    rules = rules if isinstance(rules, list) else [rules] if rules is not None else []
    return any(str(f).upper() in ("SECONDLY", "MINUTELY") for r in rules for f in r.get("FREQ", []))
