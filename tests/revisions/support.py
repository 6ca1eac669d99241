"""What the revisions tests share: a small calendar, a store over it, and reading what is
served with an independent parser (icalendar), times compared in UTC."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import icalendar

from feeds.serve.store import Store
from tests.conftest import ROOT, make_settings

FEED = "/feeds/conf.ics"

DEFINITION = """\
id: conf
name: Conf 2026
timezone: Europe/Berlin
location: Hall A
events:
  - id: talk
    title: Opening talk
    kind: talk
    start: 2026-07-06 {start}
    end: 2026-07-06 11:00
  - id: due
    title: Papers due
    kind: deadline
    due: 2026-03-01 23:59
  - id: party
    title: Party
    kind: social
    start: 2026-07-07 20:00
    end: 2026-07-07 23:00
"""


def definition(start: str = "09:00", drop: str = "") -> str:
    """The calendar, the talk starting at ``start``, without the event ``drop``."""
    head, *entries = DEFINITION.format(start=start).split("  - id: ")
    kept = [e for e in entries if not e.startswith(drop + "\n")] if drop else entries
    return head + "".join("  - id: " + e for e in kept)


def write(folder: Path, text: str, mtime: float | None = None, name: str = "conf.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def store(folder: Path, **options) -> Store:
    options.setdefault("settle_seconds", 0)
    return Store(make_settings(folder), **options)


def events(body: bytes) -> dict[str, icalendar.Event]:
    """The VEVENTs of a feed by UID, parsed by icalendar."""
    parsed = icalendar.Calendar.from_ical(body)
    return {str(e["UID"]).split("/", 1)[1].split("@")[0]: e for e in parsed.walk("VEVENT")}


def sequences(body: bytes) -> dict[str, int]:
    return {key: int(e["SEQUENCE"]) for key, e in events(body).items()}


def modified(body: bytes) -> dict[str, datetime]:
    return {key: e["LAST-MODIFIED"].dt.astimezone(UTC) for key, e in events(body).items()}


def starts(body: bytes) -> dict[str, datetime]:
    return {key: e["DTSTART"].dt.astimezone(UTC) for key, e in events(body).items()}


def feeds(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The ``feeds`` command, as a user runs it."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FEEDS_")}
    environ.pop("SOURCE_DATE_EPOCH", None)
    environ.update(
        FEEDS_PUBLIC_URL="https://feeds.example.org",
        FEEDS_UID_DOMAIN="feeds.example.org",
        PYTHONPATH=str(ROOT),
        **(env or {}),
    )
    return subprocess.run(
        [sys.executable, "-m", "feeds.cli", *args],
        capture_output=True,
        text=True,
        env=environ,
        cwd=ROOT,
        timeout=120,
    )
