"""Which designs change the machine itself: host_wide (read from the model, before anything is
planned, so netwrightd can ask for io.netwright.host first) names a setting exactly when the
engine's plan has a step that changes the host as a whole — a sysctl on the host, or the
host's inet nftables table. Planned by the real engine in the harness's namespace."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from netwright.backend.engine import Engine, ops
from netwright.backend.engine.host_wide import (
    address_takeovers,
    host_prefixes,
    host_wide,
    needs_host_prefixes,
)
from netwright.backend.kernel.session import Kernel
from netwright.backend.topology.model import Topology
from tests.engine.conftest import run, sh

OWN_OBJECTS = """netwright: 1
name: own
namespaces:
  r1:
    forwarding: {ipv4: true, ipv6: true}
    sysctls: {net.ipv4.conf.all.rp_filter: 2}
    nat: [{masquerade: {from: 10.41.0.0/24, out: r1-up}}]
    firewall: {input: {policy: drop, stateful: true}}
  c1: {}
interfaces:
  br41: {kind: bridge, addresses: [10.40.0.1/24]}
  h41: {kind: veth, peer: r1-up, master: br41,
        port-firewall: {from-port: {policy: drop, rules: [{action: accept, proto: icmp}]}}}
  r1-up: {kind: veth, peer: h41, namespace: r1, addresses: [10.40.0.2/24]}
  r1-in: {kind: veth, peer: c1-e, namespace: r1, addresses: [10.41.0.1/24]}
  c1-e: {kind: veth, peer: r1-in, namespace: c1, addresses: [10.41.0.2/24]}
"""
HOST_PARTS = {
    "forwarding": "  forwarding: {ipv4: true}\n",
    "nat": "  nat: [{masquerade: {from: 10.40.0.0/24, out: br41}}]\n",
    "publish": "  nat: [{publish: {proto: tcp, port: 8080, to: 10.40.0.2}}]\n",
    "firewall": "  firewall: {output: {policy: accept, rules: [{action: drop, proto: udp,"
                " dport: 9}]}}\n",
}


def _host_steps(engine: Engine, topology: Topology) -> list[str]:
    """The plan's steps that act on the whole host, as the engine would run them."""
    plan = run(engine.plan(topology))
    host = engine.target.host_netns
    return [step.text for step in plan.steps
            if step.op is not None and step.op.where == host
            and (isinstance(step.op, ops.SysctlSet)
                 or (isinstance(step.op, ops.NftReplace | ops.NftDelete)
                 and step.op.family == "inet"))]


@pytest.mark.usefixtures("clean_host")
def test_a_design_of_its_own_objects_changes_nothing_of_the_host(
        engine: Engine, topo: Callable[[str], Topology]) -> None:
    design = topo(OWN_OBJECTS)
    assert host_wide(design) == []
    assert _host_steps(engine, design) == []


@pytest.mark.parametrize("part", sorted(HOST_PARTS))
@pytest.mark.usefixtures("clean_host")
def test_each_host_setting_is_named_and_planned_on_the_host(
        engine: Engine, topo: Callable[[str], Topology], part: str) -> None:
    design = topo(OWN_OBJECTS.replace("namespaces:\n", "host:\n" + HOST_PARTS[part]
                                      + "namespaces:\n", 1))
    named = host_wide(design)
    assert len(named) == 1, named
    assert _host_steps(engine, design), f"{part}: no host step planned for {named}"


def test_a_host_address_whose_route_takes_the_hosts_traffic_is_named(
        topo: Callable[[str], Topology]) -> None:
    """An address on a link the design makes in the host brings a route into the host's
    table: named when it is public, overlaps a subnet the host has (read from the kernel),
    or comes from DHCP; a private subnet of its own is not, nor a subnet of its own links."""
    sh("ip link add hw-up0 type veth peer name hw-up0p && ip addr add 192.0.2.2/24 dev hw-up0")
    try:
        with Kernel() as kernel:
            taken = host_prefixes(kernel, None, "hw")
        design = topo("netwright: 1\nname: hw\ninterfaces:\n"
                      "  hwa: {kind: bridge, addresses: [192.0.2.129/25]}\n"
                      "  hwb: {kind: bridge, addresses: [10.0.0.1/1, 10.88.0.1/24]}\n"
                      "  hwc: {kind: bridge, addresses: [dhcp]}\n"
                      "  hwd: {kind: bridge, addresses: [10.89.0.1/24, 198.18.0.7/32]}\n")
        assert address_takeovers(design, taken) == [
            "192.0.2.129/25 on hwa (overlaps the host's 192.0.2.0/24)",
            "10.0.0.1/1 on hwb (public addresses)",
            "a DHCP lease on hwc (its routes are the DHCP server's)"]
    finally:
        sh("ip link del hw-up0", check=False)


def test_a_passthru_macvlan_on_a_host_nic_takes_it_over(topo: Callable[[str], Topology]) -> None:
    """passthru hands every frame the NIC receives to its one child: the host's own traffic
    on that NIC stops. On a link the design makes (a veth end), it is the design's own."""
    design = topo("netwright: 1\nname: pt\nhost: {nics: {wlp2s0: {}}}\nnamespaces: {a: {}}\n"
                  "interfaces:\n"
                  "  mv0: {kind: macvlan, parent: wlp2s0, mode: passthru, namespace: a}\n"
                  "  up0: {kind: veth, peer: up1}\n  up1: {kind: veth, peer: up0}\n"
                  "  mv1: {kind: macvlan, parent: up0, mode: passthru, namespace: a}\n"
                  "  mv2: {kind: macvlan, parent: up1, mode: bridge, namespace: a}\n")
    assert host_wide(design) == ["macvlan mv0 in passthru mode takes the host's NIC wlp2s0"
                                 " over, and the host's own traffic on it stops"]


def test_the_host_is_read_only_for_an_address_on_a_link_made_in_it(
        topo: Callable[[str], Topology]) -> None:
    """netwrightd reads the host's prefixes before an apply only when address_takeovers has
    something to compare with them: bridge ports without addresses need no read."""
    ports = topo("netwright: 1\nname: ports\nnamespaces: {a: {}}\ninterfaces:\n"
                 "  br0: {kind: bridge}\n  h0: {kind: veth, peer: c0, master: br0}\n"
                 "  c0: {kind: veth, peer: h0, namespace: a, addresses: [10.5.0.2/24]}\n")
    assert not needs_host_prefixes(ports)
    addressed = topo("netwright: 1\nname: ports\ninterfaces:\n"
                     "  br0: {kind: bridge, addresses: [10.5.0.1/24]}\n")
    assert needs_host_prefixes(addressed)
