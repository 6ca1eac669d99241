"""Whether a robots.txt lets a crawler fetch a path, as RFC 9309 (and Google) read it.

:mod:`urllib.robotparser` takes the first rule that matches and knows no wildcards, so for
``Disallow: /`` then ``Allow: /feeds/`` it says no where Google says yes; a site that opens
only its feeds to crawlers is written exactly that way. So: the groups naming the crawler's
token (case-insensitive; all such groups together), else the ``*`` groups; of their rules the
longest pattern that matches wins, ``Allow`` on a tie; ``*`` matches any run of characters and
a final ``$`` the end of the path; an empty ``Disallow`` is no rule; ``/robots.txt`` itself is
always allowed.
"""

from __future__ import annotations

import urllib.parse


def allowed(robots: str, token: str, path: str) -> bool:
    """Whether the crawler whose product token is ``token`` may fetch ``path`` (with query)."""
    path = _normal(path or "/")
    if path == "/robots.txt":
        return True
    groups = _groups(robots)
    name = token.lower()
    rules = [rule for agents, group in groups if name in agents for rule in group]
    if not any(name in agents for agents, _ in groups):
        rules = [rule for agents, group in groups if "*" in agents for rule in group]
    best: tuple[int, bool] | None = None  # (length of the pattern, allow)
    for allow, pattern in rules:
        if _matches(pattern, path):
            candidate = (len(pattern), allow)
            if best is None or candidate > best:  # longer wins; at equal length True > False
                best = candidate
    return True if best is None else best[1]


def _groups(robots: str) -> list[tuple[set[str], list[tuple[bool, str]]]]:
    """(user-agents, [(allow, pattern)]) for each group, in order."""
    groups: list[tuple[set[str], list[tuple[bool, str]]]] = []
    in_rules = True  # a user-agent line after rules opens a new group
    for raw in robots.splitlines():
        line = raw.split("#", 1)[0].strip()
        key, colon, value = line.partition(":")
        if not colon:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "user-agent":
            if in_rules or not groups:
                groups.append((set(), []))
                in_rules = False
            groups[-1][0].add(value.lower())
        elif key in ("allow", "disallow") and groups:
            in_rules = True
            if value:
                groups[-1][1].append((key == "allow", _normal(value)))
    return groups


def _normal(path: str) -> str:
    """Percent-escapes decoded (except of ``/``, ``*`` and ``$``), so both sides compare alike."""
    return urllib.parse.unquote(path.replace("%2F", "%252F").replace("%2f", "%252f"))


def _matches(pattern: str, path: str) -> bool:
    """``pattern`` (``*`` wildcards, a final ``$``) against the start of ``path``.

    Leftmost-first search for each piece between wildcards: linear in the path, where a
    regular expression could backtrack for ever on a hostile file's ``*a*a*a*a...``.
    """
    anchored = pattern.endswith("$")
    pieces = (pattern[:-1] if anchored else pattern).split("*")
    if not path.startswith(pieces[0]):
        return False
    at = len(pieces[0])
    if len(pieces) == 1:
        return at == len(path) if anchored else True
    for piece in pieces[1:-1]:
        found = path.find(piece, at)
        if found < 0:
            return False
        at = found + len(piece)
    last = pieces[-1]
    if anchored:
        return len(path) - len(last) >= at and path.endswith(last)
    return path.find(last, at) >= 0
