"""Relative links between pages: the shortcut in ``paths.relative`` gives posixpath's answer."""

from __future__ import annotations

import posixpath

from hypothesis import given
from hypothesis import strategies as st

from feeds.render import paths


def relpath_link(from_page: str, to: str) -> str:
    """The rule as it was first written, on ``posixpath.relpath``: the reference."""
    target, _, extra = to.partition("?")
    target, _, fragment = target.partition("#")
    base = from_page if from_page.endswith("/") else posixpath.dirname(from_page) + "/"
    rel = posixpath.relpath(target, base.rstrip("/") or "/")
    if target.endswith("/") and not rel.endswith("/"):
        rel += "/"
    if rel == "./" or rel == ".":
        rel = "./"
    return rel + (f"?{extra}" if extra else "") + (f"#{fragment}" if fragment else "")


segment = st.sampled_from(["calendars", "x", "feeds", "a.ics", "deadlines", "..", ".", "", "é"])
path = st.lists(segment, max_size=5).map(lambda parts: "/" + "/".join(parts))
suffix = st.sampled_from(["", "/", "?v=1", "#e-a", "/?q=1#f"])


@given(path, suffix, path, suffix)
def test_relative_is_posixpaths_relpath(page, page_end, target, target_end):
    from_page = page + ("/" if page_end == "/" else "")
    to = target + target_end
    assert paths.relative(from_page, to) == relpath_link(from_page, to)


def test_relative_links_of_the_site():
    assert paths.relative("/calendars/x/", "/static/site.css?v=1") == "../../static/site.css?v=1"
    assert paths.relative("/calendars/x/deadlines/", "/calendars/x/") == "../"
    assert paths.relative("/", "/") == "./"
    assert paths.relative("/embed/all/", "/embed/all/#today") == "./#today"
