"""The package's shape, as docs/architecture.md states it: imports flow one way, sizes stay small.

These are the rules a newcomer relies on to find things; each test names the module that
breaks one, so a change that does is told where and why.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "feeds"

#: Lowest first. A module may import from its own layer or a lower one, never a higher one.
LAYERS = (
    ("feeds", "feeds.errors", "feeds.timefmt", "feeds.gctune"),
    ("feeds.tz",),
    ("feeds.model",),
    ("feeds.occurrences", "feeds.scope"),
    ("feeds.definitions",),
    ("feeds.config",),
    ("feeds.revisions",),
    ("feeds.render",),
    ("feeds.site",),
    ("feeds.serve", "feeds.export", "feeds.doctor", "feeds.importers"),
    ("feeds.cli",),
)
#: Shells side by side: none imports another.
SIBLING_SHELLS = ("feeds.serve", "feeds.export", "feeds.doctor", "feeds.importers")
#: Third-party packages only one part of the package may import.
OWNERS = {
    "pytz": ("feeds.tz.database",),
    "flask": ("feeds.serve",),
    "gunicorn": (),
    "argparse": ("feeds.cli",),
    "yaml": ("feeds.definitions.yamlsource",),
    "jinja2": ("feeds.render",),
    "segno": ("feeds.render",),
}
MAX_MODULE_LINES = 600
MAX_CLASS_LINES = 300
MAX_MODULES_PER_FOLDER = 12


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int:
    best, found = -1, None
    for index, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > best:
                best, found = len(name), index
    assert found is not None, f"{module} is in no layer of tests/test_architecture.py"
    return found


def area_of(module: str) -> str:
    """The layer entry a module belongs to (its subpackage, or the module itself)."""
    names = [n for layer in LAYERS for n in layer if module == n or module.startswith(n + ".")]
    return max(names, key=len)


def imports_of(path: Path, module: str) -> list[tuple[str, int]]:
    """``(imported module, line)`` for every import outside ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text("utf-8"))
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            guarded.update(id(n) for n in ast.walk(node))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if id(node) in guarded:
            continue
        if isinstance(node, ast.Import):
            out.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            out.append((target, node.lineno))
            for alias in node.names:  # "from feeds.render import ics" imports feeds.render.ics
                if f"{target}.{alias.name}" in MODULES:
                    out.append((f"{target}.{alias.name}", node.lineno))
    return out


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_flow_one_way(module):
    own = layer_of(module)
    for target, line in imports_of(MODULES[module], module):
        if not (target == "feeds" or target.startswith("feeds.")):
            continue
        where = f"{MODULES[module].relative_to(PACKAGE.parent)}:{line}"
        assert layer_of(target) <= own, f"{where}: {module} imports {target}, a higher layer"
        mine, theirs = area_of(module), area_of(target)
        if mine in SIBLING_SHELLS and theirs in SIBLING_SHELLS:
            assert mine == theirs, f"{where}: {mine} imports the shell {theirs}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_third_party_packages_have_one_owner(module):
    for target, line in imports_of(MODULES[module], module):
        top = target.split(".")[0]
        owners = OWNERS.get(top)
        if owners is None:
            continue
        assert any(module == o or module.startswith(o + ".") for o in owners), (
            f"{MODULES[module].relative_to(PACKAGE.parent)}:{line}: {module} imports {top}, "
            f"which only {', '.join(owners) or 'nothing in feeds'} may import"
        )


def test_there_is_no_import_cycle():
    graph = {
        m: {t for t, _ in imports_of(p, m) if t in MODULES and t != m} for m, p in MODULES.items()
    }
    # A package's __init__ re-exporting its modules is not a cycle of concepts: skip the
    # edge from a module to its own package's __init__ when only the names are re-exported.
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if node.startswith(target + "."):
                continue  # a module importing its own package (for a sibling) is not a cycle
            if state.get(target) == 1:
                cycle = path[path.index(target) :] + [target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if state.get(target) is None:
                visit(target)
        path.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_and_classes_stay_small(module):
    path = MODULES[module]
    text = path.read_text("utf-8")
    lines = text.count("\n")
    assert lines <= MAX_MODULE_LINES, f"{path.name}: {lines} lines (at most {MAX_MODULE_LINES})"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef):
            size = node.end_lineno - node.lineno + 1
            assert size <= MAX_CLASS_LINES, (
                f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: class {node.name} is "
                f"{size} lines (at most {MAX_CLASS_LINES})"
            )


def test_no_folder_holds_more_than_twelve_modules():
    for folder in {p.parent for p in MODULES.values()}:
        count = len([p for p in folder.glob("*.py") if p.name != "__init__.py"])
        assert count <= MAX_MODULES_PER_FOLDER, f"{folder}: {count} modules"


@pytest.mark.parametrize(
    "package", sorted(m for m, p in MODULES.items() if p.name == "__init__.py")
)
def test_every_package_says_what_it_owns_and_may_import(package):
    doc = ast.get_docstring(ast.parse(MODULES[package].read_text("utf-8"))) or ""
    assert len(doc) > 80 and "TODO" not in doc, f"{package}: no docstring saying what it owns"
    if package != "feeds":
        assert "import" in doc, f"{package}: the docstring does not say what it may import"
