"""Lab with two LANs (two emulated NICs on two subnets): one dnsmasq serves both.

dnsmasq logs "sockets bound exclusively to interface X" only when it serves one interface;
the lab took that line for "ready", so with two LANs it waited out the whole start-up time,
then believed the server had failed (the lab said it served no DHCP). Each LAN's child must
get its lease from its own LAN's gateway.
"""

from __future__ import annotations

import ipaddress
from typing import Any

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
