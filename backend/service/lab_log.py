"""The lab's log (``lab.log`` in its directory) stays bounded: above a size it becomes
``lab.log.1`` (the one previous file kept) and a new ``lab.log`` begins.

The lab writes its log on standard error, which whoever started it (the client, or systemd's
``StandardError=append:``) opened on lab.log; every apply step is a line there (5,400 for one
900-namespace apply) and nothing trimmed it. Nothing is dropped: the latest lines, those
``netwright lab status`` and a failed start point users to (read by path, from its end), are
always in lab.log, and the lines before them in lab.log.1. Rotation renames the file and puts
a new one under this process's standard output and error (``dup2``), checked before each
log record; a lab whose standard error is not its lab.log (``netwrightd --lab`` in a
terminal) is left alone.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from pathlib import Path

#: lab.log's size at which it is rotated (``NETWRIGHT_LAB_LOG_BYTES`` sets another).
LOG_BYTES = 1 << 20


def log_limit() -> int:
    try:
        return max(1024, int(os.environ.get("NETWRIGHT_LAB_LOG_BYTES", "")))
    except ValueError:
        return LOG_BYTES


def _writes_to(path: Path) -> os.stat_result | None:
    """Standard error's file if it is ``path`` (None: a terminal, a pipe, another file)."""
    try:
        there, ours = os.stat(path), os.fstat(2)
    except OSError:
        return None
    return ours if (there.st_dev, there.st_ino) == (ours.st_dev, ours.st_ino) else None


def rotate(path: Path) -> None:
    """``path`` becomes ``path.1`` (replacing the previous one) and standard output and error
    go on in a new ``path``."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os.replace(path, path.with_name(path.name + ".1"))
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)  # as open("a")
    try:
        os.dup2(fd, 1)
        os.dup2(fd, 2)
    finally:
        os.close(fd)


class _Bounded(logging.Filter):
    """Rotates the log before a record would go on past the limit (every record passes)."""

    def __init__(self, path: Path, limit: int) -> None:
        super().__init__()
        self.path = path
        self.limit = limit
        self.lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        with self.lock:  # two threads logging at once rotate once, never twice
            found = _writes_to(self.path)
            if found is not None and found.st_size >= self.limit:
                with contextlib.suppress(OSError):  # a log that cannot rotate still logs
                    rotate(self.path)
        return True


def bound_lab_log(path: Path) -> None:
    """Keep ``path`` (this lab's log) under ``log_limit()``: rotated now if it is over it
    already (what earlier labs wrote), then whenever a record would take it over."""
    limit = log_limit()
    found = _writes_to(path)
    if found is None:
        return
    if found.st_size >= limit:
        with contextlib.suppress(OSError):
            rotate(path)
    bounded = _Bounded(path, limit)
    for handler in logging.getLogger().handlers:
        handler.addFilter(bounded)
