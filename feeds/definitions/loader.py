"""Turning definition files into the model, reporting every problem at once.

``load_file`` and ``load_text`` read one calendar; ``load_folder`` reads every
``*.yaml`` / ``*.yml`` in a folder. Each problem found becomes a located
:class:`~feeds.errors.Problem`; if any is an error, a
:class:`~feeds.errors.DefinitionError` carrying all of them is raised, so one
run of ``feeds validate`` shows everything to fix.
"""

from __future__ import annotations

import difflib
import errno
import os
import re
import stat
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from feeds import gcpause
from feeds import tz
from feeds.definitions import yamlsource
from feeds.errors import DefinitionError, Problem
from feeds.model import (
    CORE_KINDS,
    DEFAULT_TIMEZONE,
    STATUSES,
    WEEKDAYS,
    AllDay,
    Calendar,
    Deadline,
    Event,
    Link,
    Repeat,
    Timed,
    Where,
)
from feeds.definitions.values import Moment, parse_clock, parse_duration, parse_moment, parse_offset
from feeds.definitions.yamlsource import Located

if TYPE_CHECKING:
    from feeds.definitions import incremental

CALENDAR_KEYS = (
    "id",
    "name",
    "description",
    "url",
    "timezone",
    "location",
    "sources",
    "events",
)
EVENT_KEYS = (
    "id",
    "title",
    "kind",
    "tags",
    "location",
    "description",
    "url",
    "source",
    "status",
    "start",
    "end",
    "duration",
    "due",
    "timezone",
    "repeat",
)
REPEAT_KEYS = ("every", "interval", "count", "until", "on", "except")
#: Ids used in URLs next to calendar ids (``/feeds/all.ics``).
RESERVED_CALENDAR_IDS = ("all", "deadlines")
MAX_EVENTS = 100_000
MAX_OCCURRENCES = 1000
#: Occurrences of all of a calendar's events together (an event without 'repeat' is one).
MAX_CALENDAR_OCCURRENCES = 100_000
MAX_INTERVAL = 1000
#: Years accepted for dates and times: the tz tables (pytz) that give instants end in 2037.
MIN_YEAR, MAX_YEAR = 1970, 2037
#: Longest text, in characters: descriptions; every other text field; URLs.
MAX_DESCRIPTION = 10_000
MAX_TEXT = 1_000
MAX_URL = 2_000
MAX_TAGS = 50
#: Control characters refused in text: C0 except TAB and LF (so CR too), DEL, and C1.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_NAMES = {"\r": "carriage return", "\x1b": "escape", "\x0b": "vertical tab",
                  "\x0c": "form feed", "\x85": "next line", "\x00": "NUL"}

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.I)
_DEADLINE_CLOCK = time(23, 59)
_LAST_INSTANT = datetime(9000, 1, 1, tzinfo=UTC)


def load_file(path: str | os.PathLike) -> Calendar:
    """Load one definition file; raise :class:`DefinitionError` with every problem."""
    calendar, problems = check_file(path)
    _raise_errors(problems)
    assert calendar is not None
    return calendar


def load_text(text: str | bytes, path: str = "<text>") -> Calendar:
    """Load a definition given as text; ``path`` names it in messages and gives the default id."""
    calendar, problems = check_text(text, path)
    _raise_errors(problems)
    assert calendar is not None
    return calendar


def check_file(path: str | os.PathLike) -> tuple[Calendar | None, list[Problem]]:
    """Load one file; return the calendar (None if it has errors) and all problems."""
    name = str(path)
    try:
        data = read_bytes(path)
    except OSError as exc:
        return None, [Problem(name, 0, f"cannot read the file: {exc.strerror}", "check it exists and is readable")]
    return check_text(data, name)


def read_bytes(path: str | os.PathLike) -> bytes:
    """A definition file's bytes, read no further than one byte past the size limit.

    Opened without blocking and refused unless it is a regular file, so a FIFO or
    device put in place of a definition cannot hang or flood the reader.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with open(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        return handle.read(yamlsource.MAX_BYTES + 1)


def check_text(
    text: str | bytes, path: str, cache: incremental.ParseCache | None = None
) -> tuple[Calendar | None, list[Problem]]:
    """Like :func:`check_file` for text already read.

    With a ``cache`` (one per file, kept between calls), only the events whose
    text changed since the last good version are parsed again; the result is
    the same (see :mod:`feeds.incremental`).
    """
    if cache is not None:
        from feeds.definitions import incremental

        return incremental.check_text(text, path, cache)
    calendar, problems, _ = check_with(_Builder(path), text)
    return calendar, problems


def check_with(builder: _Builder, text: str | bytes) -> tuple[Calendar | None, list[Problem], object]:
    """Parse and validate with ``builder``: ``(calendar or None, problems, the parsed data)``."""
    with gcpause.paused():  # see feeds.gcpause: a third of the time, for nothing to free
        data, problems = yamlsource.read(text, builder.path)
        if data is None:
            return None, problems, None
        builder.problems.extend(problems)
        calendar = builder.calendar(data)
    found = sorted(builder.problems)
    if any(p.severity == "error" for p in found):
        return None, found, data
    return calendar, found, data


def definition_files(folder: str | os.PathLike) -> list[Path]:
    """The definition files of a folder, sorted by name; links leading outside are skipped."""
    root = Path(folder).resolve()
    out = []
    for entry in sorted(Path(folder).iterdir()):
        if entry.suffix not in (".yaml", ".yml") or entry.name.startswith("."):
            continue
        try:
            real = entry.resolve()
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11, 3.12)
            continue
        if root not in real.parents or not real.is_file():
            continue
        out.append(entry)
    return out


def load_folder(folder: str | os.PathLike) -> list[Calendar]:
    """Load every definition in ``folder``; raise one error listing all problems."""
    calendars, problems = check_folder(folder)
    _raise_errors(problems)
    return calendars


def check_folder(folder: str | os.PathLike) -> tuple[list[Calendar], list[Problem]]:
    """Load every definition file in ``folder``; calendars that load, and all problems."""
    calendars: list[Calendar] = []
    problems: list[Problem] = []
    try:
        files = definition_files(folder)
    except OSError as exc:
        return [], [Problem(str(folder), 0, f"cannot read the folder: {exc.strerror}", "check the path")]
    if not files:
        problems.append(
            Problem(str(folder), 0, "no definition files (*.yaml) found", "add a calendar file")
        )
    for path in files:
        calendar, found = check_file(path)
        problems.extend(found)
        if calendar is not None:
            calendars.append(calendar)
    problems.extend(duplicate_calendar_ids(calendars))
    return calendars, problems


def duplicate_calendar_ids(calendars: list[Calendar]) -> list[Problem]:
    seen: dict[str, Calendar] = {}
    out = []
    for cal in calendars:
        if cal.id in seen:
            out.append(
                Problem(
                    cal.path,
                    1,
                    f"calendar id '{cal.id}' is also used by {seen[cal.id].path}",
                    "give each calendar its own id (it is part of the feed URL)",
                )
            )
        else:
            seen[cal.id] = cal
    return out


def _raise_errors(problems: list[Problem]) -> None:
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DefinitionError(errors)


# -- building the model -----------------------------------------------------


@dataclass
class _Context:
    """Where we are, so every problem can name its place."""

    mapping: Located
    event: str | None


class _Builder:
    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []
        self.occurrences = 0

    # problems -------------------------------------------------------------

    def problem(self, ctx: _Context, key: str | None, message: str, hint: str = "") -> None:
        line = ctx.mapping.line_of(key) if key else ctx.mapping.line
        self.problems.append(Problem(self.path, line, message, hint, ctx.event))

    def warn(self, ctx: _Context, key: str | None, message: str, hint: str = "") -> None:
        line = ctx.mapping.line_of(key) if key else ctx.mapping.line
        self.problems.append(Problem(self.path, line, message, hint, ctx.event, "warning"))

    def unknown_keys(self, ctx: _Context, allowed: tuple[str, ...], what: str) -> None:
        for key in ctx.mapping:
            if key in allowed:
                continue
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"{what} keys are: {', '.join(allowed)}"
            self.problem(ctx, key, f"unknown key '{key}'", hint)

    # values ---------------------------------------------------------------

    def text(self, ctx: _Context, key: str, required: bool = False, limit: int = MAX_TEXT) -> str:
        value = ctx.mapping.get(key)
        if value is None:
            if required:
                self.problem(ctx, None, f"'{key}' is missing", f"add '{key}: ...'")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float | date):
            self.problem(ctx, key, f"'{key}' must be text", f"write '{key}' as text (quote it)")
            return ""
        text = str(value).strip()
        if required and not text:
            self.problem(ctx, key, f"'{key}' is empty", f"give '{key}' a value")
        return self.clean(ctx, key, text, limit)

    def clean(self, ctx: _Context, key: str, text: str, limit: int = MAX_TEXT) -> str:
        """``text`` if it has no control character and fits ``limit``; else a problem and ""."""
        bad = _CONTROL.search(text)
        if bad:
            char = bad.group()
            name = f" ({_CONTROL_NAMES[char]})" if char in _CONTROL_NAMES else ""
            self.problem(
                ctx,
                key,
                f"'{key}' contains the control character U+{ord(char):04X}{name} "
                f"at character {bad.start() + 1}",
                "remove it: text may hold tabs and line breaks but no other control characters",
            )
            return ""
        if len(text) > limit:
            self.problem(
                ctx,
                key,
                f"'{key}' is {len(text):,} characters long, over the limit of {limit:,}",
                "shorten it (link to a page for the details)",
            )
            return ""
        return text

    def slug(self, ctx: _Context, key: str, value: object, what: str) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.problem(ctx, key, f"{what} must be text", "quote it, e.g. id: 'keynote-1'")
            return ""
        text = str(value)
        if not _SLUG.match(text):
            self.problem(
                ctx,
                key,
                f"{what} '{text}' cannot be used in a URL",
                "use letters, digits, '-', '_' or '.', starting with a letter or digit",
            )
            return ""
        return text

    def url(self, ctx: _Context, key: str) -> str:
        text = self.text(ctx, key, limit=MAX_URL)
        if text and not _URL.match(text):
            self.problem(ctx, key, f"'{key}' is not an http(s) URL: '{text}'", "write a full https://... address")
            return ""
        return text

    def zone(self, ctx: _Context, key: str, name: object) -> str | None:
        if not isinstance(name, str) or not name.strip():
            self.problem(ctx, key, f"time zone {name!r} is not a zone name", "use an IANA name such as 'Asia/Seoul'")
            return None
        offset = parse_offset(name.strip())
        if offset is not None and name.strip() != "Z":
            self.problem(
                ctx,
                key,
                f"'{name}' is a fixed offset, not a time zone",
                "name the zone (e.g. 'Asia/Seoul'), or write the time in UTC or AoE",
            )
            return None
        canonical = tz.canonical(name)
        if canonical is None:
            self.problem(ctx, key, f"unknown time zone '{name}'", tz.suggest(name))
        return canonical

    # calendar ---------------------------------------------------------------

    def calendar(self, data: object) -> Calendar | None:
        root_ctx = _Context(data if isinstance(data, Located) else Located(), None)
        if not isinstance(data, Located):
            root_ctx.mapping.line, root_ctx.mapping.lines = 1, {}  # the document itself
            self.problem(
                root_ctx,
                None,
                "the file must be a mapping with the calendar's keys (name, events, ...)",
                "start with 'name: ...' and 'events:'",
            )
            return None
        self.unknown_keys(root_ctx, CALENDAR_KEYS, "calendar")
        default_id = Path(self.path).stem
        cal_id = self.slug(root_ctx, "id", data.get("id", default_id), "calendar id")
        if cal_id in RESERVED_CALENDAR_IDS:
            self.problem(
                root_ctx,
                "id",
                f"calendar id '{cal_id}' is reserved for a merged feed",
                "choose another id",
            )
        name = self.text(root_ctx, "name", required=True)
        zone = DEFAULT_TIMEZONE
        if "timezone" in data:
            zone = self.zone(root_ctx, "timezone", data["timezone"]) or DEFAULT_TIMEZONE
        sources = self.sources(root_ctx)
        raw_events = data.get("events")
        if raw_events is None:
            self.problem(root_ctx, None, "'events' is missing", "add 'events:' with a list of events")
            raw_events = []
        if not isinstance(raw_events, list):
            self.problem(root_ctx, "events", "'events' must be a list", "start each event with '- id: ...'")
            raw_events = []
        if len(raw_events) > MAX_EVENTS:
            self.problem(
                root_ctx,
                "events",
                f"{len(raw_events):,} events is over the limit of {MAX_EVENTS:,} per calendar",
                "split the calendar into several files",
            )
            raw_events = []
        events: list[Event] = []
        first_line: dict[str, int] = {}
        for index, raw in enumerate(raw_events, start=1):
            raw_id = raw.get("id") if isinstance(raw, Located) else None
            if isinstance(raw_id, str | int) and not isinstance(raw_id, bool):
                key = str(raw_id)
                if key in first_line:
                    self.problem(
                        _Context(raw, key),
                        "id",
                        f"duplicate id (also at line {first_line[key]})",
                        "give every event its own id; ids must never be reused, "
                        "they identify the event in subscribers' calendars",
                    )
                    continue
                first_line[key] = raw.line_of("id")
            event = self.event(raw, index, cal_id, zone, root_ctx)
            if event is not None:
                events.append(event)
                self.warn_utc_series(raw, event, zone)
        return Calendar(
            id=cal_id,
            name=name,
            events=tuple(events),
            description=self.text(root_ctx, "description", limit=MAX_DESCRIPTION),
            url=self.url(root_ctx, "url"),
            timezone=zone,
            location=self.text(root_ctx, "location"),
            sources=sources,
            path=self.path,
        )

    def sources(self, ctx: _Context) -> tuple[Link, ...]:
        raw = ctx.mapping.get("sources")
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.problem(ctx, "sources", "'sources' must be a list", "write '- title: ...' / 'url: ...' items")
            return ()
        out = []
        for item in raw:
            if isinstance(item, str) and _URL.match(item):
                out.append(Link(item, item))
            elif isinstance(item, Located):
                sub = _Context(item, None)
                self.unknown_keys(sub, ("title", "url"), "source")
                url = self.url(sub, "url")
                if not url:
                    self.problem(sub, None, "a source needs a 'url'", "add 'url: https://...'")
                    continue
                out.append(Link(self.text(sub, "title") or url, url))
            else:
                self.problem(ctx, "sources", f"source {item!r} is not a URL", "write a full https://... address")
        return tuple(out)

    # events -----------------------------------------------------------------

    def event(self, raw: object, index: int, cal_id: str, cal_zone: str, parent: _Context) -> Event | None:
        if not isinstance(raw, Located):
            self.problem(parent, "events", f"event #{index} is not a mapping", "start each event with '- id: ...'")
            return None
        raw_id = raw.get("id")
        label = str(raw_id) if isinstance(raw_id, str | int) and not isinstance(raw_id, bool) else f"#{index}"
        ctx = _Context(raw, label)
        before = len(self.problems)
        self.unknown_keys(ctx, EVENT_KEYS, "event")
        if raw_id is None:
            self.problem(ctx, None, "'id' is missing", "add a stable 'id: ...' (it identifies the event in subscribers' calendars)")
            event_id = ""
        else:
            event_id = self.slug(ctx, "id", raw_id, "id")
        title = self.text(ctx, "title", required=True)
        status = self.status(ctx)
        tags = self.tags(ctx)
        zone = cal_zone
        if "timezone" in raw:
            zone = self.zone(ctx, "timezone", raw["timezone"]) or cal_zone
        when = self.when(ctx, zone)
        kind = self.kind(ctx, when)
        repeat = self.repeat(ctx, when)
        if len(self.problems) > before and any(
            p.severity == "error" for p in self.problems[before:]
        ):
            return None
        if not event_id or when is None:
            return None
        return Event(
            id=event_id,
            title=title,
            kind=kind,
            when=when,
            calendar_id=cal_id,
            status=status,
            tags=tags,
            location=self.text(ctx, "location"),
            description=self.text(ctx, "description", limit=MAX_DESCRIPTION),
            url=self.url(ctx, "url"),
            source=self.url(ctx, "source"),
            repeat=repeat,
            where=Where(self.path, raw.line),
        )

    def warn_utc_series(self, raw: Located, event: Event, calendar_zone: str) -> None:
        """A series written in UTC/AoE in a calendar whose zone has daylight saving.

        Some readers (recurring-ical-events, so Open Web Calendar; reportedly
        Google) expand UTC series in the feed's X-WR-TIMEZONE and put later
        occurrences an hour off after a clock change. Naming the zone avoids it.
        """
        when = event.when
        if event.repeat is None or not isinstance(when, Timed):
            return
        if not tz.is_utc_like(when.zone) or tz.is_utc_like(calendar_zone):
            return
        last = when.start_utc + timedelta(days=366)
        if len(tz.observances(calendar_zone, when.start_utc, last)) > 1:
            self.warn(
                _Context(raw, event.id),
                "repeat",
                f"a repeating event in {when.zone} in a calendar in {calendar_zone}, which "
                "changes its clocks: some apps shift later occurrences by an hour",
                "give the event the zone its times are meant in (timezone: ...)",
            )

    def status(self, ctx: _Context) -> str:
        raw = ctx.mapping.get("status", "confirmed")
        text = str(raw).strip().lower() if isinstance(raw, str) else ""
        if text == "canceled":
            text = "cancelled"
        if text not in STATUSES:
            self.problem(ctx, "status", f"status {raw!r} is not one of {', '.join(STATUSES)}", "use one of them")
            return "confirmed"
        return text

    def tags(self, ctx: _Context) -> tuple[str, ...]:
        raw = ctx.mapping.get("tags")
        if raw is None:
            return ()
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not all(isinstance(t, str) and t.strip() for t in raw):
            self.problem(ctx, "tags", "'tags' must be a list of words", "write tags: [oral, vision]")
            return ()
        if len(raw) > MAX_TAGS:
            self.problem(
                ctx, "tags", f"{len(raw)} tags is over the limit of {MAX_TAGS}", "keep a few"
            )
            return ()
        tags = [self.clean(ctx, "tags", t.strip()) for t in raw]
        if not all(tags):
            return ()
        return tuple(dict.fromkeys(tags))

    def kind(self, ctx: _Context, when) -> str:
        raw = ctx.mapping.get("kind")
        if raw is None:
            return "deadline" if isinstance(when, Deadline) else "event"
        kind = self.slug(ctx, "kind", raw, "kind").lower()
        if kind and kind not in CORE_KINDS:
            close = difflib.get_close_matches(kind, CORE_KINDS, n=1, cutoff=0.75)
            if close:
                self.warn(ctx, "kind", f"kind '{kind}' is not a core kind", f"did you mean '{close[0]}'?")
        return kind or "event"

    def moment(self, ctx: _Context, key: str) -> Moment | None:
        try:
            moment = parse_moment(ctx.mapping[key])
        except ValueError as exc:
            self.problem(
                ctx,
                key,
                f"'{key}': {exc}",
                "write a date (2026-07-06) or a date and time (2026-07-06 09:00)",
            )
            return None
        if not self.in_years(ctx, key, moment.value):
            return None
        return moment

    def in_years(self, ctx: _Context, key: str, value: date) -> bool:
        """True if ``value`` falls in the supported years; else a problem."""
        if MIN_YEAR <= value.year <= MAX_YEAR:
            return True
        self.problem(
            ctx,
            key,
            f"'{key}' falls in {value.year}, outside the supported years {MIN_YEAR} to {MAX_YEAR}",
            f"check the year; the time zone data used ends in {MAX_YEAR}",
        )
        return False

    def moment_zone(self, ctx: _Context, key: str, moment: Moment, zone: str) -> str | None:
        """The zone a value is in: the one written after it, else the event's."""
        if moment.zone is None:
            return zone
        offset = parse_offset(moment.zone)
        if offset is not None:
            return "+offset"  # an exact instant; converted by the caller
        explicit = self.zone(ctx, key, moment.zone)
        if explicit and "timezone" in ctx.mapping and explicit != zone:
            self.problem(
                ctx,
                key,
                f"'{key}' says {moment.zone} but 'timezone' says {ctx.mapping['timezone']}",
                "give the zone in one place",
            )
        return explicit

    def wall(self, ctx: _Context, key: str, moment: Moment, zone: str) -> tuple[datetime, str] | None:
        """Wall-clock time and zone of a date-time value, converting fixed offsets."""
        value = moment.value
        assert isinstance(value, datetime)
        written = self.moment_zone(ctx, key, moment, zone)
        if written is None:
            return None
        if written == "+offset":
            offset = parse_offset(moment.zone or "")
            assert offset is not None
            instant = (value - offset).replace(tzinfo=UTC)
            return tz.to_wall(instant, zone), zone
        return value, written

    def instant(self, ctx: _Context, key: str, naive: datetime, zone: str) -> datetime | None:
        if not self.in_years(ctx, key, naive):
            return None
        try:
            return tz.to_utc(naive, zone)
        except tz.WallTimeError as exc:
            if exc.kind == "nonexistent":
                hint = "the clocks skip this hour (daylight saving starts); use a time outside the gap"
            else:
                hint = (
                    "the clocks repeat this hour (daylight saving ends); give the time in UTC "
                    "(e.g. '... UTC') to say which one"
                )
            self.problem(ctx, key, f"{naive:%Y-%m-%d %H:%M} does not exist once in {zone}: it is {exc.kind}", hint)
            return None

    def when(self, ctx: _Context, zone: str):
        m = ctx.mapping
        if "due" in m:
            for other in ("start", "end", "duration"):
                if other in m:
                    self.problem(ctx, other, f"'{other}' cannot go with 'due'", "a deadline is one instant: keep 'due' only")
                    return None
            return self.deadline(ctx, zone)
        if "start" not in m:
            self.problem(
                ctx,
                None,
                "the event has no time",
                "add 'start:' (with 'end:' or 'duration:'), or 'due:' for a deadline",
            )
            return None
        start = self.moment(ctx, "start")
        if start is None:
            return None
        if start.is_date:
            return self.all_day(ctx, start)
        return self.timed(ctx, start, zone)

    def deadline(self, ctx: _Context, zone: str) -> Deadline | None:
        due = self.moment(ctx, "due")
        if due is None:
            return None
        if due.is_date:
            value = datetime.combine(due.value, _DEADLINE_CLOCK)
            due = Moment(value, due.zone)
        wall = self.wall(ctx, "due", due, zone)
        if wall is None:
            return None
        at, at_zone = wall
        at_utc = self.instant(ctx, "due", at, at_zone)
        if at_utc is None:
            return None
        return Deadline(at=at, zone=at_zone, at_utc=at_utc)

    def all_day(self, ctx: _Context, start: Moment) -> AllDay | None:
        first = start.value
        m = ctx.mapping
        if "duration" in m:
            self.problem(ctx, "duration", "'duration' is for timed events", "give an all-day event 'end:' as its last day")
            return None
        last = first
        if "end" in m:
            end = self.moment(ctx, "end")
            if end is None:
                return None
            if not end.is_date:
                self.problem(
                    ctx,
                    "end",
                    "'start' is a date but 'end' has a time",
                    "give both as dates (all-day) or both with times",
                )
                return None
            last = end.value
        if last < first:
            self.problem(ctx, "end", f"end {last} is before start {first}", "the end date is the last day, inclusive")
            return None
        return AllDay(first=first, last=last)

    def timed(self, ctx: _Context, start: Moment, zone: str) -> Timed | None:
        m = ctx.mapping
        wall = self.wall(ctx, "start", start, zone)
        if wall is None:
            return None
        start_wall, zone = wall
        if "end" in m and "duration" in m:
            self.problem(ctx, "duration", "both 'end' and 'duration' are given", "keep one of them")
            return None
        if "duration" in m:
            try:
                length = parse_duration(m["duration"])
            except ValueError as exc:
                self.problem(ctx, "duration", f"'duration': {exc}", "write e.g. 90m, 1h30m, 2h or PT1H30M")
                return None
            except OverflowError:
                length = timedelta.max
            end_wall = None
        elif "end" in m:
            clock = parse_clock(m["end"])
            if clock is not None:
                end_wall = datetime.combine(start_wall.date(), clock)
            else:
                end = self.moment(ctx, "end")
                if end is None:
                    return None
                if end.is_date:
                    self.problem(
                        ctx,
                        "end",
                        "'start' has a time but 'end' is a date",
                        "give the end with a time (2026-07-10 17:00, or just 17:00)",
                    )
                    return None
                end_value = self.wall(ctx, "end", end, zone)
                if end_value is None:
                    return None
                end_wall, end_zone = end_value
                if end_zone != zone:  # "end: ... UTC" after a start in Seoul: that instant
                    end_at = self.instant(ctx, "end", end_wall, end_zone)
                    if end_at is None:
                        return None
                    end_wall = tz.to_wall(end_at, zone)
            length = None
        else:
            self.problem(ctx, None, "the event has a start time but no end", "add 'end:' or 'duration:'")
            return None
        start_utc = self.instant(ctx, "start", start_wall, zone)
        if start_utc is None:
            return None
        if end_wall is None:
            assert length is not None
            try:
                end_utc = start_utc + length
            except OverflowError:
                end_utc = _LAST_INSTANT
            if end_utc.year > MAX_YEAR:
                self.problem(
                    ctx,
                    "duration",
                    f"'duration' makes the event end after {MAX_YEAR}",
                    "check the duration: e.g. 90m, 1h30m, 2h or PT1H30M",
                )
                return None
            end_wall = tz.to_wall(end_utc, zone)
            # The feed states the end as a wall time: it must name one instant.
            if self.instant(ctx, "duration", end_wall, zone) is None:
                return None
        else:
            end_utc = self.instant(ctx, "end", end_wall, zone)
            if end_utc is None:
                return None
        if end_utc <= start_utc:
            self.problem(
                ctx,
                "end" if "end" in m else "duration",
                f"the end ({end_wall:%Y-%m-%d %H:%M}) is not after the start ({start_wall:%Y-%m-%d %H:%M})",
                "put the end after the start (an event crossing midnight ends on the next day's date)",
            )
            return None
        return Timed(start=start_wall, end=end_wall, zone=zone, start_utc=start_utc, end_utc=end_utc)

    # recurrence ---------------------------------------------------------------

    def repeat(self, ctx: _Context, when) -> Repeat | None:
        raw = ctx.mapping.get("repeat")
        if raw is None or when is None:
            return None
        if isinstance(when, Deadline):
            self.problem(ctx, "repeat", "a deadline cannot repeat", "write each deadline as its own event")
            return None
        if not isinstance(raw, Located):
            self.problem(ctx, "repeat", "'repeat' must be a mapping", "write repeat: {every: day, count: 3}")
            return None
        sub = _Context(raw, ctx.event)
        self.unknown_keys(sub, REPEAT_KEYS, "repeat")
        every = str(raw.get("every", "")).strip().lower()
        freq = {"day": "daily", "daily": "daily", "week": "weekly", "weekly": "weekly"}.get(every)
        if freq is None:
            self.problem(sub, "every" if "every" in raw else None, f"repeat 'every' is {raw.get('every')!r}", "use 'every: day' or 'every: week'")
            return None
        interval = raw.get("interval", 1)
        if (
            isinstance(interval, bool)
            or not isinstance(interval, int)
            or not 1 <= interval <= MAX_INTERVAL
        ):
            self.problem(
                sub,
                "interval",
                f"'interval' must be a whole number from 1 to {MAX_INTERVAL}, not {interval!r}",
                "e.g. interval: 2",
            )
            return None
        count = raw.get("count")
        until = None
        if ("count" in raw) == ("until" in raw):
            self.problem(sub, None, "repeat needs exactly one of 'count' or 'until'", "e.g. count: 3 or until: 2026-07-09")
            return None
        if count is not None and (isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_OCCURRENCES):
            self.problem(sub, "count", f"'count' must be a whole number from 1 to {MAX_OCCURRENCES}", "e.g. count: 3")
            return None
        if "until" in raw:
            until_m = self.moment(sub, "until")
            if until_m is None:
                return None
            if not until_m.is_date:
                self.problem(sub, "until", "'until' must be a date (the last day, inclusive)", "e.g. until: 2026-07-09")
                return None
            until = until_m.value
            if until < self.first_day(when):
                self.problem(sub, "until", f"'until' {until} is before the first occurrence", "give the last day the event happens")
                return None
        weekdays: tuple[int, ...] = ()
        if "on" in raw:
            if freq != "weekly":
                self.problem(sub, "on", "'on' goes with 'every: week'", "remove 'on' or repeat weekly")
                return None
            names = raw["on"] if isinstance(raw["on"], list) else [raw["on"]]
            try:
                weekdays = tuple(sorted({WEEKDAYS.index(str(n).strip().upper()[:2]) for n in names}))
            except ValueError:
                self.problem(sub, "on", f"'on' has an unknown weekday in {raw['on']!r}", "use mo, tu, we, th, fr, sa, su")
                return None
        rule = Repeat(freq=freq, interval=interval, count=count, until=until, weekdays=weekdays)
        try:
            dates = rule.dates(self.first_day(when))
        except OverflowError:
            dates = [date.max]
        if len(dates) > MAX_OCCURRENCES:
            self.problem(sub, "until", f"the rule yields over {MAX_OCCURRENCES} occurrences", "shorten it")
            return None
        last = dates[-1] if dates else self.first_day(when)
        if isinstance(when, AllDay):
            last = last + (when.last - when.first)
        if not self.in_years(sub, "count" if "count" in raw else "until", last):
            return None
        self.occurrences += len(dates) - 1
        if self.occurrences > MAX_CALENDAR_OCCURRENCES:
            self.problem(
                sub,
                None,
                f"the calendar's events occur over {MAX_CALENDAR_OCCURRENCES:,} times in all",
                "shorten the repeats, or split the calendar into several files",
            )
            return None
        if dates and dates[0] != self.first_day(when):
            self.problem(sub, "on", "the first day is not one of the 'on' weekdays", "start the event on one of them")
            return None
        exceptions = self.exceptions(sub, dates)
        if exceptions is None:
            return None
        rule = Repeat(freq, interval, count, until, weekdays, exceptions)
        if isinstance(when, Timed):
            length = when.end_utc - when.start_utc
            for day in rule.occurrences(when.start.date()):
                shift = day - when.start.date()
                begin = self.instant(ctx, "repeat", when.start + shift, when.zone)
                end = self.instant(ctx, "repeat", when.end + shift, when.zone)
                if begin is None or end is None:
                    return None
                if end - begin != length:
                    # RFC 5545 gives every occurrence the first one's exact length;
                    # some apps (Thunderbird) keep the wall-clock end instead.
                    self.problem(
                        ctx,
                        "repeat",
                        f"the occurrence on {day} spans a change of the clocks in {when.zone}: "
                        "calendar apps disagree on when it ends",
                        "end it before the change, or list that day in 'except' and give it "
                        "its own event",
                    )
                    return None
        if not rule.occurrences(self.first_day(when)):
            self.problem(sub, "except", "every occurrence is excepted", "remove the event or some exceptions")
            return None
        return rule

    def exceptions(self, sub: _Context, dates: list[date]) -> tuple[date, ...] | None:
        raw = sub.mapping.get("except")
        if raw is None:
            return ()
        items = raw if isinstance(raw, list) else [raw]
        out = []
        valid = set(dates)
        for item in items:
            try:
                moment = parse_moment(item)
            except ValueError as exc:
                self.problem(sub, "except", f"'except': {exc}", "list dates, e.g. except: [2026-07-08]")
                return None
            if not moment.is_date:
                self.problem(sub, "except", f"'except' takes dates, got {item}", "list dates, e.g. except: [2026-07-08]")
                return None
            if moment.value not in valid:
                self.problem(sub, "except", f"{moment.value} is not an occurrence of the rule", "list only days the event would happen on")
                return None
            out.append(moment.value)
        return tuple(sorted(set(out)))

    @staticmethod
    def first_day(when) -> date:
        if isinstance(when, AllDay):
            return when.first
        return when.start.date()
