"""Finding a backend: the system's netwrightd, or the user's lab, started on demand.

``connect()`` prefers the system backend when one answers (installed and running, or
D-Bus-activatable); otherwise it uses the lab, starting ``netwrightd --lab`` in the
background if it is not running yet (a systemd user unit where a user manager answers:
lab_start.py). The lab outlives the client while something is deployed in it, so the next
command finds its topologies; an empty lab stops by itself once no client has used it for a
while; ``netwright lab stop`` ends it at once.
"""

from __future__ import annotations

import asyncio
import fcntl
import time
from pathlib import Path

from dbus_fast import BusType, Message, MessageType
from dbus_fast.aio import MessageBus

from netwright.backend.client.client import BackendClient
from netwright.backend.client.lab_start import start_lab
from netwright.backend.service import names
from netwright.backend.service.errors import BackendUnavailableError
from netwright.backend.service.labdir import LabUnavailableError, lab_address, lab_dir

#: How long a freshly started lab may take to build its host and own its name.
LAB_START_TIMEOUT_SECONDS = 60.0
#: How long a lab that stops (older than Netwright's files, or refusing calls as it stops)
#: may take before a new one starts: a stop rolls the lab's jobs back for up to 60 s
#: (netwrightd's SHUTDOWN_TIMEOUT_SECONDS), then waits up to 10 s for calls in progress.
LAB_STOP_TIMEOUT_SECONDS = 80.0


async def connect(lab: bool | None = None) -> BackendClient:
    """The system backend if ``lab`` is False or (None and it answers); else the lab."""
    if lab is not True:
        try:
            return await connect_system(activate=True)
        except BackendUnavailableError:
            if lab is False:
                raise
    return await connect_lab()


async def connect_system(*, activate: bool = True) -> BackendClient:
    """The root netwrightd on the system bus ($DBUS_SYSTEM_BUS_ADDRESS is honoured)."""
    try:
        bus = await MessageBus(bus_type=BusType.SYSTEM, negotiate_unix_fd=True).connect()
    except (OSError, ValueError) as exc:
        raise BackendUnavailableError(f"the system bus is not reachable: {exc}") from None
    try:
        if not await _available(bus, activate):
            raise BackendUnavailableError(
                "netwrightd is not installed or not running on the system bus"
            )
    except BaseException:
        bus.disconnect()
        raise
    return await BackendClient.attach(bus)


async def connect_lab(*, start: bool = True) -> BackendClient:
    """This user's lab backend; start it (no root needed) if it is not running.

    With ``start``, a lab that turns out older than Netwright's files (an upgrade since it
    started) and holds nothing, or that is stopping, is replaced by a new one when it
    refuses a call, and one that has gone when the next call finds it so (client.py).
    """
    try:
        directory = lab_dir()
    except LabUnavailableError as exc:
        raise BackendUnavailableError(str(exc)) from None
    bus = await _lab_bus(directory, start)

    async def renew() -> MessageBus:
        await _wait_lab_gone(directory)
        return await _lab_bus(directory, start=True)

    return await BackendClient.attach(bus, lab=True, renew=renew if start else None)


async def _wait_lab_gone(directory: Path) -> None:
    """Wait until the lab process that holds the directory's lock has exited."""
    deadline = time.monotonic() + LAB_STOP_TIMEOUT_SECONDS
    while not await _lab_process_gone(directory):
        if time.monotonic() > deadline:
            raise BackendUnavailableError(
                f"the lab did not finish stopping within {LAB_STOP_TIMEOUT_SECONDS:.0f} s;"
                f" see {directory / 'lab.log'}, or end it with: netwright lab stop")
        await asyncio.sleep(0.05)


async def _lab_bus(directory: Path, start: bool) -> MessageBus:
    """A connection to the lab's bus where the lab serves; started first if need be."""
    bus = await _try_lab(directory)
    if bus is not None:
        return bus
    if not start:
        raise BackendUnavailableError("no lab is running (start one with: netwrightd --lab)")
    started = start_lab(directory)
    deadline = time.monotonic() + LAB_START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        bus = await _try_lab(directory)
        if bus is not None:
            return bus
        if started.ended():
            # Another client may have started the lab at the same moment (ours then exits).
            bus = await _try_lab(directory)
            if bus is not None:
                return bus
            reason = _log_tail(directory / "lab.log")
            if "a lab is already running" not in reason:
                raise BackendUnavailableError(reason)
            # that lab is starting (its bus comes soon) or stopping, idle (then start anew)
            await asyncio.sleep(0.5)
            if await _lab_process_gone(directory):
                started = start_lab(directory)
            continue
        await asyncio.sleep(0.05)
    raise BackendUnavailableError(
        f"the lab did not start within {LAB_START_TIMEOUT_SECONDS:.0f} s; see"
        f" {directory / 'lab.log'}"
    )


async def _lab_process_gone(directory: Path) -> bool:
    """No lab process holds the directory's lock any more (one on its way out did)."""
    try:
        with (directory / "lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


async def _try_lab(directory: Path) -> MessageBus | None:
    if not (directory / "bus").exists():
        return None
    try:
        bus = await MessageBus(bus_address=lab_address(directory),
                               negotiate_unix_fd=True).connect()
    except (OSError, ValueError, EOFError):
        return None
    if not await _available(bus, activate=False):
        bus.disconnect()
        return None
    return bus


async def _available(bus: MessageBus, activate: bool) -> bool:
    """True if the backend's name has an owner (or, with ``activate``, can be activated)."""
    owner = await _bus_call(bus, "NameHasOwner", names.BUS_NAME)
    if owner is True:
        return True
    if not activate:
        return False
    activatable = await _bus_call(bus, "ListActivatableNames")
    return isinstance(activatable, list) and names.BUS_NAME in activatable


async def _bus_call(bus: MessageBus, member: str, *args: str) -> object:
    reply = await bus.call(Message(
        destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
        interface="org.freedesktop.DBus", member=member, signature="s" * len(args),
        body=list(args),
    ))
    if reply is None or reply.message_type is MessageType.ERROR:
        return None
    return reply.body[0]


def _log_tail(log: Path) -> str:
    try:
        lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        lines = []
    last = lines[-1] if lines else "the lab exited without saying why"
    return last.removeprefix("netwrightd: ")
