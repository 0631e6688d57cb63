"""Path MTU, predicted and measured: a full-size don't-fragment echo beside the small one.

Deployed by the real engine inside the test namespace; each test asserts that every pair's
observation (small echo and full-size probe) equals its prediction, and the key verdicts, in
a design where the MTU changes the verdict and one where it does not.
"""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

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
    assert "reachable for packets up to 1404 bytes (the kernel lets b's eth0, a veth, take 4" \
        " bytes over its MTU 1400: room for a VLAN tag); 1500-byte packets are dropped at b's" \
        " eth0 (MTU 1400)" in into_b.predicted.reason
    assert into_b.predicted.fix == ("give eb the MTU of the rest of its path ('mtu: 1500'), or"
                                    " set 'mtu: 1400' on the interfaces the packets start from")
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
    them), and coming from hostb they vanish at hosta's underlay; the path MTU is 1350 from
    hosta, 1354 from hostb (the underlay veth takes 4 bytes over its MTU)."""
    result = check(deploy(parse_topology(VXLAN.replace("UNDERLAY", underlay))))
    out, back = pair(result, "hosta", "10.200.0.2"), pair(result, "hostb", "10.200.0.1")
    for found in (out, back):
        assert found.observed is not None and found.observed.size == 1450
        assert found.observed.size_verdict == found.predicted.size_verdict == verdict
    if verdict == "unreachable":
        assert (out.predicted.mtu, back.predicted.mtu) == (1350, 1354)
        assert "1450-byte packets cannot leave hosta's ua (MTU 1400, a VXLAN underlay: 1350" \
            " bytes once VXLAN adds 50): the sender's kernel refuses them" in out.predicted.reason
        assert "1450-byte packets are dropped at hosta's ua (MTU 1400, a VXLAN underlay" \
            in back.predicted.reason
        assert out.predicted.fix == ("give va and the vxlans it talks to an MTU of 1350, or"
                                     " raise ua's MTU to 1500")


@pytest.mark.parametrize("size", [1354, 1355])
def test_a_vxlan_underlay_veth_takes_4_bytes_over(size: int,
                                                  deploy: Callable[[Topology], object]) -> None:
    """The underlay veth checks the outer frame as any veth end does: 1354 inner bytes (1404
    outer) arrive from hostb, 1355 vanish; hosta's own kernel refuses 1351 already."""
    result = check(deploy(parse_topology(VXLAN.replace("UNDERLAY", ", mtu: 1400"))),
                   CheckOptions(timeout=0.3, retries=1, size=size))
    back = pair(result, "hostb", "10.200.0.1")
    assert back.observed is not None
    assert back.observed.size_verdict == ("reachable" if size == 1354 else "unreachable")
    out = pair(result, "hosta", "10.200.0.2").observed
    assert out is not None and out.size_error == "Message too long"


# b's eth0 (a veth end) and the bridge port pc, both MTU 1400, behind 1500-byte peers
OVER = BRIDGE.replace("MTU_B", ", mtu: 1400").replace(
    "pc: {kind: veth, peer: ec, master: br0}", "pc: {kind: veth, peer: ec, master: br0, mtu: 1400}")
BRIDGE_NF = Path("/proc/sys/net/bridge/bridge-nf-call-iptables")


@pytest.fixture(params=["0", "1"], ids=["without-br_netfilter", "br_netfilter"])
def bridge_nf(request: pytest.FixtureRequest) -> Iterator[str]:
    """net.bridge.bridge-nf-call-iptables of the test's namespace (where br0 lives), set
    for the test and put back after it (a kernel without br_netfilter has only "0")."""
    if not BRIDGE_NF.exists():
        if request.param == "1":
            pytest.skip("no br_netfilter in this kernel")
        yield "0"
        return
    before = BRIDGE_NF.read_text()
    BRIDGE_NF.write_text(request.param)
    yield request.param
    BRIDGE_NF.write_text(before)


@pytest.mark.parametrize("over", [4, 5])
def test_a_few_bytes_over_an_mtu(over: int, bridge_nf: str,
                                 deploy: Callable[[Topology], object]) -> None:
    """Measured: a veth end takes a frame up to 4 bytes over its MTU (room for a VLAN tag),
    as does a bridge port sending unless br_netfilter checks it (then not one byte over);
    the sender's own device takes nothing over. Every pair's prediction equals what it saw."""
    size = 1400 + over
    result = check(deploy(parse_topology(OVER)), CheckOptions(timeout=0.3, retries=1,
                                                              size=size))
    veth_end, port = pair(result, "a", "10.0.0.2"), pair(result, "a", "10.0.0.3")
    sender = pair(result, "b", "10.0.0.1")
    seen = [p.observed.size_verdict for p in (veth_end, port, sender)]  # type: ignore[union-attr]
    veth_passes = over <= 4
    port_passes = veth_passes and bridge_nf == "0"
    assert seen == ["reachable" if veth_passes else "unreachable",
                    "reachable" if port_passes else "unreachable", "unreachable"]
    assert sender.observed.size_error == "Message too long"  # type: ignore[union-attr]
    if veth_passes:
        assert f"path MTU {size} (the kernel lets b's eth0, a veth, take 4 bytes over its" \
            " MTU 1400: room for a VLAN tag)" in veth_end.predicted.reason
    if not port_passes:
        assert f"{size}-byte packets are dropped at the host's pc (MTU 1400)" \
            in port.predicted.reason
