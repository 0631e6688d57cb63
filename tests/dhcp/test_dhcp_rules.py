"""Validation of what DHCP can and cannot do, and which routes wait for a lease (pure)."""

from __future__ import annotations

import textwrap

from netwright.backend.dhcp import requests
from netwright.backend.dhcp.routes import lease_routes
from netwright.backend.engine import Target
from netwright.backend.engine.desired import desired_state
from netwright.backend.topology import Document, TopologyError, parse_topology
from netwright.backend.topology.problems import Problem

NEEDS_ROOT = False

HEAD = """\
netwright: 1
name: t
host: {nics: {wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}}}
"""


def problems(body: str) -> list[Problem]:
    try:
        return Document.from_text(HEAD + textwrap.dedent(body), "t.yaml").problems()
    except TopologyError as exc:
        return exc.problems


def test_a_second_dhcp_entry_is_refused_with_a_sentence() -> None:
    found = [p for p in problems("""
        namespaces: {net1: {}}
        interfaces:
          mv1: {kind: macvlan, parent: wlp2s0, namespace: net1,
                addresses: [dhcp, 10.0.0.2/24, {dhcp: {client-id: other}}]}
        """) if p.code == "duplicate-dhcp"]
    assert [(p.severity, p.path) for p in found] == [
        ("error", ("interfaces", "mv1", "addresses", 2))]
    assert "one DHCP client runs per interface" in found[0].message


def test_an_ipv6_gateway_only_dhcp_could_reach_is_never_reachable() -> None:
    body = """
        namespaces:
          net1: {routes: [{to: "2001:db8:1::/48", via: "2001:db8::1"}]}
        interfaces:
          mv1: {kind: macvlan, parent: wlp2s0, namespace: net1, addresses: [dhcp]}
        """
    found = [p for p in problems(body) if p.code == "gateway-off-link"]
    assert [p.path for p in found] == [("namespaces", "net1", "routes", 0, "via")]
    assert "DHCP gives IPv4 addresses only" in found[0].message
    fixed = body.replace("addresses: [dhcp]", 'addresses: [dhcp, "2001:db8::5/64"]')
    assert not [p for p in problems(fixed) if p.code == "gateway-off-link"]


ROUTED = HEAD + """\
namespaces:
  net1:
    routes:
      - {to: default, via: 192.168.31.1}
      - {to: 10.9.0.0/16, via: 10.0.0.1}
      - {to: 10.8.0.0/16, dev: v1}
  net2: {routes: [{to: default, via: 10.0.0.1}]}
interfaces:
  mv1: {kind: macvlan, parent: wlp2s0, namespace: net1, addresses: [dhcp]}
  v1: {kind: veth, peer: v2, namespace: net1, addresses: [10.0.0.2/24]}
  v2: {kind: veth, peer: v1, namespace: net2, addresses: [10.0.0.1/24]}
"""


def test_only_routes_whose_gateway_a_lease_must_reach_wait_for_it() -> None:
    topology = parse_topology(ROUTED)
    assert not [p for p in problems(ROUTED.removeprefix(HEAD)) if p.severity == "error"]
    assert [(r.namespace, r.index, r.interfaces) for r in lease_routes(topology)] == [
        ("net1", 0, ("mv1",))]
    assert requests(topology)[0].routes == ("default via 192.168.31.1",)
    net1 = desired_state(topology, Target.lab()).namespaces["net1"]
    assert [r.text() for r in net1.routes] == ["route 10.9.0.0/16 via 10.0.0.1",
                                              "route 10.8.0.0/16 dev v1"]
    assert [(w.route.text(), w.interfaces) for w in net1.lease_routes] == [
        ("route default via 192.168.31.1", ("mv1",))]
    assert "once leased, its client adds route default via 192.168.31.1" in (
        requests(topology)[0].describe())
