"""Shared helpers for the pages, links, selection and browser tests.

A small Korean calendar, written to a temporary folder, exercises what the
real data does not: Korean text, ``& # + ? %`` in titles and names, HTML in
descriptions, a repeating event whose second date is an exception, a
cancelled event, an event stated in another zone, and an AoE deadline.
"""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest

from feeds import config
from feeds.serve import app as web
from feeds.serve.store import Store
from tests.conftest import TODAY

ROOT = Path(__file__).resolve().parent.parent
KOREAN_ID = "hanguk-2026"
KOREAN_NAME = "한국 학회 2026 & 친구들 #1 + α"
OPENING_TITLE = "개회식 & 환영 #1 + 소개? 100%"

KOREAN_YAML = f"""\
id: {KOREAN_ID}
name: "{KOREAN_NAME}"
description: 서울에서 열리는 작은 학회 (테스트용).
url: https://example.org/hanguk
timezone: Asia/Seoul
location: 코엑스, 서울
events:
  - id: opening
    title: "{OPENING_TITLE}"
    kind: keynote
    tags: [구두, plenary]
    start: 2026-12-01 09:00
    end: 10:30
    location: "그랜드볼룸 A & B #3"
    description: "첫 줄 <script>alert(1)</script> 'quoted' \\"double\\""
  - id: tutorial-day
    title: 튜토리얼의 날
    kind: tutorial
    start: 2026-11-29
    end: 2026-11-30
  - id: workshop
    title: 워크숍 (매일)
    kind: workshop
    tags: [vision]
    start: 2026-12-02 13:00
    end: 17:00
    repeat:
      every: day
      count: 3
      except: [2026-12-03]
  - id: late-workshop
    title: 늦은 워크숍
    kind: workshop
    start: 2026-12-05 13:00
    end: 17:00
    repeat:
      every: day
      count: 2
      except: [2026-12-05]
  - id: paper-deadline
    title: 논문 마감
    kind: deadline
    due: 2026-09-01
    timezone: AoE
  - id: cancelled-dinner
    title: 취소된 만찬
    kind: social
    status: cancelled
    start: 2026-12-02 19:00
    end: 21:00
  - id: la-talk
    title: Remote talk from LA
    kind: session
    tags: [remote]
    timezone: America/Los_Angeles
    start: 2026-12-01 16:00
    end: 17:00
"""


def write_events(folder: Path, *, icml: bool = True) -> Path:
    """A definitions folder with the Korean calendar (and a copy of ICML 2026)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{KOREAN_ID}.yaml").write_text(KOREAN_YAML, encoding="utf-8")
    if icml:
        for name in ("icml-2026.yaml", "icml-2026.revisions.json"):
            source = ROOT / "events" / name
            if source.exists():
                shutil.copy(source, folder / name)
    return folder


def settings_for(folder: Path, public_url: str = "https://feeds.example.org") -> config.Settings:
    return config.Settings(
        events_dir=str(folder), public_url=public_url, reload_seconds=0, today=TODAY
    )


def make_app(folder: Path, public_url: str = "https://feeds.example.org", **overrides):
    settings = settings_for(folder, public_url).with_overrides(**overrides)
    store = Store(settings)
    assert not store.errors(), store.errors()
    return web.create_app(settings, store)


class LinkParser(HTMLParser):
    """Every element with its attributes, plus the text of each <a>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.anchors: list[dict[str, str]] = []
        self._anchor: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        self.elements.append((tag, attributes))
        if tag == "a":
            self._anchor = dict(attributes, _text="")
            self.anchors.append(self._anchor)

    def handle_endtag(self, tag):
        if tag == "a":
            self._anchor = None

    def handle_data(self, data):
        if self._anchor is not None:
            self._anchor["_text"] += data


def parse_html(text: str) -> LinkParser:
    parser = LinkParser()
    parser.feed(text)
    parser.close()
    return parser


def params(url: str) -> dict[str, str]:
    """The decoded query parameters of ``url`` (each must appear once)."""
    parsed = parse_qs(urlsplit(url).query, keep_blank_values=True, strict_parsing=True)
    assert all(len(v) == 1 for v in parsed.values()), parsed
    return {k: v[0] for k, v in parsed.items()}


def resolve(page_path: str, href: str) -> str:
    """The URL path a relative link on the page at ``page_path`` points to."""
    return urlsplit(urljoin("http://site.invalid" + page_path, href)).path


# Module-scoped fixtures over the Korean test calendar (and the bundled ICML one);
# a test module uses them with ``from .pages_support import app, client, site``.


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_app(write_events(tmp_path_factory.mktemp("events")))


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def site(app):
    return app.extensions["feeds_store"].site
