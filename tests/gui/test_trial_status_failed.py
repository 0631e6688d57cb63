"""The trial dialog when the status that follows the deadline fails, and not with "not
deployed": it stayed at "Time is up: the backend is restoring…" for ever, with no button to
close it, because only a status (or "not deployed") could end it and the window stopped
asking after the first failure. It now says that what happened is not known, and why.

The failure is a real one: a private bus (dbus-daemon, the project's bus policy) on which
no backend owns io.netwright.Backend1, so the client's Status call gets the bus's own
ServiceUnknown error, as a window does whose backend has gone away during a trial.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from netwright.gui.window.main import MainWindow
from tests.tools.private_bus import write_system_bus_config

REPO = Path(__file__).resolve().parents[2]
DESIGN = """netwright: 1
name: guitrial
interfaces:
  brs: {kind: bridge, addresses: [192.0.2.20/24]}
"""


@pytest.fixture
def empty_bus(tmp_path: Path) -> Iterator[str]:
    """The address of a private system bus that no backend has joined."""
    config, socket = write_system_bus_config(
        tmp_path, REPO / "packaging" / "dbus" / "io.netwright.Backend1.conf")
    bus = subprocess.Popen(["dbus-daemon", f"--config-file={config}", "--nofork",
                            "--nopidfile"], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not socket.exists():
        assert bus.poll() is None and time.monotonic() < deadline, "dbus-daemon did not start"
        time.sleep(0.01)
    yield f"unix:path={socket}"
    bus.terminate()
    bus.wait(5)


async def client_on(address: str) -> Any:
    from dbus_fast.aio import MessageBus

    from netwright.backend.client import BackendClient

    return await BackendClient.attach(await MessageBus(bus_address=address).connect())


def test_a_failed_status_after_the_deadline_ends_the_dialog(
        window: MainWindow, empty_bus: str, loop: asyncio.AbstractEventLoop) -> None:
    window.document.load_text(DESIGN)
    client = loop.run_until_complete(client_on(empty_bus))
    window.set_backend(client)
    window.show_trial("guitrial", {"deadline": time.time() + 0.5,
                                   "reason": "this changes brs, which carries the host's"
                                             " default route"})
    trial = window.trial_dialog
    assert trial is not None and trial.state == "waiting"
    started = time.monotonic()
    while trial.state in ("waiting", "restoring"):
        assert time.monotonic() - started < 10, trial.countdown.text()
        loop.run_until_complete(asyncio.sleep(0.05))
    assert trial.state == "failed"
    words = trial.countdown.text()
    assert words.startswith("Time is up, but whether the previous configuration of guitrial"
                            " was restored is not known: asking the backend for its status"
                            " failed (the Netwright backend is not available: "), words
    assert window.deploy_label.text() == "status unknown (see Plan / Log)"
    assert "the Netwright backend is not available" in window.deploy_label.toolTip()
    assert window.log.toPlainText().splitlines()[-1] == f"guitrial: {words}"
    assert trial.close_button.isVisible() and not trial.keep_button.isVisible()
    trial.close_button.click()
    assert not trial.isVisible()
    window.set_backend(None)
    client.close()
