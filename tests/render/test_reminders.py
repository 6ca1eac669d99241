"""Reminder events (``?remind=7d,1d`` and the static ``.../deadlines/remind-*.ics`` files).

Google ignores VALARM in subscribed calendars, so a separate all-day event "... in 7 days"
is what reaches a Google user (CLIENTS-2026.md). What a subscriber gets is read back with
icalendar and ical.js; the expected dates are worked out here from the deadline's stated
wall-clock date (``datetime.timezone`` for AoE, ``zoneinfo`` for named zones), not with the
project's own time code.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeds import revisions
from feeds.definitions import loader
from feeds.export import writer as export
from feeds.serve.app import create_app
from feeds.serve.store import Store
from feeds.site import selection
from feeds.site.selection import SelectionError
from tests.conftest import make_settings
from tests.render.icaljs_props import READERS, by_uid

DOMAIN = "feeds.example.org"
AOE = timezone(timedelta(hours=-12))
FEED = "/feeds/icml-2026/deadlines.ics"

MIXED_YAML = """\
id: mixed-2027
name: MIXED 2027
timezone: Asia/Seoul
url: https://mixed.example.org/
events:
  - id: paper
    title: Paper deadline
    due: 2027-01-28
    timezone: AoE
  - id: seoul-noon
    title: Seoul noon deadline
    due: 2027-02-10 12:00
  - id: seoul-early
    title: Seoul early deadline (the previous day in UTC)
    due: 2027-03-01 03:00
  - id: utc-midnight
    title: UTC midnight deadline
    due: 2027-04-01 00:00 UTC
  - id: called-off
    title: Called-off deadline
    due: 2027-05-01
    timezone: AoE
    status: cancelled
  - id: unsure
    title: Unsure deadline
    due: 2027-06-01
    timezone: AoE
    status: tentative
  - id: desk
    title: Submission desk
    kind: deadline
    start: 2027-07-05 09:00
    end: 12:00
    repeat: {every: day, count: 2}
  - id: portal-opens
    title: Portal opens
    kind: milestone
    start: 2027-01-01
  - id: talk
    title: A talk
    kind: session
    start: 2027-07-06 10:00
    duration: 1h
"""

#: event id -> the date the deadline is stated on, in its own zone (the reminder's anchor).
STATED = {
    "paper": [date(2027, 1, 28)],
    "seoul-noon": [date(2027, 2, 10)],
    "seoul-early": [date(2027, 3, 1)],  # 2027-02-28 18:00 UTC: the Seoul date counts
    "utc-midnight": [date(2027, 4, 1)],
    "unsure": [date(2027, 6, 1)],
    "desk": [date(2027, 7, 5), date(2027, 7, 6)],
}


def _uid(event_id: str, calendar: str = "mixed-2027") -> str:
    return f"{calendar}/{event_id}@{DOMAIN}"


def _reminder_uid(event_id: str, days: int, occurrence: date | None = None) -> str:
    on = f"/{occurrence:%Y%m%d}" if occurrence else ""
    return f"mixed-2027/{event_id}{on}/remind-{days}d@{DOMAIN}"


@pytest.fixture
def mixed_app(write, app_for):
    write("mixed.yaml", MIXED_YAML)
    return app_for()


def _get(client, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, (path, response.data[:300])
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return response.data


def test_the_bundled_full_paper_deadline_is_reminded_on_21_and_27_january(client):
    """28 Jan 2026 AoE: the AoE date, the earliest the deadline has anywhere on Earth."""
    for reader in READERS.values():
        events = by_uid(reader(_get(client, FEED + "?remind=7d,1d")))
        base = "icml-2026/full-paper-deadline"
        week, day = events[f"{base}/remind-7d@{DOMAIN}"], events[f"{base}/remind-1d@{DOMAIN}"]
        assert (week["start"], week["end"]) == (date(2026, 1, 21), date(2026, 1, 22))
        assert (day["start"], day["end"]) == (date(2026, 1, 27), date(2026, 1, 28))
        assert week["summary"] == "ICML 2026: Full paper submission deadline in 7 days"
        assert day["summary"] == "ICML 2026: Full paper submission deadline in 1 day"
        # the deadline itself is there, unchanged, at 29 Jan 11:59 UTC
        deadline = events[f"{base}@{DOMAIN}"]
        assert deadline["start"] == datetime(2026, 1, 29, 11, 59, tzinfo=UTC)
        # the stated date minus 7 is never after the deadline's local date minus 7, anywhere
        for offset in range(-12, 15):
            local = deadline["start"].astimezone(timezone(timedelta(hours=offset))).date()
            assert week["start"] <= local - timedelta(days=7)


def test_a_deadline_stated_in_utc_counts_from_its_utc_date(client):
    events = by_uid(READERS["icalendar"](_get(client, FEED + "?remind=1d")))
    reminder = events[f"icml-2026/registration-cancellation-deadline/remind-1d@{DOMAIN}"]
    assert reminder["start"] == date(2026, 6, 14)  # due 15 June 11:59 UTC


@pytest.mark.parametrize("reader", sorted(READERS))
def test_each_deadline_gets_its_reminders_on_the_stated_date_less_n_days(mixed_app, reader):
    calendar_feed = _get(mixed_app.test_client(), "/feeds/mixed-2027.ics?remind=7d,1d")
    events = by_uid(READERS[reader](calendar_feed))
    expected = {}
    for event_id, days in STATED.items():
        repeats = len(days) > 1
        for n in (7, 1):
            for day in days:
                uid = _reminder_uid(event_id, n, day if repeats else None)
                expected[uid] = day - timedelta(days=n)
    got = {uid: e["start"] for uid, e in events.items() if "/remind-" in uid}
    assert got == expected
    for uid in expected:
        reminder = events[uid]
        assert reminder["all_day"] and reminder["end"] == reminder["start"] + timedelta(days=1)
        assert (reminder["transp"], reminder["busystatus"]) == ("TRANSPARENT", "FREE")
    # the stated date, worked out independently from the instants the parser reads
    seoul = ZoneInfo("Asia/Seoul")
    assert events[_uid("paper")]["start"].astimezone(AOE).date() == STATED["paper"][0]
    assert events[_uid("seoul-early")]["start"].astimezone(seoul).date() == date(2027, 3, 1)
    assert events[_uid("seoul-early")]["start"].date() == date(2027, 2, 28)  # UTC: not this


@pytest.mark.parametrize("reader", sorted(READERS))
def test_no_reminder_for_a_cancelled_deadline_nor_for_other_kinds(mixed_app, reader):
    events = by_uid(
        READERS[reader](_get(mixed_app.test_client(), "/feeds/mixed-2027.ics?remind=7d"))
    )
    reminded = {uid.split("/")[1] for uid in events if "/remind-" in uid}
    assert "called-off" not in reminded
    assert _uid("called-off") in events  # the cancelled deadline itself stays, as CANCELLED
    assert not reminded & {"portal-opens", "talk"}
    assert events[_reminder_uid("unsure", 7)]["status"] == "TENTATIVE"
    assert events[_reminder_uid("paper", 7)]["status"] == "CONFIRMED"


@pytest.mark.parametrize("reader", sorted(READERS))
def test_reminders_carry_the_deadlines_sequence_and_stamps_and_move_with_it(write, app_for, reader):
    path = write("mixed.yaml", MIXED_YAML)
    first = by_uid(
        READERS[reader](_get(app_for().test_client(), "/feeds/mixed-2027.ics?remind=7d"))
    )
    again = by_uid(
        READERS[reader](_get(app_for().test_client(), "/feeds/mixed-2027.ics?remind=7d"))
    )
    assert first == again  # a second build: the same UIDs and the same everything
    week = first[_reminder_uid("paper", 7)]
    deadline = first[_uid("paper")]
    for key in ("sequence", "last_modified"):
        assert week[key] == deadline[key], key
    # the deadline moves a week later: its reminder moves with it, SEQUENCE rising with it
    path.write_text(MIXED_YAML.replace("due: 2027-01-28", "due: 2027-02-04"), encoding="utf-8")
    moved_at = deadline["last_modified"] + timedelta(hours=1)
    revisions.update(loader.load_file(path), now=moved_at)
    after = by_uid(
        READERS[reader](_get(app_for().test_client(), "/feeds/mixed-2027.ics?remind=7d"))
    )
    moved = after[_reminder_uid("paper", 7)]
    assert moved["start"] == date(2027, 1, 28)
    assert moved["sequence"] == deadline["sequence"] + 1 == after[_uid("paper")]["sequence"]
    assert moved["last_modified"] == moved_at
    assert set(after) == set(first)  # no UID came or went


def test_reminder_events_carry_no_valarm_and_the_deadlines_keep_theirs(client):
    body = _get(client, FEED + "?remind=7d&alarm=1h")
    cal = icalendar.Calendar.from_ical(body)
    for event in cal.walk("VEVENT"):
        alarms = event.walk("VALARM")
        if "/remind-" in str(event["UID"]):
            assert alarms == []
        else:
            assert len(alarms) == 1


@pytest.mark.parametrize("reader", sorted(READERS))
def test_in_a_merged_feed_the_reminder_names_the_calendar_as_its_deadline_does(mixed_app, reader):
    events = by_uid(
        READERS[reader](_get(mixed_app.test_client(), "/feeds/deadlines.ics?remind=7d"))
    )
    assert events[_uid("paper")]["summary"] == "MIXED 2027: Paper deadline"
    assert events[_reminder_uid("paper", 7)]["summary"] == "MIXED 2027: Paper deadline in 7 days"
    single = by_uid(
        READERS[reader](_get(mixed_app.test_client(), "/feeds/mixed-2027.ics?remind=7d"))
    )
    assert single[_reminder_uid("paper", 7)]["summary"] == "Paper deadline in 7 days"


# -- the parameter -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "remind=0d",
        "remind=366d",
        "remind=-1d",
        "remind=1w",
        "remind=7",
        "remind=1h",
        "remind=7d,6d,5d,4d,3d,2d",
        "remind=1000d",
        "remind=d",
        "remind=7d7d",
    ],
)
def test_a_bad_remind_is_a_400_saying_what_to_write(client, query):
    response = client.get(f"{FEED}?{query}")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "remind=7d,1d" in text or "at most 5 reminder days" in text, text


def test_equivalent_remind_values_give_the_same_bytes(client):
    plain = client.get(f"{FEED}?remind=7d,1d")
    for query in ("remind=1d,7d", "remind=7d&remind=1d", "remind=7D,%201d,7d", "reminders=007d,1d"):
        other = client.get(f"{FEED}?{query}")
        assert other.status_code == 200, query
        assert (other.data, other.headers["ETag"]) == (plain.data, plain.headers["ETag"]), query


@given(st.lists(st.text(max_size=8), max_size=8))
def test_the_remind_parser_gives_canonical_days_or_a_selection_error(values):
    try:
        days = selection.parse_reminders(values)
    except SelectionError as error:
        assert "remind" in str(error)
        return
    assert list(days) == sorted(set(days), reverse=True)
    assert len(days) <= selection.MAX_REMINDERS and all(1 <= n <= 365 for n in days)
    assert selection.parse_reminders([f"{n}d" for n in days]) == days


@given(st.sets(st.integers(min_value=-5, max_value=400), max_size=7))
def test_the_remind_parser_takes_exactly_one_to_365_days_at_most_five(numbers):
    values = [f"{n}d" for n in numbers]
    valid = all(1 <= n <= 365 for n in numbers) and len(numbers) <= 5
    if valid:
        assert selection.parse_reminders(values) == tuple(sorted(numbers, reverse=True))
    else:
        with pytest.raises(SelectionError):
            selection.parse_reminders(values)


# -- the static variants -------------------------------------------------------------------


VARIANTS = {"remind-7d": "remind=7d", "remind-1d": "remind=1d", "remind-7d-1d": "remind=7d,1d"}


def test_every_deadlines_feed_has_its_variants_as_files_with_the_query_s_bytes(mixed_app):
    client = mixed_app.test_client()
    listed = json.loads(client.get("/feeds.json").data)["feeds"]
    deadlines_feeds = [f for f in listed if f["kind"] == "deadline" and not f.get("archive")]
    assert {f["id"] for f in deadlines_feeds} == {"deadlines", "mixed-2027/deadlines"}
    for feed in deadlines_feeds:
        stem = feed["url"].removesuffix(".ics")
        names = {r["remind"]: r["url"] for r in feed["reminders"]}
        assert names == {
            "7d": f"{stem}/remind-7d.ics",
            "1d": f"{stem}/remind-1d.ics",
            "7d,1d": f"{stem}/remind-7d-1d.ics",
        }
        for r in feed["reminders"]:
            assert r["webcal"] == "webcal" + r["url"].removeprefix("https")
        path = feed["url"].removeprefix("https://feeds.example.org")
        for name, query in VARIANTS.items():
            variant = client.get(f"{path.removesuffix('.ics')}/{name}.ics")
            queried = client.get(f"{path}?{query}")
            assert variant.status_code == queried.status_code == 200
            assert variant.data == queried.data, name
            assert variant.headers["Access-Control-Allow-Origin"] == "*"
    assert all("reminders" not in f for f in listed if f["kind"] != "deadline")


def test_the_export_writes_the_variants(write, events_dir, tmp_path):
    write("mixed.yaml", MIXED_YAML)
    settings = make_settings(events_dir)
    store = Store(settings)
    out = tmp_path / "site"
    export.write_site(store.site, out)
    app = create_app(settings, store).test_client()
    for stem in ("feeds/mixed-2027/deadlines", "feeds/deadlines"):
        for name, query in VARIANTS.items():
            written = (out / stem / f"{name}.ics").read_bytes()
            assert written == app.get(f"/{stem}.ics?{query}").data
            reminders = [e for e in READERS["icalendar"](written) if "/remind-" in e["uid"]]
            per_days = sum(len(days) for days in STATED.values())  # every deadline occurrence
            assert len(reminders) == per_days * len(name.split("-")[1:])


def test_a_variant_path_takes_other_choices_and_tracking_but_no_second_remind(client):
    variant = "/feeds/icml-2026/deadlines/remind-7d.ics"
    plain = client.get(variant)
    assert client.get(variant + "?utm_source=mail").data == plain.data
    with_alarm = client.get(variant + "?alarm=1h")
    assert with_alarm.status_code == 200 and b"BEGIN:VALARM" in with_alarm.data
    assert with_alarm.data == client.get(FEED + "?remind=7d&alarm=1h").data
    again = client.get(variant + "?remind=1d")
    assert again.status_code == 400 and b"already adds reminders" in again.data
    for missing in ("remind-2d.ics", "remind-1d-7d.ics", "remind-7d-7d.ics", "remind-.ics"):
        assert client.get(f"/feeds/icml-2026/deadlines/{missing}").status_code == 404, missing
    assert client.get("/feeds/icml-2026/workshops/remind-7d.ics").status_code == 404


def test_every_variant_and_reminder_feed_passes_the_lint_and_vobject(mixed_app, client):
    """The lint of the rules no parser enforces (75 octets, CRLF, TZIDs, durations), and
    vobject's validation (UID, DTSTAMP), over every reminder file the site publishes."""
    import vobject

    from feeds.doctor import lint

    checked = 0
    for app_client in (mixed_app.test_client(), client):
        listed = json.loads(app_client.get("/feeds.json").data)["feeds"]
        for feed in listed:
            for variant in feed.get("reminders", []):
                body = _get(app_client, variant["url"].removeprefix("https://feeds.example.org"))
                findings = [f"{f.rule}: {f.message}" for f in lint.lint(body)]
                assert findings == [], (variant["url"], findings)
                vobject.readOne(body.decode("utf-8")).validate()
                checked += 1
    assert checked == 12  # two sites, two deadlines feeds each, three variants
