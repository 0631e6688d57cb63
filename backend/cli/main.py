"""`netwright`: the designer when run with no command, the command line otherwise.

Each command lives in a module ``netwright.backend.cli.cmd_<name>`` with a
``register(subparsers)`` function that adds its parser and sets ``func`` to a callable taking
the parsed arguments and returning an exit code; ``commands.COMMANDS`` says which module
holds which command. A command builds its own module's parser only, and ``--help`` lists
the commands from that table without importing any of them. The GUI is imported only when
it is started, so the command line works on servers without Qt's libraries.

Those modules import only argparse-level things at the top and what a command runs (the
model, asyncio, the client, the engine) inside its function, so a command loads only its
own path. tests/cli/test_imports.py holds them to it.

A command process sets ``PYDANTIC_DISABLE_PLUGINS=__all__`` unless the environment already
says something: the first model built would otherwise read the entry points of every
installed distribution looking for pydantic plugins (5–10 ms of a ~300 ms `validate`).
Netwright's models use none, and a plugin some other package installed has no business
watching the validation of a topology. Setting it empty (``PYDANTIC_DISABLE_PLUGINS=``)
lets the plugins run again. What the command starts (ip, nft, dnsmasq, a lab backend)
inherits it, harmlessly.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from netwright.backend.cli.argparser import Parser, parse_command_line
from netwright.backend.cli.commands import COMMANDS
from netwright.backend.cli.suggested import suggestions_carry

if TYPE_CHECKING:
    from netwright.backend.topology.problems import TopologyError

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


def build_parser(commands: Iterable[str] | None = None) -> argparse.ArgumentParser:
    """The parser with the given commands' modules registered (every module if None).

    When no known command is asked for (``--help``, a mistyped command), every other command
    is listed by name and help line only, so ``--help`` shows them all and a mistyped
    command gets argparse's usual "invalid choice" error. A known command's parser has no
    stand-ins for the others: each is an ArgumentParser of its own (~0.2 ms apiece, mostly
    gettext looking for translations), and parsing that command never meets them.
    """
    parser = Parser(
        prog="netwright",
        description="Design, apply and check Linux virtual networks."
        " With no command, start the designer.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = COMMANDS if commands is None else [name for name in commands if name in COMMANDS]
    modules = {COMMANDS[name][0] for name in wanted}  # a module registers all its commands
    for name, (module_name, help_text) in COMMANDS.items():
        if module_name not in modules:
            if not modules or commands is None:
                subparsers.add_parser(name, help=help_text, add_help=False)
        elif name not in subparsers.choices:
            importlib.import_module(f"{__package__}.{module_name}").register(subparsers)
    return parser


def _is_gui_invocation(first: str) -> bool:
    """A file to open or a GUI option; a mistyped command still gets argparse's error."""
    if first in COMMANDS or first in ("-h", "--help"):
        return False
    return first.startswith("-") or first.endswith((".yaml", ".yml", ".json")) or (
        os.path.exists(first)
    )


def _misplaced_command(args: list[str]) -> str:
    """`netwright --lab plan FILE`: options before a command's name, which would start the
    designer (with "plan" as the file to open, or "no display" on a server). The sentence
    with the order that works, or "" when the arguments do not name a command."""
    import shlex

    for index, arg in enumerate(args[1:], start=1):
        if arg in COMMANDS and not os.path.exists(arg):
            fixed = [arg, *args[:index], *args[index + 1:]]
            return (f"'{arg}' is a command, so it comes first, before its options: netwright"
                    f" {shlex.join(fixed)}")
    return ""


def _in_order() -> None:
    """Make standard output line-buffered, as standard error is: written to a pipe or a file
    it kept its lines back until exit, so a command's closing sentence on stderr (adopt's
    "nothing adopted: confirm each object …") came before the list on stdout it is about."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(line_buffering=True)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0].startswith("-") and _misplaced_command(args_list):
        print(f"netwright: {_misplaced_command(args_list)}", file=sys.stderr)
        return EXIT_USAGE
    if not args_list or _is_gui_invocation(args_list[0]):
        # `netwright`, `netwright FILE.yaml`, `netwright --lab`: the designer.
        from netwright.gui.app import run as run_gui

        status: int = run_gui(args_list)
        return status
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")  # see the module's docstring
    parser = build_parser(args_list[:1])
    args = parse_command_line(parser, args_list)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    _in_order()
    with suggestions_carry(args):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    """The command's function; its failures become sentences and an exit status."""
    from netwright.backend.topology.problems import NetwrightError, TopologyError

    try:
        return int(args.func(args))
    except TopologyError as exc:
        for line in _problem_lines(exc):
            print(f"netwright: {line}", file=sys.stderr)
        return EXIT_PROBLEMS
    except NetwrightError as exc:
        print(f"netwright: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except BrokenPipeError:  # `netwright schema | head` is fine
        # what stdout still holds goes nowhere: flushed at exit into the closed pipe, it
        # failed again and the exit status became 120 (Python's documented remedy)
        _stdout_to_null()
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt as interrupted:  # its words say how a stopped job ended
        print(f"netwright: {str(interrupted) or 'interrupted'}", file=sys.stderr)
        return 130
    except OSError as exc:  # the output's disk is full, a file went: a sentence, no traceback
        if exc.filename is None:  # writing standard output failed: drop what it holds, or
            _stdout_to_null()     # its flush at exit fails again with Python's own words
        where = f": {exc.filename}" if exc.filename else ""
        print(f"netwright: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_PROBLEMS


PROBLEMS_SHOWN = 10
"""A file's errors a command other than validate lists before counting the rest."""


def _problem_lines(exc: TopologyError) -> list[str]:
    """Each error of a file a command refused, one a line as validate prints them: only the
    first, "(and 1 more)", left the others to a second run of validate."""
    errors = [p for p in exc.problems if p.severity == "error"]
    if not errors:
        return [str(exc)]
    lines = [p.render() for p in errors[:PROBLEMS_SHOWN]]
    if len(errors) > PROBLEMS_SHOWN:
        lines.append(f"… and {len(errors) - PROBLEMS_SHOWN} more errors: netwright validate"
                     " lists them all")
    return lines


def _stdout_to_null() -> None:
    with contextlib.suppress(OSError, ValueError):  # no file behind stdout (captured)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


if __name__ == "__main__":
    sys.exit(main())
