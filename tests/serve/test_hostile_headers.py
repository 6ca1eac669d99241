"""Any request header value gets a 2xx, 3xx or 4xx answer, never a 5xx.

The attack: ``If-Modified-Since`` with a 20-digit year, a huge day or hour raised
OverflowError inside the date parser and ended in a 500. Both paths that answer a feed
(below Flask and the Flask route, which a query string selects) are tried.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds.serve.app import create_app
from feeds.serve.store import Store
from tests.conftest import BUNDLED, make_settings

FEED = "/feeds/icml-2026.ics"
HOSTILE_DATES = [
    "Tue, 01 Dec 99999999999999999999 00:00:00 GMT",
    "Tue, 999999999999 Dec 2026 00:00:00 GMT",
    "Tue, 01 Dec 2026 99999999999:00:00 GMT",
    "Tue, 01 Dec 2026 00:99999999999:00 GMT",
    "Tue, 01 Dec 2026 00:00:00 +99999999999",
    "Tue, 01 Dec 0000 00:00:00 GMT",
    "Tue, 01 Dec -1 00:00:00 GMT",
    "\x00",
    "",
]


@pytest.fixture(scope="module")
def client():
    settings_ = make_settings(BUNDLED, reload_seconds=0)
    app = create_app(settings_, Store(settings_, write_revisions=False))
    return app.test_client()


@pytest.mark.parametrize("path", [FEED, FEED + "?kind=deadline"])
@pytest.mark.parametrize("value", HOSTILE_DATES)
def test_a_hostile_if_modified_since_gets_the_feed(client, path, value):
    response = client.get(path, headers={"If-Modified-Since": value})
    assert response.status_code == 200
    assert response.data.startswith(b"BEGIN:VCALENDAR")


header_text = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(["If-Modified-Since", "If-None-Match", "Accept", "Range", "Host"]),
    value=header_text,
    path=st.sampled_from([FEED, FEED + "?kind=deadline", "/", "/feeds.json"]),
)
def test_no_header_value_ends_in_a_server_error(client, name, value, path):
    response = client.get(path, headers={name: value})
    assert response.status_code < 500, (name, value, path, response.status_code)
