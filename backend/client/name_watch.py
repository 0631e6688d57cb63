"""A call the stopping system netwrightd refused: wait for the next one, then make it again?

While systemd restarts netwrightd, the stopping one refuses what it no longer serves
(io.netwright.Error.Stopping), having done nothing. ``after_stopping_refusal`` is the one
rule both clients follow (oneshot.py for the command line, client.py for the designer and
the command line's fallback): a read waits for the bus name to pass to a new netwrightd and
is made again there, once, saying nothing; a change (restart.CHANGES) is never made again by
itself, and says so; a read whose next netwrightd does not come says what it waited for.

The blocking client reads its socket with dbus-fast's unmarshaller, which cannot wait with
a deadline (a socket timeout breaks it), so the wait runs on a connection of its own with
asyncio, for both clients alike: the name's owner is asked again whenever the bus says it
changed, until it is another than the stopping one. It adds no match rule to the client's
own connection, which a long-lived designer would collect, one per restart.
"""

from __future__ import annotations

import asyncio
import contextlib

from dbus_fast import BusType, Message, MessageType
from dbus_fast.aio import MessageBus

from netwright.backend.client.requests import OWNER_MATCH
from netwright.backend.client.restart import (
    CHANGES,
    STOPPING_WAIT_SECONDS,
    not_back_sentence,
    not_resent_sentence,
)
from netwright.backend.service import names
from netwright.backend.service.errors import BackendStoppingError


async def after_stopping_refusal(member: str, refused_by: str) -> None:
    """Return once a call of ``member`` that the stopping netwrightd ``refused_by`` (its
    unique name) refused may be made again, once: it reads, and within
    STOPPING_WAIT_SECONDS the name passed to a new netwrightd (or the bus starts one for the
    call). Otherwise raise BackendStoppingError with the sentence: a change is not made again
    (after the wait, which only tells whether a new one runs); a read says that none came."""
    owner = await new_owner(refused_by, STOPPING_WAIT_SECONDS)
    if member in CHANGES:
        raise BackendStoppingError(not_resent_sentence(member, owner, STOPPING_WAIT_SECONDS))
    if owner is None:
        raise BackendStoppingError(not_back_sentence(STOPPING_WAIT_SECONDS))


async def new_owner(old: str, seconds: float) -> str | None:
    """Wait up to ``seconds`` for netwrightd's bus name to pass from ``old`` (the unique name
    of the one that is stopping) to another: that one's unique name; "" when the name has
    no owner but the bus starts netwrightd for a call (D-Bus activation: systemd's restart
    then answers it); None if neither happens in time, or the bus cannot be asked."""
    try:
        bus = await MessageBus(bus_type=BusType.SYSTEM).connect()
    except (OSError, ValueError, EOFError):
        return None
    changed = asyncio.Event()

    def on_message(msg: Message) -> bool:
        if (msg.message_type is MessageType.SIGNAL and msg.member == "NameOwnerChanged"
                and msg.sender == "org.freedesktop.DBus" and msg.body
                and msg.body[0] == names.BUS_NAME):
            changed.set()
        return False

    bus.add_message_handler(on_message)
    try:
        async with asyncio.timeout(seconds):
            await _ask(bus, "AddMatch", "s", OWNER_MATCH)
            activatable = await _ask(bus, "ListActivatableNames", "")
            startable = isinstance(activatable, list) and names.BUS_NAME in activatable
            while True:
                changed.clear()  # a change from now on wakes the wait below
                owner = await _ask(bus, "GetNameOwner", "s", names.BUS_NAME)
                owner = owner if isinstance(owner, str) else ""
                if owner != old and (owner or startable):
                    return owner
                await changed.wait()
    except TimeoutError:
        return None
    finally:
        with contextlib.suppress(Exception):
            bus.disconnect()


async def _ask(bus: MessageBus, member: str, signature: str, *args: str) -> object:
    """The bus's answer to ``member``; None for an error (GetNameOwner: no owner)."""
    reply = await bus.call(Message(
        destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
        interface="org.freedesktop.DBus", member=member, signature=signature,
        body=list(args)))
    if reply is None or reply.message_type is MessageType.ERROR:
        return None
    return reply.body[0] if reply.body else None
