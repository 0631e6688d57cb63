"""A destroy reads each namespace it deletes through a socket opened inside it: a namespace
joined to ours by a veth and one joined by nothing show their marker, their foreign links
and their identity alike, and a missing one is absent."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from netwright.backend.kernel.session import Kernel
from netwright.backend.observe.state import observe
from tests.engine.conftest import netns_list, sh

LINKED, ALONE = "obs-linked", "obs-alone"


@pytest.fixture
def two_namespaces() -> Iterator[None]:
    """One namespace joined to ours by a veth, one joined by nothing; each has a marker on
    lo and a veth pair nobody marked."""
    for name in (LINKED, ALONE):
        sh(f"ip netns add {name}")
        sh(f"ip -n {name} link set lo alias 'netwright:obs:{name}'")
        sh(f"ip -n {name} link add stranger type veth peer name stranger2")
    sh(f"ip link add obs-host type veth peer name obs-peer netns {LINKED}")
    sh("ip link set obs-host alias 'netwright:obs:obs-host'")
    sh(f"ip -n {LINKED} link set obs-peer alias 'netwright:obs:obs-peer'")
    sh("ip link show obs-host")  # a dump of it makes the kernel give the namespace an id
    yield
    sh("ip link del obs-host", check=False)
    for name in (LINKED, ALONE):
        if name in netns_list():
            sh(f"ip netns del {name}")


def test_namespaces_to_delete_show_marker_and_foreign_links(two_namespaces: None) -> None:
    with Kernel() as kernel:
        found = observe(kernel, [None, LINKED, ALONE, "obs-missing"],
                        marker_only=[LINKED, ALONE, "obs-missing"])
        entered = set(kernel._sockets)
    assert {LINKED, ALONE} <= entered, "each is read through a socket inside it"
    for name in (LINKED, ALONE):
        assert found[name].exists and found[name].marker == f"netwright:obs:{name}"
        assert found[name].ident == os.stat(f"/run/netns/{name}").st_ino
    # no interest given: every link but lo is foreign to it
    assert found[LINKED].foreign == ["obs-peer", "stranger", "stranger2"]
    assert found[ALONE].foreign == ["stranger", "stranger2"]
    assert not found["obs-missing"].exists
