"""The Flask app: a thin shell that answers requests from the current site's ready bytes.

Nothing is rendered per request. Feeds get the HTTP behaviour calendar clients
need: a strong ETag from the body, Last-Modified, 304 on If-None-Match or
If-Modified-Since, HEAD, CORS, no redirects, no compression, no content
negotiation.
"""

from __future__ import annotations

from email.utils import format_datetime, parsedate_to_datetime

from flask import Flask, Response, current_app, jsonify, request
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config
from .config import Settings
from .site import Resource
from .store import Store

ALLOWED_METHODS = "GET, HEAD, OPTIONS"
HTML_SECURITY = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def create_app(settings: Settings | None = None, store: Store | None = None) -> Flask:
    """The WSGI app serving the definitions in ``settings.events_dir``."""
    settings = settings or config.from_env()
    app = Flask(__name__)
    app.config["FEEDS_SETTINGS"] = settings
    store = store or Store(settings)
    app.extensions["feeds_store"] = store
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n)

    @app.route("/healthz", methods=["GET", "HEAD"])
    def healthz():
        body, status = store.health()
        response = jsonify(body)
        response.status_code = status
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.route("/", defaults={"path": ""}, methods=["GET", "HEAD", "OPTIONS"], strict_slashes=False)
    @app.route("/<path:path>", methods=["GET", "HEAD", "OPTIONS"], strict_slashes=False)
    def serve(path: str):
        resource = store.site.get("/" + path)
        if resource is None:
            return not_found("/" + path)
        if request.method == "OPTIONS":
            return preflight(resource)
        return respond(resource)

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
    settings: Settings = _settings()
    headers = {
        "ETag": resource.etag,
        "Last-Modified": format_datetime(resource.last_modified, usegmt=True),
        "Cache-Control": f"public, max-age={settings.max_age}",
        "X-Content-Type-Options": "nosniff",
    }
    if resource.cors:
        headers["Access-Control-Allow-Origin"] = "*"
        headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
    if resource.download_name:
        headers["Content-Disposition"] = f'attachment; filename="{resource.download_name}"'
    if resource.media_type.startswith("text/html"):
        headers.update(HTML_SECURITY)
        headers["Cache-Control"] = "public, max-age=300"
    return headers


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
    response = Response(status=204)
    response.headers["Allow"] = ALLOWED_METHODS
    if resource.cors:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
        response.headers["Access-Control-Max-Age"] = "86400"
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
