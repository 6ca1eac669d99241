"""Reminder events: an all-day "... in 7 days" event before each deadline, for Google.

Google (and Home Assistant) ignore VALARM in subscribed calendars (CLIENTS-2026.md), so a
subscriber there is never reminded of a deadline; a separate all-day event a few days ahead
is the only signal that reaches them. ``?remind=7d,1d`` (:mod:`feeds.site.selection`) adds,
for every event of kind ``deadline`` in a feed, one such event per number of days.

**The day.** A reminder ``N`` days ahead sits on the date ``N`` days before the deadline's
own date *in the zone the deadline is stated in*: "28 Jan AoE" gives 21 January for 7 days,
whoever looks. An all-day event is a date, the same date in every viewer's calendar, so the
day has to be decided without the viewer; the stated zone's date is the one the organisers
print. For AoE deadlines (nearly all of them) it is also the earliest date the deadline has
anywhere on Earth, so the reminder is never late for anyone: in Seoul 28 Jan 23:59 AoE is
29 Jan 20:59, and the 7-day reminder on 21 January is 8 local days ahead. A deadline stated
in a zone further east (Seoul, say) can reach a viewer west of it on the previous local date,
so for them the reminder comes one day late; the reminder's text gives the exact time in
AoE, UTC and the calendar's zone, as the deadline's does. A timed or all-day event of kind
``deadline`` counts from its first day in its own zone; a repeating one gets a reminder
before each occurrence.

**Identity.** A reminder's UID is its deadline's with ``/remind-<N>d`` before the ``@``
(``icml-2026/full-paper-deadline/remind-7d@feeds.example.org``; a repeating deadline's also
names the occurrence's date), which no event's UID can be (ids have no ``/``); its
SEQUENCE, DTSTAMP, CREATED and LAST-MODIFIED are the deadline's, so it moves when the
deadline does. It is free time (``TRANSP:TRANSPARENT``), carries no VALARM, and a cancelled
deadline has none: the reminder of a called-off deadline would be a wrong signal. A reminder
is in a feed exactly when its deadline is: whatever leaves a deadline out of a feed (a
selection, a horizon) leaves its reminders out too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from feeds import occurrences
from feeds.model import Calendar, Deadline, Event
from feeds.render import ics
from feeds.timefmt import basic_date, basic_utc

#: The kind that gets reminders: the deadlines feeds' kind.
KIND = "deadline"
#: Reminders are whole days ahead, at most a year.
MAX_DAYS = 365
_DAYS = re.compile(r"([0-9]{1,3})d")


#: The reminder days published as files of their own, per deadlines feed (a small fixed set).
VARIANTS: tuple[tuple[int, ...], ...] = ((7,), (1,), (7, 1))


def has_variants(feed) -> bool:
    """Whether ``feed`` (a FeedInfo) is published with reminder variants: a deadlines feed
    to subscribe to, not a history (an archive)."""
    return feed.scope.kind == KIND and not getattr(feed, "archive", False)


def parse_days(values: Iterable[str], most: int) -> tuple[int, ...]:
    """``["7d", "1d"]`` as days ahead, longest first, de-duplicated; ValueError saying what
    to write for anything but 1 to :data:`MAX_DAYS` days, or for more than ``most`` values."""
    out = set()
    for value in values:
        match = _DAYS.fullmatch(value.strip().lower())
        days = int(match[1]) if match else 0
        if not 1 <= days <= MAX_DAYS:
            shown = value if len(value) <= 60 else value[:60] + "..."
            raise ValueError(
                f"unknown remind '{shown}': give whole days before each deadline, "
                f"like remind=7d,1d (1d to {MAX_DAYS}d)"
            )
        out.add(days)
    if len(out) > most:
        raise ValueError(f"at most {most} reminder days, not {len(out)}")
    return tuple(sorted(out, reverse=True))


def wants_reminders(event: Event) -> bool:
    """Whether ``event`` gets reminder events: a deadline that is not called off."""
    return event.kind == KIND and event.status != "cancelled"


def reminder_days(event: Event, days: int) -> list[date]:
    """The date of each reminder ``days`` ahead: one per occurrence, in the event's own zone."""
    return [day - timedelta(days=days) for day in occurrences.days(event)]


def days_words(days: int) -> str:
    return f"{days} day" if days == 1 else f"{days} days"


def reminders(
    rendered: ics.RenderedEvent,
    calendar: Calendar,
    days: Sequence[int],
    uid_domain: str,
    merged: bool,
) -> list[ics.RenderedEvent]:
    """The reminder events of ``rendered`` for each number of ``days``; none when it gets none.

    ``merged``: for a feed spanning calendars, whose titles name the calendar
    (:func:`feeds.render.ics.summary_prefix`), as the deadline's own SUMMARY there does.
    """
    event = rendered.event
    if not wants_reminders(event):
        return []
    title = (ics.summary_prefix(event.title, calendar) if merged else "") + event.title
    local, _, domain = ics.uid(event, uid_domain).rpartition("@")
    repeats = event.repeat is not None
    out = []
    for n in days:
        for due_day, day in zip(occurrences.days(event), reminder_days(event, n), strict=True):
            occurrence = f"/{basic_date(due_day)}" if repeats else ""
            uid = f"{local}{occurrence}/remind-{n}d@{domain}"
            body = _vevent(rendered, calendar, title, n, day, uid)
            start = datetime.combine(day, datetime.min.time(), UTC)
            out.append(
                replace(
                    rendered,
                    body=body,
                    merged_body=b"",
                    sort_key=(start, event.calendar_id, f"{event.id}{occurrence}/remind-{n}d"),
                    zone_span=None,
                )
            )
    return out


class Kept:
    """Reminder events kept between a site's assemblies: an event's while it is the same
    object in the same calendar (unchanged events are, see ``feeds.site.render_calendar``).

    Each assembly reads what the last one used (``old``) and keeps what it uses (``new``);
    :meth:`turn` then forgets the rest. The merged deadlines feed's variants otherwise make
    every deadline's reminders again at each edit (seconds at thousands of calendars).
    """

    def __init__(self):
        self.old: dict = {}
        self.new: dict = {}

    def reminders(self, rendered, calendar, days, uid_domain, merged) -> list[ics.RenderedEvent]:
        """:func:`reminders`, kept."""
        key = (id(rendered), id(calendar), tuple(days), uid_domain, merged)
        hit = self.new.get(key) or self.old.get(key)
        if hit is None or hit[0] is not rendered or hit[1] is not calendar:
            hit = (rendered, calendar, reminders(rendered, calendar, days, uid_domain, merged))
        self.new[key] = hit
        return hit[2]

    def turn(self) -> None:
        self.old, self.new = self.new, {}


def _vevent(
    rendered: ics.RenderedEvent, calendar: Calendar, title: str, n: int, day: date, uid: str
) -> bytes:
    """The reminder's VEVENT, its lines in the order :func:`feeds.render.ics.event_bytes` uses."""
    event, revision = rendered.event, rendered.revision
    modified = basic_utc(revision.modified)
    summary = f"{title} in {days_words(n)}"
    text = [f"Reminder: {title} is due in {days_words(n)}."]
    if event.status == "tentative":
        text.append("Tentative: the time may still change.")
    if isinstance(event.when, Deadline):
        text.append(ics.deadline_text(event.when, calendar.timezone))
    url = event.url or calendar.url
    if url:
        text.append(f"More: {url}")
    lines = [
        "BEGIN:VEVENT",
        f"SUMMARY:{ics._text(summary)}",
        f"DTSTART;VALUE=DATE:{basic_date(day)}",
        f"DTEND;VALUE=DATE:{basic_date(day + timedelta(days=1))}",
        f"DTSTAMP:{modified}",
        f"UID:{ics._text(uid)}",
        f"SEQUENCE:{int(revision.sequence)}",
        "CATEGORIES:reminder",
        f"CREATED:{basic_utc(revision.created)}",
        f"DESCRIPTION:{ics._text(_join(text))}",
        f"LAST-MODIFIED:{modified}",
        f"STATUS:{event.status.upper()}",
        ics.busy_lines(False)[0],
    ]
    if url:
        lines.append(f"URL;VALUE=URI:{url}")
    lines += [*ics.busy_lines(False)[1:], "END:VEVENT"]
    return b"\r\n".join(map(ics._fold, lines)) + b"\r\n"


def _join(parts: list[str]) -> str:
    return "\n\n".join(parts)
