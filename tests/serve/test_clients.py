"""Client families from User-Agents, the access log line, and /stats.json (no personal data)."""

from __future__ import annotations

import json
import logging
import os

import pytest

from feeds.serve import clients, stats
from feeds.serve.app import create_app
from feeds.serve.store import Store
from tests.conftest import make_settings

AGENTS = {
    "google": [
        "Google-Calendar-Importer",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; "
        "+http://www.google.com/bot.html) Chrome/120.0.6099.199 Safari/537.36",
        "GoogleOther",
    ],
    "microsoft": [
        "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17126; Pro)",
        "Outlook-iOS/709.2226530.prod.iphone (4.2404.0)",
        "Outlook-Android/2.0",
        "MSFT-WIN-3/10.0.19045",
        "Microsoft Exchange/15.20 (Windows NT 10.0; Win64; x64)",
    ],
    "apple": [
        "iOS/17.2 (21C62) dataaccessd/1.0",
        "iOS/16.6.1 (20G81) remindd/1.0",
        "macOS/14.2.1 (23C71) CalendarAgent/988",
        "Mac OS X/10.15.7 (19H2) CalendarAgent/954",
        "iPadOS/17.1 (21B74) dataaccessd/1.0",
    ],
    "thunderbird": [
        "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.5.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Thunderbird/128.3.1",
    ],
    "browser": [
        "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.2 Safari/605.1.15",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
    ],
    "other": [
        "",
        None,
        "curl/8.5.0",
        "python-requests/2.31.0",
        "DAVx5/4.3.13-ose (2024/01/10; dav4jvm; okhttp/4.12.0) Android/14",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; "
        "+http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36",
        "x" * 10_000,
    ],
}


@pytest.mark.parametrize(
    ("expected", "agent"), [(family, ua) for family, agents in AGENTS.items() for ua in agents]
)
def test_client_families(expected, agent):
    assert clients.family(agent) == expected


def test_every_family_is_listed():
    assert set(AGENTS) == set(clients.FAMILIES)


@pytest.mark.parametrize(
    ("path", "media_type", "status", "what"),
    [
        ("/feeds/icml-2026.ics", "text/calendar", 200, "icml-2026"),
        ("/feeds/icml-2026/deadlines.ics", "text/calendar", 304, "icml-2026/deadlines"),
        ("/events/icml-2026/conference.ics", "text/calendar", 200, "event files"),
        ("/feeds.json", "application/json", 200, "feeds.json"),
        ("/", "text/html", 200, "pages"),
        ("/static/site.css", "text/css", 200, "assets"),
        ("/nope", "text/plain", 404, "not found"),
        ("/healthz", "application/json", 200, None),
        ("/stats.json", "application/json", 200, None),
    ],
)
def test_what_a_request_counts_as(path, media_type, status, what):
    assert stats.label(path, media_type, status) == what


def test_the_log_line_quotes_the_path():
    line = stats.log_line("GET", "/feeds/x.ics\n999 fake entry", 404, 0, "not found", "other", 0.25)
    assert "\n" not in line and "%0A999%20fake" in line
    assert line.endswith("404 0 feed=not found client=other 0.2ms")


def test_requests_are_counted_and_logged_without_personal_data(bundled_dir, caplog):
    settings = make_settings(bundled_dir)
    client = create_app(settings, Store(settings)).test_client()
    with caplog.at_level(logging.INFO, logger="feeds.access"):
        size = len(
            client.get(
                "/feeds/icml-2026.ics", headers={"User-Agent": "Google-Calendar-Importer"}
            ).data
        )
        etag = client.get("/feeds/all.ics", headers={"User-Agent": AGENTS["apple"][0]}).headers[
            "ETag"
        ]
        assert (
            client.get(
                "/feeds/all.ics", headers={"User-Agent": AGENTS["apple"][0], "If-None-Match": etag}
            ).status_code
            == 304
        )
        client.head("/feeds/all.ics", headers={"User-Agent": AGENTS["thunderbird"][0]})
        client.get("/events/icml-2026/conference.ics", headers={"User-Agent": AGENTS["browser"][0]})
        client.get("/no/such.ics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
        client.get("/healthz")
    lines = [r.getMessage() for r in caplog.records if r.name == "feeds.access"]
    assert lines[0].startswith(f"GET /feeds/icml-2026.ics 200 {size} feed=icml-2026 client=google ")
    assert lines[2].startswith("GET /feeds/all.ics 304 0 feed=all client=apple")
    assert lines[3].startswith("HEAD /feeds/all.ics 200 0 feed=all client=thunderbird")
    assert lines[5].startswith("GET /no/such.ics 404 ")
    assert not any("healthz" in line for line in lines)  # load balancers poll it
    assert not any("203.0.113.9" in line or "Mozilla" in line for line in lines)

    response = client.get("/stats.json")
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json
    assert body["feeds"] == {"icml-2026": {"google": 1}, "all": {"apple": 2, "thunderbird": 1}}
    assert body["other"] == {"event files": {"browser": 1}, "not found": {"other": 1}}
    assert body["requests"] == 6 and body["clients"]["apple"] == 2
    assert body["scope"] == "this process" and body["processes"] == 1
    assert "203.0.113.9" not in response.get_data(as_text=True)


def test_stats_of_several_processes_add_up(tmp_path):
    folder = tmp_path / "stats"
    folder.mkdir()
    other = {
        "pid": 1,
        "since": "2026-01-01T00:00:00Z",
        "counts": [["icml-2026", "google", 5], ["pages", "browser", 2]],
    }
    (folder / "1.json").write_text(json.dumps(other))
    (folder / "2.json").write_text("{broken")  # a worker killed mid-write is skipped
    mine = stats.Stats(folder)
    mine.record("icml-2026", "google")
    mine.record("icml-2026", "apple")
    mine.flush()
    assert json.loads((folder / f"{os.getpid()}.json").read_text())["counts"] == [
        ["icml-2026", "apple", 1],
        ["icml-2026", "google", 1],
    ]
    body = mine.snapshot()
    assert body["feeds"] == {"icml-2026": {"apple": 1, "google": 6}}
    assert body["other"] == {"pages": {"browser": 2}}
    assert body["processes"] == 2 and body["since"] == "2026-01-01T00:00:00Z"
    assert body["scope"] == "all worker processes"
