"""When a lab has nobody left: no client on its bus, no job, nothing deployed, for a while.

A lab started on demand (by the designer or a CLI command) must not outlive everyone who used
it. Its bus is private to one user, so every other connection on it is a client: the designer
holds one while it runs, a command one while it works. Once none has been connected, and no
job has run, for ``seconds`` in a row, the lab stops if it holds no deployment. A lab that
holds one keeps running (the user's network is in it; ``netwright lab stop`` or the
designer's quit dialog ends it), and the watch starts over.

``NETWRIGHT_LAB_IDLE_SECONDS`` (or ``netwrightd --lab --idle-exit``) sets the time; 0 means
never stop by itself.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from dbus_fast import Message, MessageType
from dbus_fast.aio import MessageBus

log = logging.getLogger("netwrightd")

DEFAULT_IDLE_SECONDS = 60.0
IDLE_ENV = "NETWRIGHT_LAB_IDLE_SECONDS"


def idle_seconds(text: str | None, default: float = DEFAULT_IDLE_SECONDS) -> float:
    """The idle time ``text`` (``--idle-exit`` or ``NETWRIGHT_LAB_IDLE_SECONDS``) asks for;
    ``default`` when it is unset or not a number of seconds."""
    if text is None or not text.strip():
        return default
    try:
        return max(0.0, float(text))
    except ValueError:
        log.warning("idle time %r is not a number of seconds; using %.0f s", text, default)
        return default


async def bus_clients(bus: MessageBus) -> int:
    """How many connections other than ours the (private) bus has now."""
    reply = await bus.call(Message(
        destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
        interface="org.freedesktop.DBus", member="ListNames"))
    if reply is None or reply.message_type is MessageType.ERROR:
        return 1  # cannot tell: count as used rather than stop under someone
    names = reply.body[0] if reply.body else []
    return sum(1 for name in names if name.startswith(":") and name != bus.unique_name)


async def wait_until_idle(bus: MessageBus, seconds: float, *,
                          working: Callable[[], bool],
                          holds_something: Callable[[], Awaitable[bool]]) -> None:
    """Return once the bus has had no client and ``working()`` was false for ``seconds``,
    and ``holds_something()`` then says no. Never returns when ``seconds`` is 0."""
    if seconds <= 0:
        await asyncio.Event().wait()
    poll = min(1.0, max(0.05, seconds / 4))
    idle_since: float | None = None
    while True:
        await asyncio.sleep(poll)
        if working() or await bus_clients(bus):
            idle_since = None
            continue
        now = time.monotonic()
        if idle_since is None:
            idle_since = now
        if now - idle_since < seconds:
            continue
        if not await holds_something():
            log.info("no client for %.0f s and nothing deployed: the lab stops", seconds)
            return
        idle_since = None  # it holds a deployment: it stays, and looks again later
