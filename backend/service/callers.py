"""Who is calling, and what only they may hear.

A job belongs to the Unix user whose connection started it: only that user (or root) may
cancel it, and its signals (JobStarted, JobProgress, JobFinished: plans, check reports,
every address) go to the connection that started it alone, as unicast signals, never to
the whole bus. The bus daemon vouches for the user behind a unique name
(``GetConnectionUnixUser``); the answer is cached per unique name, which the bus never reuses.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from dbus_fast import Message, MessageFlag, MessageType
from dbus_fast.aio import MessageBus

from netwright.backend.service import names
from netwright.backend.service.errors import NotAuthorizedError

log = logging.getLogger("netwrightd")

#: Unique names whose user is remembered (old ones are forgotten first).
KEEP_CALLERS = 4096
#: The administrator, who may cancel anyone's job.
ROOT_UID = 0


class Callers:
    """Looks up callers' users on ``bus`` and sends signals to one connection."""

    def __init__(self, bus: MessageBus) -> None:
        self._bus = bus
        self._uids: OrderedDict[str, int] = OrderedDict()

    @property
    def bus(self) -> MessageBus:
        """The daemon's connection (a reading job watches its caller leave on it)."""
        return self._bus

    async def uid(self, sender: str) -> int:
        """The Unix user of the connection ``sender``; NotAuthorized if the bus cannot say."""
        known = self._uids.get(sender)
        if known is not None:
            return known
        reply = await self._bus.call(Message(
            destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
            interface="org.freedesktop.DBus", member="GetConnectionUnixUser", signature="s",
            body=[sender],
        )) if sender else None
        if reply is None or reply.message_type is MessageType.ERROR or not reply.body:
            raise NotAuthorizedError("the caller is unknown to the bus (it may have left)")
        uid = int(reply.body[0])
        self._uids[sender] = uid
        while len(self._uids) > KEEP_CALLERS:
            self._uids.popitem(last=False)
        return uid

    def signal(self, destination: str, member: str, signature: str, body: list[Any]) -> None:
        """Send signal ``member`` of io.netwright.Backend1 to ``destination`` only."""
        message = Message(
            message_type=MessageType.SIGNAL, path=names.OBJECT_PATH,
            interface=names.INTERFACE, member=member, signature=signature, body=body,
            destination=destination, flags=MessageFlag.NO_REPLY_EXPECTED,
        )
        try:
            self._bus.send(message)
        except Exception as exc:  # the bus is going away; the job's outcome is logged
            log.debug("could not send %s to %s: %s", member, destination, exc)
