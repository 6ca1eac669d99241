"""Revision tracking: SEQUENCE, DTSTAMP and LAST-MODIFIED from the data, never the clock.

Calendar clients decide whether an event they hold is outdated by its UID,
SEQUENCE and DTSTAMP. Those must not change on every render (caches would never
hit, and re-imported events would duplicate), yet SEQUENCE must rise when an
event's time, status or place changes. A definition alone cannot say *when* it
changed, so ``feeds`` keeps a small revisions file beside each definition,
``<calendar-id>.revisions.json``, committed with it:

.. code-block:: json

    {"calendar": "icml-2026",
     "events": {"workshop-day-1": {"sequence": 1, "created": "2026-11-26T15:00:00Z",
                                   "modified": "2026-11-27T09:30:00Z",
                                   "schedule": "5f0c...", "content": "a91e..."}},
     "removed": {"old-event": "2026-11-27T09:30:00Z"}}

:func:`reconcile` is pure: given a calendar, the stored revisions and the time
"now", it returns the revisions that describe the calendar. An event is new
(sequence 0), unchanged (kept as is), edited (``modified`` moves to now) or
rescheduled (``modified`` moves and ``sequence`` rises by one). ``feeds revise``,
``feeds build`` and the server write the result; ``feeds validate`` only warns
when the file is stale. Rendering reads revisions and never the clock, so the
same definitions plus revisions give the same bytes everywhere.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from .errors import Problem
from .model import Calendar, Event

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Revision:
    sequence: int
    created: datetime
    modified: datetime
    schedule: str  # fingerprint of time, status and place: a change raises SEQUENCE
    content: str  # fingerprint of everything: a change moves LAST-MODIFIED


@dataclass(frozen=True)
class Revisions:
    calendar: str
    events: dict[str, Revision] = field(default_factory=dict)
    removed: dict[str, datetime] = field(default_factory=dict)

    def of(self, event_id: str) -> Revision:
        return self.events.get(event_id) or Revision(0, EPOCH, EPOCH, "", "")

    @property
    def modified(self) -> datetime:
        """When anything in the calendar last changed, removals included."""
        times = [r.modified for r in self.events.values()] + list(self.removed.values())
        return max(times, default=EPOCH)

    def modified_for(self, event_ids) -> datetime:
        """When the given events (or a removal) last changed: a feed's Last-Modified."""
        times = [self.of(i).modified for i in event_ids] + list(self.removed.values())
        return max(times, default=EPOCH)


def schedule_fingerprint(event: Event) -> str:
    return _digest((event.when, event.repeat, event.status, event.location))


def content_fingerprint(event: Event) -> str:
    return _digest(event)


def reconcile(calendar: Calendar, stored: Revisions | None, now: datetime) -> Revisions:
    """The revisions that describe ``calendar``, starting from ``stored``."""
    now = now.astimezone(UTC).replace(microsecond=0)
    old = stored.events if stored else {}
    removed = dict(stored.removed) if stored else {}
    events: dict[str, Revision] = {}
    for event in calendar.events:
        schedule = schedule_fingerprint(event)
        content = content_fingerprint(event)
        before = old.get(event.id)
        removed.pop(event.id, None)
        if before is None:
            events[event.id] = Revision(0, now, now, schedule, content)
        elif before.schedule != schedule:
            events[event.id] = Revision(before.sequence + 1, before.created, now, schedule, content)
        elif before.content != content:
            events[event.id] = replace(before, modified=now, content=content)
        else:
            events[event.id] = before
    for event_id in old:
        if event_id not in events:
            removed.setdefault(event_id, now)
    return Revisions(calendar.id, events, removed)


def stale(calendar: Calendar, stored: Revisions | None) -> list[str]:
    """Ids of events whose stored revision does not describe them (new or changed)."""
    old = stored.events if stored else {}
    out = []
    for event in calendar.events:
        rev = old.get(event.id)
        if rev is None or rev.content != content_fingerprint(event):
            out.append(event.id)
    return out


def stale_problems(calendar: Calendar, stored: Revisions | None) -> list[Problem]:
    """Warnings for ``feeds validate``: events the revisions file does not describe yet."""
    out = []
    path = revisions_path(calendar)
    for event_id in stale(calendar, stored):
        event = calendar.event(event_id)
        line = event.where.line if event and event.where else 1
        out.append(
            Problem(
                calendar.path,
                line,
                f"is new or changed since {path.name} was written",
                f"run 'feeds revise' and commit {path.name} with the definition",
                event_id,
                "warning",
            )
        )
    removed_now = set((stored.events if stored else {})) - {e.id for e in calendar.events}
    for event_id in sorted(removed_now):
        out.append(
            Problem(
                calendar.path,
                1,
                "was removed: subscribers' calendars will drop it on their next refresh",
                "if it was called off, keep it with 'status: cancelled' so people see that instead",
                event_id,
                "warning",
            )
        )
    return out


# -- the file -----------------------------------------------------------------


def revisions_path(calendar: Calendar) -> Path:
    return Path(calendar.path).with_name(f"{calendar.id}.revisions.json")


def read(path: Path) -> Revisions | None:
    """The stored revisions, or None if there is no (readable, valid) file."""
    try:
        data = json.loads(path.read_text("utf-8"))
        events = {
            key: Revision(
                int(v["sequence"]),
                _time(v["created"]),
                _time(v["modified"]),
                str(v["schedule"]),
                str(v["content"]),
            )
            for key, v in data.get("events", {}).items()
        }
        removed = {key: _time(v) for key, v in data.get("removed", {}).items()}
        return Revisions(str(data.get("calendar", "")), events, removed)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def dumps(revisions: Revisions) -> str:
    data = {
        "calendar": revisions.calendar,
        "events": {
            key: {
                "sequence": r.sequence,
                "created": _stamp(r.created),
                "modified": _stamp(r.modified),
                "schedule": r.schedule,
                "content": r.content,
            }
            for key, r in sorted(revisions.events.items())
        },
        "removed": {key: _stamp(t) for key, t in sorted(revisions.removed.items())},
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def update(calendar: Calendar, now: datetime | None = None, write: bool = True) -> Revisions:
    """Reconcile with the file beside the definition and (if ``write``) save the result.

    Safe with several processes: the read-reconcile-write runs under an
    exclusive lock, so when two server workers notice the same edit, the second
    finds the first one's result and both serve the same revision. If the file
    cannot be written, the reconciled revisions are still returned.
    """
    path = revisions_path(calendar)
    now = now or datetime.now(UTC)
    with _locked(path) as locked:
        stored = read(path)
        fresh = reconcile(calendar, stored, now)
        if write and locked and fresh != stored:
            _write_atomic(path, dumps(fresh))
    return fresh


@contextlib.contextmanager
def _locked(path: Path):
    lock_path = path.with_name(f".{path.name}.lock")
    try:
        handle = open(lock_path, "a")
    except OSError:
        yield False
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_atomic(path: Path, text: str) -> None:
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode("utf-8")).hexdigest()[:16]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
