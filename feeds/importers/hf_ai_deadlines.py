"""The conference YAML of huggingface/ai-deadlines, read into definition drafts.

Their ``src/data/conferences/<series>.yml`` is a list of conference-years::

    - title: AAAI
      year: 2026
      id: aaai26
      link: https://aaai.org/conference/aaai/aaai-26/
      deadlines:
        - type: abstract
          label: Abstract submission deadline
          date: '2025-07-25 23:59:59'
          timezone: AoE
      start: 2026-01-20
      end: 2026-01-27
      tags: [machine-learning, computer-vision]
      ...

Each entry becomes one calendar, ``<series>-<year>`` (``aaai-2026``), with ``series``
the file's name and ``tags`` its area labels; each deadline (and each legacy
single-deadline key such as ``deadline:``, read as ai-deadlines' own site reads it)
becomes a ``due`` event; ``start``/``end`` become the conference's all-day event;
``link`` is the calendar's and every event's ``url``. The entry's lines are kept, as
written, in the file's header comment, so nothing of the source is lost; every value
that has no key in a definition (``rankings``, ``hindex``, ...) or was read with a
doubt is reported at its file and line (:class:`~feeds.errors.Problem`, warnings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from feeds.definitions import files, yamlsource
from feeds.definitions.yamlsource import Located
from feeds.errors import Problem
from feeds.importers import spellings
from feeds.model import url_key

FORMAT = "hf-ai-deadlines"
#: Legacy single-deadline keys as ai-deadlines' site reads them (``getAllDeadlines``):
#: key -> (type, label); each is skipped when ``deadlines`` already has that type.
LEGACY = {
    "abstract_deadline": ("abstract", "Abstract Submission"),
    "deadline": ("submission", "Paper Submission"),
    "commitment_deadline": ("commitment", "Commitment"),
    "review_release_date": ("review_release", "Reviews Released"),
    "rebuttal_period_start": ("rebuttal_start", "Rebuttal Period Start"),
    "rebuttal_period_end": ("rebuttal_end", "Rebuttal Period End"),
    "final_decision_date": ("final_decision", "Final Decision"),
}
#: Keys of an entry that a definition says (everything else is reported).
MAPPED = frozenset(
    {"title", "year", "id", "full_name", "link", "deadlines", "timezone", "date", "place"}
    | {"city", "country", "venue", "tags", "note", "start", "end", "paperslink", "pwclink"}
    | set(LEGACY)
)
DEADLINE_KEYS = ("type", "label", "date", "timezone")
SOURCE_LINKS = {
    "link": "{name}",
    "paperslink": "{name}: accepted papers",
    "pwclink": "{name}: code",
}


@dataclass
class Draft:
    """One event before its id is settled: ``base`` is the id it gets if free."""

    base: str
    title: str
    due: str = ""  # what 'due' and 'timezone' say, for matching a previous import
    pairs: list[tuple[str, object]] = field(default_factory=list)  # every key but 'id'
    comments: list[str] = field(default_factory=list)


@dataclass
class Conference:
    """One conference-year: the calendar's keys, its event drafts, where it came from."""

    calendar_id: str
    source: str  # the source file's name, as the header names it
    source_id: str
    lines: tuple[int, int]
    raw_lines: list[str]
    calendar: list[tuple[str, object]]
    drafts: list[Draft]


@dataclass
class Conversion:
    conferences: list[Conference] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    deadlines: int = 0


def source_folder(path: Path) -> Path:
    """The conferences folder: ``path`` itself, or a checkout's ``src/data/conferences``."""
    inner = path / "src" / "data" / "conferences"
    return inner if inner.is_dir() else path


def convert(folder: Path) -> Conversion:
    """Every ``*.yml`` of ``folder``, in name order; calendar ids made unique."""
    out = Conversion()
    try:
        paths = files.definition_files(folder)
    except OSError as exc:
        out.problems.append(
            Problem(str(folder), 0, f"cannot read the folder: {exc.strerror or exc}", "check it")
        )
        return out
    if not paths:
        out.problems.append(
            Problem(
                str(folder),
                0,
                "no conference files (*.yml) found",
                "give the folder of ai-deadlines' src/data/conferences, or the repository's root",
            )
        )
    for path in paths:
        _convert_file(path, out)
    _unique_ids(out)
    return out


def _convert_file(path: Path, out: Conversion) -> None:
    try:
        data = files.read_bytes(path)
    except OSError as exc:
        out.problems.append(Problem(str(path), 0, f"cannot read the file: {exc.strerror}", ""))
        return
    entries, problems = yamlsource.read(data, str(path))
    out.problems.extend(problems)
    if entries is None:
        return
    if not isinstance(entries, list):
        out.problems.append(
            Problem(str(path), 1, "the file is not a list of conferences", "start with '- title:'")
        )
        return
    text_lines = data.decode("utf-8-sig").splitlines()
    starts = [e.line if isinstance(e, Located) else 0 for e in entries]
    for index, entry in enumerate(entries):
        if not isinstance(entry, Located):
            out.problems.append(
                Problem(str(path), 1, f"entry #{index + 1} is not a mapping; skipped", "")
            )
            continue
        later = [s for s in starts[index + 1 :] if s > entry.line]
        last = (later[0] - 1) if later else len(text_lines)
        while last > entry.line and not text_lines[last - 1].strip():
            last -= 1
        reader = _Entry(path, entry, index, out)
        conference = reader.conference((entry.line, last), text_lines[entry.line - 1 : last])
        if conference is not None:
            out.conferences.append(conference)


def _unique_ids(out: Conversion) -> None:
    """Two entries with one ``<series>-<year>``: the first keeps it, later ones add their id."""
    seen: dict[str, Conference] = {}
    for conf in out.conferences:
        key = url_key(conf.calendar_id)
        first = seen.get(key)
        if first is None:
            seen[key] = conf
            continue
        wanted = f"{conf.calendar_id}-{spellings.slug(conf.source_id)}".strip("-")
        number = 2
        new = wanted
        while url_key(new) in seen:
            new, number = f"{wanted}-{number}", number + 1
        out.problems.append(
            Problem(
                conf.source,
                conf.lines[0],
                f"'{conf.source_id}' would be calendar '{conf.calendar_id}' like "
                f"'{first.source_id}' ({first.source}:{first.lines[0]}): imported as '{new}'",
                "give each conference-year its own year or series",
                severity="warning",
            )
        )
        conf.calendar_id = new
        conf.calendar[0] = ("id", new)
        seen[url_key(new)] = conf


class _Entry:
    """Reads one entry, reporting at its lines what it cannot map."""

    def __init__(self, path: Path, entry: Located, index: int, out: Conversion):
        self.path, self.entry, self.index, self.out = path, entry, index, out
        self.label = f"#{index + 1}"

    def note(self, mapping: Located, key: str | None, message: str, hint: str = "") -> None:
        line = mapping.line_of(key) if key else mapping.line
        self.out.problems.append(
            Problem(str(self.path), line, f"'{self.label}': {message}", hint, severity="warning")
        )

    def text(self, mapping: Located, key: str) -> str:
        value = mapping.get(key)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float | date):
            self.note(mapping, key, f"'{key}' is not text; not imported", "kept in the comment")
            return ""
        return str(mapping.as_written(key)).strip()

    # the conference ----------------------------------------------------------

    def conference(self, lines: tuple[int, int], raw_lines: list[str]) -> Conference | None:
        e = self.entry
        source_id = self.text(e, "id")
        title = self.text(e, "title")
        self.label = source_id or title or f"#{self.index + 1}"
        year = e.get("year")
        if isinstance(year, str) and year.strip().isdigit():
            year = int(year)
        series = spellings.slug(self.path.stem) or spellings.slug(title) or "conference"
        if isinstance(year, int) and not isinstance(year, bool) and 1900 <= year <= 2999:
            calendar_id = f"{series}-{year}"
        else:
            self.note(
                e,
                "year" if "year" in e else None,
                f"no usable year ({year!r})",
                "the calendar is named after the entry's id instead",
            )
            year = None
            calendar_id = spellings.slug(source_id) or f"{series}-{self.index + 1}"
        if not title:
            self.note(e, "title" if "title" in e else None, "no title: named after the file")
            title = self.path.stem
        name = title if year is None or str(year) in title else f"{title} {year}"
        for key in e:
            if key not in MAPPED:
                self.note(
                    e,
                    key,
                    f"'{key}' has no place in a definition; kept in the file's header comment",
                )
        link = self._url(e, "link")
        calendar: list[tuple[str, object]] = [("id", calendar_id), ("name", name)]
        description = self._description(e)
        if description:
            calendar.append(("description", description))
        if link:
            calendar.append(("url", link))
        zone = spellings.zone(e.get("timezone"), None)[0] if "timezone" in e else None
        calendar.append(("timezone", zone if zone and "/" in zone else "UTC"))
        location = self._location(e)
        if location:
            calendar.append(("location", location))
        sources = []
        for key, template in SOURCE_LINKS.items():
            url = link if key == "link" else self._url(e, key)
            if url:
                sources.append({"title": template.format(name=name), "url": url})
        if sources:
            calendar.append(("sources", sources))
        calendar.append(("tags", self._tags(e)))
        calendar.append(("series", series))
        drafts = self._conference_event(e, name, link)
        drafts.extend(self._deadlines(e, link))
        return Conference(
            calendar_id, self.path.name, source_id, lines, raw_lines, calendar, drafts
        )

    def _url(self, mapping: Located, key: str) -> str:
        text = self.text(mapping, key)
        if text and (not text.lower().startswith(("http://", "https://")) or " " in text):
            self.note(mapping, key, f"'{key}' is not an http(s) URL: {text!r}; not imported")
            return ""
        return text

    def _description(self, e: Located) -> str:
        parts = [self.text(e, "full_name")]
        when = self.text(e, "date")
        if when:
            parts.append(f"Dates: {when}")
        venue, place = self.text(e, "venue"), self._place(e)
        if venue and place and place.split(",")[0].strip() not in venue:
            parts.append(f"Place: {place}")
        note = self.text(e, "note")
        if note:
            parts.append(spellings.plain_text(note))
        return "\n".join(p for p in parts if p)

    def _place(self, e: Located) -> str:
        return self.text(e, "place") or ", ".join(
            p for p in (self.text(e, "city"), self.text(e, "country")) if p
        )

    def _location(self, e: Located) -> str:
        return self.text(e, "venue") or self._place(e)

    def _tags(self, e: Located) -> list[str]:
        raw = e.get("tags")
        if raw is None:
            return []
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list):
            self.note(e, "tags", "'tags' is not a list; not imported")
            return []
        tags = []
        for tag in raw:
            word = spellings.slug(str(tag)) if isinstance(tag, str | int) else ""
            if not word:
                self.note(e, "tags", f"tag {tag!r} is not a word; not imported")
                continue
            tags.append(word)
        return list(dict.fromkeys(tags))

    def _conference_event(self, e: Located, name: str, link: str) -> list[Draft]:
        first, last = spellings.day(e.get("start")), spellings.day(e.get("end"))
        if first is None:
            if "start" in e:
                self.note(e, "start", f"'start' {e['start']!r} is not a date; no conference event")
            elif "date" in e:
                self.note(
                    e,
                    "date",
                    "no 'start': the conference days are in the description only",
                    "add start: and end: (YYYY-MM-DD)",
                )
            return []
        if last is None or last < first:
            if "end" in e:
                self.note(
                    e,
                    "end",
                    f"'end' {e['end']!r} is not a date on or after 'start'; "
                    "the conference is imported as its first day only",
                )
            last = first
        pairs: list[tuple[str, object]] = [("title", name), ("kind", "conference")]
        pairs.append(("start", first))
        if last != first:
            pairs.append(("end", last))
        if link:
            pairs.append(("url", link))
        return [Draft("conference", name, f"{first}/{last}", pairs, [self._where(e, "start")])]

    # deadlines ---------------------------------------------------------------

    def _deadlines(self, e: Located, link: str) -> list[Draft]:
        raw = e.get("deadlines")
        items: list[Located] = []
        if raw is not None and not isinstance(raw, list):
            self.note(e, "deadlines", "'deadlines' is not a list; not imported")
        elif raw:
            for item in raw:
                if isinstance(item, Located):
                    items.append(item)
                else:
                    self.note(e, "deadlines", f"deadline {item!r} is not a mapping; not imported")
        drafts = [d for item in items if (d := self._deadline(item, e, link))]
        types = {str(item.get("type")) for item in items}
        for key, (kind, label) in LEGACY.items():
            if key not in e:
                continue
            if kind in types:
                self.note(
                    e,
                    key,
                    f"'{key}' repeats the '{kind}' entry of 'deadlines', which "
                    "ai-deadlines shows instead; not imported",
                )
                continue
            draft = self._timed(e, key, kind, label, e.get("timezone"), e, link)
            if draft:
                drafts.append(draft)
        self.out.deadlines += len(drafts)
        return drafts

    def _deadline(self, item: Located, e: Located, link: str) -> Draft | None:
        for key in item:
            if key not in DEADLINE_KEYS:
                self.note(
                    item,
                    key,
                    f"deadline key '{key}' has no place in a definition; kept "
                    "in the file's header comment",
                )
        kind = self.text(item, "type") or "deadline"
        label = self.text(item, "label")
        if "date" not in item:
            self.note(item, None, f"deadline '{label or kind}' has no 'date'; not imported")
            return None
        zone_raw = item.get("timezone", e.get("timezone"))
        zone_from = e if "timezone" in e and "timezone" not in item else item
        return self._timed(item, "date", kind, label, zone_raw, zone_from, link)

    def _timed(
        self,
        mapping: Located,
        key: str,
        kind: str,
        label: str,
        zone_raw: object,
        zone_from: Located,
        link: str,
    ) -> Draft | None:
        title = label or kind.replace("_", " ").replace("-", " ").capitalize()
        due, wall, remark = spellings.instant(mapping.get(key))
        if due is None:
            self.note(
                mapping,
                key,
                f"deadline '{title}': {remark}; not imported",
                "write it as 'YYYY-MM-DD HH:MM:SS'",
            )
            return None
        if remark:
            self.note(mapping, key, f"deadline '{title}': {remark}")
        zone, zone_remark = spellings.zone(zone_raw, wall)
        where, zone_key = (zone_from, "timezone") if "timezone" in zone_from else (mapping, key)
        if zone is None:
            self.note(
                where,
                zone_key,
                f"deadline '{title}': {zone_remark}; written as it "
                "is, so the file does not validate until the zone is named",
                "name an IANA zone, UTC, AoE or UTC-8-style offset",
            )
            zone = str(zone_raw).strip()
        elif zone_remark:
            self.note(where, zone_key, f"deadline '{title}': {zone_remark}")
        pairs: list[tuple[str, object]] = [("title", title), ("kind", "deadline")]
        pairs += [("due", due), ("timezone", zone)]
        if link:
            pairs.append(("url", link))
        said = zone_raw.strip() if isinstance(zone_raw, str) else zone_raw
        if zone_remark and said:
            pairs.append(("description", f"The source gives this time as {said}: read as {zone}."))
        elif zone_remark:
            pairs.append(("description", f"The source gives no time zone: read as {zone}."))
        base = spellings.slug(kind) or "deadline"
        comment = self._where(mapping, key) + f" (type: {kind})"
        return Draft(base, title, f"{due} {zone}", pairs, [comment])

    def _where(self, mapping: Located, key: str) -> str:
        return f"{self.path.name}:{mapping.line_of(key)}"
