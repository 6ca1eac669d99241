"""Hostile and broken input: each gets a clear, located error or a 4xx; none crashes or leaks.

The corpus is generated here, in temporary folders (no committed binaries):
YAML meant to exhaust or trick the reader, text meant to break iCalendar or the
pages, URLs meant to escape the site, and a definitions folder that changes
under the server's feet. docs/security.md lists every defence and its test.
"""

from __future__ import annotations

import errno
import hashlib
import html.parser
import json
import logging
import os
import re
import socket
import threading
import time
import unicodedata
from pathlib import Path
from xml.etree import ElementTree

import icalendar
import pytest
from werkzeug.serving import make_server

from feeds import config, revisions, site
from feeds.definitions import builder, loader, repeats, yamlsource
from feeds.doctor import parsers
from feeds.errors import DefinitionError
from feeds.serve.app import create_app
from feeds.serve.store import Store
from tests.conftest import BUNDLED, TODAY, make_settings

PATH = "events/hostile.yaml"
PUBLIC = "https://feeds.example.org"

GOOD = """\
name: Good
events:
  - id: one
    title: One
    start: 2026-07-06 09:00
    end: 10:00
"""


def errors_of(text: str | bytes, path: str = PATH) -> list:
    calendar, found = loader.check_text(text, path)
    errors = [p for p in found if p.severity == "error"]
    assert calendar is None and errors, "accepted, but must be refused"
    for problem in errors:
        assert problem.path == path and problem.line >= 1, problem
    with pytest.raises(DefinitionError):
        loader.load_text(text, path)
    return errors


def one_error(text: str | bytes, *words: str, line: int | None = None):
    found = errors_of(text)
    messages = [str(p) for p in found]
    match = [p for p in found if all(w in str(p) for w in words)]
    assert match, messages
    if line is not None:
        assert match[0].line == line, messages
    return match[0]


def calendar_text(title: str = "T", **event: str) -> str:
    lines = [
        "name: Hostile",
        "events:",
        "  - id: a",
        f"    title: {title}",
        "    start: 2026-07-06",
    ]
    lines += [f"    {key}: {value}" for key, value in event.items()]
    return "\n".join(lines) + "\n"


def quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar: controls and line separators as escapes."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") and char != "\u200d":
            out.append(f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def unescape(value: str) -> str:
    """RFC 5545 TEXT unescaping, for the properties icalendar leaves as written (NAME)."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


# -- YAML that tries to exhaust or trick the reader -------------------------------------------


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = ['lol0: &lol0 "lol"']
    for level in range(1, levels + 1):
        refs = ", ".join([f"*lol{level - 1}"] * width)
        lines.append(f"lol{level}: &lol{level} [{refs}]")
    lines += [f"name: *lol{levels}", "events:", "  - id: a", "    title: T"]
    lines += ["    start: 2026-07-06", f"    status: *lol{levels}"]
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_before_anything_is_built():
    start = time.monotonic()
    problem = one_error(billion_laughs(), "aliases expand")
    assert time.monotonic() - start < 2
    assert problem.line >= 1


def test_a_merge_key_bomb_is_refused():
    lines = ["m0: &m0 {k0: 1}"]
    for i in range(1, 25):
        lines.append(f"m{i}: &m{i} {{<<: [*m{i - 1}, *m{i - 1}], k{i}: 1}}")
    start = time.monotonic()
    errors_of("\n".join(lines) + "\nname: X\nevents: []\n")
    assert time.monotonic() - start < 2


def test_a_big_string_repeated_by_aliases_is_refused():
    text = f'big: &big "{"x" * 100_000}"\nname: X\nevents:\n' + "".join(
        f"  - {{id: e{i}, title: *big, start: 2026-07-06}}\n" for i in range(50)
    )
    one_error(text, "aliases expand", line=1)


def test_too_many_aliases_are_refused():
    text = (
        "a: &a x\nname: X\nevents:\n  - id: e\n    title: T\n    start: 2026-07-06\n    tags: ["
        + ", ".join(["*a"] * 1001)
        + "]\n"
    )
    one_error(text, f"more than {yamlsource.MAX_ALIASES} aliases")


def test_a_few_anchors_and_merge_keys_still_work():
    text = """\
name: X
events:
  - &base {id: a, title: Base, kind: workshop, start: 2026-07-06}
  - <<: *base
    id: b
    title: Own title
"""
    calendar = loader.load_text(text, PATH)
    assert [(e.id, e.title, e.kind) for e in calendar.events] == [
        ("a", "Base", "workshop"),
        ("b", "Own title", "workshop"),
    ]


def test_an_alias_to_itself_is_refused():
    one_error("name: &a [*a]\nevents: []\n", "refers to the mapping or list it is part of")


@pytest.mark.parametrize(
    "text",
    [
        "name: X\nevents: " + "[" * 5000 + "]" * 5000 + "\n",
        "name: X\nevents: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n",
        "name: X\nevents:\n" + "".join("  " * i + "- \n" for i in range(1, 60)),
    ],
    ids=["flow-lists", "flow-mappings", "block"],
)
def test_deep_nesting_is_refused(text):
    one_error(text, "nests")


def test_a_50_mb_file_is_refused_without_reading_it_all(tmp_path, monkeypatch):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as out:
        out.write(b"name: Huge\nevents:\n")
        chunk = b"  - {id: e, title: T, start: 2026-07-06}\n" * 25_000
        while out.tell() < 50 * 1024 * 1024:
            out.write(chunk)
    read = []
    real_read = loader.read_bytes

    def measured(p):
        data = real_read(p)
        read.append(len(data))
        return data

    monkeypatch.setattr(loader, "read_bytes", measured)
    start = time.monotonic()
    calendar, problems = loader.check_file(path)
    assert calendar is None
    assert [p.message for p in problems] == [
        f"the file is over the {yamlsource.MAX_BYTES:,}-byte limit"
    ]
    assert read == [yamlsource.MAX_BYTES + 1]
    assert time.monotonic() - start < 5


def test_a_fifo_in_place_of_a_definition_does_not_hang(tmp_path):
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    assert loader.definition_files(tmp_path) == []  # never listed
    assert loader.Listing(tmp_path).paths() == []  # nor by the live server's listing
    calendar, problems = loader.check_file(fifo)  # and never blocks if named directly
    assert calendar is None and "cannot read the file" in problems[0].message


@pytest.mark.parametrize(
    "data, words",
    [
        (bytes(range(256)) * 4, ("not UTF-8",)),
        ("name: café\nevents: []\n".encode("latin-1"), ("not UTF-8", "0xe9")),
        ("name: X\nevents: []\n".encode("utf-16"), ("not UTF-8",)),
        (b"name: X\x00\nevents: []\n", ("NUL",)),
        (b"name: X\nevents: []\ntitle: \x07bell\n", ("control character U+0007",)),
        ("name: X\nevents: []\nx: \x9b\n".encode(), ("control character U+009B",)),
        (b"\xef\xbb\xbf\xef\xbb\xbfname: X\n", ()),
    ],
    ids=["binary", "latin-1", "utf-16", "nul", "bell", "c1", "double-bom"],
)
def test_binary_and_non_utf8_bytes_are_refused_with_their_line(data, words):
    one_error(data, *words)


def test_a_utf8_bom_is_fine():
    calendar = loader.load_text("\ufeff".encode() + GOOD.encode(), PATH)
    assert calendar.name == "Good"


def test_tabs_for_indentation_say_to_use_spaces():
    problem = one_error("name: X\nevents:\n\t- id: a\n", "spaces, not tabs", line=3)
    assert "column 1" in problem.message


def test_a_tab_inside_a_value_is_text():
    calendar = loader.load_text(GOOD.replace("title: One", 'title: "One\\tTwo"'), PATH)
    assert calendar.events[0].title == "One\tTwo"


def test_duplicate_keys_name_both_lines():
    one_error(
        "name: X\nname: Y\nevents: []\n", "key 'name' appears twice", "first at line 1", line=2
    )
    text = GOOD + "    title: Again\n"
    one_error(text, "key 'title' appears twice", "first at line 4", line=7)


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.mkdir [{marker}]",
        "!!python/object/new:os.mkdir [{marker}]",
        "!!python/object:builtins.dict {{}}",
        "!!python/name:os.system",
        "!!python/module:os",
        "!!python/tuple [1, 2]",
        "!custom thing",
        "!<tag:evil.example,2026:x> thing",
    ],
)
def test_unsafe_and_unknown_tags_are_refused_and_never_run(tag, tmp_path):
    marker = tmp_path / "created-by-yaml"
    one_error(f"name: {tag.format(marker=marker)}\nevents: []\n", "is not allowed", line=1)
    assert not marker.exists()


@pytest.mark.parametrize("tag", ["!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1]"])
def test_safe_tags_of_the_wrong_kind_are_not_text(tag):
    one_error(f"name: {tag}\nevents: []\n", "'name' must be text", line=1)


def test_several_documents_are_refused():
    one_error(GOOD + "---\n" + GOOD, "more than one YAML document", line=7)


@pytest.mark.parametrize(
    "value, words",
    [
        ("2026-02-30", ("not a real date",)),
        ("2026-07-06 25:00", ("not a real date or time",)),
        ("1" * 5000, ("'start':",)),
        ("0001-01-01", ("outside the supported years",)),
        ("9999-12-31", ("outside the supported years",)),
        ("2038-01-19", ("outside the supported years",)),
    ],
)
def test_impossible_values_are_located_errors(value, words):
    one_error(GOOD.replace("2026-07-06 09:00", value), *words, line=5)


@pytest.mark.parametrize(
    "repeat, words",
    [
        ("{every: day, count: " + "9" * 5000 + "}", ("'count' must be a whole number",)),
        ("{every: day, count: 1001}", ("'count' must be a whole number from 1 to 1000",)),
        ("{every: day, interval: 100000000000, count: 3}", ("'interval'",)),
        ("{every: week, interval: 1000, count: 1000}", ("outside the supported years",)),
        ("{every: day, until: 2037-12-31}", ("over 1000 occurrences",)),
    ],
)
def test_runaway_repeats_are_located_errors(repeat, words):
    one_error(calendar_text(repeat=repeat), *words)


def test_a_runaway_duration_is_a_located_error():
    text = GOOD.replace("end: 10:00", "duration: 99999999999d")
    one_error(text, "'duration' makes the event end after", line=6)


@pytest.mark.parametrize("text", ["", "   \n", "~\n", "[]\n", "just text\n", "42\n", "- a\n- b\n"])
def test_documents_that_are_not_a_calendar(text):
    errors_of(text)


# -- limits -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, length, limit",
    [
        ("title", loader.MAX_TEXT + 1, loader.MAX_TEXT),
        ("location", loader.MAX_TEXT + 1, loader.MAX_TEXT),
        ("description", loader.MAX_DESCRIPTION + 1, loader.MAX_DESCRIPTION),
    ],
)
def test_text_longer_than_its_limit_is_refused(key, length, limit):
    value = "한" * length
    text = calendar_text(
        **({key: quoted(value)} if key != "title" else {}),
        **({"title": quoted(value)} if key == "title" else {}),
    )
    one_error(text, f"'{key}' is {length:,} characters long, over the limit of {limit:,}")


def test_urls_longer_than_the_limit_are_refused():
    url = "https://example.org/" + "a" * loader.MAX_URL
    one_error(calendar_text(url=url), "'url' is", "over the limit of 2,000")


def test_too_many_tags_are_refused():
    one_error(calendar_text(tags="[" + ", ".join(f"t{i}" for i in range(51)) + "]"), "51 tags")


def test_too_many_events_are_refused(monkeypatch):
    monkeypatch.setattr(builder, "MAX_EVENTS", 3)
    text = "name: X\nevents:\n" + "".join(
        f"  - {{id: e{i}, title: T, start: 2026-07-06}}\n" for i in range(4)
    )
    one_error(text, "4 events is over the limit of 3", line=2)


def test_too_many_occurrences_in_one_calendar_are_refused(monkeypatch):
    monkeypatch.setattr(repeats, "MAX_CALENDAR_OCCURRENCES", 50)
    text = "name: X\nevents:\n" + "".join(
        f"  - {{id: e{i}, title: T, start: 2026-07-06, repeat: {{every: day, count: 20}}}}\n"
        for i in range(3)
    )
    one_error(text, "occur over 50 times")


# -- text meant to break iCalendar -------------------------------------------------------------

INJECTIONS = {
    "lf": "x\nEND:VEVENT\nBEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT5M\nEND:VALARM\n"
    "BEGIN:VEVENT\nUID:evil",
    "property-like": "X-INJECTED:1\nDTSTART:19700101T000000Z\n;X-INJECTED=1:\n:;,\\N\\n\\",
    "escapes": "C:\\New\\Folder, a;b \\, \\; \\\\",
}
CR_INJECTIONS = {
    "cr": "x\rEND:VEVENT\rBEGIN:VALARM",
    "crlf": "x\r\nEND:VEVENT\r\nBEGIN:VALARM\r\nACTION:DISPLAY",
    "nel": "x\x85END:VEVENT",
}
#: Every text field that reaches a feed: (where, key).
TEXT_FIELDS = [
    ("calendar", "name"),
    ("calendar", "description"),
    ("calendar", "location"),
    ("event", "title"),
    ("event", "location"),
    ("event", "description"),
    ("event", "tags"),
]


def definition(where: str, key: str, value: str) -> str:
    """A calendar of two events whose ``key`` (of the calendar or of event ``a``) is ``value``."""
    scalar = quoted(value)
    cal = {"name": quoted("Hostile"), "description": quoted("D"), "location": quoted("L")}
    event = {
        "title": quoted("A"),
        "location": quoted("Here"),
        "description": quoted("About"),
        "tags": "[x]",
    }
    target = cal if where == "calendar" else event
    target[key] = f"[{scalar}, plain]" if key == "tags" else scalar
    lines = [f"{k}: {v}" for k, v in cal.items()] + [
        "timezone: America/New_York",
        "events:",
        "  - id: a",
    ]
    lines += [f"    {k}: {v}" for k, v in event.items()]
    lines += ["    start: 2026-03-07 09:00", "    end: 10:00", "    repeat: {every: day, count: 3}"]
    lines += ["  - id: b", "    title: B", "    due: 2026-03-08 23:59 AoE"]
    return "\n".join(lines) + "\n"


def rendered_site(calendars) -> site.Site:
    settings = config.Settings(
        events_dir="events", public_url=PUBLIC, uid_domain="feeds.example.org", today=TODAY
    )
    builds = [
        site.render_calendar(c, revisions.reconcile(c, None, revisions.EPOCH), settings)
        for c in calendars
    ]
    return site.assemble(builds, settings)


def assert_only_our_components(body: bytes, events: int) -> icalendar.Calendar:
    cal = icalendar.Calendar.from_ical(body)
    names = [c.name for c in cal.walk()]
    assert set(names) <= {"VCALENDAR", "VTIMEZONE", "STANDARD", "DAYLIGHT", "VEVENT"}, names
    assert names.count("VEVENT") == events
    for component in cal.walk():
        assert not any(name.startswith("X-INJECTED") for name in component), component.name
        assert "ACTION" not in component and "TRIGGER" not in component
    for line in body.split(b"\r\n")[:-1]:
        assert len(line) <= 75 and b"\r" not in line and b"\n" not in line
        line.decode("utf-8")
    return cal


@pytest.mark.parametrize("where, key", TEXT_FIELDS)
@pytest.mark.parametrize("payload", INJECTIONS.values(), ids=INJECTIONS.keys())
def test_line_breaks_and_property_text_stay_inside_their_value(where, key, payload):
    calendar = loader.load_text(definition(where, key, payload), PATH)
    built = rendered_site([calendar])
    for path, resource in built.resources.items():
        if resource.media_type.startswith("text/calendar"):
            count = 2 if path in ("/feeds/hostile.ics", "/feeds/all.ics") else None
            cal = assert_only_our_components(
                resource.body,
                count if count else len(icalendar.Calendar.from_ical(resource.body).walk("VEVENT")),
            )
            for event in cal.walk("VEVENT"):  # the events, and the deadline's reminders
                assert re.fullmatch(
                    r"hostile/[ab](/remind-[17]d)?@feeds\.example\.org", str(event["UID"])
                ), str(event["UID"])
    cal = icalendar.Calendar.from_ical(built.get("/feeds/hostile.ics").body)
    event = next(e for e in cal.walk("VEVENT") if str(e["UID"]).startswith("hostile/a@"))
    found = {
        ("calendar", "name"): unescape(str(cal.get("X-WR-CALNAME"))),
        ("calendar", "description"): str(cal.get("DESCRIPTION")),
        ("event", "title"): str(event.get("SUMMARY")),
        ("event", "location"): str(event.get("LOCATION")),
        ("calendar", "location"): str(event.get("LOCATION")),
        ("event", "description"): str(event.get("DESCRIPTION")),
        ("event", "tags"): event.categories,
    }[(where, key)]
    if key == "tags":
        assert payload in found
    elif key == "location" and where == "calendar":
        assert found == "Here"  # the event's own location wins; the payload is the default
    else:
        assert payload in found


@pytest.mark.parametrize("payload", INJECTIONS.values(), ids=INJECTIONS.keys())
def test_icaljs_reads_the_injections_as_text(payload):
    ok, reason = parsers.available("ical.js")
    if not ok:
        pytest.skip(f"ical.js cannot run here: {reason} (make test installs it)")
    calendar = loader.load_text(definition("event", "title", payload), PATH)
    body = rendered_site([calendar]).get("/feeds/hostile.ics").body
    events = parsers.parse("ical.js", body)
    assert {e.uid for e in events} == {"hostile/a@feeds.example.org", "hostile/b@feeds.example.org"}
    assert {e.summary for e in events if e.uid.startswith("hostile/a@")} == {payload}
    assert len(events) == 3 + 1  # three occurrences of a, one deadline


@pytest.mark.parametrize("where, key", TEXT_FIELDS)
@pytest.mark.parametrize("payload", CR_INJECTIONS.values(), ids=CR_INJECTIONS.keys())
def test_carriage_returns_are_refused_at_their_line(where, key, payload):
    text = definition(where, key, payload)
    prefix = f"    {key}:" if where == "event" else f"{key}:"
    line = next(
        i for i, text_line in enumerate(text.splitlines(), 1) if text_line.startswith(prefix)
    )
    code = "U+0085" if "\x85" in payload else "U+000D"
    one_error(text, f"'{key}' contains the control character {code}", line=line)


CONTROLS = [c for c in range(0x20) if c not in (0x09, 0x0A)] + [0x7F, 0x80, 0x85, 0x9B, 0x9F]


@pytest.mark.parametrize("code", CONTROLS, ids=[f"U+{c:04X}" for c in CONTROLS])
def test_control_characters_in_text_are_refused(code):
    text = calendar_text(title=quoted(f"a{chr(code)}b"))
    one_error(
        text, f"'title' contains the control character U+{code:04X}", "at character 2", line=4
    )


def test_tabs_and_line_breaks_are_kept():
    calendar = loader.load_text(
        calendar_text(title=quoted("a\tb"), description=quoted("one\ntwo")), PATH
    )
    assert (calendar.events[0].title, calendar.events[0].description) == ("a\tb", "one\ntwo")


def test_an_escape_sequence_in_a_message_is_shown_not_run():
    _, problems = loader.check_text('name: X\nevents: []\n"\\e[2J\\x07": 1\n', PATH)
    shown = str(problems[0])
    assert "\x1b" not in shown and "\x07" not in shown
    assert "\\x1b[2J" in shown


def test_long_lines_of_multibyte_text_fold_at_75_octets_between_characters():
    korean, emoji = "한국어" * 300, "😀👩‍👩‍👧‍👦🇰🇷" * 100
    text = calendar_text(
        title=quoted(korean), location=quoted(emoji), description=quoted((korean + emoji) * 4)
    )
    calendar = loader.load_text(text, PATH)
    body = rendered_site([calendar]).get("/feeds/hostile.ics").body
    cal = assert_only_our_components(body, 1)
    (event,) = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == korean
    assert str(event["LOCATION"]) == emoji
    assert (korean + emoji) * 4 in str(event["DESCRIPTION"])


# -- text meant to break pages -----------------------------------------------------------------

HTML_PAYLOADS = [
    "<xss-tag>",
    '"><xss-tag data-xss="1">',
    "'><xss-tag data-xss='1'>",
    "</script><xss-tag>",
    "</style><xss-tag>",
    "</title><xss-tag>",
    "</textarea><xss-tag>",
    "<!--<xss-tag>-->",
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
    "{{ 7*7 }}{% if 1 %}",
    "\u2028\u2029</script>",
]
PAYLOAD = "".join(HTML_PAYLOADS)
URL_PAYLOAD = "https://example.org/\"><xss-tag/data-xss='1'>?a=1&b=</script><xss-tag>"


class _Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))

    handle_startendtag = handle_starttag


def hostile_pages_site() -> site.Site:
    return rendered_site([loader.load_text(HOSTILE_PAGES_TEXT, "events/xss.yaml")])


HOSTILE_PAGES_TEXT = f"""\
name: {quoted("Cal " + PAYLOAD)}
description: {quoted(PAYLOAD)}
location: {quoted(PAYLOAD)}
url: {quoted(URL_PAYLOAD)}
sources:
  - {quoted(URL_PAYLOAD)}
  - title: {quoted(PAYLOAD)}
    url: {quoted(URL_PAYLOAD)}
events:
  - id: a
    title: {quoted(PAYLOAD)}
    kind: workshop
    tags: [{quoted(PAYLOAD)}]
    location: {quoted(PAYLOAD)}
    description: {quoted(PAYLOAD)}
    url: {quoted(URL_PAYLOAD)}
    source: {quoted(URL_PAYLOAD + "x")}
    start: 2026-07-06 09:00
    end: 10:00
    repeat: {{every: day, count: 2}}
  - id: b
    title: {quoted(PAYLOAD)}
    due: 2026-07-08
    timezone: AoE
  - id: c
    title: {quoted(PAYLOAD)}
    start: 2026-07-07
    status: cancelled
"""


def test_html_and_script_in_every_field_are_escaped_on_every_page():
    built = hostile_pages_site()
    checked = 0
    for path, resource in built.resources.items():
        if not resource.media_type.startswith(("text/html", "image/svg+xml")):
            continue
        checked += 1
        body = resource.body.decode("utf-8")
        assert "<xss-tag" not in body, path
        assert "<svg onload" not in body, path
        parser = _Tags()
        parser.feed(body)
        for tag, attrs in parser.found:
            assert tag != "xss-tag", path
            for name, value in attrs:
                assert name not in ("data-xss", "onload", "onerror"), (path, tag, name)
                if name in ("href", "src", "action", "formaction"):
                    assert not (value or "").strip().lower().startswith("javascript:"), (
                        path,
                        value,
                    )
    assert checked >= 3


def test_the_subscribe_page_rendered_per_request_escapes_too(tmp_path):
    folder = tmp_path / "events"
    folder.mkdir()
    (folder / "xss.yaml").write_text(HOSTILE_PAGES_TEXT, encoding="utf-8")
    settings = make_settings(folder, public_url=PUBLIC)
    client = create_app(settings, Store(settings, settle_seconds=0)).test_client()
    for query in (
        "feed=xss&ids=a,b&alarm=1h",
        "feed=xss&kind=workshop",
        "feed=xss/workshops",
        "feed=xss&ids=<xss-tag>",
        'feed="><xss-tag>',
    ):
        response = client.get("/subscribe/?" + query)
        assert_no_leak(response)
        body = response.get_data(as_text=True)
        if response.status_code == 200:
            assert "<xss-tag" not in body and "<svg onload" not in body, query
            parser = _Tags()
            parser.feed(body)
            assert not [t for t, _ in parser.found if t == "xss-tag"], query
        else:
            assert response.status_code == 400 and response.mimetype == "text/plain", query


def test_feeds_json_keeps_the_payload_as_data():
    data = json.loads(hostile_pages_site().get("/feeds.json").body)
    assert any(PAYLOAD in f["name"] for f in data["feeds"])


# -- URLs --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """An app over a copy of the bundled definitions plus a secret beside and outside them."""
    root = tmp_path_factory.mktemp("served")
    folder = root / "events"
    folder.mkdir()
    for entry in BUNDLED.iterdir():
        if entry.suffix in (".yaml", ".json"):
            (folder / entry.name).write_bytes(entry.read_bytes())
    (folder / "icml-2026.yaml").write_text(
        "# SECRET-IN-DEFINITION\n" + (BUNDLED / "icml-2026.yaml").read_text("utf-8"),
        encoding="utf-8",
    )
    (root / "secret.txt").write_text("SECRET-OUTSIDE\n", encoding="utf-8")
    settings = make_settings(folder, public_url=PUBLIC)
    app = create_app(settings, Store(settings, write_revisions=False, settle_seconds=0))
    return app


@pytest.fixture(scope="module")
def client(served):
    return served.test_client()


def assert_no_leak(response) -> None:
    body = response.get_data()
    for secret in (
        b"SECRET-IN-DEFINITION",
        b"SECRET-OUTSIDE",
        b"root:x:0:0",
        b"from __future__",
        b"Traceback",
    ):
        assert secret not in body, (response.status_code, body[:200])
    assert response.status_code < 500, response.status_code


TRAVERSALS = [
    "/../secret.txt",
    "/../../../../etc/passwd",
    "/feeds/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2e%2e%2fsecret.txt",
    "/%252e%252e%252fsecret.txt",
    "/feeds/%2e%2e/%2e%2e/etc/passwd",
    "/..%2f..%2fetc%2fpasswd",
    "/..%5c..%5csecret.txt",
    "/icml-2026.yaml",
    "/events/icml-2026.yaml",
    "/feeds/icml-2026.yaml",
    "/icml-2026.revisions.json",
    "/feeds/icml-2026.ics%00.yaml",
    "/static/../../feeds/web.py",
    "/static/..%2f..%2fweb.py",
    "/static/%2e%2e/%2e%2e/wsgi.py",
    "//etc/passwd",
    "/feeds/icml-2026.ics/../../../secret.txt",
    "/.git/config",
    "/.env",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_never_leaves_the_site(client, served, path):
    response = client.get(path)
    assert_no_leak(response)
    assert response.status_code in (400, 404), (path, response.status_code)


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/한국어.ics",
        "/feeds/%ff%fe.ics",
        "/feeds/" + "a" * 10_000 + ".ics",
        "/" + "%41" * 50_000,
        "/feeds/icml-2026.ics;jsessionid=1",
        "/feeds/ICML-2026.ICS",
        "/feeds/icml-2026.ics ",
        "/events/icml-2026/%3Cscript%3E.ics",
    ],
    ids=["korean", "bad-utf8", "long", "very-long", "matrix", "case", "space", "script"],
)
def test_odd_and_very_long_names_get_a_short_404(client, path):
    response = client.get(path)
    assert_no_leak(response)
    assert response.status_code == 404
    assert len(response.get_data()) < 400
    assert response.mimetype == "text/plain"


def test_unknown_and_very_long_query_strings_do_not_break_a_feed(client):
    plain = client.get("/feeds/icml-2026.ics")
    for query in [
        "utm_source=x",
        "a=1&a=2&b",
        "x=" + "y" * 100_000,
        "%ff%fe=%00",
        "&&&==&",
        "callback=<script>",
    ]:
        response = client.get("/feeds/icml-2026.ics?" + query)
        assert_no_leak(response)
        assert response.status_code in (200, 400, 414), (query[:40], response.status_code)
        if response.status_code == 200:
            assert response.get_data() == plain.get_data()
    for path in ("/", "/feeds.json", "/healthz"):
        response = client.get(path + "?x=" + "y" * 100_000)
        assert_no_leak(response)
        assert response.status_code in (200, 400, 414)


@pytest.mark.parametrize(
    "query",
    [
        "kind=<script>",
        "ids=" + ",".join(["x"] * 10_000),
        "alarm=999999w",
        "alarm=-1h",
        "tags=%00",
        "kind=" + "a" * 5000,
    ],
)
def test_selection_parameters_with_bad_values_get_a_4xx(client, query):
    response = client.get("/feeds/icml-2026.ics?" + query)
    assert_no_leak(response)
    assert response.status_code in (200, 400, 414)
    if response.status_code != 200:  # the message may quote the value: as plain text only
        assert response.mimetype == "text/plain"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_path_cannot_forge_access_log_lines(client, caplog):
    with caplog.at_level(logging.DEBUG, logger="feeds.access"):
        for path in ("/%0d%0aGET%20/forged%20200", "/feeds/%1b[2J.ics", "/%E2%80%A8x"):
            client.get(path)
    lines = [r.getMessage() for r in caplog.records if r.name == "feeds.access"]
    assert len(lines) == 3
    for line in lines:
        assert not any(ch in line for ch in "\r\n\x1b\u2028"), line


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "TRACE", "PROPFIND", "BREW"])
def test_unsupported_methods_get_405(client, method):
    for path in ("/feeds/icml-2026.ics", "/", "/nope"):
        response = client.open(path, method=method, data=b"x" * 1000)
        assert_no_leak(response)
        assert response.status_code == 405, (method, path, response.status_code)
        assert "GET" in response.headers["Allow"]


def test_head_and_options_answer_without_a_body(client):
    head = client.head("/feeds/icml-2026.ics")
    assert head.status_code == 200 and head.get_data() == b""
    assert client.options("/feeds/icml-2026.ics").status_code == 204


POISON = {
    "Host": "evil.example",
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Proto": "gopher",
    "X-Forwarded-Prefix": "/evil",
    "X-Forwarded-Port": "6666",
    "X-Original-URL": "/evil",
    "X-Rewrite-URL": "/evil",
    "Forwarded": "host=evil.example;proto=http",
}


@pytest.mark.parametrize("proxies", [0, 1])
def test_absolute_urls_come_from_the_public_url_setting_only(tmp_path, proxies):
    folder = tmp_path / "events"
    folder.mkdir()
    (folder / "good.yaml").write_text(GOOD, encoding="utf-8")
    settings = make_settings(folder, public_url=PUBLIC, trusted_proxies=proxies)
    client = create_app(settings, Store(settings, settle_seconds=0)).test_client()
    paths = list(client.application.extensions["feeds_store"].site.resources)
    paths += ["/healthz", "/stats.json", "/nope", "/subscribe/?ids=good/one"]
    for path in paths:
        clean = client.get(path)
        poisoned = client.get(path, headers=POISON)
        assert_no_leak(poisoned)
        body = poisoned.get_data()
        assert b"evil" not in body and b"gopher" not in body and b"6666" not in body, path
        for name, value in poisoned.headers.items():
            assert "evil" not in value and "gopher" not in value, (path, name, value)
        if path not in ("/healthz", "/stats.json"):
            assert body == clean.get_data(), path
        for url in _absolute_urls(body):
            assert (
                url.startswith(
                    (
                        PUBLIC,
                        "webcal://feeds.example.org",
                        "https://calendar.google.com",
                        "https://outlook.",
                    )
                )
                or "feeds.example.org" not in url
            ), url


def _absolute_urls(body: bytes) -> list[str]:
    import re

    return [
        m.decode("utf-8", "replace") for m in re.findall(rb"(?:https?|webcal)://[^\s\"'<>)]+", body)
    ]


@pytest.fixture(scope="module")
def live(served):
    """The app on a real socket (loopback), for request lines the test client would tidy."""
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(5)


def raw(port: int, request: bytes) -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            try:
                data = sock.recv(65536)
            except TimeoutError:
                break
            if not data:
                break
            chunks.append(data)
    answer = b"".join(chunks)
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    return status, answer


@pytest.mark.parametrize(
    "target",
    [
        b"/../secret.txt",
        b"/../../../../etc/passwd",
        b"/%2e%2e/%2e%2e/secret.txt",
        b"/%252e%252e/secret.txt",
        b"/feeds/..%2f..%2fsecret.txt",
        b"/\\..\\..\\secret.txt",
        b"http://evil.example/feeds/all.ics",
        b"//evil.example/feeds/all.ics",
        b"*",
    ],
)
def test_raw_request_lines_never_leave_the_site(live, target):
    status, answer = raw(
        live, b"GET " + target + b" HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
    )
    assert 200 <= status < 500 or status == 0, (target, status)
    for secret in (b"SECRET-IN-DEFINITION", b"SECRET-OUTSIDE", b"root:x:0:0", b"Traceback"):
        assert secret not in answer
    if status == 200:  # an absolute-form target names a path of the site itself
        assert b"evil.example" not in answer.split(b"\r\n\r\n", 1)[1]


# -- the definitions folder changing under the server -------------------------------------------


def store_over(folder: Path, **options) -> Store:
    options.setdefault("settle_seconds", 0)
    options.setdefault("write_revisions", False)
    return Store(make_settings(folder), **options)


def store_served_before(body: bytes):
    """The newest LAST-MODIFIED of a feed's events (when the cut version was made)."""
    parsed = icalendar.Calendar.from_ical(body)
    return max(e["LAST-MODIFIED"].dt for e in parsed.walk("VEVENT"))


def feed_titles(store: Store, path: str) -> list[str]:
    resource = store.site.get(path)
    if resource is None:
        return []
    return sorted(
        str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(resource.body).walk("VEVENT")
    )


def test_a_deleted_file_is_kept_for_the_grace_period_then_dropped(events_dir):
    (events_dir / "good.yaml").write_text(GOOD, encoding="utf-8")
    (events_dir / "other.yaml").write_text(GOOD.replace("Good", "Other"), encoding="utf-8")
    store = store_over(events_dir, removal_grace=0.3)
    (events_dir / "other.yaml").unlink()
    store.refresh()
    assert store.site.get("/feeds/other.ics") is not None  # maybe mid-replacement
    time.sleep(0.35)
    store.refresh()
    assert store.site.get("/feeds/other.ics") is None
    assert feed_titles(store, "/feeds/good.ics") == ["One"]
    assert store.health()[1] == 200


@pytest.mark.parametrize("fraction", [0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 0.99])
def test_a_file_truncated_mid_write_is_never_served_half(tmp_path, fraction):
    folder = tmp_path / "events"
    folder.mkdir()
    full = (BUNDLED / "icml-2026.yaml").read_bytes()
    path = folder / "icml-2026.yaml"
    path.write_bytes(full)
    revs = "icml-2026.revisions.json"
    (folder / revs).write_bytes((BUNDLED / revs).read_bytes())
    store = store_over(folder)
    before = store.site.get("/feeds/icml-2026.ics").body
    path.write_bytes(full[: int(len(full) * fraction)])
    store.refresh()
    served = store.site.get("/feeds/icml-2026.ics").body
    calendar, problems = loader.check_text(full[: int(len(full) * fraction)], str(path))
    if calendar is None:  # refused: the last good version stays, and the error is located
        assert served == before
        body, status = store.health()
        assert status == 200 and body["status"] == "degraded"
        assert any(str(path) in e for e in body["errors"])
    icalendar.Calendar.from_ical(served)  # whatever is served parses
    path.write_bytes(full)
    store.refresh()
    restored = store.site.get("/feeds/icml-2026.ics")
    if calendar is None:  # never published: nothing moved
        assert restored.body == before
        return

    # What was served counts: the events come back with no SEQUENCE lower than before
    # and a Last-Modified after the cut version's (Apple revalidates by date only).
    def sequences(body: bytes) -> dict[str, int]:
        parsed = icalendar.Calendar.from_ical(body)
        return {str(e["UID"]): int(e["SEQUENCE"]) for e in parsed.walk("VEVENT")}

    old, new = sequences(before), sequences(restored.body)
    assert set(new) == set(old) and all(new[uid] >= old[uid] for uid in old)
    assert restored.last_modified > store_served_before(served)


def test_a_file_still_being_written_is_left_until_it_settles(tmp_path):
    folder = tmp_path / "events"
    folder.mkdir()
    path = folder / "good.yaml"
    path.write_text(GOOD, encoding="utf-8")
    store = store_over(folder, settle_seconds=5)  # a good version is now being served
    path.write_text(GOOD.replace("title: One", "title: Half"), encoding="utf-8")
    store.refresh()
    assert feed_titles(store, "/feeds/good.ics") == ["One"]  # written just now: not yet read


def test_a_file_replaced_while_being_read_is_read_again(tmp_path, monkeypatch):
    folder = tmp_path / "events"
    folder.mkdir()
    path = folder / "good.yaml"
    path.write_text(GOOD, encoding="utf-8")
    store = store_over(folder)
    real_read = loader.read_bytes
    swaps = []

    def read_then_replace(p):
        data = real_read(p)
        if not swaps:  # someone replaces the file just after we read it
            swaps.append(p)
            replacement = GOOD.replace("title: One", "title: Second version")
            Path(p).write_text(replacement, encoding="utf-8")
            os.utime(p, (time.time() - 10, time.time() - 10))
        return data

    path.write_text(GOOD.replace("title: One", "title: First version"), encoding="utf-8")
    os.utime(path, (time.time() - 20, time.time() - 20))
    monkeypatch.setattr(loader, "read_bytes", read_then_replace)
    store.refresh()
    assert feed_titles(store, "/feeds/good.ics") == ["One"]  # what was read may be stale
    store.refresh()
    assert feed_titles(store, "/feeds/good.ics") == ["Second version"]


def test_a_symlink_out_of_the_folder_is_never_followed(tmp_path):
    folder = tmp_path / "events"
    folder.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(GOOD.replace("Good", "SECRET-OUTSIDE"), encoding="utf-8")
    (folder / "good.yaml").write_text(GOOD, encoding="utf-8")
    (folder / "evil.yaml").symlink_to(outside / "secret.yaml")
    (folder / "passwd.yaml").symlink_to("/etc/passwd")
    (folder / "up.yaml").symlink_to("../outside/secret.yaml")
    (folder / "loop.yaml").symlink_to(folder / "loop.yaml")
    (folder / "inside.yaml").symlink_to(folder / "good.yaml")  # inside: fine, but a duplicate id
    assert [p.name for p in loader.definition_files(folder)] == ["good.yaml", "inside.yaml"]
    assert loader.Listing(folder).paths() == loader.definition_files(folder)
    settings = make_settings(folder)
    client = create_app(settings, Store(settings, settle_seconds=0)).test_client()
    for path in list(client.application.extensions["feeds_store"].site.resources) + ["/healthz"]:
        body = client.get(path).get_data()
        assert b"SECRET-OUTSIDE" not in body and b"root:x:0:0" not in body, path


@pytest.mark.parametrize("planted", ["revisions", "lock", "both"])
def test_a_symlinked_revisions_file_or_lock_never_writes_outside(tmp_path, planted):
    folder = tmp_path / "events"
    folder.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / "precious.json"
    target.write_text('{"calendar": "good", "events": {}, "removed": {}}\n', encoding="utf-8")
    (folder / "good.yaml").write_text(GOOD, encoding="utf-8")
    if planted in ("revisions", "both"):
        (folder / "good.revisions.json").symlink_to(target)
    if planted in ("lock", "both"):
        (folder / ".good.revisions.json.lock").symlink_to(outside / "created-by-lock")
    store = Store(make_settings(folder), settle_seconds=0)  # writes revisions
    assert target.read_text("utf-8") == '{"calendar": "good", "events": {}, "removed": {}}\n'
    assert not (outside / "created-by-lock").exists()
    written = folder / "good.revisions.json"
    if planted == "lock":  # the lock is not followed: nothing is written, and it says why
        assert store.site.get("/feeds/good.ics") is None
        (error,) = store.health()[0]["errors"]
        assert error.startswith(f"{written}: cannot be written (its lock file")
    else:  # a link out is an error, never followed, never replaced
        assert store.site.get("/feeds/good.ics") is None
        assert written.is_symlink()
        (error,) = store.health()[0]["errors"]
        assert error.startswith(f"{written}: is a link out of the definitions folder")


def _entry(sequence: str = "1", stamp: str = "2026-01-01T00:00:00Z") -> str:
    return (
        f'{{"calendar": "good", "events": {{"one": {{"sequence": {sequence}, '
        f'"created": "{stamp}", "modified": "{stamp}", "schedule": "s", "content": "c"}}}}}}'
    )


@pytest.mark.parametrize(
    "text",
    [
        _entry("1e400"),
        _entry("-5"),
        _entry("9" * 5000),
        _entry("NaN"),
        _entry(stamp="not a time"),
        "[" * 100_000 + "]" * 100_000,
        "{" * 50,
        "[]",
        "\x00\xff",
    ],
    ids=["infinite", "negative", "huge", "nan", "bad-time", "deep", "broken", "list", "binary"],
)
def test_a_hostile_revisions_file_is_a_located_error_and_left_alone(tmp_path, caplog, text):
    """The revisions file is committed beside the definition, so a pull request can edit it.
    Read as empty it would restart every SEQUENCE at 0: it is refused instead."""
    folder = tmp_path / "events"
    folder.mkdir()
    (folder / "good.yaml").write_text(GOOD, encoding="utf-8")
    path = folder / "good.revisions.json"
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    original = path.read_bytes()
    with caplog.at_level(logging.INFO, logger="feeds"):
        store = Store(make_settings(folder), settle_seconds=0)
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    body, status = store.health()
    assert (status, body["status"]) == (503, "failing")  # nothing good to serve yet
    (error,) = body["errors"]
    assert error.startswith(f"{path}:")
    assert path.read_bytes() == original


def test_a_directory_or_fifo_named_like_a_definition_is_skipped(tmp_path):
    folder = tmp_path / "events"
    folder.mkdir()
    (folder / "good.yaml").write_text(GOOD, encoding="utf-8")
    (folder / "dir.yaml").mkdir()
    os.mkfifo(folder / "fifo.yaml")
    store = store_over(folder)
    assert store.health()[0]["status"] == "ok"
    assert [p.name for p in loader.definition_files(folder)] == ["good.yaml"]
    assert loader.Listing(folder).paths() == loader.definition_files(folder)


def test_a_file_that_cannot_be_read_keeps_its_last_good_version(tmp_path, monkeypatch):
    """Permission denied, simulated: as root (tests and CI run as root) chmod 000
    does not stop a read, so the read itself is made to fail."""
    folder = tmp_path / "events"
    folder.mkdir()
    path = folder / "good.yaml"
    path.write_text(GOOD, encoding="utf-8")
    store = store_over(folder)
    before = store.site.get("/feeds/good.ics").body
    real_read = loader.read_bytes

    def denied(p):
        if Path(p) == path:
            raise PermissionError(errno.EACCES, "Permission denied", str(p))
        return real_read(p)

    monkeypatch.setattr(loader, "read_bytes", denied)
    path.write_text(GOOD.replace("One", "Two"), encoding="utf-8")
    os.utime(path, (time.time() - 10, time.time() - 10))
    store.refresh()
    assert store.site.get("/feeds/good.ics").body == before
    body, status = store.health()
    assert status == 200 and any("Permission denied" in e for e in body["errors"])
    monkeypatch.setattr(loader, "read_bytes", real_read)
    store.refresh()
    assert feed_titles(store, "/feeds/good.ics") == ["Two"]


def test_a_folder_that_cannot_be_listed_keeps_everything(tmp_path, monkeypatch):
    folder = tmp_path / "events"
    folder.mkdir()
    (folder / "good.yaml").write_text(GOOD, encoding="utf-8")
    store = store_over(folder)
    before = store.site.get("/feeds/good.ics").body

    def denied(_folder):
        raise PermissionError(errno.EACCES, "Permission denied", str(_folder))

    monkeypatch.setattr(loader.Listing, "paths", lambda listing: denied(listing.folder))
    store.refresh()
    assert store.site.get("/feeds/good.ics").body == before
    body, status = store.health()
    assert status == 200 and any("cannot read the folder" in e for e in body["errors"])


@pytest.mark.skipif(
    os.geteuid() == 0,
    reason="root reads any file whatever its mode (tests and CI run as root); "
    "the simulated tests above cover it",
)
def test_real_permission_denied(tmp_path):  # pragma: no cover - only as a normal user
    folder = tmp_path / "events"
    folder.mkdir()
    path = folder / "good.yaml"
    path.write_text(GOOD, encoding="utf-8")
    store = store_over(folder)
    path.chmod(0)
    os.utime(path, (time.time() - 10, time.time() - 10))
    try:
        store.refresh()
        assert store.site.get("/feeds/good.ics") is not None
    finally:
        path.chmod(0o644)


def test_a_folder_renamed_away_and_back_recovers(tmp_path):
    folder = tmp_path / "events"
    folder.mkdir()
    (folder / "good.yaml").write_text(GOOD, encoding="utf-8")
    store = store_over(folder)
    before = store.site.get("/feeds/good.ics").body
    folder.rename(tmp_path / "away")
    store.refresh()
    assert store.site.get("/feeds/good.ics").body == before
    assert store.health()[1] == 200
    (tmp_path / "away").rename(folder)
    store.refresh()
    assert store.site.get("/feeds/good.ics").body == before
    assert store.health()[0]["status"] == "ok"


# -- the whole corpus at once ------------------------------------------------------------------


def corpus(folder: Path) -> None:
    """Every kind of bad file beside one good one."""
    files = {
        "good.yaml": GOOD.encode(),
        "laughs.yaml": billion_laughs().encode(),
        "deep.yaml": ("name: X\nevents: " + "[" * 3000 + "]" * 3000 + "\n").encode(),
        "binary.yaml": bytes(range(256)) * 16,
        "latin1.yaml": "name: café\nevents: []\n".encode("latin-1"),
        "bom.yaml": "\ufeff".encode() + GOOD.replace("Good", "Bom").replace("one", "bom").encode(),
        "tabs.yaml": b"name: X\nevents:\n\t- id: a\n",
        "dupes.yaml": b"name: X\nname: Y\nevents: []\n",
        "python.yaml": b"name: !!python/object/apply:os.system ['echo pwned']\nevents: []\n",
        "docs.yaml": (GOOD + "---\n" + GOOD).encode(),
        "cr.yaml": calendar_text(title=quoted("a\r\nEND:VEVENT")).encode(),
        "xss.yaml": calendar_text(title=quoted(PAYLOAD)).replace("Hostile", "XSS").encode(),
        "inject.yaml": calendar_text(title=quoted(INJECTIONS["lf"]))
        .replace("Hostile", "Inject")
        .encode(),
        "years.yaml": calendar_text().replace("2026-07-06", "9999-12-31").encode(),
        "empty.yaml": b"",
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)


def test_the_whole_corpus_gives_no_traceback_no_5xx_and_nothing_but_the_site(tmp_path, caplog):
    folder = tmp_path / "events"
    folder.mkdir()
    corpus(folder)
    (tmp_path / "secret.txt").write_text("SECRET-OUTSIDE", encoding="utf-8")
    (folder / "link.yaml").symlink_to(tmp_path / "secret.txt")
    settings = make_settings(folder, public_url=PUBLIC)
    with caplog.at_level(logging.INFO, logger="feeds"):
        store = Store(settings, settle_seconds=0)
        client = create_app(settings, store).test_client()
        body, status = store.health()
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    assert status == 200
    assert {c["id"] for c in body["calendars"] if c["serving"] == "current"} == {
        "good",
        "bom",
        "xss",
        "inject",
    }
    for calendar in body["calendars"]:
        for error in calendar["errors"]:
            where = error.split(":", 2)
            assert where[0] == calendar["file"] and int(where[1]) >= 0, error
    allowed = ("/feeds/", "/events/", "/calendars/", "/embed/", "/qr/", "/static/", "/examples/")
    allowed += ("/changes/",)  # the change logs, which must be well-formed XML whatever the text
    for path, resource in store.site.resources.items():
        site_paths = ("/", "/feeds.json", "/robots.txt", "/search.json", "/archive/")
        assert path in site_paths + ("/changes.atom",) or path.startswith(allowed), path
        if path.endswith(".atom"):
            assert ElementTree.fromstring(resource.body).tag == "{http://www.w3.org/2005/Atom}feed"
        response = client.get(path)
        assert response.status_code == 200
        assert (
            response.headers["ETag"]
            == '"' + hashlib.sha256(response.get_data()).hexdigest()[:32] + '"'
        )
        assert b"SECRET-OUTSIDE" not in response.get_data()
        if resource.media_type.startswith("text/calendar"):
            icalendar.Calendar.from_ical(response.get_data())
    assert client.get("/healthz").status_code == 200


def test_feeds_validate_reports_the_corpus_without_a_traceback(tmp_path, capsys):
    from feeds import cli

    folder = tmp_path / "events"
    folder.mkdir()
    corpus(folder)
    assert cli.main(["validate", str(folder)]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "\x1b" not in err
    errors = [line for line in err.splitlines() if line.startswith(str(folder))]
    assert errors
    for line in errors:
        path, number = line.split(":")[:2]
        assert Path(path).parent == folder and int(number) >= 1, line
    assert "calendar 'good'" in out
