"""The daemon's clock for changes on trial: restore them when their window ends.

An apply that changed the device of the host's default route is kept only if the caller
confirms it in time (netwright.backend.engine.trial). Nobody may be left to call again (the
change cut them off), so the daemon itself ends every trial at its deadline: it asks the
engine to restore what has expired (the engine call that ends a trial has netwrightd say
StateChanged(topology, "restored"), as for any other end: see EngineWorker.tell_trial_ends).
Trials found on disk at startup (a daemon restarted during one) are watched the same way.
"""

from __future__ import annotations

import asyncio
import logging
import time

from netwright.backend.engine import Engine
from netwright.backend.engine.trial import Ended
from netwright.backend.service.incidents import incident
from netwright.backend.service.worker import EngineWorker

log = logging.getLogger("netwrightd")

RETRY_SECONDS = 2.0
"""An expired trial the engine could not restore yet (its topology was busy) is tried again
this much later."""


class TrialWatch:
    """One timer for the earliest deadline of all trials on the daemon's target."""

    def __init__(self, worker: EngineWorker) -> None:
        self.worker = worker
        self._timer: asyncio.TimerHandle | None = None
        self._due = float("inf")
        self._running: asyncio.Task[None] | None = None

    def watch(self, deadline: float) -> None:
        """Make sure the engine is asked to restore expired trials at ``deadline``."""
        if deadline >= self._due and self._timer is not None:
            return
        if self._timer is not None:
            self._timer.cancel()
        loop = asyncio.get_running_loop()
        self._due = deadline
        self._timer = loop.call_later(max(0.0, deadline - time.time()) + 0.05, self._fire)

    async def start(self) -> None:
        """Watch the trials a previous daemon left (restoring those already expired)."""
        try:
            deadlines = await self.worker.with_engine(_deadlines)
        except Exception as exc:  # must not stop the daemon from serving; retried soon
            incident(exc, "reading the changes on trial")
            deadlines = [time.time() + RETRY_SECONDS]
        if deadlines:
            self.watch(min(deadlines))

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _fire(self) -> None:
        self._timer = None
        self._due = float("inf")
        if self._running is None or self._running.done():
            self._running = asyncio.ensure_future(self._expire())

    async def _expire(self) -> None:
        try:
            restored, left = await self.worker.with_engine(_expire_and_look)
        except Exception as exc:  # logged with an incident id; tried again below
            incident(exc, "restoring a configuration nobody confirmed")
            restored, left = [], [time.time()]
        for ended in restored:  # a first apply is removed: nothing came before it to restore
            log.info("%s", ended.words())
        if left:
            self.watch(max(min(left), time.time() + RETRY_SECONDS))


async def _deadlines(engine: Engine) -> list[float]:
    found = []
    for name in engine.store.trials():
        held = engine.awaiting_confirmation(name)
        if held is not None:
            found.append(held.deadline)
    return found


async def _expire_and_look(engine: Engine) -> tuple[list[Ended], list[float]]:
    """One engine call: restore (or remove) what has expired, then the deadlines of what is
    left."""
    return await engine.end_expired_trials(), await _deadlines(engine)
