"""Two things with one URL are refused at the line: ids and kinds, case-insensitively.

The attacks: ``Keynote`` beside ``keynote`` (files that overwrite each other on macOS and
Windows), kinds ``deadline`` and ``deadlines`` (one feed URL, one kind's events vanishing
from it), a calendar ``ALL`` beside the merged ``all``, calendars ``ICML`` and ``icml``.
"""

from __future__ import annotations

import pytest

from feeds.definitions import loader
from feeds.errors import DefinitionError


def events(*items: str) -> str:
    body = "".join(
        f"  - id: {i}\n    title: T\n    kind: {k}\n    start: 2026-07-10\n" for i, k in items
    )
    return "id: c\nname: C\nevents:\n" + body


def test_ids_differing_only_in_case_are_refused_at_the_second():
    with pytest.raises(DefinitionError) as raised:
        loader.load_text(events(("keynote", "talk"), ("Keynote", "talk")), "c.yaml")
    message = str(raised.value)
    assert "c.yaml:8: event 'Keynote': id 'Keynote' differs from 'keynote' (line 4)" in message


@pytest.mark.parametrize("first, second", [("deadline", "deadlines"), ("workshop", "workshops")])
def test_kinds_with_one_feed_url_are_refused_at_the_second(first, second):
    with pytest.raises(DefinitionError) as raised:
        loader.load_text(events(("a", first), ("b", second)), "c.yaml")
    message = str(raised.value)
    assert "c.yaml:10: event 'b': kind" in message and "same feed URL" in message


def test_a_kind_written_in_capitals_is_the_same_kind():
    calendar = loader.load_text(events(("a", "talk"), ("b", "Talk")), "c.yaml")
    assert {e.kind for e in calendar.events} == {"talk"}


@pytest.mark.parametrize("cal_id", ["all", "ALL", "Deadlines"])
def test_a_calendar_cannot_take_a_merged_feed_id_in_any_case(cal_id):
    with pytest.raises(DefinitionError, match="reserved for a merged feed"):
        loader.load_text(f"id: {cal_id}\nname: X\nevents: []\n", "x.yaml")


def test_calendar_ids_differing_in_case_are_refused(tmp_path):
    (tmp_path / "a.yaml").write_text("id: ICML\nname: A\nevents: []\n")
    (tmp_path / "b.yaml").write_text("id: icml\nname: B\nevents: []\n")
    calendars, problems = loader.check_folder(tmp_path)
    assert [str(p) for p in problems if p.severity == "error"] == [
        f"{tmp_path / 'b.yaml'}:1: calendar id 'icml' is also used by {tmp_path / 'a.yaml'} "
        "(as 'ICML': ids differing in case collide); give each calendar its own id "
        "(it is part of the feed URL)"
    ]
