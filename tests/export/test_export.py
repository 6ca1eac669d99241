"""``feeds build``: the static export is the live site's bytes and headers, swapped in atomically.

The nginx test serves an export with a real nginx (Debian ``nginx-light``,
installed by ``scripts/system-deps.sh``) on a loopback port, with the shipped
``_nginx.conf`` included, and compares every resource of the site with the
live app: body bytes, Content-Type, Cache-Control, CORS, Content-Disposition,
security headers and Last-Modified. ETags differ by design (nginx's is
``"<mtime hex>-<size hex>"``); that is checked too.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import threading
from email.utils import format_datetime
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

import pytest

from feeds import cli, site
from feeds.export import hosts as hosting
from feeds.export import writer as export
from feeds.serve.app import create_app
from feeds.serve.store import Store
from feeds.site import response_headers
from tests import nginx_support
from tests.conftest import make_settings

NGINX = nginx_support.NGINX


@pytest.fixture
def live(bundled_dir):
    settings = make_settings(bundled_dir)
    store = Store(settings)
    return store, create_app(settings, store).test_client()


def policy(resource: site.Resource, max_age: int) -> dict[str, str]:
    """What a static host must send for ``resource`` besides its own validators."""
    expected = response_headers.headers_for(resource, max_age)
    expected["Content-Type"] = resource.media_type
    return expected


# -- the files -------------------------------------------------------------------


def test_every_resource_is_written_with_its_bytes_and_last_modified(live, tmp_path):
    store, _ = live
    out = tmp_path / "site"
    written = export.write_site(store.site, out)
    assert out.is_symlink() and out.is_dir()
    assert set(written) == {hosting.file_path(p) for p in store.site.resources} | {
        "_headers",
        "_nginx.conf",
    }
    for path, resource in store.site.resources.items():
        target = out / hosting.file_path(path)
        assert target.read_bytes() == resource.body, path
        assert target.stat().st_mtime == resource.last_modified.timestamp(), path
    # the pages, the embed pages, static assets and QR codes are all there
    kinds = {r.media_type.split(";")[0] for r in store.site.resources.values()}
    assert {"text/calendar", "application/json", "text/html"} <= kinds


def test_the_export_is_a_link_swapped_in_one_rename_and_old_builds_are_pruned(live, tmp_path):
    store, _ = live
    out = tmp_path / "site"
    seen = []
    for _ in range(export.KEEP + 2):
        export.write_site(store.site, out)
        seen.append(export.current_build(out))
    assert len(set(seen)) == len(seen)
    kept = sorted(p.name for p in export.builds_folder(out).iterdir() if not p.name.startswith("."))
    assert kept == sorted(p.name for p in seen[-export.KEEP :])
    assert os.readlink(out) == f".site.builds/{seen[-1].name}"  # relative: the parent can move


def test_a_server_reading_during_exports_never_sees_a_missing_or_mixed_export(
    bundled_dir, tmp_path
):
    """A reader hammers the export while it is replaced 16 times by two alternating versions."""
    sites = []
    for name in ("Version A", "Version B"):
        settings = make_settings(bundled_dir, site_name=name)
        sites.append(Store(settings, write_revisions=False).site)
    versions = [
        (s.resources["/feeds/all.ics"].body, s.resources["/feeds.json"].body) for s in sites
    ]
    assert versions[0] != versions[1]
    out = tmp_path / "site"
    export.write_site(sites[0], out)
    stop = threading.Event()
    failures: list[str] = []
    reads = 0

    def reader():
        nonlocal reads
        while not stop.is_set():
            try:
                # resolve the folder once, as a server does per request, then read two files
                root = os.path.realpath(out)
                pair = (
                    Path(root, "feeds/all.ics").read_bytes(),
                    Path(root, "feeds.json").read_bytes(),
                )
            except OSError as exc:
                failures.append(repr(exc))
                continue
            reads += 1
            if pair not in versions:
                failures.append("a mix of two versions")

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for i in range(16):
            export.write_site(sites[i % 2], out)
            assert out.is_dir()
    finally:
        stop.set()
        thread.join()
    assert reads > 16 and not failures, failures[:3]


def test_an_invalid_definition_aborts_and_leaves_the_export_as_it_was(
    bundled_dir, tmp_path, capsys
):
    out = tmp_path / "site"
    assert cli.main(["build", str(out), "--events", str(bundled_dir)]) == 0
    before = os.readlink(out)
    body = (out / "feeds/icml-2026.ics").read_bytes()
    definition = bundled_dir / "icml-2026.yaml"
    definition.write_text(definition.read_text().replace("end: 2026-07-11", "end: 2026-06-11", 1))
    capsys.readouterr()
    assert cli.main(["build", str(out), "--events", str(bundled_dir)]) == 1
    err = capsys.readouterr().err
    assert "icml-2026.yaml:38: event 'conference':" in err and "left as it was" in err
    assert os.readlink(out) == before
    assert (out / "feeds/icml-2026.ics").read_bytes() == body
    assert not [p for p in export.builds_folder(out).iterdir() if p.name.startswith(".tmp-")]


def test_an_empty_folder_exports_nothing(events_dir, tmp_path, capsys):
    assert cli.main(["build", str(tmp_path / "site"), "--events", str(events_dir)]) == 1
    assert "no calendar to export" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


def test_a_folder_that_is_not_an_export_is_refused(live, tmp_path):
    store, _ = live
    out = tmp_path / "home"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    with pytest.raises(export.ExportError, match="does not look like an export"):
        export.write_site(store.site, out)
    assert (out / "thesis.tex").read_text() == "precious"


def test_an_older_export_that_is_a_real_folder_becomes_the_link(live, tmp_path):
    store, _ = live
    out = tmp_path / "site"
    out.mkdir()
    (out / "feeds.json").write_text("{}")
    export.write_site(store.site, out)
    assert out.is_symlink()
    assert (out / "feeds.json").read_bytes() == store.site.resources["/feeds.json"].body
    previous = [p for p in export.builds_folder(out).iterdir() if "previous" in p.name]
    assert len(previous) == 1 and (previous[0] / "feeds.json").read_text() == "{}"


def test_paths_that_cannot_be_files_are_refused(live):
    store, _ = live
    real = store.site.resources["/feeds.json"]
    for paths, message in (
        (("/a", "/a/b"), "both a resource and a folder"),
        (("/a/../b",), "cannot write"),
        (("/_headers",), "static-host config"),
    ):
        resources = {p: site.Resource(p, b"x", real.media_type, real.last_modified) for p in paths}
        broken = site.Site(MappingProxyType(resources), (), (), store.settings)
        with pytest.raises(export.ExportError, match=message):
            export.write_site(broken, "/nonexistent/never-written")


# -- the header rules --------------------------------------------------------------


def _netlify_regex(pattern: str) -> re.Pattern[str]:
    """Netlify's matching (netlify/build headers-parser ``getForRegExp``)."""
    parts = []
    for part in [p for p in pattern.split("/") if p]:
        if part.startswith(":"):
            parts.append("([^/]+)")
        elif part == "*":
            parts.append("?(.*)")
        else:
            parts.append(re.escape(part).replace(r"\*", "(.*)"))
    return re.compile("^/" + "/".join(parts) + "/?$", re.I)


def _strict_regex(pattern: str) -> re.Pattern[str]:
    """A stricter reading (placeholders are one segment, the trailing slash counts)."""
    out = "".join(
        "[^/]+" if p.startswith(":") else re.escape(p)
        for p in re.split(r"(:[A-Za-z0-9]+)", pattern)
    )
    return re.compile("^" + out + "$")


def parse_headers_file(text: str) -> list[tuple[str, dict[str, str]]]:
    rules: list[tuple[str, dict[str, str]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            rules.append((line.strip(), {}))
        else:
            name, _, value = line.strip().partition(":")
            rules[-1][1][name.strip()] = value.strip()
    return rules


@pytest.mark.parametrize("matcher", [_netlify_regex, _strict_regex], ids=["netlify", "strict"])
def test_the_headers_file_gives_every_resource_the_live_headers_once(live, matcher):
    store, _ = live
    settings = store.settings
    rules = parse_headers_file(hosting.files_for(store.site)["_headers"])
    assert len(rules) <= hosting.MAX_HEADER_RULES
    for path, resource in store.site.resources.items():
        matching = [headers for pattern, headers in rules if matcher(pattern).match(path)]
        assert len(matching) == 1, (path, len(matching))  # hosts join repeated headers with commas
        expected = policy(resource, settings.max_age)
        if resource.download_name:  # documented: no file name (Netlify does not fill placeholders)
            expected["Content-Disposition"] = "attachment"
        assert matching[0] == expected, path


# -- a real nginx ------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def nginx(live, tmp_path):
    """nginx serving an export of the live site with the shipped snippet: (connection, out)."""
    if NGINX is None:
        pytest.skip(
            "NGINX IS NOT INSTALLED: the static-export comparison did not run "
            "(install the Debian package nginx-light, or run scripts/system-deps.sh as root)"
        )
    store, _ = live
    out = tmp_path / "site"
    export.write_site(store.site, out)
    run = tmp_path / "nginx"
    run.mkdir()
    port = _free_port()
    server = f"""        root {out};
        include {out}/_nginx.conf;"""
    # gzip on for everything: the snippet must turn it off for feeds
    http_extra = "    gzip on;\n    gzip_types *;\n    gzip_min_length 1;"
    (run / "nginx.conf").write_text(nginx_support.config(run, port, server, http_extra))
    proc = nginx_support.start(run, port)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        yield conn, out
        conn.close()
    finally:
        nginx_support.stop(proc)


def _fetch(
    conn: http.client.HTTPConnection, path: str, method: str = "GET", **headers
) -> http.client.HTTPResponse:
    conn.request(method, path, headers=headers)
    response = conn.getresponse()
    response.body = response.read()
    return response


def test_nginx_serves_the_live_bytes_and_headers_for_every_resource(live, nginx):
    store, client = live
    conn, out = nginx
    max_age = store.settings.max_age
    paths = set(store.site.resources)
    index = json.loads(client.get("/feeds.json").data)
    listed = {urlsplit(f["url"]).path for f in index["feeds"]}
    assert listed and listed <= paths  # every listed feed is a resource, so it is compared below
    assert len(paths) > 40
    for path in sorted(paths):
        resource = store.site.resources[path]
        mine = client.get(path)
        theirs = _fetch(conn, path)
        assert theirs.status == mine.status_code == 200, path
        assert theirs.body == mine.data == resource.body, path
        expected = policy(resource, max_age)
        expected["Last-Modified"] = format_datetime(resource.last_modified, usegmt=True)
        expected["Content-Length"] = str(len(resource.body))
        for name, value in expected.items():
            assert mine.headers.get(name) == value, (path, name, "live")
            assert theirs.getheader(name) == value, (path, name, "nginx")
        for name in ("X-Frame-Options", "Content-Disposition", "Access-Control-Allow-Origin"):
            if name not in expected:
                assert theirs.getheader(name) is None, (path, name)
        # the documented difference: nginx's ETag is mtime-size, not a hash of the body
        stamp = int(resource.last_modified.timestamp())
        assert theirs.getheader("ETag") == f'"{stamp:x}-{len(resource.body):x}"', path
        assert mine.headers["ETag"] == resource.etag


def test_nginx_revalidates_like_the_live_app_and_never_gzips_feeds(live, nginx):
    store, client = live
    conn, _ = nginx
    feeds = [p for p, r in store.site.resources.items() if r.media_type.startswith("text/calendar")]
    for path in feeds:
        resource = store.site.resources[path]
        first = _fetch(conn, path, **{"Accept-Encoding": "gzip"})
        assert first.getheader("Content-Encoding") is None and first.body == resource.body, path
        etag, modified = first.getheader("ETag"), first.getheader("Last-Modified")
        assert _fetch(conn, path, **{"If-None-Match": etag}).status == 304
        assert _fetch(conn, path, **{"If-Modified-Since": modified}).status == 304
        assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
        head = _fetch(conn, path, "HEAD")
        assert head.status == 200 and head.body == b""
        assert head.getheader("Content-Length") == str(len(resource.body))
    page = _fetch(conn, "/", **{"Accept-Encoding": "gzip"})
    assert (
        page.getheader("Content-Encoding") == "gzip"
    )  # the server's gzip is on; only feeds opt out


def test_nginx_answers_preflight_like_the_live_app(live, nginx):
    store, client = live
    conn, _ = nginx
    pages = sorted(p for p in store.site.resources if p.endswith("/"))
    for path in ("/feeds/all.ics", "/feeds.json", "/events/icml-2026/conference.ics", *pages[:3]):
        resource = store.site.resources[path]
        mine = client.options(path)
        theirs = _fetch(conn, path, "OPTIONS", Origin="https://example.com")
        assert theirs.status == mine.status_code == 204, path
        for name, value in response_headers.preflight_headers(resource).items():
            assert mine.headers.get(name) == value
            assert theirs.getheader(name) == value, (path, name)


def test_nginx_does_not_serve_the_config_files(nginx):
    conn, out = nginx
    for name in ("/_headers", "/_nginx.conf"):
        assert (out / name.lstrip("/")).exists()
        assert _fetch(conn, name).status == 404


def test_nginx_follows_a_new_export_without_a_reload(live, bundled_dir, nginx):
    store, _ = live
    conn, out = nginx
    renamed = Store(make_settings(bundled_dir, site_name="Renamed"), write_revisions=False).site
    export.write_site(renamed, out)
    response = _fetch(conn, "/feeds/all.ics")
    assert response.body == renamed.resources["/feeds/all.ics"].body
    assert b"X-WR-CALNAME:Renamed" in response.body
