"""Free or busy: what each kind of event tells booking tools, Outlook and free/busy views.

A deadline or a milestone is a date to know, not an appointment: it must not block time
(CLIENTS-2026.md: booking and free/busy tools read TRANSP; Outlook reads
X-MICROSOFT-CDO-BUSYSTATUS first). Conference days are all-day bars. Each rule is checked
as two independent parsers (icalendar and ical.js) read the served feed, against the table
written out here, not against the code's own rule.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from feeds import revisions
from feeds.definitions import loader
from tests.conftest import BUNDLED
from tests.render.icaljs_props import READERS, by_uid

DOMAIN = "feeds.example.org"

KINDS_YAML = """\
id: kinds
name: Kinds 2026
timezone: Europe/Berlin
events:
  - id: conference
    title: The conference
    kind: conference
    start: 2026-07-06
    end: 2026-07-11
  - id: workshop
    title: A workshop
    kind: workshop
    start: 2026-07-07 09:00
    end: 17:00
  - id: paper-deadline
    title: Paper deadline
    due: 2026-01-28
    timezone: AoE
  - id: submission-desk
    title: Submission desk (a timed deadline)
    kind: deadline
    start: 2026-01-20 09:00
    end: 12:00
  - id: portal-opens
    title: Portal opens
    kind: milestone
    start: 2026-01-08
  - id: portal-opens-at-nine
    title: Portal opens at nine
    kind: milestone
    start: 2026-01-09 09:00
    duration: 1h
  - id: reception
    title: Reception
    kind: social
    start: 2026-07-08 19:00
    end: 22:00
    busy: false
  - id: review-day
    title: Reviewing (blocks the day)
    kind: deadline
    due: 2026-03-01 12:00
    busy: true
  - id: tutorial-day
    title: Tutorial day
    kind: tutorial
    start: 2026-07-06
    repeat: {every: day, count: 2}
"""

#: uid -> (TRANSP, X-MICROSOFT-CDO-BUSYSTATUS, all-day): the documented defaults
#: (docs/compatibility.md, "Free and busy") and the two overrides.
EXPECTED = {
    "conference": ("TRANSPARENT", "FREE", True),
    "workshop": ("OPAQUE", None, False),
    "paper-deadline": ("TRANSPARENT", "FREE", False),
    "submission-desk": ("TRANSPARENT", "FREE", False),
    "portal-opens": ("TRANSPARENT", "FREE", True),
    "portal-opens-at-nine": ("TRANSPARENT", "FREE", False),
    "reception": ("TRANSPARENT", "FREE", False),
    "review-day": ("OPAQUE", None, False),
    "tutorial-day": ("TRANSPARENT", "FREE", True),
}


@pytest.fixture
def kinds_client(write, app_for):
    write("kinds.yaml", KINDS_YAML)
    return app_for().test_client()


def _uid(event_id: str, calendar: str = "kinds") -> str:
    return f"{calendar}/{event_id}@{DOMAIN}"


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize("path", ["/feeds/kinds.ics", "/feeds/all.ics"])
def test_each_kind_is_free_or_busy_as_documented(kinds_client, reader, path):
    response = kinds_client.get(path)
    assert response.status_code == 200
    events = by_uid(READERS[reader](response.data))
    got = {
        uid.split("/", 1)[1].split("@")[0]: (e["transp"], e["busystatus"], e["all_day"])
        for uid, e in events.items()
    }
    assert got == EXPECTED


@pytest.mark.parametrize("reader", sorted(READERS))
def test_the_per_kind_feeds_and_single_event_files_say_the_same(kinds_client, reader):
    for kind in ("deadlines", "milestones", "workshops", "conferences", "socials"):
        body = kinds_client.get(f"/feeds/kinds/{kind}.ics").data
        for uid, record in by_uid(READERS[reader](body)).items():
            event_id = uid.split("/", 1)[1].split("@")[0]
            assert (record["transp"], record["busystatus"]) == EXPECTED[event_id][:2], uid
    for event_id, (transp, status, _) in EXPECTED.items():
        body = kinds_client.get(f"/events/kinds/{event_id}.ics").data
        (record,) = READERS[reader](body)
        assert (record["transp"], record["busystatus"]) == (transp, status), event_id


@pytest.mark.parametrize("reader", sorted(READERS))
def test_bundled_deadlines_and_milestones_are_free_and_conference_days_all_day_bars(client, reader):
    events = READERS[reader](client.get("/feeds/icml-2026.ics").data)
    calendar = loader.load_file(BUNDLED / "icml-2026.yaml")
    kinds = {f"icml-2026/{e.id}@{DOMAIN}": e.kind for e in calendar.events}
    seen = set()
    for record in events:
        kind = kinds[record["uid"]]
        seen.add(kind)
        if kind in ("deadline", "milestone"):
            assert (record["transp"], record["busystatus"]) == ("TRANSPARENT", "FREE")
        if kind == "conference":
            assert record["all_day"] and isinstance(record["start"], date), record
            assert (record["transp"], record["busystatus"]) == ("TRANSPARENT", "FREE")
        if kind in ("workshop", "registration"):
            assert (record["transp"], record["busystatus"]) == ("OPAQUE", None)
    assert {"deadline", "milestone", "conference", "workshop"} <= seen
    conference = next(r for r in events if r["uid"] == f"icml-2026/conference@{DOMAIN}")
    assert (conference["start"], conference["end"]) == (date(2026, 7, 6), date(2026, 7, 12))


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("free", "'free'"),
        ('"true"', "'true'"),
        ("1", "1"),
        ("", "nothing"),
        ("[true]", "[True]"),
        ("busy", "'busy'"),
    ],
)
def test_a_wrong_busy_value_is_refused_at_its_line(tmp_path, written, shown):
    text = (
        "name: Bad\nevents:\n  - id: deadline-one\n    title: D\n    due: 2026-01-28\n"
        f"    busy: {written}\n"
    )
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    calendar, problems = loader.check_file(path)
    assert calendar is None
    (problem,) = [p for p in problems if p.severity == "error"]
    assert (problem.path, problem.line, problem.event) == (str(path), 6, "deadline-one")
    assert str(problem).startswith(f"{path}:6: event 'deadline-one': busy must be true or false")
    assert problem.message == f"busy must be true or false, not {shown}"
    assert "busy: true" in problem.hint and "busy: false" in problem.hint


@pytest.mark.parametrize("written", ["true", "false", "yes", "no", "True", "off"])
def test_yaml_yes_and_no_spellings_of_busy_are_read_as_yaml_reads_them(tmp_path, written):
    text = f"name: Ok\nevents:\n  - id: d\n    title: D\n    due: 2026-01-28\n    busy: {written}\n"
    calendar, problems = loader.check_text(text, str(tmp_path / "ok.yaml"))
    assert calendar is not None, problems
    assert calendar.events[0].busy is (written.lower() in ("true", "yes", "on"))


def test_busy_moves_last_modified_but_not_sequence_and_its_absence_moves_nothing():
    """Free or busy is not a change of time (RFC 5545 3.8.7.4 lists what raises SEQUENCE);
    an event that does not say ``busy`` keeps the fingerprint it had before the key existed,
    so the committed revisions of the bundled calendar still describe it."""
    calendar = loader.load_file(BUNDLED / "icml-2026.yaml")
    stored = revisions.read(BUNDLED / "icml-2026.revisions.json")
    later = datetime(2027, 1, 1, tzinfo=UTC)
    assert revisions.reconcile(calendar, stored, later).events == stored.events
    event = calendar.event("full-paper-deadline")
    edited = replace(
        calendar, events=tuple(replace(e, busy=True) if e is event else e for e in calendar.events)
    )
    after = revisions.reconcile(edited, stored, later).events
    before = stored.events["full-paper-deadline"]
    assert after["full-paper-deadline"].sequence == before.sequence
    assert after["full-paper-deadline"].modified == later
    assert {k: v for k, v in after.items() if k != "full-paper-deadline"} == {
        k: v for k, v in stored.events.items() if k != "full-paper-deadline"
    }
