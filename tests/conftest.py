"""Shared fixtures: an app over a folder of definitions, and ways to write them."""

from __future__ import annotations

import shutil
import textwrap
from datetime import date
from pathlib import Path

import pytest

from feeds import config
from feeds.serve.app import create_app
from feeds.serve.store import Store

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "events"
#: The build date of the tests' sites: before every event of the bundled and test data, so
#: the merged feeds' horizon keeps them all (tests/site/test_horizon.py moves it).
TODAY = date(2026, 1, 1)


@pytest.fixture
def events_dir(tmp_path: Path) -> Path:
    """An empty definitions folder."""
    folder = tmp_path / "events"
    folder.mkdir()
    return folder


@pytest.fixture
def write(events_dir: Path):
    """``write("name.yaml", yaml_text)``: put a definition file in the folder."""

    def _write(name: str, text: str) -> Path:
        path = events_dir / name
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def bundled_dir(tmp_path: Path) -> Path:
    """A copy of the bundled definitions (with their revisions files)."""
    folder = tmp_path / "bundled"
    shutil.copytree(BUNDLED, folder, ignore=shutil.ignore_patterns(".*"))
    return folder


def make_settings(folder: Path, **overrides) -> config.Settings:
    values = {
        "events_dir": str(folder),
        "public_url": "https://feeds.example.org",
        "uid_domain": "feeds.example.org",
        "reload_seconds": 0,
        "today": TODAY,
    }
    values.update(overrides)
    return config.Settings(**values)


@pytest.fixture
def bundled_app(bundled_dir: Path):
    settings = make_settings(bundled_dir)
    return create_app(settings, Store(settings, write_revisions=False))


@pytest.fixture
def client(bundled_app):
    return bundled_app.test_client()


@pytest.fixture
def app_for(events_dir: Path):
    """``app_for()``: an app over the ``events_dir`` folder as it is now."""

    def _app(**overrides):
        settings = make_settings(events_dir, **overrides)
        return create_app(settings, Store(settings))

    return _app
