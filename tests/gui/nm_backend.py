"""A designer window's backend for tests with a real NetworkManager: the NM tests' harness
(a private bus and NetworkManager in a namespace of its own, which plays the host) and
netwrightd on that bus, in that namespace. Import the fixtures ``harness`` and
``netwrightd`` into a test module; ``connect`` gives the window its client."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "nm"))
from nm_harness import Harness, netwrightd_on, require_tools


@pytest.fixture
def harness() -> Iterator[Harness]:
    """A private bus and NetworkManager (the NM tests' harness); netwrightd joins it."""
    missing = require_tools(("NetworkManager", "nmcli", "dbus-daemon", "ip"))
    if os.geteuid() != 0 or missing:
        pytest.fail(f"needs root under tests/tools/run-isolated and {missing or 'NM'}"
                    " (tests/tools/install-deps.sh installs it)")
    started = Harness.start()
    yield started
    started.close()


@pytest.fixture
def netwrightd(harness: Harness, tmp_path: Path) -> Iterator[object]:
    """netwrightd on the harness's bus, in NetworkManager's namespace (the NM tests' recipe)."""
    with netwrightd_on(harness, tmp_path / "state", tmp_path / "netwrightd.log") as process:
        yield process


async def connect(harness: Harness) -> Any:
    """A BackendClient of that netwrightd, for ``MainWindow.set_backend``."""
    from dbus_fast.aio import MessageBus

    from netwright.backend.client import BackendClient

    bus = await MessageBus(bus_address=harness.bus.address).connect()
    return await BackendClient.attach(bus)
