"""The lint finds each COMPAT.md rule broken, on the physical line to change."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds.doctor.lint import Finding, event_lines, lint

ICS = Path(__file__).parent.parent / "ics"

EVENT = [
    "BEGIN:VEVENT",
    "UID:talk@example.org",
    "DTSTAMP:20260101T000000Z",
    "DTSTART:20260710T010000Z",
    "DTEND:20260710T020000Z",
    "SUMMARY:Talk",
    "END:VEVENT",
]
SEOUL = [
    "BEGIN:VTIMEZONE",
    "TZID:Asia/Seoul",
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0900",
    "TZOFFSETTO:+0900",
    "END:STANDARD",
    "END:VTIMEZONE",
]


def ics(*lines: str, newline: str = "\r\n") -> bytes:
    return "".join(line + newline for line in lines).encode()


def feed(*body: str, head: tuple[str, ...] = ("X-WR-CALNAME:Test",)) -> bytes:
    """A calendar with VERSION and PRODID on lines 2-3, then ``head``, then ``body``."""
    return ics(
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", *head, *body, "END:VCALENDAR"
    )


def event(*changes: str, drop: tuple[str, ...] = ()) -> list[str]:
    """EVENT with properties replaced by name (or added) and ``drop`` ones removed."""
    lines = [line for line in EVENT if line.split(":")[0].split(";")[0] not in drop]
    for change in changes:
        name = change.split(":")[0].split(";")[0]
        at = next((i for i, line in enumerate(lines) if line.startswith(name)), len(lines) - 1)
        lines[at : at + (lines[at].startswith(name))] = [change]
    return lines


def found(data: bytes) -> set[tuple[int, str]]:
    return {(f.line, f.rule) for f in lint(data)}


def test_the_clean_fixture_and_a_minimal_feed_have_no_findings():
    assert lint((ICS / "clean.ics").read_bytes()) == []
    assert lint(feed(*EVENT)) == []


def test_the_broken_fixture_has_an_undeclared_tzid_and_a_90_octet_line():
    assert found((ICS / "broken.ics").read_bytes()) == {
        (10, "tzid-undeclared"),
        (11, "tzid-undeclared"),
        (12, "line-length"),
    }


@pytest.mark.parametrize(
    ("data", "line", "rule", "severity"),
    [
        pytest.param(
            ics(
                "BEGIN:VCALENDAR",
                "VERSION:2.0",
                "PRODID:x",
                "X-WR-CALNAME:T",
                "END:VCALENDAR",
                newline="\n",
            ),
            1,
            "crlf",
            "error",
            id="lf-endings",
        ),
        pytest.param(
            feed(*event("SUMMARY:" + "x" * 68)), 10, "line-length", "error", id="76-octets"
        ),
        pytest.param(
            feed(*event("DTSTART;TZID=Europe/Berlin:20260710T100000")),
            8,
            "tzid-undeclared",
            "error",
            id="tzid-without-vtimezone",
        ),
        pytest.param(
            feed(*event("DTSTART:20260710T100000")),
            8,
            "floating-time",
            "error",
            id="floating-dtstart",
        ),
        pytest.param(
            feed(*event("DTSTART;VALUE=DATE:20260706", "DTEND;VALUE=DATE:20260706")),
            9,
            "all-day-end",
            "error",
            id="all-day-end-not-exclusive",
        ),
        pytest.param(
            feed(*event("DTEND:20260710T000000Z")),
            9,
            "end-before-start",
            "error",
            id="end-before-start",
        ),
        pytest.param(
            feed(*event("DURATION:PT1H")), 9, "dtend-and-duration", "error", id="dtend-and-duration"
        ),
        pytest.param(feed(*event(drop=("UID",))), 5, "required-property", "error", id="no-uid"),
        pytest.param(
            feed(*event(drop=("DTSTAMP",))), 5, "required-property", "error", id="no-dtstamp"
        ),
        pytest.param(
            feed(*event(drop=("DTSTART",))), 5, "required-property", "error", id="no-dtstart"
        ),
        pytest.param(
            ics("BEGIN:VCALENDAR", "VERSION:2.0", "X-WR-CALNAME:T", "END:VCALENDAR"),
            1,
            "required-property",
            "error",
            id="no-prodid",
        ),
        pytest.param(
            feed(*EVENT, head=("X-WR-CALNAME:T", "METHOD:REQUEST")),
            5,
            "method",
            "error",
            id="method-request",
        ),
        pytest.param(feed(*EVENT, head=()), 1, "calendar-name", "warning", id="no-calname"),
        pytest.param(
            feed(*EVENT, head=("X-WR-CALNAME:T", "REFRESH-INTERVAL:PT12H")),
            5,
            "refresh-interval",
            "error",
            id="refresh-without-value-duration",
        ),
        pytest.param(
            feed(*EVENT, head=("X-WR-CALNAME:T", "REFRESH-INTERVAL;VALUE=DURATION:12H")),
            5,
            "refresh-interval",
            "error",
            id="refresh-not-a-duration",
        ),
        pytest.param(
            feed(*EVENT, head=("X-WR-CALNAME:T", "X-PUBLISHED-TTL:12:00:00")),
            5,
            "published-ttl",
            "error",
            id="ttl-as-written-by-icalendar-add",
        ),
        pytest.param(
            feed(*event("SUMMARY:Talk, then questions")),
            10,
            "text-escape",
            "warning",
            id="unescaped-comma",
        ),
        pytest.param(
            feed(*event("SUMMARY:Talk\\: part 2")),
            10,
            "text-escape",
            "warning",
            id="unknown-escape",
        ),
        pytest.param(feed(*EVENT, *EVENT), 12, "uid-unique", "error", id="duplicate-uid"),
        pytest.param(feed(*EVENT[:-1]), 5, "structure", "error", id="unclosed-vevent"),
    ],
)
def test_each_rule_names_its_line(data, line, rule, severity):
    findings = [f for f in lint(data) if f.rule == rule]
    assert [(f.line, f.severity) for f in findings][:1] == [(line, severity)]
    assert findings[0].breaks and findings[0].fix


def test_a_75_octet_line_is_fine_and_a_76_octet_one_is_not():
    assert found(feed(*event("SUMMARY:" + "x" * 67))) == set()
    assert found(feed(*event("SUMMARY:" + "x" * 68))) == {(10, "line-length")}


def test_folding_must_not_split_a_utf_8_character():
    korean = "기조연설".encode()
    good = b"SUMMARY:" + korean[:6] + b"\r\n " + korean[6:] + b"\r\n"
    bad = b"SUMMARY:" + korean[:4] + b"\r\n " + korean[4:] + b"\r\n"  # 2 of 3 bytes, then 1
    head = feed(*EVENT[:-1]).removesuffix(ics("END:VCALENDAR"))
    tail = ics("END:VEVENT", "END:VCALENDAR")
    assert found(head + good + tail) == set()
    assert found(head + bad + tail) == {(12, "fold-utf-8")}  # the continuation line


def test_folding_must_not_split_an_escape():
    assert found(feed(*event("DESCRIPTION:one\\", " , two"))) == {(12, "fold-escape")}
    assert found(feed(*event("DESCRIPTION:one\\\\", " two"))) == set()  # an escaped backslash


def test_a_tzid_declared_by_a_vtimezone_is_fine():
    dtstart = "DTSTART;TZID=Asia/Seoul:20260710T080000"
    assert found(feed(*SEOUL, *event(dtstart, "DTEND;TZID=Asia/Seoul:20260710T090000"))) == set()


def test_an_observance_given_only_as_rdates_is_flagged_for_outlook():
    rdates = [
        "BEGIN:VTIMEZONE",
        "TZID:Asia/Seoul",
        "BEGIN:DAYLIGHT",
        "DTSTART:19870510T020000",
        "RDATE:19870510T020000,19880508T020000",
        "TZOFFSETFROM:+0900",
        "TZOFFSETTO:+1000",
        "END:DAYLIGHT",
        *SEOUL[2:],
    ]
    findings = [f for f in lint(feed(*rdates, *EVENT)) if f.rule == "vtimezone-rdate"]
    assert [(f.line, f.severity) for f in findings] == [(7, "warning")]
    assert "Outlook" in findings[0].breaks


def test_the_same_uid_is_fine_with_distinct_recurrence_ids():
    override = event(
        "RECURRENCE-ID:20260717T010000Z", "DTSTART:20260718T010000Z", "DTEND:20260718T020000Z"
    )
    series = event("RRULE:FREQ=WEEKLY;COUNT=3")
    assert found(feed(*series, *override)) == set()
    assert found(feed(*series, *override, *override)) == {(21, "uid-unique")}


def test_line_numbers_count_the_physical_lines_of_folded_properties():
    folded = event("DESCRIPTION:a long text that was folded", " onto a second line", " and a third")
    floating = [*folded[:-1], "X-AFTER;TZID=Nowhere:20260710T100000", "END:VEVENT"]
    assert found(feed(*floating)) == {(14, "tzid-undeclared")}  # DESCRIPTION is 11 to 13


def test_a_feed_over_a_megabyte_is_a_warning_for_google():
    comments = ["COMMENT:" + "x" * 66] * 13_700
    (finding,) = [f for f in lint(feed(*EVENT, head=("X-WR-CALNAME:T", *comments)))]
    assert (finding.line, finding.severity, finding.rule) == (0, "warning", "size")
    assert "Google" in finding.breaks


def test_many_alike_findings_are_summed_up_after_ten():
    findings = lint(feed(*EVENT, head=("X-WR-CALNAME:T", *["X-A:" + "y" * 80] * 25)))
    assert len(findings) == 11
    assert findings[-1] == Finding(
        15,
        "error",
        "line-length",
        "and 15 more like this from here on",
        findings[0].breaks,
        findings[0].fix,
    )


def test_garbage_is_reported_not_raised():
    rules = {f.rule for f in lint(b"\xff\xfe not a calendar")}
    assert {"utf-8", "structure", "crlf"} <= rules


def test_event_lines_point_at_each_begin_vevent():
    lines = event_lines((ICS / "clean.ics").read_bytes())
    text = (ICS / "clean.ics").read_bytes().split(b"\r\n")
    assert lines["keynote@example.org"] == 37
    assert lines["meetup@example.org"] == 82  # the series, not its override
    assert all(text[n - 1] == b"BEGIN:VEVENT" for n in lines.values())
    assert len(lines) == 7
