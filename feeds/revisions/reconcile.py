"""From a calendar and its stored revisions to the revisions that describe it: pure.

An event is new (sequence 0), unchanged (kept as is), edited (``modified``
moves) or rescheduled (``modified`` moves and ``sequence`` rises by one); an
event that comes back after a removal continues its sequence. The time of a
change is :func:`feeds.revisions.state.next_time`: after every time the
calendar recorded. A stored state in an older fingerprint version is compared
in its own version and the result is written in the current one, so upgrading
changes no SEQUENCE and no time.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from feeds.errors import Problem
from feeds.model import Calendar, inherits_location
from feeds.revisions import history as log
from feeds.revisions.fingerprints import Fingerprints, RevisionCache, header_prints
from feeds.revisions.state import VERSION, Header, Revision, Revisions, next_time


def reconcile(
    calendar: Calendar,
    stored: Revisions | None,
    now: datetime,
    cache: RevisionCache | None = None,
) -> Revisions:
    """The revisions that describe ``calendar``, starting from ``stored``.

    ``now`` is when the change is being recorded; a change gets ``now`` or, if that
    is not after the calendar's last recorded time, one second after it.
    """
    when = next_time(now, stored)
    old = stored.events if stored else {}
    removed = dict(stored.removed) if stored else {}
    history = dict(stored.history) if stored else {}
    was = stored.version if stored else VERSION
    then = Fingerprints(calendar, was, cache)  # compared in the stored version
    prints = then if was == VERSION else Fingerprints(calendar, VERSION, cache)
    header_content, place = header_prints(calendar, VERSION)
    old_header = stored.header if stored else None
    if old_header is None:
        # First seen (or a file from before headers were tracked): nothing moved.
        header = Header(
            header_content, place, max((r.modified for r in old.values()), default=when)
        )
        moved_place = False
    elif (old_header.content, old_header.place) == header_prints(calendar, was):
        header = Header(header_content, place, old_header.modified)
        header = old_header if header == old_header else header
        moved_place = False
    else:
        header = Header(header_content, place, when)
        moved_place = old_header.place != header_prints(calendar, was)[1]
    events: dict[str, Revision] = {}
    if was < 3:  # no change log yet: a removed event's says when it left
        history = {
            k: log.upgraded_removed(r, removed.get(k, r.modified)) for k, r in history.items()
        }
    for event in calendar.events:
        schedule, content = prints.of(event)
        old_schedule, old_content = then.of(event)
        before = old.get(event.id)
        removed.pop(event.id, None)
        inherits_place = moved_place and not event.location and inherits_location(event)
        if before is None and event.id in history:
            # Back after a removal: continue its sequence, or clients keep the old copy.
            past = history.pop(event.id)
            new = Revision(past.sequence + 1, past.created, when, schedule, content)
            events[event.id] = log.after_edit(past, _shown(new, event, calendar), "restored")
        elif before is None:
            new = Revision(0, when, when, schedule, content)
            events[event.id] = log.added(_shown(new, event, calendar))
        elif before.schedule != old_schedule or inherits_place:
            new = Revision(before.sequence + 1, before.created, when, schedule, content)
            events[event.id] = log.after_edit(before, _shown(new, event, calendar))
        elif before.content != old_content:
            new = Revision(before.sequence, before.created, when, schedule, content)
            events[event.id] = log.after_edit(before, _shown(new, event, calendar))
        elif was < 3 or (schedule, content) != (before.schedule, before.content):
            # the same event in a newer version: new digests and the values it shows now
            # (its fingerprints describe it), nothing else
            new = replace(before, schedule=schedule, content=content)
            events[event.id] = log.upgraded(new, log.shown(event, calendar)) if was < 3 else new
        else:
            events[event.id] = before
    for event_id, revision in old.items():
        if event_id not in events:
            at = removed.setdefault(event_id, when)
            history[event_id] = log.removed(revision, at)
    then.keep()
    prints.keep()
    fresh = Revisions(calendar.id, events, removed, history, header, VERSION)
    return stored if fresh == stored else fresh


def stale(
    calendar: Calendar, stored: Revisions | None, cache: RevisionCache | None = None
) -> list[str]:
    """Ids of events whose stored revision does not describe them (new or changed)."""
    old = stored.events if stored else {}
    prints = Fingerprints(calendar, stored.version if stored else VERSION, cache)
    out = []
    for event in calendar.events:
        rev = old.get(event.id)
        if rev is None or rev.content != prints.of(event)[1]:
            out.append(event.id)
    return out


def stale_problems(calendar: Calendar, stored: Revisions | None, name: str) -> list[Problem]:
    """Warnings for ``feeds validate``: events the revisions file ``name`` does not describe."""
    out = []
    for event_id in stale(calendar, stored):
        event = calendar.event(event_id)
        line = event.where.line if event and event.where else 1
        out.append(
            Problem(
                calendar.path,
                line,
                f"is new or changed since {name} was written",
                f"run 'feeds revise' and commit {name} with the definition",
                event_id,
                "warning",
            )
        )
    removed_now = set(stored.events if stored else {}) - {e.id for e in calendar.events}
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


def _shown(new: Revision, event, calendar: Calendar) -> Revision:
    return replace(new, shown=log.shown(event, calendar))
