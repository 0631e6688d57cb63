"""One session with the kernel: a netlink socket per namespace, opened once and reused.

Observing, applying and rolling back all go through a ``Kernel``; it opens a socket inside
each namespace the first time it is needed (a thread ``setns``es, opens, ends) and keeps it,
plus the namespace's file descriptor for moving links into it (``IFLA_NET_NS_FD``).
Close it when done: an open socket keeps a deleted namespace alive.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable
from socket import socket as Socket  # noqa: N812 (the class; Kernel.socket is a method)

from pyroute2.netlink.rtnl import RTM_NEWLINK
from pyroute2.netlink.rtnl.ifinfmsg import IFF_UP, ifinfmsg

from netwright.backend.kernel import netns
from netwright.backend.kernel.netlink import CHANGE, Request, RtSocket
from netwright.backend.kernel.netns import Where

SIOCGSKNS = 0x894C  # linux/sockios.h: a descriptor of a socket's network namespace


class Kernel:
    """Sockets and namespace handles for one engine operation."""

    def __init__(self) -> None:
        self._sockets: dict[Where, RtSocket] = {}
        self._fds: dict[str, int] = {}
        self._indexes: dict[Where, dict[str, int]] = {}

    def close(self) -> None:
        for sock in self._sockets.values():
            sock.close()
        for fd in self._fds.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        self._sockets.clear()
        self._fds.clear()
        self._indexes.clear()

    def __enter__(self) -> Kernel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def exists(self, where: Where) -> bool:
        return where is None or netns.exists(where)

    def socket(self, where: Where) -> RtSocket:
        sock = self._sockets.get(where)
        if sock is None:
            sock = RtSocket(netns.open_socket(where))
            self._sockets[where] = sock
        return sock

    def prefetch(self, wheres: list[Where], threads: int = 1) -> dict[str, bool | None]:
        """Open the sockets of many namespaces at once (``threads`` helper threads, each
        with a share of them; see ``netns.open_sockets``). Returns,
        for each name it looked for, whether it existed a moment ago (its socket is open
        now), so the caller need not ask again; None where the socket could not be opened
        (the caller's own attempt then meets the error)."""
        found = {w: netns.exists(w) for w in wheres if w is not None and w not in self._sockets}
        opened = netns.open_sockets([w for w, there in found.items() if there], threads)
        out: dict[str, bool | None] = {}
        for name, there in found.items():
            result = opened.get(name)
            if isinstance(result, Socket):
                self._sockets[name] = RtSocket(result)
                out[name] = True
            else:
                out[name] = None if there else False
        return out

    def create_many_netns(self, items: list[tuple[str, str, dict[str, str]]]
                          ) -> dict[str, OSError | None]:
        """Create namespaces (name, alias, sysctls) from one helper thread; errors by name."""
        results = netns.create_many([(name, self._marker(name, alias, sysctls))
                                     for name, alias, sysctls in items])
        out: dict[str, OSError | None] = {}
        for name, result in results.items():
            if isinstance(result, Socket):
                self._sockets[name] = RtSocket(result)
                out[name] = None
            else:
                out[name] = result
        return out

    @staticmethod
    def _marker(where: str, alias: str, sysctls: dict[str, str] | None
                ) -> Callable[[Socket], None]:
        """What runs inside a new namespace before it is mounted: its sysctls, then the
        owner's marker on lo (and lo up), so it is never visible unmarked."""

        def mark(raw: Socket) -> None:
            for key, value in (sysctls or {}).items():
                netns.sysctl_path(key).write_text(value + "\n")
            outcome = RtSocket(raw).request_one(Request(
                ifinfmsg, RTM_NEWLINK, CHANGE, {"index": 1, "flags": IFF_UP, "change": IFF_UP},
                [("IFLA_IFALIAS", alias)]))
            if not outcome.ok:
                reason = os.strerror(outcome.error)
                raise OSError(outcome.error, f"mark namespace {where}: {reason}")

        return mark

    def create_netns(self, where: str, alias: str, sysctls: dict[str, str] | None = None) -> None:
        """Create the namespace with ``alias`` on its loopback (the owner's marker), lo up,
        and ``sysctls`` set (in the creating thread: no second thread to enter it)."""
        raw = netns.create(where, self._marker(where, alias, sysctls))
        self._sockets[where] = RtSocket(raw)

    def netns_fd(self, where: Where) -> int:
        """A descriptor of namespace ``where`` (None = the engine's own) for IFLA_NET_NS_FD."""
        key = "" if where is None else where
        fd = self._fds.get(key)
        if fd is None:
            path = "/proc/self/ns/net" if where is None else netns.netns_path(where)
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            self._fds[key] = fd
        return fd

    def delete_netns(self, where: str) -> bool:
        self.forget(where)
        return netns.delete(where)

    def forget(self, where: Where) -> None:
        """Drop cached handles for ``where`` (before deleting it, so nothing keeps it alive)."""
        sock = self._sockets.pop(where, None)
        if sock is not None:
            sock.close()
        if where is not None:
            fd = self._fds.pop(where, None)
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._indexes.pop(where, None)

    def netns_ino(self, where: Where) -> int | None:
        """The inode number of the namespace this session's socket for ``where`` is in,
        or of the one its descriptor (``netns_fd``) holds (None without either).

        While that socket or descriptor is open the namespace lives, so no other namespace
        can have this number: a later ``netns.netns_id(where)`` equal to it means the name
        still refers to the very namespace observed through it (a stat instead of a round
        trip).
        """
        sock = self._sockets.get(where)  # never a new socket: it could enter a new namespace
        if sock is None:  # a descriptor of the namespace this session holds does as well
            held = self._fds.get("" if where is None else where)
            return None if held is None else os.fstat(held).st_ino
        try:
            fd = fcntl.ioctl(sock.sock.fileno(), SIOCGSKNS)
        except OSError:
            return None
        try:
            return os.fstat(fd).st_ino
        finally:
            os.close(fd)

    def lo_alias(self, where: str) -> str | None:
        """The marker on a namespace's loopback (None if unmarked or gone)."""
        if not netns.exists(where):
            return None
        try:
            return self.socket(where).link_alias(1)  # lo is always index 1 in a namespace
        except OSError:
            return None

    def index(self, where: Where, name: str) -> int | None:
        """The ifindex of ``name`` in ``where`` (None if there is no such link).

        A miss dumps the namespace's links once and caches them all: one dump is cheaper than
        a round trip per name when a phase touches many links.
        """
        cache = self._indexes.get(where)
        if cache is None or name not in cache:
            cache = self.socket(where).link_indexes() if self.exists(where) else {}
            self._indexes[where] = cache
        return cache.get(name)

    def invalidate(self, where: Where) -> None:
        self._indexes.pop(where, None)

    def write_sysctl(self, where: Where, key: str, value: str) -> None:
        netns.write_sysctl(where, key, value)
