"""The fix `explain` offers for reverse-path filtering names only the sysctls that filter, and
a value that lets the packet in: loose filtering (2) drops a packet with no route back just as
strict filtering does, so then only 0 helps. (The kernel's verdicts themselves are measured in
test_rpfilter_kernel.py.)"""

from __future__ import annotations

from netwright.backend.checks.explain import explain
from netwright.backend.topology import parse_topology

# a sends to b through r with a1's address as its source (the route's src); b answers
# through s. r forwards the request but has no route back to 10.3.0.1.
TWO_ROUTERS = """
netwright: 1
name: rpfix
namespaces:
  a: {routes: [{to: 10.2.0.0/24, via: 10.1.0.254, src: 10.3.0.1}]}
  r: {sysctls: {net.ipv4.ip_forward: 1R_SYSCTLS}R_ROUTES}
  s: {sysctls: {net.ipv4.ip_forward: 1}}
  b: {routes: [{to: 10.3.0.0/24, via: 10.4.0.254}]}
interfaces:
  a0: {kind: veth, namespace: a, peer: ra, addresses: [10.1.0.1/24]}
  ra: {kind: veth, namespace: r, peer: a0, addresses: [10.1.0.254/24]}
  a1: {kind: veth, namespace: a, peer: sa, addresses: [10.3.0.1/24]}
  sa: {kind: veth, namespace: s, peer: a1, addresses: [10.3.0.254/24]}
  rb: {kind: veth, namespace: r, peer: b0, addresses: [10.2.0.254/24]}
  b0: {kind: veth, namespace: b, peer: rb, addresses: [10.2.0.1/24]}
  sb: {kind: veth, namespace: s, peer: b1, addresses: [10.4.0.254/24]}
  b1: {kind: veth, namespace: b, peer: sb, addresses: [10.4.0.1/24]}
"""


def fix_of_a_to_b(r_sysctls: str, r_routes: str = "") -> str:
    topology = parse_topology(TWO_ROUTERS.replace("R_SYSCTLS", r_sysctls)
                              .replace("R_ROUTES", r_routes))
    pair = next(p for p in explain(topology) if p.source == "a" and p.target.owner == "b0")
    assert pair.predicted.verdict == "unreachable"
    assert "dropped by reverse-path filtering" in pair.predicted.reason
    assert pair.predicted.fix is not None
    return pair.predicted.fix


def test_with_no_route_back_loose_filtering_is_not_offered_as_the_way_out() -> None:
    fix = fix_of_a_to_b(", net.ipv4.conf.all.rp_filter: 2")
    assert fix == ("add a route to 10.3.0.1 in r, or set net.ipv4.conf.all.rp_filter to 0"
                   " in r")


def test_only_the_values_that_filter_are_named() -> None:
    fix = fix_of_a_to_b(", net.ipv4.conf.ra.rp_filter: 1")
    assert fix.endswith("or set net.ipv4.conf.ra.rp_filter to 0 in r")
    assert "conf.all" not in fix


def test_a_strict_drop_offers_loose_filtering_for_the_value_that_is_strict() -> None:
    # r routes 10.3.0.1 back through rb, not ra where the request arrives
    fix = fix_of_a_to_b(", net.ipv4.conf.all.rp_filter: 1",
                        ", routes: [{to: 10.3.0.0/24, via: 10.2.0.1}]")
    assert fix.endswith("(make the path symmetric), or set net.ipv4.conf.all.rp_filter to 2"
                        " (loose) or 0 in r")
