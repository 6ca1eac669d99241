"""Where events happen, as subscribers' parsers read it: ICML's days are at COEX, its
deadlines and its OpenReview milestones are not (the one rule, feeds.model.inherits_location).
"""

from __future__ import annotations

import icalendar
import pytest
import vobject

from tests.pages_support import make_app, write_events

COEX = "COEX Convention & Exhibition Center, Seoul, South Korea"
ONLINE = ("paper-submissions-open", "workshop-application-opens")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return make_app(write_events(tmp_path_factory.mktemp("events"))).test_client()


def locations(data: bytes) -> dict[str, str | None]:
    """UID's event id -> LOCATION, read by icalendar and checked equal by vobject."""
    out = {}
    for event in icalendar.Calendar.from_ical(data).walk("VEVENT"):
        uid = str(event["UID"]).split("@", 1)[0].rsplit("/", 1)[-1]
        out[uid] = str(event["LOCATION"]) if "LOCATION" in event else None
    again = {}
    for event in vobject.readOne(data.decode("utf-8")).vevent_list:
        uid = event.uid.value.split("@", 1)[0].rsplit("/", 1)[-1]
        again[uid] = event.location.value if hasattr(event, "location") else None
    assert again == out
    return out


def test_feed_locations_of_icml(client):
    where = locations(client.get("/feeds/icml-2026.ics").data)
    for event_id in ("conference", "tutorials", "main-conference", "workshops"):
        assert where[event_id] == COEX, event_id
    for event_id in ONLINE:
        assert where[event_id] is None, event_id  # submissions open online, not at COEX
    assert where["full-paper-deadline"] is None


@pytest.mark.parametrize("event_id", ONLINE)
def test_single_event_file_and_page_agree(client, event_id):
    assert locations(client.get(f"/events/icml-2026/{event_id}.ics").data) == {event_id: None}
    html = client.get("/calendars/icml-2026/").get_data(as_text=True)
    item = html.split(f'id="e-{event_id}"', 1)[1].split("</li>", 1)[0]
    assert "Where:" not in item


def test_a_milestone_with_its_own_location_keeps_it(tmp_path):
    folder = write_events(tmp_path / "events", icml=False)
    (folder / "m.yaml").write_text(
        "id: m\nname: M\ntimezone: UTC\nlocation: Hall A\nevents:\n"
        "  - id: opens\n    title: Opens\n    kind: milestone\n    start: 2026-03-01\n"
        "    location: Room 2\n"
        "  - id: online\n    title: Online\n    kind: milestone\n    start: 2026-03-02 10:00\n"
        "    end: 11:00\n"
        "  - id: talk\n    title: Talk\n    kind: talk\n    start: 2026-03-03\n",
        encoding="utf-8",
    )
    where = locations(make_app(folder).test_client().get("/feeds/m.ics").data)
    assert where == {"opens": "Room 2", "online": None, "talk": "Hall A"}
