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
