"""Fingerprints: which fields of an event are material, hashed by name, in versions.

An event has two fingerprints. ``schedule`` covers what makes a subscriber's copy
*wrong* (a change raises SEQUENCE, so every client replaces its copy, RFC 5546
2.1.4): when it happens (the wall times, their zone and the UTC instants they
stand for, the all-day dates or the deadline instant), how it repeats (frequency,
interval, count, until, weekdays, exceptions), whether it happens (``status``),
and where (its own ``location``; a change of the calendar's default place is
followed through the header, for the events that inherit it). ``content`` covers
everything the event says (title, kind, tags, description, url, source, too): a
change moves LAST-MODIFIED and DTSTAMP, which clients show as an update without
treating the old copy as a different meeting.

Each version is one function, frozen once files hold its digests:

* **1** hashed ``repr()`` of the model's dataclasses, so renaming a field or a
  class would have changed every digest. It is kept only to read old files:
  :func:`prints` in version 1 reproduces their digests exactly.
* **2** hashes a canonical JSON object whose keys are the YAML keys, written by
  :func:`material` and :func:`everything`. A new model field changes no digest
  until it is added here (``tests/revisions`` checks that every field of
  :class:`~feeds.model.Event` is either fingerprinted or listed as not).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from feeds.model import AllDay, Calendar, Deadline, Event, Repeat, Timed
from feeds.timefmt import iso_utc

#: Event fields that are not fingerprinted, and why.
NOT_FINGERPRINTED = {
    "where": "the line in the file: moving an event in the file changes nothing",
    "calendar_id": "the calendar's id: an event never changes calendar (its UID would)",
}


@dataclass
class RevisionCache:
    """What a long-lived reader keeps between reloads, under visible keys.

    Each table holds one generation: what the last call for that calendar (or
    path) made, so memory stays at one calendar's worth. An entry is used only
    when it describes the same object (or, for events, an equal one), so a stale
    entry costs a recomputation, never a wrong answer.
    """

    #: (calendar id, fingerprint version) -> event id -> (the event, (schedule, content))
    fingerprints: dict[tuple[str, int], dict[str, tuple[Event, tuple[str, str]]]] = field(
        default_factory=dict
    )
    #: path -> (the digest of the text last read or written there, the revisions it holds)
    texts: dict[str, tuple[bytes, object]] = field(default_factory=dict)
    #: calendar id -> (the revisions last dumped, their text)
    dumped: dict[str, tuple[object, str]] = field(default_factory=dict)
    #: calendar id -> (section, event id) -> (the revision, its member of the file)
    entries: dict[str, dict[tuple[str, str], tuple[object, str]]] = field(default_factory=dict)


def scheme(version: int) -> int:
    """The fingerprint function of file format ``version``: 3 added the change log and
    kept the fingerprints of 2."""
    return 1 if version < 2 else 2


def prints(event: Event, version: int) -> tuple[str, str]:
    """(schedule, content) of ``event`` in fingerprint ``version``."""
    if scheme(version) == 1:
        return (
            _digest_v1((event.when, event.repeat, event.status, event.location)),
            _digest_v1(event),
        )
    schedule = material(event)
    return (_digest_v2(schedule), _digest_v2(everything(event, schedule)))


def header_prints(calendar: Calendar, version: int) -> tuple[str, str]:
    """(everything the calendar says about itself, its default location).

    Its tags and series decide which tag and series feeds hold its events, so an edit of
    them moves those feeds' Last-Modified; they are left out when empty, so a calendar
    without them keeps the fingerprint it had before they existed.
    """
    labelled = bool(calendar.tags or calendar.series)
    if version == 1:
        fields = (
            calendar.name,
            calendar.description,
            calendar.url,
            calendar.timezone,
            calendar.location,
            calendar.sources,
        )
        if labelled:
            fields += (calendar.tags, calendar.series)
        return _digest_v1(fields), _digest_v1(calendar.location)
    header = {
        "name": calendar.name,
        "description": calendar.description,
        "url": calendar.url,
        "timezone": calendar.timezone,
        "location": calendar.location,
        "sources": [{"title": s.title, "url": s.url} for s in calendar.sources],
    }
    if labelled:
        header.update(tags=list(calendar.tags), series=calendar.series)
    return _digest_v2(header), _digest_v2({"location": calendar.location})


def material(event: Event) -> dict:
    """The fields whose change raises SEQUENCE, by name (version 2)."""
    return {
        "when": _when(event.when),
        "repeat": _repeat(event.repeat),
        "status": event.status,
        "location": event.location,
    }


def everything(event: Event, schedule: dict | None = None) -> dict:
    """Every field subscribers see, by name (version 2): a change moves LAST-MODIFIED.

    ``schedule`` is :func:`material` of the event, if already made. ``busy`` is named only
    when the definition gives it, so events written before it existed keep their digests;
    free or busy is not a change of time, so it moves LAST-MODIFIED, not SEQUENCE.
    """
    fields = {
        **(material(event) if schedule is None else schedule),
        "id": event.id,
        "title": event.title,
        "kind": event.kind,
        "tags": list(event.tags),
        "description": event.description,
        "url": event.url,
        "source": event.source,
    }
    if event.busy is not None:
        fields["busy"] = event.busy
    return fields


def _when(when: Timed | AllDay | Deadline) -> dict:
    if isinstance(when, Timed):
        return {
            "start": _wall(when.start),
            "end": _wall(when.end),
            "timezone": when.zone,
            "start_utc": iso_utc(when.start_utc),
            "end_utc": iso_utc(when.end_utc),
        }
    if isinstance(when, AllDay):
        return {"date": when.first.isoformat(), "end_date": when.last.isoformat()}
    return {"deadline": _wall(when.at), "timezone": when.zone, "deadline_utc": iso_utc(when.at_utc)}


def _repeat(repeat: Repeat | None) -> dict | None:
    if repeat is None:
        return None
    return {
        "every": repeat.freq,
        "interval": repeat.interval,
        "count": repeat.count,
        "until": _day(repeat.until),
        "on": list(repeat.weekdays),
        "except": [_day(d) for d in repeat.exceptions],
    }


def _wall(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


#: The canonical text of version 2: sorted keys, no spaces, UTF-8 (one encoder, made once).
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _digest_v2(value: dict) -> str:
    text = _CANONICAL.encode(value)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _digest_v1(value: object) -> str:
    return hashlib.sha256(repr(value).encode("utf-8")).hexdigest()[:16]


class Fingerprints:
    """Fingerprints of one calendar's events in one version, reusing the cache's last
    generation.

    An event is looked up by identity first (a reload reuses unchanged events)
    and then by value: the incremental loader copies an event whose lines moved,
    and equality ignores ``where``.
    """

    def __init__(self, calendar: Calendar, version: int, cache: RevisionCache | None):
        self.key = (calendar.id, version)
        self.version = version
        self.cache = cache
        self.prior = cache.fingerprints.get(self.key, {}) if cache is not None else {}
        self.seen: dict[str, tuple[Event, tuple[str, str]]] = {}

    def of(self, event: Event) -> tuple[str, str]:
        known = self.prior.get(event.id)
        if known is None or (known[0] is not event and known[0] != event):
            known = (event, prints(event, self.version))
        self.seen[event.id] = known
        return known[1]

    def keep(self) -> None:
        """Make this calendar's fingerprints the cache's generation for this version."""
        if self.cache is not None:
            self.cache.fingerprints[self.key] = self.seen
