"""The change log in words: Atom feeds (RFC 4287), the pages' "What changed", the DESCRIPTION line.

Everything here is a pure function of the revisions (each event's ``shown`` values and its
bounded log of changes, :mod:`feeds.revisions.history`) and the calendar's name: no clock,
so the same state gives the same bytes on every machine. Each change becomes one
:class:`Entry` with a sentence ("Full paper deadline moved from 28 Jan 2026 23:59 AoE to
30 Jan 2026 23:59 AoE"), its time and a stable id (a ``tag:`` URI, RFC 4151, from the UID
domain, the calendar and event ids and the change's time), newest first. Events added in
the same instant (a calendar's first publication) are one entry.

The XML is written by :mod:`xml.etree.ElementTree`, which escapes ``<``, ``&`` and quotes;
characters XML 1.0 cannot hold (C0 controls, lone surrogates) become U+FFFD first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import quote
from xml.etree import ElementTree

from feeds import tz
from feeds.model import Calendar
from feeds.revisions import Revision, Revisions, history
from feeds.timefmt import iso_utc

ATOM_TYPE = "application/atom+xml"
ATOM_NS = "http://www.w3.org/2005/Atom"
SITE_PATH = "/changes.atom"
#: Entries in one feed (the newest), and on a calendar page's "What changed".
MAX_ENTRIES = 50
ON_PAGE = 5
#: A group of events added at once names at most this many of them.
MAX_NAMED = 20


def calendar_path(calendar_id: str) -> str:
    """The calendar's change log URL path: ``/changes/<calendar>.atom``."""
    return f"/changes/{calendar_id}.atom"


@dataclass(frozen=True)
class Entry:
    """One change, told in words."""

    id: str  # tag: URI, the same in every build
    at: datetime
    calendar_id: str
    event_id: str  # "" for a group of events added at once
    what: str  # added, edited, removed, restored
    text: str  # the whole change in words (the entry's content)
    title: str = ""  # a short form for the entry's title (the text when empty)

    @property
    def headline(self) -> str:
        return self.title or self.text


def entries(
    calendar: Calendar, revisions: Revisions, uid_domain: str, limit: int = MAX_ENTRIES
) -> list[Entry]:
    """The newest ``limit`` changes the calendar's revisions record, newest first (then by
    event id); events added in one instant count as one. Only those are put in words, so
    a calendar of 10,000 events costs a pass over its logs, not 10,000 sentences."""
    found: list[tuple[float, str, int, Revision]] = []
    tables = (revisions.events, revisions.history)
    for table in tables:
        for event_id, revision in table.items():
            for index, change in enumerate(revision.changes):
                found.append((-change.at.timestamp(), event_id, index, revision))
    found.sort(key=lambda f: (f[0], f[1], f[2]))
    picked: list[tuple[float, str, int, Revision]] = []
    groups: dict[float, int] = {}  # instants of the added events picked, and how many
    count, full = 0, None
    for item in found:
        added = item[3].changes[item[2]].what == "added"
        if added and item[0] in groups:
            groups[item[0]] += 1  # one more event of an entry already counted
            if groups[item[0]] <= MAX_NAMED:
                picked.append(item)  # named; the rest only counted
            continue
        if full is not None and item[0] != full:
            break  # past the instant where the limit was reached: nothing more to join
        if count >= limit:
            full = item[0]
            continue
        count += 1
        if added:
            groups[item[0]] = 1
        picked.append(item)
    timelines: dict[str, list] = {}
    raw: list[Entry] = []
    for _, event_id, index, revision in picked:
        if event_id not in timelines:
            timelines[event_id] = list(reversed(history.timeline(revision)))  # oldest first
        change, before, after = timelines[event_id][index]
        text = sentence(event_id, change.what, before, after)
        entry_id = _entry_id(uid_domain, calendar.id, event_id, change)
        raw.append(Entry(entry_id, change.at, calendar.id, event_id, change.what, text))
    counts = {datetime.fromtimestamp(-key, UTC): n for key, n in groups.items()}
    return _grouped(raw, calendar, uid_domain, counts)[:limit]


def _grouped(
    raw: list[Entry], calendar: Calendar, uid_domain: str, counts: dict[datetime, int]
) -> list[Entry]:
    """Events added in one instant as one entry (``counts``: how many at each instant; the
    first :data:`MAX_NAMED` are in ``raw``); the rest as they are; newest first."""
    added: dict[datetime, list[Entry]] = {}
    out = []
    for entry in raw:
        if entry.what == "added":
            added.setdefault(entry.at, []).append(entry)
        else:
            out.append(entry)
    for at, group in added.items():
        total = counts.get(at, len(group))
        if total == 1:
            out.append(group[0])
            continue
        names = "; ".join(e.text.removeprefix("Added: ") for e in group[:MAX_NAMED])
        if total > len(group):
            names += f"; and {total - len(group)} more"
        stamp = at.strftime("%Y%m%dT%H%M%SZ")
        out.append(
            Entry(
                f"tag:{uid_domain},{at:%Y-%m-%d}:{_part(calendar.id)}/added/{stamp}",
                at,
                calendar.id,
                "",
                "added",
                f"{total} events added: {names}",
                f"{total} events added",
            )
        )
    return sorted(out, key=lambda e: (-e.at.timestamp(), e.event_id, e.id))


def _entry_id(domain: str, calendar_id: str, event_id: str, change) -> str:
    stamp = change.at.strftime("%Y%m%dT%H%M%SZ")
    return (
        f"tag:{domain},{change.at:%Y-%m-%d}:{_part(calendar_id)}/{_part(event_id)}/"
        f"{change.what}/{stamp}"
    )


def _part(text: str) -> str:
    return quote(text, safe="-._~")


# -- words ---------------------------------------------------------------------------------


def sentence(event_id: str, what: str, before: dict | None, after: dict | None) -> str:
    """What a change did, in words."""
    known = after or before
    title = _title(known) or event_id
    if what == "added":
        return f"Added: {title}{_at(after)}"
    if what == "removed":
        return f"Removed: {title}{_at(before)}"
    if what == "restored":
        edits = _edits(title, before, after) if before is not None else []
        return "; ".join([f"Back: {title}{_at(after)}", *edits])
    if before is None or after is None:
        return f"{title} changed (what it was before is not recorded)"
    return "; ".join(_edits(title, before, after)) or f"{title} changed"


def _edits(title: str, before: dict, after: dict) -> list[str]:
    out = []
    old_status, new_status = _str(before.get("status")), _str(after.get("status"))
    if old_status != new_status:
        if new_status == "cancelled":
            out.append(f"{title} cancelled")
        elif old_status == "cancelled":
            out.append(f"{title} is on again (no longer cancelled)")
        else:
            out.append(f"{title} is now {new_status or 'confirmed'}")
    if before.get("when") != after.get("when"):
        old, new = when_words(before.get("when")), when_words(after.get("when"))
        if old == new:  # the same wall time, another instant (time zone rules changed)
            old, new = _utc_words(before.get("when")), _utc_words(after.get("when"))
        out.append(f"{title} moved from {old} to {new}")
    old_place, new_place = _str(before.get("location")), _str(after.get("location"))
    if old_place != new_place:
        out.append(f"{title}: place changed from {old_place or 'none'} to {new_place or 'none'}")
    if before.get("repeat") != after.get("repeat"):
        old, new = repeat_words(before.get("repeat")), repeat_words(after.get("repeat"))
        out.append(f"{title}: repeats changed from {old} to {new}")
    old_title = _title(before)
    if old_title != _title(after):
        out.append(f"{old_title or '(untitled)'} renamed to {title}")
    return out


def description_line(revision: Revision) -> str:
    """The DESCRIPTION line of an event's last edit: ``Changed 2 Feb 2026: was 28 Jan 2026
    23:59 AoE``; "" when its last change is not an edit whose old values are known."""
    if not revision.changes:
        return ""
    last = revision.changes[-1]
    was = _load(last.was) if last.what in ("edited", "restored") else None
    if not was:
        return ""
    parts = []
    if "status" in was:
        parts.append(f"was {_str(was['status']) or 'confirmed'}")
    if "when" in was:
        parts.append(f"was {when_words(was['when'])}")
    if "location" in was:
        place = _str(was["location"])
        parts.append(f"was at {place}" if place else "had no place")
    if "repeat" in was:
        parts.append(f"repeated {repeat_words(was['repeat'])}")
    if "title" in was:
        parts.append(f"was titled “{_str(was['title'])}”")
    return f"Changed {_day(last.at.date())}: " + "; ".join(parts) if parts else ""


def when_words(when: object) -> str:
    """A stored time (:func:`feeds.revisions.fingerprints.material`'s ``when``) in words:
    ``28 Jan 2026 23:59 AoE``, ``6 Jul 2026 09:00–11:00 KST``, ``6 Jul 2026 – 11 Jul 2026``."""
    if not isinstance(when, dict):
        return "an unknown time"
    try:
        if "deadline" in when:
            at = _wall(when["deadline"])
            return f"{_moment(at)} {_abbr(when['deadline_utc'], when['timezone'])}".strip()
        if "start" in when:
            start, end = _wall(when["start"]), _wall(when["end"])
            abbr = _abbr(when["start_utc"], when["timezone"])
            if start.date() == end.date():
                return f"{_moment(start)}–{end:%H:%M} {abbr}".strip()
            return f"{_moment(start)} – {_moment(end)} {abbr}".strip()
        first, last = date.fromisoformat(when["date"]), date.fromisoformat(when["end_date"])
        return _day(first) if first == last else f"{_day(first)} – {_day(last)}"
    except (KeyError, TypeError, ValueError, OverflowError):
        return "an unknown time"


def repeat_words(repeat: object) -> str:
    if not isinstance(repeat, dict):
        return "never"
    every, interval = _str(repeat.get("every")) or "?", repeat.get("interval")
    words = every if interval in (1, None) else f"every {interval} ({every})"
    if repeat.get("count") is not None:
        words += f", {repeat['count']} times"
    elif repeat.get("until"):
        words += f", until {_str(repeat.get('until'))}"
    return words


def _utc_words(when: object) -> str:
    if not isinstance(when, dict):
        return "an unknown time"
    key = next((k for k in ("deadline_utc", "start_utc") if k in when), None)
    try:
        return f"{_moment(datetime.strptime(when[key], '%Y-%m-%dT%H:%M:%SZ'))} UTC"
    except (KeyError, TypeError, ValueError):
        return when_words(when)


def _abbr(instant: str, zone: object) -> str:
    at = datetime.strptime(instant, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    try:
        return tz.abbreviation(at, zone) if isinstance(zone, str) else ""
    except Exception:  # a zone this tz database does not know (hand-edited file)
        return _str(zone)


def _wall(text: object) -> datetime:
    if not isinstance(text, str):
        raise TypeError(text)
    return datetime.fromisoformat(text)


def _moment(at: datetime) -> str:
    return f"{at.day} {at:%b %Y %H:%M}"


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _at(values: dict | None) -> str:
    return f", {when_words(values.get('when'))}" if values and values.get("when") else ""


def _title(values: dict | None) -> str:
    return _str(values.get("title")) if values else ""


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _load(text: str) -> dict | None:
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


# -- Atom ----------------------------------------------------------------------------------

#: What XML 1.0 cannot hold (C0 controls but tab and line breaks, lone surrogates, U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


@dataclass(frozen=True)
class AtomFeed:
    """What an Atom feed says about itself; its URLs are absolute."""

    title: str
    self_url: str
    page_url: str  # rel=alternate: the page people read
    author: str
    subtitle: str = ""


def atom_bytes(
    feed: AtomFeed, items: Sequence[Entry], pages: dict[str, str], updated: datetime
) -> bytes:
    """The Atom document of ``items`` (newest first, at most :data:`MAX_ENTRIES`).

    ``pages`` maps a calendar id to its page URL (each entry's rel=alternate); ``updated``
    is the latest revision of what the feed tells (never the clock), at least its newest
    entry's time.
    """
    shown = list(items)[:MAX_ENTRIES]
    updated = max([updated, *(e.at for e in shown)])
    ElementTree.register_namespace("", ATOM_NS)
    root = ElementTree.Element(_q("feed"))
    _sub(root, "id", feed.self_url)
    _sub(root, "title", feed.title)
    if feed.subtitle:
        _sub(root, "subtitle", feed.subtitle)
    _sub(root, "updated", iso_utc(updated))
    author = ElementTree.SubElement(root, _q("author"))
    _sub(author, "name", feed.author)
    _link(root, "self", ATOM_TYPE, feed.self_url)
    _link(root, "alternate", "text/html", feed.page_url)
    _sub(root, "generator", "calendar-feeds")
    for entry in shown:
        node = ElementTree.SubElement(root, _q("entry"))
        _sub(node, "id", entry.id)
        _sub(node, "title", entry.headline)
        _sub(node, "updated", iso_utc(entry.at))
        page = pages.get(entry.calendar_id, feed.page_url)
        anchor = f"#e-{entry.event_id}" if entry.event_id and entry.what != "removed" else ""
        _link(node, "alternate", "text/html", page + anchor)
        ElementTree.SubElement(node, _q("category"), term=entry.what)
        _sub(node, "content", entry.text).set("type", "text")
    ElementTree.indent(root, space=" ")
    body = ElementTree.tostring(root, encoding="unicode", short_empty_elements=True)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def _q(name: str) -> str:
    return f"{{{ATOM_NS}}}{name}"


def _sub(parent, name: str, text: str):
    node = ElementTree.SubElement(parent, _q(name))
    node.text = xml_text(text)
    return node


def _link(parent, rel: str, media_type: str, href: str) -> None:
    ElementTree.SubElement(parent, _q("link"), rel=rel, type=media_type, href=xml_text(href))


def newest(groups: Iterable[Sequence[Entry]], limit: int = MAX_ENTRIES) -> list[Entry]:
    """The newest ``limit`` entries of several calendars' (each newest first), newest first."""
    merged = [e for group in groups for e in group[:limit]]
    return sorted(merged, key=lambda e: (-e.at.timestamp(), e.calendar_id, e.event_id, e.id))[
        :limit
    ]


@dataclass(frozen=True)
class RecentChange:
    """One line of a calendar page's "What changed"."""

    day: str  # "2 Feb 2026"
    iso: str  # its UTC instant, for <time datetime>
    text: str
    anchor: str  # "e-<event>" of an event still on the page, else ""


def recent(items: Sequence[Entry], limit: int = ON_PAGE) -> list[RecentChange]:
    """The page's "What changed": the newest ``limit`` entries."""
    return [
        RecentChange(
            _day(e.at.date()),
            iso_utc(e.at),
            e.headline,
            f"e-{e.event_id}" if e.event_id and e.what != "removed" else "",
        )
        for e in items[:limit]
    ]
