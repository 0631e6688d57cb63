"""Entering the lab's private user + network + mount (+ PID) namespaces from this very process.

Done in-process (not by running unshare(1)) so that the one executable a distribution has to
allow is netwrightd itself: Ubuntu's AppArmor restriction on unprivileged user namespaces is
lifted per program (packaging/apparmor/netwright-lab). The calls must happen while the
process has a single thread, before asyncio starts.
"""

from __future__ import annotations

import ctypes
import errno
import os
from collections.abc import Callable
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
PR_SET_NAME = 15

_libc = ctypes.CDLL(None, use_errno=True)


def _fail(what: str) -> OSError:
    code = ctypes.get_errno()
    return OSError(code, f"{what}: {os.strerror(code)}")


def enter_lab_namespaces(*, pids: bool = False) -> None:
    """Become root of a new user namespace (mapped to this user) with new net and mount ns.

    ``pids``: also a new PID namespace for the children made from now on (see lab_pids.py);
    this process stays in its own, and can no longer start threads."""
    uid, gid = os.getuid(), os.getgid()
    flags = CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS | (CLONE_NEWPID if pids else 0)
    if _libc.unshare(flags) != 0:
        raise _fail("unshare(user, net, mount)")
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
    Path("/proc/self/gid_map").write_text(f"0 {gid} 1")
    if _libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        raise _fail("make the lab's mounts private")


def mount_tmpfs(target: str) -> None:
    if _libc.mount(b"netwright-lab", target.encode(), b"tmpfs", 0, b"mode=0755") != 0:
        raise _fail(f"mount a private tmpfs on {target}")


def own_proc() -> None:
    """A mount namespace of this process's own with a /proc of its PID namespace, so that the
    PIDs it gets from fork are the ones /proc lists (its parent keeps the host's /proc)."""
    if _libc.unshare(CLONE_NEWNS) != 0:
        raise _fail("unshare(mount)")
    flags = MS_NOSUID | MS_NODEV | MS_NOEXEC
    if _libc.mount(b"proc", b"/proc", b"proc", flags, None) != 0:
        raise _fail("mount the lab's own /proc")


def set_name(name: str) -> None:
    """The process's name as ps -o comm and top show it (15 bytes)."""
    _libc.prctl(PR_SET_NAME, name.encode()[:15], 0, 0, 0)


def probe_user_namespaces() -> OSError | None:
    """Try the unshare in a forked child; None if it works, else the error it got."""
    return _probe(_try_user_namespaces)


def probe_pid_namespace() -> OSError | None:
    """Try what lab_pids.py needs in a forked child: a PID namespace in the lab's user
    namespace, whose first process mounts a /proc of it (refused where the host's /proc has
    something mounted over part of it, as in some containers). None if it works."""
    return _probe(_try_pid_namespace)


def _probe(attempt: Callable[[], int]) -> OSError | None:
    pid = os.fork()
    if pid == 0:  # the child: try, report by exit status, never return
        code = errno.EPERM
        try:
            code = attempt()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return None if code == 0 else OSError(code, os.strerror(code) if code > 0 else "killed")


def _try_user_namespaces() -> int:
    if _libc.unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS) != 0:
        return ctypes.get_errno() or errno.EPERM
    return 0


def _try_pid_namespace() -> int:
    try:
        enter_lab_namespaces(pids=True)
    except OSError as exc:
        return exc.errno or errno.EPERM
    pid = os.fork()
    if pid == 0:
        code = errno.EPERM
        try:
            own_proc()
            code = 0
        except OSError as exc:
            code = exc.errno or errno.EPERM
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)
