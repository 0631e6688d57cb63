"""Pinned neighbour entries: many per namespace go in, and every one comes out again.

A check of a 300-namespace mesh once failed every time: each namespace's ~300 requests went
in one netlink batch with an acknowledgement each, the acknowledgements overflowed the
socket's receive queue (ENOBUFS), and the entries whose acknowledgement was lost were never
recorded, so 300 PERMANENT entries stayed behind. Entries are now recorded as they are sent
and sent in windows whose answers fit; removal runs on every way out of a check.
"""

from __future__ import annotations

import asyncio
import errno
import subprocess
import uuid
from collections.abc import Callable, Iterator

import pytest

from netwright.backend.checks import neighbours
from netwright.backend.checks.neighbours import RTM_NEWNEIGH, Entry, NeighbourPins
from netwright.backend.checks.netns import netns_path
from netwright.backend.checks.run import CheckError, CheckOptions, run_check
from netwright.backend.topology import Topology

from .test_scale import mesh

pytestmark = pytest.mark.root


def permanent(netns: str) -> list[str]:
    out = subprocess.run(["ip", "-n", netns, "neigh", "show", "nud", "permanent"],
                         capture_output=True, text=True, check=True).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


@pytest.fixture
def veth_netns() -> Iterator[tuple[str, int]]:
    """A namespace with an up veth; (namespace name, the veth's ifindex)."""
    name = f"pins-{uuid.uuid4().hex[:6]}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        subprocess.run(["ip", "-n", name, "link", "add", "v0", "type", "veth", "peer", "v1"],
                       check=True)
        subprocess.run(["ip", "-n", name, "link", "set", "v0", "up"], check=True)
        index = int(subprocess.run(["ip", "-n", name, "-o", "link", "show", "v0"],
                                   capture_output=True, text=True, check=True
                                   ).stdout.split(":")[0])
        yield name, index
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False)


def entries(netns: str, index: int, count: int) -> list[Entry]:
    return [Entry(netns_path(netns), index, f"10.{i // 250}.{i % 250}.9", b"\x02\0\0\0\0\x01")
            for i in range(count)]


@pytest.mark.parametrize("count", [300, 1000])
def test_many_entries_in_one_namespace_go_in_and_out(veth_netns: tuple[str, int],
                                                     count: int) -> None:
    name, index = veth_netns
    pins = NeighbourPins()
    try:
        assert pins.add(entries(name, index, count)) == count
        assert len(permanent(name)) == count
    finally:
        pins.remove_all()
    assert permanent(name) == []


def test_an_entry_that_existed_is_not_ours_to_remove(veth_netns: tuple[str, int]) -> None:
    name, index = veth_netns
    subprocess.run(["ip", "-n", name, "neigh", "add", "10.0.0.9", "lladdr", "02:00:00:00:00:07",
                    "dev", "v0", "nud", "permanent"], check=True)
    pins = NeighbourPins()
    try:
        assert pins.add(entries(name, index, 300)) == 299
    finally:
        pins.remove_all()
    assert permanent(name) == ["10.0.0.9 dev v0 lladdr 02:00:00:00:00:07 PERMANENT"]


def test_a_failure_midway_leaves_nothing(veth_netns: tuple[str, int]) -> None:
    name, index = veth_netns

    def failing() -> Iterator[Entry]:
        yield from entries(name, index, 700)
        raise OSError(errno.ENOBUFS, "No buffer space available")

    pins = NeighbourPins()
    with pytest.raises(OSError):
        pins.socket_for(netns_path(name)).change(RTM_NEWNEIGH, failing(), pins.added)
    assert len(permanent(name)) >= 640  # the windows sent before the failure
    pins.remove_all()
    assert permanent(name) == []


def test_a_check_that_fails_while_probing_removes_its_pins(
        deploy: Callable[[Topology], object]) -> None:
    deployment = deploy(mesh(40))

    def progress(done: int, total: int, text: str) -> None:
        if "waiting for replies" in text:
            raise OSError(errno.ENOBUFS, "No buffer space available")

    with pytest.raises(CheckError, match="the check could not finish: No buffer space"):
        asyncio.run(run_check(deployment, CheckOptions(timeout=0.5), progress))
    assert [ns for ns in (f"m{i}" for i in range(40)) if permanent(ns)] == []


def test_removal_turns_whole_windows_around_and_builds_only_the_rest(
        veth_netns: tuple[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    """A window of IPv4 additions the kernel took whole is deleted from its own bytes; a
    window with a refusal, and IPv6 entries, are deleted entry by entry (the refused one
    left alone), and nothing is left of ours either way."""
    name, index = veth_netns
    subprocess.run(["ip", "-n", name, "neigh", "add", "10.0.1.9", "lladdr", "02:00:00:00:00:07",
                    "dev", "v0", "nud", "permanent"], check=True)
    v6 = [Entry(netns_path(name), index, f"fd00::{i + 1:x}", b"\x02\0\0\0\0\x02")
          for i in range(3)]
    pins = NeighbourPins()
    built: list[str] = []
    try:
        # windows of 128: the first holds 10.0.1.9 (refused), the second is whole IPv4,
        # the third mixes 44 IPv4 entries with the 3 IPv6 ones
        assert pins.add(entries(name, index, 300) + v6) == 302
        real = neighbours._neighbour_message
        monkeypatch.setattr(neighbours, "_neighbour_message",
                            lambda kind, flags, seq, entry: built.append(entry.address)
                            or real(kind, flags, seq, entry))
    finally:
        pins.remove_all()
    assert permanent(name) == ["10.0.1.9 dev v0 lladdr 02:00:00:00:00:07 PERMANENT"]
    assert len(built) == 127 + 44 + 3 and "10.0.1.9" not in built
    assert {e.address for e in v6} <= set(built)
