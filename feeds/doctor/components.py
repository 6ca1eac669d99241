"""An .ics file read into components and properties that remember their physical lines.

Used by the lint (:mod:`lint`) and the report; any publisher's bytes, read leniently:
what cannot be read becomes a :class:`Finding`, never an exception. Components nest no
deeper than :data:`MAX_DEPTH` (real feeds nest three: VCALENDAR > VEVENT > VALARM); the
parsers recurse, so the report gives them no file past it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

#: Deepest nesting of components read; deeper ones are left out, with a finding.
MAX_DEPTH = 10


@dataclass(frozen=True, order=True)
class Finding:
    """One problem: where, how bad, which rule, who it breaks and what to do."""

    line: int
    severity: str  # "error" or "warning"
    rule: str
    message: str
    breaks: str = ""
    fix: str = ""


@dataclass(frozen=True)
class Property:
    """One unfolded content line: upper-case name, parameters and the raw value."""

    line: int
    name: str
    params: dict[str, str] = field(compare=False)
    value: str


@dataclass(frozen=True)
class Component:
    """BEGIN..END with the line of its BEGIN."""

    name: str
    line: int
    properties: list[Property] = field(default_factory=list)
    children: list[Component] = field(default_factory=list)

    def first(self, name: str) -> Property | None:
        return next((p for p in self.properties if p.name == name), None)

    def walk(self, name: str) -> Iterator[Component]:
        return (c for c in descendants(self) if c.name == name)


def descendants(component: Component) -> Iterator[Component]:
    """Every component below ``component``, depth first in file order, without recursion."""
    stack = list(reversed(component.children))
    while stack:
        child = stack.pop()
        yield child
        stack.extend(reversed(child.children))


# --- reading --------------------------------------------------------------------------------


def unfolded(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Content lines with the physical line each starts on."""
    start, parts = 0, []
    for number, raw in enumerate(data.split(b"\n"), 1):
        raw = raw.removesuffix(b"\r")
        if raw[:1] in (b" ", b"\t") and parts:
            parts.append(raw[1:])
            continue
        if parts:
            yield start, b"".join(parts)
        start, parts = number, [raw] if raw else []
    if parts:
        yield start, b"".join(parts)


def _split(text: str, separator: str) -> list[str]:
    """Split on ``separator`` outside double quotes."""
    parts, current, quoted = [], [], False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    return [*parts, "".join(current)]


def _property(line: int, text: str) -> Property | None:
    quoted = False
    colon = None
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            colon = index
            break
    if colon is None:
        return None
    name, *params = _split(text[:colon], ";")
    pairs = (param.partition("=") for param in params)
    return Property(
        line=line,
        name=name.strip().upper(),
        params={key.upper(): value.strip('"') for key, _, value in pairs},
        value=text[colon + 1 :],
    )


def read_components(data: bytes) -> tuple[list[Component], list[Finding]]:
    """The component tree of ``data`` and what is wrong with its structure."""
    roots: list[Component] = []
    stack: list[Component] = []
    findings = []
    too_deep = False
    for line, content in unfolded(data):
        text = content.decode("utf-8", "replace")
        prop = _property(line, text)
        if prop is None:
            findings.append(
                Finding(
                    line,
                    "error",
                    "structure",
                    f"not a content line: {text[:40]!r}",
                    "every client",
                    "write NAME:VALUE, or fold the line",
                )
            )
        elif prop.name == "BEGIN":
            component = Component(prop.value.strip().upper(), line)
            if len(stack) < MAX_DEPTH:
                (stack[-1].children if stack else roots).append(component)
            elif not too_deep:  # kept on the stack for its END, left out of the tree
                too_deep = True
                findings.append(too_deep_finding(line))
            stack.append(component)
        elif prop.name == "END":
            name = prop.value.strip().upper()
            if name not in (c.name for c in stack):
                findings.append(
                    Finding(
                        line,
                        "error",
                        "structure",
                        f"END:{name} without BEGIN",
                        "every client",
                        "balance BEGIN and END",
                    )
                )
                continue
            while (component := stack.pop()).name != name:
                findings.append(
                    Finding(
                        component.line,
                        "error",
                        "structure",
                        f"BEGIN:{component.name} is not closed before the "
                        f"END:{name} of line {line}",
                        "every client",
                        f"add END:{component.name}",
                    )
                )
        elif stack:
            stack[-1].properties.append(prop)
        else:
            findings.append(
                Finding(
                    line,
                    "error",
                    "structure",
                    f"{prop.name} outside VCALENDAR",
                    "every client",
                    "move it inside BEGIN:VCALENDAR",
                )
            )
    for component in stack:
        findings.append(
            Finding(
                component.line,
                "error",
                "structure",
                f"BEGIN:{component.name} is never closed",
                "every client",
                f"add END:{component.name}",
            )
        )
    if not any(c.name == "VCALENDAR" for c in roots):
        findings.append(
            Finding(
                0,
                "error",
                "structure",
                "no BEGIN:VCALENDAR",
                "every client",
                "serve an iCalendar file",
            )
        )
    return roots, findings


def too_deep_finding(line: int) -> Finding:
    return Finding(
        line,
        "error",
        "depth",
        f"components are nested more than {MAX_DEPTH} deep here; the parsers were not run",
        "every client (readers recurse and may crash)",
        "nest VCALENDAR > VEVENT > VALARM, no deeper",
    )
