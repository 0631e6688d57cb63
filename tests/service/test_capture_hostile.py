"""Capture against a hostile caller: a reader that never reads must not pin the capture.

The caller chooses what its descriptor is. A pipe whose reading end is held by a process
that never reads fills up, and a blocking write into it would never return: the capture's
thread would then ignore Cancel and its owner leaving the bus, keep its packet socket (and
its 32 MiB receive buffer) open, and keep netwrightd from stopping. Each test runs the
caller as an unprivileged user through the project's client.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from svc_callers import run_client
from svc_capture import packet_sockets
from svc_polkit import USER_ALLOWED, USER_PEER

MV2 = "192.168.31.6"

#: A pipe of one page whose read end a process of the caller's own keeps and never reads.
STALLED_PIPE = """
import fcntl, os, subprocess
read_end, write_end = os.pipe()
fcntl.fcntl(write_end, 1031, 4096)  # F_SETPIPE_SZ: one page
holder = subprocess.Popen(['sleep', '120'], pass_fds=[read_end],
                          start_new_session=True, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
os.close(read_end)
await client.apply(seed)
job = await client.start_capture('seed', 'mv1', write_end)
os.close(write_end)
"""


def _flood(running) -> None:
    """Enough packets on mv1 to fill a page many times over (net1 → net2's mv2)."""
    running.host.run("ip", "netns", "exec", "lab-net1", "ping", "-q", "-c", "40", "-i",
                     "0.01", "-s", "1400", MV2, check=False)


def _wait_for_sockets(running, count: int) -> None:
    """Until ``count`` captures listen on mv1 (the callers start as the machine allows)."""
    deadline = time.monotonic() + 30
    while _listening(running) < count:
        assert time.monotonic() < deadline, f"{count} captures did not start"
        time.sleep(0.05)


def _listening(running) -> int:
    try:
        return packet_sockets(running.host, "lab-net1")
    except RuntimeError:  # the seed is not applied yet: no lab-net1
        return 0


def _sockets_gone(running, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while packet_sockets(running.host, "lab-net1") and time.monotonic() < deadline:
        time.sleep(0.1)
    return packet_sockets(running.host, "lab-net1") == 0


@contextlib.contextmanager
def _release(run_dir: Path) -> Iterator[Path]:
    """A path a caller's snippet waits for (``_until``): the test creates it when the caller
    may go on, and the block's end creates it whatever happened, so no caller is left
    waiting."""
    path = run_dir / f"release-{uuid.uuid4().hex}"
    try:
        yield path
    finally:
        path.touch()


def _until(path: Path) -> str:
    """Snippet lines: wait until the test creates ``path`` (a minute at most)."""
    return ("import asyncio, os, time\nuntil = time.monotonic() + 60\n"
            f"while not os.path.exists({str(path)!r}) and time.monotonic() < until:\n"
            "    await asyncio.sleep(0.02)\n")


def _end(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _stall(running, system_bus, run_dir: Path, then: str) -> Any:
    """Run STALLED_PIPE as the allowed user, flood mv1 while its caller is still on the bus
    (so the pipe is full before it leaves; the snippet waits until the flood has been sent),
    then ``then``; the snippet's value."""
    with ThreadPoolExecutor(1) as pool, _release(run_dir) as flooded:
        client = pool.submit(run_client, USER_ALLOWED, system_bus,
                             STALLED_PIPE + _until(flooded) + then)
        _wait_for_sockets(running, 1)
        _flood(running)
        flooded.touch()
        outcome = client.result(timeout=120)
    assert "value" in outcome, outcome
    value: Any = outcome["value"]
    return value


def test_a_stalled_reader_does_not_outlive_its_caller(running, system_bus,
                                                     service_run_dir: Path) -> None:
    holder = _stall(running, system_bus, service_run_dir, "return holder.pid\n")
    assert isinstance(holder, int), holder
    try:
        assert _sockets_gone(running, 10), running.log()
    finally:
        _end(holder)
        run_client(USER_ALLOWED, system_bus, "await client.destroy('seed')")


def test_cancel_stops_a_capture_whose_reader_stalled(running, system_bus,
                                                    service_run_dir: Path) -> None:
    then = """
await client.cancel(job)
try:
    ended = await asyncio.wait_for(client.wait_capture(job), 10)
except TimeoutError:
    ended = 'still running 10 s after Cancel'
return [holder.pid, ended]
"""
    holder, ended = _stall(running, system_bus, service_run_dir, then)
    try:
        assert isinstance(ended, dict) and ended["ended"] == "stopped", ended
        assert _sockets_gone(running, 10), running.log()
    finally:
        _end(holder)
        run_client(USER_ALLOWED, system_bus, "await client.destroy('seed')")


def _hold_captures(user: str, system_bus: str, count: int, release: Path) -> dict[str, Any]:
    """``count`` captures of mv1 into /dev/null by ``user``, held until ``release`` is
    there, then cancelled."""
    return run_client(user, system_bus, f"""
import os
fd = os.open('/dev/null', os.O_WRONLY)
jobs = [await client.start_capture('seed', 'mv1', fd) for _ in range({count})]
{_until(release)}
for job in jobs:
    await client.cancel(job)
return len(jobs)
""")


def test_long_captures_leave_threads_for_everyone_else(running, system_bus,
                                                      service_run_dir: Path) -> None:
    """Captures run as long as their owner wants. Each held a thread of the daemon's default
    executor (6 on two CPUs) for its whole run, the one ImportHost, Measure and opening a
    capture also wait for: two users' captures left the others waiting for minutes."""
    run_client(USER_ALLOWED, system_bus, "await client.apply(seed)")
    try:
        with ThreadPoolExecutor(2) as pool, _release(service_run_dir) as asked_all:
            holders = [pool.submit(_hold_captures, USER_ALLOWED, system_bus, 4, asked_all),
                       pool.submit(_hold_captures, USER_PEER, system_bus, 2, asked_all)]
            _wait_for_sockets(running, 6)
            asked = run_client(USER_ALLOWED, system_bus, """
import asyncio
try:
    await asyncio.wait_for(client.import_host('live-host', []), 4)
except TimeoutError:
    return 'no answer within 4 s'
return 'answered'
""")
            asked_all.touch()  # the captures ran the whole time ImportHost was asked
            held = [holder.result(timeout=120) for holder in holders]
        assert held == [{"value": 4}, {"value": 2}], held
        assert asked == {"value": "answered"}, asked
    finally:
        run_client(USER_ALLOWED, system_bus, "await client.destroy('seed')")
