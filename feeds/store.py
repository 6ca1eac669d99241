"""The live site: loads definitions, notices edits, and never serves a broken feed.

A :class:`Store` holds the current :class:`~feeds.site.Site` and swaps in a new
one, whole, when a definition file changes. A request reads the reference once
and gets one consistent version of every feed. A file that fails validation is
logged and reported by :meth:`Store.health`, and the last good version of its
calendar keeps being served. Only changed files are re-parsed, and only
changed events are re-rendered.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import loader, revisions, site
from .config import Settings
from .errors import Problem

log = logging.getLogger("feeds")


@dataclass
class FileState:
    path: Path
    signature: tuple = ()
    digest: str = ""
    build: site.CalendarBuild | None = None  # the last good one
    problems: tuple[Problem, ...] = ()
    loaded_at: datetime | None = None
    checked_digest: str = ""
    cache: dict = field(default_factory=dict)

    @property
    def revisions_file(self) -> Path | None:
        if self.build is None:
            return None
        return revisions.revisions_path(self.build.calendar)


class Store:
    def __init__(self, settings: Settings, *, write_revisions: bool = True):
        self.settings = settings
        self.folder = Path(settings.events_dir)
        self.write_revisions = write_revisions
        self._files: dict[Path, FileState] = {}
        self._lock = threading.Lock()
        self._next_check = 0.0
        self._folder_problem: Problem | None = None
        self._site = site.assemble([], settings)
        self.refresh()

    # reading ---------------------------------------------------------------

    @property
    def site(self) -> site.Site:
        """The current site, after looking for edits if the reload interval has passed."""
        interval = self.settings.reload_seconds
        if interval > 0 and time.monotonic() >= self._next_check:
            self.refresh()
        return self._site

    def problems(self) -> list[Problem]:
        out = [p for f in self._files.values() for p in f.problems]
        if self._folder_problem:
            out.append(self._folder_problem)
        return sorted(out)

    def errors(self) -> list[Problem]:
        return [p for p in self.problems() if p.severity == "error"]

    # loading -----------------------------------------------------------------

    def refresh(self) -> bool:
        """Look for changed, added and removed files; True if the site changed."""
        if not self._lock.acquire(blocking=False):
            return False  # another thread is refreshing; serve the current site
        try:
            self._next_check = time.monotonic() + self.settings.reload_seconds
            return self._refresh()
        finally:
            self._lock.release()

    def _refresh(self) -> bool:
        try:
            paths = loader.definition_files(self.folder)
            self._folder_problem = None
        except OSError as exc:
            # A folder that is briefly unreadable (a deploy swapping it) keeps
            # every calendar as it was.
            problem = Problem(str(self.folder), 0, f"cannot read the folder: {exc.strerror}", "check the path and permissions")
            if problem != self._folder_problem:
                log.error("%s", problem)
            self._folder_problem = problem
            return False
        changed = False
        for gone in set(self._files) - set(paths):
            log.info("%s: removed; its calendar is no longer served", gone)
            del self._files[gone]
            changed = True
        for path in paths:
            state = self._files.setdefault(path, FileState(path))
            changed |= self._load(state)
        changed |= self._check_duplicate_ids()
        if changed:
            builds = [f.build for f in self._files.values() if f.build is not None]
            self._site = site.assemble(builds, self.settings)
        return changed

    def _load(self, state: FileState) -> bool:
        signature = _signature(state.path, state.revisions_file)
        if signature == state.signature:
            return False
        try:
            data = state.path.read_bytes()
        except OSError as exc:
            state.problems = (Problem(str(state.path), 0, f"cannot read the file: {exc.strerror}", "check its permissions"),)
            log.error("%s", state.problems[0])
            return False
        state.signature = signature
        digest = hashlib.sha256(data).hexdigest()
        revisions_file = state.revisions_file
        revisions_text = _read_text(revisions_file) if revisions_file else ""
        combined = hashlib.sha256(data + revisions_text.encode()).hexdigest()
        if combined == state.checked_digest:
            return False
        calendar, problems = loader.check_text(data, str(state.path))
        state.problems = tuple(problems)
        state.checked_digest = combined
        if calendar is None:
            for problem in problems:
                log.error("%s", problem)
            if state.build is not None:
                log.error("%s: still serving the last good version (%s)", state.path, state.build.version[:12])
            return False
        revs = revisions.update(calendar, write=self.write_revisions)
        version = hashlib.sha256(data + revisions.dumps(revs).encode()).hexdigest()
        state.build = site.render_calendar(calendar, revs, self.settings, state.cache, version)
        state.digest = digest
        state.loaded_at = datetime.now(UTC).replace(microsecond=0)
        # the revisions file may just have been written: remember it as seen
        state.signature = _signature(state.path, revisions.revisions_path(calendar))
        state.checked_digest = hashlib.sha256(data + _read_text(revisions.revisions_path(calendar)).encode()).hexdigest()
        log.info("%s: loaded calendar '%s' (%d events, version %s)", state.path, calendar.id, len(calendar.events), version[:12])
        return True

    def _check_duplicate_ids(self) -> bool:
        seen: dict[str, FileState] = {}
        changed = False
        for path in sorted(self._files):
            state = self._files[path]
            if state.build is None:
                continue
            cal_id = state.build.calendar.id
            if cal_id in seen:
                problem = Problem(str(path), 1, f"calendar id '{cal_id}' is also used by {seen[cal_id].path}", "give each calendar its own id")
                log.error("%s", problem)
                state.problems = (*state.problems, problem)
                state.build = None
                state.checked_digest = ""
                changed = True
            else:
                seen[cal_id] = state
        return changed

    # reporting ---------------------------------------------------------------

    def health(self) -> tuple[dict, int]:
        """``(json, status)``: 200 while every definition has a good version served, else 503."""
        calendars = []
        unserved = []
        for path in sorted(self._files):
            state = self._files[path]
            errors = [str(p) for p in state.problems if p.severity == "error"]
            if state.build is None:
                unserved.append(str(path))
            calendars.append(
                {
                    "file": str(path),
                    "id": state.build.calendar.id if state.build else None,
                    "version": state.build.version if state.build else None,
                    "loaded_at": state.loaded_at.strftime("%Y-%m-%dT%H:%M:%SZ") if state.loaded_at else None,
                    "events": len(state.build.events) if state.build else 0,
                    "serving": "last good version" if errors and state.build else ("current" if state.build else "nothing"),
                    "errors": errors,
                }
            )
        errors = [str(p) for p in self.errors()]
        healthy = bool(self._files) and not unserved
        body = {
            "status": "ok" if healthy and not errors else ("degraded" if healthy else "failing"),
            "calendars": calendars,
            "errors": errors,
        }
        return body, 200 if healthy else 503


def _signature(path: Path, revisions_file: Path | None) -> tuple:
    out = []
    for p in (path, revisions_file):
        if p is None:
            continue
        try:
            st = p.stat()
            out.append((st.st_mtime_ns, st.st_size, st.st_ino))
        except OSError:
            out.append(None)
    return tuple(out)


def _read_text(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
