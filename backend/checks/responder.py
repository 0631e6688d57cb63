"""Answer TCP and UDP on the ports a check probes, inside the target namespaces, while it runs.

A refused or dropped port says something only if an allowed one answers: so for the length
of a check, every (namespace, address, port) a service probe aims at gets a listening TCP
socket (the kernel completes the handshake from its backlog; nothing is accepted) and a UDP
socket that answers ``netwright?`` with ``netwright!``. Sockets are made inside each
namespace by a worker thread (as the prober's are) and served by the running asyncio loop;
``IP_FREEBIND`` lets them bind an IPv6 address still in duplicate address detection.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
from collections.abc import Iterable

from netwright.backend.checks.netns import entered

REQUEST = b"netwright?"
ANSWER = b"netwright!"
IP_FREEBIND = 15


def _bind(address: str, proto: str, port: int) -> socket.socket | None:
    family = socket.AF_INET6 if ipaddress.ip_address(address).version == 6 else socket.AF_INET
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    sock = socket.socket(family, kind)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_IP, IP_FREEBIND, 1)
        sock.bind((address, port))
        if proto == "tcp":
            sock.listen(64)
        sock.setblocking(False)
    except OSError:  # something already serves it: that one answers instead
        sock.close()
        return None
    return sock


def open_responders(wanted: Iterable[tuple[str, str, str, int]]) -> list[tuple[str, socket.socket]]:
    """Bind (netns path, address, proto, port) each; returns (proto, socket) pairs. Run in a
    worker thread: it enters the namespaces."""
    opened: list[tuple[str, socket.socket]] = []
    by_netns: dict[str, list[tuple[str, str, int]]] = {}
    for netns, address, proto, port in sorted(set(wanted)):
        by_netns.setdefault(netns, []).append((address, proto, port))
    try:
        for netns, items in by_netns.items():
            with entered(netns):
                for address, proto, port in items:
                    sock = _bind(address, proto, port)
                    if sock is not None:
                        opened.append((proto, sock))
    except BaseException:
        for _proto, sock in opened:
            sock.close()
        raise
    return opened


class Responders:
    """``async with Responders(wanted):`` serves while the block runs, then closes all."""

    def __init__(self, wanted: Iterable[tuple[str, str, str, int]]) -> None:
        self.wanted = list(wanted)
        self.sockets: list[tuple[str, socket.socket]] = []

    async def __aenter__(self) -> Responders:
        loop = asyncio.get_running_loop()
        self.sockets = await loop.run_in_executor(None, open_responders, self.wanted)
        for proto, sock in self.sockets:
            if proto == "udp":
                loop.add_reader(sock.fileno(), self._answer, sock)
        return self

    async def __aexit__(self, *exc: object) -> None:
        loop = asyncio.get_running_loop()
        for proto, sock in self.sockets:
            if proto == "udp":
                loop.remove_reader(sock.fileno())
            sock.close()

    @staticmethod
    def _answer(sock: socket.socket) -> None:
        while True:
            try:
                data, peer = sock.recvfrom(512)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            if data == REQUEST:
                with contextlib.suppress(OSError):
                    sock.sendto(ANSWER, peer)
