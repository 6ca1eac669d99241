"""The ``feeds`` command: located errors, non-zero exits, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from feeds import cli

BROKEN = """
name: Broken
events:
  - id: ws
    title: Workshop
    start: 2026-07-10 17:00
    end: 2026-07-10 08:00
  - id: ws
    title: Again
    start: 2026-07-10
    timezone: Asia/Seol
"""


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "feeds.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
    )


def test_validate_passes_on_the_bundled_definitions():
    result = run("validate", "events")
    assert result.returncode == 0, result.stderr
    assert "calendar 'icml-2026', 17 events: ok" in result.stdout
    assert "warning" not in result.stderr  # the revisions file is current


def test_validate_reports_every_error_with_its_location(write, events_dir):
    path = write("broken.yaml", BROKEN)
    result = run("validate", str(events_dir))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert (
        f"{path}:6: event 'ws': the end (2026-07-10 08:00) is not after the start (2026-07-10 17:00); put the end after the start (an event crossing midnight ends on the next day's date)"
        in lines
    )
    assert (
        f"{path}:7: event 'ws': duplicate id (also at line 3); give every event its own id; ids must never be reused, they identify the event in subscribers' calendars"
        in lines
    )
    assert lines[-1] == "2 error(s); nothing was published."


def test_validate_a_single_file_with_a_yaml_syntax_error(write):
    path = write("bad.yaml", "name: Bad\nevents:\n  - id: a\n   title: [\n")
    result = run("validate", str(path))
    assert result.returncode == 1
    assert result.stderr.startswith(f"{path}:4: YAML syntax:")
    assert "Traceback" not in result.stderr


def test_validate_a_missing_path():
    result = run("validate", "no/such/folder")
    assert result.returncode == 1
    assert "no/such/folder: no such file or folder" in result.stderr


def test_serve_refuses_to_start_on_a_broken_definition(write, events_dir):
    write("broken.yaml", BROKEN)
    result = run("serve", "--events", str(events_dir), "--port", "0")
    assert result.returncode == 1
    assert "not serving" in result.stderr
    assert "broken.yaml:6: event 'ws': the end" in result.stderr
    assert "Traceback" not in result.stderr


def test_build_aborts_on_a_broken_definition_and_leaves_the_output(write, events_dir, tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "keep.txt").write_text("previous export")
    write("broken.yaml", BROKEN)
    result = run("build", str(out), "--events", str(events_dir))
    assert result.returncode == 1
    assert (out / "keep.txt").read_text() == "previous export"


def test_revise_writes_the_revisions_file(write, events_dir):
    write("t.yaml", "name: T\nevents:\n  - {id: a, title: A, start: 2026-07-10}\n")
    result = run("revise", str(events_dir))
    assert result.returncode == 0, result.stderr
    assert (events_dir / "t.revisions.json").exists()
    assert "1 event(s) revised: a" in result.stdout


def test_no_command_prints_help_and_exits_2(capsys):
    assert cli.main([]) == 2
    assert "validate" in capsys.readouterr().out


def test_version_prints_and_exits_0(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("feeds ")
