"""Unbalanced bidirectional controls are refused at the line, in every text field.

The attack: a title with an unclosed U+202E (right-to-left override) reversed the text after
it on embed pages. Balanced controls (a Hebrew or Arabic name isolated on purpose) are fine.
"""

from __future__ import annotations

import pytest

from feeds.definitions import loader
from feeds.definitions.checks import unbalanced_bidi
from feeds.errors import DefinitionError

RLO, PDF, RLI, PDI, LRE = "\u202e", "\u202c", "\u2067", "\u2069", "\u202a"

TEMPLATE = """\
name: "{name}"
events:
  - id: e
    title: "{title}"
    location: "{location}"
    tags: ["{tag}"]
    start: 2026-07-10
"""


def load(name="N", title="T", location="L", tag="t"):
    text = TEMPLATE.format(name=name, title=title, location=location, tag=tag)
    return loader.load_text(text, "b.yaml")


@pytest.mark.parametrize("field, line", [("name", 1), ("title", 4), ("location", 5), ("tag", 6)])
def test_an_unclosed_override_is_refused_in_every_text_field(field, line):
    with pytest.raises(DefinitionError) as raised:
        load(**{field: f"safe {RLO}txet desrever"})
    message = str(raised.value)
    assert f"b.yaml:{line}:" in message and "U+202E at character 6" in message


@pytest.mark.parametrize(
    "text",
    [f"{RLI}שלום{PDI} and more", f"a {RLO}b{PDF} c", f"{RLI}{LRE}x{PDF}{PDI}", f"{RLI}x{LRE}{PDI}"],
)
def test_balanced_controls_are_kept(text):
    assert unbalanced_bidi(text) is None
    assert load(title=text).events[0].title == text


@pytest.mark.parametrize(
    "text, at",
    [(f"x{RLO}", 1), (f"{RLI}a{PDF}", 0), (f"{RLO}a\\nb{PDF}", 0), (f"{LRE}{RLI}x{PDI}", 0)],
)
def test_what_a_line_leaves_open_is_found(text, at):
    assert unbalanced_bidi(text.replace("\\n", "\n")) == at
