"""Generated definitions for the benchmark: N events, written as people write them.

Deterministic for a given N (seeded), so every run and every tool sees the same
events. The mix: Seoul wall-clock sessions (some with ``end: 17:00``, some with a
``duration``), all-day events, daily and weekly recurrences (some with
exceptions), AoE and UTC deadlines, and Korean text in about a third of titles
and descriptions. The same events are written three ways: our definition
format, yaml2ics's input format, and the plain list the floor script reads
(which is our format, loaded without validation).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

KINDS = ("session", "poster", "workshop", "keynote", "tutorial", "social", "registration")
KOREAN = (
    "기계 학습 세션",
    "포스터 발표",
    "초청 강연",
    "워크숍: 강화 학습",
    "등록 데스크",
    "튜토리얼: 대규모 언어 모델",
)
ENGLISH = (
    "Oral session",
    "Poster session",
    "Invited talk",
    "Workshop on reinforcement learning",
    "Registration desk",
    "Tutorial: large language models",
)
ROOMS = ("Hall A", "Hall B", "Room 301", "Room 402", "Auditorium", "코엑스 그랜드볼룸")
FIRST_DAY = date(2026, 1, 5)


@dataclass
class Spec:
    """One generated event, neutral: every writer below renders it its own way."""

    id: str
    title: str
    kind: str
    shape: str  # "timed", "allday", "daily", "weekly", "deadline"
    day: date
    start: tuple[int, int] = (9, 0)
    minutes: int = 90
    last_day: date | None = None  # all-day: inclusive last day
    count: int | None = None  # daily recurrences
    until: date | None = None  # weekly recurrences (inclusive)
    except_days: tuple[date, ...] = ()
    zone: str = ""  # deadlines: "AoE" or "UTC"
    description: str = ""
    location: str = ""
    url: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    end_as_clock: bool = False  # write "end: 17:00" instead of a duration


def specs(n: int, seed: int = 2026) -> list[Spec]:
    rng = random.Random(seed + n)
    out = []
    for i in range(n):
        korean = rng.random() < 0.33
        words = KOREAN if korean else ENGLISH
        title = f"{rng.choice(words)} #{i}"
        day = FIRST_DAY + timedelta(days=rng.randrange(0, 700))
        roll = rng.random()
        spec = Spec(id=f"ev-{i:06d}", title=title, kind=rng.choice(KINDS), shape="timed", day=day)
        if rng.random() < 0.5:
            spec.description = (
                f"{rng.choice(words)}: 세부 사항은 웹사이트를 참조하세요. Details {i}."
                if korean
                else f"Session {i}: speakers, abstracts and slides are linked from the schedule "
                "page."
            )
        if rng.random() < 0.4:
            spec.location = rng.choice(ROOMS)
        if rng.random() < 0.3:
            spec.url = f"https://example.org/schedule/{i}"
        if rng.random() < 0.3:
            spec.tags = tuple(sorted(rng.sample(("oral", "vision", "nlp", "rl", "theory"), 2)))
        if roll < 0.55:
            spec.start = (rng.randrange(7, 19), rng.choice((0, 15, 30, 45)))
            spec.minutes = rng.choice((30, 45, 60, 90, 120))
            spec.end_as_clock = (
                rng.random() < 0.5 and spec.start[0] * 60 + spec.start[1] + spec.minutes < 24 * 60
            )
        elif roll < 0.70:
            spec.shape = "allday"
            spec.kind = rng.choice(("conference", "workshop", "social"))
            spec.last_day = day + timedelta(days=rng.choice((0, 0, 1, 2, 4)))
        elif roll < 0.78:
            spec.shape = "daily"
            spec.start = (rng.randrange(8, 17), 0)
            spec.minutes = 60
            spec.count = rng.choice((2, 3, 5))
            if spec.count >= 3 and rng.random() < 0.5:
                spec.except_days = (day + timedelta(days=1),)
        elif roll < 0.85:
            spec.shape = "weekly"
            spec.start = (rng.randrange(8, 17), 30)
            spec.minutes = 60
            spec.until = day + timedelta(weeks=rng.choice((3, 6, 10)))
        else:
            spec.shape = "deadline"
            spec.kind = "deadline"
            spec.title = f"{'논문 제출 마감' if korean else 'Submission deadline'} #{i}"
            spec.zone = "AoE" if rng.random() < 0.8 else "UTC"
            spec.start = (23, 59) if rng.random() < 0.5 else (11, 59)
            spec.location = ""
        out.append(spec)
    return out


def _q(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _clock(hm: tuple[int, int]) -> str:
    return f"{hm[0]:02d}:{hm[1]:02d}"


def ours(items: list[Spec], cal_id: str = "bench") -> str:
    """Our definition format."""
    lines = [
        f"id: {cal_id}",
        f"name: Benchmark calendar ({len(items):,} events)",
        "description: Generated events for the benchmark. 벤치마크용 일정.",
        "url: https://example.org/",
        "timezone: Asia/Seoul",
        "location: COEX Convention & Exhibition Center, Seoul",
        "events:",
    ]
    for s in items:
        lines.append(f"  - id: {s.id}")
        lines.append(f"    title: {_q(s.title)}")
        lines.append(f"    kind: {s.kind}")
        if s.tags:
            lines.append(f"    tags: [{', '.join(s.tags)}]")
        if s.shape == "allday":
            lines.append(f"    start: {s.day.isoformat()}")
            if s.last_day != s.day:
                lines.append(f"    end: {s.last_day.isoformat()}")
        elif s.shape == "deadline":
            if s.start == (23, 59) and s.zone == "AoE":
                lines.append(f"    due: {s.day.isoformat()}")
                lines.append("    timezone: AoE")
            else:
                lines.append(f"    due: {s.day.isoformat()} {_clock(s.start)} {s.zone}")
        else:
            lines.append(f"    start: {s.day.isoformat()} {_clock(s.start)}")
            if s.end_as_clock:
                end = datetime.combine(s.day, datetime.min.time()) + timedelta(
                    hours=s.start[0], minutes=s.start[1] + s.minutes
                )
                lines.append(f"    end: {end:%H:%M}")
            else:
                lines.append(f"    duration: {s.minutes}m")
            if s.shape == "daily":
                lines.append("    repeat:")
                lines.append("      every: day")
                lines.append(f"      count: {s.count}")
                if s.except_days:
                    lines.append(
                        f"      except: [{', '.join(d.isoformat() for d in s.except_days)}]"
                    )
            elif s.shape == "weekly":
                lines.append("    repeat:")
                lines.append("      every: week")
                lines.append(f"      until: {s.until.isoformat()}")
        if s.location:
            lines.append(f"    location: {_q(s.location)}")
        if s.description:
            lines.append(f"    description: {_q(s.description)}")
        if s.url:
            lines.append(f"    url: {s.url}")
        lines.append("")
    return "\n".join(lines) + "\n"


def yaml2ics_input(items: list[Spec]) -> str:
    """The same events in yaml2ics's format (``summary``, ``begin``, ``end``, ``repeat.interval``).

    yaml2ics knows no AoE: deadlines use ``Etc/GMT+12`` (its only way to say UTC-12),
    written as a zero-length event. It has no count-bounded recurrence, so daily
    repeats are given the equivalent ``until``.
    """
    lines = [
        f"name: Benchmark calendar ({len(items):,} events)",
        "timezone: Asia/Seoul",
        "events:",
    ]
    for s in items:
        lines.append(f"  - summary: {_q(s.title)}")
        if s.shape == "allday":
            lines.append(f"    begin: {s.day.isoformat()}")
            if s.last_day != s.day:
                lines.append(f"    end: {(s.last_day + timedelta(days=1)).isoformat()}")
        elif s.shape == "deadline":
            lines.append(f"    begin: {s.day.isoformat()} {_clock(s.start)}:00")
            lines.append("    duration: {minutes: 0}")
            lines.append(f"    timezone: {'Etc/GMT+12' if s.zone == 'AoE' else 'Etc/UTC'}")
        else:
            start = datetime.combine(s.day, datetime.min.time()) + timedelta(
                hours=s.start[0], minutes=s.start[1]
            )
            end = start + timedelta(minutes=s.minutes)
            lines.append(f"    begin: {start:%Y-%m-%d %H:%M:%S}")
            lines.append(f"    end: {end:%Y-%m-%d %H:%M:%S}")
            if s.shape == "daily":
                lines.append("    repeat:")
                lines.append("      interval: {days: 1}")
                lines.append(f"      until: {s.day + timedelta(days=s.count - 1)}")
                if s.except_days:
                    lines.append(
                        "      except_on: ["
                        + ", ".join(f"{d} {_clock(s.start)}:00" for d in s.except_days)
                        + "]"
                    )
            elif s.shape == "weekly":
                lines.append("    repeat:")
                lines.append("      interval: {weeks: 1}")
                lines.append(f"      until: {s.until.isoformat()}")
        location = s.location or (
            "" if s.shape == "deadline" else "COEX Convention & Exhibition Center, Seoul"
        )
        if location:
            lines.append(f"    location: {_q(location)}")
        if s.description:
            lines.append(f"    description: {_q(s.description)}")
        if s.url:
            lines.append(f"    url: {s.url}")
        lines.append("")
    return "\n".join(lines) + "\n"


def write(folder: Path, n: int) -> Path:
    """Write ``bench.yaml`` (ours) and ``yaml2ics/bench.yaml`` for ``n`` events; return ours."""
    items = specs(n)
    events = folder / "events"
    events.mkdir(parents=True, exist_ok=True)
    ours_path = events / "bench.yaml"
    ours_path.write_text(ours(items), encoding="utf-8")
    other = folder / "yaml2ics"
    other.mkdir(exist_ok=True)
    (other / "bench.yaml").write_text(yaml2ics_input(items), encoding="utf-8")
    return ours_path


# -- the deadline-site shape: many small calendars ----------------------------------------

#: Calendar zones of the many-calendars shape: the spread a deadline site of conferences has.
ZONES = (
    "America/Los_Angeles",
    "America/New_York",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Vienna",
    "Africa/Nairobi",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Seoul",
    "Australia/Sydney",
    "Pacific/Auckland",
    "UTC",
    "AoE",
)
DEADLINES = ("Abstract deadline", "Paper deadline", "Rebuttal deadline", "Camera-ready deadline")


@dataclass
class SmallCalendar:
    """One conference-year of the many-calendars shape: its id, zone and 1 to 10 events."""

    id: str
    zone: str
    items: list[Spec]


def many_specs(calendars: int, seed: int = 2026) -> list[SmallCalendar]:
    """``calendars`` conference-years of 1 to 10 events each, in mixed zones (deterministic).

    Each has one to four deadlines (AoE or UTC, a date alone or a time), and often the
    conference days (all-day) and a few talks in the calendar's own wall-clock time.
    """
    rng = random.Random(seed * 7 + calendars)
    out = []
    for c in range(calendars):
        zone = rng.choice(ZONES)
        year = 2024 + c % 4
        first = date(year, 1, 8) + timedelta(days=rng.randrange(0, 300))
        size = rng.randint(1, 10)
        items: list[Spec] = []
        for d in range(min(size, rng.randint(1, 4))):
            due = first + timedelta(days=14 * d)
            clock = (23, 59) if rng.random() < 0.7 else (11, 59)
            items.append(
                Spec(
                    id=f"deadline-{d + 1}",
                    title=DEADLINES[d],
                    kind="deadline",
                    shape="deadline",
                    day=due,
                    start=clock,
                    zone="AoE" if rng.random() < 0.8 else "UTC",
                    url=f"https://conf{c:05d}.example.org/dates" if rng.random() < 0.5 else "",
                )
            )
        opening = first + timedelta(days=120)
        if len(items) < size:
            items.append(
                Spec(
                    id="conference",
                    title=f"Conference {c}",
                    kind="conference",
                    shape="allday",
                    day=opening,
                    last_day=opening + timedelta(days=rng.choice((2, 3, 4))),
                )
            )
        while len(items) < size:
            i = len(items)
            korean = rng.random() < 0.2
            items.append(
                Spec(
                    id=f"talk-{i}",
                    title=f"{rng.choice(KOREAN if korean else ENGLISH)} {i}",
                    kind=rng.choice(("keynote", "tutorial", "workshop", "session")),
                    shape="timed",
                    day=opening + timedelta(days=rng.randrange(0, 3)),
                    start=(rng.randrange(8, 18), rng.choice((0, 30))),
                    minutes=rng.choice((45, 60, 90)),
                    location=rng.choice(ROOMS) if rng.random() < 0.5 else "",
                    description="Speakers and slides on the schedule page."
                    if rng.random() < 0.3
                    else "",
                )
            )
        out.append(SmallCalendar(f"conf{c:05d}-{year}", zone, items))
    return out


def _small_lines(cal: SmallCalendar, zone_per_event: bool) -> list[str]:
    """The events of ``cal`` in our format; ``zone_per_event`` names the zone on each event
    (the one-big-calendar form of the same events, whose calendar has another default)."""
    lines = []
    for s in cal.items:
        lines.append(f"  - id: {cal.id}-{s.id}" if zone_per_event else f"  - id: {s.id}")
        lines.append(f"    title: {_q(s.title)}")
        lines.append(f"    kind: {s.kind}")
        if s.shape == "deadline":
            if s.start == (23, 59):
                lines.append(f"    due: {s.day.isoformat()}")
                lines.append(f"    timezone: {s.zone}")
            else:
                lines.append(f"    due: {s.day.isoformat()} {_clock(s.start)} {s.zone}")
        elif s.shape == "allday":
            lines.append(f"    start: {s.day.isoformat()}")
            lines.append(f"    end: {s.last_day.isoformat()}")
        else:
            lines.append(f"    start: {s.day.isoformat()} {_clock(s.start)}")
            lines.append(f"    duration: {s.minutes}m")
            if zone_per_event:
                lines.append(f"    timezone: {cal.zone}")
        if s.location:
            lines.append(f"    location: {_q(s.location)}")
        if s.description:
            lines.append(f"    description: {_q(s.description)}")
        if s.url:
            lines.append(f"    url: {s.url}")
    return lines


def small_calendar(cal: SmallCalendar) -> str:
    """One conference-year as its own definition file."""
    lines = [
        f"id: {cal.id}",
        f"name: {_q(f'Conference {cal.id}')}",
        f"url: https://{cal.id}.example.org/",
        f"timezone: {cal.zone}",
        "events:",
        *_small_lines(cal, zone_per_event=False),
    ]
    return "\n".join(lines) + "\n"


def one_calendar(cals: list[SmallCalendar], cal_id: str = "everything") -> str:
    """The same events in one calendar file (each timed event naming its zone)."""
    lines = [
        f"id: {cal_id}",
        f"name: All conferences ({sum(len(c.items) for c in cals):,} events)",
        "url: https://example.org/",
        "timezone: UTC",
        "events:",
    ]
    for cal in cals:
        lines += _small_lines(cal, zone_per_event=True)
    return "\n".join(lines) + "\n"


def write_many(folder: Path, calendars: int) -> tuple[Path, Path]:
    """``many/`` (one file per calendar) and ``one/`` (the same events in one file)."""
    cals = many_specs(calendars)
    many, one = folder / "many", folder / "one"
    many.mkdir(parents=True, exist_ok=True)
    one.mkdir(parents=True, exist_ok=True)
    for cal in cals:
        (many / f"{cal.id}.yaml").write_text(small_calendar(cal), encoding="utf-8")
    (one / "everything.yaml").write_text(one_calendar(cals), encoding="utf-8")
    return many, one
