"""A backend call whose task is stepped while the designer's loop is not running leaves no
D-Bus call coroutine behind.

qasync runs a task's steps from Qt's timer events, so ``processEvents`` outside
``run_until_complete`` (a test, a window closing after the loop stopped) steps a status
request with no running loop. The call then fails; it must fail before the D-Bus call is
created, not drop it unawaited ("coroutine 'MessageBus.call' was never awaited", seen in
test_bottom_panel_lab). A real dbus-daemon carries the client; no backend is needed, as
the call never leaves the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import shutil
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from dbus_fast import BusType
from dbus_fast.aio import MessageBus
from PySide6.QtWidgets import QApplication

from netwright.backend.client.client import BackendClient
from tests.tools.private_bus import write_system_bus_config


@contextlib.contextmanager
def _private_bus() -> Iterator[str]:
    run_dir = Path(tempfile.mkdtemp(prefix="netwright-offloop-"))
    config, socket = write_system_bus_config(run_dir, None)
    daemon = subprocess.Popen(["dbus-daemon", f"--config-file={config}", "--nofork",
                               "--nopidfile"], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not socket.exists():
            assert daemon.poll() is None and time.monotonic() < deadline, "no dbus-daemon"
            time.sleep(0.02)
        yield f"unix:path={socket}"
    finally:
        daemon.terminate()
        daemon.wait(5)
        shutil.rmtree(run_dir, ignore_errors=True)


async def _attached(address: str) -> BackendClient:
    bus = await MessageBus(bus_address=address, bus_type=BusType.SYSTEM).connect()
    return await BackendClient.attach(bus)


def test_a_status_stepped_off_the_loop_drops_no_dbus_call(
        qapp: QApplication, loop: asyncio.AbstractEventLoop) -> None:
    with _private_bus() as address:
        client = loop.run_until_complete(_attached(address))
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                asking = loop.create_task(client.status("seed"))
                deadline = time.monotonic() + 10
                while not asking.done():  # stepped by Qt's timer, the loop not running
                    assert time.monotonic() < deadline, "the task was never stepped"
                    QApplication.processEvents()
                with pytest.raises(RuntimeError):
                    asking.result()
                del asking  # its traceback held the call, if one was made
                gc.collect()
            dropped = [str(w.message) for w in caught if "never awaited" in str(w.message)]
            assert not dropped, dropped
        finally:
            client.close()
