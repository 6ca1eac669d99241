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
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from importlib import resources as package_files

import segno
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from feeds.render import ics
from feeds.render import links
from feeds import tz
from feeds.config import Settings
from feeds.model import AllDay, Calendar, Deadline, Event, Repeat, Timed, kind_slug

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
        return tz.to_utc(datetime.combine(day, time()), zone)
    except tz.WallTimeError:
        return tz.to_utc(datetime.combine(day, time(1)), zone)


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
                start_utc = tz.to_utc(wall_start, when.zone)
                end_utc = tz.to_utc(wall_end, when.zone)
            else:
                start_utc, end_utc = when.start_utc, when.end_utc
        here_start = tz.to_wall(start_utc, zone)
        here_end = tz.to_wall(end_utc, zone)
        abbr = tz.abbreviation(start_utc, zone)
        if isinstance(when, Deadline):
            text = f"Due {here_start:%H:%M}"
        elif here_end.date() == here_start.date():
            text = f"{here_start:%H:%M}–{here_end:%H:%M}"
        else:
            text = f"{here_start:%H:%M} to {short_date(here_end)} {here_end:%H:%M}"
        original = ""
        own_zone = when.zone
        if own_zone != zone:
            own_abbr = tz.abbreviation(start_utc, own_zone)
            label = (
                own_abbr
                if own_abbr.startswith("UTC")
                else f"{own_abbr}, {tz.offset_label(start_utc, own_zone)}"
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
            if own_zone == tz.AOE:
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
    if zone == tz.UTC_NAME:
        return "UTC"
    if zone == tz.AOE:
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

#: A link inside a cached agenda row: ``\x00<n>\x01`` stands for ``url(targets[n])``, worked
#: out per page (the calendar page and its kind pages link the same targets from other folders).
_LINK = re.compile("\x00(\\d+)\x01")


class _Cache:
    """What :func:`render_all` keeps between renders, so an edit re-renders what it touched.

    Every entry is keyed by the identity of an immutable input (an :class:`Event`, an
    :class:`EventView`, a :class:`Row`, a calendar's build) and holds that object, so the
    identity cannot be reused while the entry lives; the other inputs are checked by value.
    Each render makes a new generation holding only what it used (unchanged events are the
    same objects across reloads, see ``feeds.incremental`` and ``site.render_calendar``).
    """

    def __init__(self):
        self.views: dict = {}  # id(Event) -> (Event, context, EventView)
        self.rows: dict = {}  # (id(EventView), zone) -> (EventView, [Row])
        self.calendar_rows: dict = {}  # (id(Row), zone) -> (Row, parts): text, target, text...
        self.embed_rows: dict = {}  # (id(Row), zone, public_url) -> (Row, Markup)
        self.calendars: dict = {}  # id(build) -> (build, settings, feeds, {path: html})
        self.agendas: dict = {}  # (id(build), zone, kind) -> (build, [Day])
        self.pages: dict = {}  # (template, path) -> (pieces, bytes): a page with an agenda
        self.days: dict = {}  # (page, public_url, *id(Row)) -> ([Row], str): a day's section


_cache = _Cache()
#: Stands in a page's text for its agenda's day sections (random: no data can contain it).
_MARKER = f"\x02agenda-{secrets.token_hex(16)}\x03"


class _Renderer:
    def __init__(self, builds: Sequence, feeds: Sequence, settings: Settings, cached: bool = False):
        self.builds = builds
        self.feeds = feeds
        self.settings = settings
        self._views: dict[str, list[EventView]] = {}
        self.old = _cache if cached else _Cache()
        self.new = _Cache()

    def views(self, build) -> list[EventView]:
        cal = build.calendar
        if cal.id not in self._views:
            context = (cal.id, cal.location, cal.timezone, self.settings.public_url)
            old, new = self.old.views, self.new.views
            out = []
            for r in build.events:
                event = r.event
                key = id(event)
                hit = new.get(key) or old.get(key)
                if hit is None or hit[0] is not event or hit[1] != context:
                    hit = (event, context, event_view(event, cal, self.settings))
                new[key] = hit
                out.append(hit[2])
            self._views[cal.id] = out
        return self._views[cal.id]

    def rows(self, view: EventView, zone: str) -> list[Row]:
        key = (id(view), zone)
        hit = self.new.rows.get(key) or self.old.rows.get(key)
        if hit is None or hit[0] is not view:
            hit = (view, rows_of(view, zone))
        self.new.rows[key] = hit
        return hit[1]

    def agenda(self, views: Sequence[EventView], zone: str) -> list[Day]:
        """:func:`agenda`, from the cached rows."""
        days: dict[date, Day] = {}
        for view in views:
            for row in self.rows(view, zone):
                day = days.get(row.day)
                if day is None:
                    day = days[row.day] = Day(row.day)
                day.rows.append(row)
        for day in days.values():
            day.rows.sort(key=_row_order)
        return [days[d] for d in sorted(days)]

    def build_agenda(self, build, zone: str, kind: str | None = None) -> list[Day]:
        """The agenda of ``build``'s events (of ``kind``) in ``zone``, kept while the build is.

        Rows sort by a total order up to ties kept in input order, and filtering keeps order,
        so filtering the whole agenda by kind equals sorting the kind's rows.
        """
        key = (id(build), zone, kind)
        hit = self.new.agendas.get(key)
        if hit is None:
            hit = self.old.agendas.get(key)
            if hit is None or hit[0] is not build:
                if kind is None:
                    hit = (build, self.agenda(self.views(build), zone))
                else:  # every kind's agenda in one pass over the whole one
                    for k, days in _by_kind(self.build_agenda(build, zone)).items():
                        self.new.agendas[(id(build), zone, k)] = (build, days)
                    hit = self.new.agendas.get(key) or (build, [])
            elif kind is None:
                for view in self.views(build):  # still used: carry its rows to the next render
                    self.rows(view, zone)
            self.new.agendas[key] = hit
        return hit[1]

    def feed_agenda(self, feed, zone: str) -> list[Day]:
        """``agenda(feed_views(feed), zone)``, from the build's agenda when it has one build."""
        builds = [b for b in self.builds if feed.calendar_id in (None, b.calendar.id)]
        if len(builds) != 1:
            return self.agenda(self.feed_views(feed), zone)
        return self.build_agenda(builds[0], zone, feed.kind)

    def days_html(self, page: str, days: list[Day], render) -> Markup:
        """An agenda's day sections on ``page``; a day is kept while it has the same rows.

        The sections are UTF-8 bytes joined into the page by :meth:`page` in place of the
        marker returned here (joining megabytes of text through Jinja copies them twice).
        """
        public_url = self.settings.public_url
        section = _macros("", public_url).day_section
        old, new = self.old.days, self.new.days
        out = []
        for day in days:
            rows = day.rows
            key = (page, public_url, *map(id, rows))  # the entry holds the rows: ids stay theirs
            hit = new.get(key) or old.get(key)
            if hit is None:
                html = Markup("".join([render(r) for r in rows]))
                hit = (rows, str(section(day, html, "h3")).encode("utf-8"))
            new[key] = hit
            out.append(hit[1])
        self._sections.append(out)
        return Markup(_MARKER)

    def page(self, template: str, path: str, **context) -> bytes:
        def url(to: str) -> str:
            return relative(path, to)

        def static(name: str) -> str:
            return relative(path, static_path(name))

        self._sections = []
        text = _env.get_template(template).render(
            site_name=self.settings.site_name,
            public_url=self.settings.public_url,
            path=path,
            url=url,
            static=static,
            **context,
        )
        pieces = text.split(_MARKER)
        if len(pieces) != len(self._sections) + 1:
            raise AssertionError("an agenda marker in a page's text")
        out = [pieces[0].encode("utf-8")]
        for sections, after in zip(self._sections, pieces[1:], strict=True):
            out.extend(sections)
            out.append(after.encode("utf-8"))
        if len(out) == 1:
            return out[0]
        # the same pieces as last time (the sections are the same objects): the same bytes
        # object, which the site then neither joins nor hashes again
        key = (template, path)
        hit = self.old.pages.get(key)
        if (
            hit is None
            or len(hit[0]) != len(out)
            or not all(a is b or a == b for a, b in zip(hit[0], out, strict=True))
        ):
            hit = (out, b"".join(out))
        self.new.pages[key] = hit
        return hit[1]

    def all(self) -> dict[str, bytes]:
        out = {"/": self.index()}
        for build in self.builds:
            out.update(self.calendar_and_embeds(build))
        for feed in self.feeds:
            if feed.calendar_id is None:
                out[embed_page(feed.id)] = self.embed(feed)
        out["/examples/widget/"] = self.widget_example()
        # the order of render_all's result is the order pages were added before caching
        order = ["/"]
        for build in self.builds:
            order.extend(p for p in out if p.startswith(calendar_page(build.calendar.id)))
        order.extend(embed_page(f.id) for f in self.feeds)
        order.append("/examples/widget/")
        return {p: out[p] for p in order}

    def calendar_and_embeds(self, build) -> dict[str, bytes]:
        """A calendar's pages and its feeds' embed pages: reused while its build is the same."""
        feeds = tuple(f for f in self.feeds if f.calendar_id == build.calendar.id)
        key = id(build)
        hit = self.new.calendars.get(key) or self.old.calendars.get(key)
        if hit is not None and hit[0] is build and hit[1] == self.settings and hit[2] == feeds:
            # still used: keep the rows and views it was made from for the next edit
            for view in self.views(build):
                self.rows(view, build.calendar.timezone)
            self.new.calendars[key] = hit
            return hit[3]
        out = self.calendar(build)
        for feed in feeds:
            out[embed_page(feed.id)] = self.embed(feed)
        self.new.calendars[key] = (build, self.settings, feeds, out)
        return out

    def index(self) -> bytes:
        cards = []
        for build in self.builds:
            cal = build.calendar
            days = {row.day for v in self.views(build) for row in self.rows(v, cal.timezone)}
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

    def calendar_row(self, row: Row, zone: str) -> list[str]:
        """A row of the calendar pages, its links left open: [text, target, text, ...]."""
        key = (id(row), zone)
        hit = self.new.calendar_rows.get(key) or self.old.calendar_rows.get(key)
        if hit is None or hit[0] is not row:
            targets: list[str] = []

            def url(to: str) -> Markup:
                targets.append(to)
                return Markup(f"\x00{len(targets) - 1}\x01")

            macros = _macros(zone_name(zone))
            html = str(macros.event_row(row, url, "h4", True))
            parts = _LINK.split(html)
            for i in range(1, len(parts), 2):
                parts[i] = targets[int(parts[i])]
            hit = (row, parts)
        self.new.calendar_rows[key] = hit
        return hit[1]

    def calendar(self, build) -> dict[str, bytes]:
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
        zone = cal.timezone
        for kind in [None, *kinds]:
            feed = main_feed if kind is None else next(f for f in feeds if f.kind == kind)
            path = calendar_page(cal.id) if kind is None else kind_page(cal.id, kind)
            links = _Links(path)

            def days_html(days: list[Day], links=links, path=path) -> Markup:
                return self.days_html(path, days, lambda r: links.join(self.calendar_row(r, zone)))

            out[path] = self.page(
                "calendar.html",
                path,
                calendar=cal,
                feed=feed,
                kind=kind,
                kind_label=kind_label(kind) if kind else "",
                filters=filters,
                days=self.build_agenda(build, zone, kind),
                zone=zone,
                zone_name=zone_name(zone),
                box=subscribe_box(feed, self.settings, path),
                reminders=REMINDER_CHOICES,
                short_date=short_date,
                days_html=days_html,
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

    def embed_row(self, row: Row, zone: str) -> Markup:
        """A row of the embed pages: the same in every feed's embed page with this zone."""
        public_url = self.settings.public_url
        key = (id(row), zone, public_url)
        hit = self.new.embed_rows.get(key) or self.old.embed_rows.get(key)
        if hit is None or hit[0] is not row:
            macros = _macros(zone_name(zone), public_url)
            hit = (row, macros.embed_row(row))
        self.new.embed_rows[key] = hit
        return hit[1]

    def embed(self, feed) -> bytes:
        path = embed_page(feed.id)
        zone = (
            feed.header.timezone
            if feed.header is not None and feed.header.timezone
            else tz.UTC_NAME
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
            days=self.feed_agenda(feed, zone),
            zone=zone,
            zone_name=zone_name(zone),
            full_page=self.settings.public_url + full,
            feed_url=self.settings.public_url + feed.path,
            days_html=lambda days: self.days_html(path, days, lambda r: self.embed_row(r, zone)),
        )

    def widget_example(self) -> bytes:
        path = "/examples/widget/"
        feed = next((f for f in self.feeds if f.id == "all"), None)
        return self.page(
            "widget.html",
            path,
            feeds_json=self.settings.public_url + "/feeds.json",
            feed=feed,
            widget_src=self.settings.public_url + static_path("widget.js"),
        )

    def your_feed(self, feed, selection, settings: Settings) -> bytes:
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
            else tz.UTC_NAME
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
    rendered = render_pages(builds, feeds, settings)
    return {path: body.decode("utf-8") for path, body in rendered.items()}


def render_pages(builds: Sequence, feeds: Sequence, settings: Settings) -> dict[str, bytes]:
    """Every page of the site by URL path, as UTF-8 bytes.

    Pages, agenda rows and event views are kept from the previous call (see :class:`_Cache`):
    a calendar whose build is unchanged keeps its pages, and an edited calendar re-renders
    only the rows of the events that changed; the pages are then joined again.
    """
    global _cache
    renderer = _Renderer(builds, feeds, settings, cached=True)
    out = renderer.all()
    _cache = renderer.new
    return out


def _by_kind(days: list[Day]) -> dict[str, list[Day]]:
    """An agenda split by kind: each kind's days with only its rows, in the same order."""
    out: dict[str, list[Day]] = {}
    for day in days:
        split: dict[str, list[Row]] = {}
        for r in day.rows:
            kind = r.view.event.kind
            rows = split.get(kind)
            if rows is None:
                split[kind] = [r]
            else:
                rows.append(r)
        for kind, rows in split.items():
            out.setdefault(kind, []).append(Day(day.day, rows))
    return out


def _row_order(r: Row) -> tuple:
    return (not r.all_day, r.start_utc, r.end_utc, r.view.event.title, r.view.event.id)


@lru_cache(maxsize=64)
def _macros(zone_label: str, public_url: str = ""):
    """``_macros.html`` as a module, with what its row macros read from the page's context."""
    return _env.get_template("_macros.html").make_module(
        {"zone_name": zone_label, "public_url": public_url}
    )


class _Links:
    """Fills in a cached row's links for one page (``relative(page, target)``, escaped)."""

    def __init__(self, page: str):
        self.page = page
        self.folders: dict[str, str] = {}

    def link(self, target: str) -> str:
        folder, sep, name = target.rpartition("/")
        if sep and name and "?" not in name and "#" not in name:
            base = self.folders.get(folder)
            if base is None:
                base = self.folders[folder] = relative(self.page, folder + "/")
            if base != "./":
                return str(escape(base + name))
        return str(escape(relative(self.page, target)))

    def join(self, parts: list[str]) -> str:
        if len(parts) == 1:
            return parts[0]
        out = parts[:]
        link = self.link
        for i in range(1, len(out), 2):
            out[i] = link(out[i])
        return "".join(out)


def render_your_feed(builds: Sequence, feeds: Sequence, feed, selection, settings: Settings) -> str:
    """The per-request "your feed" page: ``feed`` narrowed by ``selection``, to subscribe to."""
    return _Renderer(builds, feeds, settings).your_feed(feed, selection, settings).decode("utf-8")
