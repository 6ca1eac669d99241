"""The HTTP headers of every resource: one policy for the live app and every static host.

:func:`headers_for` is the one place that decides a resource's response headers
(besides the validators ETag and Last-Modified, and Content-Type). The web app
sends exactly these, and :mod:`feeds.export.hosts` turns them into nginx and
``_headers`` configuration, so an export answers with the same headers as the
live server.
"""

from __future__ import annotations

from feeds.site.resources import Resource

ALLOWED_METHODS = "GET, HEAD, OPTIONS"
HTML_MAX_AGE = 300
_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
)
#: Security headers of every HTML page: no framing by other sites.
HTML_SECURITY = {
    "Content-Security-Policy": _CSP.format(ancestors="'none'"),
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
#: Embed pages (``/embed/...``) are made to be framed by any site.
EMBED_SECURITY = {
    "Content-Security-Policy": _CSP.format(ancestors="*"),
    "Referrer-Policy": "no-referrer",
}


def headers_for(resource: Resource, max_age: int) -> dict[str, str]:
    """The headers of a response for ``resource`` besides ETag, Last-Modified and Content-Type."""
    headers = {
        "Cache-Control": f"public, max-age={max_age}",
        "X-Content-Type-Options": "nosniff",
    }
    if resource.cors:
        headers["Access-Control-Allow-Origin"] = "*"
        headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
    if resource.download_name:
        headers["Content-Disposition"] = f'attachment; filename="{resource.download_name}"'
    if is_html(resource):
        headers["Cache-Control"] = f"public, max-age={HTML_MAX_AGE}"
        headers.update(EMBED_SECURITY if is_embeddable(resource) else HTML_SECURITY)
    return headers


def preflight_headers(resource: Resource) -> dict[str, str]:
    """The headers of the 204 answer to ``OPTIONS`` (a CORS preflight on feeds)."""
    headers = {"Allow": ALLOWED_METHODS}
    if resource.cors:
        headers.update(
            {
                "Access-Control-Allow-Origin": "*",
                "Access-Control-Allow-Methods": ALLOWED_METHODS,
                "Access-Control-Allow-Headers": "If-None-Match, If-Modified-Since",
                "Access-Control-Max-Age": "86400",
            }
        )
    return headers


def is_html(resource: Resource) -> bool:
    return resource.media_type.startswith("text/html")


def is_embeddable(resource: Resource) -> bool:
    """HTML other sites may frame: the site marks its ``/embed/...`` pages so."""
    return bool(getattr(resource, "embeddable", False))
