"""argparse's parser, sized to the terminal as argparse sizes it, without importing shutil.

argparse builds a help formatter for every argument it adds (to check its metavar), and the
formatter asks ``shutil.get_terminal_size`` for the width: importing shutil loads bz2, lzma
and zlib, ~3 ms of every command's start-up (issue 23). ``Parser`` gives the formatter the
same width from ``os`` directly ($COLUMNS, else the terminal's, else 80, less argparse's 2).
Subparsers are made of the same class (argparse uses the parent's class).

``parse_command_line`` reports an unknown option with the usage of the command it was given
to, not the top-level usage argparse shows for it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

FALLBACK_COLUMNS = 80


def terminal_columns() -> int:
    """The width ``shutil.get_terminal_size().columns`` would say."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = FALLBACK_COLUMNS
    return columns or FALLBACK_COLUMNS


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose help formatter is given the terminal's width, and whose
    errors about a command or an action name the ones there are."""

    def _get_formatter(self) -> argparse.HelpFormatter:
        # argparse's own stubs give formatter_class only ``prog``; every HelpFormatter takes width
        formatter: Callable[..., argparse.HelpFormatter] = self.formatter_class
        return formatter(prog=self.prog, width=terminal_columns() - 2)

    def error(self, message: str) -> NoReturn:
        super().error(message + self._choices_hint(message))

    def _choices_hint(self, message: str) -> str:
        """`netwright lab` ("the following arguments are required: ACTION") gets the actions
        there are, which its usage hides behind ACTION; `netwright aply` the command meant."""
        for action in self._actions:
            if not isinstance(action, argparse._SubParsersAction):
                continue
            names = list(action.choices)
            if message.endswith(f"required: {action.metavar}"):
                listed = f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else names[0]
                return f" ({listed})"
            if "invalid choice: '" in message:
                from difflib import get_close_matches  # an error's path only: no start-up cost

                given = message.split("invalid choice: '", 1)[1].split("'", 1)[0]
                meant = get_close_matches(given, names, n=1)
                return f"; did you mean '{meant[0]}'?" if meant else ""
        return ""


def parse_command_line(parser: argparse.ArgumentParser, args: Sequence[str]) -> argparse.Namespace:
    """``parser.parse_args(args)``, but arguments no parser knows are the error of the command
    they follow (``netwright destroy --force x``: "usage: netwright destroy …"). argparse's
    subparsers leave what they do not know to the top-level parser, whose error shows its
    own usage, which says nothing about the command's options."""
    parsed, extras = parser.parse_known_args(args)
    if extras:
        _command_parser(parser, parsed).error(f"unrecognized arguments: {' '.join(extras)}")
    return parsed


def _command_parser(parser: argparse.ArgumentParser,
                    parsed: argparse.Namespace) -> argparse.ArgumentParser:
    """The innermost command's parser that ``parsed`` went through (``parser`` itself when
    no command was given)."""
    for action in parser._actions:  # argparse keeps its subparsers nowhere public
        if isinstance(action, argparse._SubParsersAction):
            chosen = action.choices.get(getattr(parsed, action.dest, None) or "")
            if isinstance(chosen, argparse.ArgumentParser):
                return _command_parser(chosen, parsed)
    return parser
