"""Independent iCalendar parsers behind one API: what each of them reads from the same bytes.

They stand in for calendar clients (docs/compatibility.md), so every one reads the file its own
way and expands recurrences with its own machinery, one record per occurrence:

========================  ===================================================================
``icalendar``             ``Calendar.from_ical``; RRULE/RDATE/EXDATE through ``dateutil.rrule``
                          (icalendar has no expansion of its own), overrides matched here
``vobject``               ``readOne``; ``getrruleset(addRDate=True)``, overrides matched here
``ical``                  Home Assistant's strict reader; its ``calendar_timeline`` per series
                          (it leaves out DTSTART of a series made of RDATEs alone)
``recurring-ical-events`` icalendar's reading, expanded by ``recurring_ical_events.of``
``ical.js``               Thunderbird's parser via ``js/parse.mjs``; ``Event.iterator``, told
                          no time zone but the file's VTIMEZONEs
``node-ical``             via ``js/parse.mjs``; ``expandRecurringEvent`` (RRULE only: node-ical
                          ignores RDATE)
========================  ===================================================================

Times come back as UTC instants, all-day values as dates (end exclusive). The Python parsers
and node-ical take a known TZID from the tz database; only ical.js needs the file's VTIMEZONE.
A time the parser found no zone for is floating: it is read as if it were UTC and flagged.
``end`` is None only where the parser states no end (vobject, for an event with neither DTEND
nor DURATION). Without a span each series gives its first 5000 occurrences; with one, the
occurrences starting inside it. Each occurrence also carries SEQUENCE, LOCATION and DESCRIPTION
as the parser reads them. :func:`parse_many` reads several files at once, the JavaScript
parsers in one node process.
"""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Mapping

from feeds.doctor.budget import Budget as _Budget
from feeds.doctor.budget import Spent as _Spent
from feeds.doctor.node import _read_many_with_node, _read_with_node, node_modules
from feeds.doctor.parsed import (
    _MODULES,
    _NPM,
    CAP,
    MAX_OCCURRENCES,
    PARSERS,
    SLACK,
    K,
    ParsedEvent,
    ParserFailed,
    Span,
    TooManyOccurrences,
    Value,
    _in_span,
    _order,
    _utc_span,
)
from feeds.doctor.readers import (
    _read_ical,
    _read_icalendar,
    _read_recurring_ical_events,
    _read_vobject,
)

__all__ = [
    "CAP",
    "MAX_OCCURRENCES",
    "PARSERS",
    "SLACK",
    "ParsedEvent",
    "ParserFailed",
    "Span",
    "TooManyOccurrences",
    "Value",
    "available",
    "node_modules",
    "parse",
    "parse_many",
]


def available(name: str) -> tuple[bool, str]:
    """Whether parser ``name`` can run here, and if not, why and what to install."""
    if name in _MODULES:
        if importlib.util.find_spec(_MODULES[name]) is None:
            return False, f"Python package {name} is not installed (pip install -e '.[check]')"
        return True, ""
    if name not in _NPM:
        return False, f"unknown parser {name!r}; known: {', '.join(PARSERS)}"
    if shutil.which("node") is None:
        return False, "node is not on PATH (install Node.js 20 or later)"
    package = node_modules() / _NPM[name][1] / "package.json"
    if not package.is_file():
        return False, f"npm package {_NPM[name][1]} is not in {node_modules()} (run npm ci)"
    return True, ""


def parse(
    name: str, data: bytes, span: Span | None = None, budget: int | None = None
) -> list[ParsedEvent]:
    """Read ``data`` with parser ``name``; raise :class:`ParserFailed` if it cannot.

    With a ``budget``, expanding more than that many occurrences in all raises
    :class:`TooManyOccurrences` instead of filling the memory.
    """
    ok, reason = available(name)
    if not ok:
        raise ParserFailed(name, reason)
    span = _utc_span(span)
    try:
        events = _READERS[name](data, span, _Budget(budget))
    except _Spent as error:
        raise TooManyOccurrences(name, budget) from error
    except ParserFailed:
        raise
    except Exception as error:  # any failure of a third-party parser is its verdict
        detail = getattr(error, "detailed_error", None)  # ical keeps the useful part there
        message = detail if detail and "detailed_error" in str(error) else error
        raise ParserFailed(name, f"{type(error).__name__}: {message}") from error
    return sorted((e for e in events if _in_span(e, span)), key=_order)


def parse_many(
    name: str, files: Mapping[K, bytes], spans: Mapping[K, Span | None] | None = None
) -> dict[K, list[ParsedEvent] | ParserFailed]:
    """Read several files with parser ``name``: for each key, what :func:`parse` gives or raises.

    ``spans`` gives each file its own window (a missing key: none). The JavaScript parsers read
    them all in one node process, since starting node is most of what a small file costs; the
    Python ones read them one by one. Raises :class:`ParserFailed` only when the parser cannot
    run at all.
    """
    ok, reason = available(name)
    if not ok:
        raise ParserFailed(name, reason)
    spans = spans or {}
    if name not in _NPM:
        out: dict[K, list[ParsedEvent] | ParserFailed] = {}
        for key, data in files.items():
            try:
                out[key] = parse(name, data, spans.get(key))
            except ParserFailed as error:
                out[key] = error
        return out
    return _read_many_with_node(name, files, {key: _utc_span(spans.get(key)) for key in files})


_READERS = {
    "icalendar": _read_icalendar,
    "vobject": _read_vobject,
    "ical": _read_ical,
    "recurring-ical-events": _read_recurring_ical_events,
    "ical.js": _read_with_node("ical.js"),
    "node-ical": _read_with_node("node-ical"),
}
