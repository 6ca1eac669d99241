"""Errors that say where the problem is and how to fix it.

Every problem found in a definition file becomes a :class:`Problem` carrying
the file, the line, the event and a hint. Loading collects all of them and
raises one :class:`DefinitionError`, so a single run reports everything.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem: ``path:line: event 'id': what; how to fix``."""

    path: str
    line: int
    message: str
    hint: str = ""
    event: str | None = None
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
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
