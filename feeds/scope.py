"""Which events a feed holds: the one rule, used by the feeds, the selections and the pages.

A :class:`Scope` is a calendar (or every calendar) and a kind (or every kind).
:mod:`feeds.site` builds each feed's members with it and carries it in every
``FeedInfo``; :mod:`feeds.site.selection` narrows a feed from it and
:mod:`feeds.render.pages` shows a feed's agenda from it. Sits with the model:
imports only :mod:`feeds.model`.
"""

from __future__ import annotations

from dataclasses import dataclass

from feeds.model import Event


@dataclass(frozen=True)
class Scope:
    """The events of ``calendar_id`` (None: of every calendar) of ``kind`` (None: of any kind)."""

    calendar_id: str | None = None
    kind: str | None = None

    @property
    def merged(self) -> bool:
        """Spans calendars, so an event is named ``calendar-id/event-id`` in it."""
        return self.calendar_id is None

    def includes(self, event: Event) -> bool:
        return self.includes_calendar(event.calendar_id) and self.includes_kind(event.kind)

    def includes_calendar(self, calendar_id: str) -> bool:
        """Whether events of ``calendar_id`` may be included: the others are skipped whole."""
        return self.calendar_id is None or self.calendar_id == calendar_id

    def includes_kind(self, kind: str) -> bool:
        """Whether events of ``kind`` are included, given their calendar is."""
        return self.kind is None or self.kind == kind
