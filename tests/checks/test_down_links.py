"""Paths that cross an interface with ``state: down``: the explanation names that interface
(fix: ``state: up``), not a missing route or a missing wire, and the kernel agrees with the
verdict of every pair.

Three ways a down interface breaks a path, in one topology: a router's interface towards the
target (the router loses its connected route), the source's own interface on the target's
subnet (the packet leaves by the default route instead, and dies at the router), and a down
bridge between two veths (frames stop at it).
"""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Callable

import pytest

from netwright.backend.checks.explain import explain
from netwright.backend.checks.results import Pair
from netwright.backend.checks.run import CheckOptions, run_check
from netwright.backend.topology import Topology, parse_topology

pytestmark = pytest.mark.root

DOWN_ON_THE_WAY = textwrap.dedent("""
    netwright: 1
    name: downway
    namespaces:
      a: {routes: [{to: default, via: 10.0.0.1}]}
      r: {sysctls: {net.ipv4.ip_forward: 1}}
      b: {routes: [{to: default, via: 10.1.0.1}]}
      c: {}
    interfaces:
      ea: {kind: veth, peer: ra, namespace: a, addresses: [10.0.0.2/24]}
      ra: {kind: veth, peer: ea, namespace: r, addresses: [10.0.0.1/24]}
      rb: {kind: veth, peer: eb, namespace: r, addresses: [10.1.0.1/24], state: down}
      eb: {kind: veth, peer: rb, namespace: b, addresses: [10.1.0.2/24]}
      ax: {kind: veth, peer: cx, namespace: a, addresses: [10.2.0.1/24], state: down}
      cx: {kind: veth, peer: ax, namespace: c, addresses: [10.2.0.2/24]}
      br0: {kind: bridge, state: down}
      pa: {kind: veth, peer: ya, master: br0}
      ya: {kind: veth, peer: pa, namespace: a, addresses: [10.3.0.1/24]}
      pc: {kind: veth, peer: yc, master: br0}
      yc: {kind: veth, peer: pc, namespace: c, addresses: [10.3.0.2/24]}
""")

# (source, target) -> the interface the reason must blame
BLAMED = {
    ("a", "10.1.0.2"): "rb",  # through router r, whose rb is down
    ("r", "10.1.0.2"): "rb",  # r itself
    ("a", "10.2.0.2"): "ax",  # a's own interface on that subnet is down
    ("a", "10.3.0.2"): "br0",  # the bridge between ya and yc is down
    ("c", "10.3.0.1"): "br0",
}


def pair(pairs: list[Pair], source: str, target: str) -> Pair:
    return next(p for p in pairs if p.source == source and p.target.address == target)


def test_the_reason_names_the_down_interface() -> None:
    pairs = explain(parse_topology(DOWN_ON_THE_WAY))
    for (source, target), key in BLAMED.items():
        predicted = pair(pairs, source, target).predicted
        assert predicted.verdict == "unreachable"
        assert predicted.reason.startswith(f"{key} is down (state: down)"), predicted.reason
        assert predicted.fix == f"set 'state: up' on {key}"
        assert "no default route" not in predicted.reason
    assert "Network is unreachable" in pair(pairs, "r", "10.1.0.2").predicted.reason


def test_the_kernel_agrees(deploy: Callable[[Topology], object]) -> None:
    result = asyncio.run(run_check(deploy(parse_topology(DOWN_ON_THE_WAY)),
                                   CheckOptions(timeout=0.3)))
    assert result.probed and not result.mismatches, [p.mismatch_text() for p in result.mismatches]
    for source, target in BLAMED:
        observed = pair(result.pairs, source, target).observed
        assert observed is not None and observed.verdict == "unreachable"
    observed = pair(result.pairs, "r", "10.1.0.2").observed
    assert observed is not None and observed.errno == "ENETUNREACH"
    assert pair(result.pairs, "a", "10.0.0.1").observed.verdict == "reachable"  # type: ignore[union-attr]
