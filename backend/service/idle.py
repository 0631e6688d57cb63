"""When a lab has nobody left: no client on its bus, no job, nothing deployed, for a while.

A lab started on demand (by the designer or a CLI command) must not outlive everyone who used
it. Its bus is private to one user, so every other connection on it is a client: the designer
holds one while it runs, a command one while it works. Once none has been connected, and no
job has run, for ``seconds`` in a row, the lab stops if it holds no deployment. A lab that
holds one keeps running (the user's network is in it; ``netwright lab stop`` or the
designer's quit dialog ends it), and the watch starts over.

Whenever the lab stays although it would have stopped (it holds a deployment, a client or a
job has lasted longer than the idle time), it says why in its log, once per reason until the
reason changes: a user reading lab.log, and a test, learns that the check ran and decided.

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

from netwright.backend.count_words import agreeing, counted

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


class StayNotes:
    """Logs why the lab stays, once per reason: not every poll, and not for a short visit.

    A reason that answers the idle check itself (a deployment) is said at once; one that
    merely keeps the check from starting (a client, a job) once it has lasted ``seconds``,
    so a command that connects for a moment leaves no line. The last reason said is kept
    until another is said: a command in between does not make the lab repeat itself.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.said: str | None = None
        self.current: str | None = None
        self.current_since = 0.0

    def note(self, reason: str | None, now: float, *, decided: bool = False) -> None:
        """``reason`` keeps the lab now (None: nothing does, the idle time runs)."""
        if reason != self.current:
            self.current, self.current_since = reason, now
        if reason is None or reason == self.said:
            return
        if decided or now - self.current_since >= self.seconds:
            log.info("%s", reason)
            self.said = reason


def holding_reason(names: list[str], seconds: float) -> str:
    """The line a lab that stays for its deployments logs."""
    what = agreeing(len(names), "deployment", "deployments")
    return (f"no client for {seconds:.0f} s, but holding {what} {', '.join(sorted(names))}:"
            " staying (netwright lab stop ends it)")


def clients_reason(count: int, seconds: float) -> str:
    """The line a lab kept by connected clients logs once they have held it ``seconds``."""
    return (f"{counted(count, 'client')} connected for over {seconds:.0f} s: staying until"
            f" {agreeing(count, 'it leaves', 'they leave')}")


async def wait_until_idle(bus: MessageBus, seconds: float, *,
                          working: Callable[[], bool],
                          holdings: Callable[[], Awaitable[list[str]]]) -> None:
    """Return once the bus has had no client and ``working()`` was false for ``seconds``,
    and ``holdings()`` (the deployments held) then is empty. Never returns when ``seconds``
    is 0. Each reason to stay is logged once (StayNotes)."""
    if seconds <= 0:
        await asyncio.Event().wait()
    poll = min(1.0, max(0.05, seconds / 4))
    notes = StayNotes(seconds)
    idle_since: float | None = None
    while True:
        await asyncio.sleep(poll)
        now = time.monotonic()
        if working():
            idle_since = None
            notes.note(f"a job has run for over {seconds:.0f} s: staying until it ends", now)
            continue
        clients = await bus_clients(bus)
        if clients:
            idle_since = None
            notes.note(clients_reason(clients, seconds), now)
            continue
        notes.note(None, now)
        if idle_since is None:
            idle_since = now
        if now - idle_since < seconds:
            continue
        held = await holdings()
        if not held:
            log.info("no client for %.0f s and nothing deployed: the lab stops", seconds)
            return
        notes.note(holding_reason(held, seconds), now, decided=True)
        idle_since = None  # it holds a deployment: it stays, and looks again later
