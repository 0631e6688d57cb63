"""Lab with two LANs (two emulated NICs on two subnets): one dnsmasq serves both.

dnsmasq logs "sockets bound exclusively to interface X" only when it serves one interface;
the lab took that line for "ready", so with two LANs it waited out the whole start-up time,
then believed the server had failed (the lab said it served no DHCP). Each LAN's child must
get its lease from its own LAN's gateway.

A check of such a design must match what the lab does: each child reaches the outside by
the default route its lease added, and the LANs stay apart as two routers would keep them.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from netwright.backend.checks.run import CheckOptions, run_check
from netwright.backend.engine import Target
from netwright.backend.lab import OUTSIDE_ADDRESS
from netwright.backend.lab.build import outside_netns
from tests.dhcp.conftest import LabRig, run

TWO_LANS = """\
netwright: 1
name: twolans
host:
  nics:
    wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}
    eth1: {addresses: [10.20.0.240/24], gateway: 10.20.0.1}
namespaces: {net1: {}, net2: {}}
interfaces:
  mv1: {kind: macvlan, parent: wlp2s0, mode: bridge, namespace: net1, addresses: [dhcp]}
  mv2: {kind: macvlan, parent: eth1, mode: bridge, namespace: net2, addresses: [dhcp]}
"""


def test_one_server_serves_two_lans_each_from_its_gateway(lab_rig: LabRig, topo: Any) -> None:
    topology = topo(TWO_LANS)
    lab_rig.deploy(topology)  # asserts the lab says its server runs (it said "no DHCP")
    leases = run(lab_rig.clients.wait_for_leases(topology, 15))
    assert {key: lease.server for key, lease in leases.items()} == {
        "mv1": "192.168.31.1", "mv2": "10.20.0.1"}
    assert ipaddress.ip_address(leases["mv1"].ip) in ipaddress.ip_network("192.168.31.0/24")
    assert ipaddress.ip_address(leases["mv2"].ip) in ipaddress.ip_network("10.20.0.0/24")


def _check(lab_rig: LabRig, name: str) -> Any:
    deployment = run(lab_rig.engine.deployment(name))
    return run(run_check(deployment, CheckOptions(
        timeout=0.5, outside=OUTSIDE_ADDRESS, outside_netns=outside_netns(Target.lab()))))


def test_a_check_predicts_the_default_route_a_lease_added(lab_rig: LabRig, topo: Any) -> None:
    """The client adds 'default via ROUTER' where the namespace has none; the prediction
    said "no default route" and every pair beyond the subnet was a mismatch."""
    topology = topo(TWO_LANS.replace("    eth1: {addresses: [10.20.0.240/24], gateway:"
                                     " 10.20.0.1}\n", "").replace(
        "  mv2: {kind: macvlan, parent: eth1, mode: bridge, namespace: net2, addresses:"
        " [dhcp]}\n", "").replace("{net1: {}, net2: {}}", "{net1: {}}"))
    lab_rig.deploy(topology)
    run(lab_rig.clients.wait_for_leases(topology, 15))
    result = _check(lab_rig, "twolans")
    out = next(p for p in result.pairs if p.target.address == OUTSIDE_ADDRESS)
    assert out.predicted.verdict == out.observed.verdict == "reachable", out.predicted.reason
    assert result.mismatches == []


def test_the_labs_lans_are_apart_as_the_check_predicts(lab_rig: LabRig, topo: Any) -> None:
    """One router forwarded between the two LANs, where the prediction (each LAN's gateway
    routes what it does not know "beyond what the topology describes") said no: 4 pairs of
    the design were mismatches. The lab's router now keeps its LANs apart."""
    topology = topo(TWO_LANS)
    lab_rig.deploy(topology)
    run(lab_rig.clients.wait_for_leases(topology, 15))
    result = _check(lab_rig, "twolans")
    assert result.mismatches == [], [(m.source, m.target.address) for m in result.mismatches]
    across = [p for p in result.pairs if p.source == "net1" and p.target.address == "10.20.0.1"]
    assert [p.observed.verdict for p in across] == ["unreachable"]
    outside = [p for p in result.pairs if p.target.address == OUTSIDE_ADDRESS]
    assert [p.observed.verdict for p in outside] == ["reachable", "reachable"]
