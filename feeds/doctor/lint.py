"""A lint of the iCalendar rules that calendar clients depend on (see docs/compatibility.md).

It reads raw bytes, any publisher's, so every finding can name the physical line (1-based) a
publisher has to change, the client that would break, and the fix. Line 0 means the whole file.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

MAX_OCTETS = 75
MAX_BYTES = 1_000_000
#: Components nested deeper than this are not read (real feeds nest 3: VCALENDAR > VEVENT >
#: VALARM); the parsers recurse, so a file past it is not given to them.
MAX_DEPTH = 10
REPEATS = 10  # findings of one rule past this many are summed up in one more

GOOGLE = "Google (strictest reader)"
FOLDING_FIX = "fold lines at 75 octets between characters, as icalendar's to_ical() does"
TEXT = {"SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "CONTACT", "NAME", "X-WR-CALNAME",
        "X-WR-CALDESC"}
DURATION = re.compile(
    r"[+-]?P(\d+W|\d+D(T(\d+H(\d+M(\d+S)?)?|\d+M(\d+S)?|\d+S))?|T(\d+H(\d+M(\d+S)?)?|\d+M(\d+S)?|\d+S))"
)
DATE_VALUE = re.compile(r"(\d{4})(\d{2})(\d{2})")
DATE_TIME_VALUE = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)")


@dataclass(frozen=True, order=True)
class Finding:
    """One problem: where, how bad, which rule, who it breaks and what to do."""

    line: int
    severity: str  # "error" or "warning"
    rule: str
    message: str
    breaks: str = ""
    fix: str = ""


@dataclass(frozen=True)
class Property:
    """One unfolded content line: upper-case name, parameters and the raw value."""

    line: int
    name: str
    params: dict[str, str] = field(compare=False)
    value: str


@dataclass(frozen=True)
class Component:
    """BEGIN..END with the line of its BEGIN."""

    name: str
    line: int
    properties: list[Property] = field(default_factory=list)
    children: list[Component] = field(default_factory=list)

    def first(self, name: str) -> Property | None:
        return next((p for p in self.properties if p.name == name), None)

    def walk(self, name: str) -> Iterator[Component]:
        return (c for c in descendants(self) if c.name == name)


def descendants(component: Component) -> Iterator[Component]:
    """Every component below ``component``, depth first in file order, without recursion."""
    stack = list(reversed(component.children))
    while stack:
        child = stack.pop()
        yield child
        stack.extend(reversed(child.children))


def lint(data: bytes) -> list[Finding]:
    """Every rule broken by ``data``, in line order."""
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    findings = [*_check_bytes(data, lines)]
    components, structure = read_components(data)
    findings += structure
    for calendar in components:
        findings += _check_calendar(calendar)
    return summarise(sorted(findings))


def event_lines(data: bytes) -> dict[str, int]:
    """The line of the first BEGIN:VEVENT of each UID."""
    lines: dict[str, int] = {}
    for calendar in read_components(data)[0]:
        for event in calendar.walk("VEVENT"):
            uid = event.first("UID")
            if uid is not None:
                lines.setdefault(uid.value, event.line)
    return lines


# --- reading --------------------------------------------------------------------------------


def _unfolded(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Content lines with the physical line each starts on."""
    start, parts = 0, []
    for number, raw in enumerate(data.split(b"\n"), 1):
        raw = raw.removesuffix(b"\r")
        if raw[:1] in (b" ", b"\t") and parts:
            parts.append(raw[1:])
            continue
        if parts:
            yield start, b"".join(parts)
        start, parts = number, [raw] if raw else []
    if parts:
        yield start, b"".join(parts)


def _split(text: str, separator: str) -> list[str]:
    """Split on ``separator`` outside double quotes."""
    parts, current, quoted = [], [], False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    return [*parts, "".join(current)]


def _property(line: int, text: str) -> Property | None:
    quoted = False
    colon = None
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            colon = index
            break
    if colon is None:
        return None
    name, *params = _split(text[:colon], ";")
    pairs = (param.partition("=") for param in params)
    return Property(
        line=line,
        name=name.strip().upper(),
        params={key.upper(): value.strip('"') for key, _, value in pairs},
        value=text[colon + 1:],
    )


def read_components(data: bytes) -> tuple[list[Component], list[Finding]]:
    """The component tree of ``data`` and what is wrong with its structure."""
    roots: list[Component] = []
    stack: list[Component] = []
    findings = []
    too_deep = False
    for line, content in _unfolded(data):
        text = content.decode("utf-8", "replace")
        prop = _property(line, text)
        if prop is None:
            findings.append(Finding(line, "error", "structure",
                                    f"not a content line: {text[:40]!r}", "every client",
                                    "write NAME:VALUE, or fold the line"))
        elif prop.name == "BEGIN":
            component = Component(prop.value.strip().upper(), line)
            if len(stack) < MAX_DEPTH:
                (stack[-1].children if stack else roots).append(component)
            elif not too_deep:  # kept on the stack for its END, left out of the tree
                too_deep = True
                findings.append(too_deep_finding(line))
            stack.append(component)
        elif prop.name == "END":
            name = prop.value.strip().upper()
            if name not in (c.name for c in stack):
                findings.append(Finding(line, "error", "structure", f"END:{name} without BEGIN",
                                        "every client", "balance BEGIN and END"))
                continue
            while (component := stack.pop()).name != name:
                findings.append(Finding(component.line, "error", "structure",
                                        f"BEGIN:{component.name} is not closed before the "
                                        f"END:{name} of line {line}", "every client",
                                        f"add END:{component.name}"))
        elif stack:
            stack[-1].properties.append(prop)
        else:
            findings.append(Finding(line, "error", "structure", f"{prop.name} outside VCALENDAR",
                                    "every client", "move it inside BEGIN:VCALENDAR"))
    for component in stack:
        findings.append(Finding(component.line, "error", "structure",
                                f"BEGIN:{component.name} is never closed", "every client",
                                f"add END:{component.name}"))
    if not any(c.name == "VCALENDAR" for c in roots):
        findings.append(Finding(0, "error", "structure", "no BEGIN:VCALENDAR", "every client",
                                "serve an iCalendar file"))
    return roots, findings


def too_deep_finding(line: int) -> Finding:
    return Finding(line, "error", "depth",
                   f"components are nested more than {MAX_DEPTH} deep here; the parsers were "
                   "not run", "every client (readers recurse and may crash)",
                   "nest VCALENDAR > VEVENT > VALARM, no deeper")


# --- bytes and lines ------------------------------------------------------------------------


def _check_bytes(data: bytes, lines: list[bytes]) -> Iterator[Finding]:
    if len(data) > MAX_BYTES:
        yield Finding(0, "warning", "size", f"the file is {len(data):,} bytes",
                      "Google (stops reading at about 1 MB)",
                      "split the feed or drop past events")
    for line, content in _unfolded(data):
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            yield Finding(line, "error", "utf-8", "the text is not valid UTF-8", GOOGLE,
                          "write the feed as UTF-8")
            break
    if data and not data.endswith(b"\r\n"):
        yield Finding(len(lines), "error", "crlf", "the last line does not end with CRLF", GOOGLE,
                      "end every line, the last one too, with CRLF")
    run = 0  # backslashes ending the content line so far: a run may go on across folds
    for number, raw in enumerate(lines, 1):
        if not raw.endswith(b"\r") and number < len(lines):
            yield Finding(number, "error", "crlf", "line ends with LF, not CRLF", GOOGLE,
                          "end every line with CRLF (\\r\\n)")
        content = raw.removesuffix(b"\r")
        if len(content) > MAX_OCTETS:
            yield Finding(number, "error", "line-length",
                          f"line is {len(content)} octets, more than {MAX_OCTETS}", GOOGLE,
                          FOLDING_FIX)
        continued = number > 1 and content[:1] in (b" ", b"\t")
        if continued:
            if len(content) > 1 and 0x80 <= content[1] < 0xC0:
                yield Finding(number, "error", "fold-utf-8",
                              "folding splits a UTF-8 character across lines "
                              f"{number - 1} and {number}", GOOGLE, FOLDING_FIX)
            if run % 2 == 1:  # the backslash before the fold opens an escape
                yield Finding(number, "error", "fold-escape",
                              f"folding splits an escape (\\) across lines {number - 1} and "
                              f"{number}", GOOGLE, FOLDING_FIX)
        text = content[1:] if continued else content
        trailing = len(text) - len(text.rstrip(b"\\"))
        run = run + trailing if continued and trailing == len(text) else trailing


# --- components -----------------------------------------------------------------------------


def _check_calendar(calendar: Component) -> Iterator[Finding]:
    if calendar.name != "VCALENDAR":
        yield Finding(calendar.line, "error", "structure", f"BEGIN:{calendar.name} at top level",
                      "every client", "wrap components in BEGIN:VCALENDAR")
        return
    yield from _required(calendar, ("VERSION", "PRODID"))
    yield from _check_calendar_properties(calendar)
    zones = {z.first("TZID").value for z in calendar.walk("VTIMEZONE") if z.first("TZID")}
    for zone in calendar.walk("VTIMEZONE"):
        yield from _check_timezone(zone)
    yield from _check_tzids(calendar, zones)
    seen: dict[tuple[str, str], int] = {}
    for event in calendar.walk("VEVENT"):
        yield from _required(event, ("UID", "DTSTAMP", "DTSTART"))
        yield from _check_event(event)
        uid, recurrence = event.first("UID"), event.first("RECURRENCE-ID")
        if uid is None:
            continue
        key = (uid.value, recurrence.value if recurrence else "")
        if key in seen:
            what = f"RECURRENCE-ID {key[1]}" if key[1] else "no RECURRENCE-ID"
            yield Finding(event.line, "error", "uid-unique",
                          f"UID {uid.value} with {what} is already used by the VEVENT of line "
                          f"{seen[key]}", "every client: duplicates, or one event hides another",
                          "give every event its own stable UID")
        seen.setdefault(key, event.line)
    for component in [calendar, *descendants(calendar)]:
        for prop in component.properties:
            yield from _check_text(prop)


def _required(component: Component, names: tuple[str, ...]) -> Iterator[Finding]:
    for name in names:
        if component.first(name) is None:
            yield Finding(component.line, "error", "required-property",
                          f"{component.name} has no {name}",
                          "RFC 5545; strict readers reject it" if name != "UID"
                          else "every client: duplicates after each refresh",
                          f"add {name} to the {component.name}")


def _check_calendar_properties(calendar: Component) -> Iterator[Finding]:
    method = calendar.first("METHOD")
    if method is not None and method.value.upper() != "PUBLISH":
        severity = "error" if method.value.upper() == "REQUEST" else "warning"
        yield Finding(method.line, severity, "method", f"METHOD:{method.value} in a feed",
                      "Outlook (treats REQUEST as a meeting invitation)",
                      "use METHOD:PUBLISH, or leave METHOD out")
    if calendar.first("X-WR-CALNAME") is None:
        yield Finding(calendar.line, "warning", "calendar-name", "no X-WR-CALNAME",
                      "Google and Apple (read only X-WR-CALNAME for the name)",
                      "add X-WR-CALNAME (and NAME) with the calendar's name")
    refresh = calendar.first("REFRESH-INTERVAL")
    if refresh is not None and (refresh.params.get("VALUE", "").upper() != "DURATION"
                                or not DURATION.fullmatch(refresh.value)):
        yield Finding(refresh.line, "error", "refresh-interval",
                      "REFRESH-INTERVAL needs ;VALUE=DURATION and a duration, not "
                      f"{refresh.value!r}",
                      "Nextcloud, Outlook desktop (ignore a malformed one)",
                      "write REFRESH-INTERVAL;VALUE=DURATION:PT12H")
    ttl = calendar.first("X-PUBLISHED-TTL")
    if ttl is not None and not DURATION.fullmatch(ttl.value):
        yield Finding(ttl.line, "error", "published-ttl",
                      f"X-PUBLISHED-TTL is not a duration: {ttl.value!r}",
                      "Outlook desktop (ignores a malformed one)", "write X-PUBLISHED-TTL:PT12H")


def _check_timezone(zone: Component) -> Iterator[Finding]:
    tzid = zone.first("TZID")
    name = tzid.value if tzid else "(no TZID)"
    if tzid is None:
        yield Finding(zone.line, "error", "required-property", "VTIMEZONE has no TZID",
                      "every client", "add the TZID that the events use")
    observances = [c for c in zone.children if c.name in ("STANDARD", "DAYLIGHT")]
    if not observances:
        yield Finding(zone.line, "error", "vtimezone", f"VTIMEZONE {name} has no STANDARD or "
                      "DAYLIGHT", "Outlook (times shift)", "generate the VTIMEZONE from tzdata")
    for observance in observances:
        for needed in ("DTSTART", "TZOFFSETFROM", "TZOFFSETTO"):
            if observance.first(needed) is None:
                yield Finding(observance.line, "error", "vtimezone",
                              f"{observance.name} of {name} has no {needed}",
                              "Outlook (times shift)", "generate the VTIMEZONE from tzdata")
        if observance.first("RDATE") and not observance.first("RRULE"):
            yield Finding(observance.line, "warning", "vtimezone-rdate",
                          f"{observance.name} of {name} lists its changes as RDATEs",
                          "Outlook (reads no RDATE)",
                          "write DTSTART with an RRULE; bound the zone's years to the feed's")


def _check_tzids(calendar: Component, zones: set[str]) -> Iterator[Finding]:
    for component in descendants(calendar):
        if component.name in ("VTIMEZONE", "STANDARD", "DAYLIGHT"):
            continue
        for prop in component.properties:
            tzid = prop.params.get("TZID")
            if tzid is not None and tzid not in zones:
                yield Finding(prop.line, "error", "tzid-undeclared",
                              f"{prop.name} uses TZID {tzid}, which no VTIMEZONE declares",
                              "Outlook (error 0x00040015, times shift); Thunderbird (ical.js "
                              "reads a floating time)",
                              f"add a VTIMEZONE for {tzid} (icalendar: add_missing_timezones())")


def _when(prop: Property) -> date | datetime | None:
    """A DATE or DATE-TIME value (naive; TZID aside), or None when malformed."""
    if match := DATE_TIME_VALUE.fullmatch(prop.value):
        try:
            return datetime(*map(int, match.groups()[:6]))
        except ValueError:
            return None
    if match := DATE_VALUE.fullmatch(prop.value):
        try:
            return date(*map(int, match.groups()))
        except ValueError:
            return None
    return None


def _check_event(event: Component) -> Iterator[Finding]:
    start, end = event.first("DTSTART"), event.first("DTEND")
    values = {}
    for prop in (start, end):
        if prop is None:
            continue
        value = values[prop.name] = _when(prop)
        if value is None:
            yield Finding(prop.line, "error", "date-value",
                          f"{prop.name} is not a DATE or DATE-TIME: {prop.value!r}",
                          "every client", "write YYYYMMDD or YYYYMMDDTHHMMSS[Z]")
        elif isinstance(value, datetime) and "TZID" not in prop.params and \
                not prop.value.endswith("Z"):
            yield Finding(prop.line, "error", "floating-time",
                          f"{prop.name} {prop.value} is floating (no TZID, no Z)",
                          "Google (reads it as UTC); Outlook (floating only for all-day)",
                          "add TZID=Zone/Name with its VTIMEZONE, or give the UTC time with Z")
    if end is not None and event.first("DURATION") is not None:
        yield Finding(end.line, "error", "dtend-and-duration", "VEVENT has DTEND and DURATION",
                      "ical (Home Assistant) and icalendar reject the event",
                      "keep DTEND, drop DURATION")
    duration = event.first("DURATION")
    if duration is not None and not DURATION.fullmatch(duration.value):
        yield Finding(duration.line, "error", "duration",
                      f"DURATION is not a duration: {duration.value!r}", "every client",
                      "write a duration such as PT1H30M")
    first, last = values.get("DTSTART"), values.get("DTEND")
    if first is None or last is None:
        return
    if isinstance(first, datetime) != isinstance(last, datetime):
        yield Finding(end.line, "error", "dtend-type", "DTSTART and DTEND differ in value type",
                      "every client", "give both as DATE (all-day) or both as DATE-TIME")
    elif not isinstance(first, datetime) and last <= first:
        yield Finding(end.line, "error", "all-day-end",
                      f"all-day DTEND {end.value} is not after DTSTART {start.value}",
                      "every client: the last day vanishes",
                      "DTEND of an all-day event is the day after the last day")
    elif isinstance(first, datetime) and last < first and \
            start.params.get("TZID") == end.params.get("TZID") and \
            start.value.endswith("Z") == end.value.endswith("Z"):
        yield Finding(end.line, "error", "end-before-start", "DTEND is before DTSTART",
                      "every client", "swap or correct the times")


def _check_text(prop: Property) -> Iterator[Finding]:
    if prop.name not in TEXT:
        return
    chars = iter(prop.value)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            if following not in ("\\", ";", ",", "n", "N"):
                yield Finding(prop.line, "warning", "text-escape",
                              f"{prop.name} has the escape \\{following}, which RFC 5545 lacks",
                              "readers differ: some keep the backslash",
                              f"write {following} without a backslash")
                return
        elif char in ";,":
            yield Finding(prop.line, "warning", "text-escape",
                          f"{prop.name} has an unescaped {char!r}",
                          "vobject keeps only the text before a comma" if char == ","
                          else "strict readers (RFC 5545 requires the backslash)",
                          f"escape it as \\{char}")
            return


def summarise(findings: list[Finding]) -> list[Finding]:
    """At most REPEATS findings per rule, then one saying how many more there are."""
    counts = Counter(f.rule for f in findings)
    kept, shown = [], Counter()
    for finding in findings:
        shown[finding.rule] += 1
        if shown[finding.rule] <= REPEATS:
            kept.append(finding)
        elif shown[finding.rule] == REPEATS + 1:
            rest = counts[finding.rule] - REPEATS
            kept.append(Finding(finding.line, finding.severity, finding.rule,
                                f"and {rest} more like this from here on", finding.breaks,
                                finding.fix))
    return kept
