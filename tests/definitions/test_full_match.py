"""Every check of a whole value matches the whole value: "$" lets a final newline through.

The attack: ``id: "abc\\n"`` passed the slug check (``re.match`` with ``...$``), so the UID,
the event file's URL and the export's file names carried a newline. Each field checked by a
pattern is tried with a trailing newline (and the other line ends YAML can carry in quotes).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeds.definitions import loader
from feeds.errors import DefinitionError

BASE = """\
id: {cal}
name: Newline test
events:
  - id: {event}
    title: A talk
    kind: {kind}
    start: 2026-07-10 09:00
    end: 10:00
    url: {url}
"""
GOOD = {"cal": "nl", "event": "abc", "kind": "talk", "url": "https://example.org/a"}
ENDINGS = ["\\n", "\\n\\n", " \\n", "\\t"]


def load(**fields: str):
    values = {k: f'"{v}"' for k, v in {**GOOD, **fields}.items()}
    return loader.load_text(BASE.format(**values), "nl.yaml")


def test_the_good_definition_loads():
    assert load().events[0].id == "abc"


@pytest.mark.parametrize("ending", ENDINGS)
@pytest.mark.parametrize(
    "field, line, what",
    [("event", 4, "id 'abc"), ("kind", 6, "kind 'talk"), ("cal", 1, "calendar id 'nl")],
)
def test_an_id_or_kind_ending_in_a_line_break_is_refused_at_its_line(field, line, what, ending):
    with pytest.raises(DefinitionError) as raised:
        load(**{field: GOOD[field] + ending})
    message = str(raised.value)
    assert f"nl.yaml:{line}:" in message
    assert what in message and "cannot be used in a URL" in message


@pytest.mark.parametrize("ending", ["\\n", "\\n\\n"])
def test_a_url_never_keeps_a_line_break(ending):
    # text fields are trimmed, so the URL is the one written without its trailing newline
    calendar = load(url=GOOD["url"] + ending)
    assert calendar.events[0].url == GOOD["url"]


def test_a_source_url_with_a_line_break_is_refused():
    text = 'name: S\nsources:\n  - "https://example.org/x\\n"\nevents: []\n'
    with pytest.raises(DefinitionError, match=r"s\.yaml:2: source .* is not a URL"):
        loader.load_text(text, "s.yaml")


@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=12))
def test_whatever_passes_as_an_id_is_only_url_safe_characters(candidate):
    quoted = candidate.replace("\\", "\\\\").replace('"', '\\"')
    try:
        calendar = loader.load_text(
            BASE.format(cal='"nl"', event=f'"{quoted}"', kind='"talk"', url='"https://e.org/"'),
            "nl.yaml",
        )
    except DefinitionError:
        return
    event_id = calendar.events[0].id
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", event_id), repr(event_id)
