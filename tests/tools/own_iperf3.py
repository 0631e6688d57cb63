"""iperf3 processes of this test run, and only these: other runs on the machine may measure
too. A run's processes inherit its environment, whose NETWRIGHT_TEST_ISOLATED marker names
the run's own network namespace (tests/tools/run-isolated sets it; the service harness hands
it to netwrightd, whose iperf3 processes inherit it in turn)."""

from __future__ import annotations

import os


def iperf3_processes() -> list[int]:
    """PIDs of the iperf3 processes whose environment carries this run's marker."""
    marker = f"NETWRIGHT_TEST_ISOLATED={os.environ.get('NETWRIGHT_TEST_ISOLATED', '')}".encode()
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                if b"iperf3" not in cmdline.read().split(b"\0")[0]:
                    continue
            with open(f"/proc/{pid}/environ", "rb") as environ:
                if marker in environ.read().split(b"\0"):
                    found.append(int(pid))
        except OSError:
            continue
    return found
