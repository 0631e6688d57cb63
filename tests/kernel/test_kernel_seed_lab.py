"""The issue's acceptance on a real ipvlan kernel: the seed and ipvlan l3, on the lab host.

The lab (backend/lab) emulates the seed's machine inside namespaces: ``nwlab-host`` holds the
uplink wlp2s0 (192.168.31.240/24), whose wire ends in ``nwlab-router`` (the gateway
192.168.31.1), behind which sits an outside address. The real engine applies the topology
there, the real checks probe every pair from sockets inside the namespaces, and every pair's
prediction must equal the kernel's answer; the key verdicts are asserted too, so a model and a
kernel that agreed on nonsense would not pass.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from netwright.backend.checks.results import CheckResult, Pair
from netwright.backend.checks.run import CheckOptions, run_check
from netwright.backend.engine import Engine, Target
from netwright.backend.lab import LAB_OUTSIDE_ADDRESS, build_lab, destroy_lab
from netwright.backend.topology import Topology, load_topology, parse_topology

pytestmark = pytest.mark.kernel

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
GATEWAY = "192.168.31.1"
PARENT_IP = "192.168.31.240"
# Python runs ~10-20x slower in the emulated VM: a generous probe timeout (one retry).
OPTIONS = CheckOptions(timeout=1.0, retries=1, outside=LAB_OUTSIDE_ADDRESS)


def _netns() -> set[str]:
    return set(os.listdir("/run/netns")) if os.path.isdir("/run/netns") else set()


class Lab:
    """The lab host and an engine deploying onto it; ``router`` is the router's namespace."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self.engine = Engine(state, Target.lab())
        self.router = ""

    def apply(self, topology: Topology) -> CheckResult:
        """Build the lab for ``topology``'s NICs, apply it, then check every pair."""
        self.router = asyncio.run(build_lab(topology, state_dir=self.state)).router_netns
        asyncio.run(self.engine.apply(topology))
        return self.check(topology.name)

    def check(self, name: str) -> CheckResult:
        deployment = asyncio.run(self.engine.deployment(name))
        return asyncio.run(run_check(deployment, OPTIONS))


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    """A lab on the test's namespace; afterwards it and everything deployed on it are gone."""
    before = _netns()
    made = Lab(tmp_path / "state")
    try:
        yield made
    finally:
        asyncio.run(destroy_lab(state_dir=made.state))
    assert _netns() == before, "destroying the lab left namespaces behind"


def pair(result: CheckResult, source: str, target: str) -> Pair:
    """The pair from namespace ``source`` to an address or role ("outside", "gateway")."""
    return next(p for p in result.pairs if p.source == source
                and target in (p.target.address, p.target.role))


def observed(result: CheckResult, source: str, target: str) -> str:
    seen = pair(result, source, target).observed
    assert seen is not None, f"{source} → {target} was not probed"
    return seen.verdict


def assert_predicted_equals_observed(result: CheckResult) -> None:
    assert result.probed and result.pairs
    assert not result.mismatches, "\n".join(
        f"{p.source} → {p.target.label}: {p.mismatch_text()}" for p in result.mismatches)


def test_the_seed_replayed_exactly_on_the_lab_host(lab: Lab) -> None:
    _doc, seed = load_topology(EXAMPLES / "seed-ipvlan-l2.yaml")
    first = lab.apply(seed)

    assert_predicted_equals_observed(first)
    for source, sibling in (("net1", "192.168.31.6"), ("net2", "192.168.31.5")):
        assert observed(first, source, sibling) == "reachable"
        assert observed(first, source, PARENT_IP) == "unreachable"
        assert observed(first, source, GATEWAY) == "reachable"
        outside = pair(first, source, "outside")
        assert outside.observed is not None and outside.observed.errno == "ENETUNREACH"
        assert "no default route" in outside.predicted.reason
    assert "default via 192.168.31.1" in (pair(first, "net1", "outside").predicted.fix or "")

    _doc, with_default = load_topology(EXAMPLES / "seed-ipvlan-l2-default.yaml")
    after = lab.apply(with_default)  # the same deployment, now with default routes

    assert_predicted_equals_observed(after)
    assert observed(after, "net1", "outside") == "reachable"
    assert observed(after, "net2", "outside") == "reachable"
    assert observed(after, "net1", PARENT_IP) == "unreachable"  # still isolated by design


IPVLAN_L3 = """
netwright: 1
name: l3lab
host: {nics: {wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}}}
namespaces:
  a: {routes: [{to: default, dev: eth0}]}
  b: {routes: [{to: default, dev: eth0}]}
interfaces:
  ia: {kind: ipvlan, name: eth0, parent: wlp2s0, mode: l3, namespace: a,
       addresses: [10.1.0.2/24]}
  ib: {kind: ipvlan, name: eth0, parent: wlp2s0, mode: l3, namespace: b,
       addresses: [10.2.0.2/24]}
"""


def _router(lab: Lab, command: str) -> None:
    subprocess.run(f"ip -n {lab.router} {command}", shell=True, check=True,
                   capture_output=True)


def _router_port(lab: Lab) -> Any:
    out = subprocess.run(["ip", "-n", lab.router, "-o", "addr", "show", "to", f"{GATEWAY}/32"],
                         capture_output=True, text=True, check=True).stdout
    return out.split()[1]


def test_ipvlan_l3_children_route_through_the_parent_and_the_router_needs_a_route_back(
    lab: Lab,
) -> None:
    first = lab.apply(parse_topology(IPVLAN_L3))

    assert_predicted_equals_observed(first)
    assert observed(first, "a", "10.2.0.2") == "reachable"  # two subnets, no ARP: via parent
    assert observed(first, "a", PARENT_IP) == "unreachable"
    to_gateway = pair(first, "a", GATEWAY)
    assert to_gateway.observed is not None and to_gateway.observed.verdict == "unreachable"
    fix = to_gateway.predicted.fix or ""
    assert "route to 10.1.0.0/24 via 192.168.31.240" in fix, fix
    assert "no ARP" in fix

    # kernel-facts.md: an on-link route on the router is not enough (l3 children answer no
    # ARP) ...
    _router(lab, f"route add 10.1.0.0/24 dev {_router_port(lab)}")
    assert observed(lab.check("l3lab"), "a", GATEWAY) == "unreachable"
    # ... the route via the parent's address, as the explanation says, is.
    _router(lab, "route replace 10.1.0.0/24 via 192.168.31.240")
    assert observed(lab.check("l3lab"), "a", GATEWAY) == "reachable"
