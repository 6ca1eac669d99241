"""The Flask app: a thin shell that answers requests from the current site's ready bytes.

Nothing is rendered per request. Feeds get the HTTP behaviour calendar clients
need: a strong ETag from the body, Last-Modified, 304 on If-None-Match or
If-Modified-Since, HEAD, CORS, no redirects, no compression, no content
negotiation.
"""

from __future__ import annotations

import logging
import time
from email.utils import format_datetime, parsedate_to_datetime
from typing import NamedTuple

from flask import Flask, Response, current_app, g, jsonify, request
from werkzeug.datastructures import Headers
from werkzeug.http import is_resource_modified, remove_entity_headers
from werkzeug.middleware.proxy_fix import ProxyFix

from feeds import config
from feeds.config import Settings
from feeds.serve import clients
from feeds.serve.stats import Stats, access_log, label, log_line
from feeds.serve.store import Store
from feeds.site import response_headers, selection
from feeds.site.resources import CALENDAR_TYPE, Resource

ALLOWED_METHODS = "GET, HEAD, OPTIONS"


def create_app(settings: Settings | None = None, store: Store | None = None) -> Flask:
    """The WSGI app serving the definitions in ``settings.events_dir``."""
    settings = settings or config.from_env()
    app = Flask(__name__, static_folder=None)  # /static/ comes from the Site like everything
    app.config["FEEDS_SETTINGS"] = settings
    store = store or Store(settings)
    app.extensions["feeds_store"] = store

    stats = Stats(settings.stats_dir or None)
    app.extensions["feeds_stats"] = stats
    headers = HeaderCache(settings.max_age)
    app.extensions["feeds_headers"] = headers
    # ready resources answered below Flask (same bytes and headers); the rest falls through
    # (docs/performance.md, "The below-Flask path": 1.6x the requests per second)
    app.wsgi_app = FastPath(app.wsgi_app, store, stats, headers)
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n)

    @app.before_request
    def start_clock():
        g.feeds_started = time.perf_counter()

    @app.after_request
    def count_and_log(response: Response) -> Response:
        html = response.mimetype == "text/html" and response.status_code != 304
        if html and "Content-Security-Policy" not in response.headers:
            # every HTML answer carries the policy, Flask's own error pages too (a 304 has
            # no body: werkzeug's default type, not HTML; a page's 304 has its own headers)
            response.headers.update(response_headers.HTML_SECURITY)
        record_request(stats, response)
        return response

    @app.route("/healthz", methods=["GET", "HEAD"])
    def healthz():
        body, status = store.health()
        response = jsonify(body)
        response.status_code = status
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.route("/stats.json", methods=["GET", "HEAD"])
    def stats_json():
        response = jsonify(stats.snapshot())
        response.headers["Cache-Control"] = "no-store"
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    @app.route("/", defaults={"path": ""}, methods=["GET", "HEAD", "OPTIONS"], strict_slashes=False)
    @app.route("/<path:path>", methods=["GET", "HEAD", "OPTIONS"], strict_slashes=False)
    def serve(path: str):
        site = store.site
        resource = site.get("/" + path)
        if resource is None:
            return not_found("/" + path)
        if request.method == "OPTIONS":
            return preflight(resource)
        if request.query_string and resource.media_type == CALENDAR_TYPE:
            # a feed with subscriber choices (?kind=, ?tags=, ?ids=, ?alarm=)
            try:
                found = selection.resource(site, "/" + path, request.query_string, store.cache)
                resource = found or resource
            except selection.SelectionError as exc:
                return bad_request(str(exc))
        return respond(resource)

    @app.route("/subscribe", methods=["GET", "HEAD"])
    def subscribe_without_slash():
        # Not werkzeug's slash redirect, which builds an absolute URL from the Host header
        # (a permanent redirect to any host a client names): a path, whatever the Host.
        query = request.query_string.decode("latin-1")
        location = "/subscribe/" + (f"?{query}" if query else "")
        response = Response(status=308, headers={"Location": location})
        response.autocorrect_location_header = False
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.route("/subscribe/", methods=["GET", "HEAD"])
    def subscribe():
        # the "your feed" page: the one page rendered per request (then cached)
        try:
            page = selection.subscribe_page(store.site, request.query_string, settings, store.cache)
            return respond(page)
        except selection.SelectionError as exc:
            return bad_request(str(exc))

    @app.errorhandler(405)
    def method_not_allowed(_error):
        response = Response("Method not allowed: use GET or HEAD.\n", 405, mimetype="text/plain")
        response.headers["Allow"] = ALLOWED_METHODS
        return response

    return app


def respond(resource: Resource) -> Response:
    """The response for ``resource``, or 304 when the client's copy is current."""
    headers = resource_headers(resource)
    if not_modified(
        resource, request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since")
    ):
        return Response(status=304, headers=headers)
    response = Response(resource.body, status=200, headers=headers)
    response.headers["Content-Type"] = resource.media_type
    return response


def resource_headers(resource: Resource) -> dict[str, str]:
    """The validators, then the headers every host sends (``response_headers.headers_for``).

    Worked out once per resource (:class:`HeaderCache`), not per request.
    """
    return dict(current_app.extensions["feeds_headers"].get(resource).headers)


class Prepared(NamedTuple):
    """One resource's headers, as :func:`respond` sends them and as WSGI lists for FastPath."""

    resource: Resource  # held so that the id() key stays this resource's
    headers: dict[str, str]
    full: list[tuple[str, str]]  # a 200: the headers, Content-Type, Content-Length
    short: list[tuple[str, str]]  # a 304: without the entity headers, as werkzeug drops them


class HeaderCache:
    """The prepared headers of each resource served, keyed by ``id(resource)``.

    Resources are frozen and never change, so their headers are built once. The
    cache belongs to the app; it is emptied when the store publishes a new site
    (its resources replace the old ones) and when it grows past ``limit`` (per-query
    feeds and "your feed" pages are resources of their own).
    """

    def __init__(self, max_age: int, limit: int = 4096):
        self.max_age = max_age
        self.limit = limit
        self.entries: dict[int, Prepared] = {}
        self._site: object = None

    def get(self, resource: Resource, site: object = None) -> Prepared:
        if site is not None and site is not self._site:
            self.entries.clear()
            self._site = site
        entry = self.entries.get(id(resource))
        if entry is None or entry.resource is not resource:
            if len(self.entries) >= self.limit:
                self.entries.clear()
            entry = self.entries[id(resource)] = self._prepare(resource)
        return entry

    def _prepare(self, resource: Resource) -> Prepared:
        headers = {
            "ETag": resource.etag,
            "Last-Modified": format_datetime(resource.last_modified, usegmt=True),
        }
        headers.update(response_headers.headers_for(resource, self.max_age))
        full = list(headers.items())
        full.append(("Content-Type", resource.media_type))
        full.append(("Content-Length", str(len(resource.body))))
        short = Headers(list(headers.items()))
        remove_entity_headers(short)
        return Prepared(resource, headers, full, short.to_wsgi_list())


def not_modified(resource: Resource, if_none_match: str | None, since: str | None) -> bool:
    """Whether the client's copy is current: werkzeug's rule, except in three cases.

    werkzeug's :func:`~werkzeug.http.is_resource_modified` decides (If-None-Match with
    the weak comparison, ``*`` matches, If-None-Match wins over If-Modified-Since,
    times compared to the second). Where it would answer 304 and we answer 200
    (docs/performance.md, "Conditional requests: werkzeug and us"):

    1. If-Modified-Since without a time zone (``Sat, 03 Jan 2026 00:00:00``): werkzeug
       takes it as UTC; it is not an HTTP-date, which RFC 9110 13.1.3 says to ignore.
       A client's local time read as UTC could keep a calendar stale for hours.
    2. An empty If-None-Match: werkzeug then falls back to If-Modified-Since; RFC 9110
       13.2.2 ignores If-Modified-Since whenever If-None-Match is present.
    3. An unquoted tag in If-None-Match (``abc``): werkzeug matches it; it is not an
       entity-tag (RFC 9110 8.8.3), so nothing we sent, and it never matches here.

    (And a ``*`` among other tags, which werkzeug ignores, matches here as it always has.)
    Each way a calendar gets the full feed rather than a 304 it should not trust.
    """
    if if_none_match is not None:
        if if_none_match == resource.etag:
            return True  # the usual revalidation, without parsing
        tags = [t.strip() for t in if_none_match.split(",")]
        if "*" in tags:
            return True  # also inside a list, where werkzeug ignores it
        kept = [t for t in tags if t.removeprefix("W/").startswith('"')]
        if not kept:
            return False
        environ = {"HTTP_IF_NONE_MATCH": ", ".join(kept)}  # (2) no If-Modified-Since
    elif since:
        try:
            when = parsedate_to_datetime(since)
        except (TypeError, ValueError, IndexError, OverflowError):  # "year 10**20", a day 10**9
            return False
        if when.tzinfo is None:
            return False  # (1)
        environ = {"HTTP_IF_MODIFIED_SINCE": since}
    else:
        return False
    return not is_resource_modified(
        environ, etag=resource.etag, last_modified=resource.last_modified
    )


def preflight(resource: Resource) -> Response:
    return Response(status=204, headers=response_headers.preflight_headers(resource))


def record_request(stats: Stats, response: Response) -> None:
    """Count the request and write its access log line (no address, no User-Agent kept)."""
    _record(
        stats,
        request.method,
        request.path,
        response.status_code,
        response.mimetype,
        response.content_length,
        request.headers.get("User-Agent"),
        g.get("feeds_started"),
    )


def _record(
    stats: Stats,
    method: str,
    path: str,
    status: int,
    mimetype: str | None,
    content_length: int | None,
    user_agent: str | None,
    started: float | None,
) -> None:
    what = label(path, mimetype, status)
    family = clients.family(user_agent)
    stats.record(what, family)
    level = logging.INFO if what is not None else logging.DEBUG
    if not access_log.isEnabledFor(level):
        return  # no line to write: do not format one
    empty = method == "HEAD" or status == 304
    size = 0 if empty else (content_length or 0)
    now = time.perf_counter()
    elapsed = (now - (started if started is not None else now)) * 1000
    line = log_line(method, path, status, size, what, family, elapsed)
    access_log.log(level, "%s", line)


#: The paths Flask routes to its own views (never site resources).
_ROUTED = frozenset({"/healthz", "/stats.json", "/subscribe/", "/subscribe"})


class FastPath:
    """WSGI middleware: GET and HEAD of a ready resource, without a query, answered directly.

    The same status, headers (prebuilt per resource, as werkzeug sends them), body, 304
    rules, request counting and access-log line as the Flask route; everything else
    (other methods, queries, unknown or non-ASCII paths, the app's own endpoints) goes to
    Flask unchanged.
    """

    def __init__(self, wsgi_app, store: Store, stats: Stats, headers: HeaderCache):
        self.wsgi_app = wsgi_app
        self.store = store
        self.stats = stats
        self.headers = headers

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        method = environ.get("REQUEST_METHOD")
        path = environ.get("PATH_INFO") or ""
        if (
            (method != "GET" and method != "HEAD")
            or environ.get("QUERY_STRING")
            or not path.isascii()
            or path in _ROUTED
        ):
            return self.wsgi_app(environ, start_response)
        site = self.store.site
        resource = site.get(path)
        if resource is None:
            return self.wsgi_app(environ, start_response)
        prepared = self.headers.get(resource, site)
        full, short = prepared.full, prepared.short
        if not_modified(
            resource, environ.get("HTTP_IF_NONE_MATCH"), environ.get("HTTP_IF_MODIFIED_SINCE")
        ):
            # counted as Flask counts it: werkzeug's default type until the 304 is sent
            status, headers, body, mimetype = 304, short, [], "text/html"
            start_response("304 NOT MODIFIED", list(headers))
        else:
            mimetype = resource.media_type.split(";", 1)[0].strip().lower()
            status, headers = 200, full
            body = [] if method == "HEAD" else [resource.body]
            start_response("200 OK", list(headers))
        _record(
            self.stats,
            method,
            path,
            status,
            mimetype,
            len(resource.body) if status == 200 else None,
            environ.get("HTTP_USER_AGENT"),
            started,
        )
        return body


def bad_request(message: str) -> Response:
    response = Response(f"Bad request: {message}\n", 400, mimetype="text/plain")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def not_found(path: str) -> Response:
    shown = path if len(path) <= 200 else path[:200] + "..."
    body = f"Not found: {shown}\nEvery feed is listed at /feeds.json.\n"
    response = Response(body, 404, mimetype="text/plain")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "public, max-age=60"
    return response
