"""The calendar keys ``tags:`` and ``series:``: slugs that become URLs of feeds spanning calendars.

Each value becomes a path (``/feeds/tags/<tag>.ics``, ``/feeds/series/<series>.ics``), so it
is checked like an id: a full-match slug, refused at its line otherwise. Case is folded
(``ML`` is the tag ``ml``), so two spellings never make two URLs that collide on a
case-insensitive disk; a tag listed twice in any case is refused. The attacks: spaces,
slashes, a trailing newline, ``..``, numbers and booleans YAML makes of them, lists where one
name is wanted, and calendar ids that would take the folders of these feeds.
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeds import revisions
from feeds.definitions import loader
from feeds.errors import DefinitionError
from tests.conftest import BUNDLED

PATH = "events/c.yaml"


def calendar(head: str):
    return loader.check_text(f"id: c\nname: C\n{head}\nevents: []\n", PATH)


def refused(head: str) -> list[str]:
    cal, problems = calendar(head)
    assert cal is None, head
    return [str(p) for p in problems if p.severity == "error"]


def test_tags_and_series_are_read_as_lower_case_slugs():
    cal, problems = calendar("series: ICML\ntags: [Machine-Learning, computer-vision, nlp.2]")
    assert not problems
    assert cal.series == "icml"
    assert cal.tags == ("machine-learning", "computer-vision", "nlp.2")  # as listed


def test_one_tag_may_be_written_without_a_list():
    cal, _ = calendar("tags: robotics")
    assert cal.tags == ("robotics",)


def test_a_calendar_without_them_has_none():
    cal, _ = calendar("")
    assert cal.tags == () and cal.series == ""
    cal, _ = calendar("tags: []")
    assert cal.tags == ()


def test_a_number_is_a_name_as_written():
    cal, _ = calendar("series: 010")
    assert cal.series == "010"  # YAML 1.1 would read 8


@pytest.mark.parametrize(
    "head, line_text",
    [
        ("tags: [machine learning]", "tag 'machine learning' cannot be used in a URL"),
        ("tags: [ml/cv]", "tag 'ml/cv' cannot be used in a URL"),
        ("tags: ['..']", "tag '..' cannot be used in a URL"),
        ("tags: ['-ml']", "tag '-ml' cannot be used in a URL"),
        ('tags: ["ml\\n"]', "cannot be used in a URL"),  # fullmatch: no trailing newline
        ("tags: ['']", "tag '' cannot be used in a URL"),
        ("tags: [true]", "tag True is not a name"),
        ("tags: [[a]]", "tag ['a'] is not a name"),
        ("tags: {a: 1}", "'tags' must be a list of tags"),
        ("series: ICML 2026", "series 'ICML 2026' cannot be used in a URL"),
        ("series: [icml]", "'series' must be one name, not a list"),
        ("series: {name: icml}", "'series' must be one name, not a list"),
        ("series: yes", "series True is not a name"),
        ("series: ''", "series '' cannot be used in a URL"),
    ],
)
def test_a_name_that_is_no_slug_is_refused_at_its_line(head, line_text):
    errors = refused(head)
    assert len(errors) == 1 and errors[0].startswith(f"{PATH}:3: "), errors
    assert line_text in errors[0], errors


def test_a_tag_listed_twice_in_any_case_is_refused():
    (error,) = refused("tags:\n  - vision\n  - ML\n  - ml")
    assert error.startswith(f"{PATH}:3: tag 'ml' is listed twice (as 'ML': tags ignore case)")
    assert "/feeds/tags/ml.ics" in error
    (error,) = refused("tags: [nlp, nlp]")
    assert "tag 'nlp' is listed twice;" in error


def test_too_many_tags_are_refused():
    tags = ", ".join(f"t{i}" for i in range(51))
    (error,) = refused(f"tags: [{tags}]")
    assert "51 tags is over the limit of 50" in error


def test_a_typo_of_the_keys_is_named():
    (error,) = refused("serie: icml")
    assert "unknown key 'serie'; did you mean 'series'?" in error


@pytest.mark.parametrize("cal_id", ["tags", "Series", "HISTORY", "all", "deadlines"])
def test_calendar_ids_that_would_take_the_folders_of_cross_feeds_are_refused(cal_id):
    """``/feeds/tags/deadlines.ics`` is a tag's feed; a calendar ``tags`` would have it too."""
    with pytest.raises(DefinitionError) as raised:
        loader.load_text(f"id: {cal_id}\nname: X\nevents: []\n", "x.yaml")
    assert "reserved for a merged feed" in str(raised.value)
    assert f"/feeds/{cal_id.casefold()}" in str(raised.value)


def test_the_same_tag_in_two_files_and_two_cases_is_one_tag(tmp_path):
    (tmp_path / "a.yaml").write_text("id: a\nname: A\ntags: [ML]\nevents: []\n")
    (tmp_path / "b.yaml").write_text("id: b\nname: B\ntags: [ml]\nseries: X\nevents: []\n")
    (tmp_path / "c.yaml").write_text("id: c\nname: C\nseries: x\nevents: []\n")
    calendars, problems = loader.check_folder(tmp_path)
    assert not problems
    assert {c.id: (c.tags, c.series) for c in calendars} == {
        "a": (("ml",), ""),
        "b": (("ml",), "x"),
        "c": ((), "x"),
    }


_URL_SAFE = re.compile(r"[a-z0-9][a-z0-9._-]{0,127}")


@given(st.one_of(st.text(max_size=40), st.integers(), st.booleans(), st.none()))
def test_any_value_is_a_url_safe_name_or_a_located_refusal(value):
    """Whatever a tag or series says, it is a lower-case slug or refused at its line, never
    a traceback and never a path with a separator, a dot segment or a control character."""
    written = json.dumps(value)  # a JSON value is YAML too
    for head in (f"tags: [{written}]", f"series: {written}"):
        cal, problems = calendar(head)
        if cal is None:
            errors = [p for p in problems if p.severity == "error"]
            assert errors and all(p.line >= 1 for p in errors), (head, problems)
            continue
        names = cal.tags if head.startswith("tags") else ((cal.series,) if cal.series else ())
        for name in names:
            assert _URL_SAFE.fullmatch(name), (head, name)


def test_a_calendar_without_tags_keeps_its_revisions_fingerprint():
    """Upgrading must not move every feed's Last-Modified: the bundled calendar's header
    fingerprint is the one its committed revisions file holds."""
    cal = loader.load_file(BUNDLED / "icml-2026.yaml")
    stored = revisions.read(revisions.revisions_path(cal))
    assert stored is not None and stored.header is not None
    assert revisions.header_fingerprints(cal)[0] == stored.header.content


def test_an_edit_of_tags_or_series_moves_the_calendars_header():
    base = "id: c\nname: C\n{}\nevents: []\n"
    plain = loader.load_text(base.format(""), PATH)
    tagged = loader.load_text(base.format("tags: [ml]"), PATH)
    other = loader.load_text(base.format("tags: [cv]"), PATH)
    series = loader.load_text(base.format("series: ml"), PATH)
    prints = {revisions.header_fingerprints(c)[0] for c in (plain, tagged, other, series)}
    assert len(prints) == 4
