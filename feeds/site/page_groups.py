"""Small calendars' pages, made when first asked for and kept in a bounded cache.

A deadline site of thousands of small calendars has tens of thousands of pages (each
calendar's page, one per kind, an embed per feed), about 20 KB each: hundreds of
megabytes, most of a cold build and of the server's memory, for pages most of which nobody
opens between two edits. So a calendar of at most :data:`LAZY_EVENTS` events has its pages
made together on the first request for any of them (a few milliseconds) and kept in
:class:`PageGroups`, bounded by bytes when the live server owns it. A larger calendar's
pages are made with the site (``pages.render_pages``, reusing its rows across edits),
since making them on a request would make that request wait.

Pages are pure functions of the site's data, so a page made late, or made again after it
was dropped, is the same bytes (and ETag) as one made with the site: the export, which
writes every page, writes what the live server serves. A group made for one site is kept
for the next while its calendar's build (the same object: unchanged), its feeds, its
groups and the settings are; only its Last-Modified (the site's) is brought up to date.

The embeds of the feeds spanning calendars (``/embed/all/``, a tag's) are made when first
asked for too, once per site: each reads every calendar's events.

Sits in :mod:`feeds.site`; imports :mod:`feeds.render.pages` and the site's resources.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime

from feeds.config import Settings
from feeds.render import pages
from feeds.site.resources import HTML_TYPE, CalendarBuild, FeedInfo, Resource, with_modified

#: A calendar with at most this many events has its pages made when first asked for: about
#: 10 ms of rendering at this size, so a request for one never waits long.
LAZY_EVENTS = 200

#: The live server's budget for kept pages (bytes of bodies): some 2,000 small calendars'.
LIVE_BUDGET = 48 * 1024 * 1024


class PageGroups:
    """calendar id -> (what its pages were made from, {path: Resource}); least recently used
    groups dropped past ``max_bytes`` of bodies (None: none dropped). Thread-safe."""

    def __init__(self, max_bytes: int | None = None):
        self.max_bytes = max_bytes
        self._groups: OrderedDict[str, tuple[tuple, dict[str, Resource], int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.paths: dict[str, tuple] = {}  # calendar id -> (its build, its pages' paths)

    def get(self, calendar_id: str, inputs: tuple) -> dict[str, Resource] | None:
        """The group made from ``inputs`` (its build compared by identity), else None."""
        with self._lock:
            hit = self._groups.get(calendar_id)
            if hit is None or not _same(hit[0], inputs):
                return None
            self._groups.move_to_end(calendar_id)
            return hit[1]

    def put(self, calendar_id: str, inputs: tuple, group: dict[str, Resource]) -> None:
        size = sum(len(r.body) for r in group.values())
        with self._lock:
            old = self._groups.pop(calendar_id, None)
            if old is not None:
                self._size -= old[2]
            self._groups[calendar_id] = (inputs, group, size)
            self._size += size
            while self.max_bytes is not None and self._size > self.max_bytes and self._groups:
                _, (_, _, dropped) = self._groups.popitem(last=False)
                self._size -= dropped

    def keep_only(self, calendar_ids) -> None:
        """Forget the groups of calendars the site no longer has."""
        with self._lock:
            for cid in [c for c in self._groups if c not in calendar_ids]:
                self._size -= self._groups.pop(cid)[2]

    @property
    def size(self) -> int:
        """Bytes of bodies kept (for the tests and the benchmark)."""
        return self._size

    def __len__(self) -> int:
        return len(self._groups)


def _same(a: tuple, b: tuple) -> bool:
    return a[0] is b[0] and a[1:] == b[1:]


def is_lazy(build: CalendarBuild) -> bool:
    """Whether ``build``'s pages are made when first asked for (see :data:`LAZY_EVENTS`)."""
    return len(build.events) <= LAZY_EVENTS


class Pending:
    """The pages of one site's small calendars: their paths, and each made on request."""

    def __init__(
        self,
        builds: Sequence[CalendarBuild],
        feeds: Sequence[FeedInfo],
        settings: Settings,
        modified: datetime,
        groups: PageGroups,
    ):
        self._maker = pages.CalendarPages(builds, feeds, settings)
        self._settings = settings
        self._modified = modified
        self._groups = groups
        self._builds = {b.calendar.id: b for b in builds if is_lazy(b)}
        # a calendar's paths are its build's (its feeds are in it): kept while it is the same
        known, self._paths_of = groups.paths, {}
        for cid, b in self._builds.items():
            hit = known.get(cid)
            self._paths_of[cid] = hit[1] if hit and hit[0] is b else self._maker.paths(b)
        groups.paths = {cid: (self._builds[cid], p) for cid, p in self._paths_of.items()}
        #: URL path -> calendar id, a calendar's paths together (the export writes them so)
        self.paths: dict[str, str] = {
            path: cid for cid, paths in self._paths_of.items() for path in paths
        }
        #: URL path -> feed: the embeds of the feeds spanning calendars, made when asked for
        #: (each reads every calendar's events: a tenth of a second at thousands of calendars)
        self.merged_embeds = {
            pages.embed_page(f.id): f for f in feeds if f.calendar_id is None and not f.archive
        }
        groups.keep_only(self._builds)

    @property
    def skipped(self) -> frozenset[str | None]:
        """What ``pages.render_pages`` leaves to this (None: the merged feeds' embeds)."""
        return frozenset([*self._builds, None])

    def embed(self, path: str, feed: FeedInfo) -> Resource:
        """The embed page at ``path`` of ``feed``, a feed spanning calendars."""
        return Resource(path, self._maker.embed(feed), HTML_TYPE, self._modified, embeddable=True)

    def resource(self, path: str, calendar_id: str) -> Resource:
        """The page at ``path`` of ``calendar_id``: kept, else its calendar's pages made."""
        build = self._builds[calendar_id]
        inputs = (build, self._settings, *self._maker.inputs(build))
        group = self._groups.get(calendar_id, inputs)
        if group is None:
            bodies = self._maker.render(build)
            if list(bodies) != self._paths_of[calendar_id]:
                raise AssertionError(f"the pages of {calendar_id} are not the paths announced")
            group = {
                p: Resource(
                    p, body, HTML_TYPE, self._modified, embeddable=p.startswith(pages.EMBED_PREFIX)
                )
                for p, body in bodies.items()
            }
            self._groups.put(calendar_id, inputs, group)
        found = group[path]
        if found.last_modified != self._modified:  # made for an earlier site
            found = with_modified(found, self._modified)
        return found
