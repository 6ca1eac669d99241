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

from flask import Flask, Response, current_app, g, jsonify, request
from werkzeug.middleware.proxy_fix import ProxyFix

from . import clients, config, hosting, selection
from .config import Settings
from .site import CALENDAR_TYPE, Resource
from .stats import Stats, access_log, label, log_line
from .store import Store

ALLOWED_METHODS = "GET, HEAD, OPTIONS"
# The header policy lives in feeds.hosting, shared with the static-host configs.
HTML_SECURITY = hosting.HTML_SECURITY
#: Embed pages (``/embed/...``, ``Resource.embeddable``) may be framed by any site.
EMBED_SECURITY = hosting.EMBED_SECURITY


def create_app(settings: Settings | None = None, store: Store | None = None) -> Flask:
    """The WSGI app serving the definitions in ``settings.events_dir``."""
    settings = settings or config.from_env()
    app = Flask(__name__, static_folder=None)  # /static/ comes from the Site like everything
    app.config["FEEDS_SETTINGS"] = settings
    store = store or Store(settings)
    app.extensions["feeds_store"] = store
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n)

    stats = Stats(settings.stats_dir or None)
    app.extensions["feeds_stats"] = stats

    @app.before_request
    def start_clock():
        g.feeds_started = time.perf_counter()

    @app.after_request
    def count_and_log(response: Response) -> Response:
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
                resource = selection.resource(site, "/" + path, request.query_string) or resource
            except selection.SelectionError as exc:
                return bad_request(str(exc))
        return respond(resource)

    @app.route("/subscribe/", methods=["GET", "HEAD"])
    def subscribe():
        # the "your feed" page: the one page rendered per request (then cached)
        try:
            return respond(selection.subscribe_page(store.site, request.query_string, settings))
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
    if not_modified(resource):
        return Response(status=304, headers=headers)
    response = Response(resource.body, status=200, headers=headers)
    response.headers["Content-Type"] = resource.media_type
    return response


def resource_headers(resource: Resource) -> dict[str, str]:
    """The validators, then the headers every host sends (:func:`feeds.hosting.headers_for`).

    Worked out once per resource and kept on it (resources never change), not per request.
    """
    max_age = _settings().max_age
    memo = resource.__dict__.get("_headers")
    if memo is None or memo[0] != max_age:
        headers = {
            "ETag": resource.etag,
            "Last-Modified": format_datetime(resource.last_modified, usegmt=True),
        }
        headers.update(hosting.headers_for(resource, max_age))
        memo = (max_age, headers)
        resource.__dict__["_headers"] = memo
    return dict(memo[1])


def not_modified(resource: Resource) -> bool:
    """RFC 9110 13.2.2: If-None-Match wins; If-Modified-Since only without it."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = [t.strip() for t in if_none_match.split(",")]
        return "*" in tags or any(t.removeprefix("W/") == resource.etag for t in tags)
    since = request.headers.get("If-Modified-Since")
    if since:
        try:
            when = parsedate_to_datetime(since)
        except (TypeError, ValueError, IndexError):
            return False
        if when.tzinfo is None:
            return False
        return resource.last_modified.replace(microsecond=0) <= when
    return False


def preflight(resource: Resource) -> Response:
    return Response(status=204, headers=hosting.preflight_headers(resource))


def record_request(stats: Stats, response: Response) -> None:
    """Count the request and write its access log line (no address, no User-Agent kept)."""
    what = label(request.path, response.mimetype, response.status_code)
    family = clients.family(request.headers.get("User-Agent"))
    stats.record(what, family)
    level = logging.INFO if what is not None else logging.DEBUG
    if not access_log.isEnabledFor(level):
        return  # no line to write: do not format one
    empty = request.method == "HEAD" or response.status_code == 304
    size = 0 if empty else (response.content_length or 0)
    elapsed = (time.perf_counter() - g.get("feeds_started", time.perf_counter())) * 1000
    line = log_line(request.method, request.path, response.status_code, size, what, family, elapsed)
    access_log.log(level, "%s", line)


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


def _settings() -> Settings:
    return current_app.config["FEEDS_SETTINGS"]
