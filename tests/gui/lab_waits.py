"""Waiting for the window's backend work in the lab tests, on the qasync loop."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable

from netwright.backend.dhcp import processes
from netwright.gui.window.main import MainWindow


async def idle(window: MainWindow, timeout: float = 120) -> None:
    """Until the main operation and every side task (status, cancel) have ended."""
    deadline = time.monotonic() + timeout
    while window.runner.busy() or window._side_tasks:
        assert time.monotonic() < deadline, f"{window.runner.operation} did not finish"
        await asyncio.sleep(0.05)


def lab_alive(pid: int) -> bool:
    """True while the lab process runs (a lab this test started is our child: reap it)."""
    with contextlib.suppress(ChildProcessError):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    return not processes.exited(pid)


def until(loop: asyncio.AbstractEventLoop, condition: Callable[[], object],
          timeout: float = 15) -> None:
    """Run the qasync loop until ``condition()`` holds (the window reacts to signals there)."""
    async def wait() -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, "timed out"
            await asyncio.sleep(0.05)

    loop.run_until_complete(wait())
