"""`netwright`: the designer when run with no command, the command line otherwise.

Each command lives in its own module ``netwright.backend.cli.cmd_<name>`` with a
``register(subparsers)`` function that adds its parser and sets ``func`` to a callable taking
the parsed arguments and returning an exit code. The GUI is imported only when it is started,
so the command line works on servers without Qt's libraries.

Building the parser imports every ``cmd_*`` module, so those import only argparse-level things
at the top and what a command runs (the model, asyncio, the client, the engine) inside its
function: ``--help`` then starts in tens of milliseconds, and a command loads only its own
path. tests/cli/test_imports.py holds them to it.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

import netwright.backend.cli as cli_package
from netwright.backend.topology.problems import NetwrightError

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="netwright",
        description="Design, apply and check Linux virtual networks."
        " With no command, start the designer.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(cli_package.__path__), key=lambda m: m.name):
        if module_info.name.startswith("cmd_"):
            module = importlib.import_module(f"{cli_package.__name__}.{module_info.name}")
            module.register(subparsers)
    return parser


def _command_names(parser: argparse.ArgumentParser) -> set[str]:
    for action in parser._actions:  # argparse has no public accessor for subcommands
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


def _is_gui_invocation(first: str, commands: set[str]) -> bool:
    """A file to open or a GUI option; a mistyped command still gets argparse's error."""
    if first in commands or first in ("-h", "--help"):
        return False
    return first.startswith("-") or first.endswith((".yaml", ".yml", ".json")) or (
        os.path.exists(first)
    )


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not args_list or _is_gui_invocation(args_list[0], _command_names(parser)):
        # `netwright`, `netwright FILE.yaml`, `netwright --lab`: the designer.
        from netwright.gui.app import run as run_gui

        return run_gui(args_list)
    args = parser.parse_args(args_list)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args))
    except NetwrightError as exc:
        print(f"netwright: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except BrokenPipeError:  # `netwright schema | head` is fine
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print("netwright: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
