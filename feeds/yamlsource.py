"""Reading a YAML file into plain data that remembers its line numbers.

Safe loading only (PyYAML's libyaml-backed ``CSafeLoader`` when present). Each
mapping comes back as a :class:`Located` dict that knows the line of itself and
of each key, so every later error can name its line. Problems YAML itself has
(syntax, duplicate keys, unsafe tags, several documents, oversized files) are
returned as located :class:`~feeds.errors.Problem`, never raised.
"""

from __future__ import annotations

import yaml

from .errors import Problem

try:  # libyaml parses about nine times faster and still gives node positions
    _Base = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Base = yaml.SafeLoader

#: Largest definition file read, in bytes (a 50,000-event calendar is ~12 MB).
MAX_BYTES = 32 * 1024 * 1024
#: Deepest nesting of mappings and lists accepted.
MAX_DEPTH = 20
#: Most aliases (``*name``) one file may use; guards against "billion laughs".
MAX_ALIASES = 1000


class Located(dict):
    """A dict from YAML with ``line`` (of the mapping) and ``lines`` (of each key)."""

    line: int = 0
    lines: dict

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


class _Stop(Exception):
    """Raised inside the loader to abandon a file after a fatal problem."""

    def __init__(self, problem: Problem):
        self.problem = problem


class _Loader(_Base):
    def __init__(self, stream, path: str):
        super().__init__(stream)
        self.path = path
        self.problems: list[Problem] = []
        self.aliases = 0


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Located:
    loader.flatten_mapping(node)
    mapping = Located()
    mapping.line = node.start_mark.line + 1
    mapping.lines = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag == "tag:yaml.org,2002:bool":
            # YAML 1.1 reads the key "on" (as in "repeat: {on: [mo]}") as true: keep the word.
            key = key_node.value
        else:
            key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            loader.problems.append(
                Problem(loader.path, line, f"key {key!r} is not text", "write keys as plain words")
            )
            key = str(key)
        if key in mapping:
            loader.problems.append(
                Problem(
                    loader.path,
                    line,
                    f"key '{key}' appears twice in one mapping (first at line {mapping.lines[key]})",
                    "remove one of them; YAML would silently keep only the last",
                )
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = line
    return mapping


def _construct_int(loader: _Loader, node: yaml.ScalarNode):
    # YAML 1.1 reads 17:00 as the base-60 number 1020. Nobody means that in a
    # calendar: keep the text, so "end: 17:00" is a time of day.
    if ":" in node.value:
        return node.value
    return yaml.SafeLoader.construct_yaml_int(loader, node)


def _refuse(loader: _Loader, suffix, node) -> None:
    tag = node.tag if suffix is None else f"{node.tag}"
    raise _Stop(
        Problem(
            loader.path,
            node.start_mark.line + 1,
            f"the tag '{tag}' is not allowed",
            "definitions are plain data: remove the tag",
        )
    )


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor(None, lambda loader, node: _refuse(loader, None, node))


def read(data: bytes | str, path: str) -> tuple[object, list[Problem]]:
    """Parse one YAML document; return ``(data, problems)``. ``data`` is None if unusable."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            return None, [_too_big(path, len(data))]
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            return None, [
                Problem(
                    path,
                    line,
                    f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                    "save the file as UTF-8",
                )
            ]
    else:
        text = data.removeprefix("\ufeff")
        if len(text) > MAX_BYTES:
            return None, [_too_big(path, len(text))]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, [Problem(path, line, "the file contains a NUL byte", "save it as UTF-8 text")]
    loader = _Loader(text, path)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [Problem(path, 1, "the file is empty", "add the calendar's name and events")]
        depth_problem = _check_shape(node, path)
        if depth_problem:
            return None, [depth_problem]
        value = loader.construct_document(node)
    except _Stop as stop:
        return None, [stop.problem]
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(exc, path)]
    except yaml.YAMLError as exc:
        return None, [Problem(path, 1, f"YAML error: {exc}", "fix the YAML syntax")]
    except RecursionError:
        return None, [Problem(path, 1, "the YAML nests too deeply", f"keep nesting under {MAX_DEPTH}")]
    finally:
        loader.dispose()
    return value, loader.problems


def _check_shape(root: yaml.Node, path: str) -> Problem | None:
    """Refuse deep nesting and alias bombs before constructing anything."""
    seen: set[int] = set()
    aliases = 0
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return Problem(
                path,
                node.start_mark.line + 1,
                f"the YAML nests deeper than {MAX_DEPTH} levels",
                "definitions need only a few levels; flatten the structure",
            )
        if id(node) in seen:
            aliases += 1
            if aliases > MAX_ALIASES:
                return Problem(
                    path,
                    node.start_mark.line + 1,
                    f"the YAML uses more than {MAX_ALIASES} aliases",
                    "write the values out instead of repeating anchors",
                )
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
    return None


def _syntax_problem(exc: yaml.MarkedYAMLError, path: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    column = f", column {mark.column + 1}" if mark else ""
    what = exc.problem or exc.context or "invalid YAML"
    hint = "fix the YAML syntax"
    if "expected a single document" in str(exc):
        what = "the file holds more than one YAML document"
        hint = "keep one calendar per file, without a second '---'"
    elif "\t" in what or "tab" in what:
        hint = "indent with spaces, not tabs"
    elif "could not find expected ':'" in what or "mapping values are not allowed" in what:
        hint = "check the indentation and that every key ends with ':' (quote text containing ': ')"
    return Problem(path, line, f"YAML syntax: {what}{column}", hint)


def _too_big(path: str, size: int) -> Problem:
    return Problem(
        path,
        1,
        f"the file is {size:,} bytes, over the {MAX_BYTES:,}-byte limit",
        "split the calendar into several files",
    )
