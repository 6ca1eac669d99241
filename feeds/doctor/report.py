"""The feed doctor: the lint, then every parser we have, each held against the others.

Parsers stand in for clients (docs/compatibility.md), so an event they read differently, or
one that some of them miss, is an event some people's calendars get wrong. ``run`` is what
``feeds check`` calls; :func:`fetch` reads a file or URL within the limits below (bytes, time),
and a URL is also fetched as calendar services fetch it (:mod:`feeds.doctor.fetchers`);
everything else is a pure function over bytes.
"""

from __future__ import annotations

import errno
import http.client
import os
import stat
import threading
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import TextIO

from feeds.doctor import fetchers, parsers
from feeds.doctor.lint import Finding, event_lines, lint, summarise

#: Largest feed read, in bytes (16 MiB; Google stops at about 1 MB). Files and URL bodies are
#: read no further than one byte past it, and a larger feed is reported, not parsed.
MAX_BYTES = 16 * 1024 * 1024
#: Seconds a URL may take in all: connecting, the headers and the whole body.
DEADLINE = 30.0
TIMEOUT = 20  # seconds for each network operation, within the DEADLINE
CHUNK = 64 * 1024
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
    """Lint ``data`` and read it with every available parser among ``names``.

    A file over :data:`MAX_BYTES` is neither linted nor parsed, and one nested too deep is not
    parsed: each gets a finding saying so. The parsers share no budget, but each stops at
    :data:`parsers.MAX_OCCURRENCES` occurrences.
    """
    if len(data) > MAX_BYTES:
        return _refused(
            source,
            names,
            Finding(
                0,
                "error",
                "size",
                f"the feed is more than {MAX_BYTES:,} bytes; it was not read",
                "every client",
                "split the feed or drop past events",
            ),
        )
    findings = list(lint(data))
    if any(f.rule == "depth" for f in findings):
        return _refused(source, names, *findings)
    results: dict[str, list[parsers.ParsedEvent]] = {}
    failed, skipped = [], []
    for name in names:
        ok, reason = parsers.available(name)
        if not ok:
            skipped.append((name, reason))
            continue
        try:
            results[name] = parsers.parse(name, data, budget=parsers.MAX_OCCURRENCES)
        except parsers.TooManyOccurrences as error:
            failed.append(name)
            findings.append(
                Finding(
                    0,
                    "error",
                    "occurrences",
                    f"{name}: {error.message}; the reading was stopped",
                    CLIENTS.get(name, name),
                    "give endless rules a COUNT or UNTIL, and avoid SECONDLY and MINUTELY rules",
                )
            )
        except parsers.ParserFailed as error:
            failed.append(name)
            findings.append(
                Finding(
                    0,
                    "error",
                    "parser-failed",
                    f"{name} cannot read the feed: {error.message}",
                    CLIENTS.get(name, name),
                    "fix what the lint reports; the message names the problem",
                )
            )
    findings += compare(results, event_lines(data))
    occurrences = {event.key for events in results.values() for event in events}
    return Report(
        source,
        tuple(sorted(findings, key=_line)),
        tuple(results),
        tuple(failed),
        tuple(skipped),
        len(occurrences),
    )


def _refused(source: str, names: tuple[str, ...], *findings: Finding) -> Report:
    why = "the feed was not parsed (see the error above)"
    return Report(
        source, tuple(sorted(findings, key=_line)), (), (), tuple((name, why) for name in names), 0
    )


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
                found[event.uid, "twice", name].append(
                    Finding(
                        lines.get(event.uid, 0),
                        "error",
                        "parsers-duplicate",
                        f"{name} reads event {event.uid} twice at {_show(event.start)}",
                        _clients((name,)),
                        "give every event its own UID, once",
                    )
                )
            readings[event.key].setdefault(name, event)
    for key in sorted(readings, key=_key_order):
        uid, recurrence_id = key
        seen = readings[key]
        line = lines.get(uid, 0)
        what = f"event {uid}" + (f" (occurrence {_show(recurrence_id)})" if recurrence_id else "")
        missing = tuple(name for name in results if name not in seen)
        if missing:
            odd = missing if len(missing) <= len(seen) else tuple(seen)
            found[uid, "missing", missing].append(
                Finding(
                    line,
                    "error",
                    "parsers-missing",
                    f"{what} is read by {', '.join(seen)} but not by {', '.join(missing)}",
                    _clients(odd),
                    "prefer RRULE to RDATE; give DTSTART a value every reader accepts",
                )
            )
        for field in ("start", "end"):
            values = _groups(seen, field)
            if len(values) > 1:
                odd = _minority(values)
                found[uid, field, odd].append(
                    Finding(
                        line,
                        "error",
                        "parsers-disagree",
                        f"{what}: the parsers read different {field}s: {_listing(values)}",
                        _clients(odd),
                        "declare every TZID in a VTIMEZONE and write UTC times with Z",
                    )
                )
        floating = tuple(name for name, event in seen.items() if event.floating)
        if floating:
            found[uid, "floating", floating].append(
                Finding(
                    line,
                    "error",
                    "floating-time",
                    f"{what}: {', '.join(floating)} read its time as floating (no known zone)",
                    _clients(floating),
                    "give the time a TZID with its VTIMEZONE, or UTC with Z",
                )
            )
        for field in ("summary", "status"):
            values = _groups(seen, field)
            if len(values) > 1:
                odd = _minority(values)
                found[uid, field, odd].append(
                    Finding(
                        line,
                        "warning",
                        "text-differs",
                        f"{what}: the parsers read different {field} text: {_listing(values)}",
                        _clients(odd),
                        "escape \\ ; , and newlines in text as RFC 5545 says",
                    )
                )
    findings = []
    for group in found.values():
        first = group[0]
        if len(group) > 1:
            first = Finding(
                first.line,
                first.severity,
                first.rule,
                f"{first.message}; {len(group) - 1} more occurrence(s) alike",
                first.breaks,
                first.fix,
            )
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
        return (
            value.strftime("%Y-%m-%dT%H:%MZ")
            if value.second == 0
            else value.strftime("%Y-%m-%dT%H:%M:%SZ")
        )
    if isinstance(value, date):
        return value.isoformat()
    return "nothing" if value is None else repr(value)


def format_report(report: Report) -> str:
    """One line per finding, ``FILE:LINE: severity [rule] message (breaks: ...) -> fix``."""
    lines = [format_finding(report.source, f) for f in report.findings]
    errors = sum(f.severity == "error" for f in report.findings)
    warnings = len(report.findings) - errors
    verdict = "ok" if report.ok else "FAILED"
    read_by = ", ".join(report.used) or "no parser"
    lines.append(
        f"{report.source}: {verdict}: {errors} error(s), {warnings} warning(s); "
        f"{report.events} event(s) read by {read_by}"
    )
    for name, reason in report.skipped:
        lines.append(f"{report.source}: skipped {name}: {reason}")
    return "\n".join(lines)


def format_finding(source: str, f: Finding) -> str:
    """``SOURCE[:LINE]: severity [rule] message (breaks: ...) -> fix``."""
    where = f"{source}:{f.line}" if f.line else source
    breaks = f" (breaks: {f.breaks})" if f.breaks else ""
    fix = f" -> {f.fix}" if f.fix else ""
    return f"{where}: {f.severity} [{f.rule}] {f.message}{breaks}{fix}"


class SourceError(Exception):
    """A target that could not be read; the message says why (``answered``: an HTTP status)."""

    answered = False


def fetch(target: str, deadline: float | None = None) -> tuple[bytes, list[Finding]]:
    """The bytes of a file or an http(s)/webcal URL, with findings about how it was served.

    At most :data:`MAX_BYTES` + 1 bytes are read; a URL gets ``deadline`` seconds in all
    (default :data:`DEADLINE`). Raises :class:`SourceError` with a message that says what to do.
    """
    if not _is_url(target):
        return read_file(target), []
    if target.startswith("webcal://"):
        target = "https://" + target.removeprefix("webcal://")
    deadline = DEADLINE if deadline is None else deadline
    answer: dict[str, object] = {}

    def fetching() -> None:
        try:
            answer["ok"] = _fetch_url(target, deadline)
        except BaseException as error:  # handed to the waiting thread
            answer["error"] = error

    worker = threading.Thread(target=fetching, name="feeds-check-fetch", daemon=True)
    worker.start()
    worker.join(deadline + 1)  # the worker checks the deadline itself; this is for a stall
    if "error" in answer:
        error = answer.pop("error")
        try:
            raise error
        finally:
            del error
    if "ok" not in answer:
        raise SourceError(_late(deadline))
    return answer["ok"]


def _is_url(target: str) -> bool:
    return target.startswith(("http://", "https://", "webcal://"))


def _late(deadline: float) -> str:
    return (
        f"the server took more than {deadline:g} s to send the feed; "
        "try again later, or check a saved copy of the file"
    )


def read_file(path: str) -> bytes:
    """A file's bytes, at most :data:`MAX_BYTES` + 1; refuses folders, FIFOs and devices.

    Opened without blocking, so a FIFO cannot hang the doctor before it is refused.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise SourceError(
            f"cannot read the file: {error.strerror or error}; "
            "give the path of an .ics file or an http(s) URL"
        ) from error
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise SourceError(
            "not a regular file (a folder, FIFO or device); give the path of an .ics file"
        )
    with open(fd, "rb") as handle:
        try:
            return handle.read(MAX_BYTES + 1)
        except OSError as error:
            raise SourceError(
                f"cannot read the file: {error.strerror or error}; "
                "give the path of a readable .ics file"
            ) from error


def _fetch_url(target: str, seconds: float) -> tuple[bytes, list[Finding]]:
    deadline = time.monotonic() + seconds
    request = urllib.request.Request(target, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=min(TIMEOUT, seconds)) as response:
            data = _read_body(response, deadline, seconds)
            final, kind = response.geturl(), response.headers.get_content_type()
    except SourceError:
        raise
    except urllib.error.HTTPError as error:
        error.close()  # its socket; the error itself outlives this thread
        refused = SourceError(
            f"the server answered {error.code} {error.reason}; check the URL, or ask the publisher"
        )
        refused.answered = True
        raise refused from error
    except urllib.error.URLError as error:
        raise SourceError(
            f"cannot reach the server: {error.reason}; check the URL and the network"
        ) from error
    except (OSError, ValueError, http.client.HTTPException) as error:
        raise SourceError(
            f"cannot fetch it: {error or type(error).__name__}; "
            "check the URL, or check a saved copy of the file"
        ) from error
    findings = []
    if final != target:
        findings.append(
            Finding(
                0,
                "warning",
                "http-redirect",
                f"the URL redirects to {final}",
                "clients that do not follow redirects",
                "publish the final URL, or serve the feed at this one",
            )
        )
    if kind != "text/calendar":
        findings.append(
            Finding(
                0,
                "error",
                "http-content-type",
                f"served as {kind}, not text/calendar",
                "Thunderbird (rejected text/plain)",
                "send Content-Type: text/calendar; charset=utf-8",
            )
        )
    return data, findings


def _read_body(response, deadline: float, seconds: float) -> bytes:
    """The body in chunks, no more than MAX_BYTES + 1, given up at ``deadline`` (monotonic)."""
    parts, size = [], 0
    while size <= MAX_BYTES:
        left = deadline - time.monotonic()
        if left <= 0:
            raise SourceError(_late(seconds))
        _set_timeout(response, min(left, TIMEOUT))
        try:
            part = response.read1(min(CHUNK, MAX_BYTES + 1 - size))
        except TimeoutError as error:
            if time.monotonic() >= deadline:
                raise SourceError(_late(seconds)) from error
            raise SourceError("the server stopped sending the feed; try again later") from error
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def _set_timeout(response, seconds: float) -> None:
    """Bound the next read by ``seconds``, where the socket can be reached."""
    sock = getattr(getattr(response, "fp", None), "raw", None)
    sock = getattr(sock, "_sock", None)
    if sock is not None:
        try:
            sock.settimeout(max(seconds, 0.01))
        except OSError as error:
            if error.errno != errno.EBADF:
                raise


def run(targets: list[str], out: TextIO, err: TextIO) -> int:
    """Check each file or URL, print the reports; 1 if any has an error or cannot be read."""
    status = 0
    for target in targets:
        try:
            data, served = fetch(target)
        except SourceError as error:
            err.write(f"{target}: error: {error}\n")
            if error.answered:  # a bot challenge or robots rule may say why, for everyone
                for finding in fetchers.check(target):
                    if finding.rule in fetchers.EXPLAINING:
                        err.write(format_finding(target, finding) + "\n")
            status = 1
            continue
        if _is_url(target):  # and as Google's and Microsoft's fetchers get it
            served = [*served, *fetchers.check(target, data)]
        try:
            report = check(data, target)
        except RecursionError:  # a reader we do not control went too deep despite MAX_DEPTH
            err.write(
                f"{target}: error: the feed is nested too deeply to read; "
                "nest VCALENDAR > VEVENT > VALARM, no deeper\n"
            )
            status = 1
            continue
        except MemoryError:
            err.write(
                f"{target}: error: the feed needs more memory than there is; "
                "split it or drop past events\n"
            )
            status = 1
            continue
        if served:
            report = Report(
                report.source,
                (*served, *report.findings),
                report.used,
                report.failed,
                report.skipped,
                report.events,
            )
        out.write(format_report(report) + "\n")
        if not report.ok:
            status = 1
    return status
