"""Generated conference-years, the shape of a deadline-tracking site, with what each means.

Each calendar is one edition of a series (``icml-2024``), with one to three area tags, a
default zone, and one to ten events: AoE, UTC and zoned deadlines, an all-day notification,
the conference days, and in some a weekly repeating timed event. Deterministic for a seed.

Beside the YAML, every event's meaning is worked out here with :mod:`zoneinfo`, not with
the package: its UID, its first start and the end of its last occurrence as UTC instants
(what the horizon is decided by), so tests compare what parsers read with this.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

SERIES = (
    "icml", "neurips", "iclr", "cvpr", "iccv", "eccv", "acl", "emnlp", "naacl", "aaai",
    "ijcai", "kdd", "www", "sigir", "icra", "iros", "corl", "uai", "aistats", "colt",
)  # fmt: skip
AREAS = (
    "machine-learning", "computer-vision", "nlp", "robotics", "data-mining",
    "theory", "speech", "graphics",
)  # fmt: skip
ZONES = ("AoE", "UTC", "Europe/Berlin", "America/Los_Angeles", "Asia/Seoul", "Asia/Kolkata")
AOE = timezone(timedelta(hours=-12))
UID_DOMAIN = "feeds.example.org"


@dataclass(frozen=True)
class Expected:
    """One event as its definition means it, in UTC."""

    calendar: str
    event: str
    kind: str
    first_start: datetime | date  # an instant; a date for all-day events
    last_end: datetime  # the end of the last occurrence (a deadline: its instant), UTC
    yaml: tuple[str, ...] = ()  # its lines in the definition, after "- id: ..."

    @property
    def uid(self) -> str:
        return f"{self.calendar}/{self.event}@{UID_DOMAIN}"


@dataclass(frozen=True)
class Edition:
    id: str
    series: str
    tags: tuple[str, ...]
    zone: str
    events: tuple[Expected, ...]


def _zone(name: str):
    return AOE if name == "AoE" else (UTC if name == "UTC" else ZoneInfo(name))


def _instant(wall: datetime, zone: str) -> datetime:
    return wall.replace(tzinfo=_zone(zone)).astimezone(UTC)


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def editions(count: int, seed: int = 10) -> list[Edition]:
    """``count`` conference-years from 2019 on, at least 60 a year, up to 2037."""
    rng = random.Random(seed)
    out = []
    per_year = max(60, -(-count // 19))  # the years 2019 to 2037 (the zone data's last)
    for index in range(count):
        track = index % per_year // len(SERIES)  # more series than the names above
        series = SERIES[index % len(SERIES)] + (f"-track{track}" if track else "")
        year = 2019 + index // per_year
        cal_id = f"{series}-{year}"
        tags = tuple(sorted(rng.sample(AREAS, rng.randint(1, 3))))
        zone = rng.choice(ZONES)
        conference = date(year, 1, 1) + timedelta(days=rng.randrange(120, 330))
        events: list[Expected] = []
        for number in range(rng.randint(1, 10)):
            events.append(_event(rng, cal_id, number, zone, conference))
        out.append(Edition(cal_id, series, tags, zone, tuple(events)))
    return out


def _event(rng: random.Random, cal_id: str, number: int, zone: str, conference: date) -> Expected:
    shape = ("deadline", "deadline", "deadline", "notification", "conference", "weekly")[
        rng.randrange(6)
    ]
    event_id = f"e{number}-{shape}"
    if shape == "deadline":
        due_zone = rng.choice(("AoE", "UTC", zone, ""))  # "": the calendar's zone, unsaid
        day = conference - timedelta(days=rng.randrange(30, 200))
        wall = datetime.combine(day, time(23, 59))
        at = _instant(wall, due_zone or zone)
        text = f"{day}" if due_zone == "AoE" and rng.random() < 0.5 else f"{wall:%Y-%m-%d %H:%M}"
        if due_zone == "AoE" and text == f"{day}":
            lines = ("title: Paper deadline", f"due: {text}", "timezone: AoE")
        else:
            lines = ("title: Paper deadline", f"due: {text} {due_zone}".rstrip())
        return Expected(cal_id, event_id, "deadline", at, at, lines)
    if shape == "notification":
        day = conference - timedelta(days=rng.randrange(10, 60))
        lines = ("title: Notification", "kind: notification", f"start: {day}")
        return Expected(
            cal_id, event_id, "notification", day, _utc_midnight(day + timedelta(1)), lines
        )
    if shape == "conference":
        last = conference + timedelta(days=rng.randrange(0, 6))
        lines = ("title: Main conference", "kind: conference", f"start: {conference}")
        lines += (f"end: {last}",)
        end = _utc_midnight(last + timedelta(1))
        return Expected(cal_id, event_id, "conference", conference, end, lines)
    # a weekly reading group: 10:00-11:00 Los Angeles time, some weeks before the conference
    weeks = rng.randint(2, 12)
    first = conference - timedelta(days=7 * weeks + 3)
    start = _instant(datetime.combine(first, time(10)), "America/Los_Angeles")
    last_day = first + timedelta(weeks=weeks - 1)
    end = _instant(datetime.combine(last_day, time(11)), "America/Los_Angeles")
    lines = (
        "title: Reading group",
        "kind: reading-group",
        f"start: {first} 10:00",
        "duration: 1h",
        "timezone: America/Los_Angeles",
        f"repeat: {{every: week, count: {weeks}}}",
    )
    return Expected(cal_id, event_id, "reading-group", start, end, lines)


def definition(edition: Edition) -> str:
    """The YAML of one edition, written as people write them."""
    lines = [
        f"id: {edition.id}",
        f"name: {edition.series.upper()} {edition.id.rsplit('-', 1)[1]}",
        f"series: {edition.series}",
        f"tags: [{', '.join(edition.tags)}]",
        f"timezone: {edition.zone}",
        "events:",
    ]
    for e in edition.events:
        lines.append(f"  - id: {e.event}")
        lines.extend(f"    {line}" for line in e.yaml)
    return "\n".join(lines) + "\n"


def write(folder: Path, count: int, seed: int = 10) -> list[Edition]:
    """Write ``count`` editions into ``folder``; return what they mean."""
    folder.mkdir(parents=True, exist_ok=True)
    made = editions(count, seed)
    for edition in made:
        (folder / f"{edition.id}.yaml").write_text(definition(edition), encoding="utf-8")
    return made
