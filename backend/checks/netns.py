"""Open sockets inside other network namespaces, from one thread that goes there and back.

A socket belongs to the namespace it was created in for its whole life, so the probe only
needs to *create* sockets inside each namespace: a worker thread ``setns()``es into the
namespace, creates them, and returns to where it started (``kernel.netns.entered``, the
engine's way in too). setns(CLONE_NEWNET) changes the calling thread only, so the asyncio
loop that later sends on the sockets never moves.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TypeVar

from netwright.backend.kernel import netns as kernel_netns
from netwright.backend.topology.problems import NetwrightError

if TYPE_CHECKING:
    from netwright.backend.kernel.netlink import RtSocket
    from netwright.backend.topology.model import Topology

NETNS_DIR = "/run/netns"
_T = TypeVar("_T")


class NamespaceError(NetwrightError):
    """A namespace to probe from is missing or cannot be entered."""


class NamespacePermissionError(NamespaceError):
    """Entering a namespace was refused (EPERM): this process is not root (CAP_SYS_ADMIN)."""


class NamespaceGoneError(NamespaceError):
    """The file naming a namespace is not there (ENOENT): never made, or deleted meanwhile
    (a check of the live host observed it a moment earlier: ``checks.observed``)."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.path = path


def gone_words(topology: Topology, key: str, path: str) -> str:
    """Namespace ``key`` of a deployment of ``topology`` is not at ``path``: said by its key,
    with the way out (check, measure and capture alike; they said "/run/netns/lab-web")."""
    namespace = topology.namespaces.get(key)
    if namespace is not None and namespace.existing:
        return (f"namespace {key} is marked existing in {topology.name} (someone else's, never"
                f" created by Netwright), and it is not there ({path}): create it, or give the"
                " design the name it has and apply again")
    return (f"namespace {key} of {topology.name} is not there ({path}): it was deleted since"
            f" the apply; apply the design again to recreate it (netwright status"
            f" {topology.name} lists what is missing)")


def netns_path(name: str | None) -> str:
    """The file of a named namespace (``ip netns`` convention); None is this process's own."""
    if name is None:
        return f"/proc/{os.getpid()}/ns/net"
    if "/" in name or name in ("", ".", ".."):
        raise NamespaceError(f"'{name}' is not a namespace name")
    return os.path.join(NETNS_DIR, name)


@contextlib.contextmanager
def entered(path: str) -> Iterator[None]:
    """Run the body with the calling thread inside the namespace at ``path``, then return
    (``kernel.netns.entered``), its failures told in the check's words.

    Call it only from a worker thread, never from the event loop's.
    """
    inside = False  # the body's own errors pass through untouched
    try:
        with kernel_netns.entered(path):
            inside = True
            yield
    except kernel_netns.EnterError as exc:
        if inside:
            raise
        kind = NamespacePermissionError if exc.errno == errno.EPERM else NamespaceError
        raise kind(f"cannot enter namespace {path}: {os.strerror(exc.errno or 0)}") from None
    except OSError as exc:
        if inside:
            raise
        message = f"cannot open namespace {path}: {exc.strerror} (is the topology deployed?)"
        if exc.errno == errno.ENOENT:
            raise NamespaceGoneError(message, path) from None
        raise NamespaceError(message) from None


def route_socket(path: str) -> RtSocket:
    """A route-netlink socket inside the namespace at ``path`` (from a worker thread), for
    the observation layer's reads (``backend/observe``) and the neighbour pins' writes.
    The socket class comes with pyroute2's codec: imported here, so that the explanation
    (which the designer imports) stays free of it."""
    from netwright.backend.kernel.netlink import RtSocket

    with entered(path):
        sock = kernel_netns.new_route_socket()
    return RtSocket(sock)


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
    fd = os.open(path, os.O_RDONLY)
    try:
        before = os.read(fd, 64).decode().strip()
    finally:
        os.close(fd)
    low, high = (int(x) for x in before.split())
    if low <= gid <= high:
        yield
        return
    _write_sysctl(path, f"{gid} {gid}")
    try:
        yield
    finally:
        try:
            _write_sysctl(path, before)
        except OSError as exc:
            # In a user namespace the default "1 0" names an unmapped group and cannot be
            # written back (EINVAL); the range then stays at our own group only.
            if exc.errno != errno.EINVAL:
                raise


def _write_sysctl(path: str, value: str) -> None:
    """Write a sysctl file with plain system calls: a check opens one echo socket per
    namespace, and Python's buffered text files cost 30 µs an open (600 at N = 200)."""
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, value.encode())
    finally:
        os.close(fd)
