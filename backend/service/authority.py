"""Who may do what: polkit for the system daemon, the user themself in the lab.

The system daemon asks polkit ``CheckAuthorization`` for the caller's unique bus name with
AllowUserInteraction, so a desktop agent can ask for a password while the call waits. It
never caches a grant (``auth_admin_keep`` is polkit's job) and fails closed: if polkit cannot
be reached or answers nonsense, the call is refused.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus

from netwright.backend.service.errors import NotAuthorizedError

log = logging.getLogger(__name__)

POLKIT_NAME = "org.freedesktop.PolicyKit1"
POLKIT_PATH = "/org/freedesktop/PolicyKit1/Authority"
POLKIT_INTERFACE = "org.freedesktop.PolicyKit1.Authority"
ALLOW_USER_INTERACTION = 1

#: How long a caller may take to type a password into their agent before polkit gives up.
CHECK_TIMEOUT_SECONDS = 300.0


class Authority(Protocol):
    async def authorize(self, sender: str, action: str) -> None:
        """Return if ``sender`` may perform ``action``; raise NotAuthorizedError otherwise."""


class LabAuthority:
    """The lab belongs to the user who started it: everyone who can reach its bus may act.

    The lab's bus socket lives in a directory only that user can open, so "can reach the
    bus" already means "is that user".
    """

    async def authorize(self, sender: str, action: str) -> None:
        return None


class PolkitAuthority:
    """Asks polkitd on the system bus, once per call, as the first thing a handler does."""

    def __init__(self, bus: MessageBus, timeout: float = CHECK_TIMEOUT_SECONDS) -> None:
        self._bus = bus
        self._timeout = timeout

    async def authorize(self, sender: str, action: str) -> None:
        if not sender:
            raise NotAuthorizedError(f"not authorized to {_verb(action)}: the caller is unknown")
        subject = ("system-bus-name", {"name": Variant("s", sender)})
        request = Message(
            destination=POLKIT_NAME, path=POLKIT_PATH, interface=POLKIT_INTERFACE,
            member="CheckAuthorization", signature="(sa{sv})sa{ss}us",
            body=[subject, action, {}, ALLOW_USER_INTERACTION, ""],
        )
        try:
            reply = await _call(self._bus, request, self._timeout)
        except Exception as exc:  # any failure to ask means no
            log.warning("polkit unreachable for %s (%s): refusing", action, exc)
            raise NotAuthorizedError(
                f"not authorized to {_verb(action)}: polkit could not be asked ({exc})"
            ) from None
        if reply.message_type is MessageType.ERROR:
            log.warning("polkit refused to check %s for %s: %s %s", action, sender,
                        reply.error_name, reply.body)
            raise NotAuthorizedError(
                f"not authorized to {_verb(action)}: polkit answered {reply.error_name}"
            )
        try:
            authorized, challenge, _details = reply.body[0]
        except (IndexError, TypeError, ValueError):
            raise NotAuthorizedError(f"not authorized to {_verb(action)}: polkit's answer was"
                                " not understood") from None
        if authorized is True:
            return
        if challenge:
            raise NotAuthorizedError(
                f"not authorized to {_verb(action)}: authentication is required and no"
                " polkit agent could ask for it (run a polkit agent, or ask an administrator"
                f" for a rule granting {action})"
            )
        raise NotAuthorizedError(f"not authorized to {_verb(action)} ({action} was denied)")


async def _call(bus: MessageBus, message: Message, timeout: float) -> Message:
    reply = await asyncio.wait_for(bus.call(message), timeout)
    if reply is None:
        raise ConnectionError("no reply")
    return reply


def _verb(action: str) -> str:
    return {
        "io.netwright.inspect": "read the network configuration",
        "io.netwright.check": "run connectivity checks",
        "io.netwright.apply": "apply topologies",
        "io.netwright.destroy": "destroy topologies",
        "io.netwright.persist": "make topologies permanent",
        "io.netwright.observe": "see every network namespace of this computer",
    }.get(action, action)
