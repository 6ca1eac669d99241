"""Independent iCalendar parsers behind one API: what each of them reads from the same bytes.

They stand in for calendar clients (docs/compatibility.md), so every one reads the file its own
way and expands recurrences with its own machinery, one record per occurrence:

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
occurrences starting inside it. Each occurrence also carries SEQUENCE, LOCATION and DESCRIPTION
as the parser reads them. :func:`parse_many` reads several files at once, the JavaScript
parsers in one node process.
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
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import TypeVar

from feeds.doctor.budget import Budget as _Budget
from feeds.doctor.budget import Spent as _Spent
from feeds.errors import FeedsError

CAP = 5000
#: Occurrences one parser may expand across a whole file, when the caller sets a budget (the
#: doctor does): 300 endless SECONDLY rules would otherwise make 1.5 million records each.
MAX_OCCURRENCES = 50_000
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
K = TypeVar("K")


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
    sequence: int | None = None  # None where the parser does not give it
    location: str | None = None
    description: str | None = None

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


class TooManyOccurrences(ParserFailed):
    """The file expands to more occurrences than the budget the caller gave."""

    def __init__(self, parser: str, budget: int):
        super().__init__(parser, f"the feed expands to more than {budget:,} occurrences")
        self.budget = budget


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
    return Path(override) if override else Path(__file__).resolve().parents[2] / "node_modules"


def parse(
    name: str, data: bytes, span: Span | None = None, budget: int | None = None
) -> list[ParsedEvent]:
    """Read ``data`` with parser ``name``; raise :class:`ParserFailed` if it cannot.

    With a ``budget``, expanding more than that many occurrences in all raises
    :class:`TooManyOccurrences` instead of filling the memory.
    """
    ok, reason = available(name)
    if not ok:
        raise ParserFailed(name, reason)
    span = _utc_span(span)
    try:
        events = _READERS[name](data, span, _Budget(budget))
    except _Spent as error:
        raise TooManyOccurrences(name, budget) from error
    except ParserFailed:
        raise
    except Exception as error:  # any failure of a third-party parser is its verdict
        detail = getattr(error, "detailed_error", None)  # ical keeps the useful part there
        message = detail if detail and "detailed_error" in str(error) else error
        raise ParserFailed(name, f"{type(error).__name__}: {message}") from error
    return sorted((e for e in events if _in_span(e, span)), key=_order)


def parse_many(
    name: str, files: Mapping[K, bytes], spans: Mapping[K, Span | None] | None = None
) -> dict[K, list[ParsedEvent] | ParserFailed]:
    """Read several files with parser ``name``: for each key, what :func:`parse` gives or raises.

    ``spans`` gives each file its own window (a missing key: none). The JavaScript parsers read
    them all in one node process, since starting node is most of what a small file costs; the
    Python ones read them one by one. Raises :class:`ParserFailed` only when the parser cannot
    run at all.
    """
    ok, reason = available(name)
    if not ok:
        raise ParserFailed(name, reason)
    spans = spans or {}
    if name not in _NPM:
        out: dict[K, list[ParsedEvent] | ParserFailed] = {}
        for key, data in files.items():
            try:
                out[key] = parse(name, data, spans.get(key))
            except ParserFailed as error:
                out[key] = error
        return out
    return _read_many_with_node(name, files, {key: _utc_span(spans.get(key)) for key in files})


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


def _event(uid, recurrence_id, summary, status, start, end, *, sequence=None, location=None,
           description=None) -> ParsedEvent:
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
        sequence=_sequence(sequence),
        location=_text(location),
        description=_text(description),
    )


def _sequence(value: object) -> int | None:
    text = _text(value)
    try:
        return None if text is None else int(text)
    except ValueError:
        return None


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
            events.append(_event(master.uid, None, master.summary, master.status,
                                 master.start, master.end, **master.details))
            continue
        length = _length(master.start, master.end)
        for start in master.occurrences:
            override = overrides.pop((master.uid, _normal(start)[0]), None)
            if override is not None:
                events.append(_event(override.uid, start, override.summary, override.status,
                                     override.start, override.end, **override.details))
            else:
                end = None if length is None else _normal(start)[0] + length
                events.append(_event(master.uid, start, master.summary, master.status, start, end,
                                     **master.details))
    for orphan in overrides.values():  # an override of no occurrence still stands for itself
        events.append(_event(orphan.uid, orphan.recurrence_id, orphan.summary, orphan.status,
                             orphan.start, orphan.end, **orphan.details))
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
        components.append(_Component(
            uid=vevent.get("UID"),
            recurrence_id=vevent["RECURRENCE-ID"].dt if "RECURRENCE-ID" in vevent else None,
            summary=vevent.get("SUMMARY"),
            status=vevent.get("STATUS"),
            start=start,
            end=vevent.end if start is not None else None,
            occurrences=None if start is None else occurrences(vevent, start),
            details=_icalendar_details(vevent),
        ))
    return _expand(components)


def _icalendar_details(vevent) -> dict:
    return {"sequence": vevent.get("SEQUENCE"), "location": vevent.get("LOCATION"),
            "description": vevent.get("DESCRIPTION")}


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
            components.append(_Component(
                uid=vevent.uid.value if "uid" in vevent.contents else None,
                recurrence_id=vevent.recurrence_id.value
                if "recurrence-id" in vevent.contents else None,
                summary=vevent.summary.value if "summary" in vevent.contents else None,
                status=vevent.status.value if "status" in vevent.contents else None,
                start=start,
                end=end_of(vevent, start),
                occurrences=None if series is None else _first(
                    vevent.getrruleset(addRDate=True), start, span, budget),
                details={name: getattr(vevent, name).value if name in vevent.contents else None
                         for name in ("sequence", "location", "description")},
            ))
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
        zone = masters[0].dtstart.tzinfo if masters and isinstance(
            masters[0].dtstart, datetime) else None
        timeline = calendar_timeline(members, UTC)
        found = timeline.overlapping(span[0] - SLACK, span[1] + SLACK) if span else iter(timeline)
        for vevent in budget.take(found, CAP):
            recurrence_id = _ical_recurrence_id(vevent.recurrence_id, zone) if recurring else None
            events.append(_event(vevent.uid, recurrence_id, vevent.summary, vevent.status,
                                 vevent.dtstart, vevent.end, sequence=vevent.sequence,
                                 location=vevent.location, description=vevent.description))
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
        raise ParserFailed("recurring-ical-events", "not run: an RRULE with FREQ=SECONDLY or "
                           "MINUTELY makes it use memory without bound")
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
        events.append(_event(uid, recurrence_id, vevent.get("SUMMARY"), vevent.get("STATUS"),
                             vevent.start, vevent.end, **_icalendar_details(vevent)))
    return events


def _too_fine(vevent) -> bool:
    """Whether ``vevent`` repeats every second or minute (measured: gigabytes, endless)."""
    rules = vevent.get("RRULE")
    rules = rules if isinstance(rules, list) else [rules] if rules is not None else []
    return any(str(f).upper() in ("SECONDLY", "MINUTELY") for r in rules for f in r.get("FREQ", []))


def _node(name: str, arguments: list[str], data: bytes, timeout: float) -> bytes:
    """Run ``js/parse.mjs`` for parser ``name``; its standard output, or ParserFailed."""
    env = {**os.environ, "TZ": "UTC", "FEEDS_NODE_MODULES": str(node_modules())}
    try:
        done = subprocess.run(
            [shutil.which("node"), str(SCRIPT), _NPM[name][0], *arguments],
            input=data, capture_output=True, timeout=timeout, env=env, check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise ParserFailed(name, f"gave no answer within {timeout:g} s") from error
    if done.returncode == 3:  # parse.mjs: the --budget is spent
        raise _Spent
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise ParserFailed(name, message or f"node exited with status {done.returncode}")
    return done.stdout


def _from_record(record: dict) -> ParsedEvent:
    return ParsedEvent(
        uid=str(record["uid"]),
        recurrence_id=_from_json(record["recurrence_id"]),
        summary=record["summary"],
        status=record["status"].upper() if record["status"] else None,
        start=_from_json(record["start"]),
        end=_from_json(record["end"]),
        all_day=record["all_day"],
        floating=record["floating"],
        sequence=record.get("sequence"),
        location=record.get("location"),
        description=record.get("description"),
    )


def _read_with_node(name: str):
    def read(data: bytes, span: Span | None, budget: _Budget) -> list[ParsedEvent]:
        window = [] if span is None else [
            "--from", span[0].isoformat(), "--to", span[1].isoformat()]
        if budget.left is not None:
            window += ["--budget", str(budget.left)]
        return [_from_record(r) for r in json.loads(_node(name, window, data, NODE_TIMEOUT))]

    return read


def _read_many_with_node(
    name: str, files: Mapping[K, bytes], spans: Mapping[K, Span | None]
) -> dict[K, list[ParsedEvent] | ParserFailed]:
    with TemporaryDirectory(prefix="feeds-parse-") as folder:
        paths = {}
        manifest = []
        for index, (key, data) in enumerate(files.items()):
            path = paths[key] = str(Path(folder) / f"{index}.ics")
            Path(path).write_bytes(data)
            span = spans.get(key)
            manifest.append({"file": path, "from": span and span[0].isoformat(),
                             "to": span and span[1].isoformat()})
        timeout = NODE_TIMEOUT + 5 * len(files)  # start-up once, then a little per file
        answers = json.loads(_node(name, ["--many", "-"], json.dumps(manifest).encode(), timeout))
    out: dict[K, list[ParsedEvent] | ParserFailed] = {}
    for key, path in paths.items():
        answer = answers[path]
        if "error" in answer:
            out[key] = ParserFailed(name, answer["error"])
        else:
            events = (_from_record(r) for r in answer["events"])
            out[key] = sorted((e for e in events if _in_span(e, spans.get(key))), key=_order)
    return out


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
