"""The calendar the simulation edits, written as YAML, and what it must mean to a
subscriber, computed here from the same values with ``zoneinfo`` alone (never with
the loader): each event's UTC occurrences and its STATUS."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

ZONE = "Europe/Berlin"
CALENDAR = "conf"
FILE = "conf.yaml"
REVISIONS = "conf.revisions.json"
FEED = "/feeds/conf.ics"
TIMES = ("08:00", "09:00", "09:30", "13:45", "23:59")


@dataclass(frozen=True)
class Event:
    """One event: ``weeks`` > 0 repeats weekly that many times; ``minutes`` 0 is a deadline."""

    title: str
    day: str  # YYYY-MM-DD
    time: str  # HH:MM, wall time in ZONE
    minutes: int = 60
    weeks: int = 0
    cancelled: bool = False

    def yaml(self, event_id: str) -> str:
        lines = [f"  - id: {event_id}", f"    title: {self.title}"]
        if self.minutes == 0:
            lines += ["    kind: deadline", f"    due: {self.day} {self.time}"]
        else:
            lines += [f"    start: {self.day} {self.time}", f"    duration: {self.minutes}m"]
        if self.weeks:
            lines.append(f"    repeat: {{every: week, count: {self.weeks}}}")
        if self.cancelled:
            lines.append("    status: cancelled")
        return "\n".join(lines) + "\n"

    def instants(self) -> tuple[tuple[datetime, datetime], ...]:
        """(start, end) in UTC of each occurrence; a deadline ends where it starts."""
        wall = datetime.fromisoformat(f"{self.day}T{self.time}")
        out = []
        for week in range(max(self.weeks, 1)):
            start = (wall + timedelta(weeks=week)).replace(tzinfo=ZoneInfo(ZONE)).astimezone(UTC)
            out.append((start, start + timedelta(minutes=self.minutes)))
        return tuple(out)


ALL = {
    "talk": Event("Opening talk", "2027-07-06", "09:00"),
    "due": Event("Papers due", "2027-03-01", "23:59", minutes=0),
    # across the end of summer time (31 October 2027): 14:00 wall time each week
    "weekly": Event("Weekly call", "2027-10-19", "14:00", minutes=90, weeks=4),
}


@dataclass(frozen=True)
class Definition:
    """The events the file holds (some of ``ALL`` may be removed), in a fixed order."""

    events: dict[str, Event] = field(default_factory=lambda: dict(ALL))

    def yaml(self) -> str:
        head = f"id: {CALENDAR}\nname: Conf 2027\ntimezone: {ZONE}\nevents:\n"
        return head + "".join(self.events[k].yaml(k) for k in ALL if k in self.events)

    def edit(self, event_id: str, **changes) -> Definition:
        events = dict(self.events)
        events[event_id] = replace(events[event_id], **changes)
        return Definition(events)

    def without(self, event_id: str) -> Definition:
        return Definition({k: v for k, v in self.events.items() if k != event_id})

    def expected(self) -> dict[str, tuple[tuple, str, str]]:
        """event id -> (UTC (start, end) of each occurrence, STATUS, SUMMARY) as a
        subscriber must see it."""
        return {
            k: (e.instants(), "CANCELLED" if e.cancelled else "CONFIRMED", e.title)
            for k, e in self.events.items()
        }


#: An edit the loader must refuse (an end before the start): never served.
BROKEN = Definition().yaml().replace("    duration: 60m\n", "    end: 2027-07-06 08:00\n", 1)
