"""The daemon's bus socket waits when it is full instead of dropping the connection.

dbus-fast (5.x, like dbus-next before it: python-dbus-next issue #153) takes EAGAIN from
``send()`` on its non-blocking socket for a lost connection: when the bus daemon is slow to
read for a moment (a loaded machine, a burst of replies and signals), netwrightd would lose
its bus, cancel every job and stop. ``make_patient`` gives the library's writer a socket that
reports "nothing sent" instead, so the writer keeps the message and waits until the socket
is writable again, its own path for a partial send.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

from dbus_fast.aio import MessageBus

log = logging.getLogger("netwrightd")


class PatientSocket:
    """A socket whose ``send`` answers 0 bytes, not BlockingIOError, when it is full."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def send(self, data: Any, flags: int = 0) -> int:
        try:
            return self._sock.send(data, flags)
        except BlockingIOError:
            return 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def make_patient(bus: MessageBus) -> None:
    """Give the connected ``bus``'s writer a PatientSocket (logged if the library changed)."""
    writer = getattr(bus, "_writer", None)
    sock = getattr(writer, "sock", None)
    if not isinstance(sock, socket.socket):
        log.warning("dbus-fast's writer has no socket where expected; a full bus socket may"
                    " still drop the connection")
        return
    writer.sock = PatientSocket(sock)  # type: ignore[union-attr]
