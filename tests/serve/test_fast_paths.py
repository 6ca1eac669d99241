"""The fast paths give exactly what the plain ones give (issue 6; no timing here).

Rendering, time-zone conversion, the revisions file and incremental re-parsing
were made faster by doing the same work another way. Each fast way is held
equal, output for output, to the way it replaced, on the bundled data and on
text written to be awkward.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from icalendar.parser.string import _foldline

from feeds import revisions, site, tz
from feeds.definitions import incremental, loader
from feeds.render import ics
from feeds.serve.store import Store
from feeds.tz.database import library_zone
from tests.conftest import BUNDLED, make_settings

AWKWARD = textwrap.dedent(
    """
    id: awkward
    name: "Awkward, on purpose; 어려운 달력"
    description: "Backslashes \\\\ and carets ^ at fold points, commas, semicolons; newlines.\\nSecond line."
    url: https://example.org/a,b;c
    location: "Hall A, COEX; Seoul"
    timezone: Asia/Seoul
    events:
      - id: long-korean
        title: "세션: 기계 학습과 강화 학습의 만남, 그리고 대규모 언어 모델의 미래에 대한 토론과 질의응답 시간"
        start: 2026-07-10 09:00
        end: 10:30
        description: "가나다라마바사아자차카타파하 가나다라마바사아자차카타파하 가나다라마바사아자차카타파하 🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉"
      - id: backslash-fold
        title: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\\\\\\\\\\\\\\\\\\\\\\\\yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
        start: 2026-07-10
        end: 2026-07-12
        description: "^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^"
        tags: ["a,b", "c;d", 'e\\f']
        status: tentative
      - id: crlf-and-literal-n
        title: "one\\ntwo\\n\\nthree \\\\N four"
        start: 2026-07-10 23:30
        duration: 1h
        status: cancelled
        url: https://example.org/x?a=1,2;3
        source: https://example.org/source
      - id: weekly-london
        title: Weekly in London
        timezone: Europe/London
        start: 2026-03-02 09:00
        end: 10:00
        repeat: {every: week, interval: 2, on: [mo, we], until: 2026-05-27, except: [2026-03-30]}
      - id: daily-utc
        title: Daily in UTC
        timezone: UTC
        start: 2026-07-01 12:00
        duration: 30m
        repeat: {every: day, count: 4, except: [2026-07-02]}
      - id: daily-aoe-allday
        title: All-day repeat
        start: 2026-07-01
        repeat: {every: day, until: 2026-07-05, except: [2026-07-03]}
      - id: new-york-offset
        title: Written with an offset
        timezone: America/New_York
        start: 2026-11-02T01:30:00-05:00
        duration: 45m
      - id: kolkata
        title: Half-hour zone
        start: 2026-07-10 09:00 Asia/Kolkata
        end: 2026-07-10 10:00 Asia/Kolkata
      - id: gmt-plus
        title: Etc zone
        timezone: Etc/GMT+5
        start: 2026-07-10 09:00
        end: 11:00
      - id: due-aoe
        title: Deadline
        due: 2026-01-28
        timezone: AoE
      - id: due-utc
        title: Deadline in UTC
        due: 2026-06-15 11:59 UTC
        description: "text, with; escapes \\\\ here"
    """
).lstrip()


def _calendars(tmp_path: Path) -> list:
    folder = tmp_path / "awkward"
    folder.mkdir()
    (folder / "awkward.yaml").write_text(AWKWARD, encoding="utf-8")
    return loader.load_folder(BUNDLED) + loader.load_folder(folder)


def test_event_bytes_equal_the_icalendar_component(tmp_path):
    checked = 0
    for calendar in _calendars(tmp_path):
        stored = revisions.reconcile(calendar, None, datetime(2026, 5, 4, 3, 2, 1, tzinfo=UTC))
        for event in calendar.events:
            for revision in (
                stored.of(event.id),
                revisions.Revision(7, revisions.EPOCH, revisions.EPOCH, "", ""),
            ):
                for domain in ("feeds.example.org", "a,b;c.example"):
                    fast = ics.event_bytes(event, revision, calendar, domain)
                    # icalendar's content lines, folded our way (see the next test)
                    reference = ics._refold(
                        ics.event_component(event, revision, calendar, domain).to_ical()
                    )
                    assert fast == reference, event.id
                    checked += 1
    assert checked > 100


def test_folding_is_icalendars_except_that_no_escape_is_split():
    rng = random.Random(6)
    alphabet = "ab\\^;,: 가나다é€🎉\t"
    for _ in range(3000):
        raw = "".join(rng.choice(alphabet + "\n") for _ in range(rng.randrange(0, 400)))
        line = "DESCRIPTION:" + ics._text(raw)  # escaped, as every TEXT line is
        folded = ics._fold(line)
        parts = folded.split(b"\r\n ")
        assert b"".join(parts).decode("utf-8") == line  # no UTF-8 sequence is cut
        assert all(len(p) <= 74 for p in parts)
        for part in parts[:-1]:  # a part never ends inside an escape: its backslash run is even
            run = len(part) - len(part.rstrip(b"\\"))
            assert run % 2 == 0, line
        if "\\" not in line:
            assert folded == _foldline(line).encode("utf-8"), line


def test_utc_instants_equal_pytz_localize_near_and_far_from_transitions():
    rng = random.Random(7)
    for zone in (
        "Asia/Seoul",
        "Europe/London",
        "America/New_York",
        "Australia/Lord_Howe",
        "Etc/GMT+5",
        "AoE",
    ):
        zone_info = library_zone(zone)
        moments = [
            datetime(1970, 1, 1) + timedelta(minutes=15 * rng.randrange(0, 68 * 365 * 96))
            for _ in range(3000)
        ]
        for onset in [t for t in getattr(zone_info, "_utc_transition_times", []) if t.year > 1900][
            -40:
        ]:
            moments += [onset + timedelta(minutes=30 * k) for k in range(-30, 31)]
        for naive in moments:
            try:
                expected = zone_info.localize(naive, is_dst=None).astimezone(UTC)
            except Exception as exc:  # noqa: BLE001 - which error is the point
                with pytest.raises(tz.WallTimeError) as raised:
                    tz.to_utc(naive, zone)
                assert type(exc).__name__.startswith(raised.value.kind[:3].capitalize())
            else:
                assert tz.to_utc(naive, zone) == expected


def test_revisions_text_equals_json_dumps_and_reads_back(tmp_path):
    stored = revisions.read(BUNDLED / "icml-2026.revisions.json")
    assert stored is not None
    tricky = revisions.Revisions(
        'cal"\u2028',
        {
            'é"\\id\n': revisions.Revision(
                3, revisions.EPOCH, datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), 'a"', "b"
            )
        },
        {"gone\x01": datetime(2030, 12, 31, 23, 59, 59, tzinfo=UTC)},
    )
    for value in (stored, tricky, revisions.Revisions("empty")):
        text = revisions.dumps(value)
        assert text == json.dumps(revisions.as_json(value), indent=1, ensure_ascii=False) + "\n"
        path = tmp_path / "r.json"
        path.write_text(text, encoding="utf-8")
        assert revisions.read(path) == value
    for stamp in ("2026-11-26T16:01:22Z", "1970-01-01T00:00:00Z", "2026-1-2T3:4:5Z"):
        assert revisions._time(stamp) == datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=UTC
        )
    for bad in ("2026-13-01T00:00:00Z", "2026-11-26T16:01:60Z", "2026-11-26 16:01:22", ""):
        with pytest.raises(ValueError):
            revisions._time(bad)


# -- incremental re-parsing --------------------------------------------------------------

BASE = textwrap.dedent(
    """
    # A comment before everything.
    id: inc
    name: Incremental
    timezone: Asia/Seoul
    events:
      # A comment inside the list.
      - id: a
        title: "A"
        start: 2026-07-10 09:00
        end: 10:00

      - id: b
        title: B
        description: |
          A block scalar
          - that looks like an entry
            but is not.
        start: 2026-07-11
      - id: c
        title: C
        due: 2026-01-28
        timezone: AoE
      - id: d
        title: D
        start: 2026-07-12 09:00
        duration: 90m
        repeat: {every: day, count: 3}
    sources:
      - https://example.org/
    """
).lstrip()

EDITS = [
    ("unchanged", lambda t: t),
    ("a title", lambda t: t.replace('title: "A"', 'title: "A, renamed"')),
    (
        "a line added above others",
        lambda t: t.replace("  - id: a\n", "  - id: a\n    location: Hall A\n"),
    ),
    (
        "an event added first",
        lambda t: t.replace(
            "events:\n", "events:\n  - id: first\n    title: First\n    start: 2026-07-01\n"
        ),
    ),
    ("an unknown key", lambda t: t.replace("  - id: c\n", "  - id: c\n    ned: 1\n")),
    ("fixed again", lambda t: t),
    ("a duplicate id", lambda t: t.replace("  - id: d\n", "  - id: a\n")),
    (
        "a warning (near a core kind)",
        lambda t: t.replace("  - id: d\n", "  - id: d\n    kind: sesion\n"),
    ),
    (
        "a quoted text across a cut",
        lambda t: t.replace('title: "A"', 'title: "A\n  - id: fake\n    still the title"'),
    ),
    (
        "an alias",
        lambda t: t.replace("  - id: c\n", "  - id: c\n    location: &place Hall\n").replace(
            "  - id: d\n", "  - id: d\n    location: *place\n"
        ),
    ),
    ("the calendar's name", lambda t: t.replace("name: Incremental", "name: Renamed")),
    ("CRLF line ends", lambda t: t.replace("\n", "\r\n")),
    ("a tab", lambda t: t.replace("    title: B", "\ttitle: B")),
    ("a YAML syntax error", lambda t: t.replace("title: B", "title: [B")),
    ("the list at column 0", lambda t: t.replace("\n  - ", "\n- ").replace("\n    ", "\n  ")),
    ("a second document", lambda t: t + "---\nname: again\n"),
    ("back to the start", lambda t: t),
]


def _same(got, expected):
    calendar, problems = got
    want_calendar, want_problems = expected
    assert problems == want_problems
    assert calendar == want_calendar
    if calendar is not None:
        assert [e.where for e in calendar.events] == [e.where for e in want_calendar.events]


def test_incremental_parsing_equals_the_full_parse_through_edits():
    cache = incremental.ParseCache()
    modes = []
    for _label, edit in EDITS:
        text = edit(BASE)
        for given in (text, text.encode("utf-8")):
            _same(
                incremental.check_text(given, "events/inc.yaml", cache),
                loader.check_text(given, "events/inc.yaml"),
            )
        modes.append(cache.last)
    assert "incremental" in modes and "full" in modes


def test_incremental_parsing_reuses_unchanged_events_and_moves_their_lines():
    cache = incremental.ParseCache()
    loader.check_text(BASE, "x.yaml", cache)
    edited = BASE.replace("  - id: a\n", "  - id: a\n    location: Hall A\n")
    calendar, _ = loader.check_text(edited, "x.yaml", cache)
    assert (cache.last, cache.reused) == ("incremental", 3)
    full, _ = loader.check_text(edited, "x.yaml")
    assert calendar.event("d").where == full.event("d").where
    assert calendar.event("d").where.line == BASE.splitlines().index("  - id: d") + 2


def test_a_store_serves_the_same_bytes_after_edits_as_a_fresh_one(tmp_path):
    folder = tmp_path / "events"
    folder.mkdir()
    path = folder / "inc.yaml"
    path.write_text(BASE, encoding="utf-8")
    live = Store(make_settings(folder), settle_seconds=0)
    for i, (_label, edit) in enumerate(EDITS[:4]):
        path.write_text(edit(BASE), encoding="utf-8")
        stamp = datetime.now().timestamp() - 100 + i
        os.utime(path, (stamp, stamp))
        live.refresh()
        fresh = Store(make_settings(folder), settle_seconds=0, write_revisions=False)
        for url, resource in fresh.site.resources.items():
            if url.endswith(".ics"):
                assert live.site.get(url).body == resource.body, url


def test_rendering_with_a_cache_equals_rendering_without(tmp_path):
    calendar = loader.load_folder(BUNDLED)[0]
    stored = revisions.read(revisions.revisions_path(calendar))
    settings = make_settings(BUNDLED)
    cache: dict = {}
    first = site.render_calendar(calendar, stored, settings, cache)
    again = site.render_calendar(calendar, stored, settings, cache)
    plain = site.render_calendar(calendar, stored, settings)
    for build in (first, again):
        made = build.every_resource()  # the single-event files too
        assert [(r.path, r.body, r.last_modified, r.download_name) for r in made] == [
            (r.path, r.body, r.last_modified, r.download_name) for r in plain.every_resource()
        ]


# -- the below-Flask path (feeds.serve.app.FastPath) ---------------------------------

CORPUS = Path(__file__).parent.parent / "corpus"
_ETAG = object()  # stands for the resource's own ETag
_CONDITIONS = {
    "none": {},
    "inm match": {"If-None-Match": _ETAG},
    "inm other": {"If-None-Match": '"0000"'},
    "inm weak": {"If-None-Match": "W/" + "\0"},
    "inm star": {"If-None-Match": "*"},
    "inm list": {"If-None-Match": '"0000", \0'},
    "inm empty": {"If-None-Match": ""},
    "ims before": {"If-Modified-Since": "Mon, 01 Jan 1990 00:00:00 GMT"},
    "ims equal": {"If-Modified-Since": "\0"},
    "ims after": {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"},
    "ims no zone": {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00"},
    "ims garbage": {"If-Modified-Since": "yesterday"},
    "both, inm matches": {
        "If-None-Match": _ETAG,
        "If-Modified-Since": "Mon, 01 Jan 1990 00:00:00 GMT",
    },
    "both, ims matches": {"If-None-Match": '"0000"', "If-Modified-Since": "\0"},
}


def _wsgi_call(wsgi, path: str, method: str, headers: dict) -> tuple:
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(path=path, method=method, headers=headers).get_environ()
    got = {}

    def start_response(status, response_headers, exc_info=None):
        got["status"], got["headers"] = status, list(response_headers)

    body = b"".join(wsgi(environ, start_response))
    return got["status"], got["headers"], body


@pytest.mark.parametrize("source", ["bundled", "corpus"])
def test_fast_path_answers_equal_the_flask_routes(tmp_path, source):
    from email.utils import format_datetime

    from feeds.serve.app import FastPath, create_app

    folder = tmp_path / source
    ignore = shutil.ignore_patterns(".*", "history", "*.md")
    shutil.copytree(BUNDLED if source == "bundled" else CORPUS, folder, ignore=ignore)
    settings = make_settings(folder)
    app = create_app(settings, Store(settings, write_revisions=False))
    fast = app.wsgi_app
    assert isinstance(fast, FastPath)
    flask_only = fast.wsgi_app
    site = fast.store.site
    paths = sorted(site.resources)
    assert len(paths) > 10
    answered = 0
    for path in paths:
        resource = site.get(path)
        stamp = format_datetime(resource.last_modified, usegmt=True)
        for form, headers in _CONDITIONS.items():
            own = {"If-None-Match": resource.etag, "If-Modified-Since": stamp}
            headers = {
                k: resource.etag if v is _ETAG else v.replace("\0", own[k])
                for k, v in headers.items()
            }
            for method in ("GET", "HEAD", "OPTIONS", "POST"):
                expected = _wsgi_call(flask_only, path, method, headers)
                got = _wsgi_call(fast, path, method, headers)
                assert got == expected, (path, method, form)
                answered += expected[0].startswith("304")
    assert answered  # the conditional forms did reach 304s
