"""Links people click: subscribe and add-to-calendar URLs for each client.

Formats and the evidence for them are in ``docs/compatibility.md``.
"""

from __future__ import annotations


def webcal(url: str) -> str:
    """The ``webcal://`` form of an http(s) feed URL (Apple Calendar, Outlook desktop)."""
    return "webcal://" + url.split("://", 1)[1]
