"""What the importer writes reads back as what it meant, whatever text the source holds."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from feeds.definitions import loader, yamlsource
from feeds.importers import emit, hf_ai_deadlines, output, spellings


@given(st.text())
def test_a_quoted_string_reads_back_as_itself(text):
    data, problems = yamlsource.read(f"key: {emit.quote(text)}\n", "t.yaml")
    assert problems == []
    assert data == {"key": text}


@given(st.text())
def test_a_comment_stays_a_comment(text):
    data, problems = yamlsource.read(f"{emit.comment(text)}\nkey: 1\n", "t.yaml")
    assert problems == []
    assert data == {"key": 1}


@given(st.text(alphabet=st.characters(codec="ascii"), max_size=12))
def test_a_plain_scalar_is_only_written_plain_when_it_reads_back_as_that_text(text):
    data, _ = yamlsource.read(f"key: {emit.scalar(text)}\n", "t.yaml")
    assert data == {"key": text}


def test_a_document_has_one_shape():
    doc = emit.Document(
        ["Header"],
        [("id", "x-2026"), ("tags", ["a", "b"]), ("sources", [{"title": "T", "url": "u"}])],
        [emit.Entry([("id", "one"), ("start", date(2026, 1, 2))], ["from here"])],
    )
    assert emit.dumps(doc) == (
        "# Header\n\nid: x-2026\ntags: [a, b]\nsources:\n"
        "  - title: T\n    url: u\nevents:\n  # from here\n  - id: one\n    start: 2026-01-02\n"
    )


SOURCE = """\
- title: {title}
  year: 2026
  id: conf26
  venue: {title}
  note: {label}
  deadlines:
    - type: paper
      label: {label}
      date: '2026-05-01 12:00:00'
      timezone: AoE
"""


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=st.text(max_size=30), label=st.text(max_size=30))
@example(title="x\u2028events: []", label="a\u2028  - id: injected")
@example(title='q" # not a comment', label="\x85  - id: injected\n  title: y")
@example(title="", label="")
@example(title="Ünïcödé ✓", label="'; DROP: [1, {a: b}]")
def test_any_text_in_the_source_is_imported_as_that_text_or_reported(tmp_path, title, label):
    """Raw line breaks YAML knows (U+2028, NEL), quotes, ``#``, YAML syntax: never syntax."""
    source = tmp_path / "source"
    source.mkdir(exist_ok=True)
    text = SOURCE.format(
        title=json.dumps(title, ensure_ascii=False), label=json.dumps(label, ensure_ascii=False)
    )
    (source / "conf.yml").write_text(text, "utf-8")
    out = tmp_path / "out"
    for old in out.glob("*") if out.exists() else []:
        old.unlink()
    conversion = hf_ai_deadlines.convert(source)
    outcome = output.write(conversion, out, hf_ai_deadlines.FORMAT)
    read, problems = yamlsource.read(text, str(source / "conf.yml"))
    if read is None:  # the source itself is not YAML (a control character): reported
        assert problems and conversion.conferences == []
        assert [str(p) for p in conversion.problems] == [str(p) for p in problems]
        return
    (path,) = out.glob("*.yaml")
    calendar, found = loader.check_text(path.read_bytes(), str(path))
    said = read[0]["deadlines"][0]["label"].strip()
    if calendar is None:  # only text the loader refuses in any definition (controls, bidi)
        assert path in outcome.invalid
        assert all(
            p.message.startswith(("'title'", "'name'", "'location'", "'description'"))
            for p in found
            if p.severity == "error"
        ), found
        return
    (deadline,) = calendar.events
    assert deadline.title == (said or "Paper")
    assert deadline.when.zone == "AoE"


@pytest.mark.parametrize(
    "written, ours",
    [
        ("AoE", "AoE"),
        ("aoe", "AoE"),
        ("UTC-12", "AoE"),
        ("UTC", "UTC"),
        ("UTC  ", "UTC"),
        ("UTC+0", "UTC"),
        ("UTC-0", "UTC"),
        ("GMT", "UTC"),
        ("UTC-08", "UTC-8"),
        ("UTC-7", "UTC-7"),
        ("UTC+8", "UTC+8"),
        ("UTC+02", "UTC+2"),
        ("GMT+02", "UTC+2"),
        ("GMT-3", "UTC-3"),
        ("UTC+5:30", "UTC+5:30"),
        ("UTC+0530", "UTC+5:30"),
        ("UTC+14", "UTC+14"),
        ("Etc/GMT+8", "UTC-8"),  # the tz database's inverted sign, read as it means
        ("Etc/GMT-9", "UTC+9"),
        ("America/Los_Angeles", "America/Los_Angeles"),
        ("Europe/London", "Europe/London"),
        ("PST", "UTC-8"),
        ("CEST", "UTC+2"),
        (None, "UTC"),  # ai-deadlines' site reads no zone as UTC
    ],
)
def test_zone_spellings_become_zones_a_definition_names(written, ours):
    assert spellings.zone(written, None)[0] == ours


@pytest.mark.parametrize("written", ["UTC+15", "UTC+5:75", "CST", "IST", "Mars/Olympus", 8])
def test_zones_that_name_no_place_or_two_are_not_mapped(written):
    zone, remark = spellings.zone(written, None)
    assert zone is None
    assert remark


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 3000),
    st.text(max_size=20),
    st.dates(),
    st.datetimes(),
    st.sampled_from(["AoE", "UTC+8", "PST", "CST", "2026-05-01 12:00:00", "TBD", "https://x.org"]),
    st.lists(st.text(max_size=8), max_size=3),
)
ENTRY_KEYS = sorted(hf_ai_deadlines.MAPPED | {"rankings", "hindex"})
DEADLINE = st.dictionaries(st.sampled_from([*hf_ai_deadlines.DEADLINE_KEYS, "extra"]), VALUES)
ENTRY = st.dictionaries(
    st.sampled_from(ENTRY_KEYS), st.one_of(VALUES, st.lists(DEADLINE, max_size=3)), max_size=12
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(entries=st.lists(ENTRY, min_size=1, max_size=3))
def test_any_entry_is_imported_or_reported_and_every_written_file_is_checked(tmp_path, entries):
    import yaml  # the test writes sources with PyYAML; the package never does

    source, out = tmp_path / "source", tmp_path / "out"
    for folder in (source, out):
        folder.mkdir(exist_ok=True)
        for old in folder.glob("*"):
            old.unlink()
    (source / "any.yml").write_text(yaml.safe_dump(entries, allow_unicode=True), "utf-8")
    conversion = hf_ai_deadlines.convert(source)
    outcome = output.write(conversion, out, hf_ai_deadlines.FORMAT)
    assert len(conversion.conferences) == len(entries)
    for path in out.glob("*.yaml"):
        calendar, problems = loader.check_text(path.read_bytes(), str(path))
        errors = [p for p in problems if p.severity == "error"]
        assert (calendar is None) == bool(errors) == (path in outcome.invalid)
        assert all(p in outcome.problems for p in errors)
