"""The feed doctor: the lint, then every parser we have, each held against the others.

Parsers stand in for clients (docs/compatibility.md), so an event they read differently, or one that some
of them miss, is an event some people's calendars get wrong. ``run`` is what ``feeds check``
calls; everything else is a pure function over bytes.
"""

from __future__ import annotations

import http.client
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from feeds.doctor import parsers
from feeds.doctor.lint import Finding, event_lines, lint, summarise

TIMEOUT = 20
USER_AGENT = "calendar-feeds doctor (feeds check)"
CLIENTS = {
    "icalendar": "Python apps built on icalendar",
    "vobject": "vobject users such as Radicale",
    "ical": "Home Assistant",
    "recurring-ical-events": "Open Web Calendar and other recurring-ical-events users",
    "ical.js": "Thunderbird and ical.js web widgets",
    "node-ical": "MagicMirror and other node-ical users",
}


@dataclass(frozen=True)
class Report:
    """What was found in one feed, and which parsers looked at it."""

    source: str
    findings: tuple[Finding, ...]
    used: tuple[str, ...]  # parsers that read the file
    failed: tuple[str, ...]  # parsers that rejected it (each also a finding)
    skipped: tuple[tuple[str, str], ...]  # (parser, why it could not run here)
    events: int  # occurrences, counted once across parsers

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)


def check(data: bytes, source: str, names: tuple[str, ...] = parsers.PARSERS) -> Report:
    """Lint ``data`` and read it with every available parser among ``names``."""
    findings = list(lint(data))
    results: dict[str, list[parsers.ParsedEvent]] = {}
    failed, skipped = [], []
    for name in names:
        ok, reason = parsers.available(name)
        if not ok:
            skipped.append((name, reason))
            continue
        try:
            results[name] = parsers.parse(name, data)
        except parsers.ParserFailed as error:
            failed.append(name)
            findings.append(Finding(0, "error", "parser-failed",
                                    f"{name} cannot read the feed: {error.message}",
                                    CLIENTS.get(name, name),
                                    "fix what the lint reports; the message names the problem"))
    findings += compare(results, event_lines(data))
    occurrences = {event.key for events in results.values() for event in events}
    return Report(source, tuple(sorted(findings, key=_line)), tuple(results), tuple(failed),
                  tuple(skipped), len(occurrences))


def compare(results: dict[str, list[parsers.ParsedEvent]], lines: dict[str, int]) -> list[Finding]:
    """Where parsers read an occurrence differently, miss it, or find its time floating.

    Alike findings of one event (same kind, same parsers at odds) are given once, for the first
    occurrence, with a count of the others.
    """
    readings: dict[tuple, dict[str, parsers.ParsedEvent]] = defaultdict(dict)
    found: dict[tuple, list[Finding]] = defaultdict(list)  # alike findings of one event
    for name, events in results.items():
        for event in events:
            if name in readings[event.key]:
                found[event.uid, "twice", name].append(Finding(
                    lines.get(event.uid, 0), "error", "parsers-duplicate",
                    f"{name} reads event {event.uid} twice at {_show(event.start)}",
                    _clients((name,)), "give every event its own UID, once"))
            readings[event.key].setdefault(name, event)
    for key in sorted(readings, key=_key_order):
        uid, recurrence_id = key
        seen = readings[key]
        line = lines.get(uid, 0)
        what = f"event {uid}" + (f" (occurrence {_show(recurrence_id)})" if recurrence_id else "")
        missing = tuple(name for name in results if name not in seen)
        if missing:
            odd = missing if len(missing) <= len(seen) else tuple(seen)
            found[uid, "missing", missing].append(Finding(
                line, "error", "parsers-missing",
                f"{what} is read by {', '.join(seen)} but not by {', '.join(missing)}",
                _clients(odd), "prefer RRULE to RDATE; give DTSTART a value every reader accepts"))
        for field in ("start", "end"):
            values = _groups(seen, field)
            if len(values) > 1:
                odd = _minority(values)
                found[uid, field, odd].append(Finding(
                    line, "error", "parsers-disagree",
                    f"{what}: the parsers read different {field}s: {_listing(values)}",
                    _clients(odd),
                    "declare every TZID in a VTIMEZONE and write UTC times with Z"))
        floating = tuple(name for name, event in seen.items() if event.floating)
        if floating:
            found[uid, "floating", floating].append(Finding(
                line, "error", "floating-time",
                f"{what}: {', '.join(floating)} read its time as floating (no known zone)",
                _clients(floating), "give the time a TZID with its VTIMEZONE, or UTC with Z"))
        for field in ("summary", "status"):
            values = _groups(seen, field)
            if len(values) > 1:
                odd = _minority(values)
                found[uid, field, odd].append(Finding(
                    line, "warning", "text-differs",
                    f"{what}: the parsers read different {field} text: {_listing(values)}",
                    _clients(odd), "escape \\ ; , and newlines in text as RFC 5545 says"))
    findings = []
    for group in found.values():
        first = group[0]
        if len(group) > 1:
            first = Finding(first.line, first.severity, first.rule,
                            f"{first.message}; {len(group) - 1} more occurrence(s) alike",
                            first.breaks, first.fix)
        findings.append(first)
    return summarise(sorted(findings, key=_line))


def _line(finding: Finding) -> int:
    return finding.line


def _key_order(key: tuple) -> tuple:
    uid, recurrence_id = key
    if recurrence_id is None:
        return (uid, 0, "")
    return (uid, 1, _show(recurrence_id))


def _groups(seen: dict[str, parsers.ParsedEvent], field: str) -> dict[object, list[str]]:
    """Parsers grouped by the value they read for ``field``; an end nobody states is skipped."""
    groups: dict[object, list[str]] = defaultdict(list)
    for name, event in seen.items():
        value = getattr(event, field)
        if field == "end" and value is None:
            continue
        groups[value].append(name)
    return groups


def _minority(groups: dict[object, list[str]]) -> tuple[str, ...]:
    """The parsers outside the largest group: the ones most likely to be misled."""
    largest = max(groups.values(), key=len)
    return tuple(name for names in groups.values() if names is not largest for name in names)


def _listing(groups: dict[object, list[str]]) -> str:
    return " vs ".join(f"{_show(value)} ({', '.join(names)})" for value, names in groups.items())


def _clients(names: tuple[str, ...]) -> str:
    return "; ".join(f"{name}: {CLIENTS.get(name, name)}" for name in names)


def _show(value: object) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%MZ") if value.second == 0 else \
            value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return "nothing" if value is None else repr(value)


def format_report(report: Report) -> str:
    """One line per finding, ``FILE:LINE: severity [rule] message (breaks: ...) -> fix``."""
    lines = []
    for f in report.findings:
        where = f"{report.source}:{f.line}" if f.line else report.source
        breaks = f" (breaks: {f.breaks})" if f.breaks else ""
        fix = f" -> {f.fix}" if f.fix else ""
        lines.append(f"{where}: {f.severity} [{f.rule}] {f.message}{breaks}{fix}")
    errors = sum(f.severity == "error" for f in report.findings)
    warnings = len(report.findings) - errors
    verdict = "ok" if report.ok else "FAILED"
    read_by = ", ".join(report.used) or "no parser"
    lines.append(f"{report.source}: {verdict}: {errors} error(s), {warnings} warning(s); "
                 f"{report.events} event(s) read by {read_by}")
    for name, reason in report.skipped:
        lines.append(f"{report.source}: skipped {name}: {reason}")
    return "\n".join(lines)


class SourceError(Exception):
    """A target that could not be read; the message says why."""


def fetch(target: str) -> tuple[bytes, list[Finding]]:
    """The bytes of a file or an http(s)/webcal URL, with findings about how it was served."""
    if target.startswith("webcal://"):
        target = "https://" + target.removeprefix("webcal://")
    if not target.startswith(("http://", "https://")):
        try:
            return Path(target).read_bytes(), []
        except OSError as error:
            raise SourceError(f"cannot read the file: {error.strerror or error}") from error
    request = urllib.request.Request(target, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            data = response.read()
            final, kind = response.geturl(), response.headers.get_content_type()
    except urllib.error.HTTPError as error:
        raise SourceError(f"the server answered {error.code} {error.reason}") from error
    except urllib.error.URLError as error:
        raise SourceError(f"cannot reach the server: {error.reason}") from error
    except (OSError, ValueError, http.client.HTTPException) as error:
        raise SourceError(f"cannot fetch it: {error or type(error).__name__}") from error
    findings = []
    if final != target:
        findings.append(Finding(0, "warning", "http-redirect", f"the URL redirects to {final}",
                                "clients that do not follow redirects",
                                "publish the final URL, or serve the feed at this one"))
    if kind != "text/calendar":
        findings.append(Finding(0, "error", "http-content-type",
                                f"served as {kind}, not text/calendar",
                                "Thunderbird (rejected text/plain)",
                                "send Content-Type: text/calendar; charset=utf-8"))
    return data, findings


def run(targets: list[str], out: TextIO, err: TextIO) -> int:
    """Check each file or URL, print the reports; 1 if any has an error or cannot be read."""
    status = 0
    for target in targets:
        try:
            data, served = fetch(target)
        except SourceError as error:
            err.write(f"{target}: error: {error}\n")
            status = 1
            continue
        report = check(data, target)
        if served:
            report = Report(report.source, (*served, *report.findings),
                            report.used, report.failed, report.skipped, report.events)
        out.write(format_report(report) + "\n")
        if not report.ok:
            status = 1
    return status
