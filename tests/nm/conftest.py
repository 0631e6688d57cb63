"""Fixtures for the NetworkManager tests: a real NM 1.42 per test, private in every way.

See nm_harness.py for the recipe. Every test here needs root and runs under
tests/tools/run-isolated; NM's namespace plays the host (``Target(host_netns=...)``).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from designs import harness_engine
from nm_harness import Harness, require_tools

from netwright.backend.engine import Engine
from netwright.backend.nm.client import NmClient

TOOLS = ("NetworkManager", "nmcli", "dbus-daemon", "dbus-send", "ip", "unshare")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.root)


@pytest.fixture
def harness() -> Iterator[Harness]:
    if os.geteuid() != 0:
        pytest.skip("the NetworkManager harness needs root (run under tests/tools/run-isolated)")
    missing = require_tools(TOOLS)
    if missing:
        pytest.skip(f"{missing} is missing: run tests/tools/install-deps.sh")
    started = Harness.start()
    yield started
    started.close(keep_logs=bool(os.environ.get("NETWRIGHT_KEEP_NM_LOGS")))


@pytest.fixture
async def nm(harness: Harness) -> AsyncIterator[NmClient]:
    client = await NmClient.connect(harness.bus.address)
    yield client
    client.close()


@pytest.fixture
def engine(harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """An engine on the harness's host; NetworkManager found on its private bus."""
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", harness.bus.address)
    return harness_engine(harness, tmp_path)
