"""The :class:`Builder`: one parsed definition file into a :class:`~feeds.model.Calendar`.

It walks the calendar's keys, its sources and each event in file order, and
collects every problem (see :mod:`feeds.definitions.checks`) instead of
stopping at the first. Times come from :mod:`feeds.definitions.times`,
repeats from :mod:`feeds.definitions.repeats`. :mod:`feeds.definitions.incremental`
subclasses it to remember what each event gave.
"""

from __future__ import annotations

import difflib
from datetime import timedelta
from pathlib import Path

from feeds import tz
from feeds.definitions import yamlsource
from feeds.definitions.checks import MAX_DESCRIPTION, MAX_TAGS, URL_PATTERN, Context
from feeds.definitions.repeats import Repeats
from feeds.definitions.yamlsource import Located
from feeds.errors import Problem
from feeds.model import (
    CORE_KINDS,
    DEFAULT_TIMEZONE,
    STATUSES,
    Calendar,
    Deadline,
    Event,
    Link,
    Timed,
    Where,
    kind_slug,
    url_key,
)

CALENDAR_KEYS = (
    "id",
    "name",
    "description",
    "url",
    "timezone",
    "location",
    "sources",
    "tags",
    "series",
    "events",
)
EVENT_KEYS = (
    "id",
    "title",
    "kind",
    "tags",
    "location",
    "description",
    "url",
    "source",
    "status",
    "start",
    "end",
    "duration",
    "due",
    "timezone",
    "repeat",
    "busy",
)
#: Ids used in URLs next to calendar ids: the merged feeds (``/feeds/all.ics``) and the
#: folders of the cross-calendar feeds (``/feeds/tags/...``, ``/feeds/series/...``,
#: ``/feeds/history/...``), which a calendar's own ``/feeds/<id>/<kind>.ics`` would overlap.
RESERVED_CALENDAR_IDS = ("all", "deadlines", "tags", "series", "history")
MAX_EVENTS = 100_000


def check_with(
    builder: Builder, text: str | bytes
) -> tuple[Calendar | None, list[Problem], object]:
    """Parse and validate with ``builder``: ``(calendar or None, problems, the parsed data)``."""
    data, problems = yamlsource.read(text, builder.path)
    if data is None:
        return None, problems, None
    builder.problems.extend(problems)
    calendar = builder.calendar(data)
    found = sorted(builder.problems)
    if any(p.severity == "error" for p in found):
        return None, found, data
    return calendar, found, data


class Builder(Repeats):
    """Builds one file's calendar; ``problems`` holds all it found (one builder per parse)."""

    def calendar(self, data: object) -> Calendar | None:
        root_ctx = Context(data if isinstance(data, Located) else Located(), None)
        if not isinstance(data, Located):
            root_ctx.mapping.line, root_ctx.mapping.lines = 1, {}  # the document itself
            self.problem(
                root_ctx,
                None,
                "the file must be a mapping with the calendar's keys (name, events, ...)",
                "start with 'name: ...' and 'events:'",
            )
            return None
        self.unknown_keys(root_ctx, CALENDAR_KEYS, "calendar")
        default_id = Path(self.path).stem
        cal_id = self.slug(root_ctx, "id", data.get("id", default_id), "calendar id")
        if url_key(cal_id) in RESERVED_CALENDAR_IDS:
            self.problem(
                root_ctx,
                "id",
                f"calendar id '{cal_id}' is reserved for a merged feed of the site "
                f"(/feeds/{url_key(cal_id)}...)",
                "choose another id",
            )
        name = self.text(root_ctx, "name", required=True)
        zone = DEFAULT_TIMEZONE
        if "timezone" in data:
            zone = self.zone(root_ctx, "timezone", data["timezone"]) or DEFAULT_TIMEZONE
        sources = self.sources(root_ctx)
        tags = self.calendar_tags(root_ctx)
        series = self.series(root_ctx)
        events = self.events(root_ctx, cal_id, zone)
        return Calendar(
            id=cal_id,
            name=name,
            events=events,
            description=self.text(root_ctx, "description", limit=MAX_DESCRIPTION),
            url=self.url(root_ctx, "url"),
            timezone=zone,
            location=self.text(root_ctx, "location"),
            sources=sources,
            tags=tags,
            series=series,
            path=self.path,
        )

    def events(self, root_ctx: Context, cal_id: str, zone: str) -> tuple[Event, ...]:
        """The calendar's valid events, in file order; ids used twice are reported."""
        raw_events = root_ctx.mapping.get("events")
        if raw_events is None:
            self.problem(
                root_ctx, None, "'events' is missing", "add 'events:' with a list of events"
            )
            raw_events = []
        if not isinstance(raw_events, list):
            self.problem(
                root_ctx, "events", "'events' must be a list", "start each event with '- id: ...'"
            )
            raw_events = []
        if len(raw_events) > MAX_EVENTS:
            self.problem(
                root_ctx,
                "events",
                f"{len(raw_events):,} events is over the limit of {MAX_EVENTS:,} per calendar",
                "split the calendar into several files",
            )
            raw_events = []
        events: list[Event] = []
        first_line: dict[str, int] = {}
        first_id: dict[str, tuple[str, int]] = {}  # url_key -> (the id as written, its line)
        kinds: dict[str, tuple[str, int]] = {}  # kind_slug's url_key -> (kind, line)
        for index, raw in enumerate(raw_events, start=1):
            raw_id = raw.get("id") if isinstance(raw, Located) else None
            if isinstance(raw_id, str | int) and not isinstance(raw_id, bool):
                key = str(raw.as_written("id"))
                other = first_id.get(url_key(key))
                if key not in first_line and other is not None:
                    self.problem(
                        Context(raw, key),
                        "id",
                        f"id '{key}' differs from '{other[0]}' (line {other[1]}) only in case: "
                        "their files collide on case-insensitive disks",
                        "give the event an id that differs in more than case",
                    )
                    continue
                if key in first_line:
                    self.problem(
                        Context(raw, key),
                        "id",
                        f"duplicate id (also at line {first_line[key]})",
                        "give every event its own id; ids must never be reused, "
                        "they identify the event in subscribers' calendars",
                    )
                    continue
                first_line[key] = raw.line_of("id")
                first_id[url_key(key)] = (key, raw.line_of("id"))
            event = self.event(raw, index, cal_id, zone, root_ctx)
            if event is not None:
                self.check_kind_url(raw, event, kinds)
                events.append(event)
                self.warn_utc_series(raw, event, zone)
        return tuple(events)

    def check_kind_url(self, raw: Located, event: Event, kinds: dict) -> None:
        """Two kinds with one feed URL (``deadline``/``deadlines``) would share a feed."""
        slug = url_key(kind_slug(event.kind))
        line = raw.line_of("kind")
        first = kinds.setdefault(slug, (event.kind, line))
        if first[0] != event.kind:
            self.problem(
                Context(raw, event.id),
                "kind",
                f"kind '{event.kind}' has the same feed URL as kind '{first[0]}' (line "
                f"{first[1]}): /feeds/.../{kind_slug(event.kind)}.ics",
                f"use one spelling: kind: {first[0]}",
            )

    def sources(self, ctx: Context) -> tuple[Link, ...]:
        raw = ctx.mapping.get("sources")
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.problem(
                ctx,
                "sources",
                "'sources' must be a list",
                "write '- title: ...' / 'url: ...' items",
            )
            return ()
        out = []
        for item in raw:
            if isinstance(item, str) and URL_PATTERN.fullmatch(item):
                out.append(Link(item, item))
            elif isinstance(item, Located):
                sub = Context(item, None)
                self.unknown_keys(sub, ("title", "url"), "source")
                url = self.url(sub, "url")
                if not url:
                    self.problem(sub, None, "a source needs a 'url'", "add 'url: https://...'")
                    continue
                out.append(Link(self.text(sub, "title") or url, url))
            else:
                self.problem(
                    ctx,
                    "sources",
                    f"source {item!r} is not a URL",
                    "write a full https://... address",
                )
        return tuple(out)

    # events -----------------------------------------------------------------

    def event(
        self, raw: object, index: int, cal_id: str, cal_zone: str, parent: Context
    ) -> Event | None:
        if not isinstance(raw, Located):
            self.problem(
                parent,
                "events",
                f"event #{index} is not a mapping",
                "start each event with '- id: ...'",
            )
            return None
        raw_id = raw.get("id")
        label = (
            str(raw.as_written("id"))
            if isinstance(raw_id, str | int) and not isinstance(raw_id, bool)
            else f"#{index}"
        )
        ctx = Context(raw, label)
        before = len(self.problems)
        self.unknown_keys(ctx, EVENT_KEYS, "event")
        if raw_id is None:
            self.problem(
                ctx,
                None,
                "'id' is missing",
                "add a stable 'id: ...' (it identifies the event in subscribers' calendars)",
            )
            event_id = ""
        else:
            event_id = self.slug(ctx, "id", raw_id, "id")
        title = self.text(ctx, "title", required=True)
        status = self.status(ctx)
        tags = self.tags(ctx)
        zone = cal_zone
        if "timezone" in raw:
            zone = self.zone(ctx, "timezone", raw["timezone"]) or cal_zone
        when = self.when(ctx, zone)
        kind = self.kind(ctx, when)
        repeat = self.repeat(ctx, when)
        busy = self.busy(ctx)
        if len(self.problems) > before and any(
            p.severity == "error" for p in self.problems[before:]
        ):
            return None
        if not event_id or when is None:
            return None
        return Event(
            id=event_id,
            title=title,
            kind=kind,
            when=when,
            calendar_id=cal_id,
            status=status,
            tags=tags,
            location=self.text(ctx, "location"),
            description=self.text(ctx, "description", limit=MAX_DESCRIPTION),
            url=self.url(ctx, "url"),
            source=self.url(ctx, "source"),
            repeat=repeat,
            where=Where(self.path, raw.line),
            busy=busy,
        )

    def warn_utc_series(self, raw: Located, event: Event, calendar_zone: str) -> None:
        """A series written in UTC/AoE in a calendar whose zone has daylight saving.

        Some readers (recurring-ical-events, so Open Web Calendar; reportedly
        Google) expand UTC series in the feed's X-WR-TIMEZONE and put later
        occurrences an hour off after a clock change. Naming the zone avoids it.
        """
        when = event.when
        if event.repeat is None or not isinstance(when, Timed):
            return
        if not tz.is_utc_like(when.zone) or tz.is_utc_like(calendar_zone):
            return
        last = when.start_utc + timedelta(days=366)
        if len(tz.observances(calendar_zone, when.start_utc, last)) > 1:
            self.warn(
                Context(raw, event.id),
                "repeat",
                f"a repeating event in {when.zone} in a calendar in {calendar_zone}, which "
                "changes its clocks: some apps shift later occurrences by an hour",
                "give the event the zone its times are meant in (timezone: ...)",
            )

    def status(self, ctx: Context) -> str:
        raw = ctx.mapping.get("status", "confirmed")
        text = str(raw).strip().lower() if isinstance(raw, str) else ""
        if text == "canceled":
            text = "cancelled"
        if text not in STATUSES:
            self.problem(
                ctx,
                "status",
                f"status {raw!r} is not one of {', '.join(STATUSES)}",
                "use one of them",
            )
            return "confirmed"
        return text

    def tags(self, ctx: Context) -> tuple[str, ...]:
        raw = ctx.mapping.get("tags")
        if raw is None:
            return ()
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not all(isinstance(t, str) and t.strip() for t in raw):
            self.problem(
                ctx, "tags", "'tags' must be a list of words", "write tags: [oral, vision]"
            )
            return ()
        if len(raw) > MAX_TAGS:
            self.problem(
                ctx, "tags", f"{len(raw)} tags is over the limit of {MAX_TAGS}", "keep a few"
            )
            return ()
        tags = [self.clean(ctx, "tags", t.strip()) for t in raw]
        if not all(tags):
            return ()
        return tuple(dict.fromkeys(tags))

    def kind(self, ctx: Context, when) -> str:
        raw = ctx.mapping.get("kind")
        if raw is None:
            return "deadline" if isinstance(when, Deadline) else "event"
        kind = self.slug(ctx, "kind", raw, "kind").lower()
        if kind and kind not in CORE_KINDS:
            close = difflib.get_close_matches(kind, CORE_KINDS, n=1, cutoff=0.75)
            if close:
                self.warn(
                    ctx, "kind", f"kind '{kind}' is not a core kind", f"did you mean '{close[0]}'?"
                )
        return kind or "event"
