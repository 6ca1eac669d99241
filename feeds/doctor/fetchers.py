"""The feed fetched the way calendar services fetch it, and what would stop them.

Google Calendar and Outlook.com / Microsoft 365 read a subscribed feed from their own servers:
one GET with their User-Agent, no ``Accept`` header, no cookies, and (for some) no redirects
followed (docs/compatibility.md, "Fetchers"). :func:`check` asks the way each of
:data:`FETCHERS` does and reports, as findings, what would make the service show nothing:
a status other than 200, a redirect, a bot-protection challenge or an HTML page instead of a
calendar, a robots.txt rule over the feed's path, a wrong Content-Type, a Content-Encoding
nobody asked for, and a body past the size the services read. Network reads are bounded in
bytes and time; a server that does not answer is a finding too, never a hang.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass

from feeds.doctor import robots
from feeds.doctor.lint import MAX_BYTES as SIZE_BUDGET
from feeds.doctor.lint import Finding


@dataclass(frozen=True)
class Fetcher:
    """One calendar service's fetcher: who it is and the User-Agent it sends."""

    service: str
    user_agent: str

    @property
    def token(self) -> str:
        """The name robots.txt groups are matched against: the User-Agent up to ``/`` or space."""
        return self.user_agent.split("/")[0].split()[0]


#: The User-Agents as seen by servers (docs/compatibility.md cites where each was seen).
FETCHERS = (
    Fetcher("Google Calendar", "Google-Calendar-Importer"),
    Fetcher(
        "Outlook.com and Microsoft 365",
        "Microsoft Exchange/15.20 (Windows NT 10.0; Win64; x64)",
    ),
)
DEADLINE = 10.0  # seconds for one request in all (robots.txt, the feed): headers and body
TIMEOUT = 10.0  # seconds for one network operation, within the DEADLINE
ROBOTS_BYTES = 512 * 1024  # Google reads the first 500 KiB of a robots.txt
SNIFF = 64 * 1024  # bytes of a page looked at for challenge markers
#: Signs of a bot-protection page (lower-case), with the product they point to.
CHALLENGES = (
    (b"/cdn-cgi/challenge-platform", "Cloudflare"),
    (b"cf-chl", "Cloudflare"),
    (b"attention required! | cloudflare", "Cloudflare"),
    (b"just a moment...", "Cloudflare"),
    (b"sucuri", "Sucuri"),
    (b"ddos-guard", "DDoS-Guard"),
    (b"awswaf", "AWS WAF"),
    (b"captcha", "a CAPTCHA"),
    (b"checking your browser", "bot protection"),
)
#: Findings that say why a server refused the doctor as well (shown beside that error).
EXPLAINING = ("fetcher-blocked", "fetcher-robots")
BOT_FIX = (
    "let calendar fetchers through: exempt the feed paths from bot protection "
    '(docs/deploy.md, "Bot protection")'
)


@dataclass(frozen=True)
class Answer:
    """What one GET got: status, headers (lower-case names, last value wins), body."""

    status: int
    reason: str
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


class Unreachable(Exception):
    """The request got no answer; the message says why."""


def check(url: str, body: bytes | None = None) -> list[Finding]:
    """Findings for ``url`` fetched as each of :data:`FETCHERS`, alike ones given once.

    ``body``, when given, is what the doctor itself read from the URL: when a fetcher gets the
    same bytes, the lint of those bytes already covers their content, so only how they were
    served is reported.
    """
    if url.startswith("webcal://"):
        url = "https://" + url.removeprefix("webcal://")
    merged: dict[tuple[str, str, str, str], list[str]] = {}
    for fetcher in FETCHERS:
        for finding in _check_one(url, fetcher, body):
            key = (finding.severity, finding.rule, finding.message, finding.fix)
            merged.setdefault(key, []).append(f"{fetcher.service} ({fetcher.user_agent})")
    return [
        Finding(0, severity, rule, message, "; ".join(who), fix)
        for (severity, rule, message, fix), who in merged.items()
    ]


def _check_one(url: str, fetcher: Fetcher, known: bytes | None) -> list[Finding]:
    findings = _robots(url, fetcher)
    try:
        answer = get(url, fetcher.user_agent, SIZE_BUDGET + 1, time.monotonic() + DEADLINE)
    except Unreachable as error:
        return [
            *findings,
            Finding(
                0,
                "error",
                "fetcher-unreachable",
                f"fetched as a calendar service would, it got no answer: {error}",
                fix="make the feed answer within seconds to a plain GET",
            ),
        ]
    same = known is not None and (
        known == answer.body or (len(answer.body) > SIZE_BUDGET and known.startswith(answer.body))
    )
    return findings + judge(answer, same if known is not None else None)


def judge(answer: Answer, same_as_read: bool | None = None) -> list[Finding]:
    """What in ``answer`` would stop a calendar service; ``same_as_read``: the doctor read it."""
    what = "fetched as a calendar service would (no Accept header, no cookies, no redirects)"
    if 300 <= answer.status < 400:
        where = _shown(answer.headers.get("location", "nowhere"))
        return [
            Finding(
                0,
                "error",
                "fetcher-redirect",
                f"{what}, the URL answers {answer.status} {_shown(answer.reason)} to {where}",
                fix="publish the final URL, or serve the feed at this one with 200",
            )
        ]
    blocker = challenge(answer)
    if answer.status != 200:
        why = f"{what}, the server answers {answer.status} {_shown(answer.reason)}"
        if blocker:
            why += f" with a {blocker} challenge page"
        if "set-cookie" in answer.headers:
            why += " and sets a cookie (calendar services send none back)"
        return [
            Finding(
                0,
                "error",
                "fetcher-blocked" if blocker else "fetcher-status",
                why,
                fix=BOT_FIX if blocker else "serve the feed with 200 to any client, with no login",
            )
        ]
    findings = []
    encoding = answer.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        findings.append(
            Finding(
                0,
                "error",
                "fetcher-encoding",
                f"{what}, the feed comes with Content-Encoding: {_shown(encoding)}, which it never "
                "asked for",
                fix="turn compression off for text/calendar (it also breaks Outlook.com)",
            )
        )
    if same_as_read:
        return findings  # the lint of these very bytes covers their content
    if blocker:
        findings.append(
            Finding(
                0,
                "error",
                "fetcher-blocked",
                f"{what}, the server answers with a {blocker} challenge page, not the feed",
                fix=BOT_FIX,
            )
        )
    elif _is_html(answer):
        findings.append(
            Finding(
                0,
                "error",
                "fetcher-html",
                f"{what}, the server answers with an HTML page, not a calendar",
                fix="serve the .ics itself at this URL, to every User-Agent",
            )
        )
    elif not answer.body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"BEGIN:VCALENDAR"):
        findings.append(
            Finding(
                0,
                "error",
                "fetcher-not-calendar",
                f"{what}, the answer does not start with BEGIN:VCALENDAR",
                fix="serve the .ics itself at this URL, to every User-Agent",
            )
        )
    if answer.content_type != "text/calendar":
        findings.append(
            Finding(
                0,
                "error",
                "fetcher-content-type",
                f"{what}, the answer is served as {_shown(answer.content_type) or 'nothing'}, "
                "not text/calendar",
                fix="send Content-Type: text/calendar; charset=utf-8",
            )
        )
    if len(answer.body) > SIZE_BUDGET:
        findings.append(
            Finding(
                0,
                "warning",
                "fetcher-size",
                f"{what}, the answer is more than {SIZE_BUDGET:,} bytes",
                fix="split the feed or drop past events",
            )
        )
    return findings


def _shown(text: str, limit: int = 200) -> str:
    """A server's text as a finding may quote it: control characters escaped, cut to ``limit``."""
    escaped = "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text
    )
    return escaped if len(escaped) <= limit else escaped[: limit - 1] + "…"


def challenge(answer: Answer) -> str | None:
    """The bot protection whose challenge ``answer`` is, or None."""
    if answer.headers.get("cf-mitigated", "").strip().lower() == "challenge":
        return "Cloudflare"  # the header Cloudflare documents for its challenge answers
    head = answer.body[:SNIFF].lower()
    if answer.content_type != "text/calendar" or not head.lstrip().startswith(b"begin:"):
        for marker, product in CHALLENGES:
            if marker in head:
                return product
    return None


def _is_html(answer: Answer) -> bool:
    start = answer.body[:SNIFF].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return answer.content_type in ("text/html", "application/xhtml+xml") or start.startswith(
        (b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml")
    )


def _robots(url: str, fetcher: Fetcher) -> list[Finding]:
    """A finding when the site's robots.txt keeps ``fetcher`` from the feed's path."""
    parts = urllib.parse.urlsplit(url)
    robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
    try:
        answer = get(robots_url, fetcher.user_agent, ROBOTS_BYTES, time.monotonic() + DEADLINE)
    except Unreachable:
        return []  # the feed's own request says whether the server answers at all
    if 500 <= answer.status < 600:
        return [
            Finding(
                0,
                "warning",
                "fetcher-robots",
                f"{robots_url} answers {answer.status}; crawlers that follow RFC 9309 then "
                "fetch nothing from the site",
                fix="serve a robots.txt (or a 404) that allows the feed paths",
            )
        ]
    if answer.status != 200:
        return []  # none there (or behind a redirect): everything is allowed
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if robots.allowed(answer.body.decode("utf-8", "replace"), fetcher.token, path):
        return []
    return [
        Finding(
            0,
            "error",
            "fetcher-robots",
            f"{robots_url} disallows {parts.path or '/'} for this fetcher",
            fix="allow the feed paths in robots.txt (Allow: /feeds/), or drop the Disallow rule",
        )
    ]


def get(url: str, user_agent: str, limit: int, deadline: float) -> Answer:
    """One GET as a calendar service sends it: Host and User-Agent only; redirects not followed.

    At most ``limit`` bytes of the body are read. At ``deadline`` (monotonic) a watchdog shuts
    the socket, so a server that drips its headers or body cannot hold the doctor.
    """
    parts = urllib.parse.urlsplit(url)
    try:
        port = parts.port
    except ValueError as error:
        raise Unreachable(f"not a valid port in {_shown(url)}") from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Unreachable(f"not an http(s) URL: {_shown(url)}")
    left = deadline - time.monotonic()
    if left <= 0:
        raise Unreachable(f"no time left within {DEADLINE:g} s")
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = kind(parts.hostname, port, timeout=min(TIMEOUT, left))
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        if conn.sock is not None:
            try:  # the plain socket's shutdown, also under TLS: wakes a blocked read
                socket.socket.shutdown(conn.sock, socket.SHUT_RDWR)
            except OSError:
                pass

    watchdog = threading.Timer(left, expire)
    watchdog.daemon = True
    watchdog.start()
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.putrequest("GET", target, skip_accept_encoding=True)
        conn.putheader("User-Agent", user_agent)
        conn.endheaders()
        response = conn.getresponse()
        headers = {name.lower(): value for name, value in response.getheaders()}
        chunks, size = [], 0
        while size < limit:
            chunk = response.read1(min(64 * 1024, limit - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return Answer(response.status, response.reason, headers, b"".join(chunks))
    except Exception as error:
        if expired.is_set():
            raise Unreachable(f"no whole answer within {DEADLINE:g} s") from error
        if isinstance(error, TimeoutError):
            raise Unreachable(f"no answer within {TIMEOUT:g} s") from error
        if isinstance(error, ssl.SSLError):
            raise Unreachable(f"TLS failed: {error.reason or error}") from error
        if isinstance(error, OSError | http.client.HTTPException):
            raise Unreachable(_shown(str(error)) or type(error).__name__) from error
        raise
    finally:
        watchdog.cancel()
        conn.close()
