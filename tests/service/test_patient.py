"""netwrightd keeps its bus when the bus daemon is slow to read (a full socket is waited for).

The private bus daemon is stopped (SIGSTOP, by its PID) while the daemon's own connection
sends 8 MB of signals, far more than a socket holds: the writer meets EAGAIN. dbus-fast alone
takes that for a lost connection; netwrightd's connection must wait, and once the bus daemon
runs again, deliver everything and answer calls.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest
from dbus_fast import Message, MessageType
from svc_bus import start_system_bus

from netwright.backend.service.daemon import connect


@pytest.fixture
def slow_bus(tmp_path_factory):
    run_dir = Path(tmp_path_factory.mktemp("patient"))
    bus, address = start_system_bus(run_dir)
    yield bus, address
    os.kill(bus.pid, signal.SIGCONT)  # whatever the test did, so that it can stop
    bus.stop()


async def test_a_full_socket_is_waited_for_not_taken_for_a_lost_bus(slow_bus) -> None:
    started, address = slow_bus
    bus = await connect(address)
    try:
        os.kill(started.pid, signal.SIGSTOP)
        try:
            for _ in range(2000):
                bus.send(Message.new_signal("/io/netwright/Test", "io.netwright.Test", "Fill",
                                            "s", ["x" * 4096]))
            await asyncio.sleep(0.5)  # the writer has met the full socket by now
            assert bus.connected, "the connection was dropped on EAGAIN"
        finally:
            os.kill(started.pid, signal.SIGCONT)
        reply = await asyncio.wait_for(bus.call(Message(
            destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
            interface="org.freedesktop.DBus", member="GetId")), 60)
        assert reply is not None and reply.message_type is MessageType.METHOD_RETURN, reply
    finally:
        bus.disconnect()
