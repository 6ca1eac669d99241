"""The calendar model: what a definition file means, independent of YAML and iCalendar.

Everything here is a frozen dataclass built by :mod:`feeds.loader` after
validation, so code downstream never meets a half-valid value. Times are kept
twice: as the wall-clock time and zone the author wrote (so feeds can say
"09:00 in Seoul") and as the UTC instant that every client must agree on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

#: Kinds with a documented meaning; any other slug is allowed too.
CORE_KINDS = (
    "conference",
    "tutorial",
    "workshop",
    "session",
    "keynote",
    "poster",
    "social",
    "registration",
    "deadline",
)
STATUSES = ("confirmed", "tentative", "cancelled")
DEFAULT_TIMEZONE = "Asia/Seoul"


@dataclass(frozen=True)
class Where:
    """A position in a definition file, kept out of equality and repr."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Timed:
    """An event with a start and an end on the clock, in one zone."""

    start: datetime  # naive wall-clock time in ``zone``
    end: datetime  # naive wall-clock time in ``zone``
    zone: str
    start_utc: datetime
    end_utc: datetime


@dataclass(frozen=True)
class AllDay:
    """An event covering whole days: ``first`` to ``last`` inclusive."""

    first: date
    last: date

    @property
    def end_exclusive(self) -> date:
        return self.last + timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    """One instant, written by the author as a wall-clock time in ``zone`` (often AoE)."""

    at: datetime  # naive wall-clock time in ``zone``
    zone: str
    at_utc: datetime


When = Timed | AllDay | Deadline

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Repeat:
    """The supported recurrence subset: daily or weekly, bounded by count or until."""

    freq: str  # "daily" or "weekly"
    interval: int = 1
    count: int | None = None
    until: date | None = None  # inclusive, in the event's own calendar days
    weekdays: tuple[int, ...] = ()  # 0 = Monday; weekly only; empty = the start's weekday
    exceptions: tuple[date, ...] = ()

    def dates(self, first: date) -> list[date]:
        """Every date the rule yields from ``first``, before removing exceptions."""
        out: list[date] = []
        if self.freq == "daily":
            step = timedelta(days=self.interval)
            day = first
            while self._more(out, day):
                out.append(day)
                day += step
            return out
        days = self.weekdays or (first.weekday(),)
        week_start = first - timedelta(days=first.weekday())
        while True:
            for wd in sorted(days):
                day = week_start + timedelta(days=wd)
                if day < first:
                    continue
                if not self._more(out, day):
                    return out
                out.append(day)
            week_start += timedelta(weeks=self.interval)

    def _more(self, so_far: list[date], day: date) -> bool:
        if self.count is not None:
            return len(so_far) < self.count
        return self.until is not None and day <= self.until and len(so_far) < 10_000

    def occurrences(self, first: date) -> list[date]:
        """The dates the event happens on: the rule's dates less the exceptions."""
        skip = set(self.exceptions)
        return [d for d in self.dates(first) if d not in skip]


@dataclass(frozen=True)
class Event:
    id: str
    title: str
    kind: str
    when: When
    calendar_id: str
    status: str = "confirmed"
    tags: tuple[str, ...] = ()
    location: str = ""
    description: str = ""
    url: str = ""
    source: str = ""
    repeat: Repeat | None = None
    where: Where | None = field(default=None, compare=False, repr=False)
    #: ``busy:`` as written (None: the kind's default, see :func:`is_busy`). Out of the repr,
    #: which fingerprints the event (feeds.revisions): adding the field moves no stamp.
    busy: bool | None = field(default=None, repr=False)

    @property
    def categories(self) -> tuple[str, ...]:
        seen: dict[str, None] = {self.kind: None}
        seen.update((t, None) for t in self.tags)
        return tuple(seen)

    @property
    def first_day(self) -> date:
        """The first calendar day of the event in its own zone."""
        when = self.when
        if isinstance(when, AllDay):
            return when.first
        if isinstance(when, Timed):
            return when.start.date()
        return when.at.date()


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Calendar:
    id: str
    name: str
    events: tuple[Event, ...]
    description: str = ""
    url: str = ""
    timezone: str = DEFAULT_TIMEZONE
    location: str = ""
    sources: tuple[Link, ...] = ()
    #: Area labels (lower-case slugs such as ``machine-learning``): the calendar is in the
    #: cross-calendar feeds of each (``/feeds/tags/<tag>.ics``).
    tags: tuple[str, ...] = ()
    #: The series the calendar is an edition of (a lower-case slug such as ``icml``), or "":
    #: ``/feeds/series/<series>.ics`` holds every edition.
    series: str = ""
    path: str = field(default="", compare=False)

    def event(self, event_id: str) -> Event | None:
        for ev in self.events:
            if ev.id == event_id:
                return ev
        return None

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(sorted({e.kind for e in self.events}))


def url_key(segment: str) -> str:
    """How two URL segments collide: ids and kinds differing only in case (``Keynote`` and
    ``keynote``) name one file on case-insensitive disks (macOS, Windows), so an export
    would overwrite one with the other. Every uniqueness check compares these keys."""
    return segment.casefold()


def kind_slug(kind: str) -> str:
    """The plural used in feed URLs: ``deadline`` -> ``deadlines``."""
    return kind if kind.endswith("s") else kind + "s"


#: Kinds that are dates of the submission cycle, not days at the venue ("submissions open
#: on OpenReview"): they happen online, so they take no location but their own.
ONLINE_KINDS = frozenset({"milestone"})


def inherits_location(event: Event) -> bool:
    """Whether an event without its own location takes the calendar's.

    A deadline instant is nowhere, while a timed event of kind "deadline" (a submission
    desk) is somewhere; a milestone (:data:`ONLINE_KINDS`) is online, whatever its shape.
    This is what the feeds write, what the pages show, and what SEQUENCE must follow.
    """
    return not isinstance(event.when, Deadline) and event.kind not in ONLINE_KINDS


#: Kinds that never block time by default: a deadline or a milestone is a date to know, not
#: an appointment (Outlook and booking tools would otherwise show the person as busy).
FREE_KINDS = ("deadline", "milestone")


def is_busy(event: Event) -> bool:
    """Whether the event blocks time (``TRANSP:OPAQUE``) or shows as free (``TRANSPARENT``).

    The event's own ``busy:`` if it has one; else free for the kinds in :data:`FREE_KINDS`,
    for an instant (``due:``, which has no length) and for all-day events (conference days
    are bars above the day, as clients draw them, not a week of busy time); busy for every
    other timed event. The one rule: TRANSP and X-MICROSOFT-CDO-BUSYSTATUS follow it.
    """
    if event.busy is not None:
        return event.busy
    if event.kind in FREE_KINDS:
        return False
    return isinstance(event.when, Timed)


def location_of(event: Event, calendar: Calendar) -> str:
    """The event's location as subscribers see it: its own, else the calendar's if it inherits."""
    if event.location:
        return event.location
    return calendar.location if inherits_location(event) else ""
