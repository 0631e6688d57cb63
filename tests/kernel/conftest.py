"""Fixtures for the stock-kernel tier: fresh namespaces (the wrong-kernel stop is in tests/).

Tests here are marked ``kernel``: they need ipvlan, dummy or 802.1q, which this machine's kernel
lacks. ``tests/kernel/run-kernel-tier`` runs them in ONE VM booting Debian's stock kernel (or
directly when the host kernel has those kinds). Run by hand on a kernel without them, they fail
with a message saying so instead of a pile of "Unknown device type" errors; they never skip.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pyroute2 import NetNS, netns

_counter = itertools.count()
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
