"""The daemon's last step: every call that reached it is answered before it leaves the bus.

A call that reached netwrightd during its stop, or a moment before, must get its answer (a
result, or Stopping) before the process exits; closing the connection with calls unread or
replies unsent made the bus answer their callers NoReply ("recipient disconnected"), and a
``netwright list`` a moment before a restart failed for no reason. So, once the jobs and the
calls in progress have ended:

1. the bus name is released: no later call can reach this daemon through it (the bus answers
   ServiceUnknown, or starts the next netwrightd);
2. the bus handles a connection's messages in order, so every call it delivered before the
   release was read before the release's reply: their tasks exist now, and are waited for;
3. a Ping to the bus, answered after the replies written before it were delivered, flushes
   dbus-fast's writer (``disconnect`` shuts the socket at once, dropping what it holds).
It never waits long: each wait is bounded, and a call still running then is answered Failed
(dispatch.py).
"""

from __future__ import annotations

import asyncio
import logging

from dbus_fast import Message
from dbus_fast.aio import MessageBus

from netwright.backend.service import names
from netwright.backend.service.dispatch import Dispatcher

log = logging.getLogger("netwrightd")

#: How long the last step waits for the bus to answer the release and the Ping.
BUS_ANSWER_SECONDS = 5.0


async def answer_last_calls(bus: MessageBus, dispatcher: Dispatcher) -> None:
    """Release the bus name, answer every call that came before, and flush the replies."""
    if not bus.connected:
        return  # the bus went away: nobody is left to answer
    try:
        async with asyncio.timeout(BUS_ANSWER_SECONDS):
            await bus.release_name(names.BUS_NAME)
    except Exception as exc:  # a bus that does not answer: answer what came, all the same
        log.warning("could not release %s before exiting: %s", names.BUS_NAME, exc)
    await dispatcher.drain()
    try:
        async with asyncio.timeout(BUS_ANSWER_SECONDS):
            await bus.call(Message(destination="org.freedesktop.DBus",
                                   path="/org/freedesktop/DBus",
                                   interface="org.freedesktop.DBus.Peer", member="Ping"))
    except Exception as exc:
        log.warning("could not make sure the last replies left: %s", exc)
