"""A lint of the iCalendar rules that calendar clients depend on (see docs/compatibility.md).

It reads raw bytes, any publisher's, so every finding can name the physical line (1-based) a
publisher has to change, the client that would break, and the fix. Line 0 means the whole file.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime

from feeds.doctor.components import (  # noqa: F401 - re-exported
    MAX_DEPTH,
    Component,
    Finding,
    Property,
    descendants,
    read_components,
    too_deep_finding,
    unfolded,
)

MAX_OCTETS = 75
MAX_BYTES = 1_000_000
REPEATS = 10  # findings of one rule past this many are summed up in one more

GOOGLE = "Google (strictest reader)"
FOLDING_FIX = "fold lines at 75 octets between characters, as icalendar's to_ical() does"
TEXT = {
    "SUMMARY",
    "DESCRIPTION",
    "LOCATION",
    "COMMENT",
    "CONTACT",
    "NAME",
    "X-WR-CALNAME",
    "X-WR-CALDESC",
}
DURATION = re.compile(
    r"[+-]?P(\d+W|\d+D(T(\d+H(\d+M(\d+S)?)?|\d+M(\d+S)?|\d+S))?|T(\d+H(\d+M(\d+S)?)?|\d+M(\d+S)?|\d+S))"
)
DATE_VALUE = re.compile(r"(\d{4})(\d{2})(\d{2})")
DATE_TIME_VALUE = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)")


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


# --- bytes and lines ------------------------------------------------------------------------


def _check_bytes(data: bytes, lines: list[bytes]) -> Iterator[Finding]:
    if len(data) > MAX_BYTES:
        yield Finding(
            0,
            "warning",
            "size",
            f"the file is {len(data):,} bytes",
            "Google (stops reading at about 1 MB)",
            "split the feed or drop past events",
        )
    for line, content in unfolded(data):
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            yield Finding(
                line,
                "error",
                "utf-8",
                "the text is not valid UTF-8",
                GOOGLE,
                "write the feed as UTF-8",
            )
            break
    if data and not data.endswith(b"\r\n"):
        yield Finding(
            len(lines),
            "error",
            "crlf",
            "the last line does not end with CRLF",
            GOOGLE,
            "end every line, the last one too, with CRLF",
        )
    run = 0  # backslashes ending the content line so far: a run may go on across folds
    for number, raw in enumerate(lines, 1):
        if not raw.endswith(b"\r") and number < len(lines):
            yield Finding(
                number,
                "error",
                "crlf",
                "line ends with LF, not CRLF",
                GOOGLE,
                "end every line with CRLF (\\r\\n)",
            )
        content = raw.removesuffix(b"\r")
        if len(content) > MAX_OCTETS:
            yield Finding(
                number,
                "error",
                "line-length",
                f"line is {len(content)} octets, more than {MAX_OCTETS}",
                GOOGLE,
                FOLDING_FIX,
            )
        continued = number > 1 and content[:1] in (b" ", b"\t")
        if continued:
            if len(content) > 1 and 0x80 <= content[1] < 0xC0:
                yield Finding(
                    number,
                    "error",
                    "fold-utf-8",
                    f"folding splits a UTF-8 character across lines {number - 1} and {number}",
                    GOOGLE,
                    FOLDING_FIX,
                )
            if run % 2 == 1:  # the backslash before the fold opens an escape
                yield Finding(
                    number,
                    "error",
                    "fold-escape",
                    f"folding splits an escape (\\) across lines {number - 1} and {number}",
                    GOOGLE,
                    FOLDING_FIX,
                )
        text = content[1:] if continued else content
        trailing = len(text) - len(text.rstrip(b"\\"))
        run = run + trailing if continued and trailing == len(text) else trailing


# --- components -----------------------------------------------------------------------------


def _check_calendar(calendar: Component) -> Iterator[Finding]:
    if calendar.name != "VCALENDAR":
        yield Finding(
            calendar.line,
            "error",
            "structure",
            f"BEGIN:{calendar.name} at top level",
            "every client",
            "wrap components in BEGIN:VCALENDAR",
        )
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
            yield Finding(
                event.line,
                "error",
                "uid-unique",
                f"UID {uid.value} with {what} is already used by the VEVENT of line {seen[key]}",
                "every client: duplicates, or one event hides another",
                "give every event its own stable UID",
            )
        seen.setdefault(key, event.line)
    for component in [calendar, *descendants(calendar)]:
        for prop in component.properties:
            yield from _check_text(prop)


def _required(component: Component, names: tuple[str, ...]) -> Iterator[Finding]:
    for name in names:
        if component.first(name) is None:
            yield Finding(
                component.line,
                "error",
                "required-property",
                f"{component.name} has no {name}",
                "RFC 5545; strict readers reject it"
                if name != "UID"
                else "every client: duplicates after each refresh",
                f"add {name} to the {component.name}",
            )


def _check_calendar_properties(calendar: Component) -> Iterator[Finding]:
    method = calendar.first("METHOD")
    if method is not None and method.value.upper() != "PUBLISH":
        severity = "error" if method.value.upper() == "REQUEST" else "warning"
        yield Finding(
            method.line,
            severity,
            "method",
            f"METHOD:{method.value} in a feed",
            "Outlook (treats REQUEST as a meeting invitation)",
            "use METHOD:PUBLISH, or leave METHOD out",
        )
    if calendar.first("X-WR-CALNAME") is None:
        yield Finding(
            calendar.line,
            "warning",
            "calendar-name",
            "no X-WR-CALNAME",
            "Google and Apple (read only X-WR-CALNAME for the name)",
            "add X-WR-CALNAME (and NAME) with the calendar's name",
        )
    refresh = calendar.first("REFRESH-INTERVAL")
    if refresh is not None and (
        refresh.params.get("VALUE", "").upper() != "DURATION"
        or not DURATION.fullmatch(refresh.value)
    ):
        yield Finding(
            refresh.line,
            "error",
            "refresh-interval",
            f"REFRESH-INTERVAL needs ;VALUE=DURATION and a duration, not {refresh.value!r}",
            "Nextcloud, Outlook desktop (ignore a malformed one)",
            "write REFRESH-INTERVAL;VALUE=DURATION:PT12H",
        )
    ttl = calendar.first("X-PUBLISHED-TTL")
    if ttl is not None and not DURATION.fullmatch(ttl.value):
        yield Finding(
            ttl.line,
            "error",
            "published-ttl",
            f"X-PUBLISHED-TTL is not a duration: {ttl.value!r}",
            "Outlook desktop (ignores a malformed one)",
            "write X-PUBLISHED-TTL:PT12H",
        )


def _check_timezone(zone: Component) -> Iterator[Finding]:
    tzid = zone.first("TZID")
    name = tzid.value if tzid else "(no TZID)"
    if tzid is None:
        yield Finding(
            zone.line,
            "error",
            "required-property",
            "VTIMEZONE has no TZID",
            "every client",
            "add the TZID that the events use",
        )
    observances = [c for c in zone.children if c.name in ("STANDARD", "DAYLIGHT")]
    if not observances:
        yield Finding(
            zone.line,
            "error",
            "vtimezone",
            f"VTIMEZONE {name} has no STANDARD or DAYLIGHT",
            "Outlook (times shift)",
            "generate the VTIMEZONE from tzdata",
        )
    for observance in observances:
        for needed in ("DTSTART", "TZOFFSETFROM", "TZOFFSETTO"):
            if observance.first(needed) is None:
                yield Finding(
                    observance.line,
                    "error",
                    "vtimezone",
                    f"{observance.name} of {name} has no {needed}",
                    "Outlook (times shift)",
                    "generate the VTIMEZONE from tzdata",
                )
        if observance.first("RDATE") and not observance.first("RRULE"):
            yield Finding(
                observance.line,
                "warning",
                "vtimezone-rdate",
                f"{observance.name} of {name} lists its changes as RDATEs",
                "Outlook (reads no RDATE)",
                "write DTSTART with an RRULE; bound the zone's years to the feed's",
            )


def _check_tzids(calendar: Component, zones: set[str]) -> Iterator[Finding]:
    for component in descendants(calendar):
        if component.name in ("VTIMEZONE", "STANDARD", "DAYLIGHT"):
            continue
        for prop in component.properties:
            tzid = prop.params.get("TZID")
            if tzid is not None and tzid not in zones:
                yield Finding(
                    prop.line,
                    "error",
                    "tzid-undeclared",
                    f"{prop.name} uses TZID {tzid}, which no VTIMEZONE declares",
                    "Outlook (error 0x00040015, times shift); Thunderbird (ical.js "
                    "reads a floating time)",
                    f"add a VTIMEZONE for {tzid} (icalendar: add_missing_timezones())",
                )


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
            yield Finding(
                prop.line,
                "error",
                "date-value",
                f"{prop.name} is not a DATE or DATE-TIME: {prop.value!r}",
                "every client",
                "write YYYYMMDD or YYYYMMDDTHHMMSS[Z]",
            )
        elif (
            isinstance(value, datetime)
            and "TZID" not in prop.params
            and not prop.value.endswith("Z")
        ):
            yield Finding(
                prop.line,
                "error",
                "floating-time",
                f"{prop.name} {prop.value} is floating (no TZID, no Z)",
                "Google (reads it as UTC); Outlook (floating only for all-day)",
                "add TZID=Zone/Name with its VTIMEZONE, or give the UTC time with Z",
            )
    if end is not None and event.first("DURATION") is not None:
        yield Finding(
            end.line,
            "error",
            "dtend-and-duration",
            "VEVENT has DTEND and DURATION",
            "ical (Home Assistant) and icalendar reject the event",
            "keep DTEND, drop DURATION",
        )
    duration = event.first("DURATION")
    if duration is not None and not DURATION.fullmatch(duration.value):
        yield Finding(
            duration.line,
            "error",
            "duration",
            f"DURATION is not a duration: {duration.value!r}",
            "every client",
            "write a duration such as PT1H30M",
        )
    first, last = values.get("DTSTART"), values.get("DTEND")
    if first is None or last is None:
        return
    if isinstance(first, datetime) != isinstance(last, datetime):
        yield Finding(
            end.line,
            "error",
            "dtend-type",
            "DTSTART and DTEND differ in value type",
            "every client",
            "give both as DATE (all-day) or both as DATE-TIME",
        )
    elif not isinstance(first, datetime) and last <= first:
        yield Finding(
            end.line,
            "error",
            "all-day-end",
            f"all-day DTEND {end.value} is not after DTSTART {start.value}",
            "every client: the last day vanishes",
            "DTEND of an all-day event is the day after the last day",
        )
    elif (
        isinstance(first, datetime)
        and last < first
        and start.params.get("TZID") == end.params.get("TZID")
        and start.value.endswith("Z") == end.value.endswith("Z")
    ):
        yield Finding(
            end.line,
            "error",
            "end-before-start",
            "DTEND is before DTSTART",
            "every client",
            "swap or correct the times",
        )


def _check_text(prop: Property) -> Iterator[Finding]:
    if prop.name not in TEXT:
        return
    chars = iter(prop.value)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            if following not in ("\\", ";", ",", "n", "N"):
                yield Finding(
                    prop.line,
                    "warning",
                    "text-escape",
                    f"{prop.name} has the escape \\{following}, which RFC 5545 lacks",
                    "readers differ: some keep the backslash",
                    f"write {following} without a backslash",
                )
                return
        elif char in ";,":
            yield Finding(
                prop.line,
                "warning",
                "text-escape",
                f"{prop.name} has an unescaped {char!r}",
                "vobject keeps only the text before a comma"
                if char == ","
                else "strict readers (RFC 5545 requires the backslash)",
                f"escape it as \\{char}",
            )
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
            kept.append(
                Finding(
                    finding.line,
                    finding.severity,
                    finding.rule,
                    f"and {rest} more like this from here on",
                    finding.breaks,
                    finding.fix,
                )
            )
    return kept
