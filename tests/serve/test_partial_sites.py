"""One bad file among many does not take the site down, and never goes unnoticed.

``serve`` starts with the valid calendars and lists the invalid files in its log and in
``/healthz``; ``build`` fails unless told ``--publish-valid``; ``validate --errors-only``
prints what a large set needs; a calendar without a revisions file gets one warning.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import flask
import icalendar
import pytest

from feeds import cli
from feeds.serve.app import create_app
from feeds.serve.store import Store
from tests.conftest import make_settings

CALENDARS = 40


def calendar_text(number: int) -> str:
    return (
        f"name: Conference {number}\ntimezone: UTC\nevents:\n"
        f"  - id: paper\n    title: Paper deadline\n"
        f"    due: 2026-{1 + number % 12:02d}-15 23:59\n    timezone: AoE\n"
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """40 valid calendars, one file that is not YAML, one reusing another's id."""
    events = tmp_path / "events"
    events.mkdir()
    for number in range(CALENDARS):
        (events / f"cal-{number:02d}.yaml").write_text(calendar_text(number), "utf-8")
    (events / "broken.yaml").write_text("name: Broken\nevents:\n  - id: [unclosed\n", "utf-8")
    (events / "dup.yaml").write_text("id: cal-03\n" + calendar_text(99), "utf-8")
    return events


BROKEN_ERROR = "broken.yaml:4:"
DUP_ERROR = "dup.yaml:1: calendar id 'cal-03' is also used by"


def valid_ids() -> list[str]:
    """The calendars that are served: cal-03 is claimed by two files, so by the one-owner
    rule (docs/revisions.md) neither is published until one id changes, and nothing was
    served before."""
    return [f"cal-{n:02d}" for n in range(CALENDARS) if n != 3]


def test_the_store_serves_every_valid_calendar_and_health_lists_the_invalid(folder, caplog):
    settings = make_settings(folder)
    with caplog.at_level(logging.ERROR, logger="feeds"):
        store = Store(settings, write_revisions=False)
    client = create_app(settings, store).test_client()
    listed = json.loads(client.get("/feeds.json").data)
    calendars = {f["calendar"] for f in listed["feeds"] if f["calendar"]}
    assert calendars == set(valid_ids())
    for cal_id in valid_ids():
        response = client.get(f"/feeds/{cal_id}.ics")
        assert response.status_code == 200, cal_id
        feed = icalendar.Calendar.from_ical(response.data)
        assert str(feed["X-WR-CALNAME"]) == f"Conference {int(cal_id[4:])}"
    assert client.get("/feeds/broken.ics").status_code == 404
    assert client.get("/feeds/cal-03.ics").status_code == 404  # two owners: neither
    health = client.get("/healthz")
    assert health.status_code == 200
    body = health.get_json()
    assert body["status"] == "degraded"
    assert (body["files"], body["served"]) == (CALENDARS + 2, CALENDARS - 1)
    invalid = {Path(item["file"]).name: item for item in body["invalid"]}
    assert sorted(invalid) == ["broken.yaml", "cal-03.yaml", "dup.yaml"]
    assert all(item["serving"] == "nothing" for item in invalid.values())
    assert any(BROKEN_ERROR in e for e in invalid["broken.yaml"]["errors"])
    assert any(DUP_ERROR in e for e in invalid["dup.yaml"]["errors"])
    summaries = [r.getMessage() for r in caplog.records if "are not served" in r.getMessage()]
    assert len(summaries) == 1
    assert summaries[0].startswith(f"3 of {CALENDARS + 2} definition file(s) have errors")
    assert "broken.yaml" in summaries[0] and "dup.yaml" in summaries[0]


def test_the_summary_is_logged_again_only_when_the_set_of_bad_files_changes(folder, caplog):
    settings = make_settings(folder)
    store = Store(settings, write_revisions=False, settle_seconds=0)
    caplog.clear()  # the first load's summary
    with caplog.at_level(logging.ERROR, logger="feeds"):
        store.refresh()
        assert not [r for r in caplog.records if "are not served" in r.getMessage()]
        (folder / "broken.yaml").write_text(calendar_text(50), "utf-8")  # fixed
        store.refresh()
    (summary,) = [r.getMessage() for r in caplog.records if "are not served" in r.getMessage()]
    assert summary.startswith(f"2 of {CALENDARS + 2} definition file(s)")
    assert "broken.yaml" not in summary


def test_serve_starts_with_the_valid_calendars(folder, monkeypatch, capsys):
    seen = {}

    def run(app, **kwargs):  # instead of listening: what the first requests would get
        client = app.test_client()
        seen["health"] = client.get("/healthz").get_json()
        seen["feed"] = client.get("/feeds/cal-00.ics").status_code

    monkeypatch.setattr(flask.Flask, "run", run)
    assert cli.main(["serve", "--events", str(folder), "--reload-seconds", "0"]) == 0
    err = capsys.readouterr().err
    assert seen["feed"] == 200
    assert seen["health"]["served"] == CALENDARS - 1
    assert BROKEN_ERROR in err and DUP_ERROR in err
    assert "error(s) in 3 file(s), not served until fixed (listed in /healthz)" in err


def test_serve_refuses_when_no_calendar_is_valid(tmp_path, monkeypatch, capsys):
    (tmp_path / "broken.yaml").write_text("name: [\n", "utf-8")
    monkeypatch.setattr(flask.Flask, "run", lambda app, **kw: pytest.fail("served"))
    assert cli.main(["serve", "--events", str(tmp_path)]) == 1
    assert "no valid calendar; not serving" in capsys.readouterr().err


def test_build_fails_by_default_and_leaves_the_output_alone(folder, tmp_path, capsys):
    out = tmp_path / "site"
    assert cli.main(["build", str(out), "--events", str(folder)]) == 1
    err = capsys.readouterr().err
    assert BROKEN_ERROR in err and DUP_ERROR in err
    assert "--publish-valid publishes the valid calendars" in err
    assert not out.exists()


def test_build_publish_valid_writes_the_valid_calendars_and_names_the_others(
    folder, tmp_path, capsys
):
    out = tmp_path / "site"
    assert cli.main(["build", str(out), "--events", str(folder), "--publish-valid"]) == 0
    err = capsys.readouterr().err
    assert BROKEN_ERROR in err and DUP_ERROR in err
    assert "--publish-valid: 3 file(s) with errors" in err
    feeds = out / "feeds"
    written = sorted(p.stem for p in feeds.glob("*.ics") if p.stem.startswith("cal-"))
    assert written == valid_ids()
    assert not (feeds / "broken.ics").exists()
    # all.ics keeps the horizon (docs/feeds.md); its history holds every published event
    merged = icalendar.Calendar.from_ical((feeds / "history" / "all.ics").read_bytes())
    uids = sorted(str(e["UID"]) for e in merged.walk("VEVENT"))
    assert uids == sorted(f"{cal_id}/paper@calendar-feeds.invalid" for cal_id in valid_ids())


def test_validate_errors_only_prints_errors_and_one_summary(folder, capsys):
    assert cli.main(["validate", "--errors-only", str(folder)]) == 1
    captured = capsys.readouterr()
    assert captured.out == f"{CALENDARS + 1} calendar(s) valid, 2 file(s) with errors\n"
    lines = captured.err.splitlines()
    assert lines and all(BROKEN_ERROR in line or DUP_ERROR in line for line in lines)


def test_no_revisions_file_gives_one_warning_per_calendar_not_one_per_event(tmp_path, capsys):
    events = tmp_path / "events"
    events.mkdir()
    text = calendar_text(1) + "  - id: abstract\n    title: Abstract\n    due: 2026-01-08\n"
    (events / "one.yaml").write_text(text, "utf-8")
    assert cli.main(["validate", str(events)]) == 0
    err = capsys.readouterr().err
    assert "was written" not in err
    assert err.splitlines() == [
        f"{events / 'one.yaml'}:1: warning: has no one.revisions.json yet: each "
        "build would date its events anew; run 'feeds revise' and commit one.revisions.json "
        "with the definition"
    ]
    assert cli.main(["revise", str(events)]) == 0
    capsys.readouterr()
    assert cli.main(["validate", str(events)]) == 0
    assert capsys.readouterr().err == ""
    (events / "one.revisions.json").write_text("{not json", "utf-8")
    assert cli.main(["validate", str(events)]) == 1  # a damaged file is an error, not "none"
    assert capsys.readouterr().err.startswith(
        f"{events / 'one.revisions.json'}:1: is not valid JSON"
    )
