"""A site of many small calendars: what an edit re-does, and that the kept pieces are exact.

Issue 10: a deadline site has thousands of calendars of a few events each. Whatever is
kept between renders (index cards, ``feeds.json`` entries, QR codes, feed headers) must
give the bytes a render from nothing gives, and an edit of one calendar must not make
any other calendar's pieces again. No timing here: the benchmark measures (``make bench``).
"""

from __future__ import annotations

import json
import re

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench import generate
from feeds import site
from feeds.render import assets, front, ics
from feeds.serve.store import Store
from tests.conftest import make_settings


@pytest.fixture
def many(tmp_path):
    folder, _ = generate.write_many(tmp_path / "gen", 40)
    return folder


def live_store(folder):
    """A store that keeps its caches and writes the revisions files (as a server does)."""
    return Store(make_settings(folder), settle_seconds=0)


def fresh_site(folder):
    """The site of ``folder`` rendered from nothing, with the revisions files as they are."""
    return Store(make_settings(folder), write_revisions=False, settle_seconds=0).site


def edit_first_deadline(path):
    text = path.read_text("utf-8")
    match = re.search(r"due: (\d{4}-\d\d)-(\d\d)", text)
    day = 1 + int(match.group(2)) % 28
    path.write_text(text.replace(match.group(0), f"due: {match.group(1)}-{day:02d}", 1))
    return day


def test_an_edit_gives_the_bytes_of_a_render_from_nothing(many):
    live = live_store(many)
    files = sorted(many.glob("*.yaml"))
    for path in (files[3], files[17], files[3]):
        edit_first_deadline(path)
        assert live.refresh()
        expected = fresh_site(many)
        assert list(live.site.resources) == list(expected.resources)
        for url, resource in expected.resources.items():
            assert live.site.get(url).body == resource.body, url
            assert live.site.get(url).etag == resource.etag, url


def test_an_edit_of_one_calendar_makes_only_its_own_pieces_again(many, monkeypatch):
    live = live_store(many)
    for url in live.site.resources:  # every QR code made once, as an export does
        live.site.get(url)
    made = {"qr": [], "card": [], "item": []}
    real_qr, real_item, real_entry = assets.qr_svg, site.build._feed_item, front.Entry
    monkeypatch.setattr(assets, "qr_svg", lambda url: made["qr"].append(url) or real_qr(url))
    monkeypatch.setattr(
        site.build, "_feed_item", lambda f, base: made["item"].append(f.id) or real_item(f, base)
    )
    monkeypatch.setattr(
        front, "Entry", lambda cal, *a: made["card"].append(cal.id) or real_entry(cal, *a)
    )
    path = sorted(many.glob("*.yaml"))[5]
    edit_first_deadline(path)
    assert live.refresh()
    for url in live.site.resources:
        live.site.get(url)
    cal_id = path.stem
    assert made["qr"] == []  # a feed's URL did not change: its code is kept
    assert made["card"] == [cal_id]
    # the edited calendar's feeds (its events' stamps moved), the merged feeds and their histories
    assert made["item"] and all(
        i.split("/")[0] in (cal_id, "all", "deadlines", "history") for i in made["item"]
    ), made["item"]


def test_qr_codes_are_made_when_first_asked_for_and_equal_the_direct_ones(many):
    built = fresh_site(many)
    resources = built.resources
    qr_paths = [p for p in resources if p.startswith("/qr/")]
    offered = [f for f in built.feeds if not f.archive]  # histories get no QR code
    assert len(qr_paths) == len(offered)
    assert not any(p.startswith("/qr/") for p in resources._made)  # none made yet
    before = resources.made()
    feed = built.feeds[7]
    code = built.get(f"/qr/{feed.id}.svg")
    assert code.body == assets.qr_svg(built.settings.public_url + feed.path)
    assert code.media_type == "image/svg+xml"
    assert resources.made() == before + 1
    assert built.get("/qr/none-such.svg") is None and "/qr/none-such.svg" not in resources
    with pytest.raises(KeyError):
        resources["/qr/none-such.svg"]


def test_the_export_writes_every_qr_code(many, tmp_path):
    from feeds.export import writer

    built = fresh_site(many)
    out = tmp_path / "site"
    writer.write_site(built, out)
    for feed in built.feeds:
        if feed.archive:  # a history is not offered for subscribing: no QR code
            assert not (out / "qr" / f"{feed.id}.svg").exists()
            continue
        written = (out / "qr" / f"{feed.id}.svg").read_bytes()
        assert written == assets.qr_svg(built.settings.public_url + feed.path)


def test_feeds_json_lists_every_feed_of_every_calendar(many):
    built = fresh_site(many)
    data = json.loads(built.get("/feeds.json").body)
    assert [f["id"] for f in data["feeds"]] == [f.id for f in built.feeds]
    for entry, feed in zip(data["feeds"], built.feeds, strict=True):
        assert entry["url"] == built.settings.public_url + feed.path
        assert entry["events"] == feed.event_count
        parsed = icalendar.Calendar.from_ical(built.get(feed.path).body)
        assert len(parsed.walk("VEVENT")) == feed.event_count


# -- the feed header, written from a template of icalendar's own lines --------------------

texts = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=120
)


@given(
    name=texts,
    description=texts,
    url=st.sampled_from(["", "https://example.org/", "https://example.org/a,b;c?x=1&y=2"]),
    zone=st.sampled_from(["", "Asia/Seoul", "UTC", "AoE", "America/Argentina/Buenos_Aires"]),
    hours=st.sampled_from([1, 12, 24, 48]),
)
def test_the_feed_header_is_the_one_icalendar_writes(name, description, url, zone, hours):
    from datetime import timedelta

    header = ics.FeedHeader(name, description, url, zone, timedelta(hours=hours))
    assert ics._header_bytes(header) == ics.header_component_bytes(header)


def test_the_feed_header_parses_back_to_what_it_says():
    header = ics.FeedHeader(
        "AAAI 2027; deadlines, all", "Line one\nline two \\N", "https://aaai.org/", "Asia/Seoul"
    )
    cal = icalendar.Calendar.from_ical(ics._header_bytes(header) + b"END:VCALENDAR\r\n")
    assert str(cal["DESCRIPTION"]) == "Line one\nline two \\N"
    assert str(cal["X-WR-TIMEZONE"]) == "Asia/Seoul"
