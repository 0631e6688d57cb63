"""Fixtures for the stock-kernel tier: fresh namespaces, and a loud stop on the wrong kernel.

Tests here are marked ``kernel``: they need ipvlan, dummy or 802.1q, which this machine's kernel
lacks. ``tests/kernel/run-kernel-tier`` runs them in ONE VM booting Debian's stock kernel (or
directly when the host kernel has those kinds). Run by hand on a kernel without them, they fail
with a message saying so instead of a pile of "Unknown device type" errors; they never skip.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pyroute2 import NetNS, netns

_counter = itertools.count()
_kernel_verdict: list[str] = []  # computed once per session


def _missing_kinds() -> list[str]:
    """Kinds this kernel refuses, probed with ip(8) in a throwaway network namespace."""
    script = ("ip link add nwprobe0 type veth peer name nwprobe1 || exit 3; "
              "ip link add nwprobe2 type dummy || echo MISSING dummy; "
              "ip link add nwprobe3 link nwprobe0 type ipvlan mode l2 || echo MISSING ipvlan; "
              "ip link add nwprobe4 link nwprobe0 type vlan id 7 || echo MISSING vlan")
    result = subprocess.run(["unshare", "--net", "sh", "-c", script], capture_output=True,
                            text=True, check=False)
    if result.returncode != 0:
        return [f"(probe failed: {result.stderr.strip()})"]
    return [line.split()[1] for line in result.stdout.splitlines() if line.startswith("MISSING")]


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("kernel") is None:
        return
    if os.geteuid() != 0:
        pytest.fail("kernel-tier tests need root: run tests/kernel/run-kernel-tier", pytrace=False)
    if not _kernel_verdict:
        missing = _missing_kinds()
        _kernel_verdict.append(", ".join(missing))
    if _kernel_verdict[0]:
        pytest.fail(f"this kernel ({os.uname().release}) lacks {_kernel_verdict[0]}; run the"
                    " kernel tier with tests/kernel/run-kernel-tier, which boots Debian's stock"
                    " kernel under QEMU", pytrace=False)


@pytest.fixture
def unique_name() -> Callable[[str], str]:
    """Short names unique within the run (interface names must stay within 15 bytes)."""

    def make(prefix: str) -> str:
        return f"{prefix}{os.getpid() % 1000}x{next(_counter)}"[:15]

    return make


@pytest.fixture
def fresh_netns(unique_name: Callable[[str], str]) -> Iterator[Callable[[], tuple[str, Any]]]:
    """A factory of new, empty network namespaces, each with a pyroute2 handle; all removed."""
    opened: list[tuple[str, Any]] = []

    def make() -> tuple[str, Any]:
        name = unique_name("nwk")
        netns.create(name)
        ipr = NetNS(name)
        opened.append((name, ipr))
        ipr.link("set", index=ipr.link_lookup(ifname="lo")[0], state="up")
        return name, ipr

    yield make
    for name, ipr in reversed(opened):
        ipr.close()
        with contextlib.suppress(FileNotFoundError):
            netns.remove(name)
