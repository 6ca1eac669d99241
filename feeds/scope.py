"""Which events a feed holds: the one rule, used by the feeds, the selections and the pages.

A :class:`Scope` says which calendars (one, every one, those with a tag, the editions of a
series), which kind (or every kind) and, for the feeds with a horizon, from when: an event
is in it when its calendar, its kind and its time are. :mod:`feeds.site` builds each feed's
members with it and carries it in every ``FeedInfo``; :mod:`feeds.site.selection` narrows a
feed from it and :mod:`feeds.render.pages` shows a feed's agenda (and embed) from it.

Sits just above the model and the one expansion of events: imports only
:mod:`feeds.model` and :mod:`feeds.occurrences`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from feeds import occurrences
from feeds.model import Calendar, Event


@dataclass(frozen=True)
class Scope:
    """Events of ``calendar_id`` (None: of every calendar), of calendars tagged ``tag``, of the
    editions of ``series``; of ``kind`` (None: of any kind); ending at or after ``since``
    (None: whenever).

    ``since`` is a feed's horizon (:attr:`feeds.site.resources.Horizon.since`): an event is
    in when its last occurrence ends at or after it (a deadline: its instant is at or after
    it; an all-day event ends at the UTC midnight after its last day), so a repeating event
    with any occurrence inside the horizon is in, whole.
    """

    calendar_id: str | None = None
    kind: str | None = None
    tag: str | None = None
    series: str | None = None
    since: datetime | None = None

    @property
    def spans_calendars(self) -> bool:
        """Events of several calendars may be in it (merged, tag and series feeds), so an event
        is named ``calendar-id/event-id`` in it and its summary may need its calendar's name."""
        return self.calendar_id is None

    def includes(self, event: Event, calendar: Calendar) -> bool:
        """Whether ``event`` of ``calendar`` is in the feed."""
        return self.includes_calendar(calendar) and self.includes_event(event)

    def includes_calendar(self, calendar: Calendar) -> bool:
        """Whether events of ``calendar`` may be included: the others are skipped whole."""
        if self.calendar_id is not None and self.calendar_id != calendar.id:
            return False
        if self.tag is not None and self.tag not in calendar.tags:
            return False
        return self.series is None or self.series == calendar.series

    def includes_event(self, event: Event) -> bool:
        """Whether ``event`` is included, given its calendar is: its kind and its time."""
        return self.includes_kind(event.kind) and self.includes_time(event)

    def includes_kind(self, kind: str) -> bool:
        """Whether events of ``kind`` are included, given their calendar is."""
        return self.kind is None or self.kind == kind

    def includes_time(self, event: Event) -> bool:
        """Whether ``event`` is inside the horizon: its last occurrence ends at or after
        ``since`` (always, without a horizon)."""
        return self.since is None or ends_at(event) >= self.since


def ends_at(event: Event) -> datetime:
    """When ``event``'s last occurrence ends, in UTC (a deadline: its instant).

    Worked out once per event: every feed with a horizon asks it of every event at every
    assembly. An Event is immutable, so the answer is kept on it, in its ``__dict__`` beside
    its fields: equality, repr and fingerprints (feeds.revisions) do not see it.
    """
    try:
        return event.__dict__["_ends_at"]
    except KeyError:
        start, end = occurrences.last(event)
        found = event.__dict__["_ends_at"] = occurrences.instant(start if end is None else end)
        return found
