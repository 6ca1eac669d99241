"""Turning definition files into the model, reporting every problem at once.

``load_file`` and ``load_text`` read one calendar; ``load_folder`` reads every
``*.yaml`` / ``*.yml`` in a folder. Each problem found becomes a located
:class:`~feeds.errors.Problem`; if any is an error, a
:class:`~feeds.errors.DefinitionError` carrying all of them is raised, so one
run of ``feeds validate`` shows everything to fix. The checks themselves are in
:mod:`feeds.definitions.builder` and the modules it builds on; the limits they
enforce are importable from here too.
"""

from __future__ import annotations

import os

from feeds.definitions import incremental
from feeds.definitions.builder import (  # noqa: F401  (the limits, importable from here)
    CALENDAR_KEYS,
    EVENT_KEYS,
    MAX_EVENTS,
    MAX_TAGS,
    RESERVED_CALENDAR_IDS,
    Builder,
    check_with,
)
from feeds.definitions.checks import MAX_DESCRIPTION, MAX_TEXT, MAX_URL  # noqa: F401
from feeds.definitions.files import Listing, definition_files, read_bytes
from feeds.definitions.repeats import (  # noqa: F401
    MAX_CALENDAR_OCCURRENCES,
    MAX_INTERVAL,
    MAX_OCCURRENCES,
    REPEAT_KEYS,
)
from feeds.definitions.times import MAX_YEAR, MIN_YEAR  # noqa: F401
from feeds.errors import DefinitionError, Problem
from feeds.model import Calendar, url_key

__all__ = [
    "check_file",
    "check_folder",
    "check_text",
    "check_with",
    "Listing",
    "definition_files",
    "duplicate_calendar_ids",
    "load_file",
    "load_folder",
    "load_text",
    "read_bytes",
]


def load_file(path: str | os.PathLike) -> Calendar:
    """Load one definition file; raise :class:`DefinitionError` with every problem."""
    calendar, problems = check_file(path)
    _raise_errors(problems)
    assert calendar is not None
    return calendar


def load_text(text: str | bytes, path: str = "<text>") -> Calendar:
    """Load a definition given as text; ``path`` names it in messages and gives the default id."""
    calendar, problems = check_text(text, path)
    _raise_errors(problems)
    assert calendar is not None
    return calendar


def check_file(path: str | os.PathLike) -> tuple[Calendar | None, list[Problem]]:
    """Load one file; return the calendar (None if it has errors) and all problems."""
    name = str(path)
    try:
        data = read_bytes(path)
    except OSError as exc:
        return None, [
            Problem(
                name, 0, f"cannot read the file: {exc.strerror}", "check it exists and is readable"
            )
        ]
    return check_text(data, name)


def check_text(
    text: str | bytes, path: str, cache: incremental.ParseCache | None = None
) -> tuple[Calendar | None, list[Problem]]:
    """Like :func:`check_file` for text already read.

    With a ``cache`` (one per file, kept between calls), only the events whose
    text changed since the last good version are parsed again; the result is
    the same (see :mod:`feeds.definitions.incremental`).
    """
    if cache is not None:
        return incremental.check_text(text, path, cache)
    calendar, problems, _ = check_with(Builder(path), text)
    return calendar, problems


def load_folder(folder: str | os.PathLike) -> list[Calendar]:
    """Load every definition in ``folder``; raise one error listing all problems."""
    calendars, problems = check_folder(folder)
    _raise_errors(problems)
    return calendars


def check_folder(folder: str | os.PathLike) -> tuple[list[Calendar], list[Problem]]:
    """Load every definition file in ``folder``; calendars that load, and all problems."""
    calendars: list[Calendar] = []
    problems: list[Problem] = []
    try:
        files = definition_files(folder)
    except OSError as exc:
        return [], [
            Problem(str(folder), 0, f"cannot read the folder: {exc.strerror}", "check the path")
        ]
    if not files:
        problems.append(
            Problem(str(folder), 0, "no definition files (*.yaml) found", "add a calendar file")
        )
    for path in files:
        calendar, found = check_file(path)
        problems.extend(found)
        if calendar is not None:
            calendars.append(calendar)
    problems.extend(duplicate_calendar_ids(calendars))
    return calendars, problems


def duplicate_calendar_ids(calendars: list[Calendar]) -> list[Problem]:
    seen: dict[str, Calendar] = {}  # url_key -> the first calendar with it
    out = []
    for cal in calendars:
        first = seen.get(url_key(cal.id))
        if first is None:
            seen[url_key(cal.id)] = cal
            continue
        same = "" if first.id == cal.id else f" (as '{first.id}': ids differing in case collide)"
        out.append(
            Problem(
                cal.path,
                1,
                f"calendar id '{cal.id}' is also used by {first.path}{same}",
                "give each calendar its own id (it is part of the feed URL)",
            )
        )
    return out


def _raise_errors(problems: list[Problem]) -> None:
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DefinitionError(errors)
