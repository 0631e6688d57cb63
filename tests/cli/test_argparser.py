"""cli/argparser.py: help is wrapped exactly as argparse wraps it, without shutil.

argparse's own formatter sizes help by ``shutil.get_terminal_size``; ``Parser`` computes the
same width itself so no command imports shutil (tests/cli/test_imports.py). The two must
wrap every help text alike, at any $COLUMNS and with no terminal at all.
"""

from __future__ import annotations

import argparse

import pytest

from netwright.backend.cli.argparser import Parser


def _help(parser_class: type[argparse.ArgumentParser]) -> str:
    parser = parser_class(prog="netwright", description="Design, apply and check Linux virtual"
                          " networks. With no command, start the designer." * 3)
    parser.add_argument("--state-dir", metavar="DIR", help="where deployments are recorded,"
                        " one file each, with every object the apply made" * 2)
    sub = parser.add_subparsers(dest="command").add_parser("apply", help="apply a topology")
    sub.add_argument("file", help="the topology file to apply, as YAML, checked in full first")
    return parser.format_help() + sub.format_help()


@pytest.mark.parametrize("columns", ["40", "80", "137", "0", "wide", None])
def test_help_wraps_as_argparse_does(monkeypatch: pytest.MonkeyPatch, columns: str | None,
                                     ) -> None:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)  # and pytest's stdout is no terminal
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert _help(Parser) == _help(argparse.ArgumentParser)
