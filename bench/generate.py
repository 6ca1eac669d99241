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
