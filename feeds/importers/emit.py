"""Definition files as text: a few shapes of YAML, written the same way every time.

PyYAML's dumper is not used: its output depends on its version and options, and only
:mod:`feeds.definitions.yamlsource` imports PyYAML. What is written here is a small,
fixed subset (mappings of scalars, flow lists of slugs, lists of mappings, comments),
every string double-quoted with escapes YAML reads back as the same string, so an
imported value can never become syntax. ``tests/importers`` reads every output back.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date

#: Words YAML 1.1 reads as booleans or null when plain.
_SPECIAL_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_/+-]*")
#: Characters a double-quoted scalar must escape beyond what JSON escapes: C1 controls and
#: DEL (not printable for YAML), the line and paragraph separators and NEL (YAML 1.1 line
#: breaks, which would be folded), the byte-order mark, and the non-characters.
_ESCAPE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
#: In a comment: a YAML 1.1 line break would end the comment and start YAML, and what YAML
#: does not call printable would make the whole file unreadable.
_COMMENT_ESCAPE = re.compile(
    "[^\t\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)


@dataclass
class Entry:
    """One item of a list of mappings: its comment lines, then its keys in order."""

    pairs: list[tuple[str, object]]
    comments: list[str] = field(default_factory=list)


@dataclass
class Document:
    """A definition file: header comments, the calendar's keys, then its events."""

    header: list[str]
    calendar: list[tuple[str, object]]
    events: list[Entry]


def quote(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that reads back as ``text``."""
    out = json.dumps(text, ensure_ascii=False)
    return _ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}", out)


def scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):  # a date (datetimes are written as text by the importer)
        return value.isoformat()
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _SPECIAL_WORDS:
        return text
    return quote(text)


def comment(text: str) -> str:
    """One comment line (``#`` and the text); line breaks YAML knows are shown escaped."""
    text = _COMMENT_ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}", text.rstrip())
    return f"# {text}".rstrip()


def _value_lines(key: str, value: object, indent: str) -> list[str]:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [f"{indent}{key}: [{', '.join(scalar(v) for v in value)}]"]
    if isinstance(value, list):  # of mappings
        lines = [f"{indent}{key}:"]
        for item in value:
            lines.extend(_entry_lines(Entry(list(item.items())), indent + "  "))
        return lines
    return [f"{indent}{key}: {scalar(value)}"]


def _entry_lines(entry: Entry, indent: str) -> list[str]:
    lines = [indent + comment(c) for c in entry.comments]
    for index, (key, value) in enumerate(entry.pairs):
        lead = indent + ("- " if index == 0 else "  ")
        first, *rest = _value_lines(key, value, "")
        lines.append(lead + first)
        lines.extend(indent + "  " + line for line in rest)
    return lines


def dumps(doc: Document) -> str:
    """The file's text: LF line ends, one blank line between events, a final newline."""
    lines = [comment(c) for c in doc.header]
    if lines:
        lines.append("")
    for key, value in doc.calendar:
        lines.extend(_value_lines(key, value, ""))
    lines.append("events:" if doc.events else "events: []")
    for index, entry in enumerate(doc.events):
        if index:
            lines.append("")
        lines.extend(_entry_lines(entry, "  "))
    return "\n".join(lines) + "\n"
