"""What the HTML pages keep between renders, so an edit re-renders only what it touched."""

from __future__ import annotations


class Generation:
    """The pieces one render used, each keyed by the identity of an immutable input.

    Every entry is keyed by the identity of an immutable input (an ``Event``, an
    ``EventView``, a ``Row``, a calendar's build) and holds that object, so the identity
    cannot be reused while the entry lives; the other inputs are checked by value.
    Unchanged events are the same objects across reloads (see
    ``feeds.definitions.incremental`` and ``feeds.site.render_calendar``).
    """

    def __init__(self):
        self.views: dict = {}  # id(Event) -> (Event, context, EventView)
        self.rows: dict = {}  # (id(EventView), zone) -> (EventView, [Row])
        self.calendar_rows: dict = {}  # (id(Row), zone) -> (Row, parts): text, target, text...
        self.embed_rows: dict = {}  # (id(Row), zone, public_url) -> (Row, Markup)
        self.calendars: dict = {}  # id(build) -> (build, settings, feeds, {path: html})
        self.agendas: dict = {}  # (id(build), zone, kind) -> (build, [Day])
        self.pages: dict = {}  # (template, path) -> (pieces, bytes): a page with an agenda
        self.front: dict = {}  # id(build) -> (build, public_url, front.Entry): its deadlines;
        # and "/archive/" -> ((build date, settings), [front.Entry], bytes): the archive page
        self.days: dict = {}  # (page, public_url, *id(Row)) -> ([Row], bytes): a day's section


class PageCache:
    """The pieces of the last render (:attr:`last`), for :func:`feeds.render.pages.render_pages`.

    Each render reads the last generation and makes a new one holding only what it used,
    which then replaces it: what an edit dropped is forgotten at the next render. Whoever
    re-renders the pages of one site (the live store, through its ``SiteCache``) owns one.
    """

    def __init__(self):
        self.last = Generation()
