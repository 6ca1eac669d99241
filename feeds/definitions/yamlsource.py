"""Reading a YAML file into plain data that remembers its line numbers.

Safe loading only (PyYAML's libyaml-backed ``CSafeLoader`` when present). Each
mapping comes back as a :class:`Located` dict that knows the line of itself and
of each key, so every later error can name its line. Problems YAML itself has
(syntax, duplicate keys, unsafe tags, several documents, oversized files) are
returned as located :class:`~feeds.errors.Problem`, never raised.
"""

from __future__ import annotations

import re

import yaml

from feeds.errors import Problem

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
#: Most values, and characters of text, that aliases may add to a file once expanded:
#: a few repeated anchors are fine, an exponential "billion laughs" is refused.
MAX_ALIAS_NODES = 100_000
MAX_ALIAS_CHARS = 1_000_000
#: Longest integer written in digits; Python refuses to convert more than 4,300.
MAX_INT_DIGITS = 100


class Located(dict):
    """A dict from YAML with ``line`` (of the mapping) and ``lines`` (of each key)."""

    line: int = 0
    lines: dict
    #: key -> the text of a plain number as written (``010``, ``0x1F``, ``3.10``): YAML 1.1
    #: reads those as 8, 31 and 3.1, but where text is expected the author meant the text.
    written: dict = {}  # (each mapping read gets its own)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)

    def as_written(self, key: str) -> object:
        """The value of ``key``; for a plain number, its text as written in the file."""
        return self.written.get(key, self.get(key))


class _Stop(Exception):
    """Raised inside the loader to abandon a file after a fatal problem."""

    def __init__(self, problem: Problem):
        self.problem = problem


class _Loader(_Base):
    def __init__(self, stream, path: str):
        super().__init__(stream)
        self.path = path
        self.problems: list[Problem] = []


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Located:
    own = {id(key) for key, _ in node.value if key.tag != "tag:yaml.org,2002:merge"}
    loader.flatten_mapping(node)
    mapping = Located()
    mapping.line = node.start_mark.line + 1
    mapping.lines = {}
    mapping.written = {}
    merged: set[str] = set()  # keys that came from a merge ("<<: *defaults") and may be overridden
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
        if id(key_node) not in own:
            merged.add(key)
        elif key in merged:
            merged.discard(key)  # a key of this mapping overrides the merged one
        elif key in mapping:
            loader.problems.append(
                Problem(
                    loader.path,
                    line,
                    f"key '{key}' appears twice in one mapping "
                    f"(first at line {mapping.lines[key]})",
                    "remove one of them; YAML would silently keep only the last",
                )
            )
        value = loader.construct_object(value_node, deep=True)
        if isinstance(value, int | float) and not isinstance(value, bool):
            mapping.written[key] = value_node.value
        mapping[key] = value
        mapping.lines[key] = line
    return mapping


def _construct_int(loader: _Loader, node: yaml.ScalarNode):
    # YAML 1.1 reads 17:00 as the base-60 number 1020. Nobody means that in a
    # calendar: keep the text, so "end: 17:00" is a time of day.
    if ":" in node.value:
        return node.value
    if len(node.value) > MAX_INT_DIGITS:
        return node.value  # text; a field wanting a number says it is not one
    return yaml.SafeLoader.construct_yaml_int(loader, node)


def _as_text_if_unreadable(construct):
    """A scalar constructor that keeps the text when it cannot make the value
    (``2026-02-30``, ``!!int abc``, ``!!bool maybe``): the loader then says what
    is wrong with it, at its line, instead of an exception escaping."""

    def wrapped(loader: _Loader, node: yaml.Node):
        try:
            return construct(loader, node)
        except (ValueError, TypeError, OverflowError, KeyError, AttributeError):
            if isinstance(node, yaml.ScalarNode):
                return node.value
            raise

    return wrapped


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
_Loader.add_constructor("tag:yaml.org,2002:int", _as_text_if_unreadable(_construct_int))
for _tag, _construct in (
    ("float", yaml.SafeLoader.construct_yaml_float),
    ("bool", yaml.SafeLoader.construct_yaml_bool),
    ("timestamp", yaml.SafeLoader.construct_yaml_timestamp),
):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _as_text_if_unreadable(_construct))
_Loader.add_constructor(None, lambda loader, node: _refuse(loader, None, node))


def read(data: bytes | str, path: str) -> tuple[object, list[Problem]]:
    """Parse one YAML document; return ``(data, problems)``. ``data`` is None if unusable."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            return None, [_too_big(path)]
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
            return None, [_too_big(path)]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, [Problem(path, line, "the file contains a NUL byte", "save it as UTF-8 text")]
    loader = _Loader(text, path)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [
                Problem(path, 1, "the file is empty", "add the calendar's name and events")
            ]
        if _ANCHOR.search(text):  # anchors, so maybe aliases: measure it as it will be built
            depth_problem = _check_shape(node, path)
        else:  # a plain tree: only its depth
            depth_problem = _check_depth(node, path)
        if depth_problem:
            return None, [depth_problem]
        value = loader.construct_document(node)
        if value is None:
            hint = "add the calendar's name and events"
            return None, [Problem(path, 1, "the file holds no calendar", hint)]
    except _Stop as stop:
        return None, [stop.problem]
    except yaml.reader.ReaderError as exc:
        return None, [_reader_problem(exc, text, path)]
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(exc, path, text)]
    except yaml.YAMLError as exc:
        return None, [Problem(path, 1, f"YAML error: {exc}", "fix the YAML syntax")]
    except RecursionError:
        return None, [
            Problem(path, 1, "the YAML nests too deeply", f"keep nesting under {MAX_DEPTH}")
        ]
    finally:
        loader.dispose()
    return value, loader.problems


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return node.value
    return []


#: Where an anchor (``&name``) may start; text without one has no aliases (an alias
#: needs an anchor), so only its depth is checked. A false match costs time only.
_ANCHOR = re.compile(r"(?:^|[\s,\[\]{}:?-])&[^\s,\[\]{}]", re.M)


def _check_depth(root: yaml.Node, path: str) -> Problem | None:
    """How deep a tree (no aliases) nests; scalars are never put on the stack."""
    collections = (yaml.MappingNode, yaml.SequenceNode)
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return _too_deep(node, path)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, collections):
                    stack.append((key, depth + 1))
                if isinstance(value, collections):
                    stack.append((value, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((c, depth + 1) for c in node.value if isinstance(c, collections))
    return None


def _check_shape(root: yaml.Node, path: str) -> Problem | None:
    """Refuse deep nesting and alias bombs before constructing anything."""
    seen: set[int] = set()
    aliases = 0
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return _too_deep(node, path)
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
        stack.extend((child, depth + 1) for child in _children(node))
    return _check_expansion(root, path) if aliases else None


def _check_expansion(root: yaml.Node, path: str) -> Problem | None:
    """With aliases, measure the data as it will be built: every alias expanded.

    Each node is measured once (values, characters of text, depth), so a
    "billion laughs" costs no more to measure than its file is long.
    """
    done: dict[int, tuple[int, int, int]] = {}  # id -> (values, characters, depth)
    active: set[int] = set()
    uses: dict[int, int] = {}
    distinct = [0, 0]
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack[-1]
        key = id(node)
        if key in done:
            stack.pop()
            continue
        children = _children(node)
        if key not in active:
            active.add(key)
            for child in children:
                uses[id(child)] = uses.get(id(child), 0) + 1
                if id(child) in active:
                    return Problem(
                        path,
                        child.start_mark.line + 1,
                        "an alias refers to the mapping or list it is part of",
                        "write the values out instead of the alias",
                    )
                if id(child) not in done:
                    stack.append(child)
            continue
        stack.pop()
        active.discard(key)
        chars = len(node.value) if isinstance(node, yaml.ScalarNode) else 0
        measured = [done[id(c)] for c in children]
        done[key] = (
            1 + sum(m[0] for m in measured),
            chars + sum(m[1] for m in measured),
            1 + max((m[2] for m in measured), default=0),
        )
        distinct[0] += 1
        distinct[1] += chars
    values, chars, depth = done[id(root)]
    if depth > MAX_DEPTH:
        node = root
        for _ in range(MAX_DEPTH):
            node = max(_children(node), key=lambda c: done[id(c)][2])
        return _too_deep(node, path)
    extra_values, extra_chars = values - distinct[0], chars - distinct[1]
    if extra_values > MAX_ALIAS_NODES or extra_chars > MAX_ALIAS_CHARS:
        repeated = [n for n in done if uses.get(n, 0) > 1]
        worst = max(repeated, key=lambda n: (uses[n] - 1) * (done[n][0] + done[n][1]))
        line = next(_nodes_with_id(root, worst)).start_mark.line + 1
        return Problem(
            path,
            line,
            f"aliases expand the YAML to {values:,} values and {chars:,} characters of text "
            f"(at most {MAX_ALIAS_NODES:,} values and {MAX_ALIAS_CHARS:,} characters may come "
            "from aliases)",
            "write the values out instead of repeating anchors",
        )
    return None


def _nodes_with_id(root: yaml.Node, wanted: int):
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) == wanted:
            yield node
        if id(node) not in seen:
            seen.add(id(node))
            stack.extend(_children(node))


def _too_deep(node: yaml.Node, path: str) -> Problem:
    return Problem(
        path,
        node.start_mark.line + 1,
        f"the YAML nests deeper than {MAX_DEPTH} levels",
        "definitions need only a few levels; flatten the structure",
    )


def _reader_problem(exc: yaml.reader.ReaderError, text: str, path: str) -> Problem:
    """A character YAML does not accept in a file (a control character, mostly)."""
    position = exc.position if isinstance(exc.position, int) else 0
    line = text[:position].count("\n") + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
    return Problem(
        path,
        line,
        f"the file contains the control character U+{code:04X}, column {column}",
        "remove it: text may hold tabs and line breaks but no other control characters",
    )


def _syntax_problem(exc: yaml.MarkedYAMLError, path: str, text: str = "") -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    column = f", column {mark.column + 1}" if mark else ""
    what = exc.problem or exc.context or "invalid YAML"
    hint = "fix the YAML syntax"
    lines = text.split("\n")
    at = lines[mark.line][mark.column : mark.column + 1] if mark and mark.line < len(lines) else ""
    if "expected a single document" in str(exc):
        what = "the file holds more than one YAML document"
        hint = "keep one calendar per file, without a second '---'"
    elif "nesting depth" in what:
        what = "the YAML nests too deeply"
        hint = f"definitions need only a few levels; keep nesting under {MAX_DEPTH}"
    elif "recursive" in what:
        what = "an alias refers to the mapping or list it is part of"
        hint = "write the values out instead of the alias"
    elif at == "\t" or "'\t'" in what or "tab character" in what:
        hint = "indent with spaces, not tabs"
    elif "could not find expected ':'" in what or "mapping values are not allowed" in what:
        hint = "check the indentation and that every key ends with ':' (quote text containing ': ')"
    return Problem(path, line, f"YAML syntax: {what}{column}", hint)


def _too_big(path: str) -> Problem:
    return Problem(
        path,
        1,
        f"the file is over the {MAX_BYTES:,}-byte limit",  # it is read no further
        "split the calendar into several files",
    )
