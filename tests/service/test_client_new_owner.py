"""A long-lived asyncio client (the designer's) across a netwrightd upgraded by its restart.

BackendClient asks the backend's API version once and decides from it what it may ask (the
Target property since 1.18, Stopping since 1.20 …). It kept that answer when the backend's
name got a new owner, so a netwrightd upgraded by `systemctl restart` went on being treated
as the old one (its target guessed, not asked) until the designer reconnected. Now a new
owner's version is asked again.

The old netwrightd runs from a copy of the package whose names.py says API 1.17 (before
Target); the copy is then upgraded (the checkout's names.py, a new mtime) and the next
netwrightd starts from it, on the same private bus, as systemd would (svc_copied).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from svc_copied import CopiedDaemon

from netwright.backend.client.client import BackendClient
from netwright.backend.client.requests import TARGET_API
from netwright.backend.service import names

OLD_API = "1.17"


@pytest.fixture
def old_daemon(tmp_path: Path) -> Iterator[CopiedDaemon]:
    """A netwrightd managing the lab host (Target "lab") that reports the API before Target;
    its code otherwise this checkout's."""

    def downgraded(package: Path) -> None:
        module = package / "service" / "names.py"
        text = module.read_text()
        assert f'API_VERSION: Final = "{names.API_VERSION}"' in text
        module.write_text(text.replace(f'"{names.API_VERSION}"', f'"{OLD_API}"'))

    daemon = CopiedDaemon(tmp_path, ("--target", "lab"), prepare=downgraded)
    yield daemon
    daemon.close()


def upgrade(daemon: CopiedDaemon) -> None:
    """What an upgrade does to the copy: the checkout's names.py, with a later mtime."""
    module = daemon.package / "service" / "names.py"
    module.write_text(Path(names.__file__).read_text())
    later = time.time_ns() + 5_000_000_000
    os.utime(module, ns=(later, later))


async def across_an_upgrade(daemon: CopiedDaemon) -> dict[str, str]:
    """The client's version and target before the restart and after the next owner."""
    from dbus_fast.aio import MessageBus

    client = await BackendClient.attach(await MessageBus(bus_address=daemon.address).connect())
    restarted = asyncio.Event()
    client.restart_listeners.append(restarted.set)
    try:
        seen = {"old version": await client.version(), "old target": await client.target()}
        upgrade(daemon)
        await asyncio.get_running_loop().run_in_executor(None, daemon.restart)
        await asyncio.wait_for(restarted.wait(), 30)
        seen["new version"] = await client.version()
        seen["new target"] = await client.target()
        return seen
    finally:
        client.close()


def test_a_restarted_netwrightd_is_asked_its_version_again(old_daemon) -> None:
    assert tuple(int(part) for part in OLD_API.split(".")) < TARGET_API
    seen = asyncio.run(across_an_upgrade(old_daemon))
    # the old one cannot be asked its target: the client guesses this machine
    assert seen["old version"] == OLD_API and seen["old target"] == "host", seen
    # the upgraded one is asked: it manages the lab (it was "host", the old one's guess)
    assert seen["new version"] == names.API_VERSION, seen
    assert seen["new target"] == "lab", seen
