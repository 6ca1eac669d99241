"""``on:`` takes weekdays as a list or separated by commas or spaces; anything else is refused.

The attack: ``on: mo, we``, ``on: mo we``, ``on: monday-friday`` and ``on: weekdays`` were
each read as Monday alone (the first two letters of the text), silently dropping days.
"""

from __future__ import annotations

import pytest

from feeds.definitions import loader
from feeds.errors import DefinitionError

TEMPLATE = """\
name: W
events:
  - id: w
    title: Weekly
    start: 2026-07-06 09:00
    end: 10:00
    repeat:
      every: week
      count: 6
      on: {on}
"""


def weekdays(on: str) -> tuple[int, ...]:
    calendar = loader.load_text(TEMPLATE.format(on=on), "w.yaml")
    return calendar.events[0].repeat.weekdays


@pytest.mark.parametrize(
    "on",
    ["[mo, we]", "mo, we", "mo we", "'mo,we'", "[Mon, Wednesday]", "monday, wed", "[MO, WE, mo]"],
)
def test_the_documented_forms_all_mean_monday_and_wednesday(on):
    assert weekdays(on) == (0, 2)


def test_one_day_alone():
    assert weekdays("mo") == (0,)


@pytest.mark.parametrize(
    "on, bad",
    [
        ("monday-friday", "monday-friday"),
        ("weekdays", "weekdays"),
        ("[mo, mozzarella]", "mozzarella"),
        ("mo; we", "mo;"),
        ("[mo, 3]", "3"),
    ],
)
def test_anything_else_is_refused_at_its_line_with_the_list_form(on, bad):
    with pytest.raises(DefinitionError) as raised:
        weekdays(on)
    message = str(raised.value)
    assert "w.yaml:10: event 'w':" in message
    assert repr(bad) in message and "on: [mo, tu, we, th, fr]" in message


@pytest.mark.parametrize("on", ["[]", "''", "' , '", "~"])
def test_an_empty_on_is_refused_rather_than_read_as_the_start_day(on):
    with pytest.raises(DefinitionError) as raised:
        weekdays(on)
    assert "w.yaml:10: event 'w':" in str(raised.value)
