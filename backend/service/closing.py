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
(dispatch.py). All of them together fit in what is left of the stop's budget (StopBudget):
each wait added at the end of a stop lengthens its worst case, which systemd and the
clients bound from outside.
"""

from __future__ import annotations

import asyncio
import logging
import time

from dbus_fast import Message
from dbus_fast.aio import MessageBus

from netwright.backend.service import names
from netwright.backend.service.dispatch import DRAIN_SECONDS, Dispatcher

log = logging.getLogger("netwrightd")

#: How long the last step waits for the bus to answer the release and the Ping, at most.
BUS_ANSWER_SECONDS = 5.0

#: The whole stop, from its start to the exit: the jobs' rollback takes up to
#: SHUTDOWN_TIMEOUT_SECONDS (daemon.py), the calls in progress and the last replies what is
#: left. Outside, a lab's unit is killed after its TimeoutStopSec (75 s, lab_start.py), a
#: client waits 80 s for a stopping lab (connecting.py), systemd's default for the system
#: unit is 90 s: the worst case must end before all of them
#: (tests/service/test_stop_budget.py).
STOP_BUDGET_SECONDS = 66.0

#: The least a wait at the end gets even when the budget is spent: a bus round trip, or
#: calls a moment from done, still get their chance.
LAST_WAIT_SECONDS = 0.5


class StopBudget:
    """What is left of the stop's time, shared by the bounded waits after the rollback."""

    def __init__(self, seconds: float = STOP_BUDGET_SECONDS) -> None:
        self.deadline = time.monotonic() + seconds

    def left(self, most: float) -> float:
        """``most`` seconds, or what is left of the budget if less, but not under
        LAST_WAIT_SECONDS (nor over ``most``)."""
        return min(most, max(LAST_WAIT_SECONDS, self.deadline - time.monotonic()))


async def answer_last_calls(bus: MessageBus, dispatcher: Dispatcher,
                            budget: StopBudget) -> None:
    """Release the bus name, answer every call that came before, and flush the replies,
    within what is left of ``budget``."""
    if not bus.connected:
        return  # the bus went away: nobody is left to answer
    try:
        async with asyncio.timeout(budget.left(BUS_ANSWER_SECONDS)):
            await bus.release_name(names.BUS_NAME)
    except Exception as exc:  # a bus that does not answer: answer what came, all the same
        log.warning("could not release %s before exiting: %s", names.BUS_NAME, exc)
    await dispatcher.drain(budget.left(DRAIN_SECONDS))
    try:
        async with asyncio.timeout(budget.left(BUS_ANSWER_SECONDS)):
            await bus.call(Message(destination="org.freedesktop.DBus",
                                   path="/org/freedesktop/DBus",
                                   interface="org.freedesktop.DBus.Peer", member="Ping"))
    except Exception as exc:
        log.warning("could not make sure the last replies left: %s", exc)
