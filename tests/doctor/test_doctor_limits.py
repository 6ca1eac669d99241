"""``feeds check`` on hostile input: caps on bytes, time, depth and occurrences, never a traceback.

Network use is 127.0.0.1 only, and every server loop is bounded.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds import cli
from feeds.doctor import lint, parsers
from feeds.doctor import report as doctor

PYTHON_PARSERS = ("icalendar", "vobject", "ical", "recurring-ical-events")
HEAD = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nX-WR-CALNAME:t\r\n"


def check(capsys, path) -> tuple[int, str, str]:
    status = cli.main(["check", str(path)])
    out, err = capsys.readouterr()
    assert status in (0, 1) and "Traceback" not in out + err
    return status, out, err


def test_a_feed_over_the_byte_cap_is_reported_not_parsed(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(doctor, "MAX_BYTES", 1000)
    big = tmp_path / "big.ics"
    big.write_bytes((HEAD + "X-A:" + "a" * 2000 + "\r\nEND:VCALENDAR\r\n").encode())
    status, out, _ = check(capsys, big)
    assert status == 1 and "error [size] the feed is more than 1,000 bytes" in out
    assert "read by no parser" in out
    assert len(doctor.read_file(str(big))) == 1001  # no further than the cap + 1


@pytest.mark.parametrize("kind", ["fifo", "folder", "device"])
def test_anything_but_a_regular_file_is_refused_at_once(tmp_path, capsys, kind):
    path = tmp_path / "x.ics"
    if kind == "fifo":
        os.mkfifo(path)  # nobody writes: a blocking open would hang
    elif kind == "folder":
        path.mkdir()
    else:
        path = "/dev/zero"
    started = time.monotonic()
    status, out, err = check(capsys, path)
    assert time.monotonic() - started < 5
    assert (status, out) == (1, "")
    assert err == (
        f"{path}: error: not a regular file (a folder, FIFO or device); "
        "give the path of an .ics file\n"
    )


def dripping_server(headers_too: bool) -> tuple[str, threading.Thread, socket.socket]:
    """One connection; sends a byte every 0.2 s, at most 100 of them."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(10)

    def serve():
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            conn.recv(4096)
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\nContent-Length: 100\r\n\r\n"
            if not headers_too:
                conn.sendall(head)
            data = (head if headers_too else b"") + b"x" * 100
            for byte in data[:100]:
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.2)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}/feed.ics", thread, listener


@pytest.mark.parametrize("headers_too", [False, True], ids=["body", "headers"])
def test_a_slow_drip_server_is_cut_off_at_the_deadline(monkeypatch, capsys, headers_too):
    monkeypatch.setattr(doctor, "DEADLINE", 1.0)
    url, thread, listener = dripping_server(headers_too)
    started = time.monotonic()
    status, out, err = check(capsys, url)
    assert time.monotonic() - started < 4
    assert (status, out) == (1, "")
    assert err == (
        f"{url}: error: the server took more than 1 s to send the feed; "
        "try again later, or check a saved copy of the file\n"
    )
    listener.close()  # the server thread ends by itself within 20 s (daemon, bounded loop)


def nested(depth: int) -> bytes:
    inner = "".join(f"BEGIN:X{i}\r\n" for i in range(depth)) + "".join(
        f"END:X{i}\r\n" for i in reversed(range(depth))
    )
    return (HEAD + inner + "END:VCALENDAR\r\n").encode()


def test_components_nested_too_deep_are_a_finding_and_the_parsers_are_not_run(tmp_path, capsys):
    path = tmp_path / "deep.ics"
    path.write_bytes(nested(5_000))
    status, out, _ = check(capsys, path)
    assert status == 1
    assert f"{path}:{4 + lint.MAX_DEPTH}: error [depth] components are nested more than" in out
    assert "read by no parser" in out
    report = doctor.check(nested(5_000), "deep.ics", PYTHON_PARSERS)
    assert report.used == () and [f.rule for f in report.findings] == ["depth"]


def test_real_nesting_is_not_a_depth_finding():
    assert not [f for f in lint.lint(nested(lint.MAX_DEPTH - 1)) if f.rule == "depth"]


def secondly(count: int) -> str:
    return (
        HEAD
        + "".join(
            f"BEGIN:VEVENT\r\nUID:e{i}@t\r\nDTSTAMP:20260101T000000Z\r\n"
            "DTSTART:20260101T000000Z\r\nDTEND:20260101T000001Z\r\nSUMMARY:s\r\n"
            "RRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\n"
            for i in range(count)
        )
        + "END:VCALENDAR\r\n"
    )


SECONDLY = secondly(300)

MEASURE = """
import resource, sys, time
from feeds import cli
started = time.monotonic()
status = cli.main(["check", sys.argv[1]])
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
node = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(status, time.monotonic() - started, own // 1024, node // 1024, file=sys.stderr)
"""


def test_300_secondly_rules_finish_quickly_in_bounded_memory(tmp_path):
    path = tmp_path / "secondly.ics"
    path.write_text(SECONDLY, newline="")
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    status, seconds, own_mb, node_mb = done.stderr.split()[-4:]
    assert status == "1" and int(own_mb) < 500 and int(node_mb) < 500  # measured: 62 and 106
    assert f"expands to more than {parsers.MAX_OCCURRENCES:,} occurrences" in done.stdout
    assert "[occurrences] icalendar:" in done.stdout


def test_the_budget_is_shared_across_the_file_and_absent_by_default():
    data = SECONDLY.encode()
    with pytest.raises(parsers.TooManyOccurrences, match="more than 6,000 occurrences"):
        parsers.parse("icalendar", data, budget=6000)  # two series of CAP each: 10,000
    assert len(parsers.parse("icalendar", secondly(2).encode())) == 2 * parsers.CAP


LINES = st.sampled_from(
    [
        "BEGIN:VCALENDAR",
        "END:VCALENDAR",
        "BEGIN:VEVENT",
        "END:VEVENT",
        "BEGIN:VALARM",
        "END:VALARM",
        "UID:a@b",
        "DTSTART:20260101T000000Z",
        "DTSTART;TZID=Nowhere:20260101T000000",
        "DTEND:2026",
        "RRULE:FREQ=SECONDLY",
        "RRULE:FREQ=DAILY;COUNT=3",
        "RRULE:FREQ=BOGUS",
        "RECURRENCE-ID:20260102T000000Z",
        "EXDATE:x",
        "SUMMARY:a\\",
        " folded",
        "\x00:\xff",
        "DURATION:P",
        "BEGIN:",
        "END:",
        ":",
        "",
    ]
)


@settings(max_examples=40, deadline=None)
@given(st.lists(LINES, max_size=40), st.sampled_from(["\r\n", "\n"]))
def test_hostile_corpus_never_raises(lines, newline):
    data = newline.join(lines).encode("utf-8", "surrogateescape")
    report = doctor.check(data, "fuzz.ics", PYTHON_PARSERS)
    doctor.format_report(report)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00" * 100,
        "BEGIN:VCALENDAR\r\n" * 1000,
        "END:VEVENT\r\n",
        HEAD + "BEGIN:VEVENT\r\nRRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        HEAD
        + "BEGIN:VEVENT\r\nUID:x\r\nDTSTART:99999999T999999Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    ],
)
def test_hostile_files_through_the_cli_never_show_a_traceback(tmp_path, capsys, text):
    path = tmp_path / "hostile.ics"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    check(capsys, path)
