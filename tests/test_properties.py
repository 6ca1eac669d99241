"""Property-based tests over the definition format (hypothesis).

For any generated definition, valid or hostile: it validates, and every feed made
from it parses (icalendar, ical.js) with exactly the model's instants, compared in
UTC; or it is refused with errors that name the file and a line of it. Nothing
else: no other exception, no 500 from the app. For documents drawn with an intent
(:func:`tests.strategies.documents`) the model must also say what the YAML says,
worked out independently from the tz database and dateutil.

The settings profile (deterministic in CI) is in ``tests/hypothesis_profiles.py``.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import event as label
from hypothesis import given, settings

from feeds import config, revisions, site, tz
from feeds.definitions import loader
from feeds.doctor import parsers
from feeds.errors import DefinitionError
from feeds.model import AllDay, Calendar, Deadline, Event, Timed
from feeds.serve.app import create_app
from feeds.serve.store import Store
from tests.hypothesis_profiles import examples

from . import strategies

PATH = "events/prop.yaml"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
SETTINGS = config.Settings(
    events_dir="events",
    public_url="https://feeds.example.org",
    uid_domain="feeds.example.org",
    reload_seconds=0,
)


# -- what the model says, and what a parser read --------------------------------------------


def model_occurrences(event: Event) -> list[tuple]:
    """(start, end) of each occurrence by the model: UTC instants, or dates (end exclusive).

    A repeated timed event keeps its wall-clock start in its zone; each occurrence
    lasts exactly as long as the first (RFC 5545 3.8.5.3), which is what clients do.
    """
    when = event.when
    if isinstance(when, Deadline):
        return [(when.at_utc, None)]
    if isinstance(when, AllDay):
        days = event.repeat.occurrences(when.first) if event.repeat else [when.first]
        length = when.end_exclusive - when.first
        return [(d, d + length) for d in days]
    assert isinstance(when, Timed)
    first = when.start.date()
    days = event.repeat.occurrences(first) if event.repeat else [first]
    length = when.end_utc - when.start_utc
    out = []
    for day in days:
        start = tz.to_utc(when.start + (day - first), when.zone)
        out.append((start, start + length))
    return out


def expected_feed(calendar: Calendar, events: list[Event]) -> tuple[list[tuple], dict]:
    """Every occurrence as (uid, start, end), and each UID's title: what a parser must read."""
    out = []
    titles = {}
    for event in events:
        uid = f"{calendar.id}/{event.id}@{SETTINGS.uid_domain}"
        out.extend((uid, start, end) for start, end in model_occurrences(event))
        titles[uid] = {event.title}
    return sorted(out, key=repr), titles


def parsed_feed(parser: str, body: bytes) -> tuple[list[tuple], dict]:
    """Every occurrence a parser reads as (uid, start, end), and the titles it reads."""
    ok, reason = parsers.available(parser)
    if not ok:
        pytest.skip(f"{parser} cannot run here: {reason} (make test installs it)")
    out = []
    titles: dict[str, set] = {}
    for event in parsers.parse(parser, body):
        assert not event.floating, (parser, event)
        titles.setdefault(event.uid, set()).add(event.summary)
        end = event.end
        if isinstance(event.start, datetime) and end in (None, event.start):
            end = None if _is_deadline(body, event.uid) else end
        out.append((event.uid, event.start, end))
    return sorted(out, key=repr), titles


def _is_deadline(body: bytes, uid: str) -> bool:
    """A deadline is written with DTSTART alone: parsers give it no end or a zero one."""
    for chunk in body.split(b"BEGIN:VEVENT")[1:]:
        unfolded = chunk.replace(b"\r\n ", b"")
        if f"UID:{uid}\r\n".encode() in unfolded:
            return b"\r\nDTEND" not in unfolded and b"\r\nDURATION" not in unfolded
    return False


def render(calendar: Calendar) -> tuple[site.CalendarBuild, site.Site]:
    revs = revisions.reconcile(calendar, None, NOW)
    build = site.render_calendar(calendar, revs, SETTINGS)
    return build, site.assemble([build], SETTINGS)


def assert_wellformed_ics(body: bytes) -> None:
    """CRLF lines of at most 75 octets, each whole UTF-8, components balanced."""
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n")
    lines = body[:-2].split(b"\r\n")
    for line in lines:
        assert b"\r" not in line and b"\n" not in line, line
        assert len(line) <= 75, line
        line.decode("utf-8")  # a fold never splits a character
    names = [line for line in lines if line.startswith((b"BEGIN:", b"END:"))]
    assert names.count(b"BEGIN:VEVENT") == names.count(b"END:VEVENT")
    assert b"BEGIN:VALARM" not in names or b"END:VALARM" in names


def assert_located(problems, text: str | bytes) -> None:
    """Every error names the file and a line that exists (plus the line after the end)."""
    errors = [p for p in problems if p.severity == "error"]
    assert errors, "refused without an error"
    decoded = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    # YAML counts a lone CR, NEL, LS and PS as line breaks too
    last = len(re.findall("\r\n|[\n\r\x85\u2028\u2029]", decoded)) + 2
    for problem in errors:
        assert problem.path == PATH, problem
        assert 1 <= problem.line <= last, problem
        assert problem.message, problem
        assert str(problem).startswith(f"{PATH}:{problem.line}:"), problem


def check_consistent(calendar: Calendar) -> site.Site:
    """Every feed and event file of ``calendar`` is well formed and says what the model says."""
    build, whole = render(calendar)
    by_kind: dict[str, list[Event]] = {}
    for event in calendar.events:
        by_kind.setdefault(event.kind, []).append(event)
    wanted = {f"/feeds/{calendar.id}.ics": list(calendar.events)}
    for info in build.feeds:
        if info.kind is not None:
            wanted[info.path] = by_kind.get(info.kind, [])
    for event in calendar.events:
        wanted[site.event_path(event)] = [event]
    resources = {r.path: r for r in build.every_resource()}
    for path, events in wanted.items():
        body = resources[path].body
        assert_wellformed_ics(body)
        assert parsed_feed("icalendar", body) == expected_feed(calendar, events), path
    json.loads(whole.get("/feeds.json").body)
    for path in ("/feeds/all.ics", "/feeds/deadlines.ics"):
        assert_wellformed_ics(whole.get(path).body)
    return whole


# -- the properties ----------------------------------------------------------------------------


@settings(max_examples=examples(400))
@given(strategies.documents())
def test_a_definition_means_what_it_says_or_is_refused_at_its_line(doc):
    calendar, problems = loader.check_text(doc.text, PATH)
    reasons = doc.refuse or [i.refuse for i in doc.intents if i.refuse]
    label(
        f"refused: {reasons[0] if isinstance(reasons, list) else reasons}" if reasons else "valid"
    )
    if not doc.valid:
        assert calendar is None, f"accepted, but must be refused: {reasons}"
        assert_located(problems, doc.text)
        return
    assert calendar is not None, "\n".join(map(str, problems))
    for intent in doc.intents:
        event = calendar.event(intent.id)
        assert event is not None, intent.id
        assert event.title == intent.title
        assert model_occurrences(event) == intent.occurrences, intent.id
    check_consistent(calendar)


@settings(max_examples=examples(400))
@given(strategies.hostile_documents())
def test_any_document_yields_consistent_feeds_or_located_errors(doc):
    calendar, problems = loader.check_text(doc.text, PATH)
    if calendar is None:
        assert_located(problems, doc.text)
        with pytest.raises(DefinitionError) as raised:
            loader.load_text(doc.text, PATH)
        assert_located(raised.value.problems, doc.text)
        return
    assert all(p.severity == "warning" for p in problems)
    check_consistent(calendar)


@settings(max_examples=examples(60))
@given(strategies.documents(max_events=3, controls=False))
def test_icaljs_reads_the_models_instants(doc):
    """Thunderbird's parser, which knows no zone but the file's VTIMEZONEs."""
    calendar, _ = loader.check_text(doc.text, PATH)
    label("refused" if calendar is None else "valid")
    if calendar is None:
        return
    build, _ = render(calendar)
    body = build.resources[0].body
    assert build.resources[0].path == f"/feeds/{calendar.id}.ics"
    assert parsed_feed("ical.js", body) == expected_feed(calendar, list(calendar.events))


@settings(max_examples=examples(60))
@given(strategies.hostile_documents())
def test_the_app_never_answers_500(doc):
    """Served beside a good calendar: every URL answers, the good calendar stays served."""
    with tempfile.TemporaryDirectory() as folder:
        events = Path(folder)
        (events / "good.yaml").write_text(GOOD, encoding="utf-8")
        data = doc.text if isinstance(doc.text, bytes) else doc.text.encode("utf-8")
        (events / "prop.yaml").write_bytes(data)
        settings_ = config.Settings(
            events_dir=folder, public_url="https://feeds.example.org", reload_seconds=0
        )
        client = create_app(settings_, Store(settings_, settle_seconds=0)).test_client()
        health = client.get("/healthz")
        assert health.status_code == 200, health.data
        body = health.get_json()
        assert body["status"] in ("ok", "degraded")
        feeds = client.get("/feeds.json").get_json()["feeds"]
        assert any(f["id"] == "good" for f in feeds)
        paths = [f["url"].removeprefix("https://feeds.example.org") for f in feeds]
        paths += ["/", "/events/good/one.ics", "/feeds/prop.ics", "/nope", "/feeds/../good.yaml"]
        for path in paths:
            response = client.get(path)
            assert response.status_code in (200, 404), (path, response.status_code)
            if response.status_code == 200:
                digest = hashlib.sha256(response.data).hexdigest()[:32]
                assert response.headers["ETag"] == f'"{digest}"', path
                if path.endswith(".ics"):
                    assert_wellformed_ics(response.data)


GOOD = """\
name: Good
events:
  - id: one
    title: One
    start: 2026-07-06 09:00
    end: 10:00
"""


def test_the_oracle_agrees_with_the_bundled_facts():
    """The strategies' own reading of times, checked on facts the README states."""
    assert strategies.to_utc(datetime(2026, 1, 28, 23, 59), "AoE") == datetime(
        2026, 1, 29, 11, 59, tzinfo=UTC
    )
    assert strategies.to_utc(datetime(2026, 7, 10, 8), "Asia/Seoul") == datetime(
        2026, 7, 9, 23, tzinfo=UTC
    )
    assert strategies.wall_status(datetime(2026, 3, 8, 2, 30), "America/New_York") == "nonexistent"
    assert strategies.wall_status(datetime(2026, 11, 1, 1, 30), "America/New_York") == "ambiguous"
    assert strategies.wall_status(datetime(2026, 7, 1, 1, 30), "America/New_York") == "ok"
    assert date(2026, 7, 6) + timedelta(days=1) == date(2026, 7, 7)
