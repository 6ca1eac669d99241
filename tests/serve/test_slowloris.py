"""200 connections that never finish their request head, and a normal client beside them.

The documented production setup (docs/deploy.md) puts nginx in front of gunicorn with
``deploy/nginx/calendar-feeds-proxy.conf``; this test serves through that very file, in front
of gunicorn with the settings the attack starved (2 workers x 8 threads), and shows the
normal client gets every answer. The same attack straight at those settings starves it (so
the test can fail), and the shipped gunicorn.conf.py, used alone, still serves it.

Each attacker sends ``GET /feeds/icml-2026.ics?`` and then one byte a second. The normal
client asks for a feed on a new connection each time, with a generous per-request timeout;
nothing else is timed. Everything is on 127.0.0.1, bounded (about 25 s).
"""

from __future__ import annotations

import http.client
import sys
from pathlib import Path

import icalendar
import pytest

from bench import slowloris
from bench.http import nginx_binary
from feeds.doctor import fetchers

ATTACKERS = 200
REQUESTS = 12
TIMEOUT = 10.0  # seconds for one request; an answer takes milliseconds when served


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    if not Path(sys.executable).with_name("gunicorn").exists():
        pytest.skip("GUNICORN IS NOT INSTALLED next to the interpreter: install the 'serve' extra")
    return tmp_path_factory.mktemp("slowloris")


@pytest.fixture(scope="module")
def old_gunicorn(workdir):
    """gunicorn.conf.py with the settings 200 slow connections starved: 2 workers x 8 threads."""
    with slowloris.start_gunicorn(workdir, *slowloris.OLD_SETTINGS) as server:
        yield server.port


@pytest.fixture(scope="module")
def nginx_in_front(workdir, old_gunicorn):
    if nginx_binary() is None:
        pytest.skip(
            "NGINX IS NOT INSTALLED: the slow-client test of the documented setup did not run "
            "(install the Debian package nginx-light, or run scripts/system-deps.sh as root)"
        )
    with slowloris.start_nginx(workdir, old_gunicorn) as server:
        yield server.port


def feed(port: int) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        conn.request("GET", slowloris.FEED)
        response = conn.getresponse()
        assert response.status == 200
        return response.read()
    finally:
        conn.close()


def test_behind_the_shipped_nginx_config_a_normal_client_is_served_beside_the_attack(
    old_gunicorn, nginx_in_front
):
    direct = feed(old_gunicorn)
    with slowloris.Attack(nginx_in_front, ATTACKERS) as attack:
        served = slowloris.normal_client(nginx_in_front, REQUESTS, TIMEOUT)
        through = feed(nginx_in_front)
        assert attack.connected() == ATTACKERS  # every attacker still holds its connection
    assert served.answered == REQUESTS, served.summary()
    assert through == direct  # nginx passes the feed through unchanged
    events = icalendar.Calendar.from_ical(through).walk("VEVENT")
    assert len(events) > 0


def test_the_same_attack_straight_at_the_old_settings_starves_them(old_gunicorn):
    """The control: without nginx, 16 threads are held by the first 16 slow connections."""
    with slowloris.Attack(old_gunicorn, ATTACKERS) as attack:
        assert attack.connected() == ATTACKERS
        served = slowloris.normal_client(old_gunicorn, 3, timeout=2.0)
    assert served.answered < 3, served.summary()


def test_the_shipped_gunicorn_settings_alone_still_serve_beside_the_attack(workdir):
    """gunicorn.conf.py as shipped (256 threads a worker), 2 workers as on a 2-core machine."""
    with slowloris.start_gunicorn(workdir, "-w", "2") as server:
        with slowloris.Attack(server.port, ATTACKERS) as attack:
            served = slowloris.normal_client(server.port, REQUESTS, TIMEOUT)
            assert attack.connected() == ATTACKERS
    assert served.answered == REQUESTS, served.summary()


def test_through_the_shipped_nginx_config_the_calendar_services_get_every_feed(nginx_in_front):
    """No redirect, no gzip, text/calendar, 200: what the fetcher check asks of a deployment."""
    for path in (slowloris.FEED, "/feeds/all.ics", "/feeds/icml-2026.ics?kind=deadline"):
        assert fetchers.check(f"http://127.0.0.1:{nginx_in_front}{path}") == [], path
