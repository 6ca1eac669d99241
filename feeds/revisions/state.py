"""What a revisions file holds, the calendar's revision clock, and merging two states.

A :class:`Revisions` is immutable: every change makes a new one. Two rules hold
for any state this package writes, whatever the input:

* **SEQUENCE never falls.** :func:`merge` of two states keeps, per event, the
  entry with the higher sequence, so joining two sides of a git conflict, or a
  file with what was last served, can only raise it.
* **Time only moves forward.** :func:`next_time` gives a new revision a time
  strictly after every time the calendar already recorded, whatever the clock
  or a file's mtime says.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cached_property

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: The revisions file format this code writes (1: fingerprints of reprs, no version key;
#: 2: fingerprints of named fields; 3: the same fingerprints, with each event's change log).
VERSION = 3
#: Each event keeps at most this many changes (its log is bounded; older ones are dropped).
MAX_CHANGES = 5
#: RFC 5545 SEQUENCE is a non-negative 32-bit integer.
MAX_SEQUENCE = 2**31 - 1
_TICK = timedelta(seconds=1)  # iCalendar and HTTP times have whole seconds


@dataclass(frozen=True)
class Change:
    """One entry of an event's change log (``feeds.revisions.history`` makes them)."""

    at: datetime
    sequence: int  # the event's SEQUENCE after the change
    what: str  # "added", "edited", "removed" or "restored"
    #: the values before the change of the shown fields that changed, as canonical JSON
    #: (``{"when": {...}}``); "" when not known or not relevant (added, removed)
    was: str = ""


@dataclass(frozen=True)
class Revision:
    sequence: int
    created: datetime
    modified: datetime
    schedule: str  # fingerprint of time, status and place: a change raises SEQUENCE
    content: str  # fingerprint of everything: a change moves LAST-MODIFIED
    #: what subscribers see of the event at this revision (title, time, repeat, status,
    #: place) as canonical JSON; "" when not known (a file from before version 3)
    shown: str = ""
    changes: tuple[Change, ...] = ()  # oldest first, at most MAX_CHANGES


@dataclass(frozen=True)
class Header:
    """The calendar's own fields: their fingerprints and when they last changed."""

    content: str  # name, description, url, zone, location, sources
    place: str  # the default location events without their own inherit
    modified: datetime


@dataclass(frozen=True)
class Revisions:
    calendar: str
    events: dict[str, Revision] = field(default_factory=dict)
    removed: dict[str, datetime] = field(default_factory=dict)
    history: dict[str, Revision] = field(default_factory=dict)  # removed events' last revision
    header: Header | None = None
    version: int = VERSION  # of the fingerprints (and the file's format)

    def calendar_times(self) -> list[datetime]:
        """Changes that concern every feed of the calendar: removals and header edits."""
        times = list(self.removed.values())
        if self.header is not None:
            times.append(self.header.modified)
        return times

    def of(self, event_id: str) -> Revision:
        return self.events.get(event_id) or Revision(0, EPOCH, EPOCH, "", "")

    @cached_property
    def modified(self) -> datetime:
        """When anything in the calendar last changed, removals included (worked out once:
        a Revisions is never changed once made, and a site of thousands of calendars asks
        each for it several times at every edit)."""
        times = [r.modified for r in self.events.values()] + self.calendar_times()
        return max(times, default=EPOCH)

    @property
    def clock(self) -> datetime:
        """The latest time this state records anywhere (the revision clock's last tick)."""
        times = [self.modified] + [r.modified for r in self.history.values()]
        return max(times)

    def sequences(self) -> dict[str, int]:
        """Each event id's highest SEQUENCE known, removed events' included."""
        out = {key: r.sequence for key, r in self.history.items()}
        for key, r in self.events.items():
            out[key] = max(r.sequence, out.get(key, -1))
        return out


def next_time(now: datetime, *states: Revisions | None) -> datetime:
    """The time of a new revision: ``now`` in whole seconds, or one second after the
    latest time any of ``states`` records if ``now`` is not later (a clock set back,
    an mtime kept by ``cp -p``, two edits in one second)."""
    now = now.astimezone(UTC).replace(microsecond=0)
    latest = max((s.clock for s in states if s is not None), default=EPOCH)
    return now if now > latest else latest + _TICK


def merge(a: Revisions, b: Revisions) -> Revisions:
    """One state holding both: per event the entry with the higher SEQUENCE (the later
    ``modified`` on a tie), the later removal, the later header: no time is lost,
    so the merged clock is the later of the two.

    An event current on one side and removed on the other stays removed if the removal
    is not older than its current entry, else current; either way with the higher of
    the two sequences. The result is symmetric. Used for ``feeds revise --resolve``
    (the two sides of a merge conflict) and to keep what was published when a
    revisions file goes missing or is replaced by an older one.
    """
    events = _pick(a.events, b.events)
    history = _pick(a.history, b.history)
    removed: dict[str, datetime] = {}
    for key in set(a.removed) | set(b.removed):
        times = [t for t in (a.removed.get(key), b.removed.get(key)) if t is not None]
        removed[key] = max(times)
    for key in list(events):
        past, current, at = history.get(key), events[key], removed.get(key)
        if past is None and at is None:
            continue
        best = current if past is None else _join(past, current)
        if at is not None and at >= current.modified:
            history[key] = _removed_at(best, at)  # removed after its last edit on the other side
            del events[key]
        else:
            events[key] = best
            history.pop(key, None)
            removed.pop(key, None)
    for key in history:
        removed.setdefault(key, history[key].modified)
    header = a.header
    if header is None or (b.header is not None and _later(b.header, header)):
        header = b.header
    # Fingerprints are compared in one version: if the sides differ, the entries of
    # the older one count as edited at the next reconcile (LAST-MODIFIED moves, and
    # SEQUENCE may rise once; it never falls).
    version = max(a.version, b.version)
    return Revisions(
        a.calendar or b.calendar,
        dict(sorted(events.items())),
        dict(sorted(removed.items())),
        dict(sorted(history.items())),
        header,
        version,
    )


def _later(x: Header, y: Header) -> bool:
    return (x.modified, x.content, x.place) > (y.modified, y.content, y.place)


def _newer(x: Revision, y: Revision) -> bool:
    """Whether ``x`` wins over ``y``: higher SEQUENCE, then later, then (for a result that
    does not depend on the order of the sides) the larger fingerprints."""
    return (x.sequence, x.modified, x.schedule, x.content, x.created) > (
        y.sequence,
        y.modified,
        y.schedule,
        y.content,
        y.created,
    )


def _pick(a: dict[str, Revision], b: dict[str, Revision]) -> dict[str, Revision]:
    out = dict(a)
    for key, theirs in b.items():
        ours = out.get(key)
        out[key] = theirs if ours is None else _join(ours, theirs)
    return out


def _join(x: Revision, y: Revision) -> Revision:
    """The entry with the higher SEQUENCE (and its fingerprints), at the later of the two
    times: neither side's published SEQUENCE nor its Last-Modified is undercut."""
    best = x if _newer(x, y) else y
    return Revision(
        best.sequence,
        min(x.created, y.created),
        max(x.modified, y.modified),
        best.schedule,
        best.content,
        best.shown,
        best.changes,  # its own log: its "was" values lead to its shown ones
    )


def _removed_at(revision: Revision, at: datetime) -> Revision:
    """``revision`` with its removal at ``at`` as the last entry of its change log."""
    if revision.changes and revision.changes[-1].what == "removed":
        return revision
    entry = Change(at, revision.sequence, "removed")
    return replace(revision, changes=(*revision.changes, entry)[-MAX_CHANGES:])
