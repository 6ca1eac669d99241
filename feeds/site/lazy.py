"""A site's resources by URL path, some of them made only when first asked for.

A QR code per feed is the one resource a site of thousands of calendars cannot make
cheaply up front (about 4 ms each, thousands of feeds: most of a cold build) and the
one that is asked for least: a person opening a subscribe box. :class:`Resources`
holds the ready ones and, for the others, how to make them; the first ``get`` (or
``[]``, or a pass over ``values()``, as the export makes) makes one and keeps it for
the life of the site. Small calendars' pages are made when asked for too, but kept by
:mod:`feeds.site.page_groups` within a budget, not here (``fetched``). The bytes do not
depend on when they are made, so the live server and the export serve the same ones (the
export writes every resource).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from feeds.site.resources import Resource


class Resources(Mapping):
    """``{path: Resource}``: ``ready`` ones and ``pending`` ones made by ``make(path)``.

    Read-only for its users, like the ``MappingProxyType`` it stands in for. Safe for
    concurrent readers: two threads asking at once may both make a resource, and one
    (the same bytes) is kept.
    """

    __slots__ = ("_fetch", "_fetched", "_made", "_make", "_order")

    def __init__(
        self,
        ready: Mapping[str, Resource],
        pending: Mapping[str, object],
        make: Callable[[str, object], Resource],
        fetched: Mapping[str, object] | None = None,
        fetch: Callable[[str, object], Resource] | None = None,
    ):
        """``fetched`` paths are made by ``fetch(path, key)`` each time they are asked for
        and not kept here: ``fetch`` keeps what it likes (:mod:`feeds.site.page_groups`)."""
        self._made: dict[str, Resource] = dict(ready)
        self._make = make
        self._fetch = fetch
        # every path in order (the ready ones first), with what makes the pending ones
        self._order: dict[str, object] = dict.fromkeys(ready)
        self._order.update((p, k) for p, k in pending.items() if p not in self._made)
        self._fetched = {p: k for p, k in (fetched or {}).items() if p not in self._order}
        self._order.update(self._fetched)

    def __getitem__(self, path: str) -> Resource:
        found = self._made.get(path)
        if found is not None:
            return found
        key = self._order[path]  # KeyError for a path the site does not have
        if self._fetch is not None and path in self._fetched:
            return self._fetch(path, key)
        return self._made.setdefault(path, self._make(path, key))

    def get(self, path: str, default=None):
        found = self._made.get(path)
        if found is not None or path not in self._order:
            return found if found is not None else default
        return self[path]

    def __contains__(self, path) -> bool:
        return path in self._order

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def made(self) -> int:
        """How many resources are ready now (for the tests and the benchmark)."""
        return len(self._made)

    def fetched(self) -> int:
        """How many paths are made by ``fetch`` when asked for (and kept by it, not here)."""
        return len(self._fetched)
