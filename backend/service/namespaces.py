"""Entering the lab's private user + network + mount namespaces from this very process.

Done in-process (not by running unshare(1)) so that the one executable a distribution has to
allow is netwrightd itself: Ubuntu's AppArmor restriction on unprivileged user namespaces is
lifted per program (packaging/apparmor/netwright-lab). The calls must happen while the
process has a single thread, before asyncio starts.
"""

from __future__ import annotations

import ctypes
import errno
import os
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18

_libc = ctypes.CDLL(None, use_errno=True)


def _fail(what: str) -> OSError:
    code = ctypes.get_errno()
    return OSError(code, f"{what}: {os.strerror(code)}")


def enter_lab_namespaces() -> None:
    """Become root of a new user namespace (mapped to this user) with new net and mount ns."""
    uid, gid = os.getuid(), os.getgid()
    if _libc.unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS) != 0:
        raise _fail("unshare(user, net, mount)")
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
    Path("/proc/self/gid_map").write_text(f"0 {gid} 1")
    if _libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        raise _fail("make the lab's mounts private")


def mount_tmpfs(target: str) -> None:
    if _libc.mount(b"netwright-lab", target.encode(), b"tmpfs", 0, b"mode=0755") != 0:
        raise _fail(f"mount a private tmpfs on {target}")


def probe_user_namespaces() -> OSError | None:
    """Try the unshare in a forked child; None if it works, else the error it got."""
    pid = os.fork()
    if pid == 0:  # the child: try, report by exit status, never return
        code = 0
        if _libc.unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS) != 0:
            code = ctypes.get_errno() or errno.EPERM
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return None if code == 0 else OSError(code, os.strerror(code))
