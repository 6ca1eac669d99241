"""``feeds import hf-ai-deadlines``: ai-deadlines' conference YAML becomes definition files.

The fixture (``fixtures/``, invented conferences in their format) is converted, the output
validated by the loader, served, and read back with icalendar and ical.js: every deadline
must arrive at the instant its source names, in UTC, computed here by hand.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import icalendar
import pytest
import yaml

from feeds import cli, revisions
from feeds.definitions import loader
from feeds.doctor import parsers
from feeds.serve.app import create_app
from feeds.serve.store import Store
from tests.conftest import make_settings

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CONFERENCES = FIXTURES / "conferences"
OFFSETS = FIXTURES / "offsets"

#: Every event the fixture must give: calendar/event -> the UTC instant (deadlines) or the
#: first and last day (the conference's all-day event), worked out from the source by hand.
EXPECTED = {
    "neurocomp-2025/conference": (date(2025, 3, 3), date(2025, 3, 7)),
    "neurocomp-2025/abstract": datetime(2024, 9, 14, 11, 59, 59, tzinfo=UTC),  # AoE
    "neurocomp-2025/paper": datetime(2024, 9, 21, 11, 59, 59, tzinfo=UTC),  # UTC-12 = AoE
    "neurocomp-2026/conference": (date(2026, 3, 2), date(2026, 3, 6)),
    "neurocomp-2026/abstract": datetime(2025, 9, 13, 11, 59, 59, tzinfo=UTC),
    "neurocomp-2026/paper": datetime(2025, 9, 20, 11, 59, 59, tzinfo=UTC),
    "neurocomp-2026/notification": datetime(2025, 10, 21, 11, 59, 59, tzinfo=UTC),
    "neurocomp-2026/notification-2": datetime(2025, 12, 2, 11, 59, 59, tzinfo=UTC),
    # Pacific/Kiritimati is UTC+14
    "neurocomp-2026/camera-ready": datetime(2026, 1, 10, 9, 59, 59, tzinfo=UTC),
    # legacy keys with the conference's timezone: UTC
    "visionconf-2025/abstract": datetime(2024, 11, 7, 23, 59, tzinfo=UTC),
    "visionconf-2025/submission": datetime(2024, 11, 14, 23, 59, tzinfo=UTC),
    "visionconf-2025/rebuttal-end": datetime(2025, 1, 31, 7, 59, 59, tzinfo=UTC),
    "visionconf-2026/conference": (date(2026, 6, 8), date(2026, 6, 12)),
    # America/Los_Angeles: PST (UTC-8) in November and January, PDT (UTC-7) in June
    "visionconf-2026/paper": datetime(2025, 11, 14, 7, 59, tzinfo=UTC),
    "visionconf-2026/supplementary": datetime(2025, 11, 21, 7, 59, tzinfo=UTC),
    "visionconf-2026/rebuttal-end": datetime(2026, 1, 30, 7, 59, 59, tzinfo=UTC),
    "visionconf-2026/registration": datetime(2026, 6, 1, 19, 0, tzinfo=UTC),
    "robolearn-2026/conference": (date(2026, 9, 21), date(2026, 9, 24)),
    "robolearn-2026/workshop-proposal": datetime(2026, 3, 1, 12, 0, tzinfo=UTC),  # no zone: UTC
    "robolearn-2026/paper": datetime(2026, 4, 1, 16, 0, tzinfo=UTC),  # London, BST
    "robolearn-2026/supplementary": datetime(2026, 5, 1, 9, 0, tzinfo=UTC),  # UTC+0
    "robolearn-2026/demo": datetime(2026, 5, 15, 10, 30, tzinfo=UTC),  # GMT
    # a date alone: 23:59 AoE, as a definition reads it
    "robolearn-2026/camera-ready": datetime(2026, 6, 16, 11, 59, tzinfo=UTC),
    "robolearn-symposium/abstract": datetime(2026, 7, 2, 11, 59, 59, tzinfo=UTC),
}
CALENDARS = sorted({key.split("/")[0] for key in EXPECTED} | {"visionconf-2027"})


def run_import(source: Path, out: Path, capsys) -> tuple[int, str, str]:
    code = cli.main(["import", "hf-ai-deadlines", str(source), str(out)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def imported(tmp_path, capsys) -> tuple[Path, str]:
    out = tmp_path / "events"
    code, stdout, stderr = run_import(CONFERENCES, out, capsys)
    assert code == 0, stderr
    assert "Traceback" not in stderr
    return out, stderr


def served_feeds(folder: Path) -> dict[str, bytes]:
    settings = make_settings(folder)
    client = create_app(settings, Store(settings)).test_client()
    feeds = {}
    for name in CALENDARS:
        response = client.get(f"/feeds/{name}.ics")
        assert response.status_code == 200, name
        feeds[name] = response.data
    return feeds


def line_of(path: Path, text: str, after: int = 0) -> int:
    """The number of the first line of ``path`` (after line ``after``) containing ``text``."""
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if number > after and text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


# -- what is written ---------------------------------------------------------------------------


def test_each_conference_year_becomes_one_valid_definition_file(imported, capsys):
    out, _ = imported
    assert sorted(p.stem for p in out.glob("*.yaml")) == CALENDARS
    assert cli.main(["validate", "--errors-only", str(out)]) == 0
    assert capsys.readouterr().out == f"{len(CALENDARS)} calendar(s) valid, 0 file(s) with errors\n"


def test_every_deadline_arrives_at_its_instant_in_icalendar_and_ical_js(imported):
    out, _ = imported
    feeds = served_feeds(out)
    readers = ["icalendar"]
    if parsers.available("ical.js")[0]:
        readers.append("ical.js")
    elif os.environ.get("CI"):
        pytest.fail("ical.js is not installed (npm ci)")
    for reader in readers:
        seen = {}
        for name, parsed in parsers.parse_many(reader, feeds).items():
            assert not isinstance(parsed, parsers.ParserFailed), (reader, name, parsed)
            for event in parsed:
                key = event.uid.removesuffix("@feeds.example.org")
                if event.all_day:
                    seen[key] = (event.start, date.fromordinal(event.end.toordinal() - 1))
                else:
                    seen[key] = event.start.astimezone(UTC)
        assert seen == EXPECTED, reader


def test_the_feed_carries_titles_links_and_the_calendar_name(imported):
    out, _ = imported
    feed = icalendar.Calendar.from_ical(served_feeds(out)["neurocomp-2026"])
    assert str(feed["X-WR-CALNAME"]) == "NeuroComp 2026"
    by_uid = {str(e["UID"]): e for e in feed.walk("VEVENT")}
    paper = by_uid["neurocomp-2026/paper@feeds.example.org"]
    assert str(paper["SUMMARY"]) == "Full paper submission deadline"
    assert str(paper["URL"]) == "https://neurocomp.example.org/2026/"
    assert "deadline" in [str(c) for c in paper["CATEGORIES"].cats]


def test_calendar_keys_say_name_tags_series_place_and_links(imported):
    out, _ = imported
    data = yaml.safe_load((out / "neurocomp-2026.yaml").read_text("utf-8"))
    assert data["id"] == "neurocomp-2026"
    assert data["series"] == "neurocomp"
    assert data["tags"] == ["machine-learning"]
    assert data["url"] == "https://neurocomp.example.org/2026/"
    assert data["location"] == "Palais des congrès, Montréal, Canada"
    assert data["description"].splitlines() == [
        "Conference on Neural Computation",
        "Dates: March 2-6, 2026",
        "Deadlines are AoE. More info here (https://neurocomp.example.org/2026/dates) & on "
        "the blog.",
    ]
    assert all(e["url"] == data["url"] for e in data["events"])
    vision = yaml.safe_load((out / "visionconf-2025.yaml").read_text("utf-8"))
    assert vision["tags"] == ["computer-vision"]
    assert vision["location"] == "Denver, USA"  # no venue: city, country
    assert [s["url"] for s in vision["sources"]] == [
        "https://visionconf.example.org/2025",
        "https://visionconf.example.org/2025/papers",
    ]
    robo = yaml.safe_load((out / "robolearn-2026.yaml").read_text("utf-8"))
    assert robo["tags"] == ["robotics", "machine-learning"]
    assert robo["location"] == "Zürich, Switzerland"  # 'place'


def test_every_source_value_is_kept_in_the_header_comment(imported):
    out, _ = imported
    for source in sorted(CONFERENCES.glob("*.yml")):
        entries = yaml.safe_load(source.read_text("utf-8"))
        kept = []
        for path in sorted(out.glob("*.yaml")):
            text = path.read_text("utf-8")
            if f" from {source.name}, lines " not in text.splitlines()[0]:
                continue
            comment = [line[len("#   ") :] for line in text.splitlines() if line.startswith("#   ")]
            kept.extend(yaml.safe_load("\n".join(comment)))
            assert loader.load_text(text, str(path))  # the comment is no YAML data
        assert kept == entries, source.name  # every entry, every value, nothing else


def test_what_is_not_mapped_is_reported_at_its_file_and_line(imported):
    _, stderr = imported
    neuro, robo = CONFERENCES / "neurocomp.yml", CONFERENCES / "robolearn.yml"
    lines = stderr.splitlines()
    for path, after, text, message in [
        (neuro, 0, "rankings:", "'neurocomp25': 'rankings' has no place in a definition"),
        (neuro, 0, "hindex:", "'neurocomp25': 'hindex' has no place in a definition"),
        (neuro, 0, "era_rating:", "'neurocomp26': 'era_rating' has no place in a definition"),
        (neuro, 30, "deadline: '2025", "'neurocomp26': deadline key 'deadline' has no place"),
        (robo, 0, "date: TBD", "'robolearn26': deadline 'Early registration': time 'TBD'"),
        (robo, 0, "date: 2026-06-15", "'robolearn26': deadline 'Camera-ready': a date without"),
        (robo, 0, "'2026-03-01 12:00:00'", "'robolearn26': deadline 'Workshop proposals': no "),
    ]:
        where = f"{path}:{line_of(path, text, after)}: warning: {message}"
        assert any(line.startswith(where) for line in lines), where


def test_a_missing_zone_is_said_in_the_event_a_subscriber_reads(imported):
    out, _ = imported
    data = yaml.safe_load((out / "robolearn-2026.yaml").read_text("utf-8"))
    (event,) = [e for e in data["events"] if e["id"] == "workshop-proposal"]
    assert event["timezone"] == "UTC"
    assert event["description"] == "The source gives no time zone: read as UTC."


# -- the same input, the same bytes; a new import keeps the ids -------------------------------


def test_the_same_source_gives_the_same_bytes_from_any_folder(tmp_path, imported, capsys):
    out, _ = imported
    copy = tmp_path / "elsewhere" / "src" / "data" / "conferences"
    shutil.copytree(CONFERENCES, copy)
    again = tmp_path / "again"
    assert run_import(copy.parents[2], again, capsys)[0] == 0  # the checkout's root works too
    for path in out.glob("*.yaml"):
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name


def test_a_second_import_changes_nothing(imported, capsys):
    out, _ = imported
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.glob("*.yaml")}
    code, stdout, _ = run_import(CONFERENCES, out, capsys)
    assert code == 0
    assert f"0 written, {len(CALENDARS)} unchanged" in stdout
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.glob("*.yaml")} == before


def ids_and_titles(path: Path) -> dict[str, str]:
    return {e["id"]: e["title"] for e in yaml.safe_load(path.read_text("utf-8"))["events"]}


def test_edited_deadlines_keep_their_ids_and_new_ones_never_take_a_used_id(tmp_path, capsys):
    source, out = tmp_path / "source", tmp_path / "events"
    shutil.copytree(CONFERENCES, source)
    assert run_import(source, out, capsys)[0] == 0
    calendar = loader.load_file(out / "neurocomp-2026.yaml")
    revisions.update(calendar)  # what a build or the server writes beside it
    text = (source / "neurocomp.yml").read_text("utf-8")
    text = text.replace(
        "'2025-09-19 23:59:59'\n      timezone: AoE\n      deadline",
        "'2025-09-26 23:59:59'\n      timezone: AoE\n      deadline",
    )  # extended
    text = text.replace("label: Phase 1 rejections", "label: Early rejections")  # renamed
    text = text.replace(  # the final decisions removed
        "    - type: notification\n      label: Final decisions\n"
        "      date: '2025-12-01 23:59:59'\n      timezone: AoE\n",
        "",
    )
    (source / "neurocomp.yml").write_text(text, "utf-8")
    assert run_import(source, out, capsys)[0] == 0
    assert ids_and_titles(out / "neurocomp-2026.yaml") == {
        "conference": "NeuroComp 2026",
        "abstract": "Abstract submission deadline",
        "paper": "Full paper submission deadline",
        "notification": "Early rejections",
        "camera-ready": "Camera-ready deadline",
    }
    revisions.update(loader.load_file(out / "neurocomp-2026.yaml"))  # notification-2 removed
    text = text.replace(  # a new notification, listed first
        "    - type: abstract\n      label: Abstract submission deadline\n      date: '2025-09-12",
        "    - type: notification\n      label: Desk rejections\n"
        "      date: '2025-09-30 23:59:59'\n      timezone: AoE\n"
        "    - type: abstract\n      label: Abstract submission deadline\n"
        "      date: '2025-09-12",
    )
    (source / "neurocomp.yml").write_text(text, "utf-8")
    assert run_import(source, out, capsys)[0] == 0
    ids = ids_and_titles(out / "neurocomp-2026.yaml")
    assert ids["notification"] == "Early rejections"  # not taken by the new first one
    assert ids["notification-3"] == "Desk rejections"  # notification-2 was another deadline
    paper = loader.load_file(out / "neurocomp-2026.yaml").event("paper")
    assert paper.when.at_utc == datetime(2025, 9, 27, 11, 59, 59, tzinfo=UTC)


def test_a_file_not_written_by_an_import_is_never_replaced(tmp_path, capsys):
    out = tmp_path / "events"
    out.mkdir()
    own = out / "neurocomp-2026.yaml"
    own.write_text("name: Mine\nevents: []\n", "utf-8")
    code, _, stderr = run_import(CONFERENCES, out, capsys)
    assert code == 1
    assert own.read_text("utf-8") == "name: Mine\nevents: []\n"
    assert f"{own}:1: exists and was not written by an import" in stderr
    assert (out / "neurocomp-2025.yaml").is_file()  # the others are written


def test_two_entries_for_one_year_get_two_calendars(tmp_path, capsys):
    source = tmp_path / "source"
    source.mkdir()
    entry = (CONFERENCES / "robolearn.yml").read_text("utf-8").split("- title: RoboLearn Sym")[0]
    (source / "robolearn.yml").write_text(entry + entry.replace("robolearn26", "robolearn26b"))
    code, _, stderr = run_import(source, tmp_path / "out", capsys)
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "out").glob("*.yaml")) == [
        "robolearn-2026-robolearn26b.yaml",
        "robolearn-2026.yaml",
    ]
    assert "'robolearn26b' would be calendar 'robolearn-2026' like 'robolearn26'" in stderr


def test_unreadable_sources_are_reported_not_raised(tmp_path, capsys):
    source = tmp_path / "source"
    source.mkdir()
    (source / "broken.yml").write_text("- title: [unclosed\n", "utf-8")
    (source / "mapping.yml").write_text("title: not a list\n", "utf-8")
    (source / "odd.yml").write_text("- just text\n- title: Odd\n  year: 2026\n", "utf-8")
    code, _, stderr = run_import(source, tmp_path / "out", capsys)
    assert code == 1
    assert "Traceback" not in stderr
    assert f"{source / 'broken.yml'}:2:" in stderr
    assert f"{source / 'mapping.yml'}:1: the file is not a list of conferences" in stderr
    assert f"{source / 'odd.yml'}:1: entry #1 is not a mapping; skipped" in stderr
    assert (tmp_path / "out" / "odd-2026.yaml").is_file()
    assert cli.main(["import", "hf-ai-deadlines", str(tmp_path / "none"), str(tmp_path)]) == 2
    assert cli.main(["import", "hf-ai-deadlines", str(source), str(source)]) == 2
    (tmp_path / "file").write_text("", "utf-8")
    code, _, stderr = run_import(CONFERENCES, tmp_path / "file", capsys)
    assert code == 1
    assert f"{tmp_path / 'file'}: cannot make the folder" in stderr


# -- zones that need UTC±H in the loader ------------------------------------------------------

OFFSET_ZONES = {
    "abstract": ("UTC+8", datetime(2026, 5, 20, 15, 59, 59, tzinfo=UTC)),
    "paper": ("UTC-8", datetime(2026, 5, 28, 7, 59, 59, tzinfo=UTC)),  # written UTC-08
    "rebuttal-end": ("UTC+2", datetime(2026, 7, 10, 6, 59, 59, tzinfo=UTC)),  # GMT+02
    "camera-ready": ("UTC-8", datetime(2026, 8, 2, 7, 59, 59, tzinfo=UTC)),  # PST, literally
}


def test_offsets_are_written_with_the_human_sign_and_an_abbreviation_is_reported(tmp_path, capsys):
    code, _, stderr = run_import(OFFSETS, tmp_path / "out", capsys)
    data = yaml.safe_load((tmp_path / "out" / "asiaml-2026.yaml").read_text("utf-8"))
    zones = {e["id"]: e.get("timezone") for e in data["events"] if "due" in e}
    assert zones == {key: zone for key, (zone, _) in OFFSET_ZONES.items()}
    source = OFFSETS / "asiaml.yml"
    assert (
        f"{source}:{line_of(source, 'timezone: PST')}: warning: 'asiaml26': deadline "
        "'Camera-ready deadline': 'PST' is an abbreviation: imported as UTC-8, what it literally "
        "says; America/Los_Angeles is UTC-7 on 2026-08-01, so if the conference means "
        "America/Los_Angeles time the deadline is 1 hour(s) earlier"
    ) in stderr
    (camera,) = [e for e in data["events"] if e["id"] == "camera-ready"]
    assert camera["description"] == "The source gives this time as PST: read as UTC-8."
    assert "Etc/GMT" not in (tmp_path / "out" / "asiaml-2026.yaml").read_text("utf-8")


def test_offset_deadlines_validate_and_arrive_at_their_instants(tmp_path, capsys):
    out = tmp_path / "out"
    code, _, stderr = run_import(OFFSETS, out, capsys)
    assert code == 0, stderr
    calendar = loader.load_file(out / "asiaml-2026.yaml")
    settings = make_settings(out)
    client = create_app(settings, Store(settings)).test_client()
    feed = icalendar.Calendar.from_ical(client.get("/feeds/asiaml-2026.ics").data)
    starts = {
        str(e["UID"]).split("/")[1].split("@")[0]: e.decoded("DTSTART").astimezone(UTC)
        for e in feed.walk("VEVENT")
        if e.get("CATEGORIES") and "deadline" in [str(c) for c in e["CATEGORIES"].cats]
    }
    assert starts == {key: at for key, (_, at) in OFFSET_ZONES.items()}
    assert len(calendar.events) == 5
