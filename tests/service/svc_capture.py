"""Capture helpers for the service tests: a directory the test users may write into, and
the packet sockets open in one of the daemon's namespaces (read from /proc/net/packet)."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from svc_daemon import Host


@contextlib.contextmanager
def shared_directory() -> Iterator[Path]:
    """A fresh directory under /tmp that every test user may write into (the client opens
    its output file itself, as that user)."""
    path = Path(tempfile.mkdtemp(prefix="nw-capture-", dir="/tmp"))
    path.chmod(0o1777)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def packet_sockets(host: Host, netns: str) -> int:
    """How many AF_PACKET sockets are open in the daemon host's namespace ``netns``."""
    lines = host.run("ip", "netns", "exec", netns, "cat", "/proc/net/packet").splitlines()
    return len(lines) - 1  # the first line is the header
