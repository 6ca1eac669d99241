"""One definition file as the store sees it: its state between polls, and loading it.

:func:`load` re-reads a file only when its stat (size, mtime, inode) or its
revisions file changed, parses it only when its bytes changed, leaves a file that
may still be being written for a later poll, and keeps the last good build when the
new version fails validation (see :mod:`feeds.serve.store`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from feeds import revisions, site
from feeds.config import Settings
from feeds.definitions import incremental, loader
from feeds.errors import FeedsError, Problem

log = logging.getLogger("feeds")

#: A file modified more recently than this may still be being written.
SETTLE_SECONDS = 0.25
#: Within this long of a file's mtime, an unchanged stat does not prove unchanged bytes
#: (timestamps are coarse), so the bytes are hashed again on the next poll.
RACY_SECONDS = 2.0


@dataclass
class FileState:
    """What the store knows about one definition file."""

    path: Path
    signature: tuple | None = None  # (mtime_ns, size, inode, ctime_ns) when last read
    revisions_signature: tuple | None = None
    racy: bool = False
    checked: str = ""  # digest of the bytes (and revisions) last checked
    build: site.CalendarBuild | None = None  # the last good one
    problems: tuple[Problem, ...] = ()  # of the last version checked
    read_problem: Problem | None = None  # the file could not be read
    loaded_at: datetime | None = None
    missing_since: float | None = None
    #: validated but not yet published: (calendar, bytes, problems); waits while another
    #: file declares the same calendar id (the store decides, see :func:`publish`)
    pending: tuple | None = None
    declared: str | None = None  # the calendar id of the last version that validated
    revisions_at: Path | None = None  # its revisions file
    cache: dict = field(default_factory=dict)  # rendered events (feeds.site)
    parse_cache: incremental.ParseCache = field(default_factory=incremental.ParseCache)
    revision_cache: revisions.RevisionCache = field(default_factory=revisions.RevisionCache)

    #: (the build, its revisions file): worked out once per build, not on every poll
    revisions_of: tuple | None = field(default=None, repr=False)

    @property
    def revisions_file(self) -> Path | None:
        if self.revisions_at is not None:
            return self.revisions_at
        if self.build is None:
            return None
        known = self.revisions_of
        if known is None or known[0] is not self.build:
            known = self.revisions_of = (self.build, revisions.revisions_path(self.build.calendar))
        return known[1]

    @property
    def claims(self) -> str | None:
        """The calendar id this file stands for: its last valid version's, else its build's."""
        if self.declared is not None:
            return self.declared
        return self.build.calendar.id if self.build is not None else None


def load(
    state: FileState,
    settings: Settings,
    *,
    write_revisions: bool,
    settle_seconds: float,
    wake: Callable[[float], None],
) -> bool:
    """Re-read ``state.path`` if it changed and publish it; True if it has a new good build.

    The store, which must first see every file's calendar id, calls :func:`read` and
    :func:`publish` itself; this is both in one, for a single file.
    """
    if not read(state, settle_seconds=settle_seconds, wake=wake):
        return False
    return publish(state, settings, write_revisions)


def read(
    state: FileState,
    *,
    settle_seconds: float,
    wake: Callable[[float], None],
) -> bool:
    """Re-read ``state.path`` if it changed; True if a new valid version is pending.

    ``wake(moment)`` asks the store to look again at ``moment`` (monotonic): when the
    file may still be being written, or changed while it was read.
    """
    signature = _stat(state.path)
    if signature is None:
        return False  # vanished since the listing: the next poll notices the removal
    revisions_file = state.revisions_file
    revisions_signature = _stat(revisions_file) if revisions_file else None
    if (
        signature == state.signature
        and revisions_signature == state.revisions_signature
        and not state.racy
    ):
        return False
    age = time.time() - signature[0] / 1e9
    if state.build is not None and 0 <= age < settle_seconds:
        wake(time.monotonic() + settle_seconds - age)
        return False  # may still be being written; the last good version stays
    try:
        data = loader.read_bytes(state.path)  # bounded; never blocks on a FIFO
    except OSError as exc:
        problem = Problem(
            str(state.path),
            0,
            f"cannot read the file: {exc.strerror or exc}",
            "check its permissions",
        )
        if state.read_problem != problem:
            log.error("%s", problem)
        state.read_problem = problem
        return False
    if state.read_problem is not None:
        log.info("%s: readable again", state.path)
        state.read_problem = None
    if _stat(state.path) != signature:
        wake(time.monotonic() + settle_seconds)
        return False  # changed while being read: read it again later
    state.signature = signature
    state.revisions_signature = revisions_signature
    state.racy = age < RACY_SECONDS
    revisions_text = _read_text(revisions_file) if revisions_file else ""
    checked = _digest(data, revisions_text)
    if checked == state.checked:
        return False
    state.checked = checked
    return _check(state, data)


def _check(state: FileState, data: bytes) -> bool:
    """Validate ``data`` (new bytes of ``state.path``); True if it is pending publication."""
    calendar, problems = loader.check_text(data, str(state.path), state.parse_cache)
    state.pending = None
    if calendar is None:
        state.declared = None
        state.problems = tuple(problems)
        for problem in problems:
            (log.error if problem.severity == "error" else log.warning)("%s", problem)
        if state.build is not None:
            log.error(
                "%s: not published; still serving the last good version of '%s' (%s)",
                state.path,
                state.build.calendar.id,
                state.build.version[:12],
            )
        return False
    state.declared = calendar.id
    state.revisions_at = revisions.revisions_path(calendar)
    state.pending = (calendar, data, tuple(problems))
    return True


def publish(state: FileState, settings: Settings, write_revisions: bool) -> bool:
    """Record the pending version's revisions and render it; True if it is a new good build.

    A revisions file that cannot be read or written leaves the last good build served
    and the file untouched; the next poll tries again. ``floor`` is what was served:
    a revisions file lost or replaced by an older one cannot lower a SEQUENCE.
    """
    if state.pending is None:
        return False
    calendar, data, problems = state.pending
    served = state.build
    floor = served.revisions if served and served.calendar.id == calendar.id else None
    try:
        revs = revisions.update(
            calendar, write=write_revisions, cache=state.revision_cache, floor=floor
        )
    except FeedsError as exc:  # the revisions file (RevisionsError) or SOURCE_DATE_EPOCH
        problem = getattr(exc, "problem", None) or Problem(str(state.path), 0, str(exc))
        if state.problems != (problem,):
            log.error("%s", problem)
            if served is not None:
                log.error(
                    "%s: not published; still serving the last good version of '%s'",
                    state.path,
                    served.calendar.id,
                )
        state.problems = (problem,)
        state.signature, state.checked = None, ""  # look again: a fix may not touch the file
        return False
    state.pending = None
    text = revisions.dumps(revs, state.revision_cache)
    version = hashlib.sha256(data + text.encode()).hexdigest()
    # the text was for writing and this digest: not kept (per event, its pieces are)
    state.revision_cache.dumped.clear()
    build = site.render_calendar(calendar, revs, settings, state.cache, version)
    state.build = build
    state.problems = tuple(problems)
    state.loaded_at = datetime.now(UTC).replace(microsecond=0)
    # Remember the revisions file as it is after our own update, so our
    # write does not count as an edit but another worker's later one does.
    written = revisions.revisions_path(calendar)
    state.revisions_signature = _stat(written)
    state.checked = _digest(data, _read_text(written))
    log.info(
        "%s: loaded calendar '%s' (%d events, version %s)",
        state.path,
        calendar.id,
        len(calendar.events),
        version[:12],
    )
    return True


def _stat(path: Path | None) -> tuple | None:
    if path is None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    # ctime too: utime cannot set it, so an edit whose mtime was forced back (cp -p, Nix's
    # mtime 1) to the old value with the same size is still noticed
    return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)


def _digest(data: bytes, revisions_text: str) -> str:
    return hashlib.sha256(data + b"\0" + revisions_text.encode("utf-8")).hexdigest()


def _read_text(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
