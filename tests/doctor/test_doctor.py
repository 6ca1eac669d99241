"""The feed doctor names what is wrong, where, whom it breaks, and exits 1 on an error."""

from __future__ import annotations

import io
import socket
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from feeds.doctor import parsers
from feeds.doctor import report as doctor
from feeds.doctor.parsers import ParsedEvent

ICS = Path(__file__).parent.parent / "ics"
CLEAN = ICS / "clean.ics"
BROKEN = ICS / "broken.ics"
PYTHON_PARSERS = ("icalendar", "vobject", "ical", "recurring-ical-events")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


JULY_10_0100_UTC = datetime(2026, 7, 10, 1, tzinfo=UTC)


def occurrence(
    uid="talk@example.org",
    start=JULY_10_0100_UTC,
    *,
    recurrence_id=None,
    end=None,
    floating=False,
    summary="Talk",
) -> ParsedEvent:
    return ParsedEvent(
        uid,
        recurrence_id,
        summary,
        "CONFIRMED",
        start,
        end if end is not None else start.replace(hour=start.hour + 1),
        all_day=False,
        floating=floating,
    )


def run(*targets: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = doctor.run(list(targets), out, err)
    return status, out.getvalue(), err.getvalue()


def needs(name: str) -> None:
    ok, reason = parsers.available(name)
    if not ok:
        pytest.skip(f"{name} cannot run here: {reason}")


# -- whole feeds -------------------------------------------------------------------------------


def test_the_clean_feed_is_ok_and_every_parser_agrees():
    report = doctor.check(CLEAN.read_bytes(), "clean.ics")
    assert report.findings == ()
    assert report.ok and report.events == 9
    assert set(PYTHON_PARSERS) <= set(report.used) and report.failed == ()
    assert set(report.used) | {name for name, _ in report.skipped} == set(parsers.PARSERS)


def test_the_broken_feed_names_the_missing_vtimezone_and_the_long_line():
    report = doctor.check(BROKEN.read_bytes(), "broken.ics", PYTHON_PARSERS)
    where = {(f.line, f.rule) for f in report.findings}
    assert {(10, "tzid-undeclared"), (11, "tzid-undeclared"), (12, "line-length")} <= where
    assert not report.ok
    text = doctor.format_report(report)
    assert "broken.ics:10: error [tzid-undeclared] DTSTART uses TZID Europe/Berlin" in text
    assert "(breaks: Outlook (error 0x00040015" in text
    assert "-> add a VTIMEZONE for Europe/Berlin" in text
    assert "broken.ics:12: error [line-length] line is 90 octets" in text
    assert text.splitlines()[-1].startswith("broken.ics: FAILED: 3 error(s), 0 warning(s)")


def test_ical_js_reads_the_berlin_talk_two_hours_late_and_the_doctor_says_so():
    needs("ical.js")
    report = doctor.check(BROKEN.read_bytes(), "broken.ics", (*PYTHON_PARSERS, "ical.js"))
    disagreements = [f for f in report.findings if f.rule == "parsers-disagree"]
    start = next(f for f in disagreements if "starts" in f.message)
    assert start.line == 6  # BEGIN:VEVENT of the talk
    assert "event berlin-talk@example.org" in start.message
    assert "2026-07-10T08:00Z (icalendar, vobject, ical, recurring-ical-events)" in start.message
    assert "2026-07-10T10:00Z (ical.js)" in start.message
    assert start.breaks.startswith("ical.js: Thunderbird")
    floating = [f for f in report.findings if f.rule == "floating-time"]
    assert [f.message for f in floating] == [
        "event berlin-talk@example.org: ical.js read its time as floating (no known zone)"
    ]


def test_a_parser_that_rejects_the_feed_is_an_error_with_its_message():
    both = CLEAN.read_bytes().replace(
        b"DTEND:20260129T115900Z\r\n", b"DTEND:20260129T115900Z\r\nDURATION:PT1M\r\n"
    )
    report = doctor.check(both, "both.ics", ("ical", "recurring-ical-events"))
    assert report.failed == ("ical",) and report.used == ("recurring-ical-events",)
    failure = next(f for f in report.findings if f.rule == "parser-failed")
    assert failure.severity == "error" and failure.message.startswith("ical cannot read")
    assert "dtend or duration" in failure.message.lower()
    assert failure.breaks == "Home Assistant"


def test_unavailable_parsers_are_skipped_with_the_reason(monkeypatch, tmp_path):
    monkeypatch.setenv("FEEDS_NODE_MODULES", str(tmp_path))
    report = doctor.check(CLEAN.read_bytes(), "clean.ics", ("icalendar", "ical.js"))
    assert report.used == ("icalendar",) and report.ok
    ((name, reason),) = report.skipped
    assert name == "ical.js" and "npm ci" in reason
    assert f"clean.ics: skipped ical.js: {reason}" in doctor.format_report(report)


# -- comparing parsers -------------------------------------------------------------------------


def test_agreeing_parsers_give_no_finding():
    same = [occurrence()]
    assert doctor.compare({"a": same, "b": list(same)}, {"talk@example.org": 7}) == []


def test_a_different_start_names_the_event_its_line_and_the_odd_parser_out():
    late = occurrence(start=utc(2026, 7, 10, 3))
    (start, end) = doctor.compare(
        {"a": [occurrence()], "b": [occurrence()], "c": [late]}, {"talk@example.org": 7}
    )
    assert (start.line, start.severity, start.rule) == (7, "error", "parsers-disagree")
    assert start.message == (
        "event talk@example.org: the parsers read different starts: "
        "2026-07-10T01:00Z (a, b) vs 2026-07-10T03:00Z (c)"
    )
    assert start.breaks == "c: c"
    assert "different ends" in end.message


def test_an_end_that_a_parser_does_not_state_is_not_a_disagreement():
    no_end = ParsedEvent(
        "talk@example.org", None, "Talk", "CONFIRMED", utc(2026, 7, 10, 1), None, False
    )
    assert doctor.compare({"a": [occurrence()], "vobject": [no_end]}, {}) == []


def test_an_occurrence_missing_from_one_parser_is_an_error():
    series = [
        occurrence(start=utc(2026, 7, d, 1), recurrence_id=utc(2026, 7, d, 1)) for d in (1, 8, 15)
    ]
    (missing,) = doctor.compare({"a": series, "b": series[:1], "c": series}, {})
    assert missing.rule == "parsers-missing"
    assert missing.message == (
        "event talk@example.org (occurrence 2026-07-08T01:00Z) is read by a, c but not by b; "
        "1 more occurrence(s) alike"
    )


def test_an_occurrence_read_twice_is_an_error():
    (twice,) = doctor.compare({"a": [occurrence(), occurrence()], "b": [occurrence()]}, {})
    assert (twice.rule, twice.message) == (
        "parsers-duplicate",
        "a reads event talk@example.org twice at 2026-07-10T01:00Z",
    )


def test_floating_times_and_differing_text_are_reported():
    findings = doctor.compare(
        {
            "a": [occurrence(floating=True)],
            "b": [occurrence(summary="Talk, part 2")],
            "c": [occurrence(summary="Talk, part 2")],
        },
        {},
    )
    assert [(f.severity, f.rule) for f in findings] == [
        ("error", "floating-time"),
        ("warning", "text-differs"),
    ]
    assert "a read its time as floating" in findings[0].message
    assert "'Talk' (a) vs 'Talk, part 2' (b, c)" in findings[1].message


# -- the command -------------------------------------------------------------------------------


def test_run_exits_0_for_the_clean_feed_and_1_for_the_broken_one():
    status, out, err = run(str(CLEAN))
    assert (status, err) == (0, "")
    assert out.splitlines()[-1].startswith(f"{CLEAN}: ok: 0 error(s)") or "skipped" in out
    status, out, err = run(str(CLEAN), str(BROKEN))
    assert status == 1
    assert f"{BROKEN}:10: error [tzid-undeclared]" in out
    assert f"{BROKEN}:12: error [line-length]" in out


def test_run_says_why_a_file_cannot_be_read_without_a_traceback(tmp_path):
    missing = tmp_path / "missing.ics"
    status, out, err = run(str(missing))
    assert status == 1 and out == ""
    assert err == (
        f"{missing}: error: cannot read the file: No such file or directory; "
        "give the path of an .ics file or an http(s) URL\n"
    )


def test_run_says_a_server_cannot_be_reached():
    with socket.socket() as probe:  # a port on this machine that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    status, out, err = run(f"http://127.0.0.1:{port}/feed.ics")
    assert status == 1 and out == ""
    assert err.startswith(f"http://127.0.0.1:{port}/feed.ics: error: cannot reach the server")
    assert "Traceback" not in err


@pytest.fixture
def server():
    """A loopback HTTP server: ``server(path, status, content_type, body)`` gives a URL."""
    routes = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status, kind, body = routes.get(self.path, (404, "text/plain", b"not found"))
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()

    def serve(path, kind="text/calendar; charset=utf-8", body=b"", status=200):
        routes[path] = (status, kind, body)
        return f"http://127.0.0.1:{httpd.server_port}{path}"

    yield serve
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_run_fetches_a_url_and_checks_how_it_is_served(server):
    good = server("/clean.ics", body=CLEAN.read_bytes())
    plain = server("/plain.ics", kind="text/plain", body=CLEAN.read_bytes())
    assert run(good)[0] == 0
    status, out, _ = run(plain)
    assert status == 1
    assert f"{plain}: error [http-content-type] served as text/plain, not text/calendar" in out


def test_run_reports_an_http_error_status(server):
    missing = server("/gone.ics", body=b"", status=404).replace("gone", "other")
    status, out, err = run(missing)
    assert (status, out) == (1, "")
    assert err == (
        f"{missing}: error: the server answered 404 Not Found; "
        "check the URL, or ask the publisher\n"
    )
