"""The journal: intent written (and fsynced) before each batch of steps runs.

One file per running apply/destroy, ``<topology>.journal`` next to the state file. Its first
line says what to return to if the process dies (the previous topology for an apply, nothing
for a destroy); the following lines are the intents, for people reading a post-mortem. The
file is removed when the operation finished (or was rolled back). Finding one at start means
an operation was interrupted: recovery converges back to the recorded goal.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Journal:
    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd = fd

    @classmethod
    def begin(cls, path: Path, header: dict[str, Any]) -> Journal:
        """Create the journal with its header, durable before returning."""
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        journal = cls(path, fd)
        journal._write(header)
        _fsync_dir(path.parent)
        return journal

    def _write(self, record: dict[str, Any]) -> None:
        os.write(self._fd, (json.dumps(record, separators=(",", ":")) + "\n").encode())
        os.fsync(self._fd)

    def intent(self, texts: list[str]) -> None:
        self._write({"intent": texts})

    def finish(self) -> None:
        """The operation is complete (or fully rolled back): remove the journal."""
        os.close(self._fd)
        self.path.unlink(missing_ok=True)
        _fsync_dir(self.path.parent)


def read_header(path: Path) -> dict[str, Any] | None:
    """The first record of a journal, or None if it is empty or torn (nothing ran then)."""
    try:
        with path.open(encoding="utf-8") as handle:
            first = handle.readline()
        header = json.loads(first)
    except (OSError, ValueError):
        return None
    return header if isinstance(header, dict) else None
