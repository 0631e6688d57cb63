"""iperf3 processes of this test run, and only these: other runs on the machine may measure
too. A run's processes inherit its environment, whose NETWRIGHT_TEST_ISOLATED marker names
the run's own network namespace (tests/tools/run-isolated sets it; the service harness hands
it to netwrightd, whose iperf3 processes inherit it in turn)."""

from __future__ import annotations

import os

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
