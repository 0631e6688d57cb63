"""A namespace named like a word the checks use ("gateway") is called "namespace gateway",
an interface so named "interface gateway".

Here the router namespace is called gateway, and it has no default route: "gateway has no
route to 192.168.31.1" would read as the route's gateway (or the LAN's) having none. The
sentences say "namespace gateway"; the pair's source and the target labels keep the key,
which the designer and --json readers match against the design.
"""

from __future__ import annotations

import json
from pathlib import Path

from netwright.backend.checks.explain import Explainer, explain
from netwright.backend.checks.render import render
from netwright.backend.checks.results import CheckResult
from netwright.backend.checks.run import CheckOptions, predict
from netwright.backend.topology import parse_topology

ROUTER_CALLED_GATEWAY = """
netwright: 1
name: gw
host:
  nics:
    wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}
namespaces:
  gateway: {sysctls: {net.ipv4.ip_forward: 1}}
  c1: {routes: [{to: default, via: 10.0.0.1}]}
interfaces:
  g0: {kind: veth, namespace: gateway, peer: c0, addresses: [10.0.0.1/24]}
  c0: {kind: veth, namespace: c1, peer: g0, addresses: [10.0.0.2/24]}
"""


def test_a_namespace_called_gateway_is_named_as_a_namespace() -> None:
    pairs = explain(parse_topology(ROUTER_CALLED_GATEWAY), outside="203.0.113.114")
    through = next(p for p in pairs if p.source == "c1" and p.target.role == "gateway")
    assert through.predicted.reason.startswith(
        "namespace gateway has no route to 192.168.31.1 (no default route)")
    assert "in namespace gateway via" in (through.predicted.fix or "")
    own = next(p for p in pairs if p.source == "gateway" and p.target.owner == "g0")
    assert own.target.label == "gateway/g0"
    assert own.predicted.reason == "10.0.0.1 is namespace gateway's own address: delivered" \
        " locally"
    text = render(CheckResult("gw", pairs))
    assert "\n  namespace gateway → gateway of wlp2s0 (192.168.31.1): namespace" \
        " gateway has no route to 192.168.31.1" in text
    assert "\n  c1 → gateway of wlp2s0 (192.168.31.1): namespace gateway has no" \
        " route" in text
    assert "\ngateway " in text  # the matrix's row keeps the key
    sources = {p["source"] for p in CheckResult("gw", pairs).to_json()["pairs"]}
    assert sources == {"gateway", "c1"}


def test_no_internal_place_name_reaches_a_sentence() -> None:
    """The LAN behind a host NIC is "the LAN of wlp2s0" (never ``@lan:wlp2s0``), the NIC
    itself a "host NIC", the host's own address "the host's" (not "host's"): the outside's
    row of a design that publishes a port said "reachable over @lan:wlp2s0 (lan)"."""
    design = Path(__file__).parents[2] / "examples" / "docker-bridge.yaml"
    options = CheckOptions(outside="203.0.113.114", probe=False)
    result = predict(Explainer(parse_topology(design.read_text()), options.outside), options,
                     outside_named=False)
    text = json.dumps(result.to_json())
    assert "@lan" not in text and "@outside" not in text and "(nic)" not in text
    outside = next(p for p in result.pairs if p.source == "outside")
    assert outside.predicted.reason == "reachable over the LAN of wlp2s0"
    assert any(s.predicted.reason.startswith("reachable over the LAN of wlp2s0; outside →")
               for s in outside.services)
    host = next(p for p in result.pairs if p.source == "host" and p.target.label == "outside")
    assert host.predicted.reason.startswith("reachable over wlp2s0 (host NIC) via 192.168.31.1")
    own = next(p for p in result.pairs if p.source == "host" and p.target.role == "self")
    assert own.predicted.reason == "172.17.0.1 is the host's own address: delivered locally"


def test_an_interface_called_gateway_is_named_as_an_interface() -> None:
    """'gateway is down (state: down), so r has no route' read as the route's gateway."""
    pairs = explain(parse_topology("""
        netwright: 1
        name: ifgw
        namespaces: {c: {routes: [{to: default, via: 10.0.0.1}]}, r: {}}
        interfaces:
          gateway: {kind: veth, namespace: r, peer: c0, addresses: [10.0.0.1/24], state: down}
          c0: {kind: veth, namespace: c, peer: gateway, addresses: [10.0.0.2/24]}
    """.replace("\n        ", "\n")))
    back = next(p for p in pairs if p.source == "r" and p.target.owner == "c0").predicted
    assert back.reason == ('interface gateway is down (state: down), so r has no route to'
                           ' 10.0.0.2: "Network is unreachable"')
    assert back.fix == "set 'state: up' on gateway"
