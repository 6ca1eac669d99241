"""The interop proof: six independent parsers read in every served file what the model says.

Parsers stand in for the calendar clients no test can reach (COMPAT.md). Over two data sets,
the bundled definitions (``events/``) and the corpus of hard ones (``tests/corpus/``, see its
README), the app is built as it is served and:

* every feed listed in ``/feeds.json`` and every single-event file
  (``/events/<calendar>/<event>.ics``, one per event of the model, checked against the site's own
  resources) is fetched from the app;
* each is read by every parser in :data:`feeds.parsers.PARSERS`, over the feed's window
  (:func:`feeds.occurrences.window`), and every occurrence's start and end must be exactly
  what :func:`feeds.occurrences.occurrences` works out from the model: the same UTC instants
  (dates for all-day events), nothing floating, nothing missing, nothing extra, nothing twice;
* titles, places, descriptions, status and SEQUENCE must come through every parser unchanged;
* the lint must find no error in any of them, and no warning but those in :data:`ALLOWED_WARNINGS`.

A parser that is wrong where RFC 5545 is clear is not excused by loosening the comparison: its
mistakes are listed one by one in :data:`KNOWN_QUIRKS`, with the reason, and must happen exactly
as listed (so a fixed parser shows up as a stale entry). The ``feeds check`` command is tested
end to end at the bottom.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest

from feeds import occurrences, revisions
from feeds.definitions import loader
from feeds.doctor import lint, parsers
from feeds.model import AllDay, Calendar, Deadline, Event, location_of
from feeds.render import ics
from feeds.serve.app import create_app
from feeds.serve.store import Store
from tests.conftest import BUNDLED, ROOT, make_settings

CORPUS = Path(__file__).resolve().parent / "corpus"
BASE = "https://feeds.example.org"  # make_settings' public URL
DOMAIN = "feeds.example.org"  # and UID domain
PUBLISHED = datetime(2026, 1, 1, tzinfo=UTC)  # when the corpus was first revised
EDITED = PUBLISHED + timedelta(days=1)  # when its edits were revised
#: Set by ``make test`` (and so CI): a parser that cannot run fails the proof instead of skipping.
REQUIRE_ALL = os.environ.get("FEEDS_REQUIRE_ALL_PARSERS") == "1"

#: Lint warnings a served file may carry, with the reason. None today: every rule is met.
ALLOWED_WARNINGS: dict[str, str] = {}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- what the parsers get wrong, one event at a time ------------------------------------------


@dataclass(frozen=True)
class Quirk:
    """An event a parser reads differently from the model (and from RFC 5545), and why.

    ``reads`` is every (recurrence_id, start, end) the parser gives for the event, in place of
    the model's occurrences; the proof expects exactly that, so a parser that is fixed shows up
    here as a stale entry. ``calendar_zone``: only in files whose X-WR-TIMEZONE is that zone.
    """

    uid: str  # "<calendar>/<event>"
    reads: tuple[tuple, ...]
    why: str
    calendar_zone: str | None = None


def series(*occurrences: tuple[datetime, timedelta]) -> tuple[tuple, ...]:
    return tuple((start, start, start + length) for start, length in occurrences)


_20M, _1H, _30M = timedelta(minutes=20), timedelta(hours=1), timedelta(minutes=30)

KNOWN_QUIRKS: dict[str, tuple[Quirk, ...]] = {
    "node-ical": (
        Quirk(
            "dst/la-gap-day-excepted",
            series((utc(2026, 3, 7, 10, 30), _20M), (utc(2026, 3, 9, 10, 30), _20M)),
            "node-ical 0.26 (rrule-temporal) steps a daily 02:30 series through the day "
            "02:30 does not exist by moving it to 03:30, and keeps 03:30 for every later "
            "occurrence: 9 March comes out at 03:30 PDT (10:30 UTC). RFC 5545 3.3.10 keeps "
            "02:30; the other five parsers read 09:30 UTC.",
        ),
        Quirk(
            "dst/la-overlap-day-excepted",
            series(
                (utc(2026, 10, 31, 8, 30), _20M),
                (utc(2026, 11, 1, 8, 30), _20M),
                (utc(2026, 11, 2, 9, 30), _20M),
            ),
            "node-ical 0.26 reads EXDATE;TZID=America/Los_Angeles:20261101T013000, a wall "
            "time that happens twice, as the second 01:30 (PST) but puts the occurrence at "
            "the first (PDT), so the exception misses and the excepted day stays. RFC 5545 "
            "3.3.5: an ambiguous local time is the first one; the other five leave it out.",
        ),
    ),
    "vobject": (
        # vobject takes a VTIMEZONE for UTC when its offsets match UTC's on samples from 2000
        # to 2020 (tzinfo_eq); ours for Europe/London covers only the years the events need,
        # so it looks like UTC there. vobject then resolves the TZID with pytz instead, and
        # dateutil's rrule keeps DTSTART's fixed pytz offset (GMT) for every occurrence, with
        # no normalize(): after the clocks change, occurrences come an hour late, an EXDATE
        # (localized correctly) misses, and UNTIL cuts the last one. Single events are right.
        Quirk(
            "dst/london-weekly-across-spring",
            series(
                (utc(2026, 3, 22, 12), _1H), (utc(2026, 3, 29, 12), _1H), (utc(2026, 4, 5, 12), _1H)
            ),
            "vobject + pytz: a London series keeps GMT after the change (see above)",
        ),
        Quirk(
            "dst/london-daily-across-autumn",
            series(
                (utc(2026, 10, 23, 8), _1H),
                (utc(2026, 10, 25, 8), _1H),
                (utc(2026, 10, 26, 8), _1H),
                (utc(2026, 10, 27, 8), _1H),
            ),
            "vobject + pytz: a London series keeps BST after the change (see above)",
        ),
    ),
    "recurring-ical-events": (
        # recurring-ical-events first rewrites every UTC value into the calendar's
        # X-WR-TIMEZONE (x-wr-timezone 2.0, "Google's convention") and then expands in that
        # zone's wall-clock time. So a series stated in UTC follows Los Angeles' clocks (an
        # hour early after March), and a UTC instant in the overlap hour loses which 01:30 it
        # was. RFC 5545: a value with Z is UTC, whatever X-WR-TIMEZONE says; the other five
        # parsers read it so. Only in feeds whose X-WR-TIMEZONE has daylight saving.
        Quirk(
            "dst/utc-weekly-across-spring",
            series(
                (utc(2026, 3, 2, 17), _1H), (utc(2026, 3, 9, 16), _1H), (utc(2026, 3, 16, 16), _1H)
            ),
            "x-wr-timezone: a UTC series follows Los Angeles' clocks",
            calendar_zone="America/Los_Angeles",
        ),
        Quirk(
            "dst/la-first-0130",
            ((None, utc(2026, 11, 1, 8), utc(2026, 11, 1, 8, 30)),),
            "x-wr-timezone: 08:30-09:00 UTC becomes 01:30 PDT-01:00 PST, and the fold is lost",
            calendar_zone="America/Los_Angeles",
        ),
        Quirk(
            "dst/la-second-0130",
            ((None, utc(2026, 11, 1, 8, 30), utc(2026, 11, 1, 10)),),
            "x-wr-timezone: 09:30 UTC becomes 01:30 PST, then read as 01:30 PDT",
            calendar_zone="America/Los_Angeles",
        ),
    ),
}


def _node_ical_text(text: str) -> str:
    return text.replace("\\n", "\\\n")


#: How a parser misreads text, as an exact rewrite of the model's text: parser -> (rewrite, why).
TEXT_QUIRKS = {
    "node-ical": (
        _node_ical_text,
        "node-ical 0.26 undoes the escape \\n before \\\\, so an escaped backslash followed by "
        "n (written \\\\n) comes out as a backslash and a newline. RFC 5545 3.3.11 reads it as "
        "a backslash and an n; the other five parsers do.",
    ),
}


# -- the data sets, served ----------------------------------------------------------------------


@dataclass
class Served:
    """One data set as the app serves it, and what each file must contain."""

    name: str
    folder: Path
    calendars: dict[str, Calendar]
    revisions: dict[str, revisions.Revisions]
    feeds: list[dict]  # /feeds.json
    files: dict[str, bytes]  # URL path -> body, as served
    members: dict[str, list[Event]]  # URL path -> the model's events in it
    resources: set[str]  # the site's own list of single-event files
    readings: dict[str, dict] = field(default_factory=dict)  # parser -> path -> events or error

    def read(self, parser: str) -> dict[str, list[parsers.ParsedEvent] | parsers.ParserFailed]:
        """Every file as ``parser`` reads it over its window (read once, then kept)."""
        if parser not in self.readings:
            ok, reason = parsers.available(parser)
            if not ok:
                if REQUIRE_ALL or parser not in ("ical.js", "node-ical"):
                    pytest.fail(f"{parser} cannot run: {reason}")
                pytest.skip(f"{parser} cannot run here: {reason} (make test installs it)")
            windows = {path: occurrences.window(events) for path, events in self.members.items()}
            self.readings[parser] = parsers.parse_many(parser, self.files, windows)
        return self.readings[parser]


def corpus_copy(folder: Path) -> Path:
    """The corpus in ``folder`` with revisions files, revised as a publisher would have.

    Each ``history/<name>.yaml`` stands in for ``<name>.yaml`` when everything is first
    revised (at PUBLISHED); then the current definitions are revised (at EDITED).
    """
    shutil.copytree(
        CORPUS, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("history", "*.md", ".*")
    )
    current = {path: path.read_bytes() for path in folder.glob("*.yaml")}
    for earlier in (CORPUS / "history").glob("*.yaml"):
        (folder / earlier.name).write_bytes(earlier.read_bytes())
    for calendar in loader.load_folder(folder):
        revisions.update(calendar, now=PUBLISHED)
    for path, data in current.items():
        path.write_bytes(data)
    for calendar in loader.load_folder(folder):
        revisions.update(calendar, now=EDITED)
    return folder


def serve(name: str, folder: Path) -> Served:
    settings = make_settings(folder)
    store = Store(settings, write_revisions=False)
    assert store.errors() == [], store.errors()  # every definition is served
    app = create_app(settings, store)
    client = app.test_client()
    site = app.extensions["feeds_store"].site
    calendars = {b.calendar.id: b.calendar for b in site.builds}
    revs = {b.calendar.id: b.revisions for b in site.builds}
    feeds = client.get("/feeds.json").get_json()["feeds"]
    files, members = {}, {}
    for feed in feeds:
        path = feed["url"].removeprefix(BASE)
        members[path] = feed_members(feed, calendars)
    for calendar in calendars.values():
        for event in calendar.events:
            members[f"/events/{calendar.id}/{event.id}.ics"] = [event]
    for path in members:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8", path
        files[path] = response.data
    resources = {
        path
        for path, resource in site.resources.items()
        if path.startswith("/events/") and resource.media_type.startswith("text/calendar")
    }
    return Served(name, folder, calendars, revs, feeds, files, members, resources)


def feed_members(feed: dict, calendars: dict[str, Calendar]) -> list[Event]:
    """The model's events in a feed of feeds.json, by the URL rules in the README (and
    docs/feeds.md: tags, series, the horizon)."""
    if feed["calendar"] is None:  # all, deadlines, tags/<tag>, series/<series>, history/...
        assert feed["id"].removeprefix("history/") in ("all", "deadlines") or feed.get("tag")
        everything = [
            e
            for c in calendars.values()
            if feed.get("tag") in (None, *c.tags) and feed.get("series") in (None, c.series)
            for e in c.events
            if feed["kind"] in (None, e.kind)
        ]
        if "horizon" not in feed:
            return everything
        since = datetime.fromisoformat(feed["horizon"]["since"])
        return [e for e in everything if occurrences.instant(_last_end(e)) >= since]
    events = calendars[feed["calendar"]].events
    return [e for e in events if feed["kind"] is None or e.kind == feed["kind"]]


def _last_end(event: Event):
    start, end = occurrences.last(event)
    return start if end is None else end


@pytest.fixture(scope="module", params=["bundled", "corpus"])
def served(request, tmp_path_factory) -> Served:
    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "bundled":  # as conftest's bundled_dir: a copy, revisions included
        shutil.copytree(BUNDLED, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".*"))
    else:
        corpus_copy(folder)
    return serve(request.param, folder)


@pytest.fixture(params=parsers.PARSERS)
def parser(request) -> str:
    return request.param


def uid(event: Event) -> str:
    return f"{event.calendar_id}/{event.id}@{DOMAIN}"


def short(full_uid: str) -> str:
    return full_uid.removesuffix(f"@{DOMAIN}")


# -- the proof ----------------------------------------------------------------------------------


def test_the_proof_covers_every_feed_and_every_event_file(served):
    """Enumerated from feeds.json and the model, and checked against the site's own list."""
    events = sum(len(c.events) for c in served.calendars.values())
    event_files = {path for path in served.files if path.startswith("/events/")}
    assert event_files == served.resources
    assert len(event_files) == events
    assert len(served.files) == len(served.feeds) + events
    for feed in served.feeds:
        members = served.members[feed["url"].removeprefix(BASE)]
        assert feed["events"] == len(members), feed["id"]
        assert members or feed["kind"] == "deadline", feed["id"]  # "deadlines always"
    kinds = {(c.id, e.kind) for c in served.calendars.values() for e in c.events}
    listed = {(f["calendar"], f["kind"]) for f in served.feeds}
    assert kinds <= listed  # every kind present has its feed
    assert set(served.calendars) == {c.id for c in loader.load_folder(served.folder)}


def test_every_parser_reads_every_occurrence_where_the_model_puts_it(served, parser):
    """Start and end as UTC instants (dates for all-day), every occurrence, every file."""
    readings = served.read(parser)
    problems = []
    for path, events in served.members.items():
        reading = readings[path]
        if isinstance(reading, parsers.ParserFailed):
            problems.append(f"{path}: {parser} cannot read it: {reading.message}")
            continue
        expected = expected_readings(events, parser, served.files[path])
        got: dict[tuple, tuple] = {}
        deadlines = {uid(e) for e in events if isinstance(e.when, Deadline)}
        for event in reading:
            if event.key in got:
                problems.append(f"{path}: {event.uid} {event.recurrence_id} is read twice")
            got[event.key] = observed(event, event.uid in deadlines)
        for key in sorted(expected.keys() | got.keys(), key=repr):
            if expected.get(key) != got.get(key):
                problems.append(
                    f"{path}: {short(key[0])} occurrence {show(key[1])}: "
                    f"the model says {show(expected.get(key))}, "
                    f"{parser} reads {show(got.get(key))}"
                )
    assert not problems, f"{len(problems)} difference(s):\n" + "\n".join(problems[:40])


def expected_readings(events: list[Event], parser: str, data: bytes) -> dict[tuple, tuple]:
    """(uid, recurrence_id) -> (start, end, all_day, floating) as the model says, quirks applied."""
    expected = {}
    for event in events:
        all_day = isinstance(event.when, AllDay)
        for start, end in occurrences.occurrences(event):
            recurrence_id = start if event.repeat is not None else None
            expected[uid(event), recurrence_id] = (start, end, all_day, False)
    zone = re.search(rb"^X-WR-TIMEZONE:(.*?)\r$", data, re.M)
    for quirk in KNOWN_QUIRKS.get(parser, ()):
        full = f"{quirk.uid}@{DOMAIN}"
        if not any(key[0] == full for key in expected):
            continue
        if quirk.calendar_zone and (zone is None or zone[1].decode() != quirk.calendar_zone):
            continue
        for key in [key for key in expected if key[0] == full]:
            del expected[key]
        for recurrence_id, start, end in quirk.reads:
            expected[full, recurrence_id] = (start, end, False, False)
    return expected


def observed(event: parsers.ParsedEvent, deadline: bool) -> tuple:
    """What a parser read, in the terms of :func:`expected_readings`.

    A deadline has DTSTART only: parsers say its end is None (vobject) or equal to the start
    (RFC 5545 3.6.1: such an event ends where it starts); those two, and only those, are "no end".
    """
    end = event.end
    if deadline and end in (None, event.start):
        end = None
    return (event.start, end, event.all_day, event.floating)


def show(value) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(show(v) for v in value) + ")"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%MZ")
    if isinstance(value, date):
        return value.isoformat()
    return "nothing" if value is None else str(value)


def test_every_known_quirk_is_about_an_event_of_the_corpus():
    calendars = {c.id: c for c in loader.load_folder(CORPUS)}
    for name, quirks in KNOWN_QUIRKS.items():
        assert name in parsers.PARSERS
        for quirk in quirks:
            calendar_id, event_id = quirk.uid.split("/")
            event = calendars[calendar_id].event(event_id)
            assert event is not None, quirk.uid
            assert quirk.reads != tuple(
                (s if event.repeat else None, s, e) for s, e in occurrences.occurrences(event)
            )


def test_every_parser_reads_the_text_status_and_sequence(served, parser):
    """Folding and escaping undone exactly: title, place, description, status, SEQUENCE."""
    readings = served.read(parser)
    calendars = served.calendars
    problems = []
    for path, events in served.members.items():
        reading = readings[path]
        if isinstance(reading, parsers.ParserFailed):
            problems.append(f"{path}: {parser} cannot read it: {reading.message}")
            continue
        by_uid = {uid(e): e for e in events}
        # feeds spanning calendars (feeds.json: no calendar) name it before a title that does
        # not (tests/render/test_merged_summary.py has the rule's cases)
        merged = any(f["calendar"] is None and f["url"] == BASE + path for f in served.feeds)
        for got in reading:
            event = by_uid.get(got.uid)
            if event is None:
                continue  # an unknown occurrence is the other test's finding
            calendar = calendars[event.calendar_id]
            location = location_of(event, calendar)  # the one rule: feeds.model
            prefix = ics.summary_prefix(event.title, calendar) if merged else ""
            revision = served.revisions[event.calendar_id].of(event.id)
            want = {
                "summary": prefix + event.title,
                "location": location or None,
                # with the last change's line ("Changed 2 Jan 2026: was ...") where it has one
                "description": ics.describe(event, calendar, revision) or None,
                "status": event.status.upper(),
                "sequence": revision.sequence,
            }
            if parser in TEXT_QUIRKS:
                rewrite = TEXT_QUIRKS[parser][0]
                want.update((k, rewrite(v)) for k, v in want.items() if isinstance(v, str))
            for name, value in want.items():
                if getattr(got, name) != value:
                    problems.append(
                        f"{path}: {short(got.uid)} {name}: the model says {value!r}, "
                        f"{parser} reads {getattr(got, name)!r}"
                    )
    assert not problems, f"{len(problems)} difference(s):\n" + "\n".join(problems[:40])


def test_categories_carry_the_kind_and_tags_with_their_commas(served):
    """CATEGORIES is a list of TEXT: a comma inside a tag is escaped, between tags it is not."""
    for path, events in served.members.items():
        calendar = icalendar.Calendar.from_ical(served.files[path])
        by_uid = {uid(e): e for e in events}
        for vevent in calendar.walk("VEVENT"):
            event = by_uid[str(vevent["UID"])]
            assert tuple(vevent.categories) == event.categories, (path, event.id)


def test_every_served_file_passes_the_lint(served):
    problems = []
    for path, data in served.files.items():
        for finding in lint.lint(data):
            if finding.severity == "warning" and finding.rule in ALLOWED_WARNINGS:
                continue
            problems.append(
                f"{path}:{finding.line}: {finding.severity} [{finding.rule}] {finding.message}"
            )
    assert not problems, "\n".join(problems[:40])


def test_the_corpus_is_hard_in_the_ways_it_claims(tmp_path):
    """Guards the corpus itself: what issue 4 asks of it is really in it."""
    served = serve("corpus", corpus_copy(tmp_path / "corpus"))
    everything = b"".join(served.files[f"/feeds/{c}.ics"] for c in served.calendars)
    lines = everything.split(b"\r\n")
    folds = [(lines[i - 1], lines[i][1:]) for i, line in enumerate(lines) if line.startswith(b" ")]
    hangul, emoji = rb"[\xea-\xed][\x80-\xbf]{2}", rb"\xf0[\x80-\xbf]{3}"
    # Korean and emoji text folded right next to a fold, on both sides
    assert any(re.search(hangul + rb"$", a) and re.match(hangul, b) for a, b in folds)
    assert any(re.search(emoji + rb"$", a) and re.match(emoji, b) for a, b in folds)
    assert any(a.endswith(b"\\") for a, _ in folds)  # a fold right after a backslash
    # a comma, a semicolon, a backslash and a newline in every text field
    for prop in (
        b"SUMMARY",
        b"LOCATION",
        b"DESCRIPTION",
        b"CATEGORIES",
        b"X-WR-CALNAME",
        b"X-WR-CALDESC",
    ):
        for escaped in (b"\\,", b"\\;", b"\\\\", b"\\n"):
            assert any(
                line.startswith(prop + b":") and escaped in line for line in unfold(everything)
            ), (prop, escaped)
    events = {f"{e.calendar_id}/{e.id}": e for c in served.calendars.values() for e in c.events}
    assert {e.status for e in events.values()} == {"confirmed", "tentative", "cancelled"}
    all_day = [e.when for e in events.values() if isinstance(e.when, AllDay)]
    assert any(w.first == w.last for w in all_day) and any(w.first < w.last for w in all_day)
    aoe = [
        e.when.at for e in events.values() if isinstance(e.when, Deadline) and e.when.zone == "AoE"
    ]
    assert {(t.hour, t.minute) for t in aoe} >= {(23, 59), (0, 0)}
    zones = {e.when.zone for e in events.values() if hasattr(e.when, "zone")}
    assert {"Asia/Seoul", "America/Los_Angeles", "Europe/London", "UTC", "AoE"} <= zones
    timed = [e.when for e in events.values() if hasattr(e.when, "start_utc")]
    assert any(w.start.date() != w.end.date() and w.zone == "Asia/Seoul" for w in timed)
    assert any(w.start_utc.date() != w.end_utc.date() for w in timed)  # across 00:00 UTC
    assert any(w.start.date() != w.start_utc.date() for w in timed)  # another date in UTC
    repeats = [e for e in events.values() if e.repeat and e.repeat.exceptions]
    assert any(
        e.when.zone in ("America/Los_Angeles", "Europe/London")
        for e in repeats
        if hasattr(e.when, "zone")
    )
    assert served.revisions["edited"].of("moved").sequence == 1


def unfold(data: bytes) -> list[bytes]:
    return data.replace(b"\r\n ", b"").split(b"\r\n")


# -- an edit after publication --------------------------------------------------------------------

EDITED_CALENDAR = CORPUS / "edited.yaml"
EARLIER = CORPUS / "history" / "edited.yaml"


def test_an_edited_time_raises_sequence_and_keeps_the_uid(tmp_path):
    """Version A, revised; version B a day later: every parser that reads SEQUENCE sees it rise."""
    folder = tmp_path / "events"
    folder.mkdir()
    definition = folder / "edited.yaml"
    definition.write_bytes(EARLIER.read_bytes())
    revisions.update(loader.load_file(definition), now=PUBLISHED)
    before = serve("A", folder)
    definition.write_bytes(EDITED_CALENDAR.read_bytes())
    revisions.update(loader.load_file(definition), now=EDITED)
    after = serve("B", folder)

    path = "/feeds/edited.ics"
    moved = "edited/moved@feeds.example.org"
    exposing = []
    for name in parsers.PARSERS:
        ok, reason = parsers.available(name)
        if not ok:
            assert not REQUIRE_ALL, f"{name} cannot run: {reason}"
            continue
        a = {e.key: e for e in before.read(name)[path]}
        b = {e.key: e for e in after.read(name)[path]}
        assert set(a) == {(k[0], k[1]) for k in a}
        if a[moved, None].sequence is None:
            continue  # this parser does not give SEQUENCE
        exposing.append(name)
        # the moved event: same UID, new time, SEQUENCE 0 -> 1
        was, now = a[moved, None], b[moved, None]
        assert (was.start, was.end) == (utc(2026, 7, 9, 1), utc(2026, 7, 9, 2))
        assert (now.start, now.end) == (utc(2026, 7, 9, 5), utc(2026, 7, 9, 6, 30))
        assert (a[moved, None].sequence, b[moved, None].sequence) == (0, 1), name
        # a series moved: every occurrence (identified by its new start) carries SEQUENCE 1
        series = "edited/moved-series@feeds.example.org"
        days = (6, 7, 8)
        assert sorted(k[1] for k in a if k[0] == series) == [utc(2026, 7, d, 0) for d in days]
        assert sorted(k[1] for k in b if k[0] == series) == [utc(2026, 7, d, 0, 30) for d in days]
        assert {e.sequence for k, e in b.items() if k[0] == series} == {1}
        # cancelled: SEQUENCE rises and the status says so; reworded or untouched: it stays
        called_off = "edited/called-off@feeds.example.org"
        assert (a[called_off, None].sequence, b[called_off, None].sequence) == (0, 1)
        assert a[called_off, None].status == "CONFIRMED"
        assert b[called_off, None].status == "CANCELLED"
        reworded = "edited/reworded@feeds.example.org"
        assert (a[reworded, None].sequence, b[reworded, None].sequence) == (0, 0)
        assert b[reworded, None].summary == "Closing remarks and awards"
        assert b["edited/unchanged@feeds.example.org", None].sequence == 0
        # each says what it was before and when it changed (the change log's line)
        assert "Changed 2 Jan 2026: was 9 Jul 2026 10:00–11:00 KST" in b[moved, None].description
        assert "Changed 2 Jan 2026: was confirmed" in b[called_off, None].description
        assert "was titled “Closing remarks”" in b[reworded, None].description
        assert not a[moved, None].description
        # the single-event file says the same
        (single,) = after.read(name)["/events/edited/moved.ics"]
        assert (single.uid, single.sequence, single.start) == (moved, 1, utc(2026, 7, 9, 5))
    assert {"icalendar", "ical.js"} <= set(exposing)

    stamps = {}
    for label, served in (("A", before), ("B", after)):
        calendar = icalendar.Calendar.from_ical(served.files[path])
        stamps[label] = {
            str(e["UID"]): (e["DTSTAMP"].dt, e["LAST-MODIFIED"].dt) for e in calendar.walk("VEVENT")
        }
    assert stamps["A"][moved] == (PUBLISHED, PUBLISHED)
    assert stamps["B"][moved] == (EDITED, EDITED)  # clients see a newer copy
    assert stamps["B"]["edited/reworded@feeds.example.org"] == (EDITED, EDITED)
    assert stamps["B"]["edited/unchanged@feeds.example.org"] == (PUBLISHED, PUBLISHED)


# -- feeds check, end to end ----------------------------------------------------------------------


def feeds(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``python -m feeds.cli ARGS`` as a user runs it, with no FEEDS_ settings from outside."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDS_")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "feeds.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_feeds_check_names_what_breaks_a_broken_feed_and_whom(client, tmp_path):
    """Our own workshop feed without its VTIMEZONE and with a 90-octet line: both named."""
    lines = client.get("/feeds/icml-2026/workshops.ics").data.decode().split("\r\n")
    start, end = lines.index("BEGIN:VTIMEZONE"), lines.index("END:VTIMEZONE")
    del lines[start : end + 1]
    long_line = "COMMENT:" + "x" * 82
    assert len(long_line.encode()) == 90
    lines.insert(lines.index("END:VEVENT"), long_line)
    broken = tmp_path / "broken.ics"
    broken.write_bytes("\r\n".join(lines).encode())
    tzid_line = next(i for i, line in enumerate(lines, 1) if line.startswith("DTSTART;TZID="))
    long_line_number = lines.index(long_line) + 1

    done = feeds("check", str(broken), cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout.splitlines()
    (tzid,) = [
        line for line in out if line.startswith(f"{broken}:{tzid_line}: error [tzid-undeclared]")
    ]
    assert "DTSTART uses TZID Asia/Seoul, which no VTIMEZONE declares" in tzid
    assert "Outlook (error 0x00040015, times shift)" in tzid and "Thunderbird" in tzid
    (long,) = [
        line for line in out if line.startswith(f"{broken}:{long_line_number}: error [line-length]")
    ]
    assert "line is 90 octets" in long and "Google" in long and "fold lines at 75 octets" in long
    if parsers.available("ical.js")[0] or REQUIRE_ALL:
        # Thunderbird's parser, given no VTIMEZONE, reads the Seoul times as floating
        (floating,) = [line for line in out if "[floating-time]" in line]
        assert "ical.js read its time as floating" in floating and "Thunderbird" in floating
    assert f"{broken}: FAILED: " in done.stdout


def test_feeds_check_passes_every_feed_we_serve(tmp_path):
    events = tmp_path / "events"
    shutil.copytree(BUNDLED, events, ignore=shutil.ignore_patterns(".*"))
    built = feeds(
        "build",
        str(tmp_path / "site"),
        "--events",
        str(events),
        "--public-url",
        BASE,
        "--uid-domain",
        DOMAIN,
        cwd=tmp_path,
    )
    assert built.returncode == 0, built.stderr
    site = tmp_path / "site"
    feed_files = sorted(str(p) for p in (site / "feeds").rglob("*.ics"))
    # all, deadlines, their histories, icml-2026 and its six kinds; the two deadlines feeds'
    # three reminder variants each (.../deadlines/remind-7d.ics, remind-1d.ics, remind-7d-1d.ics)
    assert len(feed_files) == 11 + 2 * 3
    done = feeds("check", *feed_files, cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, ""), done.stdout
    verdicts = [line for line in done.stdout.splitlines() if ": ok: " in line]
    assert len(verdicts) == len(feed_files)
    for line in verdicts:
        assert ": ok: 0 error(s), 0 warning(s)" in line, line
        if REQUIRE_ALL:
            assert line.endswith("read by " + ", ".join(parsers.PARSERS)), line


# -- what the proof found, kept fixed --------------------------------------------------------------


@pytest.mark.parametrize("text", ["a\\b", "\\\\server\\share", "\\" * 7, "x\\ny;z,w"])
def test_folding_never_splits_an_escape_wherever_the_fold_falls(write, app_for, text):
    """icalendar 7.3.2 moves a trailing backslash to the next line even when it closes an
    escaped one, splitting ``\\\\``; feeds fold escapes whole, in events and in the header."""
    quoted = json.dumps  # a JSON string is a YAML double-quoted one
    events = "\n".join(
        f"  - {{id: e{pad}, title: t, start: 2026-07-10 09:00, duration: 1h, "
        f"description: {quoted('x' * pad + text)}, location: {quoted('y' * pad + text)}}}"
        for pad in range(80)
    )
    write(
        "t.yaml",
        f"name: {quoted('n' * 60 + text)}\ndescription: {quoted('d' * 61 + text)}\n"
        f"events:\n{events}\n",
    )
    data = app_for().test_client().get("/feeds/t.ics").data
    assert [f for f in lint.lint(data) if f.rule.startswith("fold")] == []
    calendar = icalendar.Calendar.from_ical(data)
    for vevent in calendar.walk("VEVENT"):
        pad = int(str(vevent["UID"]).split("/e")[1].split("@")[0])
        assert str(vevent["DESCRIPTION"]) == "x" * pad + text
        assert str(vevent["LOCATION"]) == "y" * pad + text


def test_the_lint_follows_a_run_of_backslashes_across_folds():
    """Only a fold after an escape's opening backslash splits it, however long the run."""
    head = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nX-WR-CALNAME:T\r\n"
    body = (
        b"BEGIN:VEVENT\r\nUID:u\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260710T010000Z\r\n"
        b"DESCRIPTION:a\\\r\n \\\\\\\r\n b\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    # "a\" | "\\\" | "b": the first fold splits "\\"; after the second the run is 4, even
    assert [(f.line, f.rule) for f in lint.lint(head + body)] == [(10, "fold-escape")]


def test_a_series_whose_last_day_is_an_excepted_dst_change_renders(write, app_for):
    """UNTIL used to be the 'until' day at the start's time, which does not exist on 8 March
    in Los Angeles: rendering raised and the whole calendar was dropped."""
    write(
        "t.yaml",
        """
        name: T
        timezone: America/Los_Angeles
        events:
          - id: s
            title: S
            start: 2026-03-06 02:30
            duration: 20m
            repeat: {every: day, until: 2026-03-08, except: [2026-03-08]}
        """,
    )
    data = app_for().test_client().get("/feeds/t.ics").data
    (vevent,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert vevent["RRULE"]["UNTIL"] == [utc(2026, 3, 7, 10, 30)]  # the last occurrence


def test_a_series_with_an_occurrence_across_a_clock_change_is_refused():
    """23:00 to 03:00 is an hour shorter on the night of 8 March in Los Angeles. RFC 5545 3.8.5.3
    gives every occurrence the first one's length; ical.js, ical and recurring-ical-events keep
    the wall-clock end instead (the proof saw both), so no feed can say it to all: refused."""
    text = """
name: T
timezone: America/Los_Angeles
events:
  - {id: n, title: N, start: 2026-03-06 23:00, end: 2026-03-07 03:00,
     repeat: {every: day, count: 3}}
"""
    calendar, problems = loader.check_text(text, "t.yaml")
    assert calendar is None
    (problem,) = problems
    assert "2026-03-07 spans a change of the clocks" in problem.message


# -- reading many files at once -----------------------------------------------------------------


def test_parse_many_reads_each_file_as_parse_does(parser):
    """One node process for many files gives what one process per file gives, failures too."""
    ok, reason = parsers.available(parser)
    if not ok:
        assert not REQUIRE_ALL, f"{parser} cannot run: {reason}"
        pytest.skip(f"{parser} cannot run here: {reason}")
    fixtures = Path(__file__).parent / "ics"
    files = {
        "clean": (fixtures / "clean.ics").read_bytes(),
        "broken": (fixtures / "broken.ics").read_bytes(),
        "november": (fixtures / "clean.ics").read_bytes(),
        "garbage": b"this is not a calendar\r\n",
    }
    spans = {"november": (utc(2026, 11, 1), utc(2026, 12, 1))}
    many = parsers.parse_many(parser, files, spans)
    assert list(many) == list(files)
    for key, data in files.items():
        try:
            one = parsers.parse(parser, data, spans.get(key))
        except parsers.ParserFailed as error:
            assert isinstance(many[key], parsers.ParserFailed), key
            assert str(many[key]) == str(error)
        else:
            assert many[key] == one, key
    assert [e.start.day for e in many["november"]] == [5, 13]
