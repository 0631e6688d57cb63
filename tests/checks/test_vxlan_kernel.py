"""VXLAN identity, predicted and measured: two ends with one VNI and port carry the overlay;
a different VNI or port carries nothing, and the prediction says which (not "not on the
link"). Deployed by the real engine; every pair's observation equals its prediction."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from netwright.backend.checks.run import CheckOptions, run_check
from netwright.backend.topology import Topology, parse_topology

pytestmark = pytest.mark.root

OVERLAY = """
netwright: 1
name: vxid
namespaces: {u1: {}, u2: {}}
interfaces:
  ua: {kind: veth, peer: ub, namespace: u1, addresses: [10.50.0.1/24]}
  ub: {kind: veth, peer: ua, namespace: u2, addresses: [10.50.0.2/24]}
  u1-vx: {kind: vxlan, namespace: u1, vni: 42, remote: 10.50.0.2, dev: ua,
          addresses: [10.200.0.1/24]}
  u2-vx: {kind: vxlan, namespace: u2, VNI_PORT, remote: 10.50.0.1, dev: ub,
          addresses: [10.200.0.2/24]}
"""


@pytest.mark.parametrize(("far_end", "verdict", "reason"), [
    ("vni: 42", "reachable", "reachable over u1-vx"),
    ("vni: 43", "unreachable", "u1-vx sends VNI 42 to 10.50.0.2; u2-vx listens for VNI 43"),
    ("vni: 42, port: 8472",
     "unreachable", "u1-vx sends to UDP port 4789 of 10.50.0.2; u2-vx listens on port 8472"),
])
def test_vxlan_ends_must_agree(far_end: str, verdict: str, reason: str,
                               deploy: Callable[[Topology], object]) -> None:
    topology = parse_topology(OVERLAY.replace("VNI_PORT", far_end))
    result = asyncio.run(run_check(deploy(topology), CheckOptions(timeout=0.3, retries=1)))
    assert result.probed and not result.mismatches, [p.mismatch_text()
                                                     for p in result.mismatches]
    pair = next(p for p in result.pairs if p.source == "u1" and p.target.address == "10.200.0.2")
    assert pair.observed is not None and pair.observed.verdict == verdict
    assert reason in pair.predicted.reason
    underlay = next(p for p in result.pairs if p.source == "u1"
                    and p.target.address == "10.50.0.2")
    assert underlay.observed is not None and underlay.observed.verdict == "reachable"
