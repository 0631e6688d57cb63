"""The machine's processes, as the tests look among them for the ones they started."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path


def command_lines() -> Iterator[tuple[int, list[bytes]]]:
    """(pid, argv) of every other process whose command line can still be read."""
    me = os.getpid()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            argv = Path(entry.path, "cmdline").read_bytes().split(b"\0")
        except OSError:  # gone meanwhile
            continue
        yield int(entry.name), argv


def naming(path: Path) -> Iterator[tuple[int, list[bytes]]]:
    """The processes whose command line names ``path`` (or a file below it)."""
    wanted = str(path).encode()
    return ((pid, argv) for pid, argv in command_lines() if any(wanted in a for a in argv))
