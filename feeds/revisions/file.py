"""The revisions file: reading it (or saying exactly why not), writing it, resolving conflicts.

A file that cannot be read, holds git conflict markers, is cut short, is not
JSON, has the wrong shape, is a folder, or was written by a newer ``feeds`` is a
:class:`RevisionsError` carrying a located :class:`~feeds.errors.Problem`
(``path:line`` where the text has one) and the fix. It is never treated as
empty and never overwritten: a state read as empty would restart every SEQUENCE
at 0, and clients ignore an event whose SEQUENCE fell.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from feeds.errors import FeedsError, Problem
from feeds.revisions import history
from feeds.revisions.fingerprints import RevisionCache
from feeds.revisions.state import (
    MAX_CHANGES,
    MAX_SEQUENCE,
    VERSION,
    Change,
    Header,
    Revision,
    Revisions,
    merge,
)

MAX_BYTES = 64 * 1024 * 1024  # far above any real calendar; a bigger file is refused, not read
_MARKERS = ("<<<<<<<", "|||||||", "=======", ">>>>>>>")
RESTORE_HINT = "restore it from version control (git checkout -- {name}) or the last export"


class RevisionsError(FeedsError):
    """A revisions file that cannot be used; ``problem`` says where and what to do."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))


def read(path: Path, cache: RevisionCache | None = None) -> Revisions | None:
    """The stored revisions, or None if there is no file; :class:`RevisionsError` if it
    exists but cannot be used."""
    text = read_text(path)
    if text is None:
        return None
    last = cache.texts.get(str(path)) if cache is not None else None
    digest = text_digest(text) if cache is not None else ""
    if last is not None and last[0] == digest:
        return last[1]  # unchanged since the last read: a reload reads it on every edit
    revisions = parse(text, str(path))
    if cache is not None:
        cache.texts[str(path)] = (digest, revisions)  # Revisions are never changed once made
    return revisions


def text_digest(text: str) -> bytes:
    """What the cache keeps of a file's text to know it again (not the text: at thousands of
    calendars the texts were tens of megabytes)."""
    return hashlib.sha256(text.encode("utf-8")).digest()


def read_text(path: Path) -> str | None:
    """The file's text, None if there is none; :class:`RevisionsError` if unreadable."""
    name = str(path)
    problem = None
    try:
        if path.is_symlink() and path.parent.resolve() not in path.resolve().parents:
            problem = ("is a link out of the definitions folder", "make it a plain file")
        elif not path.exists() and not path.is_symlink():
            return None
        elif path.is_dir():
            problem = ("is a folder, not a file", RESTORE_HINT.format(name=path.name))
        elif path.stat().st_size > MAX_BYTES:
            problem = (f"is larger than {MAX_BYTES} bytes", RESTORE_HINT.format(name=path.name))
        else:
            data = path.read_bytes()
    except OSError as exc:
        problem = (f"cannot be read: {exc.strerror or exc}", "check its permissions")
    except (ValueError, RuntimeError) as exc:  # a link loop, an unresolvable name
        problem = (f"cannot be read: {exc}", "make it a plain file")
    if problem is not None:
        raise _error(name, 0, *problem)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _error(name, line, "is not UTF-8 text", RESTORE_HINT.format(name=path.name)) from None


def parse(text: str, name: str = "<revisions>") -> Revisions:
    """The revisions ``text`` holds; :class:`RevisionsError` naming the line if it is damaged."""
    conflict = conflict_line(text)
    if conflict:
        raise _error(
            name,
            conflict,
            "has a merge conflict (git's <<<<<<< ======= >>>>>>> markers)",
            "run 'feeds revise --resolve' to keep both sides (per event the higher SEQUENCE "
            "and the later time), or keep by hand the side with the higher sequences",
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        # a string that never closes runs to the end too (the cut fell inside it)
        cut = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        what = "ends before its JSON does (cut short?)" if cut else f"is not valid JSON ({exc.msg})"
        raise _error(name, exc.lineno, what, RESTORE_HINT.format(name=Path(name).name)) from None
    except RecursionError:
        raise _error(name, 1, "is nested too deeply", "restore it") from None
    except ValueError:  # a number of thousands of digits
        long = re.search(r"\d{100}", text)
        line = text.count("\n", 0, long.start()) + 1 if long else 1
        raise _error(name, line, "holds a number far too long", "restore it") from None
    return _shape(data, text, name)


def conflict_line(text: str) -> int:
    """The line of the first merge-conflict marker in ``text``, 0 if none."""
    found = _MARKER_LINE.search(text)  # one pass in C: a large file is read on every load
    return text.count("\n", 0, found.start()) + 1 if found else 0


_MARKER_LINE = re.compile("^(?:" + "|".join(re.escape(m) for m in _MARKERS) + ")", re.MULTILINE)


def resolve(text: str, name: str = "<revisions>") -> Revisions:
    """Both sides of a conflicted file merged: per event the entry with the higher
    SEQUENCE (then the later time), so nothing either side published falls back."""
    if not conflict_line(text):
        return parse(text, name)
    sides: list[list[str]] = [[], []]
    state = None  # None: both sides; 0: ours; 1: theirs; 2: the common base (diff3)
    for line in text.splitlines(keepends=True):
        if line.startswith("<<<<<<<"):
            state = 0
        elif line.startswith("|||||||") and state == 0:
            state = 2
        elif line.startswith("=======") and state in (0, 2):
            state = 1
        elif line.startswith(">>>>>>>") and state == 1:
            state = None
        elif state is None:
            sides[0].append(line)
            sides[1].append(line)
        elif state in (0, 1):
            sides[state].append(line)
    if state is not None:
        raise _error(
            name, len(text.splitlines()), "has a conflict that never ends", "fix it by hand"
        )
    ours, theirs = (parse("".join(side), f"{name} (side {i + 1})") for i, side in enumerate(sides))
    return merge(ours, theirs)


def _shape(data: object, text: str, name: str) -> Revisions:
    def fail(what: str, *keys: str) -> RevisionsError:
        return _error(name, _line_of(text, keys), what, RESTORE_HINT.format(name=Path(name).name))

    if not isinstance(data, dict):
        raise fail("is not a JSON object")
    version = data.get("version", 1)
    if type(version) is not int or version < 1:
        raise fail(f"has an unknown version {version!r}", "version")
    if version > VERSION:
        raise _error(
            name,
            _line_of(text, ("version",)),
            f"was written by a newer feeds (format {version}; this one knows up to {VERSION})",
            "upgrade feeds; this file is left as it is",
        )
    calendar = data.get("calendar", "")
    if not isinstance(calendar, str):
        raise fail("has a 'calendar' that is not text", "calendar")
    sections = {}
    for section in ("events", "removed", "history"):
        value = data.get(section, {})
        if not isinstance(value, dict):
            raise fail(f"has a '{section}' that is not an object", section)
        sections[section] = value
    events = {k: _revision(v, fail, "events", k) for k, v in sections["events"].items()}
    history = {k: _revision(v, fail, "history", k) for k, v in sections["history"].items()}
    removed = {}
    for key, value in sections["removed"].items():
        removed[key] = _time(value, fail, "removed", key)
    raw = data.get("header")
    header = None
    if raw is not None:
        if not isinstance(raw, dict):
            raise fail("has a 'header' that is not an object", "header")
        for key in ("content", "place"):
            if not isinstance(raw.get(key), str):
                raise fail(f"header: '{key}' is missing or not text", "header", key)
        modified = _time(raw.get("modified"), fail, "header", "modified")
        header = Header(raw["content"], raw["place"], modified)
    return Revisions(calendar, events, removed, history, header, version)


def _revision(value: object, fail, section: str, key: str) -> Revision:
    if not isinstance(value, dict):
        raise fail(f"{section}: '{key}' is not an object", section, key)
    sequence = value.get("sequence")
    if type(sequence) is not int or not 0 <= sequence <= MAX_SEQUENCE:
        raise fail(
            f"{section}: '{key}': sequence {sequence!r} is not a whole number from 0 to "
            f"{MAX_SEQUENCE}",
            section,
            key,
        )
    for field in ("schedule", "content"):
        if not isinstance(value.get(field), str):
            raise fail(f"{section}: '{key}': '{field}' is missing or not text", section, key)
    shown = value.get("shown")
    if shown is not None and not isinstance(shown, dict):
        raise fail(f"{section}: '{key}': 'shown' is not an object", section, key)
    changes = value.get("changes", [])
    if not isinstance(changes, list):
        raise fail(f"{section}: '{key}': 'changes' is not a list", section, key)
    return Revision(
        sequence,
        _time(value.get("created"), fail, section, key),
        _time(value.get("modified"), fail, section, key),
        value["schedule"],
        value["content"],
        "" if shown is None else history.canonical(shown),
        tuple(_change(c, fail, section, key) for c in changes)[-MAX_CHANGES:],
    )


def _change(value: object, fail, section: str, key: str) -> Change:
    where = f"{section}: '{key}': a change"
    if not isinstance(value, dict):
        raise fail(f"{where} is not an object", section, key)
    sequence, what, was = value.get("sequence"), value.get("what"), value.get("was")
    if type(sequence) is not int or not 0 <= sequence <= MAX_SEQUENCE:
        raise fail(f"{where} has a sequence {sequence!r} out of range", section, key)
    if what not in history.WHATS:
        raise fail(f"{where} is {what!r:.40}, not one of {', '.join(history.WHATS)}", section, key)
    if was is not None and not isinstance(was, dict):
        raise fail(f"{where} has a 'was' that is not an object", section, key)
    at = _time(value.get("at"), fail, section, key)
    return Change(at, sequence, what, "" if was is None else history.canonical(was))


_STAMP = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z")


def _time(value: object, fail, section: str, key: str) -> datetime:
    try:
        return parse_time(value)
    except (TypeError, ValueError, OverflowError):
        raise fail(
            f"{section}: '{key}': {value!r:.40} is not a time like 2026-01-31T23:59:00Z",
            section,
            key,
        ) from None


@lru_cache(maxsize=4096)  # a file repeats its times (every event added in one revise)
def parse_time(text: object) -> datetime:
    """A time as the file writes it (``2026-01-31T23:59:00Z``); ValueError otherwise."""
    match = _STAMP.fullmatch(text) if isinstance(text, str) else None
    if match:  # what iso_utc writes: read without strptime, which costs ~10x more
        return datetime(*map(int, match.groups()), tzinfo=UTC)
    if not isinstance(text, str):
        raise TypeError(text)
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _line_of(text: str, keys: tuple[str, ...]) -> int:
    """The line where the member at ``keys`` (section, event id, ...) starts, or 1."""
    pos = 0
    for key in keys:
        found = text.find(json.dumps(key, ensure_ascii=False) + ":", pos)
        if found < 0:
            found = text.find(json.dumps(key) + ":", pos)
        if found < 0:
            break
        pos = found
    return text.count("\n", 0, pos) + 1


def _error(name: str, line: int, message: str, hint: str) -> RevisionsError:
    return RevisionsError(Problem(name, line, message, hint))
