"""Request counts per feed and client family, and the access log line of each request.

Nothing personal is kept or logged: no address, no User-Agent string, no
query string; a request becomes ``(what, client family)`` and a count.

``what`` is the feed id for ``/feeds/<id>.ics`` and a category otherwise:
``event files`` (``/events/...``), ``feeds.json``, ``pages`` (HTML),
``assets`` (static files, QR codes), ``not found``, ``errors`` (other 4xx: a made-up
name is never counted as a feed, so the counts stay bounded by the site). ``/healthz`` and
``/stats.json`` are neither counted nor logged at INFO (load balancers poll
them).

Several worker processes: each counts in memory and, when a folder is given
(``FEEDS_STATS_DIR``; the shipped ``gunicorn.conf.py`` makes a fresh one when
the server starts), a small thread writes its counts to ``<folder>/<pid>.json``
every :data:`FLUSH_SECONDS` when they changed, and at exit; :meth:`Stats.snapshot` adds up every
process's file, so ``/stats.json`` covers all workers since the server
started (other workers' last few seconds may be missing). Without a folder the
counts are this process's only, and the JSON says so.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from feeds.timefmt import iso_utc

access_log = logging.getLogger("feeds.access")

FLUSH_SECONDS = 2.0
UNCOUNTED = ("/healthz", "/stats.json")
#: What is counted besides feeds (a feed is counted only when it was served: 200 or 304).
OTHER = ("event files", "feeds.json", "pages", "assets", "not found", "errors")


def label(path: str, media_type: str | None, status: int) -> str | None:
    """What a request was for, as counted; None for the health and stats endpoints."""
    if path in UNCOUNTED:
        return None
    if status == 404:
        return "not found"
    if status >= 400:
        return "errors"  # never the path: made-up names must not become counted "feeds"
    if path.startswith("/feeds/") and path.endswith(".ics"):
        return path[len("/feeds/") : -len(".ics")]
    if path.startswith("/events/"):
        return "event files"
    if path == "/feeds.json":
        return "feeds.json"
    if media_type and media_type.startswith("text/html"):
        return "pages"
    return "assets"


def log_line(
    method: str, path: str, status: int, size: int, what: str | None, client: str, ms: float
) -> str:
    """``GET /feeds/a.ics 200 1234 feed=a client=google 0.4ms``; the path is quoted."""
    shown = quote(path[:200], safe="/:@!$&'()*+,;=-._~")
    return f"{method} {shown} {status} {size} feed={what or '-'} client={client} {ms:.1f}ms"


class Stats:
    """Counts of ``(what, family)`` since start, across worker processes when ``folder`` is set."""

    def __init__(
        self, folder: str | os.PathLike | None = None, flush_seconds: float = FLUSH_SECONDS
    ):
        self.folder = Path(folder) if folder else None
        self.flush_seconds = flush_seconds
        self.started = datetime.now(UTC).replace(microsecond=0)
        self._counts: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._dirty = False
        self._flusher_pid: int | None = None
        if self.folder is not None:
            atexit.register(self.flush)

    def record(self, what: str | None, family: str) -> None:
        if what is None:
            return
        with self._lock:
            if (
                os.getpid() != self._pid
            ):  # forked (gunicorn --preload): start this process's own counts
                self._pid = os.getpid()
                self._counts.clear()
            self._counts[(what, family)] += 1
            self._dirty = True
            start = self.folder is not None and self._flusher_pid != self._pid
            if start:
                self._flusher_pid = self._pid
        if start:  # one writer thread per process, started in the process itself (fork-safe)
            threading.Thread(target=self._flush_every, name="feeds-stats", daemon=True).start()

    def _flush_every(self) -> None:
        pid = os.getpid()
        while self._flusher_pid == pid:
            if self._dirty:
                self.flush()
            time.sleep(self.flush_seconds)

    def flush(self) -> None:
        """Write this process's counts to ``<folder>/<pid>.json`` (atomically)."""
        if self.folder is None:
            return
        with self._lock:
            self._dirty = False
            data = {
                "pid": self._pid,
                "since": _stamp(self.started),
                "counts": [[w, f, n] for (w, f), n in sorted(self._counts.items())],
            }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "w") as out:
                json.dump(data, out)
            os.replace(tmp, self.folder / f"{self._pid}.json")
        except OSError:
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(tmp)

    def snapshot(self) -> dict:
        """The counts as ``/stats.json`` shows them."""
        with self._lock:
            total: Counter[tuple[str, str]] = Counter(self._counts)
        processes = 1
        since = self.started
        if self.folder is not None:
            for entry in self._other_files():
                try:
                    data = json.loads(entry.read_text("utf-8"))
                    for what, fam, n in data["counts"]:
                        total[(str(what), str(fam))] += int(n)
                    since = min(
                        since, datetime.strptime(data["since"], _FORMAT).replace(tzinfo=UTC)
                    )
                    processes += 1
                except (OSError, ValueError, KeyError, TypeError):
                    continue
        feeds: dict[str, dict[str, int]] = {}
        other: dict[str, dict[str, int]] = {}
        families: Counter[str] = Counter()
        for (what, fam), n in sorted(total.items()):
            is_feed = what not in OTHER
            (feeds if is_feed else other).setdefault(what, {})[fam] = n
            families[fam] += n
        return {
            "since": _stamp(since),
            "scope": "all worker processes" if self.folder is not None else "this process",
            "processes": processes,
            "requests": sum(families.values()),
            "clients": dict(sorted(families.items())),
            "feeds": feeds,
            "other": other,
        }

    def _other_files(self) -> list[Path]:
        try:
            entries = list(self.folder.iterdir())
        except OSError:
            return []
        return [e for e in entries if e.suffix == ".json" and e.stem != str(self._pid)]


_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def _stamp(moment: datetime) -> str:
    return iso_utc(moment)
