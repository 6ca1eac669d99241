"""The live site: loads definitions, notices edits, and never serves a broken feed.

A :class:`Store` holds one immutable :class:`Snapshot` (the whole
:class:`~feeds.site.Site` plus the health report that goes with it) and
replaces it, whole, with one reference assignment when definitions change. A
request reads the snapshot once, so it sees one consistent version of every
feed and page; a reload never shows half-rendered output.

How edits are noticed: polling, off the request path. Every
``settings.reload_seconds`` a thread of the process (:mod:`feeds.serve.poller`,
started by the first request the process answers, so each gunicorn worker has its
own after ``fork``) lists the folder and stats every definition file and its
revisions file; only a file whose stat changed is read, and only one whose bytes
changed is parsed and rendered. A request never waits for any of it: it is
answered from the snapshot published last, and sees an edit once the thread has
published it. Each worker polls on its own and converges to the same bytes (see
:mod:`feeds.revisions`). With ``reload_seconds`` 0 nothing polls: :meth:`Store.refresh`
(or :meth:`Store.wait_until_current`) looks when called, which is what tests and
the benchmark do.

What is re-done on an edit: only the changed files are re-read and re-parsed
(a file whose size, mtime and inode did not change is not opened, and one
whose bytes did not change is not parsed), and within a changed calendar only
the changed events are rendered again (a per-file cache keyed by the event,
its revision and the calendar's header values); per-calendar, merged and
single-event feeds are re-joined from the cached VEVENT bytes.

What is never served:

* a file that fails validation: its errors are logged with file and line and
  reported by :meth:`Store.health`, and the last good version of its calendar
  stays served;
* a file that is still being written: a file modified less than
  :data:`SETTLE_SECONDS` ago is left for a later poll when a good version of
  it is being served, and a file that changes while it is read is read again
  later; a truncated file that still parses is the one case left, and only if
  the writer stops for longer than that (editors and ``git`` write a file in
  one go or rename a finished one into place);
* a removal that is only the middle of a replacement: a file that vanishes
  (``git checkout``, ``rsync`` without ``--delay-updates``, a folder swapped)
  keeps being served for ``removal_grace`` seconds, and a folder that cannot
  be read keeps everything as it was;
* two files declaring one calendar id: both are errors naming each other, neither
  records revisions or publishes a change, and what was served before stays
  served, unchanged, until one of them gives up the id (:meth:`Store._claims`).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from feeds import config, site
from feeds.config import Settings
from feeds.definitions import loader
from feeds.errors import Problem
from feeds.model import url_key
from feeds.serve import files, health
from feeds.serve.files import SETTLE_SECONDS, FileState
from feeds.serve.poller import Poller
from feeds.site import limits, page_groups

log = logging.getLogger("feeds")


@dataclass(frozen=True)
class Snapshot:
    """One consistent state: the site being served and the report that describes it."""

    site: site.Site
    calendars: tuple[dict, ...] = ()
    problems: tuple[Problem, ...] = ()
    assembled_at: datetime | None = None
    checked_at: datetime | None = None
    version: str = ""  # hash of the served calendars' versions

    @property
    def serving(self) -> bool:
        return bool(self.site.builds)


class Store:
    """The current site of a definitions folder, reloaded when files change."""

    def __init__(
        self,
        settings: Settings,
        *,
        write_revisions: bool = True,
        settle_seconds: float = SETTLE_SECONDS,
        removal_grace: float | None = None,
    ):
        self.settings = settings
        self.folder = Path(settings.events_dir)
        self.write_revisions = write_revisions
        self.settle_seconds = settle_seconds
        self.removal_grace = (
            max(2.0, 2 * settings.reload_seconds) if removal_grace is None else removal_grace
        )
        self._files: dict[Path, FileState] = {}
        self._owners: dict[str, Path] = {}  # calendar id -> the file serving it
        self._conflicts: dict[Path, Problem] = {}
        self._contested: dict[Path, Problem] = {}  # files declaring an id another declares
        self._folder_problem: Problem | None = None
        self._site_problem: Problem | None = None
        self._summary = ""  # the last logged line on files with errors
        self._reassemble = False
        self._feed_warnings: list[Problem] = []
        self._lock = threading.Lock()
        self._next_check = 0.0
        self._listing = loader.Listing(self.folder)
        self._poller: Poller | None = None
        self._poller_lock = threading.Lock()
        self.cache = site.SiteCache(page_groups.LIVE_BUDGET)  # kept across reloads
        self._snapshot = Snapshot(site.assemble([], settings, self.cache))
        self.refresh()

    # reading ---------------------------------------------------------------

    def current(self) -> Snapshot:
        """The snapshot published last; never waits for a reload (the poller's, see above)."""
        if self.settings.reload_seconds > 0:
            poller = self._poller
            if poller is None or not poller.alive:
                self._start_poller()
        return self._snapshot

    def _start_poller(self) -> None:
        with self._poller_lock:
            poller = self._poller
            if poller is not None and poller.alive:
                return
            if poller is not None:  # forked: the lock may be held by a thread left behind
                self._lock = threading.Lock()
            self._poller = Poller(self)

    def seconds_until_next_check(self) -> float:
        """How long the poller sleeps before its next look."""
        return max(0.0, self._next_check - time.monotonic())

    def close(self) -> None:
        """Stop polling (the thread also ends by itself once the store is dropped)."""
        if self._poller is not None:
            self._poller.stop()

    @property
    def site(self) -> site.Site:
        """The current site (see :meth:`current`)."""
        return self.current().site

    def problems(self) -> list[Problem]:
        return list(self._snapshot.problems)

    def errors(self) -> list[Problem]:
        return [p for p in self._snapshot.problems if p.severity == "error"]

    # loading -----------------------------------------------------------------

    def refresh(self) -> bool:
        """Look for changed, added and removed files now; True if the site changed.

        Requests never call this (they read the last snapshot); the poller, tests and
        the benchmark do. When another thread is refreshing, waits for it, then looks
        again, so that what was on disk when it was called is published on return.
        """
        with self._lock:
            self._next_check = time.monotonic() + self.settings.reload_seconds
            return self._refresh()

    def wait_until_current(self) -> Snapshot:
        """The snapshot of the folder as it is now: :meth:`refresh`, then :meth:`current`.

        For tests and tools that edit a file and then read the site; a request does not.
        """
        self.refresh()
        return self._snapshot

    def _wake_at(self, moment: float) -> None:
        """Look again at ``moment`` (monotonic) rather than a whole interval later."""
        self._next_check = min(self._next_check, moment)

    def _refresh(self) -> bool:
        # a new build date moves the horizon of the merged and tag feeds (feeds.site.groups)
        horizon = self._snapshot.site.horizon
        changed = self._reassemble or (
            horizon is not None and horizon.build_date != config.build_date(self.settings)
        )
        try:
            paths = self._listing.paths()
        except OSError as exc:
            # A folder briefly unreadable (a deploy swapping it, a permission
            # change) keeps every calendar as it was.
            problem = Problem(
                str(self.folder),
                0,
                f"cannot read the folder: {exc.strerror or exc}",
                "check the path and permissions; the last good versions are being served",
            )
            if problem != self._folder_problem:
                log.error("%s", problem)
            self._folder_problem = problem
            self._publish(self._snapshot.site)
            return False
        reported = self._folder_problem is not None  # the report changes with it
        if self._folder_problem is not None:
            log.info("%s: readable again", self.folder)
            self._folder_problem = None
        removed, missing = self._notice_removals(set(paths))
        changed |= removed
        reported |= removed or missing
        for path in paths:
            state = self._files.get(path)
            if state is None:
                state = self._files[path] = FileState(path)
                reported = True
            seen = (state.checked, state.read_problem, state.problems)
            self._guarded(state, self._read)
            reported |= (state.checked, state.read_problem, state.problems) != seen
        contested = self._claims()
        reported |= contested != self._contested
        self._contested = contested
        for state in list(self._files.values()):
            if state.pending is not None and state.path not in self._contested:
                changed |= self._guarded(state, self._publish_file)
                reported = True  # published or refused: the report says which
        old_site = self._snapshot.site
        new_site = (self._assemble() or old_site) if changed else old_site
        if changed or reported or self._snapshot.assembled_at is None:
            self._publish(new_site)
        else:  # nothing new to report: the same report, checked now (O(1), not O(files))
            self._snapshot = replace(self._snapshot, checked_at=_now())
        return new_site is not old_site

    def _notice_removals(self, listed: set[Path]) -> tuple[bool, bool]:
        """(a served calendar is gone, some file is missing or back): for the report."""
        changed = missing = False
        now = time.monotonic()
        for path, state in list(self._files.items()):
            if path in listed:
                if state.missing_since is not None:
                    log.info("%s: back", path)
                    missing = True
                state.missing_since = None
                continue
            missing = True
            if state.build is None or self.removal_grace <= 0:
                gone = True
            else:
                if state.missing_since is None:
                    state.missing_since = now
                    log.warning(
                        "%s: missing; still serving '%s' for %.0f s in case it is being replaced",
                        path,
                        state.build.calendar.id,
                        self.removal_grace,
                    )
                gone = now - state.missing_since >= self.removal_grace
                if not gone:
                    self._wake_at(state.missing_since + self.removal_grace)
            if gone:
                if state.build is not None:
                    log.info(
                        "%s: removed; calendar '%s' is no longer served",
                        path,
                        state.build.calendar.id,
                    )
                    changed = True
                del self._files[path]
        return changed, missing

    def _guarded(self, state: FileState, step) -> bool:
        try:
            return step(state)
        except Exception as exc:  # a bug must not take the server down
            log.exception("%s: unexpected error while loading", state.path)
            state.problems = (
                Problem(
                    str(state.path), 0, f"internal error while loading: {exc!r}", "please report it"
                ),
            )
            return False

    def _read(self, state: FileState) -> bool:
        return files.read(state, settle_seconds=self.settle_seconds, wake=self._wake_at)

    def _publish_file(self, state: FileState) -> bool:
        return files.publish(state, self.settings, self.write_revisions)

    def _claims(self) -> dict[Path, Problem]:
        return contested(self._files, self._contested)

    def _assemble(self) -> site.Site | None:
        """The site of the served builds, or None (and a logged problem) if that fails."""
        served = self._resolve_ids()
        try:
            new_site = site.assemble([s.build for s in served], self.settings, self.cache)
        except Exception as exc:
            log.exception("assembling the site failed; still serving the previous one")
            self._site_problem = Problem(
                "<site>", 0, f"internal error while assembling: {exc!r}", "please report it"
            )
            self._reassemble = True
            return None
        self._site_problem = None
        self._reassemble = False
        self._owners = {s.build.calendar.id: s.path for s in served}
        warnings = limits.site_warnings(new_site)  # feeds past what clients read
        for warning in set(warnings) - set(self._feed_warnings):
            log.warning("%s", warning)
        self._feed_warnings = warnings
        return new_site

    def _resolve_ids(self) -> list[FileState]:
        """One file per calendar id: the one already serving it, else the first by name."""
        candidates = sorted(
            (s for s in self._files.values() if s.build is not None),
            key=lambda s: (self._owners.get(s.build.calendar.id) != s.path, str(s.path)),
        )
        served: dict[str, FileState] = {}
        conflicts: dict[Path, Problem] = {}
        for state in candidates:
            cal_id = state.build.calendar.id
            key = url_key(cal_id)  # ids differing only in case collide on case-insensitive disks
            if key in served:
                conflicts[state.path] = Problem(
                    str(state.path),
                    1,
                    f"calendar id '{cal_id}' is also used by {served[key].path}, which keeps it",
                    "give each calendar its own id",
                )
                if self._conflicts.get(state.path) != conflicts[state.path]:
                    log.error("%s", conflicts[state.path])
            else:
                served[key] = state
        self._conflicts = conflicts
        return sorted(served.values(), key=lambda s: s.build.calendar.id)

    # reporting ---------------------------------------------------------------

    def _publish(self, new_site: site.Site) -> None:
        """Replace the snapshot (one assignment) with ``new_site`` and its report."""
        conflicts = {**self._contested, **self._conflicts}
        calendars, problems = health.calendars_report(self._files, conflicts, new_site)
        summary = health.summary(calendars)
        if summary and summary != self._summary:
            log.error("%s", summary)  # once per change: the good calendars stay served
        self._summary = summary
        for extra in (self._folder_problem, self._site_problem):
            if extra is not None:
                problems.append(extra)
        old = self._snapshot
        same_site = new_site is old.site
        version = old.version if same_site and old.assembled_at else _site_version(new_site)
        self._snapshot = Snapshot(
            site=new_site,
            calendars=tuple(calendars),
            problems=tuple(sorted(problems)),
            assembled_at=old.assembled_at if same_site and old.assembled_at else _now(),
            checked_at=_now(),
            version=version,
        )

    def health(self) -> tuple[dict, int]:
        """``(json, status)`` for ``/healthz`` (:func:`feeds.serve.health.health`)."""
        return health.health(self.current(), self.settings.reload_seconds)


def _site_version(built: site.Site) -> str:
    joined = "\n".join(f"{b.calendar.id}={b.version}" for b in built.builds)
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def contested(states: dict[Path, FileState], before: dict[Path, Problem]) -> dict[Path, Problem]:
    """Files whose calendar id another file also declares: one problem each, naming both.

    A file stands for the id of its last valid version (else of what it serves).
    While an id is contested no file of it publishes or writes revisions, so the
    version served before stays, byte for byte, and SEQUENCE does not climb.
    """
    by_id: dict[str, list[Path]] = {}
    for path, state in states.items():
        if state.claims is not None:
            by_id.setdefault(url_key(state.claims), []).append(path)
    out: dict[Path, Problem] = {}
    for paths in by_id.values():
        if len(paths) < 2:
            continue
        for path in sorted(paths):
            others = ", ".join(str(p) for p in sorted(paths) if p != path)
            cal_id = states[path].claims
            out[path] = Problem(
                str(path),
                1,
                f"calendar id '{cal_id}' is also used by {others}: neither file is "
                "published or revised until one id changes (the version served before "
                "stays served)",
                "give each calendar its own id (it is part of the feed URL)",
            )
            if before.get(path) != out[path]:  # logged once, when it starts
                log.error("%s", out[path])
    return out
