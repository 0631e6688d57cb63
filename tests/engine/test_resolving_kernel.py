"""A destroy deletes the IPv6 neighbour resolutions its namespaces still hold.

A datagram sent to a neighbour that never answers waits in the INCOMPLETE neighbour entry,
and keeps its socket, and so its namespace, until the resolution fails (3 s by default): a
destroy right after a check whose probes met a dropping rule waited that long for the
namespace to go. Here the namespace's retransmit time is raised to a minute and the test
keeps a socket of its own in the namespace, so the entries could only be gone after the
destroy because the destroy deleted them: the test reads the kernel, not a clock.
"""

from __future__ import annotations

import sys

import pytest

from netwright.backend.engine import Engine, ops
from netwright.backend.kernel.netlink import RtSocket
from netwright.backend.kernel.netns import open_socket
from netwright.backend.kernel.resolving import drop_resolving, resolving
from netwright.backend.topology import parse_topology
from tests.engine.conftest import run, sh

DESIGN = """
netwright: 1
name: rsv
namespaces: {a: {}}
interfaces:
  rsve: {kind: veth, peer: rsvf, namespace: a, addresses: ["fd99::1/64 nodad"]}
  rsvf: {kind: veth, peer: rsve, namespace: a}
"""
SEND = ("import socket\n"
        "for address in ('fd99::2', 'fd99::3'):\n"
        "    socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).sendto(b'?', (address, 9))\n")


def unanswered(netns: str) -> None:
    """Datagrams from ``netns`` to two neighbours nobody holds, resolved for a minute at
    least."""
    sh(f"ip netns exec {netns} sysctl -q net.ipv6.neigh.rsve.retrans_time_ms=60000")
    sh(f"ip netns exec {netns} {sys.executable} -c \"{SEND}\"")


@pytest.fixture
def deployed(engine: Engine) -> str:
    run(engine.apply(parse_topology(DESIGN)))
    return str(run(engine.deployment("rsv")).namespaces["a"])


def test_the_resolving_entries_are_found_and_dropped(deployed: str) -> None:
    unanswered(deployed)
    sock = RtSocket(open_socket(deployed))
    try:
        found = resolving(sock)
        assert sorted(address[-1] for _family, _index, address in found) == [2, 3], found
        assert drop_resolving(sock) == 2
        assert resolving(sock) == []
        assert drop_resolving(sock) == 0
    finally:
        sock.close()


def test_a_destroy_deletes_the_entries_still_resolving(engine: Engine, deployed: str) -> None:
    unanswered(deployed)
    held = RtSocket(open_socket(deployed))  # the namespace lives on for this test to read
    try:
        assert len(resolving(held)) == 2
        run(engine.destroy("rsv"))
        assert "rsv" not in run(engine.deployments())
        assert resolving(held) == [], "the destroy left packets holding the namespace"
    finally:
        held.close()


def _namespace_deletions(engine: Engine, name: str) -> list[ops.NetnsDelete]:
    """The namespace deletions of a plan that takes every object of ``name`` away."""
    plan = run(engine.plan(parse_topology(f"netwright: 1\nname: {name}\n")))
    return [step.op for step in plan.steps if isinstance(step.op, ops.NetnsDelete)]


def test_only_a_topology_that_had_ipv6_is_looked_at_for_resolving_entries(
        engine: Engine, deployed: str) -> None:
    """Looking costs a socket in each namespace (0.1 s for a destroy of 500): a topology
    without IPv6 (no link-local either) cannot have left such entries."""
    assert [op.ipv6 for op in _namespace_deletions(engine, "rsv")] == [True]
    run(engine.apply(parse_topology(
        "netwright: 1\nname: rs4\nnamespaces: {b4: {}}\ninterfaces:\n"
        "  rs4e: {kind: veth, peer: rs4f, namespace: b4, addresses: [10.99.0.1/24]}\n"
        "  rs4f: {kind: veth, peer: rs4e, namespace: b4}\n")))
    try:
        assert [op.ipv6 for op in _namespace_deletions(engine, "rs4")] == [False]
    finally:
        run(engine.destroy("rs4"))
