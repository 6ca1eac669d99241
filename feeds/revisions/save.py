"""Writing the revisions file: its exact text, and the locked read-reconcile-write.

:func:`update` is what ``feeds revise``, ``feeds build`` and the server call. It
never writes over a file it could not read (see :mod:`feeds.revisions.file`),
and a change it cannot record is an error, not a revision kept in memory: a
time that was never written down would differ between workers and restarts.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from feeds.errors import ConfigError, Problem
from feeds.model import Calendar
from feeds.revisions.file import RevisionsError, read, text_digest
from feeds.revisions.fingerprints import RevisionCache
from feeds.revisions.reconcile import reconcile
from feeds.revisions.state import Change, Revision, Revisions, merge
from feeds.timefmt import iso_utc


def revisions_path(calendar: Calendar) -> Path:
    return Path(calendar.path).with_name(f"{calendar.id}.revisions.json")


def dumps(revisions: Revisions, cache: RevisionCache | None = None) -> str:
    """The file's text: what ``json.dumps(as_json(revisions), indent=1, ensure_ascii=False)`` gives.

    Written out directly, because the standard library indents JSON in pure
    Python (0.15 s for 10,000 events, on every reload); the tests hold the two
    equal. With a cache, the last result is kept (a reload writes and then hashes the
    same one), and so is each event's member of the file, for the next write.
    """
    if cache is None:
        return _dumps(revisions, {}, {})
    last = cache.dumped.get(revisions.calendar)
    if last is not None and last[0] is revisions:
        return last[1]
    entries: dict[tuple[str, str], tuple[Revision, str]] = {}
    text = _dumps(revisions, cache.entries.get(revisions.calendar, {}), entries)
    if len(revisions.events) > KEEP_ENTRIES_ABOVE:
        cache.entries[revisions.calendar] = entries
    else:  # written whole in a few milliseconds: not worth its memory at thousands of them
        cache.entries.pop(revisions.calendar, None)
    cache.dumped[revisions.calendar] = (revisions, text)
    return text


#: A calendar's members of the file are kept for its next write only past this many events.
KEEP_ENTRIES_ABOVE = 200


def _dumps(revisions: Revisions, prior: dict, entries: dict) -> str:
    q = _json_string
    events = [
        _entry_json(key, r, ("events", key), prior, entries)
        for key, r in sorted(revisions.events.items())
    ]
    removed = [f"  {q(key)}: {q(iso_utc(t))}" for key, t in sorted(revisions.removed.items())]
    history = [
        _entry_json(key, r, ("history", key), prior, entries)
        for key, r in sorted(revisions.history.items())
    ]
    h = revisions.header
    header = (
        "null"
        if h is None
        else (
            f'{{\n  "content": {q(h.content)},\n  "place": {q(h.place)},\n'
            f'  "modified": {q(iso_utc(h.modified))}\n }}'
        )
    )
    version = "" if revisions.version < 2 else f' "version": {int(revisions.version)},\n'
    return (
        f"{{\n{version}"
        f' "calendar": {q(revisions.calendar)},\n'
        f' "events": {_json_object(events)},\n'
        f' "removed": {_json_object(removed)},\n'
        f' "history": {_json_object(history)},\n'
        f' "header": {header}\n}}\n'
    )


def as_json(revisions: Revisions) -> dict:
    """The revisions as the JSON object the file holds."""
    version = {} if revisions.version < 2 else {"version": revisions.version}
    return {
        **version,
        "calendar": revisions.calendar,
        "events": {key: _entry_as_json(r) for key, r in sorted(revisions.events.items())},
        "removed": {key: iso_utc(t) for key, t in sorted(revisions.removed.items())},
        "history": {key: _entry_as_json(r) for key, r in sorted(revisions.history.items())},
        "header": None
        if revisions.header is None
        else {
            "content": revisions.header.content,
            "place": revisions.header.place,
            "modified": iso_utc(revisions.header.modified),
        },
    }


def _entry_as_json(r: Revision) -> dict:
    out: dict = {
        "sequence": r.sequence,
        "created": iso_utc(r.created),
        "modified": iso_utc(r.modified),
        "schedule": r.schedule,
        "content": r.content,
    }
    out.update(_log_as_json(r))
    return out


def _log_as_json(r: Revision) -> dict:
    """The change log members of an entry (version 3): left out when empty."""
    out: dict = {}
    if r.shown:
        out["shown"] = json.loads(r.shown)
    if r.changes:
        out["changes"] = [_change_as_json(c) for c in r.changes]
    return out


def _change_as_json(c: Change) -> dict:
    out: dict = {"at": iso_utc(c.at), "sequence": c.sequence, "what": c.what}
    if c.was:
        out["was"] = json.loads(c.was)
    return out


_json_string = json.encoder.encode_basestring  # json.dumps's own, for ensure_ascii=False


def _entry_json(key: str, r: Revision, slot: tuple[str, str], prior: dict, entries: dict) -> str:
    """One event's member of the file, reused from ``prior`` when the revision is the same."""
    memo = prior.get(slot)
    if memo is not None and memo[0] is r:
        entries[slot] = memo
        return memo[1]
    q = _json_string
    text = (
        f"  {q(key)}: {{\n"
        f'   "sequence": {int.__repr__(r.sequence)},\n'
        f'   "created": {q(iso_utc(r.created))},\n'
        f'   "modified": {q(iso_utc(r.modified))},\n'
        f'   "schedule": {q(r.schedule)},\n'
        f'   "content": {q(r.content)}'
    )
    log = _log_as_json(r)
    if log:  # nested values: as json.dumps indents them, three spaces in
        for name, value in log.items():
            nested = json.dumps(value, indent=1, ensure_ascii=False).replace("\n", "\n   ")
            text += f",\n   {q(name)}: {nested}"
    text += "\n  }"
    entries[slot] = (r, text)
    return text


def _json_object(members: list[str]) -> str:
    return "{\n" + ",\n".join(members) + "\n }" if members else "{}"


def update(
    calendar: Calendar,
    now: datetime | None = None,
    write: bool = True,
    cache: RevisionCache | None = None,
    floor: Revisions | None = None,
) -> Revisions:
    """Reconcile with the file beside the definition and (if ``write``) save the result.

    ``now`` is the time a change is recorded at (default: ``SOURCE_DATE_EPOCH`` or the
    clock; without ``write``, the definition's mtime, so processes that cannot record
    agree); it never moves a revision back (:func:`feeds.revisions.state.next_time`).
    ``floor`` is a state already published (what the server last served): if the file
    is missing or holds less (lost, or replaced by an older copy), the two are merged
    so no SEQUENCE falls and no time goes back, and the merged state is written.

    Safe with several processes: the read-reconcile-write runs under an exclusive
    lock, so when two server workers notice the same edit, the second finds the
    first one's result and both serve the same revision. Raises
    :class:`RevisionsError` if the file cannot be read, or if a change cannot be
    written (with ``write``); the file is then left as it was.
    """
    path = revisions_path(calendar)
    with _locked(path, write) as unlocked:
        stored = read(path, cache)
        if stored is not None and stored.calendar not in ("", calendar.id):
            raise RevisionsError(
                Problem(
                    str(path),
                    0,
                    f"holds the revisions of calendar '{stored.calendar}', not '{calendar.id}'",
                    "restore this calendar's own file, or delete it if the calendar is new",
                )
            )
        base = stored
        if floor is not None and (stored is None or behind(stored, floor)):
            base = floor if stored is None else merge(stored, floor)
        # Not written down, a change's time must still be the same in every process:
        # the definition's mtime (clamped after the recorded times like any other).
        fresh = reconcile(
            calendar, base, now or (recording_time() if write else _edited_at(calendar)), cache
        )
        if fresh is stored or not write:
            return fresh
        text = dumps(fresh, cache)
        reason = unlocked or _write_atomic(path, text)
        if reason and stored is not None and same_times(stored, fresh):
            return fresh  # only new fingerprints (an upgrade): the same bytes, written later
        if reason:
            raise _unwritable(path, reason)
        if cache is not None:
            cache.texts[str(path)] = (text_digest(text), fresh)  # what the next read() finds
    return fresh


def write(path: Path, revisions: Revisions) -> None:
    """Write ``revisions`` to ``path`` under the lock (``feeds revise --resolve``)."""
    with _locked(path) as unlocked:
        reason = unlocked or _write_atomic(path, dumps(revisions))
    if reason:
        raise _unwritable(path, reason)


def recording_time() -> datetime:
    """When a change is recorded: ``SOURCE_DATE_EPOCH`` if set (reproducible builds),
    else the clock. Either way no revision goes back (:func:`reconcile`)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return datetime.now(UTC)
    if not epoch.isdigit() or len(epoch) > 11:
        raise ConfigError(
            f"SOURCE_DATE_EPOCH={epoch[:40]!r} is not a whole number of seconds since 1970"
        )
    return datetime.fromtimestamp(int(epoch), UTC)


def _edited_at(calendar: Calendar) -> datetime:
    try:
        return datetime.fromtimestamp(int(os.stat(calendar.path).st_mtime), UTC)
    except (OSError, ValueError, OverflowError):
        return datetime.now(UTC)


def same_times(a: Revisions, b: Revisions) -> bool:
    """Whether ``a`` and ``b`` record the same revisions, fingerprints aside: what a
    fingerprint upgrade changes, and nothing a subscriber sees."""

    def plain(state: Revisions) -> tuple:
        def entries(table):
            return {k: (r.sequence, r.created, r.modified) for k, r in table.items()}

        header = state.header.modified if state.header is not None else None
        return (entries(state.events), entries(state.history), state.removed, header)

    return plain(a) == plain(b)


def behind(stored: Revisions, floor: Revisions) -> bool:
    """Whether ``floor`` knows a higher SEQUENCE or a later time than ``stored``."""
    if floor.clock > stored.clock:
        return True
    mine = stored.sequences()
    return any(seq > mine.get(key, -1) for key, seq in floor.sequences().items())


def _unwritable(path: Path, reason: str) -> RevisionsError:
    return RevisionsError(
        Problem(
            str(path),
            0,
            f"cannot be written ({reason}): the change is not published",
            "make the file and its folder writable, or run 'feeds revise' where they are and "
            "deploy the file with the definition",
        )
    )


@contextlib.contextmanager
def _locked(path: Path, write: bool = True):
    lock_path = path.with_name(f".{path.name}.lock")
    if not write and not lock_path.exists():
        yield "not locked"  # a reader only: no lock file made in a folder that may be read-only
        return
    try:  # never through a symlink: a link planted there must not create a file elsewhere
        fd = os.open(lock_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o644)
        handle = open(fd, "a")
    except OSError as exc:
        yield f"its lock file {lock_path.name} cannot be opened: {exc.strerror or exc}"
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield ""
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_atomic(path: Path, text: str) -> str:
    """Replace ``path`` by ``text`` in one rename; the reason if it could not be written."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        return exc.strerror or str(exc)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return exc.strerror or str(exc)
    return ""
