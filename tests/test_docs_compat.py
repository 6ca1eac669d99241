"""docs/compatibility.md cannot rot: every test it names exists, and every rule names one."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from . import test_interop

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "compatibility.md").read_text(encoding="utf-8")
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


@cache
def defined_in(path: str) -> frozenset[str]:
    """Names of the test functions defined at the top level of a test file."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return frozenset(
        node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    )


@pytest.mark.parametrize("path, name", sorted(set(REFERENCE.findall(DOC))))
def test_every_test_the_document_names_exists(path, name):
    assert (ROOT / path).is_file(), f"docs/compatibility.md names {path}, which does not exist"
    assert name in defined_in(path), f"docs/compatibility.md names {path}::{name}: not there"


def test_every_rule_in_a_table_is_proved_by_a_named_test():
    rules_part = DOC.split("## Where the parsers are wrong", 1)[0]
    rows = [
        line
        for line in rules_part.splitlines()
        if line.startswith("| ") and not line.startswith("| rule ")
    ]
    assert len(rows) >= 25
    for row in rows:
        assert REFERENCE.search(row.split("|")[-2]), f"no test named for: {row[:80]}"


def test_every_known_parser_quirk_is_documented():
    section = DOC.split("## Where the parsers are wrong", 1)[1]
    for parser in {*test_interop.KNOWN_QUIRKS, *test_interop.TEXT_QUIRKS}:
        assert f"| {parser} " in section, f"{parser}'s quirks are not in docs/compatibility.md"
