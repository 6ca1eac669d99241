"""The README cannot rot: every command, option and setting it must describe is there."""

from __future__ import annotations

import argparse
from dataclasses import fields
from pathlib import Path

import pytest

from feeds import cli, config

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_command_is_in_the_readme(name):
    assert f"feeds {name}" in README


@pytest.mark.parametrize(
    "option",
    sorted(
        {
            opt
            for sub in subcommands().values()
            for action in sub._actions
            for opt in action.option_strings
            if opt.startswith("--") and opt != "--help"
        }
    ),
)
def test_every_option_is_in_the_readme(option):
    assert option in README


@pytest.mark.parametrize("name", [f.name for f in fields(config.Settings)])
def test_every_setting_is_in_the_readme(name):
    assert config.PREFIX + name.upper() in README


def test_the_two_commands_are_in_the_readme():
    assert "make serve" in README and "make test" in README
    assert "make test" in (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
