"""A destination that the path cannot reach as addressed, but a router on the way translates.

r publishes tcp/8080 (arriving on ra, any destination) to b's port 80. a's packet to
10.0.2.9:8080 — an address behind r that nothing on r's side holds — is translated at r's
prerouting before r routes it, so it reaches b. The prediction once walked the path to
10.0.2.9 first and gave up where its ARP fails, never running r's hooks. (The kernel runs
prerouting, then routes, then resolves the next hop.)
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from netwright.backend.topology import Topology, parse_topology
from tests.checks.test_rpfilter_kernel import check

pytestmark = pytest.mark.root

PUBLISHED = """
netwright: 1
name: dnatway
namespaces:
  p: {}
  a: {routes: [{to: default, via: 10.0.1.1}]}
  b: {routes: [{to: default, via: 10.0.2.1}]}
  r:
    forwarding: {ipv4: true}
    nat: [{publish: {proto: tcp, port: 8080, in: ra, to: 10.0.2.2, to-port: 80}}]
interfaces:
  ep: {kind: veth, peer: eq, namespace: p, addresses: [10.0.2.9/24]}
  eq: {kind: veth, peer: ep, addresses: [10.0.2.8/24]}
  ea: {kind: veth, peer: ra, namespace: a, addresses: [10.0.1.2/24]}
  ra: {kind: veth, peer: ea, namespace: r, addresses: [10.0.1.1/24]}
  eb: {kind: veth, peer: rb, namespace: b, addresses: [10.0.2.2/24]}
  rb: {kind: veth, peer: eb, namespace: r, addresses: [10.0.2.1/24]}
"""


def test_a_destination_translated_before_the_path_fails(
        deploy: Callable[[Topology], object]) -> None:
    result = check(deploy(parse_topology(PUBLISHED)))  # every pair and port as predicted
    to_p = next(p for p in result.pairs if p.source == "a" and p.target.owner == "ep")
    assert to_p.predicted.verdict == "unreachable"  # the echo is not translated
    assert "10.0.2.9 (p/ep) is not on the link of rb" in to_p.predicted.reason
    published = next(s for s in to_p.services if s.port == 8080)
    assert published.observed is not None and published.observed.verdict == "reachable"
    assert "a → 10.0.2.9:8080 reaches b:80 (published in r)" in published.predicted.reason
