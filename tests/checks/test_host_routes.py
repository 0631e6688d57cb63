"""The host's own traffic when the design names no host gateway, predicted without a kernel.

A design without ``host.nics`` (or without a gateway there) says nothing of the host's
routes: the file alone must not invent "no default route" for the host, and the host's
routes as a check reads them (``host_routes.py``) route its traffic. A namespace without a
default route is still "Network is unreachable" (the seed's lesson).
"""

from __future__ import annotations

import textwrap

from netwright.backend.checks.explain import Explainer
from netwright.backend.checks.host_routes import HostRoutes
from netwright.backend.checks.results import Pair
from netwright.backend.observe.state import RouteState
from netwright.backend.topology import parse_topology

OUTSIDE = "203.0.113.114"
# a host bridge with an address and two namespaces routed via it; no host section
BRIDGED = textwrap.dedent("""
    netwright: 1
    name: bridged
    namespaces:
      n0: {routes: [{to: default, via: 10.1.0.1}]}
      n1: {}
    interfaces:
      br0: {kind: bridge, addresses: [10.1.0.1/16]}
      p0: {kind: veth, peer: c0, master: br0}
      c0: {kind: veth, name: eth0, namespace: n0, peer: p0, addresses: [10.1.0.10/16]}
      p1: {kind: veth, peer: c1, master: br0}
      c1: {kind: veth, name: eth0, namespace: n1, peer: p1, addresses: [10.1.0.11/16]}
""")
LAB_LIKE = HostRoutes((RouteState("default", "192.168.31.1", "wlp2s0", 100),),
                      {"wlp2s0": ("192.168.31.240/24",)})


def pairs(routes: HostRoutes | None = None,
          forwarding: bool = False) -> dict[tuple[str, str], Pair]:
    explainer = Explainer(parse_topology(BRIDGED), OUTSIDE, forwarding, host_routes=routes)
    return {(p.source, p.target.address): p for p in explainer.pairs()}


def test_the_file_alone_does_not_invent_a_missing_default_route() -> None:
    predicted = pairs()[("host", OUTSIDE)].predicted
    assert predicted.disposition == "beyond_model"
    assert "no default route" not in predicted.reason
    assert "Network is unreachable" not in predicted.reason
    assert "depends on the host's own routes, which the design does not give" in predicted.reason


def test_a_namespace_without_a_default_route_is_still_unreachable() -> None:
    predicted = pairs()[("n1", OUTSIDE)].predicted
    assert predicted.disposition == "no_route"
    assert "n1 has no route to 203.0.113.114 (no default route)" in predicted.reason
    assert "Network is unreachable" in predicted.reason


def test_the_host_routes_by_the_default_route_its_kernel_has() -> None:
    found = pairs(LAB_LIKE)
    predicted = found[("host", OUTSIDE)].predicted
    assert predicted.verdict == "reachable"
    assert ("the host's own default route via 192.168.31.1 on wlp2s0, read from the kernel;"
            " the design does not describe it") in predicted.reason
    # the targets stay the design's: the kernel's NIC and gateway are not probed
    assert {address for _source, address in found} == {
        "10.1.0.1", "10.1.0.10", "10.1.0.11", OUTSIDE}


def test_forwarded_traffic_needs_a_route_back_from_the_gateway() -> None:
    predicted = pairs(LAB_LIKE, forwarding=True)[("n0", OUTSIDE)].predicted
    assert predicted.disposition == "no_route_back"
    assert "the gateway has no route to 10.1.0.10" in predicted.reason


def test_a_kernel_without_a_default_route_is_named_as_read() -> None:
    predicted = pairs(HostRoutes((), {}))[("host", OUTSIDE)].predicted
    assert predicted.disposition == "no_route"
    assert "the host's kernel, read for this check, has none" in predicted.reason
