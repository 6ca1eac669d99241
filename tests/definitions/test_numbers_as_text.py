"""Where text is expected, a plain number is the text as written, not YAML 1.1's number.

The attack: ``id: 010`` was published as UID ``.../8`` (octal), ``0x1F`` as ``31``,
``1_000`` as ``1000`` and ``title: 3.10`` as "3.1"; quoting the id later changed the UID,
so subscribers got a duplicate. Now the written text is kept, quoted or not.
"""

from __future__ import annotations

import pytest

from feeds.definitions import incremental, loader
from feeds.render import ics

TEMPLATE = """\
name: {name}
location: {location}
events:
  - id: {event_id}
    title: {title}
    start: 2026-07-10
  - id: other
    title: Other
    start: 2026-07-11
"""


def load(event_id="a", title="T", name="N", location="L"):
    text = TEMPLATE.format(event_id=event_id, title=title, name=name, location=location)
    return loader.load_text(text, "nums.yaml")


@pytest.mark.parametrize("written", ["010", "0x1F", "1_000", "0o17", "1e3", "12"])
def test_a_plain_number_as_an_id_is_its_text_and_quoting_it_changes_nothing(written):
    plain = load(event_id=written).events[0]
    quoted = load(event_id=f"'{written}'").events[0]
    assert plain.id == quoted.id == written
    assert ics.uid(plain, "d") == ics.uid(quoted, "d") == f"nums/{written}@d"


@pytest.mark.parametrize("written", ["3.10", "2026", "010", "1_000"])
def test_text_fields_keep_a_number_as_written(written):
    calendar = load(title=written, name=written, location=written)
    assert calendar.events[0].title == calendar.name == calendar.location == written


def test_the_incremental_reparse_keys_the_id_as_written():
    cache = incremental.ParseCache()
    first = TEMPLATE.format(event_id="010", title="T", name="N", location="L")
    calendar, problems = loader.check_text(first, "nums.yaml", cache)
    assert calendar is not None and calendar.events[0].id == "010"
    edited = first.replace("title: Other", "title: Other, edited")
    calendar, problems = loader.check_text(edited, "nums.yaml", cache)
    assert cache.last == "incremental" and cache.reused == 1
    assert [e.id for e in calendar.events] == ["010", "other"]
    # a second event "8" is no duplicate of "010" (it would have been, read as numbers)
    added = edited + "  - id: '8'\n    title: Eight\n    start: 2026-07-12\n"
    calendar, problems = loader.check_text(added, "nums.yaml", cache)
    assert [e.id for e in calendar.events] == ["010", "other", "8"]
