"""Imported calendars written into a definitions folder, keeping the ids subscribers hold.

An event's id is its UID in every subscriber's calendar, so an import over a folder it
wrote before reuses the ids there: an event is matched to the previous one with the same
kind of deadline and title and time, then the same title (a deadline moved), then the
same time (a deadline renamed); only what matches nothing gets a new id, and never one the
calendar used before (its revisions file remembers removed events). A file is rewritten
only when its bytes change, atomically, and only if an import wrote it: a file without
the marker line is somebody's own and is left alone. Each written file is checked with
the definitions loader, so what does not validate is reported at once.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from feeds import revisions
from feeds.definitions import files, loader, yamlsource
from feeds.definitions.yamlsource import Located
from feeds.errors import Problem
from feeds.importers.emit import Document, Entry, dumps
from feeds.importers.hf_ai_deadlines import Conference, Conversion, Draft

MARKER = "Imported by `feeds import {format}`"


@dataclass(frozen=True)
class Previous:
    """An event of the file as the last import wrote it."""

    id: str
    title: str
    due: str


@dataclass
class Outcome:
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    refused: list[Path] = field(default_factory=list)
    invalid: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def write(conversion: Conversion, out: Path, fmt: str) -> Outcome:
    """Write every converted calendar into ``out`` (created if missing)."""
    outcome = Outcome()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        problem = Problem(str(out), 0, f"cannot make the folder: {exc.strerror or exc}", "")
        outcome.problems.append(problem)
        return outcome
    for conf in conversion.conferences:
        path = out / f"{conf.calendar_id}.yaml"
        try:
            _write_one(conf, path, fmt, outcome)
        except OSError as exc:
            outcome.refused.append(path)
            outcome.problems.append(
                Problem(str(path), 0, f"cannot write: {exc.strerror or exc}", "check the folder")
            )
    return outcome


def _write_one(conf: Conference, path: Path, fmt: str, outcome: Outcome) -> None:
    """One calendar into ``path``: refused, unchanged or written (each noted in ``outcome``)."""
    previous = read_previous(path, fmt)
    if previous is None:
        outcome.refused.append(path)
        outcome.problems.append(
            Problem(
                str(path),
                1,
                f"exists and was not written by an import: not replaced by '{conf.source_id}'",
                f"move it away, or start it with '# {MARKER.format(format=fmt)}' to let "
                "imports replace it",
            )
        )
        return
    ids = assign(conf.drafts, previous, retired_ids(path, conf.calendar_id))
    text = dumps(document(conf, ids, fmt))
    _, problems = loader.check_text(text, str(path))
    errors = [p for p in problems if p.severity == "error"]
    outcome.problems.extend(errors)
    if errors:
        outcome.invalid.append(path)
    data = text.encode("utf-8")
    if _current_bytes(path) == data:
        outcome.unchanged.append(path)
        return
    _replace(path, data)
    outcome.written.append(path)


def document(conf: Conference, ids: list[str], fmt: str) -> Document:
    first, last = conf.lines
    quoted = f" ('{conf.source_id}')" if conf.source_id else ""
    header = [
        MARKER.format(format=fmt) + f" from {conf.source}, lines {first}-{last}{quoted}.",
        "A new import rewrites this file: edit the source, or delete this header to keep edits.",
        "The source entry, every value as written (the import reports what it could not map):",
        "",
        *(f"  {line}" for line in conf.raw_lines),
    ]
    events = [
        Entry([("id", event_id), *draft.pairs], draft.comments)
        for event_id, draft in zip(ids, conf.drafts, strict=True)
    ]
    return Document(header, conf.calendar, events)


def assign(drafts: list[Draft], previous: list[Previous], retired: set[str]) -> list[str]:
    """Each draft's id: the matching previous event's, else its base made unique."""
    result: list[str | None] = [None] * len(drafts)
    unused = list(previous)
    keys = (
        lambda base, title, due: (base, title, due),
        lambda base, title, due: (base, title),
        lambda base, title, due: (base, due),
    )
    for key in keys:
        for index, draft in enumerate(drafts):
            if result[index] is not None:
                continue
            wanted = key(draft.base, draft.title, draft.due)
            for prev in unused:
                if (
                    _has_base(prev.id, draft.base)
                    and key(draft.base, prev.title, prev.due) == wanted
                ):
                    result[index] = prev.id
                    unused.remove(prev)
                    break
    taken = {p.id.casefold() for p in previous} | {r.casefold() for r in retired}
    taken |= {r.casefold() for r in result if r is not None}
    for index, draft in enumerate(drafts):
        if result[index] is None:
            number, candidate = 2, draft.base
            while candidate.casefold() in taken:
                candidate, number = f"{draft.base}-{number}", number + 1
            taken.add(candidate.casefold())
            result[index] = candidate
    return [r for r in result if r is not None]


def _has_base(event_id: str, base: str) -> bool:
    return event_id == base or re.fullmatch(re.escape(base) + r"-\d+", event_id) is not None


def read_previous(path: Path, fmt: str) -> list[Previous] | None:
    """The events of ``path`` as an import wrote them; [] if absent; None if not an import's."""
    data = _current_bytes(path)
    if data is None:
        return []
    if not data.startswith(f"# {MARKER.format(format=fmt)}".encode()):
        return None
    parsed, _ = yamlsource.read(data, str(path))
    events = parsed.get("events") if isinstance(parsed, Located) else None
    out = []
    for raw in events if isinstance(events, list) else []:
        if not isinstance(raw, Located) or raw.get("id") is None:
            continue
        if "due" in raw:
            due = f"{_text(raw.get('due'))} {_text(raw.get('timezone'))}"
        else:
            start = _text(raw.get("start"))
            due = f"{start}/{_text(raw.get('end')) or start}"
        out.append(Previous(str(raw.as_written("id")), _text(raw.get("title")), due))
    return out


def retired_ids(path: Path, calendar_id: str) -> set[str]:
    """Every event id the calendar's revisions file knows, removed ones included."""
    stored = revisions.read(path.with_name(f"{calendar_id}.revisions.json"))
    if stored is None:
        return set()
    return set(stored.events) | set(stored.removed) | set(stored.history)


def _text(value: object) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def _current_bytes(path: Path) -> bytes | None:
    try:
        return files.read_bytes(path)
    except FileNotFoundError:
        return None


def _replace(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` in one step: a reader sees the old file or the new one."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
