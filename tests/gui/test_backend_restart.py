"""The designer across a restart of its system netwrightd (stopped with SIGTERM, then a new one
started, as systemd does): a status asked while nobody owned the bus name said "status
unknown" until the person did something; the window now asks again as soon as the next
netwrightd owns the name, and the deployment's status comes back by itself.

A real netwrightd on the NM tests' private bus (nm_backend), stopped and started again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from lab_waits import idle
from nm_backend import connect
from nm_harness import Harness, netwrightd_on

from netwright.gui.window.main import MainWindow

DESIGN = "netwright: 1\nname: guirestart\nnamespaces:\n  gr: {}\n"


def _until(loop: asyncio.AbstractEventLoop, done: Callable[[], bool], what: str,
           seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        loop.run_until_complete(asyncio.sleep(0.05))


def test_the_status_comes_back_when_netwrightd_restarts(
        harness: Harness, window: MainWindow, loop: asyncio.AbstractEventLoop,
        tmp_path: Path) -> None:
    window.document.load_text(DESIGN)
    state = tmp_path / "state"
    with netwrightd_on(harness, state, tmp_path / "first.log"):
        window.set_backend(loop.run_until_complete(connect(harness)))
        loop.run_until_complete(idle(window))
        _until(loop, lambda: window.deploy_label.text() == "not deployed", "the first status")
    # the first netwrightd has stopped; nobody owns the name: a status asked now fails
    window.refresh_status()
    _until(loop, lambda: window.deploy_label.text() == "status unknown (see Plan / Log)",
           "the status to fail")
    with netwrightd_on(harness, state, tmp_path / "second.log"):
        _until(loop, lambda: window.deploy_label.text() == "not deployed",
               "the status from the next netwrightd")
        assert "the backend (netwrightd) restarted: asking it again" in \
            window.log.toPlainText().splitlines(), window.log.toPlainText()
        window.runner.backend.close()  # type: ignore[union-attr]
