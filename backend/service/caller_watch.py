"""Noticing that a job's caller has left the bus, so a reader nobody can hear stops.

A reading job (a check, a measurement, a capture) reports to the connection that started it
alone (callers.py), so once that connection is gone (the client was killed, its machine
slept) nobody can ever read what it produces, while it goes on holding iperf3 processes, a
port, a packet socket or a share of the user's check quota. The bus tells us:
NameOwnerChanged(name, old, "") for the caller's unique name. Changes (apply, destroy,
revert) are not watched: they finish or roll back whoever is listening (jobs.py).
"""

from __future__ import annotations

import contextlib

from dbus_fast import Message, MessageType
from dbus_fast.aio import MessageBus

from netwright.backend.service.worker import CancelFlag


class CallerWatch:
    """Sets ``cancel`` when connection ``name`` leaves the bus (NameOwnerChanged to "")."""

    def __init__(self, bus: MessageBus, name: str, cancel: CancelFlag) -> None:
        self._bus = bus
        self._name = name
        self._cancel = cancel
        self._rule = (f"type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',"
                      f"arg0='{name}'")

    @classmethod
    async def start(cls, bus: MessageBus, name: str, cancel: CancelFlag) -> CallerWatch:
        """Watch ``name`` from now on; ``cancel`` at once if it has already left (the match
        is added first, so no departure falls between the two)."""
        watch = cls(bus, name, cancel)
        bus.add_message_handler(watch._on_message)
        await watch._bus_call("AddMatch", watch._rule)
        if await watch._bus_call("NameHasOwner", name) is not True:  # gone before we looked
            cancel.request(watch.reason)
        return watch

    @property
    def reason(self) -> str:
        """The Cancelled sentence (the daemon's log shows it; the caller is gone)."""
        return f"its caller {self._name} left the bus, so nobody could read the result"

    async def stop(self) -> None:
        self._bus.remove_message_handler(self._on_message)
        with contextlib.suppress(Exception):
            await self._bus_call("RemoveMatch", self._rule)

    def _on_message(self, msg: Message) -> None:
        if (msg.message_type is MessageType.SIGNAL and msg.member == "NameOwnerChanged"
                and msg.sender == "org.freedesktop.DBus" and len(msg.body) == 3
                and msg.body[0] == self._name and msg.body[2] == ""):
            self._cancel.request(self.reason)

    async def _bus_call(self, member: str, argument: str) -> object:
        reply = await self._bus.call(Message(
            destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
            interface="org.freedesktop.DBus", member=member, signature="s", body=[argument]))
        if reply is None or reply.message_type is MessageType.ERROR or not reply.body:
            return None
        return reply.body[0]
