"""Paths through firewall and NAT rules carry the path MTU and the rp_filter verdict, as the
plain path does: predicted and measured.

A design with rules is predicted by the firewall walk (flow.py), hop by hop with the source
as each hop receives it (after source NAT). Here a router with a forward chain masquerades a
client towards a server that has no route back to the client's subnet: a smaller MTU on the
server's side makes full-size packets fail at the router, and strict reverse-path filtering
on an asymmetric path drops what the rules let through. Each design is checked with the rule
changing the verdict and without; every observation equals its prediction.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from netwright.backend.checks.explain import explain
from netwright.backend.checks.results import Pair
from netwright.backend.topology import Topology, parse_topology
from tests.checks.test_rpfilter_kernel import ASYMMETRIC as PLAIN_ASYMMETRIC
from tests.checks.test_rpfilter_kernel import check

pytestmark = pytest.mark.root

MASQUERADE = """
netwright: 1
name: flowmtu
namespaces:
  a: {routes: [{to: default, via: 10.1.0.254}]}
  r:
    forwarding: {ipv4: true}
    nat: [{masquerade: {from: 10.1.0.0/24, out: rb}}]
    firewall: {forward: {policy: drop, stateful: true, rules: [{action: accept, in: ra}]}}
  b: {}
interfaces:
  a0: {kind: veth, peer: ra, namespace: a, addresses: [10.1.0.1/24]}
  ra: {kind: veth, peer: a0, namespace: r, addresses: [10.1.0.254/24]}
  rb: {kind: veth, peer: b0, namespace: r, addresses: [10.2.0.254/24]MTU}
  b0: {kind: veth, peer: rb, namespace: b, addresses: [10.2.0.1/24]MTU}
"""

# test_rpfilter_kernel's asymmetric design (r routes a's 10.1.0.1 back over a1), with a
# forward chain in r, so the rules' walk predicts it
ASYMMETRIC = (PLAIN_ASYMMETRIC.replace("name: rpf", "name: flowrpf").replace("SRC", "")
              .replace("R_ROUTES", "{to: 10.1.0.1/32, via: 10.3.0.1}")
              .replace("R_SYSCTLS}", "}\n    firewall: {forward: {policy: drop, rules:"
                       " [{action: accept, proto: icmp}]}}"))


def pair(pairs: list[Pair], source: str, target: str) -> Pair:
    return next(p for p in pairs if p.source == source and p.target.address == target)


@pytest.mark.parametrize(("mtu", "size_verdict"), [("", "reachable"),
                                                    (", mtu: 1400", "unreachable")])
def test_a_masqueraded_path_carries_its_path_mtu(
        mtu: str, size_verdict: str, deploy: Callable[[Topology], object]) -> None:
    topology = parse_topology(MASQUERADE.replace("MTU", mtu))
    across = pair(check(deploy(topology)).pairs, "a", "10.2.0.1")
    assert across.predicted.verdict == "reachable"
    assert "masquerade" in across.predicted.reason  # the rules' walk decided it
    assert across.predicted.size_verdict == size_verdict
    assert across.observed is not None and across.observed.size_verdict == size_verdict
    if size_verdict == "unreachable":
        assert "cannot leave r's rb (MTU 1400)" in across.predicted.reason
        assert across.predicted.mtu == 1400
    else:
        assert across.predicted.mtu == 1500


@pytest.mark.parametrize(("sysctls", "verdict"), [
    ("", "reachable"), ("net.ipv4.conf.all.rp_filter: 1", "unreachable"),
    ("net.ipv4.conf.all.rp_filter: 2", "reachable")])
def test_reverse_path_filtering_decides_after_the_rules(
        sysctls: str, verdict: str, deploy: Callable[[Topology], object]) -> None:
    topology = parse_topology(ASYMMETRIC.replace("A_SYSCTLS", sysctls))
    across = pair(check(deploy(topology)).pairs, "a", "10.2.0.1")
    assert across.predicted.verdict == verdict
    if verdict == "unreachable":
        assert across.predicted.disposition == "denied"
        assert "the reply is dropped by reverse-path filtering" in across.predicted.reason
        assert "rp_filter is strict (1) on a's a1" in across.predicted.reason


def test_the_translated_source_is_what_reverse_path_filtering_judges() -> None:
    """b has no route back to a's subnet: strict filtering in b would drop 10.1.0.1, but
    masquerade makes the request come from r's 10.2.0.254, which b reaches on-link."""
    topology = parse_topology(MASQUERADE.replace("MTU", "").replace(
        "  b: {}", "  b: {sysctls: {net.ipv4.conf.all.rp_filter: 1}}"))
    across = pair(explain(topology), "a", "10.2.0.1")
    assert across.predicted.verdict == "reachable", across.predicted.reason


def test_explain_of_the_docker_example_names_a_smaller_port_on_the_rules_path() -> None:
    """docker0's forward chain decides c1 → c2 (bridged traffic passes the IP hooks); a port
    with a smaller MTU still bounds the path, and says where."""
    text = (Path(__file__).parents[2] / "examples" / "docker-bridge.yaml").read_text()
    plain = pair(explain(parse_topology(text)), "c1", "172.17.0.3").predicted
    assert plain.mtu == 1500 and plain.size_verdict == "reachable"
    port = "    peer: c2-eth0\n"
    smaller = parse_topology(text.replace(port, port + "    mtu: 1400\n"))
    across = pair(explain(smaller), "c1", "172.17.0.3").predicted
    assert across.verdict == "reachable" and "allowed by" in across.reason
    assert across.size_verdict == "unreachable"
    assert "1500-byte packets are dropped at the host's veth-c2 (MTU 1400)" in across.reason
