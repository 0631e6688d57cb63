"""Path MTU, predicted and measured: a full-size don't-fragment echo beside the small one.

Deployed by the real engine inside the test namespace; each test asserts that every pair's
observation (small echo and full-size probe) equals its prediction, and the key verdicts, in
a design where the MTU changes the verdict and one where it does not.
"""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Callable

import pytest

from netwright.backend.checks.results import CheckResult, Pair
from netwright.backend.checks.run import CheckOptions, run_check
from netwright.backend.topology import Topology, parse_topology

pytestmark = pytest.mark.root
FAST = CheckOptions(timeout=0.3, retries=1)

BRIDGE = """
netwright: 1
name: mtu
namespaces: {a: {}, b: {}, c: {}}
interfaces:
  br0: {kind: bridge}
  pa: {kind: veth, peer: ea, master: br0}
  ea: {kind: veth, peer: pa, namespace: a, name: eth0, addresses: [10.0.0.1/24]}
  pb: {kind: veth, peer: eb, master: br0}
  eb: {kind: veth, peer: pb, namespace: b, name: eth0, addresses: [10.0.0.2/24]MTU_B}
  pc: {kind: veth, peer: ec, master: br0}
  ec: {kind: veth, peer: pc, namespace: c, name: eth0, addresses: [10.0.0.3/24]}
"""

ROUTED = """
netwright: 1
name: mturt
namespaces:
  a: {routes: [{to: default, via: 10.1.0.254}]}
  r: {sysctls: {net.ipv4.ip_forward: 1}}
  b: {routes: [{to: default, via: 10.2.0.254}]}
interfaces:
  a0: {kind: veth, peer: ra, namespace: a, addresses: [10.1.0.1/24]}
  ra: {kind: veth, peer: a0, namespace: r, addresses: [10.1.0.254/24]}
  rb: {kind: veth, peer: b0, namespace: r, addresses: [10.2.0.254/24]MTU}
  b0: {kind: veth, peer: rb, namespace: b, addresses: [10.2.0.1/24]MTU}
"""


def check(deployment: object, options: CheckOptions = FAST) -> CheckResult:
    result = asyncio.run(run_check(deployment, options))
    assert result.probed
    assert not result.mismatches, "\n".join(
        f"{p.source} → {p.target.label}: {p.mismatch_text()}" for p in result.mismatches)
    return result


def pair(result: CheckResult, source: str, target: str) -> Pair:
    return next(p for p in result.pairs if p.source == source and p.target.address == target)


def test_a_smaller_veth_end_drops_full_size_frames(
        deploy: Callable[[Topology], object]) -> None:
    result = check(deploy(parse_topology(BRIDGE.replace("MTU_B", ", mtu: 1400"))))
    into_b = pair(result, "a", "10.0.0.2")
    assert into_b.observed is not None
    assert (into_b.observed.verdict, into_b.observed.size, into_b.observed.size_verdict) == (
        "reachable", 1500, "unreachable")
    assert into_b.observed.size_error == "no reply"  # a silent drop, no ICMP error
    assert "reachable for packets up to 1400 bytes; 1500-byte packets are dropped at b's eth0" \
        " (MTU 1400)" in into_b.predicted.reason
    assert into_b.predicted.fix is not None and "mtu: 1500" in into_b.predicted.fix
    from_b = pair(result, "b", "10.0.0.1")  # b sends 1400-byte packets: they fit everywhere
    assert from_b.observed is not None and from_b.observed.size == 1400
    assert from_b.observed.size_verdict == "reachable"
    assert pair(result, "a", "10.0.0.3").observed.size_verdict == "reachable"  # type: ignore


def test_one_mtu_everywhere_passes_full_size(deploy: Callable[[Topology], object]) -> None:
    result = check(deploy(parse_topology(BRIDGE.replace("MTU_B", ""))))
    probed = [p.observed for p in result.pairs if p.observed and p.observed.size]
    assert len(probed) == 6 and all(o.size == 1500 and o.size_verdict == "reachable"
                                    for o in probed)


def test_a_chosen_size_that_fits(deploy: Callable[[Topology], object]) -> None:
    options = CheckOptions(timeout=0.3, retries=1, size=1400)
    result = check(deploy(parse_topology(BRIDGE.replace("MTU_B", ", mtu: 1400"))), options)
    assert pair(result, "a", "10.0.0.2").observed.size_verdict == "reachable"  # type: ignore


@pytest.mark.parametrize(("mtu", "verdict"), [(", mtu: 1400", "unreachable"), ("", "reachable")])
def test_a_router_with_a_smaller_link(mtu: str, verdict: str,
                                      deploy: Callable[[Topology], object]) -> None:
    result = check(deploy(parse_topology(textwrap.dedent(ROUTED).replace("MTU", mtu))))
    across = pair(result, "a", "10.2.0.1")
    assert across.observed is not None and across.observed.verdict == "reachable"
    assert across.observed.size_verdict == verdict
    if mtu:
        assert across.observed.size_error == "Message too long"  # "fragmentation needed"
        assert "the router answers 'fragmentation needed'" in across.predicted.reason
    back = pair(result, "b", "10.1.0.1")  # the other way, replies fragment: fine
    assert back.observed is not None and back.observed.size_verdict == "reachable"


ROUTED6 = """
netwright: 1
name: mturt6
namespaces:
  a: {routes: [{to: default, via: "fd01::254"}]}
  r: {sysctls: {net.ipv6.conf.all.forwarding: 1}}
  b: {routes: [{to: default, via: "fd02::254"}]}
interfaces:
  a0: {kind: veth, peer: ra, namespace: a, addresses: ["fd01::1/64"]}
  ra: {kind: veth, peer: a0, namespace: r, addresses: ["fd01::254/64"]}
  rb: {kind: veth, peer: b0, namespace: r, addresses: ["fd02::254/64"], mtu: 1400}
  b0: {kind: veth, peer: rb, namespace: b, addresses: ["fd02::1/64"], mtu: 1400}
"""


def test_an_ipv6_router_answers_packet_too_big(deploy: Callable[[Topology], object]) -> None:
    result = check(deploy(parse_topology(ROUTED6)))
    across = pair(result, "a", "fd02::1")
    assert across.observed is not None and across.observed.verdict == "reachable"
    assert (across.observed.size, across.observed.size_verdict) == (1500, "unreachable")
    assert across.observed.size_error == "Message too long"
    assert "the router answers 'packet too big'" in across.predicted.reason


MACVLAN = """
netwright: 1
name: mtumv
namespaces: {a: {}, b: {}, w: {}}
interfaces:
  up0: {kind: veth, peer: up1}
  up1: {kind: veth, peer: up0, namespace: w, addresses: [10.4.0.9/24]}
  mva: {kind: macvlan, parent: up0, mode: bridge, namespace: a, addresses: [10.4.0.1/24]}
  mvb: {kind: macvlan, parent: up0, mode: bridge, namespace: b, addresses: [10.4.0.2/24],
        mtu: 1400}
"""


def test_a_smaller_macvlan_sibling(deploy: Callable[[Topology], object]) -> None:
    """From a sibling the frame is handed over (and checked against mvb's MTU); from the
    parent's wire it is not."""
    result = check(deploy(parse_topology(MACVLAN)))
    sibling = pair(result, "a", "10.4.0.2")
    assert sibling.observed is not None and sibling.observed.verdict == "reachable"
    wire = pair(result, "w", "10.4.0.2")
    assert wire.observed is not None and wire.observed.verdict == "reachable"
    assert (sibling.observed.size_verdict, wire.observed.size_verdict) == (
        sibling.predicted.size_verdict, wire.predicted.size_verdict)


PEERS = """
netwright: 1
name: mtupeer
namespaces: {a: {}, b: {}}
interfaces:
  ea: {kind: veth, peer: eb, namespace: a, name: eth0, addresses: [10.5.0.1/24]}
  eb: {kind: veth, peer: ea, namespace: b, name: eth0, addresses: [10.5.0.2/24], mtu: 1400}
"""


def test_a_veth_peer_with_a_smaller_mtu_is_named_not_the_neighbour_table(
        deploy: Callable[[Topology], object]) -> None:
    """The sending veth hands the frame to its peer, which drops it (bigger than its MTU):
    the send fails with ENOBUFS (NET_XMIT_DROP), which is no full neighbour table."""
    result = check(deploy(parse_topology(PEERS)))
    into_b = pair(result, "a", "10.5.0.2")
    assert into_b.observed is not None
    assert (into_b.observed.verdict, into_b.observed.size_verdict) == ("reachable", "unreachable")
    assert into_b.observed.size_error == "1500-byte packets are dropped at b's eth0 (MTU 1400)"
    assert into_b.observed.limited_by is None
    assert into_b.predicted.size_verdict == "unreachable"


VXLAN = """
netwright: 1
name: mtuvx
namespaces: {hosta: {}, hostb: {}}
interfaces:
  ua: {kind: veth, namespace: hosta, peer: ub, addresses: [10.10.0.1/24]UNDERLAY}
  ub: {kind: veth, namespace: hostb, peer: ua, addresses: [10.10.0.2/24]}
  va: {kind: vxlan, namespace: hosta, vni: 100, remote: 10.10.0.2, local: 10.10.0.1,
       dev: ua, mtu: 1450, addresses: [10.200.0.1/24]}
  vb: {kind: vxlan, namespace: hostb, vni: 100, remote: 10.10.0.1, local: 10.10.0.2,
       dev: ub, mtu: 1450, addresses: [10.200.0.2/24]}
"""


@pytest.mark.parametrize(("underlay", "verdict"), [(", mtu: 1400", "unreachable"),
                                                    ("", "reachable")])
def test_a_vxlan_over_a_smaller_underlay(underlay: str, verdict: str,
                                         deploy: Callable[[Topology], object]) -> None:
    """A 1450-byte vxlan on a 1400-byte underlay veth (validation's vxlan-mtu-overhead): the
    tunnel carries 1350 bytes. Full-size packets cannot leave hosta (its kernel refuses
    them), and coming from hostb they vanish at hosta's underlay; the path MTU is 1350."""
    result = check(deploy(parse_topology(VXLAN.replace("UNDERLAY", underlay))))
    out, back = pair(result, "hosta", "10.200.0.2"), pair(result, "hostb", "10.200.0.1")
    for found in (out, back):
        assert found.observed is not None and found.observed.size == 1450
        assert found.observed.size_verdict == found.predicted.size_verdict == verdict
    if verdict == "unreachable":
        assert out.predicted.mtu == back.predicted.mtu == 1350
        assert "1450-byte packets cannot leave hosta's ua (MTU 1400, a VXLAN underlay: 1350" \
            " bytes once VXLAN adds 50): the sender's kernel refuses them" in out.predicted.reason
        assert "1450-byte packets are dropped at hosta's ua (MTU 1400, a VXLAN underlay" \
            in back.predicted.reason
        assert out.predicted.fix == ("give va and the vxlans it talks to an MTU of 1350, or"
                                     " raise ua's MTU to 1500")
