"""Whether this process runs under chroot, which makes the kernel refuse it user namespaces.

The kernel (create_user_ns → current_chrooted) refuses a new user namespace to a process whose
root directory is not its mount namespace's root, after following the mounts stacked on that
root: a plain ``chroot DIR`` is "chrooted", a root entered the way switch_root or pivot_root do
it is not. User space cannot see its namespace's root, so this reads what it can, unprivileged:
the mount of this process's root (/proc/self/fdinfo), how this process and others see that
mount (/proc/PID/mountinfo is readable by all; mount IDs are unique across namespaces), and the
mount PID 1 has of the same filesystem. It only reads; the lab asks it when unshare failed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import NamedTuple


class Mount(NamedTuple):
    device: str  # major:minor of the filesystem
    root: str  # the directory of that filesystem mounted here
    point: str  # where, as the reading process sees it


def chroot_evidence() -> str | None:
    """Why this process is chrooted (a clause naming its root), or None if no sign of it."""
    mount_id = _root_mount_id()
    own = _mountinfo(Path("/proc/self/mountinfo"))
    if mount_id is None or not own:
        return None
    if mount_id not in own:  # mountinfo leaves out mounts whose top is outside the root
        return "its root directory is a directory inside a mount, as chroot(2) leaves it"
    mine = own[mount_id]
    if mine.point != "/":
        return None
    others = sorted((p for p in Path("/proc").iterdir() if p.name.isdigit()),
                    key=lambda p: int(p.name))
    for pid in others:
        seen = _mountinfo(pid / "mountinfo").get(mount_id)
        if seen is not None and seen.point != "/":  # a process of this namespace sees it there
            return f"its root directory is {_shown(seen.point)} of the mount namespace"
    for seen in _mountinfo(Path("/proc/1/mountinfo")).values():
        if (seen.device, seen.root) == (mine.device, mine.root) and seen.point != "/":
            # likely, not proven: a container's root may also be mounted where PID 1 sees it
            return (f"probably: its root directory is the filesystem that PID 1, in another"
                    f" mount namespace, has at {_shown(seen.point)}")
    return None


def _root_mount_id() -> int | None:
    try:
        fd = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        for line in Path(f"/proc/self/fdinfo/{fd}").read_text().splitlines():
            if line.startswith("mnt_id:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    finally:
        os.close(fd)
    return None


def _mountinfo(path: Path) -> dict[int, Mount]:
    """ID → mount, from a mountinfo file ("ID PARENT MAJ:MIN ROOT POINT ..."); {} if unreadable."""
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return {}
    mounts = {}
    for line in lines:
        fields = line.split()
        if len(fields) >= 5 and fields[0].isdigit():
            mounts[int(fields[0])] = Mount(fields[2], fields[3], fields[4])
    return mounts


def _shown(point: str) -> str:
    """A mountinfo path with its octal escapes (\\040 for a space …) decoded."""
    return re.sub(r"\\([0-7]{3})", lambda match: chr(int(match[1], 8)), point)
