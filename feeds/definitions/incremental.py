"""Re-checking an edited definition file without re-parsing the events that did not change.

At 10,000 events, parsing and validating the whole file takes about a second;
an edit usually touches one event. :func:`check_text` gives exactly what
:func:`feeds.definitions.loader.check_text` gives (the same calendar, the same problems
with the same lines) but keeps, in a :class:`ParseCache`, each event's
validated model keyed by the text of its entry in the file. On the next call
only entries whose text changed are parsed; the rest are reused, with their
line numbers moved if lines were added or removed above them.

How a file is cut into entries: the ``events:`` key at the start of a line,
then every line that starts, at the indentation of the first entry, with
``- ``. Text outside the list (the calendar's own keys) is the *frame*; the
cache is used only while the frame (and the file's path) is unchanged, since
an event's meaning depends on the calendar's id and zone.

Why a cut is safe: a line starting with ``- `` at the list's indentation can
only be inside an entry's value if that value is a quoted or bracketed text
spanning lines (block scalars and plain text end at a lower indentation), and
then the entry before the cut does not parse on its own, so the whole file is
parsed instead. Every case this module does not handle the ordinary way is
left to the full parse: any error, any problem YAML itself reports, any
alias (``*name``), line breaks other than ``\\n`` (YAML counts ``\\r``, NEL,
LS and PS as line breaks too), tabs before an entry, more than a few hundred
changed entries, and a file whose list cannot be found. Errors are therefore
always reported by the full parse, exactly as before.

State that validation keeps across events (the calendar-wide occurrence count)
is replayed for reused events; duplicate ids are still checked over all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from feeds.definitions import yamlsource
from feeds.definitions.builder import Builder, check_with
from feeds.definitions.yamlsource import Located
from feeds.errors import Problem
from feeds.model import Calendar, Event, Where

_EVENTS_KEY = re.compile(r"^events:[ ]*(?:#[^\n]*)?$", re.M)
_CONTENT_LINE = re.compile(r"^( *)([^ \n])", re.M)
#: NUL (refused by the full parse) and the line breaks YAML knows besides "\n"
#: (with any of them, lines are not counted here), as text and as UTF-8.
_UNUSUAL = re.compile("[\x00\r\x85\u2028\u2029]")
_UNUSUAL_BYTES = tuple(c.encode() for c in "\x00\r\x85\u2028\u2029")
#: Past this many changed entries, one parse of the whole file is faster.
_MAX_FRESH = 200
#: Entries nest a few levels (event, repeat, list of days); deeper is left to the full parse.
_MAX_ENTRY_DEPTH = 8


class _Entry:
    """A validated event and what re-using it needs (a plain class: made by the thousand)."""

    __slots__ = ("event", "start_line", "id_value", "id_offset", "occurrences", "_placeholder")

    def __init__(
        self, event: Event, start_line: int, id_value: object, id_offset: int, occurrences: int
    ):
        self.event = event
        self.start_line = start_line  # where the entry starts
        self.id_value = id_value  # the raw ``id`` (for the duplicate check)
        self.id_offset = id_offset  # line of ``id`` relative to the entry's start
        self.occurrences = occurrences  # what it added to the calendar-wide occurrence count
        self._placeholder: _Reused | None = None

    @property
    def placeholder(self) -> _Reused:
        """What stands for this entry, unmoved, in the list handed to the builder."""
        if self._placeholder is None:
            self._placeholder = _Reused(self, self.start_line, "")
        return self._placeholder


@dataclass
class ParseCache:
    """The last good version of one file, entry by entry. One per file; not thread-safe."""

    frame: tuple = ()
    entries: dict[str, _Entry] = field(default_factory=dict)
    #: How the last call went: "full" or "incremental" (for the benchmark and logs).
    last: str = ""
    reused: int = 0


@dataclass(frozen=True)
class _Split:
    prefix: str  # up to the first entry
    suffix: str  # from the first line after the list
    blank_lines: int  # the list's line count: the frame keeps every line where it was
    chunks: list[str]
    starts: list[int]  # 1-based line of each chunk's first line


def check_text(
    text: str | bytes, path: str, cache: ParseCache
) -> tuple[Calendar | None, list[Problem]]:
    """What :func:`feeds.definitions.loader.check_text` returns, re-parsing only changed entries."""
    return _check_text(text, path, cache)


def _check_text(text: str | bytes, path: str, cache: ParseCache):
    decoded = _decode(text)
    split = _split(decoded) if decoded is not None else None
    if split is not None and cache.frame == (path, split.prefix, split.suffix):
        result = _incremental(split, path, cache)
        if result is not None:
            return result
    return _full(text, path, cache, split)


# -- the two ways -----------------------------------------------------------------


def _full(text, path: str, cache: ParseCache, split: _Split | None):
    builder = _Builder(path)
    calendar, found, data = check_with(builder, text)
    cache.last, cache.reused = "full", 0
    if calendar is None:
        return None, found  # the cache keeps the last good version's entries
    if split is not None and isinstance(data, Located):
        entries = _entries_of(split, data.get("events"), builder)
        if entries is not None:
            cache.frame = (path, split.prefix, split.suffix)
            cache.entries = entries
    return calendar, found


def _incremental(split: _Split, path: str, cache: ParseCache):
    frame, problems = yamlsource.read(split.prefix + "\n" * split.blank_lines + split.suffix, path)
    if problems or not isinstance(frame, Located) or frame.get("events", 0) is not None:
        return None
    items: list[object] = []
    fresh: list[tuple[str, int, object]] = []
    reused = 0
    for chunk, start in zip(split.chunks, split.starts, strict=True):
        entry = cache.entries.get(chunk)
        if entry is not None:
            items.append(
                entry.placeholder if entry.start_line == start else _Reused(entry, start, path)
            )
            reused += 1
            continue
        if len(fresh) >= _MAX_FRESH:
            return None  # parsing entries one by one costs more than one parse of the file
        item = _parse_entry(chunk, start, path)
        if item is None:
            return None
        items.append(item)
        fresh.append((chunk, start, item))
    frame["events"] = items
    builder = _Builder(path)
    calendar = builder.calendar(frame)
    found = sorted(builder.problems)
    if calendar is None or any(p.severity == "error" for p in found):
        return None  # let the full parse report it, with every line exactly as before
    entries = {}
    for chunk, start, item in zip(split.chunks, split.starts, items, strict=True):
        if isinstance(item, _Reused):
            entries[chunk] = item.moved
        else:
            entry = builder.entry_of(item, start)
            if entry is None:
                return None
            entries[chunk] = entry
    cache.entries = entries
    cache.last, cache.reused = "incremental", reused
    return calendar, found


# -- validation that remembers what each entry gave ---------------------------------


class _Reused(Located):
    """Stands for a cached entry in the list handed to the builder: its id, at its line."""

    def __init__(self, entry: _Entry, start: int, path: str):
        super().__init__(id=entry.id_value)
        self.line = start
        self.lines = {"id": start + entry.id_offset}
        # the entry itself when it has not moved; else a moved copy, which this stands for
        self.moved = entry if start == entry.start_line else _moved(entry, start, path)
        if self.moved._placeholder is None:
            self.moved._placeholder = self


class _Builder(Builder):
    """A :class:`Builder` that remembers, per item, the event it gave and whether cleanly."""

    def __init__(self, path: str):
        super().__init__(path)
        self.outcomes: dict[int, tuple[Event | None, bool, int]] = {}

    def event(self, raw, index, cal_id, cal_zone, parent):
        if isinstance(raw, _Reused):
            self.occurrences += raw.moved.occurrences
            return raw.moved.event
        problems, occurrences = len(self.problems), self.occurrences
        event = super().event(raw, index, cal_id, cal_zone, parent)
        clean = len(self.problems) == problems
        self.outcomes[id(raw)] = (event, clean, self.occurrences - occurrences)
        return event

    def entry_of(self, raw: object, start: int) -> _Entry | None:
        """The cache entry for an item this builder validated without any problem."""
        outcome = self.outcomes.get(id(raw))
        if outcome is None or not isinstance(raw, Located):
            return None
        event, clean, occurrences = outcome
        if event is None or not clean:
            return None
        written = raw.as_written("id")  # as the full parse keys it (010, not 8)
        return _Entry(event, start, written, raw.line_of("id") - start, occurrences)


def _entries_of(split: _Split, items: object, builder: _Builder) -> dict[str, _Entry] | None:
    """Entries for a fully parsed file, if its items are exactly the chunks the split found."""
    if not isinstance(items, list) or len(items) != len(split.chunks):
        return None
    ends = [*split.starts[1:], None]
    entries = {}
    for chunk, start, end, item in zip(split.chunks, split.starts, ends, items, strict=True):
        if not isinstance(item, Located) or not start <= item.line < (end or item.line + 1):
            return None
        if "*" in chunk:
            continue  # may use an alias: never reused (see the module's notes)
        entry = builder.entry_of(item, start)
        if entry is not None:
            entries[chunk] = entry
    return entries


def _moved(entry: _Entry, start: int, path: str) -> _Entry:
    """The entry as it is when its text now starts at line ``start``."""
    if start == entry.start_line:
        return entry
    line = entry.event.where.line + start - entry.start_line if entry.event.where else start
    # A copy with another ``where`` (not part of equality, so revisions.RevisionCache still
    # finds its fingerprints by value); cheaper than dataclasses.replace.
    event = object.__new__(Event)
    event.__dict__.update(entry.event.__dict__, where=Where(path, line))
    return _Entry(event, start, entry.id_value, entry.id_offset, entry.occurrences)


# -- cutting the file -------------------------------------------------------------


def _decode(text: str | bytes) -> str | None:
    """The text as the YAML reader sees it, or None when the full parse must look at it."""
    if isinstance(text, bytes):
        if len(text) > yamlsource.MAX_BYTES or any(b in text for b in _UNUSUAL_BYTES):
            return None
        try:
            return text.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
    text = text.removeprefix("\ufeff")
    if len(text) > yamlsource.MAX_BYTES or _UNUSUAL.search(text):
        return None
    return text


def _split(text: str) -> _Split | None:
    key = _events_key(text)
    if key is None:
        return None
    first = _next_content(text, key)
    if first is None:
        return None
    indent = len(first.group(1))
    marker = " " * indent + "-"
    if not text.startswith(marker, first.start()) or text[first.end() : first.end() + 1] not in (
        " ",
        "\n",
        "",
    ):
        return None
    position = first.start()
    # The list ends at the first line, other than a comment, indented no more
    # than its entries that does not start an entry.
    # (Each pattern starts with a literal "\n", which the regex engine finds fast.)
    less = f" {{0,{indent - 1}}}[^ \n#]|" if indent else ""
    ending = re.compile(rf"\n(?:{less} {{{indent}}}(?!-(?: |$))[^ \n#])", re.M).search(
        text, first.end() - 1
    )
    end = ending.start() + 1 if ending else len(text)
    if "\t" in text[position:end] and re.search(r"^ *\t", text[position:end], re.M):
        return None
    item = re.compile(rf"\n{marker}(?: |$)", re.M)
    starts_at = [m.start() + 1 for m in item.finditer(text, position - 1, end)]
    if not starts_at or starts_at[0] != position:
        return None
    chunks = []
    starts = []
    line = text.count("\n", 0, position) + 1
    previous = position
    for offset, following in zip(starts_at, [*starts_at[1:], end], strict=True):
        line += text.count("\n", previous, offset)
        previous = offset
        chunks.append(text[offset:following])
        starts.append(line)
    return _Split(text[:position], text[end:], text.count("\n", position, end), chunks, starts)


def _events_key(text: str) -> int | None:
    """Where the line after the file's one ``events:`` key (at a line's start) begins, if any."""
    found = [0] if text.startswith("events:") else []
    at = text.find("\nevents:")
    while at != -1 and len(found) < 2:
        found.append(at + 1)
        at = text.find("\nevents:", at + 1)
    if len(found) != 1:
        return None
    match = _EVENTS_KEY.match(text, found[0])
    return match.end() if match else None


def _next_content(text: str, position: int):
    for match in _CONTENT_LINE.finditer(text, position):
        if match.group(2) != "#":
            return match
    return None


def _parse_entry(chunk: str, start: int, path: str) -> object | None:
    """One entry parsed on its own, with the file's line numbers; None if not plainly one item."""
    if "*" in chunk:
        return None
    value, problems = yamlsource.read(chunk, path)
    if problems or not isinstance(value, list) or len(value) != 1:
        return None
    item = value[0]
    if not _shift(item, start - 1, 1):
        return None
    return item


def _shift(value: object, lines: int, depth: int) -> bool:
    """Move every line number under ``value`` down by ``lines``; False if it nests too deep."""
    if depth > _MAX_ENTRY_DEPTH:
        return False
    if isinstance(value, Located):
        value.line += lines
        value.lines = {key: line + lines for key, line in value.lines.items()}
        return all(_shift(v, lines, depth + 1) for v in value.values())
    if isinstance(value, list):
        return all(_shift(v, lines, depth + 1) for v in value)
    return True
