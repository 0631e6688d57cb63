"""Waiting for the window's backend work in the lab tests, on the qasync loop."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from pathlib import Path

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
        done, _status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
