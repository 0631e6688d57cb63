"""What every command prints the same way: JSON for machines, one progress line for people.

Shared by the direct path (``--local``, cmd_engine), the backend path (client/commands) and
``check``, so both paths of a command print exactly alike.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any


def emit_json(data: Any) -> None:
    """``--json`` output: indented, UTF-8 as is, one trailing newline."""
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    print()


def names_a_file(subject: str) -> bool:
    """A command's subject is a topology file when it exists or looks like one, else a name."""
    return os.path.exists(subject) or subject.endswith((".yaml", ".yml"))


def refuse_unconfirmed_apply(assume_yes: bool) -> int | None:
    """Ask before applying a shown plan; an exit code when the answer is not yes, else None.

    Off a terminal nobody can answer, so ``--yes`` is required (exit 2); "no" exits 1.
    """
    if assume_yes:
        return None
    if not sys.stdin.isatty():
        print("netwright: not applying without confirmation; add --yes", file=sys.stderr)
        return 2
    if input("Apply these changes? [y/N] ").strip().lower() not in ("y", "yes"):
        print("nothing changed")
        return 1
    return None


def report_applied(result: Any, as_json: bool) -> None:
    """The last words of a successful apply, the same on both paths."""
    if as_json:
        emit_json({**result.to_json(), "applied": True})
    else:
        print(f"applied {len(result.plan.steps)} step(s) in {result.seconds:.2f} s")


class TerminalProgress:
    """A one-line progress display on a terminal's stderr (nothing when not on one)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.shown = False

    def __call__(self, done: int, total: int, text: str) -> None:
        if not self.enabled:
            return
        line = f"[{done}/{total}] {text}"
        try:
            width = (os.get_terminal_size(sys.stderr.fileno()).columns or 80) - 1
        except OSError:
            width = 79
        sys.stderr.write("\r" + line[:width].ljust(width))
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
