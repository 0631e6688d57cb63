"""A destroy reads the namespaces it deletes from one socket in ours, by the id ours gives
each, and reads the rest (no id: nothing links them to ours) the usual way: both see the
same marker and the same foreign links."""

from __future__ import annotations

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


def test_namespaces_read_by_id_and_by_socket_agree(two_namespaces: None) -> None:
    with Kernel() as kernel:
        found = observe(kernel, [None, LINKED, ALONE, "obs-missing"],
                        marker_only=[LINKED, ALONE, "obs-missing"])
        entered = set(kernel._sockets)
    assert LINKED not in entered, "the linked namespace was read through ours, by its id"
    assert ALONE in entered, "one without an id is read from a socket inside it"
    for name in (LINKED, ALONE):
        assert found[name].exists and found[name].marker == f"netwright:obs:{name}"
        assert found[name].ident is not None
    # no interest given: every link but lo is foreign to it
    assert found[LINKED].foreign == ["obs-peer", "stranger", "stranger2"]
    assert found[ALONE].foreign == ["stranger", "stranger2"]
    assert not found["obs-missing"].exists
