"""Each event's change log: what subscribers were shown, and what changed when.

A change log says in words what changed ("moved from 28 Jan to 30 Jan"), so it needs the
values from before each change, which fingerprints cannot give back. So each revision keeps
``shown``, the values a subscriber sees of the event at that revision (:data:`SHOWN`: title,
time, repeat rule, status and place, the place as served: its own or the calendar's), and a
bounded list of :class:`~feeds.revisions.state.Change` entries, oldest first, each with the
previous values of the shown fields it changed (``was``). The values after a change are the
next change's ``was`` for that field, else ``shown``: :func:`timeline` walks that chain.

What is logged: an event added, removed or restored, and an edit of a shown field (a new
time, status, place, title or repeat rule). An edit of anything else (description, url,
tags, kind) moves LAST-MODIFIED but is not a change people follow, so it is not logged.

A file from before version 3 has no shown values. Upgrading (:func:`upgraded`) takes them
from the definition for each event its fingerprints still describe (so they are exact),
logs an event "added" at its creation if it was never edited since (``created`` equals
``modified``, sequence 0), and a removed event "removed" at its removal; nothing else is
known, so nothing else is logged, and no SEQUENCE or time changes.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from feeds.model import Calendar, Event, location_of
from feeds.revisions.fingerprints import material
from feeds.revisions.state import MAX_CHANGES, Change, Revision

#: The fields a change log tells, as YAML keys (``location`` is the place as served).
SHOWN = ("title", "when", "repeat", "status", "location")
#: What a change is.
WHATS = ("added", "edited", "removed", "restored")

_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical(value: object) -> str:
    """The one text of a JSON value: sorted keys, no spaces (what ``shown`` and ``was`` hold)."""
    return _CANONICAL.encode(value)


def shown(event: Event, calendar: Calendar) -> str:
    """What a subscriber sees of ``event``, as canonical JSON."""
    fields = material(event)
    return canonical(
        {
            "title": event.title,
            "when": fields["when"],
            "repeat": fields["repeat"],
            "status": event.status,
            "location": location_of(event, calendar),
        }
    )


def values(text: str) -> dict | None:
    """The values a ``shown`` or ``was`` text holds; None if not known ("")."""
    return json.loads(text) if text else None


def logged(changes: tuple[Change, ...], entry: Change) -> tuple[Change, ...]:
    """``changes`` with ``entry`` last, bounded to :data:`MAX_CHANGES`."""
    return (*changes, entry)[-MAX_CHANGES:]


def after_edit(before: Revision, new: Revision, what: str = "edited") -> Revision:
    """``new`` (the revision after ``before``, with its ``shown``) with the change logged.

    An edit is logged if a shown field changed, or (its old values not known) if the
    SEQUENCE rose; ``what="restored"`` is always logged.
    """
    old, now = values(before.shown), values(new.shown)
    if old is None or now is None:
        if what == "edited" and new.sequence == before.sequence:
            return replace(new, changes=before.changes)  # nothing to tell, nothing known
        was = ""
    else:
        was_values = {key: old.get(key) for key in SHOWN if old.get(key) != now.get(key)}
        if not was_values and what == "edited":
            return replace(new, changes=before.changes)  # only fields the log does not tell
        was = canonical(was_values)  # "{}": known, and the same (a restore)
    entry = Change(new.modified, new.sequence, what, was)
    return replace(new, changes=logged(before.changes, entry))


def added(new: Revision) -> Revision:
    return replace(new, changes=(Change(new.modified, new.sequence, "added"),))


def removed(revision: Revision, at: datetime) -> Revision:
    """``revision`` as it leaves the definition at ``at``, its removal logged."""
    entry = Change(at, revision.sequence, "removed")
    return replace(revision, changes=logged(revision.changes, entry))


def upgraded(revision: Revision, shown_now: str) -> Revision:
    """A current event's revision from before version 3, its fingerprints unchanged:
    ``shown_now`` (from the definition) and what its times prove."""
    changes = revision.changes
    if not changes and revision.sequence == 0 and revision.created == revision.modified:
        changes = (Change(revision.created, 0, "added"),)
    return replace(revision, shown=shown_now, changes=changes)


def upgraded_removed(revision: Revision, at: datetime) -> Revision:
    """A removed event's last revision from before version 3: its removal at ``at``."""
    if revision.changes or revision.shown:
        return revision
    return removed(revision, at)


def timeline(revision: Revision) -> list[tuple[Change, dict | None, dict | None]]:
    """Each change of ``revision``'s log with the shown values before and after it (None
    where not known), newest first."""
    out = []
    after = values(revision.shown)
    for change in reversed(revision.changes):
        if change.what == "added":
            before = None
        elif change.what == "removed":
            before = after
        elif after is None or not change.was:
            before = None  # an edit whose previous values were not known
        else:
            before = {**after, **json.loads(change.was)}
        out.append((change, before, after))
        after = before
    return out
