"""``feeds check URL`` also fetches as Google's and Microsoft's calendar fetchers do.

A loopback server plays each way a feed can be kept from a calendar service (a redirect, a
status, a bot challenge, an HTML page, a robots.txt rule, a wrong type, gzip, a big body, a
server that drips) and the test asserts the finding the doctor gives, and that the fetchers'
requests carry what the services send: Host and User-Agent, no Accept, no cookies. Network
use is 127.0.0.1 only; every server loop is bounded.
"""

from __future__ import annotations

import gzip
import io
import socket
import threading
import time
import urllib.robotparser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds import cli
from feeds.doctor import fetchers
from feeds.doctor import report as doctor

CLEAN = (Path(__file__).parent.parent / "ics" / "clean.ics").read_bytes()
GOOGLE, MICROSOFT = (f.user_agent for f in fetchers.FETCHERS)
CHALLENGE_PAGE = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    b'<script src="/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1"></script>'
    b"</body></html>"
)


@pytest.fixture
def site():
    """A loopback server: ``site.route(path, status, headers, body, only=UA)`` gives a URL.

    ``only``: the answer is given to that User-Agent (or to the fetchers, ``"fetchers"``); any
    other client gets the clean feed, as a site whose bot protection lets people through does.
    ``site.requests`` holds the headers of every request.
    """

    class Site:
        routes: dict = {}
        requests: list = []

        def route(self, path, status=200, headers=None, body=CLEAN, only=None):
            headers = {"Content-Type": "text/calendar; charset=utf-8", **(headers or {})}
            self.routes[path] = (status, headers, body, only)
            return f"http://127.0.0.1:{httpd.server_port}{path}"

    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            state.requests.append((self.path, dict(self.headers.items())))
            status, headers, body, only = state.routes.get(
                self.path, (404, {"Content-Type": "text/plain"}, b"not found", None)
            )
            agent = self.headers.get("User-Agent", "")
            if only is not None and not (
                agent == only or (only == "fetchers" and agent in (GOOGLE, MICROSOFT))
            ):
                status, headers, body = 200, {"Content-Type": "text/calendar"}, CLEAN
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def findings(url: str, body: bytes | None = None) -> dict[str, fetchers.Finding]:
    found = fetchers.check(url, body)
    rules = [f.rule for f in found]
    assert len(rules) == len(set(rules)), found  # alike findings of both fetchers come once
    return {f.rule: f for f in found}


BOTH = f"Google Calendar ({GOOGLE}); Outlook.com and Microsoft 365 ({MICROSOFT})"


def test_a_clean_feed_gives_no_finding_and_is_asked_for_as_the_services_ask(site):
    url = site.route("/feeds/clean.ics")
    assert fetchers.check(url) == []
    asked = [(path, headers) for path, headers in site.requests if path == "/feeds/clean.ics"]
    assert [h["User-Agent"] for _, h in asked] == [GOOGLE, MICROSOFT]
    for _, headers in asked:  # Host and User-Agent; no Accept, Accept-Encoding or Cookie
        assert {name.lower() for name in headers} == {"host", "user-agent"}
    robots = [h["User-Agent"] for path, h in site.requests if path == "/robots.txt"]
    assert robots == [GOOGLE, MICROSOFT]


def test_a_redirect_is_an_error_since_fetchers_may_not_follow_it(site):
    site.route("/feeds/new.ics")
    url = site.route("/feeds/old.ics", 301, {"Location": "/feeds/new.ics"}, b"")
    found = findings(url)
    assert list(found) == ["fetcher-redirect"]
    assert found["fetcher-redirect"].severity == "error"
    assert "answers 301 Moved Permanently to /feeds/new.ics" in found["fetcher-redirect"].message
    assert found["fetcher-redirect"].breaks == BOTH
    # what a fetcher got is what was asked for: the doctor never went on to /feeds/new.ics
    assert not any(path == "/feeds/new.ics" for path, _ in site.requests)


def test_what_a_server_says_is_quoted_with_its_control_characters_escaped(site):
    hostile = "/x\x1b[2J\x07" + "a" * 500
    url = site.route("/feeds/x.ics", 302, {"Location": hostile}, b"")
    message = findings(url)["fetcher-redirect"].message
    assert "\x1b" not in message and "\x07" not in message
    assert "/x\\x1b[2J\\x07aaa" in message and message.endswith("…")
    assert len(message) < 400


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:99999/x.ics", "ftp://127.0.0.1/x.ics", "http:///x.ics"]
)
def test_a_url_no_fetcher_could_use_is_a_finding(url):
    assert list(findings(url)) == ["fetcher-unreachable"]


@pytest.mark.parametrize("status", [401, 403, 404, 410, 429, 500, 503])
def test_any_status_but_200_is_an_error(site, status):
    found = findings(site.route("/feeds/x.ics", status, {"Content-Type": "text/plain"}, b"no"))
    assert list(found) == ["fetcher-status"]
    assert f"the server answers {status} " in found["fetcher-status"].message


def test_a_cookie_wall_says_the_services_send_no_cookie(site):
    url = site.route("/feeds/x.ics", 403, {"Set-Cookie": "session=1; Path=/"}, b"log in")
    assert "sets a cookie (calendar services send none back)" in (
        findings(url)["fetcher-status"].message
    )


def test_a_cloudflare_challenge_is_named_with_the_fix(site):
    url = site.route(
        "/feeds/x.ics",
        403,
        {"Content-Type": "text/html; charset=UTF-8", "cf-mitigated": "challenge"},
        CHALLENGE_PAGE,
    )
    found = findings(url)
    assert list(found) == ["fetcher-blocked"]
    assert "answers 403 Forbidden with a Cloudflare challenge page" in (
        found["fetcher-blocked"].message
    )
    assert "exempt the feed paths from bot protection" in found["fetcher-blocked"].fix


def test_a_challenge_page_served_with_200_is_found_by_its_markers(site):
    url = site.route("/feeds/x.ics", 200, {"Content-Type": "text/html"}, CHALLENGE_PAGE)
    found = findings(url)
    assert set(found) == {"fetcher-blocked", "fetcher-content-type"}
    assert "with a Cloudflare challenge page, not the feed" in found["fetcher-blocked"].message


def test_an_html_page_instead_of_the_calendar(site):
    page = b"<!doctype html><html><body><h1>Our calendar</h1></body></html>"
    found = findings(site.route("/feeds/x.ics", 200, {"Content-Type": "text/html"}, page))
    assert set(found) == {"fetcher-html", "fetcher-content-type"}
    assert "served as text/html, not text/calendar" in found["fetcher-content-type"].message


def test_a_wrong_content_type_on_the_calendar_itself(site):
    found = findings(site.route("/feeds/x.ics", 200, {"Content-Type": "text/plain"}))
    assert list(found) == ["fetcher-content-type"]


def test_gzip_nobody_asked_for_is_an_error(site):
    url = site.route(
        "/feeds/x.ics",
        200,
        {"Content-Type": "text/calendar", "Content-Encoding": "gzip"},
        gzip.compress(CLEAN, mtime=0),
    )
    found = findings(url)
    assert set(found) == {"fetcher-encoding", "fetcher-not-calendar"}
    assert "Content-Encoding: gzip, which it never asked for" in (found["fetcher-encoding"].message)


def test_a_body_past_the_budget_is_reported_and_read_no_further(site, monkeypatch):
    monkeypatch.setattr(fetchers, "SIZE_BUDGET", 1000)
    big = CLEAN.replace(b"END:VCALENDAR", b"X-PAD:" + b"a" * 5000 + b"\r\nEND:VCALENDAR")
    url = site.route("/feeds/big.ics", body=big)
    found = findings(url)
    assert list(found) == ["fetcher-size"]
    assert found["fetcher-size"].severity == "warning"
    assert "more than 1,000 bytes" in found["fetcher-size"].message
    answer = fetchers.get(url, GOOGLE, 1001, time.monotonic() + 5)
    assert len(answer.body) == 1001


def test_the_same_bytes_the_doctor_read_are_not_judged_twice(site, monkeypatch):
    """The lint of the doctor's own reading covers content; only how it is served is added."""
    url = site.route("/feeds/x.ics", 200, {"Content-Type": "text/plain"})
    assert findings(url, CLEAN) == {}
    assert set(findings(url, b"something else")) == {"fetcher-content-type"}


@pytest.mark.parametrize(
    ("robots", "path", "who"),
    [
        ("User-agent: *\nDisallow: /feeds/\n", "/feeds/x.ics", BOTH),
        ("User-agent: *\nDisallow: /\n", "/x.ics", BOTH),
        (
            "User-agent: Google-Calendar-Importer\nDisallow: /feeds\n",
            "/feeds/x.ics",
            f"Google Calendar ({GOOGLE})",
        ),
    ],
)
def test_a_robots_rule_over_the_feed_path_is_an_error_for_the_agents_it_names(
    site, robots, path, who
):
    site.route("/robots.txt", 200, {"Content-Type": "text/plain"}, robots.encode())
    found = findings(site.route(path))
    assert list(found) == ["fetcher-robots"]
    assert found["fetcher-robots"].severity == "error"
    assert f"/robots.txt disallows {path} for this fetcher" in found["fetcher-robots"].message
    assert found["fetcher-robots"].breaks == who


@pytest.mark.parametrize(
    "robots",
    [
        "User-agent: *\nDisallow: /private/\n",
        "User-agent: *\nDisallow: /\nAllow: /feeds/\n",
        "User-agent: Googlebot\nDisallow: /\n",
        "",
        "\x00\xff garbage \n\n:::\n",
    ],
)
def test_a_robots_file_that_leaves_the_feed_alone_gives_no_finding(site, robots):
    site.route("/robots.txt", 200, {"Content-Type": "text/plain"}, robots.encode("latin-1"))
    assert fetchers.check(site.route("/feeds/x.ics")) == []


def test_a_robots_file_that_answers_5xx_is_a_warning(site):
    site.route("/robots.txt", 503, {"Content-Type": "text/plain"}, b"down")
    found = findings(site.route("/feeds/x.ics"))
    assert list(found) == ["fetcher-robots"]
    assert found["fetcher-robots"].severity == "warning"
    assert "answers 503; crawlers that follow RFC 9309" in found["fetcher-robots"].message


def test_one_service_blocked_is_named_alone(site):
    url = site.route("/feeds/x.ics", 403, {"Content-Type": "text/plain"}, b"no", only=MICROSOFT)
    found = findings(url)
    assert found["fetcher-status"].breaks == f"Outlook.com and Microsoft 365 ({MICROSOFT})"


def test_feeds_check_reports_a_challenge_the_doctor_itself_was_spared(site, capsys):
    """Bot protection that lets the doctor through but challenges the services: exit 1."""
    url = site.route(
        "/feeds/x.ics",
        403,
        {"Content-Type": "text/html", "cf-mitigated": "challenge"},
        CHALLENGE_PAGE,
        only="fetchers",
    )
    status = cli.main(["check", url])
    out, err = capsys.readouterr()
    assert (status, err) == (1, "")
    assert f"{url}: error [fetcher-blocked] fetched as a calendar service would" in out
    assert f"(breaks: {BOTH})" in out
    assert "Traceback" not in out


def test_feeds_check_of_a_clean_url_stays_ok(site):
    out, err = io.StringIO(), io.StringIO()
    assert doctor.run([site.route("/feeds/clean.ics")], out, err) == 0
    assert "fetcher-" not in out.getvalue() and err.getvalue() == ""


def dripping_server(connections: int = 4) -> tuple[str, socket.socket]:
    """Answers each of a few connections one byte every 0.2 s, 60 bytes at most."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(connections)
    listener.settimeout(10)

    def drip(conn):
        with conn:
            conn.recv(4096)
            for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\nX-Slow: " + b"a" * 20:
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.2)

    def serve():
        for _ in range(connections):
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=drip, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}/feeds/x.ics", listener


def test_a_server_that_drips_is_cut_off_at_the_deadline(monkeypatch):
    monkeypatch.setattr(fetchers, "DEADLINE", 1.0)
    url, listener = dripping_server()
    started = time.monotonic()
    found = findings(url)
    assert time.monotonic() - started < 2 * len(fetchers.FETCHERS) * fetchers.DEADLINE + 2
    assert list(found) == ["fetcher-unreachable"]
    assert "no whole answer within 1 s" in found["fetcher-unreachable"].message
    listener.close()


def test_a_closed_port_is_a_finding_not_a_traceback():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    found = findings(f"http://127.0.0.1:{port}/feeds/x.ics")
    assert list(found) == ["fetcher-unreachable"]
    assert "Connection refused" in found["fetcher-unreachable"].message


# -- robots.txt as RFC 9309 reads it -----------------------------------------------------------

TOKEN = "Google-Calendar-Importer"


@pytest.mark.parametrize(
    ("robots", "path", "expected"),
    [
        ("User-agent: *\nDisallow: /\nAllow: /feeds/\n", "/feeds/x.ics", True),  # longest wins
        ("User-agent: *\nAllow: /feeds/\nDisallow: /feeds/x\n", "/feeds/x.ics", False),
        ("User-agent: *\nDisallow: /feeds\nAllow: /feeds\n", "/feeds/x.ics", True),  # tie: Allow
        ("User-agent: *\nDisallow: /*.ics$\n", "/feeds/x.ics", False),
        ("User-agent: *\nDisallow: /*.ics$\n", "/feeds/x.ics?kind=deadline", True),
        ("User-agent: *\nDisallow: /feeds/*/x\n", "/feeds/a/b/x.ics", False),
        ("User-agent: *\nDisallow:\n", "/feeds/x.ics", True),  # an empty Disallow is no rule
        ("User-agent: *\nDisallow: /\n", "/robots.txt", True),
        ("User-agent: GOOGLE-calendar-importer\nDisallow: /\n", "/x.ics", False),
        ("User-agent: Googlebot\nDisallow: /\n\nUser-agent: *\nAllow: /\n", "/x.ics", True),
        # both groups that name the crawler count, and the * group is then left out
        (
            "User-agent: Google-Calendar-Importer\nAllow: /a\n\nUser-agent: *\nDisallow: /\n\n"
            "User-agent: Google-Calendar-Importer\nDisallow: /feeds/\n",
            "/feeds/x.ics",
            False,
        ),
        ("User-agent: a\nUser-agent: *\nDisallow: /feeds/ # comment\n", "/feeds/x.ics", False),
        ("Disallow: /\n", "/x.ics", True),  # a rule outside any group
        ("User-agent: *\nDisallow: /%7Efeeds/\n", "/~feeds/x.ics", False),
        ("User-agent: *\n\nUser-agent: Googlebot\nDisallow: /\n", "/x.ics", False),
    ],
)
def test_robots_rules_are_read_as_rfc_9309_says(robots, path, expected):
    assert fetchers.robots.allowed(robots, TOKEN, path) is expected


def test_a_hostile_robots_file_is_read_in_linear_time():
    pattern = "*a" * 5000
    robots = f"User-agent: *\nDisallow: /{pattern}b\n" * 20
    started = time.monotonic()
    assert fetchers.robots.allowed(robots, TOKEN, "/" + "a" * 2000) is True
    assert time.monotonic() - started < 5  # a backtracking matcher takes hours here


AGENTS = st.sampled_from(["*", TOKEN, "Googlebot", "OtherBot"])
PREFIXES = st.sampled_from(["/", "/f", "/feeds", "/feeds/", "/feeds/x", "/feeds/x.ics", "/other"])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(AGENTS, st.lists(PREFIXES, min_size=1, max_size=4)),
        max_size=4,
        unique_by=lambda g: g[0],
    ),
    st.sampled_from(["/feeds/x.ics", "/feeds/y.ics", "/other/x.ics", "/f"]),
)
def test_robots_agrees_with_urllib_robotparser_where_their_rules_coincide(groups, path):
    """Disallow rules without wildcards, one group per agent: first match equals longest.

    (Where they differ, RFC 9309 is followed: an ``Allow`` inside a ``Disallow`` wins, and a
    blank line between two user-agent lines does not end their group; see the cases above.)
    """
    text = "".join(
        f"User-agent: {agent}\n" + "".join(f"Disallow: {p}\n" for p in rules) + "\n"
        for agent, rules in groups
    )
    theirs = urllib.robotparser.RobotFileParser()
    theirs.parse(text.splitlines())
    assert fetchers.robots.allowed(text, TOKEN, path) is theirs.can_fetch(TOKEN, path)


def test_a_challenge_that_refuses_the_doctor_too_is_explained_beside_the_error(site, capsys):
    url = site.route(
        "/feeds/x.ics",
        403,
        {"Content-Type": "text/html", "cf-mitigated": "challenge"},
        CHALLENGE_PAGE,
    )
    assert cli.main(["check", url]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        f"{url}: error: the server answered 403 Forbidden; check the URL, or ask the publisher",
        f"{url}: error [fetcher-blocked] fetched as a calendar service would (no Accept header, "
        "no cookies, no redirects), the server answers 403 Forbidden with a Cloudflare challenge "
        f"page (breaks: {BOTH}) -> {fetchers.BOT_FIX}",
    ]


def test_a_big_feed_the_doctor_read_whole_is_not_reported_twice(site, monkeypatch):
    monkeypatch.setattr(fetchers, "SIZE_BUDGET", 1000)
    big = CLEAN.replace(b"END:VCALENDAR", b"X-PAD:" + b"a" * 5000 + b"\r\nEND:VCALENDAR")
    url = site.route("/feeds/big.ics", body=big)
    assert findings(url, big) == {}  # the lint's own size warning speaks for it
