"""Errors that say where the problem is and how to fix it.

Every problem found in a definition file becomes a :class:`Problem` carrying
the file, the line, the event and a hint. Loading collects all of them and
raises one :class:`DefinitionError`, so a single run reports everything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Longest message kept: values quoted from a hostile file stay short in logs and /healthz.
MAX_MESSAGE = 500
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` with control characters written as escapes, cut to ``limit`` characters.

    Messages quote what a definition says; this keeps a quoted escape sequence
    from reaching a terminal and a quoted megabyte from reaching a log.
    """
    text = _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem: ``path:line: event 'id': what; how to fix``."""

    path: str
    line: int
    message: str
    hint: str = ""
    event: str | None = None
    severity: str = "error"  # or "warning"

    def __post_init__(self):
        object.__setattr__(self, "message", printable(self.message))
        object.__setattr__(self, "hint", printable(self.hint))
        if self.event is not None:
            object.__setattr__(self, "event", printable(self.event, 100))

    def __str__(self) -> str:
        path = printable(self.path, 1000)
        where = f"{path}:{self.line}" if self.line else path
        who = f" event '{self.event}':" if self.event else ""
        fix = f"; {self.hint}" if self.hint else ""
        label = "" if self.severity == "error" else f" {self.severity}:"
        return f"{where}:{label}{who} {self.message}{fix}"


class FeedsError(ValueError):
    """Base class of the errors this package raises for bad input."""


class DefinitionError(FeedsError):
    """A definition file (or several) has problems; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ConfigError(FeedsError):
    """A configuration value is wrong."""
