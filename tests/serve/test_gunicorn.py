"""Several gunicorn workers, each polling the folder on its own, serve the same bytes and ETags.

Starts the real server the way docs/deploy.md does (``gunicorn -c gunicorn.conf.py
-w 3 wsgi:app``) on a loopback port over a copy of the bundled definitions,
and asks each question many times over fresh connections, so every worker
answers. Bounded: about ten seconds.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
WORKERS = 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not GUNICORN.exists():
        pytest.skip(
            f"GUNICORN IS NOT INSTALLED next to {sys.executable}: install the 'serve' extra"
        )
    tmp = tmp_path_factory.mktemp("gunicorn")
    events = tmp / "events"
    shutil.copytree(ROOT / "events", events, ignore=shutil.ignore_patterns(".*"))
    port = _free_port()
    env = {
        **os.environ,
        "FEEDS_EVENTS_DIR": str(events),
        "FEEDS_PUBLIC_URL": "https://feeds.example.org",
        "FEEDS_UID_DOMAIN": "feeds.example.org",
        "FEEDS_RELOAD_SECONDS": "0.2",
        "FEEDS_STATS_DIR": str(tmp / "stats"),
    }
    log = open(tmp / "gunicorn.log", "wb")
    proc = subprocess.Popen(
        [
            str(GUNICORN),
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "-w",
            str(WORKERS),
            "-b",
            f"127.0.0.1:{port}",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    "gunicorn did not start:\n" + (tmp / "gunicorn.log").read_text()
                )
            time.sleep(0.1)
        yield port, events, tmp / "gunicorn.log"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def get(port: int, path: str, **headers) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection (so the kernel may hand it to any worker)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Connection": "close", **headers})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def many(port: int, path: str, count: int, **headers) -> list[tuple[int, dict[str, str], bytes]]:
    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(lambda _: get(port, path, **headers), range(count)))


def healths(port: int, count: int = 45, spread: float = 5.0) -> list[dict]:
    """``/healthz`` of many requests, repeated (up to ``spread`` s) until every worker answered.

    The kernel hands a new connection to whichever worker wakes first, so a
    burst may well land on one worker: keep asking until all have answered.
    """
    out: list[dict] = []
    deadline = time.monotonic() + spread
    while True:
        for status, _, body in many(port, "/healthz", count):
            assert status in (200, 503)
            out.append(json.loads(body))
        if len({r["process"] for r in out}) >= WORKERS or time.monotonic() > deadline:
            return out


def assert_consistent(port: int) -> dict[str, str]:
    """Every feed answered by every worker with one body and its ETag; returns path -> ETag."""
    status, _, body = get(port, "/feeds.json")
    assert status == 200
    paths = [f["url"].removeprefix("https://feeds.example.org") for f in json.loads(body)["feeds"]]
    etags = {}
    for path in paths:
        answers = many(port, path, 15)
        seen = {(h["ETag"], hashlib.sha256(b).hexdigest()[:32]) for s, h, b in answers if s == 200}
        assert len(answers) == 15 and len(seen) == 1, (path, seen)
        ((etag, digest),) = seen
        assert etag == f'"{digest}"'  # the ETag is the body's
        etags[path] = etag
    return etags


def test_every_worker_serves_the_same_bytes_and_etags(server):
    port, _, _ = server
    reports = healths(port)
    assert len({r["process"] for r in reports}) >= 2, "the requests did not reach several workers"
    assert len({r["site_version"] for r in reports}) == 1
    assert all(r["status"] == "ok" for r in reports)
    assert "/feeds/all.ics" in assert_consistent(port)


def test_an_edit_reaches_every_worker_and_a_broken_one_none(server):
    port, events, _ = server
    before = assert_consistent(port)
    old_version = healths(port, 5, spread=0)[0]["site_version"]
    definition = events / "icml-2026.yaml"
    good = definition.read_text()
    definition.write_text(good.replace("title: ICML 2026\n", "title: ICML 2026 in Seoul\n", 1))

    deadline = time.monotonic() + 10
    while True:
        reports = healths(port)
        versions = {r["site_version"] for r in reports}
        if len(versions) == 1 and old_version not in versions:
            break
        assert time.monotonic() < deadline, f"the workers did not converge: {versions}"
        time.sleep(0.1)
    assert len({r["process"] for r in reports}) >= 2
    after = assert_consistent(port)
    assert after["/feeds/icml-2026.ics"] != before["/feeds/icml-2026.ics"]
    assert b"SUMMARY:ICML 2026 in Seoul" in get(port, "/feeds/icml-2026.ics")[2]

    definition.write_text(
        good.replace("start: 2026-07-06\n", "start: 2026-07-06\n    end: 2026-06-01\n", 1)
    )
    deadline = time.monotonic() + 10
    while True:
        reports = healths(port)
        if all(r["status"] == "degraded" for r in reports):
            break
        assert time.monotonic() < deadline, "the workers did not all report the broken edit"
        time.sleep(0.1)
    assert all(any("icml-2026.yaml:" in e for e in r["errors"]) for r in reports)
    assert assert_consistent(port) == after  # the last good version, everywhere


def test_stats_add_up_the_workers(server):
    port, _, log = server
    for status, _, _ in many(
        port, "/feeds/deadlines.ics", 30, **{"User-Agent": "Google-Calendar-Importer"}
    ):
        assert status == 200
    deadline = time.monotonic() + 10
    while True:
        status, _, body = get(port, "/stats.json")
        stats = json.loads(body)
        if stats["feeds"].get("deadlines", {}).get("google", 0) >= 30:
            break
        assert time.monotonic() < deadline, stats
        time.sleep(0.3)
    assert stats["scope"] == "all worker processes" and stats["processes"] >= 2
    text = log.read_text()
    assert "GET /feeds/deadlines.ics 200" in text and "feed=deadlines client=google" in text
    assert (
        "127.0.0.1" not in text.split("Listening at")[-1].split("\n", 1)[1]
    )  # no client address logged
