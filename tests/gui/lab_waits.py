"""Waiting for the window's backend work in the lab tests, on the qasync loop."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time

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
