"""Who may do what: polkit for the system daemon, the user themself in the lab.

The system daemon asks polkit ``CheckAuthorization`` for the caller's unique bus name and
fails closed: if polkit cannot be reached or answers nonsense, the call is refused.

A grant polkit gives without asking anyone (a rule's or the policy's "yes", or an
``auth_admin_keep`` polkit still keeps) is reused for the same unique name and action for
GRANT_SECONDS: a client that calls List and Status many times a second (or a flood of
Validate calls) then costs polkitd and the bus one round trip per second or two, not one per
call, and those calls answer without waiting for polkitd on a busy machine. The bus never
reuses a unique name, so a reused grant is always the same connection's. Only such grants are
reused: the first question is asked without user interaction, and when polkit answers that a
password would be needed, the call asks again with AllowUserInteraction (so a desktop agent
can ask for it) and that grant serves this call alone, as ``auth_admin`` promises. Denials
are never remembered. A rule changed to say no takes effect for a connection holding a
reused grant at most GRANT_SECONDS later.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus

from netwright.backend.service.errors import NotAuthorizedError

log = logging.getLogger(__name__)

POLKIT_NAME = "org.freedesktop.PolicyKit1"
POLKIT_PATH = "/org/freedesktop/PolicyKit1/Authority"
POLKIT_INTERFACE = "org.freedesktop.PolicyKit1.Authority"
ALLOW_USER_INTERACTION = 1
#: How long a grant polkit gave without asking anyone is reused for one connection and action.
GRANT_SECONDS = 2.0
#: Grants remembered at most (the oldest are forgotten first).
KEEP_GRANTS = 4096

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
    """Asks polkitd on the system bus as the first thing a handler does (see the module's
    docstring for the grants it reuses)."""

    def __init__(self, bus: MessageBus, timeout: float = CHECK_TIMEOUT_SECONDS,
                 grant_seconds: float = GRANT_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._bus = bus
        self._timeout = timeout
        self._grant_seconds = grant_seconds
        self._clock = clock
        self._grants: OrderedDict[tuple[str, str], float] = OrderedDict()  # -> valid until

    async def authorize(self, sender: str, action: str) -> None:
        if not sender:
            raise NotAuthorizedError(f"not authorized to {_verb(action)}: the caller is unknown")
        key = (sender, action)
        until = self._grants.get(key)
        if until is not None and self._clock() < until:
            return
        authorized, challenge = await self._check(sender, action, 0)
        if authorized:
            self._remember(key)
            return
        if challenge:  # a password would do: ask again, letting an agent ask for it
            authorized, challenge = await self._check(sender, action, ALLOW_USER_INTERACTION)
            if authorized:
                return  # granted for this call alone
        if challenge:
            raise _refused(action, "authentication is required and no polkit agent could ask"
                           " for it (run a polkit agent, or ask an administrator for a rule"
                           f" granting {action})")
        raise NotAuthorizedError(f"not authorized to {_verb(action)} ({action} was denied)",
                                 f"{action} was denied")

    def _remember(self, key: tuple[str, str]) -> None:
        self._grants[key] = self._clock() + self._grant_seconds
        self._grants.move_to_end(key)
        while len(self._grants) > KEEP_GRANTS:
            self._grants.popitem(last=False)

    async def _check(self, sender: str, action: str, flags: int) -> tuple[bool, bool]:
        """polkit's (authorized, challenge) for ``sender`` and ``action``."""
        subject = ("system-bus-name", {"name": Variant("s", sender)})
        request = Message(
            destination=POLKIT_NAME, path=POLKIT_PATH, interface=POLKIT_INTERFACE,
            member="CheckAuthorization", signature="(sa{sv})sa{ss}us",
            body=[subject, action, {}, flags, ""],
        )
        try:
            reply = await _call(self._bus, request, self._timeout)
        except Exception as exc:  # any failure to ask means no
            log.warning("polkit unreachable for %s (%s): refusing", action, exc)
            raise _refused(action, f"polkit could not be asked ({exc})") from None
        if reply.message_type is MessageType.ERROR:
            log.warning("polkit refused to check %s for %s: %s %s", action, sender,
                        reply.error_name, reply.body)
            raise _refused(action, f"polkit answered {reply.error_name}")
        try:
            authorized, challenge, _details = reply.body[0]
        except (IndexError, TypeError, ValueError):
            raise _refused(action, "polkit's answer was not understood") from None
        return authorized is True, bool(challenge)


async def _call(bus: MessageBus, message: Message, timeout: float) -> Message:
    async with asyncio.timeout(timeout):  # no call coroutine made before it can fail
        reply = await bus.call(message)
    if reply is None:
        raise ConnectionError("no reply")
    return reply


def _refused(action: str, reason: str) -> NotAuthorizedError:
    return NotAuthorizedError(f"not authorized to {_verb(action)}: {reason}", reason)


def _verb(action: str) -> str:
    return {
        "io.netwright.inspect": "read the network configuration",
        "io.netwright.check": "run connectivity checks",
        "io.netwright.apply": "apply topologies",
        "io.netwright.destroy": "destroy topologies",
        "io.netwright.persist": "make topologies permanent",
        "io.netwright.observe": "see every network namespace of this computer",
        "io.netwright.capture": "capture network traffic",
        "io.netwright.adopt": "hand objects Netwright did not create to a topology",
        "io.netwright.host": "change this machine's own forwarding, routes, firewall or NAT",
    }.get(action, action)
