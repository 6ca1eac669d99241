"""Independent iCalendar parsers behind one API: what each of them reads from the same bytes.

They stand in for calendar clients (COMPAT.md), so every one reads the file its own way and
expands recurrences with its own machinery, one record per occurrence:

========================  ===================================================================
``icalendar``             ``Calendar.from_ical``; RRULE/RDATE/EXDATE through ``dateutil.rrule``
                          (icalendar has no expansion of its own), overrides matched here
``vobject``               ``readOne``; ``getrruleset(addRDate=True)``, overrides matched here
``ical``                  Home Assistant's strict reader; its ``calendar_timeline`` per series
                          (it leaves out DTSTART of a series made of RDATEs alone)
``recurring-ical-events`` icalendar's reading, expanded by ``recurring_ical_events.of``
``ical.js``               Thunderbird's parser via ``js/parse.mjs``; ``Event.iterator``, told
                          no time zone but the file's VTIMEZONEs
``node-ical``             via ``js/parse.mjs``; ``expandRecurringEvent`` (RRULE only: node-ical
                          ignores RDATE)
========================  ===================================================================

Times come back as UTC instants, all-day values as dates (end exclusive). The Python parsers
and node-ical take a known TZID from the tz database; only ical.js needs the file's VTIMEZONE.
A time the parser found no zone for is floating: it is read as if it were UTC and flagged.
``end`` is None only where the parser states no end (vobject, for an event with neither DTEND
nor DURATION). Without a span each series gives its first 5000 occurrences; with one, the
occurrences starting inside it.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import logging
import os
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from .errors import FeedsError

CAP = 5000
SLACK = timedelta(days=7)  # a span also expands this far around it, for moved occurrences
NODE_TIMEOUT = 120
SCRIPT = Path(__file__).with_name("js") / "parse.mjs"

PARSERS = ("icalendar", "vobject", "ical", "recurring-ical-events", "ical.js", "node-ical")
_MODULES = {
    "icalendar": "icalendar",
    "vobject": "vobject",
    "ical": "ical",
    "recurring-ical-events": "recurring_ical_events",
}
_NPM = {"ical.js": ("icaljs", "ical.js"), "node-ical": ("node-ical", "node-ical")}

Value = date | datetime
Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class ParsedEvent:
    """One occurrence as one parser read it; ``recurrence_id`` is set for series only."""

    uid: str
    recurrence_id: Value | None
    summary: str | None
    status: str | None
    start: Value | None
    end: Value | None
    all_day: bool
    floating: bool = False

    @property
    def key(self) -> tuple[str, Value | None]:
        """What identifies this occurrence across parsers."""
        return (self.uid, self.recurrence_id)


class ParserFailed(FeedsError):
    """A parser rejected the file (or could not run); the message is the parser's own."""

    def __init__(self, parser: str, message: str):
        super().__init__(f"{parser}: {message}")
        self.parser = parser
        self.message = message


def available(name: str) -> tuple[bool, str]:
    """Whether parser ``name`` can run here, and if not, why and what to install."""
    if name in _MODULES:
        if importlib.util.find_spec(_MODULES[name]) is None:
            return False, f"Python package {name} is not installed (pip install -e '.[check]')"
        return True, ""
    if name not in _NPM:
        return False, f"unknown parser {name!r}; known: {', '.join(PARSERS)}"
    if shutil.which("node") is None:
        return False, "node is not on PATH (install Node.js 20 or later)"
    package = node_modules() / _NPM[name][1] / "package.json"
    if not package.is_file():
        return False, f"npm package {_NPM[name][1]} is not in {node_modules()} (run npm ci)"
    return True, ""


def node_modules() -> Path:
    """Where the npm packages are: ``$FEEDS_NODE_MODULES`` or the repository's node_modules."""
    override = os.environ.get("FEEDS_NODE_MODULES")
    return Path(override) if override else Path(__file__).resolve().parent.parent / "node_modules"


def parse(name: str, data: bytes, span: Span | None = None) -> list[ParsedEvent]:
    """Read ``data`` with parser ``name``; raise :class:`ParserFailed` if it cannot."""
    ok, reason = available(name)
    if not ok:
        raise ParserFailed(name, reason)
    span = _utc_span(span)
    try:
        events = _READERS[name](data, span)
    except ParserFailed:
        raise
    except Exception as error:  # any failure of a third-party parser is its verdict
        detail = getattr(error, "detailed_error", None)  # ical keeps the useful part there
        message = detail if detail and "detailed_error" in str(error) else error
        raise ParserFailed(name, f"{type(error).__name__}: {message}") from error
    return sorted((e for e in events if _in_span(e, span)), key=_order)


# --- values ----------------------------------------------------------------------------------


def _utc_span(span: Span | None) -> Span | None:
    if span is None:
        return None
    start, end = (v if v.tzinfo else v.replace(tzinfo=UTC) for v in span)
    return start.astimezone(UTC), end.astimezone(UTC)


def _normal(value: Value | None) -> tuple[Value | None, bool]:
    """A UTC instant or a date, and whether the value was floating."""
    if not isinstance(value, datetime):
        return value, False
    if value.utcoffset() is None:
        return value.replace(tzinfo=UTC), True
    return value.astimezone(UTC), False


def _instant(value: Value | None) -> datetime:
    if value is None:
        return datetime.min.replace(tzinfo=UTC)
    if isinstance(value, datetime):
        return _normal(value)[0]
    return datetime.combine(value, time(), UTC)


def _in_span(event: ParsedEvent, span: Span | None) -> bool:
    return span is None or span[0] <= _instant(event.start) < span[1]


def _order(event: ParsedEvent) -> tuple:
    return (_instant(event.start), event.uid, _instant(event.recurrence_id))


def _text(value: object) -> str | None:
    if value is None:
        return None
    return str(getattr(value, "value", value))


def _event(uid, recurrence_id, summary, status, start, end) -> ParsedEvent:
    start_value, start_floats = _normal(start)
    end_value, end_floats = _normal(end)
    return ParsedEvent(
        uid=str(uid),
        recurrence_id=_normal(recurrence_id)[0],
        summary=_text(summary),
        status=_text(status).upper() if status else None,
        start=start_value,
        end=end_value,
        all_day=isinstance(start, date) and not isinstance(start, datetime),
        floating=start_floats or end_floats,
    )


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
            events.append(_event(master.uid, None, master.summary, master.status,
                                 master.start, master.end))
            continue
        length = _length(master.start, master.end)
        for start in master.occurrences:
            override = overrides.pop((master.uid, _normal(start)[0]), None)
            if override is not None:
                events.append(_event(override.uid, start, override.summary, override.status,
                                     override.start, override.end))
            else:
                end = None if length is None else _normal(start)[0] + length
                events.append(_event(master.uid, start, master.summary, master.status, start, end))
    for orphan in overrides.values():  # an override of no occurrence still stands for itself
        events.append(_event(orphan.uid, orphan.recurrence_id, orphan.summary, orphan.status,
                             orphan.start, orphan.end))
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


def _first(rules, start: Value, span: Span | None) -> list[Value]:
    """The first CAP occurrences of a dateutil rule set, or those around ``span``."""
    if span is None:
        return [_like(v, start) for v in itertools.islice(rules, CAP)]
    naive = not isinstance(start, datetime) or start.utcoffset() is None
    low, high = (b.replace(tzinfo=None) if naive else b for b in (span[0] - SLACK, span[1] + SLACK))
    found = itertools.takewhile(lambda v: v < high, rules.xafter(low, inc=True))
    return [_like(v, start) for v in itertools.islice(found, CAP)]


def _read_icalendar(data: bytes, span: Span | None) -> list[ParsedEvent]:
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
        return _first(rules, start, span)

    components = []
    for vevent in icalendar.Calendar.from_ical(data).walk("VEVENT"):
        start = vevent["DTSTART"].dt if "DTSTART" in vevent else None
        components.append(_Component(
            uid=vevent.get("UID"),
            recurrence_id=vevent["RECURRENCE-ID"].dt if "RECURRENCE-ID" in vevent else None,
            summary=vevent.get("SUMMARY"),
            status=vevent.get("STATUS"),
            start=start,
            end=vevent.end if start is not None else None,
            occurrences=None if start is None else occurrences(vevent, start),
        ))
    return _expand(components)


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


def _read_vobject(data: bytes, span: Span | None) -> list[ParsedEvent]:
    import vobject

    def end_of(vevent, start: Value | None) -> Value | None:
        if "dtend" in vevent.contents:
            return vevent.dtend.value
        if start is not None and "duration" in vevent.contents:
            return start + vevent.duration.value
        return None

    with _quiet_root_logger():
        calendar = vobject.readOne(data.decode("utf-8"))
        components = []
        for vevent in calendar.contents.get("vevent", []):
            start = vevent.dtstart.value if "dtstart" in vevent.contents else None
            series = vevent.rruleset if start is not None else None
            components.append(_Component(
                uid=vevent.uid.value if "uid" in vevent.contents else None,
                recurrence_id=vevent.recurrence_id.value
                if "recurrence-id" in vevent.contents else None,
                summary=vevent.summary.value if "summary" in vevent.contents else None,
                status=vevent.status.value if "status" in vevent.contents else None,
                start=start,
                end=end_of(vevent, start),
                occurrences=None if series is None else _first(
                    vevent.getrruleset(addRDate=True), start, span),
            ))
    return _expand(components)


# --- series expanded by the parser itself ---------------------------------------------------


def _read_ical(data: bytes, span: Span | None) -> list[ParsedEvent]:
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
        zone = masters[0].dtstart.tzinfo if masters and isinstance(
            masters[0].dtstart, datetime) else None
        timeline = calendar_timeline(members, UTC)
        found = timeline.overlapping(span[0] - SLACK, span[1] + SLACK) if span else iter(timeline)
        for vevent in itertools.islice(found, CAP):
            recurrence_id = _ical_recurrence_id(vevent.recurrence_id, zone) if recurring else None
            events.append(_event(vevent.uid, recurrence_id, vevent.summary, vevent.status,
                                 vevent.dtstart, vevent.end))
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


def _read_recurring_ical_events(data: bytes, span: Span | None) -> list[ParsedEvent]:
    import icalendar
    import recurring_ical_events

    calendar = icalendar.Calendar.from_ical(data)
    vevents = [c for c in calendar.subcomponents if c.name == "VEVENT"]
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
            found.extend(itertools.islice(recurring_ical_events.of(alone).all(), CAP))
    events = []
    for vevent in found:
        uid = str(vevent.get("UID"))
        recurrence_id = vevent["RECURRENCE-ID"].dt if uid in recurring else None
        events.append(_event(uid, recurrence_id, vevent.get("SUMMARY"), vevent.get("STATUS"),
                             vevent.start, vevent.end))
    return events


def _read_with_node(name: str):
    def read(data: bytes, span: Span | None) -> list[ParsedEvent]:
        window = [] if span is None else [
            "--from", span[0].isoformat(), "--to", span[1].isoformat()]
        env = {**os.environ, "TZ": "UTC", "FEEDS_NODE_MODULES": str(node_modules())}
        try:
            done = subprocess.run(
                [shutil.which("node"), str(SCRIPT), _NPM[name][0], *window],
                input=data, capture_output=True, timeout=NODE_TIMEOUT, env=env, check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise ParserFailed(name, f"gave no answer within {NODE_TIMEOUT} s") from error
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip()
            raise ParserFailed(name, message or f"node exited with status {done.returncode}")
        return [
            ParsedEvent(
                uid=str(record["uid"]),
                recurrence_id=_from_json(record["recurrence_id"]),
                summary=record["summary"],
                status=record["status"].upper() if record["status"] else None,
                start=_from_json(record["start"]),
                end=_from_json(record["end"]),
                all_day=record["all_day"],
                floating=record["floating"],
            )
            for record in json.loads(done.stdout)
        ]

    return read


def _from_json(value: str | None) -> Value | None:
    if value is None:
        return None
    if len(value) == 10:
        return date.fromisoformat(value)
    return datetime.fromisoformat(value).astimezone(UTC)


_READERS = {
    "icalendar": _read_icalendar,
    "vobject": _read_vobject,
    "ical": _read_ical,
    "recurring-ical-events": _read_recurring_ical_events,
    "ical.js": _read_with_node("ical.js"),
    "node-ical": _read_with_node("node-ical"),
}
