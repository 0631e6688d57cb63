"""Reverse-path filtering and preferred sources, predicted and measured.

An asymmetric design: namespace a has two links to router r (a0 and a1); r sends everything
for a's 10.1.0.1 back over a1 (or, without that route, a route's ``src`` in a makes requests
leave a0 with a1's address). Strict rp_filter in a (or in r, when a route's ``src`` makes
the request come from a1's address) drops what takes the other way back; loose or no
filtering does not. Deployed by the real engine; every pair's observation equals its
prediction, and the key verdicts and reasons are asserted.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from netwright.backend.checks.results import CheckResult, Pair
from netwright.backend.checks.run import CheckOptions, run_check
from netwright.backend.engine import Engine, Target
from netwright.backend.topology import Topology, parse_topology

pytestmark = pytest.mark.root

ASYMMETRIC = """
netwright: 1
name: rpf
namespaces:
  a: {routes: [{to: 10.2.0.0/24, via: 10.1.0.254SRC}], sysctls: {A_SYSCTLS}}
  r:
    routes: [R_ROUTES]
    sysctls: {net.ipv4.ip_forward: 1R_SYSCTLS}
  b: {routes: [{to: default, via: 10.2.0.254}]}
interfaces:
  a0: {kind: veth, peer: ra, namespace: a, addresses: [10.1.0.1/24]}
  ra: {kind: veth, peer: a0, namespace: r, addresses: [10.1.0.254/24]}
  a1: {kind: veth, peer: rc, namespace: a, addresses: [10.3.0.1/24]}
  rc: {kind: veth, peer: a1, namespace: r, addresses: [10.3.0.254/24]}
  rb: {kind: veth, peer: b0, namespace: r, addresses: [10.2.0.254/24]}
  b0: {kind: veth, peer: rb, namespace: b, addresses: [10.2.0.1/24]}
"""


def design(a: str = "", r: str = "", src: str = "", asymmetric: bool = True) -> Topology:
    back = "{to: 10.1.0.1/32, via: 10.3.0.1}" if asymmetric else ""
    return parse_topology(ASYMMETRIC.replace("A_SYSCTLS", a).replace("R_SYSCTLS", r)
                          .replace("SRC", src).replace("R_ROUTES", back))


def check(deployment: object) -> CheckResult:
    result = asyncio.run(run_check(deployment, CheckOptions(timeout=0.3, retries=1)))
    assert result.probed and not result.mismatches, "\n".join(
        f"{p.source} → {p.target.label}: {p.mismatch_text()}" for p in result.mismatches)
    return result


def pair(result: CheckResult, source: str, target: str) -> Pair:
    return next(p for p in result.pairs if p.source == source and p.target.address == target)


@pytest.mark.parametrize(("value", "verdict"), [
    ("", "reachable"), ("net.ipv4.conf.all.rp_filter: 1", "unreachable"),
    ("net.ipv4.conf.all.rp_filter: 2", "reachable"),
    ("net.ipv4.conf.a1.rp_filter: 1", "unreachable"),  # the device's own value counts too
])
def test_strict_filtering_drops_replies_that_come_back_another_way(
        value: str, verdict: str, deploy: Callable[[Topology], object]) -> None:
    result = check(deploy(design(a=value)))
    across = pair(result, "a", "10.2.0.1")
    assert across.observed is not None and across.observed.verdict == verdict
    if verdict == "unreachable":
        assert "the reply is dropped by reverse-path filtering" in across.predicted.reason
        assert "rp_filter is strict (1) on a's a1" in across.predicted.reason
        assert "leaves by a0, not a1" in across.predicted.reason


def test_a_device_named_with_a_dot_is_filtered_by_its_own_key(
        deploy: Callable[[Topology], object]) -> None:
    """a1 named a.1: its key writes the dot as '/' (net.ipv4.conf.a/1.rp_filter), the engine
    writes /proc/sys/net/ipv4/conf/a.1/rp_filter, and the prediction reads it for a.1."""
    text = (ASYMMETRIC.replace("A_SYSCTLS", "net.ipv4.conf.a/1.rp_filter: 1")
            .replace("R_SYSCTLS", "").replace("SRC", "")
            .replace("R_ROUTES", "{to: 10.1.0.1/32, via: 10.3.0.1}")
            .replace("a1: {kind: veth,", "a1: {kind: veth, name: a.1,"))
    result = check(deploy(parse_topology(text)))
    across = pair(result, "a", "10.2.0.1")
    assert across.observed is not None and across.observed.verdict == "unreachable"
    assert "rp_filter is strict (1) on a's a.1" in across.predicted.reason
    assert "conf.a/1 (1)" in across.predicted.reason
    assert "set net.ipv4.conf.a/1.rp_filter to 2 (loose) or 0 in a" in (across.predicted.fix
                                                                       or "")


@pytest.mark.parametrize(("src", "verdict"), [("", "reachable"), (", src: 10.3.0.1",
                                                                  "unreachable")])
def test_a_route_src_makes_the_request_fail_strict_filtering_at_the_router(
        src: str, verdict: str, deploy: Callable[[Topology], object], tmp_path: Path) -> None:
    result = check(deploy(design(r=", net.ipv4.conf.all.rp_filter: 1", src=src,
                                 asymmetric=False)))
    routes = subprocess.run(["ip", "-n", "a", "route", "show", "10.2.0.0/24"],
                            capture_output=True, text=True, check=True).stdout
    assert ("src 10.3.0.1" in routes) == bool(src)  # the engine gave the kernel RTA_PREFSRC
    engine = Engine(tmp_path / "state", Target.host())  # the deploy fixture's state
    again = asyncio.run(engine.plan(design(r=", net.ipv4.conf.all.rp_filter: 1", src=src,
                                           asymmetric=False)))
    assert again.steps == []  # the observed route (its RTA_PREFSRC) matches the design
    across = pair(result, "a", "10.2.0.1")
    assert across.observed is not None and across.observed.verdict == verdict
    if src:
        assert "the request is dropped by reverse-path filtering: r drops packets from" \
            " 10.3.0.1 arriving on ra" in across.predicted.reason


@pytest.mark.parametrize(("source", "verdict"), [(None, "reachable"), ("10.3.0.1", "unreachable")])
def test_probes_from_a_chosen_address(source: str | None, verdict: str,
                                      deploy: Callable[[Topology], object]) -> None:
    """``check --from 10.3.0.1``: a's probes leave a0 from a1's address, and the router's
    strict filter drops them; from the address the kernel picks they pass."""
    deployment = deploy(design(r=", net.ipv4.conf.all.rp_filter: 1", asymmetric=False))
    options = CheckOptions(timeout=0.3, retries=1, source=source)
    result = asyncio.run(run_check(deployment, options))
    assert result.probed and not result.mismatches, [p.mismatch_text()
                                                     for p in result.mismatches]
    if source:
        assert {p.source for p in result.pairs} == {"a"}
    across = pair(result, "a", "10.2.0.1")
    assert across.observed is not None and across.observed.verdict == verdict


HOST_SIDE = """
netwright: 1
name: rphost
namespaces:
  x: {routes: [{to: 10.5.0.1/32, dev: x0, src: 10.6.0.2}]}
interfaces:
  h0: {kind: veth, peer: x0, addresses: [10.5.0.1/24]}
  x0: {kind: veth, peer: h0, namespace: x, addresses: [10.5.0.2/24]}
  h1: {kind: veth, peer: x1, addresses: [10.6.0.1/24]}
  x1: {kind: veth, peer: h1, namespace: x, addresses: [10.6.0.2/24]}
"""


@pytest.mark.parametrize(("value", "verdict"), [("0", "reachable"), ("1", "unreachable")])
def test_the_hosts_rp_filter_is_read_from_the_kernel(
        value: str, verdict: str, deploy: Callable[[Topology], object]) -> None:
    """The host (here the test's own namespace) filters by its kernel's conf.all: x's
    packets from 10.6.0.2 arrive on h0, and the route back leaves by h1."""
    path = "/proc/sys/net/ipv4/conf/all/rp_filter"
    with open(path) as handle:
        before = handle.read().strip()
    deployment = deploy(parse_topology(HOST_SIDE))
    try:
        with open(path, "w") as handle:
            handle.write(value)
        result = check(deployment)
    finally:
        with open(path, "w") as handle:
            handle.write(before)
    across = pair(result, "x", "10.5.0.1")
    assert across.observed is not None and across.observed.verdict == verdict
    if verdict == "unreachable":
        assert "host drops packets from 10.6.0.2 arriving on h0" in across.predicted.reason
