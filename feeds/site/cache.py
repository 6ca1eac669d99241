"""What the site keeps between builds and requests: one :class:`SiteCache` per live site.

The long-lived owner is the store (``feeds.serve.store.Store``), which makes one and
passes it to every :func:`feeds.site.assemble` and to the selection calls; a call
without one gets a fresh cache, so nothing is reused (``feeds build``, tests).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from feeds.render.assets import QrCache
from feeds.render.page_cache import PageCache
from feeds.render.reminders import Kept
from feeds.site.page_groups import PageGroups
from feeds.site.resources import Resource


class LRU:
    """A small thread-safe LRU of resources, bounded by entries and by total body size."""

    def __init__(self, entries: int = 256, max_bytes: int = 64 * 1024 * 1024):
        self.entries = entries
        self.max_bytes = max_bytes
        self._data: OrderedDict = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key, value: Resource) -> None:
        with self._lock:
            if key in self._data:
                return
            self._data[key] = value
            self._size += len(value.body)
            while self._data and (len(self._data) > self.entries or self._size > self.max_bytes):
                _, old = self._data.popitem(last=False)
                self._size -= len(old.body)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._size = 0

    def __len__(self) -> int:
        return len(self._data)


class SiteCache:
    """The caches of one site, each with its keys in view.

    * :attr:`pages`: the rendered pages' pieces (see :class:`feeds.render.page_cache.PageCache`);
    * :attr:`page_resources`: URL path -> (the page's bytes, its Resource) from the last
      assemble: a page whose bytes are the very same object (the page cache reuses unchanged
      calendars' pages) is not hashed again; its Resource is remade only if Last-Modified moved;
    * :attr:`selections`: selected feeds and "your feed" pages, keyed by the URL path, the
      unfiltered feed's ETag (which changes whenever anything in it does) and the canonical
      selection (see :mod:`feeds.site.selection`);
    * :attr:`variants`: URL path -> (its feed's ETag and Last-Modified, the feed's scope and the
      reminder days; the Resource) of the reminder variants (:mod:`feeds.site.variants`) from
      the last site (each made when first asked for): a variant whose feed did not change is not
      rendered again, and the
      others reuse their unchanged events' reminders (:attr:`reminders`);
    * :attr:`feed_items`: each feed's entry in ``feeds.json`` as text, keyed by the
      ``FeedInfo`` (by value) and the public URL;
    * :attr:`qr`: each feed's QR code by the URL it encodes (see
      :class:`feeds.render.assets.QrCache`), made when first asked for.
    * :attr:`page_groups`: small calendars' pages, made when first asked for (see
      :mod:`feeds.site.page_groups`), within ``page_budget`` bytes (None: all kept);
    * :attr:`changes`: calendar id -> its change log feed, kept while its revisions are the
      same object (see :func:`feeds.site.changelog.resources`).
    """

    def __init__(self, page_budget: int | None = None):
        self.qr = QrCache()
        self.page_groups = PageGroups(page_budget)
        self.feed_items: dict = {}
        self.pages = PageCache()
        self.page_resources: dict[str, tuple[bytes, Resource]] = {}
        self.selections = LRU()
        self.variants: dict[str, tuple[tuple, Resource]] = {}
        self.reminders = Kept()
        self.changes: dict = {}
