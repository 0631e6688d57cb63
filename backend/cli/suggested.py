"""Commands the CLI's sentences suggest carry the flags that chose the backend.

A sentence is written where its cause is found, often in netwrightd or the lab, which do not
know how the command was run: after ``netwright apply --lab x.yaml`` it said "netwright
destroy macvlan", which pasted asks the system backend about a deployment it does not have.
So the CLI rewrites, in one place, whatever it prints while a command runs: each suggested
``netwright COMMAND`` gets the ``--lab``, ``--local`` and ``--state-dir`` the user gave, those
the suggested command accepts (read from its own parser), unless the suggestion already
names a backend ("'netwright apply --lab'"). Binary output (``buffer``) is never touched.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import re
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from netwright.backend.cli.commands import COMMANDS

_SUGGESTED = re.compile(r"(?<![\w/.-])netwright ([a-z]+)(?: ([a-z]+))?")
_END = re.compile(r"['\"`)\n;,]")  # where a quoted or bracketed suggestion ends
_BACKEND_FLAGS = ("--lab", "--local", "--state-dir")


def backend_flags(args: argparse.Namespace) -> list[str]:
    """The flags of this command line that chose the backend, as a user would type them
    (``--state-dir`` absolute, so the suggestion works from any directory)."""
    flags = [flag for flag in ("--lab", "--local") if getattr(args, flag[2:], False) is True]
    state_dir = getattr(args, "state_dir", None)
    if state_dir is None:
        return flags
    import shlex  # only with --state-dir: no command's start-up pays for these
    from pathlib import Path

    if isinstance(state_dir, Path):
        path = str(state_dir.absolute())
        if shlex.quote(path) != path:  # double quotes: suggestions sit in single ones
            path = '"' + re.sub(r'(["$`\\])', r"\\\1", path) + '"'
        flags.append(f"--state-dir {path}")
    return flags


@functools.cache
def _accepted(command: str, action: str) -> tuple[int, frozenset[str]]:
    """How many words of ``netwright COMMAND ACTION`` name the command (1, or 2 when ACTION
    is one of COMMAND's own sub-commands, as ``dhcp leases``), and the options it accepts."""
    from netwright.backend.cli.main import build_parser

    parser: argparse.ArgumentParser | None = _chosen(build_parser([command]), command)
    words = 1
    if parser is not None and action:
        inner = _chosen(parser, action)
        if inner is not None:
            parser, words = inner, 2
    return words, frozenset(parser._option_string_actions if parser is not None else ())


def _chosen(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser | None:
    for action in parser._actions:  # argparse keeps its subparsers nowhere public
        if isinstance(action, argparse._SubParsersAction):
            found = action.choices.get(name)
            return found if isinstance(found, argparse.ArgumentParser) else None
    return None


def carried(text: str, flags: list[str]) -> str:
    """``text`` with each suggested command given those of ``flags`` it accepts.

    >>> carried("undo it: netwright destroy macvlan", ["--lab"])
    'undo it: netwright destroy --lab macvlan'
    >>> carried("(or 'netwright apply --lab')", ["--local"])
    "(or 'netwright apply --lab')"
    """
    if not flags or "netwright " not in text:
        return text
    out: list[str] = []
    done = 0
    for found in _SUGGESTED.finditer(text):
        command, action = found.group(1), found.group(2) or ""
        if command not in COMMANDS:
            continue
        words, options = _accepted(command, action)
        at = found.end(words)
        end = _END.search(text, at)
        rest = text[at:end.start() if end else len(text)]
        if any(flag in rest for flag in _BACKEND_FLAGS):
            continue  # the suggestion names its backend itself
        wanted = [flag for flag in flags if flag.split()[0] in options]
        if wanted:
            out += [text[done:at], " ", " ".join(wanted)]
            done = at
    return "".join(out) + text[done:]


class _Carrying:
    """A text stream that writes through ``carried``; everything else is the stream's own."""

    def __init__(self, stream: TextIO, flags: list[str]) -> None:
        self._stream = stream
        self._flags = flags

    def write(self, text: str) -> int:
        self._stream.write(carried(text, self._flags))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def suggestions_carry(args: argparse.Namespace) -> Iterator[None]:
    """While the body runs, what is printed on standard output and error suggests commands
    with the backend flags of ``args`` (nothing changes when it has none)."""
    flags = backend_flags(args)
    if not flags:
        yield
        return
    out, err = sys.stdout, sys.stderr
    sys.stdout = _Carrying(out, flags)
    sys.stderr = _Carrying(err, flags)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


def data_output() -> TextIO:
    """Standard output for data (``import``'s file, written as ``-o FILE`` would have it),
    never rewritten: the file is the same whichever way it is written."""
    out = sys.stdout
    return out._stream if isinstance(out, _Carrying) else out
