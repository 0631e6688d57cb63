"""iperf3 processes of this test run, and only these: other runs on the machine may measure
too. A run's processes inherit its environment, whose NETWRIGHT_TEST_ISOLATED marker names
the run's own network namespace (tests/tools/run-isolated sets it; the service harness hands
it to netwrightd, whose iperf3 processes inherit it in turn)."""

from __future__ import annotations

import os
import select
import signal
import time

from tests.tools.proc_scan import command_lines


def iperf3_processes() -> list[int]:
    """PIDs of the iperf3 processes whose environment carries this run's marker."""
    marker = f"NETWRIGHT_TEST_ISOLATED={os.environ.get('NETWRIGHT_TEST_ISOLATED', '')}".encode()
    found = []
    for pid, argv in command_lines():
        if b"iperf3" not in argv[0]:
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as environ:
                if marker in environ.read().split(b"\0"):
                    found.append(pid)
        except OSError:
            continue
    return found


def end_iperf3_processes(limit: float = 5.0) -> list[int]:
    """End (SIGKILL) the iperf3 processes of this run that are still there; their PIDs.

    A test that leaves its iperf3 running also failed the next ones (its server held their
    port, their "no iperf3 left" saw it): a fixture ends them here, each through a pidfd
    opened before it is checked to be ours again, so a PID reused meanwhile is not hit.
    """
    ended = []
    for pid in iperf3_processes():
        try:
            handle = os.pidfd_open(pid)
        except ProcessLookupError:
            continue
        try:
            if pid not in iperf3_processes():  # gone, its PID another's, before the pidfd
                continue
            signal.pidfd_send_signal(handle, signal.SIGKILL)
            select.select([handle], [], [], max(0.0, limit))  # readable once it has ended
            ended.append(pid)
        finally:
            os.close(handle)
    deadline = time.monotonic() + limit
    while any(pid in ended for pid in iperf3_processes()) and time.monotonic() < deadline:
        time.sleep(0.02)  # a zombie keeps its /proc entry until its parent reaps it
    return ended
