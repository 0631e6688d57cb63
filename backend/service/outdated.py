"""A netwrightd whose files were replaced under it (an upgrade): refuse, then stop when safe.

Once ``CodeFiles`` finds the package's files changed since the daemon started, no call may run
new-file code through old-file modules: every call but Cancel is answered
io.netwright.Error.Outdated, whose sentence says what happens next. The daemon stops as soon
as it safely can, so the next use starts the new version: the system daemon once no job runs
(its state is on disk and it recovers on start; D-Bus activation starts the new one), a lab
once, besides, nothing is deployed in it (stopping a lab ends its networks: one that holds a
deployment keeps running, and the sentence names what it holds and that ``netwright lab
stop`` ends it).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable

from netwright.backend.count_words import agreeing, counted
from netwright.backend.service import names
from netwright.backend.service.calls import BusError
from netwright.backend.service.codefiles import CodeFiles
from netwright.backend.service.errors import OUTDATED_SENTENCE

log = logging.getLogger("netwrightd")

#: Methods still served: cancelling a running job only stops what the old code started.
STILL_SERVED = frozenset({"Cancel"})
#: How often a daemon waiting for its jobs to end looks again.
STOP_POLL_SECONDS = 0.5


class OutdatedGuard:
    """Answers for a daemon whose files may be replaced; stops it once that is safe.

    ``running()``: how many jobs run; ``deployed()``: what a lab holds (None for the system
    daemon, which may stop whatever is deployed); ``stop()``: ask the daemon to stop.
    """

    def __init__(self, files: CodeFiles, *, running: Callable[[], int],
                 deployed: Callable[[], Awaitable[list[str]]] | None,
                 stop: Callable[[], None]) -> None:
        self.files = files
        self._running = running
        self._deployed = deployed
        self._stop = stop
        self._loop = asyncio.get_running_loop()
        self._stopping: asyncio.Task[None] | None = None
        files.listeners.append(self._found_replaced)

    def _found_replaced(self) -> None:
        """CodeFiles found the files replaced (from whichever thread looked)."""
        self._loop.call_soon_threadsafe(self._stop_when_safe)

    async def refusal(self, method: str) -> BusError | None:
        """The Outdated error for a call of ``method``, or None when it may run."""
        if method in STILL_SERVED or not self.files.replaced():
            return None
        return await self.error()

    async def error(self) -> BusError:
        """The Outdated error, saying what this daemon does next."""
        running = self._running()
        held = await self._held()
        exiting = not running and not held
        if self._deployed is None:
            lab = False
            then = ("it stops now, and the next command starts the new version" if exiting
                    else f"it stops once its {_jobs_end(running)}, and the next"
                         " command after that starts the new version")
        else:
            lab = True
            then = _lab_then(running, held)
        detail = {"mode": "lab" if lab else "system", "exiting": exiting,
                  "deployments": held}
        return BusError(names.ERROR_OUTDATED, f"{OUTDATED_SENTENCE}: {then}",
                        json.dumps(detail))

    async def _held(self) -> list[str]:
        if self._deployed is None:
            return []
        try:
            return sorted(await self._deployed())
        except Exception as exc:  # its old code cannot read them: keep it, and say so
            log.warning("cannot list what the lab holds: %r", exc)
            return ["(what it holds could not be read)"]

    def _stop_when_safe(self) -> None:
        if self._stopping is None:
            self._stopping = self._loop.create_task(self._wait_and_stop())

    async def _wait_and_stop(self) -> None:
        """Stop once no job runs, unless the lab then holds a deployment: as every call but
        Cancel is refused, nothing will take it away but ``netwright lab stop``."""
        if self._running():
            log.info("it stops once no job runs")
        while self._running():
            await asyncio.sleep(STOP_POLL_SECONDS)
        held = await self._held()
        if held:
            log.info("it keeps running for what it holds (%s) until netwright lab stop",
                     ", ".join(held))
            return
        log.info("stopping: the files it started from were replaced")
        self._stop()


def _jobs_end(running: int) -> str:
    """"1 running job ends", "2 running jobs end": the verb agrees with the count."""
    return f"{counted(running, 'running job')} {agreeing(running, 'ends', 'end')}"


def _lab_then(running: int, held: list[str]) -> str:
    if held:
        listed = ", ".join(held)
        return (f"this lab keeps running because it holds {listed} (stopping the lab ends"
                f" {'that network' if len(held) == 1 else 'those networks'}):"
                " `netwright lab stop` ends it, and the next command then starts the new lab")
    if running:
        return (f"it stops once its {_jobs_end(running)}, if nothing is deployed in"
                " it then (else `netwright lab stop` ends it), and the next command after"
                " that starts the new lab")
    return "it stops now, and the next command starts the new lab"
