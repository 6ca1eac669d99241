"""Fake subscribers, one per caching style (docs/compatibility.md, COMPAT.md), and the
independent parsers that read what each one holds.

- ``apple``: revalidates with ``If-Modified-Since`` only (Apple Calendar);
- ``etag``: revalidates with ``If-None-Match`` only (Thunderbird, Outlook);
- ``google``: fetches the whole feed every time and keeps no validator.

A client keeps the bytes of its last 200 and replaces them only on the next 200, as
the real ones do; after every poll :meth:`Client.check` says whether its copy is what
the definitions say and whether a SEQUENCE or a time it saw ever fell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import icalendar
import recurring_ical_events
import vobject

#: ``fetch(path, headers) -> (status, headers, body)``: one HTTP GET to a deployment.
Fetch = Callable[[str, dict[str, str]], tuple[int, dict[str, str], bytes]]

WINDOW = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC))


@dataclass
class View:
    """What one client's copy says, per event id: occurrences, STATUS, SUMMARY, SEQUENCE and
    LAST-MODIFIED."""

    occurrences: dict[str, tuple]
    status: dict[str, str]
    title: dict[str, str]
    sequence: dict[str, int]
    modified: dict[str, datetime]

    def meaning(self) -> dict[str, tuple[tuple, str, str]]:
        """event id -> (UTC (start, end) of each occurrence, STATUS, SUMMARY)."""
        return {
            k: (self.occurrences.get(k, ()), self.status[k], self.title[k]) for k in self.status
        }


def _event_id(uid: str) -> str:
    return uid.split("@", 1)[0].split("/", 1)[1]


def _utc(value) -> datetime:
    assert isinstance(value, datetime) and value.tzinfo is not None, value
    return value.astimezone(UTC)


def read_icalendar(body: bytes) -> View:
    """icalendar for the properties, recurring-ical-events for the occurrences."""
    calendar = icalendar.Calendar.from_ical(body)
    status, title, sequence, modified = {}, {}, {}, {}
    for event in calendar.walk("VEVENT"):
        key = _event_id(str(event["UID"]))
        assert key not in status, f"two VEVENTs for {key}"
        status[key] = str(event["STATUS"])
        title[key] = str(event["SUMMARY"])
        sequence[key] = int(event["SEQUENCE"])
        modified[key] = _utc(event["LAST-MODIFIED"].dt)
    occurrences: dict[str, list] = {}
    for occurrence in recurring_ical_events.of(calendar).between(*WINDOW):
        start = _utc(occurrence["DTSTART"].dt)
        end = _utc(occurrence["DTEND"].dt) if "DTEND" in occurrence else start
        occurrences.setdefault(_event_id(str(occurrence["UID"])), []).append((start, end))
    occurrences = {k: tuple(sorted(v)) for k, v in occurrences.items()}
    return View(occurrences, status, title, sequence, modified)


def read_vobject(body: bytes) -> View:
    """vobject, expanding each series with its own rrule set."""
    calendar = vobject.readOne(body.decode("utf-8"))
    occurrences, status, title, sequence, modified = {}, {}, {}, {}, {}
    for event in getattr(calendar, "vevent_list", []):
        key = _event_id(event.uid.value)
        assert key not in status, f"two VEVENTs for {key}"
        status[key] = event.status.value
        title[key] = event.summary.value
        sequence[key] = int(event.sequence.value)
        modified[key] = _utc(event.last_modified.value)
        start = _utc(event.dtstart.value)
        length = (_utc(event.dtend.value) - start) if hasattr(event, "dtend") else None
        starts = [_utc(s) for s in event.getrruleset()] if hasattr(event, "rrule") else [start]
        occurrences[key] = tuple(sorted((s, s + length if length else s) for s in starts))
    return View(occurrences, status, title, sequence, modified)


@dataclass
class Client:
    """One subscriber of one feed."""

    name: str
    style: str  # "apple" | "etag" | "google"
    read: Callable[[bytes], View]
    body: bytes | None = None
    last_modified: str | None = None
    etag: str | None = None
    #: the highest SEQUENCE and latest LAST-MODIFIED this client ever saw per event, and
    #: the latest Last-Modified header of the feed: none of them may fall
    seen_sequence: dict[str, int] = field(default_factory=dict)
    seen_modified: dict[str, datetime] = field(default_factory=dict)
    seen_header: datetime | None = None
    last_meaning: dict[str, tuple[tuple, str, str]] = field(default_factory=dict)
    statuses: list[int] = field(default_factory=list)

    def poll(self, fetch: Fetch, path: str) -> None:
        headers = {}
        if self.style == "apple" and self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        elif self.style == "etag" and self.etag:
            headers["If-None-Match"] = self.etag
        status, got, body = fetch(path, headers)
        self.statuses.append(status)
        if status == 304:
            assert self.body is not None, f"{self.name}: 304 to an unconditional request"
            return
        assert status == 200, f"{self.name}: {path} answered {status}"
        self.body = body
        self.last_modified, self.etag = got.get("Last-Modified"), got.get("ETag")
        header = parsedate_to_datetime(self.last_modified)
        assert self.seen_header is None or header >= self.seen_header, (
            f"{self.name}: the feed's Last-Modified fell from {self.seen_header} to {header}"
        )
        self.seen_header = header

    def check(self, expected: dict[str, tuple[tuple, str, str]], step: str) -> None:
        """The copy means ``expected``; no SEQUENCE and no LAST-MODIFIED it saw fell."""
        assert self.body is not None
        view = self.read(self.body)
        assert view.meaning() == expected, (
            f"after {step}: {self.name} holds\n{view.meaning()}\nbut the definitions say\n"
            f"{expected}"
        )
        for key, sequence in view.sequence.items():
            before = self.seen_sequence.get(key, 0)
            assert sequence >= before, (
                f"after {step}: {self.name}: {key} SEQUENCE fell from {before} to {sequence}"
            )
            old = self.last_meaning.get(key)
            if old is not None and old[:2] != view.meaning()[key][:2]:  # RFC 5546 2.1.4
                assert sequence > before, (
                    f"after {step}: {self.name}: {key} was rescheduled or cancelled "
                    f"but kept SEQUENCE {sequence}"
                )
            self.seen_sequence[key] = sequence
        for key, modified in view.modified.items():
            before = self.seen_modified.get(key)
            assert before is None or modified >= before, (
                f"after {step}: {self.name}: {key} LAST-MODIFIED fell from {before} to {modified}"
            )
            self.seen_modified[key] = modified
        self.last_meaning.update(view.meaning())


def subscribers(prefix: str) -> list[Client]:
    """One client of each style; the Google-style one reads with vobject."""
    return [
        Client(f"{prefix}/apple", "apple", read_icalendar),
        Client(f"{prefix}/etag", "etag", read_icalendar),
        Client(f"{prefix}/google", "google", read_vobject),
    ]
