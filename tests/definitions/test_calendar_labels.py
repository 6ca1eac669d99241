"""A calendar's ``tags`` and ``series`` name URLs of cross-calendar feeds: slugs only."""

from __future__ import annotations

import pytest

from feeds.definitions import loader

BASE = "name: C\ntimezone: UTC\nevents: []\n"


@pytest.mark.parametrize(
    "keys",
    ["tags: [machine-learning, computer-vision]\nseries: icml\n", "tags: robotics\n", "tags: []\n"],
)
def test_slugs_are_accepted(keys):
    calendar, problems = loader.check_text(keys + BASE, "c.yaml")
    assert calendar is not None, problems
    assert problems == []


@pytest.mark.parametrize(
    "keys, line, message",
    [
        ("tags: [machine learning]\n", 1, "tag 'machine learning' cannot be used in a URL"),
        ("tags: {a: b}\n", 1, "'tags' must be a list"),
        ("series: [icml]\n", 1, "'series' must be one name"),
        ("series: 'icml/2026'\n", 1, "series 'icml/2026' cannot be used in a URL"),
        ("tags: [" + ", ".join(f"t{n}" for n in range(51)) + "]\n", 1, "51 tags is over"),
    ],
)
def test_anything_else_is_an_error_at_its_line(keys, line, message):
    calendar, problems = loader.check_text(keys + BASE, "c.yaml")
    assert calendar is None
    (problem,) = problems
    assert (problem.line, problem.message[: len(message)]) == (line, message)
