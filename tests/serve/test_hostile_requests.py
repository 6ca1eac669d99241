"""Requests an attacker controls: no redirect to their host, no HTML without the CSP, and
made-up URLs that never become counted "feeds" (bounded /stats.json)."""

from __future__ import annotations

import json

import pytest
from flask import Response

from feeds.serve.app import create_app
from feeds.serve.store import Store
from feeds.site.response_headers import HTML_SECURITY
from tests.conftest import BUNDLED, make_settings


@pytest.fixture()
def app():
    settings = make_settings(BUNDLED, reload_seconds=0)
    return create_app(settings, Store(settings, write_revisions=False))


@pytest.mark.parametrize("host", ["evil.example", "feeds.example.org", "127.0.0.1:1"])
def test_the_subscribe_redirect_is_a_path_whatever_the_host(app, host):
    response = app.test_client().get("/subscribe?feed=icml-2026&ids=x", headers={"Host": host})
    assert response.status_code == 308
    assert response.headers["Location"] == "/subscribe/?feed=icml-2026&ids=x"
    assert host not in response.headers["Location"]


def test_the_subscribe_redirect_without_a_query(app):
    response = app.test_client().get("/subscribe", headers={"Host": "evil.example"})
    assert response.headers["Location"] == "/subscribe/"


def test_every_html_answer_carries_the_security_policy(app):
    # an HTML answer made anywhere in the app (here a view added for the test) gets the CSP
    app.add_url_rule("/made-up-html", "made_up", lambda: Response("<p>x</p>", mimetype="text/html"))
    client = app.test_client()
    for path in ("/made-up-html", "/", "/calendars/icml-2026/", "/subscribe/?feed=icml-2026"):
        response = client.get(path)
        assert response.mimetype == "text/html", path
        for name, value in HTML_SECURITY.items():
            assert response.headers.get(name) == value, (path, name)


def test_made_up_feed_names_are_not_counted_as_feeds(app):
    client = app.test_client()
    for i in range(300):
        name = f"x{i}-" + "a" * 3000
        assert client.post(f"/feeds/{name}.ics").status_code == 405
        assert client.get(f"/feeds/{name}.ics").status_code == 404
    client.get("/feeds/icml-2026.ics")
    body = client.get("/stats.json").get_data()
    stats = json.loads(body)
    assert set(stats["feeds"]) == {"icml-2026"}
    assert stats["other"]["errors"] and stats["other"]["not found"]
    assert len(body) < 2_000


def test_a_huge_or_non_ascii_query_is_carried_to_the_path_and_refused_there(app):
    client = app.test_client()
    query = "feed=icml-2026&ids=" + "x," * 5000 + "%C3%A9"
    response = client.get(f"/subscribe?{query}", headers={"Host": "evil.example"})
    assert response.status_code == 308
    assert response.headers["Location"] == f"/subscribe/?{query}"
    assert client.get(response.headers["Location"]).status_code == 400
