"""Blocking calls to the system's netwrightd, for commands that are one call and its reply.

``list``, ``status`` and ``plan`` ask netwrightd one question each: they need no event
loop, no signal subscription and no job tracking. ``SystemBackend`` connects to the system
bus, authenticates, says Hello, and answers the same coroutine methods as ``BackendClient``
(``deployment_sources``, ``status``, ``plan`` …) without ever suspending, so the commands'
own code (cli/via_backend.py) runs on it unchanged, driven by ``run`` instead of asyncio.

dbus-fast's marshaller, unmarshaller, EXTERNAL authenticator and address parser do the
protocol work; its package ``__init__`` (the asyncio bus, services, introspection with
xml.etree) is deferred (``lazy_init``). The command then costs a few milliseconds of imports
instead of the ~40 that asyncio and dbus-fast's bus take. These are dbus-fast's internal
modules: if one is missing (another dbus-fast), the command takes the asyncio path.

When no system backend answers (no bus, no owner and not activatable), a call raises
BackendUnavailableError and the command falls back to the asyncio client, which finds or
starts the lab. The bus starts an activatable netwrightd for the call, as
``connect_system(activate=True)`` does.
"""

from __future__ import annotations

import importlib
import socket
from collections.abc import Coroutine
from typing import Any

from netwright.backend.client.replies import error_from_reply
from netwright.backend.client.results import (
    parse_deployment_sources,
    parse_plan,
    parse_status,
)
from netwright.backend.lazy_init import defer_init
from netwright.backend.outcomes.provenance import Provenance
from netwright.backend.outcomes.results import Plan, Status
from netwright.backend.service import names
from netwright.backend.service.errors import BackendUnavailableError

#: Calls that need an administrator's password wait for the person to type it.
CALL_TIMEOUT_SECONDS = 330.0

_BUS = ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus")


class SystemBackend:
    """One blocking connection to the system bus, for netwrightd's one-call methods."""

    lab = False  # the system's backend, never a lab

    def __init__(self, sock: socket.socket) -> None:
        _load_dbus_fast()
        from dbus_fast._private.unmarshaller import Unmarshaller

        self._sock = sock
        self._serial = 0
        self._reader = Unmarshaller(None, sock, False)

    @classmethod
    def connect(cls) -> SystemBackend:
        """Connect and authenticate to the system bus ($DBUS_SYSTEM_BUS_ADDRESS honoured).

        BackendUnavailableError if no bus answers there (or this dbus-fast lacks a module).
        """
        try:
            _load_dbus_fast()
            from dbus_fast._private.address import get_bus_address, parse_address
            from dbus_fast.auth import AuthExternal
            from dbus_fast.constants import BusType
        except ImportError as exc:
            raise BackendUnavailableError(f"no blocking D-Bus call here: {exc}") from None
        try:
            address = get_bus_address(BusType.SYSTEM)
            sock = _unix_socket(parse_address(address))
        except Exception as exc:  # OSError, and dbus-fast's own address errors
            raise BackendUnavailableError(f"the system bus is not reachable: {exc}") from None
        try:
            auth = AuthExternal()
            sock.sendall(b"\0" + auth._format_line(auth._authentication_start()))
            sock.sendall(auth._format_line(auth._receive_line(_read_line(sock))))
            backend = cls(sock)
            backend._send(*_BUS, "Hello", "", [])  # its reply comes before the first call's
        except Exception as exc:  # refused or closed: the asyncio client will say why
            sock.close()
            raise BackendUnavailableError(f"the system bus refused us: {exc}") from None
        return backend

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> SystemBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what the one-call commands ask (BackendClient's names) --------------------------

    async def deployments(self) -> list[str]:
        return [str(name) for name in self._call("List", "", [])]

    async def deployment_sources(self) -> dict[str, Provenance | None]:
        return parse_deployment_sources(self._call("Deployments", "", []))

    async def status(self, name: str) -> Status:
        return parse_status(self._call("Status", "s", [name]))

    async def plan(self, topology: str) -> Plan:
        return parse_plan(self._call("Plan", "sa{sv}", [topology, {}]))

    @staticmethod
    def run(command: Coroutine[Any, Any, int]) -> int:
        """Run a command's coroutine whose awaits are all this class's (none suspends)."""
        try:
            command.send(None)
        except StopIteration as finished:
            return int(finished.value)
        command.close()
        raise RuntimeError("a one-call command waited for something; it needs the asyncio client")

    # -- plumbing -----------------------------------------------------------------------

    def _call(self, member: str, signature: str, body: list[Any]) -> Any:
        from dbus_fast.constants import MessageType

        serial = self._send(names.BUS_NAME, names.OBJECT_PATH, names.INTERFACE, member,
                            signature, body)
        try:
            while True:
                reply = self._reader.unmarshall()
                if reply is None or reply.reply_serial != serial:
                    continue  # Hello's reply, NameAcquired: not ours
                if reply.message_type is MessageType.ERROR:
                    raise error_from_reply(reply)
                return reply.body[0] if reply.body else None
        except (OSError, EOFError) as exc:
            raise BackendUnavailableError(f"lost the connection to the backend: {exc}") from None

    def _send(self, destination: str, path: str, interface: str, member: str,  # noqa: PLR0917
              signature: str, body: list[Any]) -> int:
        from dbus_fast.message import Message

        self._serial += 1
        message = Message(destination=destination, path=path, interface=interface,
                          member=member, signature=signature, body=body, serial=self._serial)
        self._sock.sendall(message._marshall(False))
        return self._serial


def _load_dbus_fast() -> None:
    """dbus-fast's protocol modules without its package ``__init__``, in the order that one
    imports them (the unmarshaller first would meet a half-initialised ``signature``)."""
    defer_init("dbus_fast")
    importlib.import_module("dbus_fast.message")


def _unix_socket(addresses: list[tuple[str, dict[str, str]]]) -> socket.socket:
    """A connected socket to the first unix address that answers (others: OSError)."""
    failure: OSError = OSError("the address names no unix socket")
    for transport, options in addresses:
        if transport != "unix" or not ({"path", "abstract"} & options.keys()):
            continue
        target = options.get("path") or "\0" + options["abstract"]
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(CALL_TIMEOUT_SECONDS)
        try:
            sock.connect(target)
        except OSError as exc:
            sock.close()
            failure = exc
            continue
        return sock
    raise failure


def _read_line(sock: socket.socket) -> str:
    """One line of the authentication exchange (the bus sends nothing more before BEGIN)."""
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = sock.recv(512)
        if not chunk:
            raise EOFError("the bus closed the connection while authenticating")
        data += chunk
    return data.decode("ascii").rstrip("\r\n")
