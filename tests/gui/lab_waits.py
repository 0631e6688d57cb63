"""Waiting for the window's backend work in the lab tests, on the qasync loop."""

from __future__ import annotations

import asyncio
import time

from netwright.gui.window.main import MainWindow


async def idle(window: MainWindow, timeout: float = 120) -> None:
    """Until the main operation and every side task (status, cancel) have ended."""
    deadline = time.monotonic() + timeout
    while window.runner.busy() or window._side_tasks:
        assert time.monotonic() < deadline, f"{window.runner.operation} did not finish"
        await asyncio.sleep(0.05)
