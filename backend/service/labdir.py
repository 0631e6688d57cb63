"""Where a user's lab backend lives: its private directory and the address of its bus.

Apart from ``lab.py`` (which starts the lab: namespaces, dbus-daemon, ctypes) because every
client looks here first, and a client should not load the launcher to find a socket.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


class LabUnavailableError(RuntimeError):
    """The lab cannot start here; the message says why and what to do."""


def lab_dir() -> Path:
    """The user's private lab directory: $XDG_RUNTIME_DIR/netwright-lab or /tmp/netwright-lab-UID.

    Created 0700; refused if it exists and belongs to someone else or is open to others, so
    no other user can put a bus where this user's client would look.
    """
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and Path(runtime).is_dir() and os.access(runtime, os.W_OK):
        path = Path(runtime) / "netwright-lab"
    else:
        path = Path("/tmp") / f"netwright-lab-{os.getuid()}"
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700)
    info = path.lstat()
    if not path.is_dir() or path.is_symlink() or info.st_uid != os.getuid():
        raise LabUnavailableError(f"{path} exists and does not belong to this user; remove it")
    if info.st_mode & 0o077:
        raise LabUnavailableError(f"{path} is open to other users (mode"
                                  f" {info.st_mode & 0o777:o}); run: chmod 700 {path}")
    return path


def lab_address(directory: Path | None = None) -> str:
    return f"unix:path={(directory or lab_dir()) / 'bus'}"
