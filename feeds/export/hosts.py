"""Static-host configs (nginx, Netlify/Cloudflare ``_headers``) that reproduce the live headers.

:func:`headers_for` is the one place that decides a resource's response
headers (besides the validators ETag and Last-Modified, and Content-Type):
the live app sends exactly these, and :func:`files_for` turns them into
configuration for static hosts, so an export served by nginx, Netlify or
Cloudflare Pages answers with the same headers as the live server.

The configs are derived from the site's actual resources, not written by
hand: resources are grouped by the shape of their path (first segment
literal, then one placeholder per segment) and a group is split into
literal sub-groups until every resource in a group has the same headers.
Groups never overlap, so no host merges two rules' values for one response.

Two files are written into the export (``feeds build OUT``):

``_headers``
    Netlify and Cloudflare Pages format, read by those hosts from the publish
    folder and not served.
``_nginx.conf``
    ``location`` blocks to ``include`` inside an nginx ``server`` whose
    ``root`` is the export folder. It lives inside the export on purpose: it
    is versioned and swapped with the files it describes, and it refuses to
    serve itself and ``_headers``. nginx reads it only at (re)load.

Documented differences from the live app: nginx makes its own ETag (hex
mtime and size; the export sets every file's mtime to the resource's
Last-Modified so nginx's Last-Modified is the live one); ``_headers`` sends
``Content-Disposition: attachment`` without the file name, because Netlify
does not substitute placeholders in header values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from feeds.site.resources import Resource, Site
from feeds.site.response_headers import headers_for, preflight_headers

HEADERS_FILE = "_headers"
NGINX_FILE = "_nginx.conf"
#: Cloudflare Pages reads at most this many rules.
MAX_HEADER_RULES = 100


def file_path(url_path: str) -> str:
    """Where a URL path lives in an export: ``/`` -> ``index.html``, ``/a/`` -> ``a/index.html``."""
    relative = url_path.lstrip("/")
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    return relative


def files_for(site: Site) -> dict[str, str]:
    """``{file name: text}`` of the static-host configs for ``site``, to write beside its files."""
    settings = getattr(site, "settings", None)
    if settings is None:
        raise ValueError("the site carries no settings; build it with site.assemble()")
    resources = list(site.resources.values())
    return {
        HEADERS_FILE: headers_file(resources, settings.max_age),
        NGINX_FILE: nginx_conf(resources, settings.max_age),
    }


# -- grouping resources into non-overlapping rules ----------------------------

_TEMPLATE = "\0segments"  # the download name is the path's segments after the first, joined by "-"


@dataclass(frozen=True)
class Rule:
    """Resources whose paths share ``literal`` and then ``depth - len(literal)`` placeholders."""

    literal: tuple[str, ...]
    depth: int
    profile: tuple[tuple[str, str], ...]  # the headers, Content-Type included, sorted
    paths: tuple[str, ...]

    @property
    def exact(self) -> bool:
        return len(self.literal) == self.depth

    def header(self, name: str) -> str | None:
        return dict(self.profile).get(name)


def _profile(
    resource: Resource, segments: tuple[str, ...], max_age: int, drop_filename: bool
) -> tuple:
    headers = headers_for(resource, max_age)
    headers["Content-Type"] = resource.media_type
    if resource.download_name:
        if drop_filename:
            headers["Content-Disposition"] = "attachment"
        elif resource.download_name == "-".join(segments[1:]):
            headers["Content-Disposition"] = _TEMPLATE
    return tuple(sorted(headers.items()))


def group(
    resources: Iterable[Resource],
    segments_of: Callable[[Resource], tuple[str, ...]],
    max_age: int,
    drop_filename: bool = False,
) -> list[Rule]:
    """Non-overlapping rules covering ``resources``, each with one set of headers."""
    by_depth: dict[int, list[tuple[tuple[str, ...], tuple, str]]] = {}
    for resource in resources:
        segments = segments_of(resource)
        profile = _profile(resource, segments, max_age, drop_filename)
        by_depth.setdefault(len(segments), []).append((segments, profile, resource.path))
    rules: list[Rule] = []
    for depth in sorted(by_depth):
        rules.extend(_split(by_depth[depth], (), depth))
    return sorted(rules, key=lambda r: (r.literal, r.depth))


def _split(entries: list, literal: tuple[str, ...], depth: int) -> list[Rule]:
    profiles = {profile for _, profile, _ in entries}
    if (len(profiles) == 1 and literal) or len(literal) == depth:
        # one profile (at least the first segment literal), or nothing left to split on
        if len(profiles) > 1:  # pragma: no cover - two resources at one path cannot happen
            raise ValueError(f"resources at {'/'.join(literal)} have different headers")
        paths = tuple(sorted(path for _, _, path in entries))
        return [Rule(literal, depth, profiles.pop(), paths)]
    children: dict[str, list] = {}
    for entry in entries:
        children.setdefault(entry[0][len(literal)], []).append(entry)
    out: list[Rule] = []
    for segment in sorted(children):
        out.extend(_split(children[segment], (*literal, segment), depth))
    return out


def url_segments(resource: Resource) -> tuple[str, ...]:
    """``/events/a/b.ics`` -> ``("events", "a", "b.ics")``; a trailing slash adds nothing."""
    stripped = resource.path.strip("/")
    return tuple(stripped.split("/")) if stripped else ()


def file_segments(resource: Resource) -> tuple[str, ...]:
    """The segments of the file nginx ends up serving (``/a/`` is ``/a/index.html``)."""
    return tuple(file_path(resource.path).split("/"))


# -- Netlify / Cloudflare Pages -----------------------------------------------


def headers_file(resources: Iterable[Resource], max_age: int) -> str:
    """A ``_headers`` file (Netlify, Cloudflare Pages) giving each resource its headers."""
    rules = group(resources, url_segments, max_age, drop_filename=True)
    lines = [
        "# Generated by 'feeds build': response headers for Netlify and Cloudflare Pages.",
        "# Rules never overlap, so no header is sent twice. Differences from the live",
        "# app: the host makes its own ETag; single-event downloads say",
        "# 'Content-Disposition: attachment' without a file name (the browser uses",
        "# the URL's last segment).",
    ]
    if len(rules) > MAX_HEADER_RULES:
        lines.append(
            f"# WARNING: {len(rules)} rules; Cloudflare Pages reads the first {MAX_HEADER_RULES}."
        )
    for rule in rules:
        lines.append("")
        lines.append(headers_pattern(rule))
        for name, value in rule.profile:
            lines.append(f"  {name}: {value}")
    return "\n".join(lines) + "\n"


def headers_pattern(rule: Rule) -> str:
    parts = list(rule.literal) + [f":p{i}" for i in range(len(rule.literal), rule.depth)]
    if not parts:
        return "/"
    pattern = "/" + "/".join(parts)
    if all(path.endswith("/") for path in rule.paths):
        pattern += "/"  # pages are folders: match their canonical URL
    return pattern


# -- nginx ----------------------------------------------------------------------


def nginx_conf(resources: Iterable[Resource], max_age: int) -> str:
    """``location`` blocks for an nginx ``server`` whose ``root`` is the export folder."""
    resources = list(resources)
    rules = group(resources, file_segments, max_age)
    out = [
        "# Generated by 'feeds build': include inside the server block that serves this",
        "# export, before any other regex location, for example:",
        "#",
        "#   server {",
        "#       listen 80;",
        "#       server_name feeds.example.org;",
        "#       root /srv/feeds/site;          # the export (a symlink swapped by each build)",
        "#       include /srv/feeds/site/_nginx.conf;",
        "#   }",
        "#",
        "# Every resource gets the live app's Content-Type, Cache-Control, CORS,",
        "# Content-Disposition and security headers; feeds are never gzipped.",
        "# nginx's ETag is its own (mtime-size); Last-Modified is the live one because",
        "# the export sets each file's mtime to it.",
        "",
        "index index.html;",
        "if_modified_since before;",
        "etag on;",
        "",
        f"location = /{HEADERS_FILE} {{ return 404; }}",
        f"location = /{NGINX_FILE} {{ return 404; }}",
    ]
    for rule in rules:
        out.append("")
        out.extend(_nginx_location(rule, resources))
    folders = {tuple(preflight_headers(r).items()) for r in resources if r.path.endswith("/")}
    if len(folders) == 1:
        # "/a/" is served by an internal redirect to "/a/index.html", which GET and HEAD
        # follow but OPTIONS does not: answer it here.
        out += [
            "",
            "# OPTIONS on pages (folders)",
            'location ~ "/$" {',
            "    if ($request_method = OPTIONS) {",
        ]
        out += [f"        add_header {name} {_quote(value)};" for name, value in folders.pop()]
        out += ["        return 204;", "    }", "}"]
    return "\n".join(out) + "\n"


def _nginx_location(rule: Rule, resources: list[Resource]) -> list[str]:
    if rule.exact:
        head = f"location = /{'/'.join(rule.literal)} {{"
        captures: list[str] = []
    else:
        pieces = [re.escape(s) for s in rule.literal]
        captures = [f"s{i}" for i in range(len(rule.literal), rule.depth)]
        pieces += [f"(?<{name}>[^/]+)" for name in captures]
        head = f'location ~ "^/{"/".join(pieces)}$" {{'
    values = dict(rule.profile)
    media_type = values.pop("Content-Type")
    lines = [
        f"# {len(rule.paths)} resource(s), e.g. {rule.paths[0]}",
        head,
        "    types { }",
        f"    default_type {_quote(media_type)};",
        "    charset off;",
    ]
    if media_type.startswith("text/calendar"):
        lines.append("    gzip off;")
    for name, value in values.items():
        if value == _TEMPLATE:
            parts = [
                rule.literal[i]
                if i < len(rule.literal)
                else f"${{{captures[i - len(rule.literal)]}}}"
                for i in range(1, rule.depth)
            ]
            value = 'attachment; filename="' + "-".join(parts) + '"'
            lines.append(f"    add_header {name} {_quote(value, variables=True)};")
        else:
            lines.append(f"    add_header {name} {_quote(value)};")
    sample = next(r for r in resources if r.path == rule.paths[0])
    lines.append("    if ($request_method = OPTIONS) {")
    for name, value in preflight_headers(sample).items():
        lines.append(f"        add_header {name} {_quote(value)};")
    lines.append("        return 204;")
    lines.append("    }")
    lines.append("}")
    return lines


def _quote(value: str, variables: bool = False) -> str:
    """An nginx string literal; ``$`` only where ``variables`` are meant."""
    if "$" in value and not variables:
        raise ValueError(f"a header value for nginx cannot contain '$': {value!r}")
    if any(c in value for c in "\r\n\0"):
        raise ValueError(f"a header value cannot contain line breaks: {value!r}")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
