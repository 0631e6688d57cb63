"""Where a user's lab backend lives: its private directory and the address of its bus.

Apart from ``lab.py`` (which starts the lab: namespaces, dbus-daemon, ctypes) because every
client looks here first, and a client should not load the launcher to find a socket.
"""

from __future__ import annotations

import os
import pwd
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
        own_directory = "set XDG_RUNTIME_DIR to a directory of your own"
    else:
        path = Path("/tmp") / f"netwright-lab-{os.getuid()}"
        # set but unusable: say so, or "set XDG_RUNTIME_DIR" reads as if it were not set
        own_directory = (f"make XDG_RUNTIME_DIR ({runtime}) a directory you can write to"
                         " (it is not one, so /tmp was tried instead)" if runtime else
                         "set XDG_RUNTIME_DIR to a directory of your own")
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass
    except OSError as exc:  # /tmp not writable (or read-only): the lab has nowhere to live
        raise LabUnavailableError(
            f"cannot create the lab's directory {path}: {(exc.strerror or str(exc)).lower()};"
            f" make {path.parent} writable (it is normally mode 1777), or {own_directory}"
        ) from None
    info = path.lstat()
    if info.st_uid == os.getuid() and (path.is_symlink() or not path.is_dir()):
        raise LabUnavailableError(f"{path} exists and is not a directory; remove it")
    if info.st_uid != os.getuid() or not path.is_dir() or path.is_symlink():
        raise LabUnavailableError(
            f"{path} exists and belongs to {_owner(info.st_uid)}, not to you, so the lab"
            f" cannot live there; its owner must remove it (sudo rm -r {path}), or"
            f" {own_directory}")
    if info.st_mode & 0o077:
        raise LabUnavailableError(f"{path} is open to other users (mode"
                                  f" {info.st_mode & 0o777:o}); run: chmod 700 {path}")
    return path


def _owner(uid: int) -> str:
    """A user's name, else ``uid N`` (a user no longer in the password database)."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def lab_address(directory: Path | None = None) -> str:
    return f"unix:path={(directory or lab_dir()) / 'bus'}"
