"""Open sockets inside other network namespaces, from one thread that goes there and back.

A socket belongs to the namespace it was created in for its whole life, so the probe only
needs to *create* sockets inside each namespace: a worker thread ``setns()``es into the
namespace, creates them, and returns to where it started. setns(CLONE_NEWNET) changes the
calling thread only, so the asyncio loop that later sends on the sockets never moves.
Python 3.11 has no ``os.setns``; libc's is called through ctypes.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
from collections.abc import Callable, Iterator
from typing import TypeVar

from netwright.backend.topology.problems import NetwrightError

CLONE_NEWNET = 0x40000000
NETNS_DIR = "/run/netns"
_T = TypeVar("_T")

_libc = ctypes.CDLL(None, use_errno=True)


class NamespaceError(NetwrightError):
    """A namespace to probe from is missing or cannot be entered."""


class NamespacePermissionError(NamespaceError):
    """Entering a namespace was refused (EPERM): this process is not root (CAP_SYS_ADMIN)."""


def netns_path(name: str | None) -> str:
    """The file of a named namespace (``ip netns`` convention); None is this process's own."""
    if name is None:
        return f"/proc/{os.getpid()}/ns/net"
    if "/" in name or name in ("", ".", ".."):
        raise NamespaceError(f"'{name}' is not a namespace name")
    return os.path.join(NETNS_DIR, name)


def _setns(fd: int) -> None:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


@contextlib.contextmanager
def entered(path: str) -> Iterator[None]:
    """Run the body with the calling thread inside the namespace at ``path``, then return.

    Call it only from a worker thread, never from the event loop's.
    """
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    try:
        try:
            target = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError as exc:
            raise NamespaceError(
                f"cannot open namespace {path}: {exc.strerror} (is the topology deployed?)"
            ) from None
        try:
            try:
                _setns(target)
            except OSError as exc:
                kind = (NamespacePermissionError if exc.errno == errno.EPERM
                        else NamespaceError)
                raise kind(f"cannot enter namespace {path}: {exc.strerror}") from None
            try:
                yield
            finally:
                _setns(home)
        finally:
            os.close(target)
    finally:
        os.close(home)


def call_in(path: str, func: Callable[[], _T]) -> _T:
    """``func()`` run inside the namespace at ``path`` (from a worker thread)."""
    with entered(path):
        return func()


@contextlib.contextmanager
def ping_group_allowed(gid: int) -> Iterator[None]:
    """Let ``gid`` open ICMP datagram sockets in the current thread's namespace, briefly.

    ``net.ipv4.ping_group_range`` is per namespace and defaults to "1 0" (nobody). It is
    checked only when a socket is created, so it is widened for the creation and put back
    afterwards. In an unprivileged user namespace only mapped groups are accepted ("0 0").
    """
    path = "/proc/sys/net/ipv4/ping_group_range"
    with open(path) as handle:
        before = handle.read().strip()
    low, high = (int(x) for x in before.split())
    if low <= gid <= high:
        yield
        return
    with open(path, "w") as handle:
        handle.write(f"{gid} {gid}")
    try:
        yield
    finally:
        try:
            with open(path, "w") as handle:
                handle.write(before)
        except OSError as exc:
            # In a user namespace the default "1 0" names an unmapped group and cannot be
            # written back (EINVAL); the range then stays at our own group only.
            if exc.errno != errno.EINVAL:
                raise
