"""Revision tracking: SEQUENCE, DTSTAMP and LAST-MODIFIED from recorded revisions.

Owns: the revisions files and what they mean (``state``: the data and its two
rules, SEQUENCE never falls and time only moves forward; ``fingerprints``: which
fields are material, by name and version; ``reconcile``: the pure step from a
calendar and its stored state to the new state; ``file``: reading a file or
saying exactly why not, and resolving conflicts; ``save``: writing it under a
lock; ``history``: each event's bounded change log). May import: ``feeds.errors``,
``feeds.timefmt``, ``feeds.model`` and the standard library; nothing that renders or serves.

Calendar clients decide whether an event they hold is outdated by its UID,
SEQUENCE and DTSTAMP. Those must not change on every render (caches would never
hit, and re-imported events would duplicate), yet SEQUENCE must rise when an
event's time, status or place changes. A definition alone cannot say *when* it
changed, so ``feeds`` keeps a small revisions file beside each definition,
``<calendar-id>.revisions.json``, committed with it:

.. code-block:: json

    {"version": 2,
     "calendar": "icml-2026",
     "events": {"workshop-day-1": {"sequence": 1, "created": "2026-11-26T15:00:00Z",
                                   "modified": "2026-11-27T09:30:00Z",
                                   "schedule": "5f0c...", "content": "a91e...",
                                   "shown": {"title": "...", "when": {...}, ...},
                                   "changes": [{"at": "...", "sequence": 1,
                                                "what": "edited", "was": {...}}]}},
     "removed": {"old-event": "2026-11-27T09:30:00Z"},
     "history": {"old-event": {"sequence": 2, ...}},
     "header": {"content": "c3d4...", "place": "9e1f...", "modified": "2026-11-27T09:30:00Z"}}

``removed`` says when an event left the definition (a feed's Last-Modified
must move then); ``history`` keeps its last revision, so an event that comes
back continues its SEQUENCE instead of restarting at 0 (clients would ignore
it as older). ``header`` fingerprints the calendar's own fields: an edit to its
name or description moves the feeds' Last-Modified (Apple revalidates by date
only), and a new default ``location`` raises SEQUENCE of the events using it.
``shown`` and ``changes`` are each event's change log (:mod:`~feeds.revisions.history`):
what subscribers were shown, and its last few changes with the values before them.

:func:`reconcile` is pure: given a calendar, the stored revisions and the time
"now", it returns the revisions that describe the calendar. An event is new
(sequence 0), unchanged (kept as is), edited (``modified`` moves to now) or
rescheduled (``modified`` moves and ``sequence`` rises by one); the time of a
change is strictly after every time the calendar recorded before. ``feeds revise``,
``feeds build`` and the server write the result; ``feeds validate`` only warns
when the file is stale. Rendering reads revisions and never the clock, so the
same definitions plus revisions give the same bytes everywhere. A file that
cannot be read is an error (:class:`RevisionsError`), never an empty state.

A long-lived reader (the server's Store) passes a :class:`RevisionCache` to
:func:`reconcile`, :func:`update`, :func:`read` and :func:`dumps`: it keeps the
fingerprints, the last file read and the last text written, so a reload after one
edit recomputes only what changed. Without one, every call works from scratch.
"""

from __future__ import annotations

from feeds.errors import Problem
from feeds.revisions.file import RevisionsError, conflict_line, parse, read, resolve
from feeds.revisions.file import parse_time as _time
from feeds.revisions.fingerprints import RevisionCache, header_prints, prints
from feeds.revisions.reconcile import reconcile, stale
from feeds.revisions.reconcile import stale_problems as _stale_problems
from feeds.revisions.save import as_json, behind, dumps, revisions_path, update, write
from feeds.revisions.state import (
    EPOCH,
    MAX_CHANGES,
    MAX_SEQUENCE,
    VERSION,
    Change,
    Header,
    Revision,
    Revisions,
    merge,
    next_time,
)

__all__ = [
    "EPOCH",
    "MAX_CHANGES",
    "MAX_SEQUENCE",
    "VERSION",
    "Change",
    "Header",
    "Revision",
    "RevisionCache",
    "Revisions",
    "RevisionsError",
    "_time",
    "as_json",
    "behind",
    "conflict_line",
    "content_fingerprint",
    "dumps",
    "header_fingerprints",
    "merge",
    "next_time",
    "parse",
    "prints",
    "read",
    "reconcile",
    "resolve",
    "revisions_path",
    "stale",
    "stale_problems",
    "update",
    "write",
]


def content_fingerprint(event) -> str:
    """The current version's content fingerprint of ``event``."""
    return prints(event, VERSION)[1]


def header_fingerprints(calendar) -> tuple[str, str]:
    """(everything the calendar says about itself, its default location), current version."""
    return header_prints(calendar, VERSION)


def stale_problems(calendar, stored: Revisions | None):
    """Warnings for ``feeds validate``: events the revisions file does not describe yet."""
    path = revisions_path(calendar)
    if stored is None:  # there is none (a damaged one is an error): one line, not one per event
        return [
            Problem(
                calendar.path,
                1,
                f"has no {path.name} yet: each build would date its events anew",
                f"run 'feeds revise' and commit {path.name} with the definition",
                severity="warning",
            )
        ]
    return _stale_problems(calendar, stored, path.name)
