"""The change log as subscribers and feed readers see it: Atom feeds (RFC 4287) read back with
feedparser and checked element by element with xml.etree, the calendar page's "What changed",
feeds.json, and the DESCRIPTION line of a changed event read with icalendar."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import icalendar
import pytest

from feeds import revisions
from feeds.definitions import loader
from feeds.render import changes
from feeds.serve.store import Store
from tests.conftest import make_settings
from tests.revisions.support import feeds

A = "{http://www.w3.org/2005/Atom}"
T0 = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
MOVED = datetime(2026, 2, 2, 9, 30, tzinfo=UTC)
ATOM = "/changes/conf.atom"

HEAD = """\
id: conf
name: Conf 2026
timezone: Europe/Berlin
location: Hall A
events:
"""
DUE = """\
  - id: due
    title: Full paper submission deadline
    kind: deadline
    due: {due} 23:59
    timezone: AoE
"""
PANEL = """\
  - id: panel
    title: Panel
    kind: session
    start: 2026-07-07 14:00
    end: 2026-07-07 15:00
{status}"""
PARTY = """\
  - id: party
    title: {title}
    kind: social
    start: 2026-07-07 20:00
    end: 2026-07-07 23:00
"""


def _definition(due="2026-01-28", cancelled=False, party=True, party_title="Party") -> str:
    text = HEAD + DUE.format(due=due)
    text += PANEL.format(status="    status: cancelled\n" if cancelled else "")
    if party:
        text += PARTY.format(title=json.dumps(party_title, ensure_ascii=False))
    return text


def _step(folder: Path, text: str, when: datetime) -> None:
    path = folder / "conf.yaml"
    path.write_text(text, "utf-8")
    revisions.update(loader.load_file(path), now=when)


def _history(folder: Path, party_title="Party") -> None:
    """Published on 10 Jan; the deadline moved on 2 Feb; the panel called off on 3 Feb;
    the party dropped on 4 Feb."""
    _step(folder, _definition(party_title=party_title), T0)
    _step(folder, _definition(due="2026-01-30", party_title=party_title), MOVED)
    _step(
        folder,
        _definition(due="2026-01-30", cancelled=True, party_title=party_title),
        MOVED + timedelta(days=1),
    )
    _step(folder, _definition(due="2026-01-30", cancelled=True, party=False), MOVED + timedelta(2))


def _site(folder: Path):
    return Store(make_settings(folder), write_revisions=False).site


@pytest.fixture
def site(tmp_path):
    _history(tmp_path)
    return _site(tmp_path)


def _check_rfc4287(body: bytes) -> ElementTree.Element:
    """The elements RFC 4287 requires (4.1.1, 4.1.2), checked by hand."""
    root = ElementTree.fromstring(body)
    assert root.tag == f"{A}feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{A}{name}")) == 1, name
        assert root.find(f"{A}{name}").text.strip(), name
    feed_author = root.find(f"{A}author/{A}name") is not None
    links = {
        (link.get("rel"), link.get("type")): link.get("href") for link in root.findall(f"{A}link")
    }
    assert ("self", changes.ATOM_TYPE) in links and ("alternate", "text/html") in links
    for entry in root.findall(f"{A}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{A}{name}")) == 1, name
        assert feed_author or entry.find(f"{A}author/{A}name") is not None
        # no content of its own would need a rel=alternate link (4.1.1.1); it has both
        assert entry.find(f"{A}content") is not None or entry.find(f"{A}link[@rel='alternate']")
        for name in ("updated",):
            datetime.strptime(entry.find(f"{A}{name}").text, "%Y-%m-%dT%H:%M:%SZ")
    return root


def test_a_calendars_change_log_is_valid_atom_newest_first(site):
    resource = site.get(ATOM)
    assert resource.media_type.startswith("application/atom+xml")
    root = _check_rfc4287(resource.body)
    parsed = feedparser.parse(resource.body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Conf 2026: what changed"
    assert parsed.feed.link == "https://feeds.example.org/calendars/conf/"
    times = [datetime(*e.updated_parsed[:6], tzinfo=UTC) for e in parsed.entries]
    assert times == sorted(times, reverse=True)
    assert times[:3] == [MOVED + timedelta(2), MOVED + timedelta(1), MOVED]
    assert times[-1] == T0  # the first publication: one entry for its three events
    assert parsed.entries[-1].title == "3 events added"
    # the feed's updated is its latest change, and so is its Last-Modified
    assert root.find(f"{A}updated").text == "2026-02-04T09:30:00Z"
    assert resource.last_modified == MOVED + timedelta(2)


def test_entries_say_what_changed_in_words(site):
    parsed = feedparser.parse(site.get(ATOM).body)
    by_time = {datetime(*e.updated_parsed[:6], tzinfo=UTC): e for e in parsed.entries}
    moved = by_time[MOVED]
    assert moved.title == (
        "Full paper submission deadline moved from 28 Jan 2026 23:59 AoE to 30 Jan 2026 23:59 AoE"
    )
    assert moved.link == "https://feeds.example.org/calendars/conf/#e-due"
    assert by_time[MOVED + timedelta(1)].title == "Panel cancelled"
    removed = by_time[MOVED + timedelta(2)]
    assert removed.title == "Removed: Party, 7 Jul 2026 20:00–23:00 CEST"
    assert removed.tags[0].term == "removed"


def test_entry_ids_are_stable_across_builds_and_edits(tmp_path):
    _history(tmp_path)
    first = feedparser.parse(_site(tmp_path).get(ATOM).body)
    again = feedparser.parse(_site(tmp_path).get(ATOM).body)
    assert _site(tmp_path).get(ATOM).body == _site(tmp_path).get(ATOM).body
    assert [e.id for e in first.entries] == [e.id for e in again.entries]
    _step(
        tmp_path, _definition(due="2026-02-06", cancelled=True, party=False), MOVED + timedelta(9)
    )
    later = feedparser.parse(_site(tmp_path).get(ATOM).body)
    assert [e.id for e in later.entries][1:] == [e.id for e in first.entries]
    assert len({e.id for e in later.entries}) == len(later.entries)
    assert all(e.id.startswith("tag:feeds.example.org,20") for e in later.entries)


def test_the_site_change_log_holds_every_calendars_changes(tmp_path):
    _history(tmp_path)
    other = tmp_path / "other.yaml"
    other.write_text(
        "id: other\nname: Other\ntimezone: UTC\nevents:\n  - id: x\n    title: X\n"
        "    kind: talk\n    start: 2026-05-01 10:00\n    end: 11:00\n",
        "utf-8",
    )
    revisions.update(loader.load_file(other), now=MOVED + timedelta(hours=12))
    site = _site(tmp_path)
    body = site.get(changes.SITE_PATH).body
    _check_rfc4287(body)
    parsed = feedparser.parse(body)
    assert not parsed.bozo
    times = [datetime(*e.updated_parsed[:6], tzinfo=UTC) for e in parsed.entries]
    assert times == sorted(times, reverse=True)
    titles = [e.title for e in parsed.entries]
    assert "Added: X, 1 May 2026 10:00–11:00 UTC" in titles and "Panel cancelled" in titles
    index = json.loads(site.get("/feeds.json").body)
    assert index["changes"] == "https://feeds.example.org/changes.atom"
    own = {f["calendar"]: f["changes"] for f in index["feeds"] if "changes" in f}
    assert own == {c: f"https://feeds.example.org/changes/{c}.atom" for c in ("conf", "other")}
    for url in [index["changes"], *own.values()]:
        assert site.get(url.removeprefix("https://feeds.example.org")) is not None


def test_the_changed_event_says_what_it_was_in_its_description(site):
    cal = icalendar.Calendar.from_ical(site.get("/feeds/conf.ics").body)
    by_uid = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    due = by_uid["conf/due@feeds.example.org"]
    assert int(due["SEQUENCE"]) == 1
    assert due["DTSTART"].dt.astimezone(UTC) == datetime(2026, 1, 31, 11, 59, tzinfo=UTC)
    lines = str(due["DESCRIPTION"]).split("\n")
    assert "Changed 2 Feb 2026: was 28 Jan 2026 23:59 AoE" in lines
    panel = by_uid["conf/panel@feeds.example.org"]
    assert "Changed 3 Feb 2026: was confirmed" in str(panel["DESCRIPTION"]).split("\n")
    single = icalendar.Calendar.from_ical(site.get("/events/conf/due.ics").body)
    assert "Changed 2 Feb 2026" in str(next(iter(single.walk("VEVENT")))["DESCRIPTION"])


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.atom: list[str] = []
        self.section: list[str] = []
        self._in = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("rel") == "alternate" and a.get("type") == changes.ATOM_TYPE:
            self.atom.append(a["href"])
        if tag == "section" and a.get("class") == "changes":
            self._in = 1
        elif self._in and tag == "section":
            self._in += 1

    def handle_endtag(self, tag):
        if self._in and tag == "section":
            self._in -= 1

    def handle_data(self, data):
        if self._in:
            self.section.append(data)


def test_pages_link_the_change_log_and_show_what_changed(site):
    page = _Page()
    page.feed(site.get("/calendars/conf/").body.decode())
    assert page.atom == ["https://feeds.example.org/changes/conf.atom"]
    text = " ".join("".join(page.section).split())
    assert text.startswith("What changed")
    assert "4 Feb 2026: Removed: Party" in text
    assert "2 Feb 2026: Full paper submission deadline moved from 28 Jan 2026 23:59 AoE" in text
    index = _Page()
    index.feed(site.get("/").body.decode())
    assert index.atom == ["https://feeds.example.org/changes.atom"]


HOSTILE = "<b>Bold</b> & \u202eevil\u202c \"quoted\" 'x' ]]> &amp;"


def test_hostile_titles_are_escaped_and_read_back_exactly(tmp_path):
    _history(tmp_path, party_title=HOSTILE)
    body = _site(tmp_path).get(ATOM).body
    assert b"<b>" not in body
    _check_rfc4287(body)
    parsed = feedparser.parse(body)
    assert not parsed.bozo
    removed = next(e for e in parsed.entries if e.tags[0].term == "removed")
    root = ElementTree.fromstring(body)
    titles = [e.find(f"{A}title").text for e in root.findall(f"{A}entry")]
    assert f"Removed: {HOSTILE}, 7 Jul 2026 20:00–23:00 CEST" in titles
    assert removed.title == f"Removed: {HOSTILE}, 7 Jul 2026 20:00–23:00 CEST"
    assert removed.title_detail.type == "text/plain"


def test_characters_xml_cannot_hold_become_replacement_characters():
    entry = changes.Entry("tag:x,2026:a", T0, "c", "e", "edited", "A\x00B\x1bC\ud800D\ufffeE")
    feed = changes.AtomFeed("T\x07", "https://x.example/changes.atom", "https://x.example/", "S")
    body = changes.atom_bytes(feed, [entry], {}, T0)
    root = _check_rfc4287(body)
    assert root.find(f"{A}entry/{A}title").text == "A\ufffdB\ufffdC\ufffdD\ufffdE"
    assert root.find(f"{A}title").text == "T\ufffd"
    assert not feedparser.parse(body).bozo


def test_the_atom_bytes_depend_on_the_state_not_the_clock(tmp_path, monkeypatch):
    _history(tmp_path)
    first = _site(tmp_path).get(ATOM).body
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "4000000000")
    assert _site(tmp_path).get(ATOM).body == first


def test_the_static_export_has_the_change_logs(tmp_path):
    events = tmp_path / "events"
    events.mkdir()
    _history(events)
    out = tmp_path / "site"
    done = feeds("build", str(out), "--events", str(events))
    assert done.returncode == 0, done.stderr
    live = _site(events)
    for path in (ATOM, changes.SITE_PATH):
        assert (out / path.lstrip("/")).read_bytes() == live.get(path).body


def test_a_hand_edited_log_with_odd_values_still_gives_valid_atom(tmp_path):
    """The file's shape is checked on reading; values inside ``shown`` and ``was`` are only
    JSON: whatever they hold, the words fall back (the event id, "an unknown time")."""
    _history(tmp_path)
    path = tmp_path / "conf.revisions.json"
    data = json.loads(path.read_text("utf-8"))
    due = data["events"]["due"]
    due["shown"] = {"title": 5, "when": {"deadline": "soon", "timezone": []}, "status": None}
    due["changes"][-1]["was"] = {"when": {"start": "x"}, "location": {"a": 1}}
    path.write_text(json.dumps(data, indent=1), "utf-8")
    body = _site(tmp_path).get(ATOM).body
    _check_rfc4287(body)
    parsed = feedparser.parse(body)
    assert not parsed.bozo
    moved = next(e for e in parsed.entries if e.link.endswith("#e-due"))
    assert moved.title.startswith("due moved from an unknown time to an unknown time")
