"""The HTML pages, rendered once per data change like the feeds.

Templates live in ``feeds/templates`` (Jinja2 escapes every value); CSS and
JavaScript in ``feeds/static`` are served as site resources, so the pages load
nothing from another host and work as static files. Every page is a pure
function of the data: nothing here reads the clock. What depends on "now"
(which events are past, the viewer's own time zone) is done in the browser by
``static/local-times.js`` from the UTC instants written into the page; without
JavaScript the agenda is complete, in date order, in the calendar's zone.

Links between pages are relative (``../../static/site.css``), so an export
works under any host and folder; absolute URLs (feeds, webcal, QR codes,
embed snippets) come only from ``settings.public_url``.

URLs::

    /                                   index: calendars and the merged feeds
    /calendars/<calendar>/              agenda, subscribe box, per-event links, picker
    /calendars/<calendar>/<kinds>/      the same for one kind (the kind filter)
    /embed/<feed-id>/                   compact agenda that other sites may frame
    /examples/widget/                   the cross-origin widget, demonstrated
    /qr/<feed-id>.svg                   QR code of the feed URL
    /static/...                         CSS and JavaScript
    /subscribe/?feed=..&ids=..          "your feed" (the one page rendered per request)
"""

from __future__ import annotations

import hashlib
import io
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from importlib import resources as package_files

import segno
from jinja2 import Environment, PackageLoader, select_autoescape

from . import ics, links, timezones
from .config import Settings
from .model import AllDay, Calendar, Deadline, Event, Repeat, Timed, kind_slug

EMBED_PREFIX = "/embed/"
HTML_TYPE = "text/html; charset=utf-8"
STATIC_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
SVG_TYPE = "image/svg+xml"
#: Reminder choices offered by the picker (any ``?alarm=`` value works in URLs).
REMINDER_CHOICES = (("1w", "1 week"), ("1d", "1 day"), ("1h", "1 hour"), ("15m", "15 minutes"))
#: A repeating event shows at most this many occurrences in the agenda.
MAX_OCCURRENCES_SHOWN = 60

_env = Environment(
    loader=PackageLoader("feeds", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


# -- assets ----------------------------------------------------------------------


@lru_cache(maxsize=1)
def static_files() -> dict[str, bytes]:
    """``feeds/static`` by file name."""
    folder = package_files.files("feeds") / "static"
    return {
        entry.name: entry.read_bytes()
        for entry in folder.iterdir()
        if entry.is_file() and posixpath.splitext(entry.name)[1] in STATIC_TYPES
    }


def static_path(name: str) -> str:
    """``/static/site.css?v=1a2b3c4d``: the version busts caches when the file changes."""
    body = static_files()[name]
    return f"/static/{name}?v={hashlib.sha256(body).hexdigest()[:10]}"


def qr_path(feed_id: str) -> str:
    return f"/qr/{feed_id}.svg"


@lru_cache(maxsize=512)
def qr_svg(url: str) -> bytes:
    """A QR code of ``url`` as a standalone SVG (deterministic for a given URL)."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        scale=4,
        border=4,
        dark="#000",
        light="#fff",
        xmldecl=True,
        title=url,
        svgclass=None,
        lineclass=None,
    )
    return out.getvalue()


def qr_data_uri(url: str) -> str:
    """The QR code as a ``data:`` URI, for the per-request "your feed" page."""
    return segno.make(url, error="m", micro=False).svg_data_uri(
        scale=4, border=4, dark="#000", light="#fff", svgclass=None, lineclass=None
    )


def assets(feeds: Sequence, settings: Settings) -> dict[str, tuple[bytes, str]]:
    """Non-HTML resources of the pages: static files and one QR code per feed."""
    out: dict[str, tuple[bytes, str]] = {}
    for name, body in static_files().items():
        out[f"/static/{name}"] = (body, STATIC_TYPES[posixpath.splitext(name)[1]])
    for feed in feeds:
        out[qr_path(feed.id)] = (qr_svg(settings.public_url + feed.path), SVG_TYPE)
    return out


def relative(from_page: str, to: str) -> str:
    """A link from the page at URL path ``from_page`` to ``to``, relative so exports can move."""
    target, _, extra = to.partition("?")
    target, _, fragment = target.partition("#")
    base = from_page if from_page.endswith("/") else posixpath.dirname(from_page) + "/"
    rel = posixpath.relpath(target, base.rstrip("/") or "/")
    if target.endswith("/") and not rel.endswith("/"):
        rel += "/"
    if rel == "./" or rel == ".":
        rel = "./"
    return rel + (f"?{extra}" if extra else "") + (f"#{fragment}" if fragment else "")


# -- what the templates show -------------------------------------------------------------


@dataclass(frozen=True)
class EventView:
    """An event as the pages show it, with every link that acts on it."""

    event: Event
    calendar: Calendar
    anchor: str
    page: str  # URL path of the calendar page holding its anchor
    ics_path: str
    links: links.EventLinks
    location: str
    details: str
    repeat_text: str
    kind_label: str


@dataclass(frozen=True)
class Row:
    """One occurrence in the agenda."""

    view: EventView
    first: bool  # the first occurrence carries the anchor, checkbox and links
    number: int  # 1-based occurrence number
    total: int
    day: date
    all_day: bool
    start_utc: datetime
    end_utc: datetime
    time_text: str  # in the display zone
    time_iso: str  # for <time datetime>
    zone_abbr: str
    original: str  # the time as written, when in another zone ("28 Jan 23:59 AoE")
    viewer: bool  # timed or deadline: the browser adds the viewer's local time

    @property
    def is_deadline(self) -> bool:
        return isinstance(self.view.event.when, Deadline)

    @property
    def start_z(self) -> str:
        return _z(self.start_utc)

    @property
    def end_z(self) -> str:
        return _z(self.end_utc)


@dataclass
class Day:
    day: date
    rows: list[Row] = field(default_factory=list)

    @property
    def end_z(self) -> str:
        return _z(max(r.end_utc for r in self.rows))

    @property
    def heading(self) -> str:
        return long_date(self.day)

    @property
    def iso(self) -> str:
        return self.day.isoformat()


def long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def short_date(day: date | datetime) -> str:
    return f"{day.day} {day:%b %Y}"


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _offset_iso(wall: datetime, instant: datetime) -> str:
    offset = wall - instant.astimezone(UTC).replace(tzinfo=None)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{wall:%Y-%m-%dT%H:%M}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _midnight_utc(day: date, zone: str) -> datetime:
    """The instant a day starts in ``zone`` (an hour later where midnight does not exist)."""
    try:
        return timezones.to_utc(datetime.combine(day, time()), zone)
    except timezones.WallTimeError:
        return timezones.to_utc(datetime.combine(day, time(1)), zone)


def repeat_words(rule: Repeat, first: date) -> str:
    """``Repeats daily, 2 times``; ``Repeats every 2 weeks on Mon, Wed until 1 Aug 2026``."""
    unit = "day" if rule.freq == "daily" else "week"
    text = (
        f"every {rule.interval} {unit}s"
        if rule.interval != 1
        else ("daily" if unit == "day" else "weekly")
    )
    if rule.weekdays:
        names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
        text += " on " + ", ".join(names[d] for d in rule.weekdays)
    if rule.count is not None:
        text += f", {rule.count} times" if rule.count != 1 else ", once"
    elif rule.until is not None:
        text += f" until {short_date(rule.until)}"
    if rule.exceptions:
        text += " (except " + ", ".join(short_date(d) for d in rule.exceptions) + ")"
    return "Repeats " + text


def kind_label(kind: str) -> str:
    return kind.replace("-", " ").replace("_", " ").capitalize()


def calendar_page(calendar_id: str) -> str:
    return f"/calendars/{calendar_id}/"


def kind_page(calendar_id: str, kind: str) -> str:
    return f"/calendars/{calendar_id}/{kind_slug(kind)}/"


def embed_page(feed_id: str) -> str:
    return f"{EMBED_PREFIX}{feed_id}/"


def event_view(event: Event, calendar: Calendar, settings: Settings) -> EventView:
    anchor = f"e-{event.id}"
    page = calendar_page(calendar.id)
    span = links.first_span(event)
    location = event.location or ("" if isinstance(event.when, Deadline) else calendar.location)
    details = ics.describe(event, calendar)
    repeat_text = repeat_words(event.repeat, event.first_day) if event.repeat else ""
    if repeat_text:
        details = (
            f"{details}\n\n{repeat_text}: this is the first; the .ics file has them all.".strip()
        )
    details = f"{details}\n\n{settings.public_url}{page}#{anchor}".strip()
    return EventView(
        event=event,
        calendar=calendar,
        anchor=anchor,
        page=page,
        ics_path=f"/events/{calendar.id}/{event.id}.ics",
        links=links.event_links(event.title, span, details, location),
        location=location,
        details=ics.describe(event, calendar),
        repeat_text=repeat_text,
        kind_label=kind_label(event.kind),
    )


def rows_of(view: EventView, zone: str) -> list[Row]:
    """The agenda rows of one event: one per occurrence, times in ``zone``."""
    event = view.event
    when = event.when
    shifts = [timedelta(0)]
    if event.repeat is not None:
        days = event.repeat.occurrences(event.first_day)
        shifts = [d - event.first_day for d in days] or [timedelta(0)]
    total = len(shifts)
    rows = []
    for number, shift in enumerate(shifts[:MAX_OCCURRENCES_SHOWN], start=1):
        common = dict(view=view, first=number == 1, number=number, total=total)
        if isinstance(when, AllDay):
            first, end = when.first + shift, when.end_exclusive + shift
            days = (end - first).days
            text = (
                "All day"
                if days == 1
                else f"{short_date(first)} to {short_date(end - timedelta(days=1))} ({days} days)"
            )
            rows.append(
                Row(
                    **common,
                    day=first,
                    all_day=True,
                    start_utc=_midnight_utc(first, zone),
                    end_utc=_midnight_utc(end, zone),
                    time_text=text,
                    time_iso=first.isoformat(),
                    zone_abbr="",
                    original="",
                    viewer=False,
                )
            )
            continue
        if isinstance(when, Deadline):
            start_utc = end_utc = when.at_utc
            wall_start = when.at
            wall_end = when.at
        else:
            assert isinstance(when, Timed)
            wall_start, wall_end = when.start + shift, when.end + shift
            if shift:
                start_utc = timezones.to_utc(wall_start, when.zone)
                end_utc = timezones.to_utc(wall_end, when.zone)
            else:
                start_utc, end_utc = when.start_utc, when.end_utc
        here_start = timezones.to_wall(start_utc, zone)
        here_end = timezones.to_wall(end_utc, zone)
        abbr = timezones.abbreviation(start_utc, zone)
        if isinstance(when, Deadline):
            text = f"Due {here_start:%H:%M}"
        elif here_end.date() == here_start.date():
            text = f"{here_start:%H:%M}–{here_end:%H:%M}"
        else:
            text = f"{here_start:%H:%M} to {short_date(here_end)} {here_end:%H:%M}"
        original = ""
        own_zone = when.zone
        if own_zone != zone:
            own_abbr = timezones.abbreviation(start_utc, own_zone)
            label = (
                own_abbr
                if own_abbr.startswith("UTC")
                else f"{own_abbr}, {timezones.offset_label(start_utc, own_zone)}"
            )
            if isinstance(when, Deadline):
                original = f"{short_date(wall_start)} {wall_start:%H:%M} {label}"
            elif wall_end.date() == wall_start.date():
                original = f"{short_date(wall_start)} {wall_start:%H:%M}–{wall_end:%H:%M} {label}"
            else:
                original = (
                    f"{short_date(wall_start)} {wall_start:%H:%M} to "
                    f"{short_date(wall_end)} {wall_end:%H:%M} {label}"
                )
            if own_zone == timezones.AOE:
                original += " (Anywhere on Earth)"
        rows.append(
            Row(
                **common,
                day=here_start.date(),
                all_day=False,
                start_utc=start_utc,
                end_utc=end_utc,
                time_text=text,
                time_iso=_offset_iso(here_start, start_utc),
                zone_abbr=abbr,
                original=original,
                viewer=True,
            )
        )
    return rows


def agenda(views: Sequence[EventView], zone: str) -> list[Day]:
    """Rows grouped by day in ``zone``, days in order, all-day rows first within a day."""
    days: dict[date, Day] = {}
    for view in views:
        for row in rows_of(view, zone):
            days.setdefault(row.day, Day(row.day)).rows.append(row)
    for day in days.values():
        day.rows.sort(
            key=lambda r: (
                not r.all_day,
                r.start_utc,
                r.end_utc,
                r.view.event.title,
                r.view.event.id,
            )
        )
    return [days[d] for d in sorted(days)]


def zone_name(zone: str) -> str:
    """``Seoul time (Asia/Seoul)`` for a heading."""
    if zone == timezones.UTC_NAME:
        return "UTC"
    if zone == timezones.AOE:
        return "Anywhere on Earth (UTC-12)"
    city = zone.rsplit("/", 1)[-1].replace("_", " ")
    return f"{city} time ({zone})"


@dataclass(frozen=True)
class SubscribeBox:
    """Everything the subscribe box shows for one feed URL."""

    key: str  # unique within a page, for element ids
    name: str
    event_count: int
    links: links.SubscribeLinks
    qr_src: str
    refresh_words: str
    download: str  # link (relative) to the feed itself
    embed_url: str = ""
    embed_snippet: str = ""
    note: str = ""  # e.g. what the selection is


def refresh_words(refresh: timedelta) -> str:
    hours, rest = divmod(int(refresh.total_seconds()), 3600)
    if rest == 0 and hours % 24 == 0:
        days = hours // 24
        return f"{days} day{'s' if days != 1 else ''}"
    if rest == 0:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{int(refresh.total_seconds() // 60)} minutes"


def embed_snippet(url: str, title: str) -> str:
    return (
        f'<iframe src="{url}" title="{_attr(title)}" width="100%" height="480" '
        f'style="border:0" loading="lazy"></iframe>'
    )


def _attr(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def subscribe_box(
    feed,
    settings: Settings,
    page: str,
    *,
    url: str | None = None,
    qr_src: str | None = None,
    event_count: int | None = None,
    name: str | None = None,
    note: str = "",
    embed: bool = True,
) -> SubscribeBox:
    url = url or settings.public_url + feed.path
    name = name or feed.name
    embed_url = settings.public_url + embed_page(feed.id) if embed else ""
    return SubscribeBox(
        key=feed.id.replace("/", "--"),
        name=name,
        event_count=feed.event_count if event_count is None else event_count,
        links=links.subscribe_links(url, name),
        qr_src=qr_src or relative(page, qr_path(feed.id)),
        refresh_words=refresh_words(settings.refresh),
        download=relative(page, feed.path) if url == settings.public_url + feed.path else url,
        embed_url=embed_url,
        embed_snippet=embed_snippet(embed_url, f"{name} calendar") if embed else "",
        note=note,
    )


# -- rendering ----------------------------------------------------------------------------


class _Renderer:
    def __init__(self, builds: Sequence, feeds: Sequence, settings: Settings):
        self.builds = builds
        self.feeds = feeds
        self.settings = settings
        self._views: dict[str, list[EventView]] = {}

    def views(self, build) -> list[EventView]:
        cal = build.calendar
        if cal.id not in self._views:
            self._views[cal.id] = [event_view(r.event, cal, self.settings) for r in build.events]
        return self._views[cal.id]

    def page(self, template: str, path: str, **context) -> str:
        def url(to: str) -> str:
            return relative(path, to)

        def static(name: str) -> str:
            return relative(path, static_path(name))

        return _env.get_template(template).render(
            site_name=self.settings.site_name,
            public_url=self.settings.public_url,
            path=path,
            url=url,
            static=static,
            **context,
        )

    def all(self) -> dict[str, str]:
        out = {"/": self.index()}
        for build in self.builds:
            out.update(self.calendar(build))
        for feed in self.feeds:
            out[embed_page(feed.id)] = self.embed(feed)
        out["/examples/widget/"] = self.widget_example()
        return out

    def index(self) -> str:
        cards = []
        for build in self.builds:
            cal = build.calendar
            days = [d.day for d in agenda(self.views(build), cal.timezone)]  # in its zone
            kinds = {}
            for e in cal.events:
                kinds[e.kind] = kinds.get(e.kind, 0) + 1
            cards.append(
                {
                    "calendar": cal,
                    "page": calendar_page(cal.id),
                    "first": min(days) if days else None,
                    "last": max(days) if days else None,
                    "kinds": [
                        (kind_label(k), n, kind_page(cal.id, k)) for k, n in sorted(kinds.items())
                    ],
                    "count": len(cal.events),
                    "feed": next(
                        f for f in self.feeds if f.calendar_id == cal.id and f.kind is None
                    ),
                }
            )
        merged = [f for f in self.feeds if f.calendar_id is None]
        boxes = [subscribe_box(f, self.settings, "/") for f in merged]
        return self.page("index.html", "/", cards=cards, boxes=boxes, short_date=short_date)

    def calendar(self, build) -> dict[str, str]:
        cal: Calendar = build.calendar
        views = self.views(build)
        feeds = [f for f in self.feeds if f.calendar_id == cal.id]
        main_feed = next(f for f in feeds if f.kind is None)
        kinds = sorted({v.event.kind for v in views})
        filters = [("All", len(views), calendar_page(cal.id), None)] + [
            (kind_label(k), sum(1 for v in views if v.event.kind == k), kind_page(cal.id, k), k)
            for k in kinds
        ]
        out = {}
        for kind in [None, *kinds]:
            feed = main_feed if kind is None else next(f for f in feeds if f.kind == kind)
            path = calendar_page(cal.id) if kind is None else kind_page(cal.id, kind)
            shown = [v for v in views if kind in (None, v.event.kind)]
            out[path] = self.page(
                "calendar.html",
                path,
                calendar=cal,
                feed=feed,
                kind=kind,
                kind_label=kind_label(kind) if kind else "",
                filters=filters,
                days=agenda(shown, cal.timezone),
                zone=cal.timezone,
                zone_name=zone_name(cal.timezone),
                box=subscribe_box(feed, self.settings, path),
                reminders=REMINDER_CHOICES,
                short_date=short_date,
            )
        return out

    def feed_views(self, feed) -> list[EventView]:
        return [
            v
            for b in self.builds
            if feed.calendar_id in (None, b.calendar.id)
            for v in self.views(b)
            if feed.kind in (None, v.event.kind)
        ]

    def embed(self, feed) -> str:
        path = embed_page(feed.id)
        zone = (
            feed.header.timezone
            if feed.header is not None and feed.header.timezone
            else timezones.UTC_NAME
        )
        if feed.calendar_id is None:
            full = "/"
        elif feed.kind is None:
            full = calendar_page(feed.calendar_id)
        else:
            full = kind_page(feed.calendar_id, feed.kind)
        return self.page(
            "embed.html",
            path,
            feed=feed,
            days=agenda(self.feed_views(feed), zone),
            zone=zone,
            zone_name=zone_name(zone),
            full_page=self.settings.public_url + full,
            feed_url=self.settings.public_url + feed.path,
        )

    def widget_example(self) -> str:
        path = "/examples/widget/"
        feed = next((f for f in self.feeds if f.id == "all"), None)
        return self.page(
            "widget.html",
            path,
            feeds_json=self.settings.public_url + "/feeds.json",
            feed=feed,
            widget_src=self.settings.public_url + static_path("widget.js"),
        )

    def your_feed(self, feed, selection, settings: Settings) -> str:
        """The "your feed" page for a selection (rendered per request by the web app)."""
        path = "/subscribe/"
        query = selection.query()
        url = settings.public_url + feed.path + (f"?{query}" if query else "")
        chosen = [
            v for v in self.feed_views(feed) if selection.matches(v.event, feed.calendar_id is None)
        ]
        name = selection.name(feed.name)
        back = calendar_page(feed.calendar_id) if feed.calendar_id else "/"
        if feed.calendar_id and feed.kind:
            back = kind_page(feed.calendar_id, feed.kind)
        zone = (
            feed.header.timezone
            if feed.header is not None and feed.header.timezone
            else timezones.UTC_NAME
        )
        box = subscribe_box(
            feed,
            settings,
            path,
            url=url,
            qr_src=qr_data_uri(url),
            event_count=len(chosen),
            name=name,
            note=selection.summary(),
            embed=not selection,
        )
        return self.page(
            "subscribe.html",
            path,
            feed=feed,
            name=name,
            summary=selection.summary(),
            days=agenda(chosen, zone),
            zone=zone,
            zone_name=zone_name(zone),
            box=box,
            back=back,
        )


def render_all(builds: Sequence, feeds: Sequence, settings: Settings) -> dict[str, str]:
    """Every page of the site by URL path."""
    return _Renderer(builds, feeds, settings).all()


def render_your_feed(builds: Sequence, feeds: Sequence, feed, selection, settings: Settings) -> str:
    """The per-request "your feed" page: ``feed`` narrowed by ``selection``, to subscribe to."""
    return _Renderer(builds, feeds, settings).your_feed(feed, selection, settings)
