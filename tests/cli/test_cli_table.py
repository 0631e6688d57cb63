"""The command table (cli/commands.py) says what the command modules register.

``netwright --help`` lists commands from the table without importing their modules, and a
command builds only its own module's parser; both rely on the table being right.
"""

from __future__ import annotations

import argparse
import importlib

import pytest

from netwright.backend.cli.commands import COMMANDS
from netwright.backend.cli.main import build_parser, main


def _subcommands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:  # type: ignore[type-arg]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise AssertionError("no subcommands")


def test_the_table_lists_what_the_modules_register_in_order() -> None:
    registered = [(choice.dest, choice.help) for choice in
                  _subcommands(build_parser())._choices_actions]
    assert registered == [(name, help_text) for name, (_module, help_text) in COMMANDS.items()]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_command_is_registered_by_its_own_module(name: str) -> None:
    module = importlib.import_module(f"netwright.backend.cli.{COMMANDS[name][0]}")
    subparsers = argparse.ArgumentParser().add_subparsers()
    module.register(subparsers)
    assert name in subparsers.choices


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_command_alone_parses_as_in_the_full_parser(name: str) -> None:
    """The parser built for one command has that command's full options (its --help)."""
    alone = _subcommands(build_parser([name])).choices[name].format_help()
    assert alone == _subcommands(build_parser()).choices[name].format_help()


def test_help_lists_every_command_without_its_module(capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    listing = capsys.readouterr().out
    for name, (_module, help_text) in COMMANDS.items():
        assert f"    {name} " in listing
        assert help_text.split()[0] in listing


def test_a_mistyped_command_names_every_choice(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ended:
        main(["lisst"])
    assert ended.value.code == 2
    assert "invalid choice: 'lisst'" in capsys.readouterr().err


def test_a_known_commands_parser_makes_no_stand_ins_for_the_others() -> None:
    """Each stand-in is an ArgumentParser (~0.2 ms, mostly gettext): a known command's
    parser has its own module's commands only; --help and a mistyped command list all."""
    assert set(_subcommands(build_parser(["validate"])).choices) == {"validate"}
    engine = {name for name, (module, _help) in COMMANDS.items() if module == "cmd_engine"}
    assert set(_subcommands(build_parser(["list"])).choices) == engine
    assert set(_subcommands(build_parser(["lisst"])).choices) == set(COMMANDS)
    assert set(_subcommands(build_parser([])).choices) == set(COMMANDS)
