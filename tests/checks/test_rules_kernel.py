"""Each explanation rule this kernel can run, deployed for real: observed == predicted.

The topologies are applied by the real engine inside the test namespace; the probe measures
with ICMP from sockets opened inside each namespace; the test fails on any pair where the
kernel did something else than the model said — and also checks the key verdicts, so a model
that predicted nonsense the kernel happened to agree with would not pass. ipvlan-only rules
carry the ``kernel`` marker (stock-kernel VM tier).
"""

from __future__ import annotations

import asyncio
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from netwright.backend.checks.results import CheckResult
from netwright.backend.checks.run import CheckOptions, run_check
from netwright.backend.topology import Topology, load_topology, parse_topology

from .conftest import OUTSIDE, load_nft_modules, macvlan_stand_in, sh

pytestmark = pytest.mark.root
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FAST = CheckOptions(timeout=0.3, retries=1, outside=OUTSIDE)
SLOW = CheckOptions(timeout=1.0, retries=1, outside=OUTSIDE)  # Python is slow in the VM


def check(deployment: object, options: CheckOptions = FAST) -> CheckResult:
    return asyncio.run(run_check(deployment, options))


def observed(result: CheckResult, source: str, target: str) -> str:
    pair = next(p for p in result.pairs if p.source == source and p.target.address == target)
    assert pair.observed is not None
    return pair.observed.verdict


def assert_agrees(result: CheckResult) -> None:
    assert result.probed
    assert not result.mismatches, "\n".join(
        f"{p.source} → {p.target.label}: {p.mismatch_text()}" for p in result.mismatches)


def test_seed_replayed_with_macvlan_standing_in(uplink: Callable[..., None],
                                                 deploy: Callable[[Topology], object]) -> None:
    uplink("wlp2s0")
    _doc, seed = load_topology(EXAMPLES / "seed-ipvlan-l2.yaml")
    result = check(deploy(macvlan_stand_in(seed)))
    assert_agrees(result)
    assert observed(result, "net1", "192.168.31.6") == "reachable"
    assert observed(result, "net1", "192.168.31.240") == "unreachable"
    assert observed(result, "net1", "192.168.31.1") == "reachable"
    outside = next(p for p in result.pairs if p.source == "net1" and p.target.role == "outside")
    assert outside.observed is not None and outside.observed.errno == "ENETUNREACH"
    assert "no default route" in outside.predicted.reason
    _doc, fixed = load_topology(EXAMPLES / "seed-ipvlan-l2-default.yaml")
    after = check(deploy(macvlan_stand_in(fixed)))
    assert_agrees(after)
    assert observed(after, "net1", OUTSIDE) == "reachable"


@pytest.mark.parametrize("example", [
    "macvlan-bridge", "docker-bridge", "vxlan-overlay",
    # stateful security groups on bridge ports need nf_conntrack_bridge: the stock kernel's
    pytest.param("openstack-linuxbridge", marks=pytest.mark.kernel)])
def test_examples(example: str, uplink: Callable[..., None],
                  deploy: Callable[[Topology], object]) -> None:
    _doc, topology = load_topology(EXAMPLES / f"{example}.yaml")
    load_nft_modules()
    for nic in topology.host.nics:
        uplink(nic, route_outside=True)  # the host routes out as the prediction assumes
    result = check(deploy(topology), FAST if example != "openstack-linuxbridge" else SLOW)
    assert_agrees(result)
    assert any(p.observed and p.observed.verdict == "reachable" for p in result.pairs
               if p.target.role == "peer")


def test_explain_deployed_predicts_the_outside_reaching_the_published_port(
        uplink: Callable[..., None], deploy: Callable[[Topology], object]) -> None:
    """`explain --deployed` (nothing probed) says what `explain FILE` says of docker's
    published port: it left the outside's row out."""
    _doc, topology = load_topology(EXAMPLES / "docker-bridge.yaml")
    load_nft_modules()
    uplink("wlp2s0", route_outside=True)
    predicted = asyncio.run(run_check(deploy(topology), CheckOptions(outside=OUTSIDE,
                                                                      probe=False)))
    published = [(p.target.address, [(s.proto, s.port, s.predicted.verdict)
                                     for s in p.services])
                 for p in predicted.pairs if p.source == "outside"]
    assert published == [("192.168.31.240", [("tcp", 8080, "reachable")])]


@pytest.mark.parametrize(("mode", "siblings"), [
    ("bridge", "reachable"), ("private", "unreachable"), ("vepa", "unreachable"),
])
def test_macvlan_modes(mode: str, siblings: str, uplink: Callable[..., None],
                       deploy: Callable[[Topology], object]) -> None:
    uplink("eth1")
    topology = parse_topology(textwrap.dedent(f"""
        netwright: 1
        name: mv{mode}
        host: {{nics: {{eth1: {{addresses: [192.168.31.240/24], gateway: 192.168.31.1}}}}}}
        namespaces: {{a: {{}}, b: {{}}}}
        interfaces:
          mva: {{kind: macvlan, parent: eth1, mode: {mode}, namespace: a,
                addresses: [192.168.31.21/24]}}
          mvb: {{kind: macvlan, parent: eth1, mode: {mode}, namespace: b,
                addresses: [192.168.31.22/24]}}
    """))
    result = check(deploy(topology))
    assert_agrees(result)
    assert observed(result, "a", "192.168.31.22") == siblings
    assert observed(result, "a", "192.168.31.1") == "reachable"
    assert observed(result, "a", "192.168.31.240") == "unreachable"


BRIDGED_SUBNETS = """
netwright: 1
name: subnets
namespaces: {a: {ROUTE_A}, b: {}}
interfaces:
  br0: {kind: bridge}
  pa: {kind: veth, peer: ea, master: br0}
  ea: {kind: veth, peer: pa, namespace: a, addresses: [10.0.0.1/24]}
  pb: {kind: veth, peer: eb, master: br0}
  eb: {kind: veth, peer: pb, namespace: b, addresses: [10.0.1.1/24]}
"""


@pytest.mark.parametrize(("route", "error"), [
    ("", "ENETUNREACH"), ("routes: [{to: default, dev: ea}]", None),
])
def test_different_subnets_on_one_bridge(route: str, error: str | None,
                                         deploy: Callable[[Topology], object]) -> None:
    result = check(deploy(parse_topology(BRIDGED_SUBNETS.replace("ROUTE_A", route))))
    assert_agrees(result)
    pair = next(p for p in result.pairs if p.source == "a" and p.target.address == "10.0.1.1")
    assert pair.observed is not None and pair.observed.verdict == "unreachable"
    assert pair.observed.errno == error


def test_link_down_and_no_carrier(deploy: Callable[[Topology], object]) -> None:
    result = check(deploy(parse_topology(textwrap.dedent("""
        netwright: 1
        name: down
        namespaces: {a: {}, b: {}, c: {}, d: {}}
        interfaces:
          br0: {kind: bridge}
          pa: {kind: veth, peer: ea, master: br0}
          ea: {kind: veth, peer: pa, namespace: a, addresses: [10.0.0.1/24]}
          pb: {kind: veth, peer: eb, master: br0, state: down}
          eb: {kind: veth, peer: pb, namespace: b, addresses: [10.0.0.2/24]}
          up0: {kind: veth, peer: up1}
          up1: {kind: veth, peer: up0, state: down}
          mvc: {kind: macvlan, parent: up0, mode: bridge, namespace: c, addresses: [10.1.0.1/24]}
          mvd: {kind: macvlan, parent: up0, mode: bridge, namespace: d, addresses: [10.1.0.2/24]}
    """))))
    assert_agrees(result)
    assert observed(result, "a", "10.0.0.2") == "unreachable"
    assert observed(result, "c", "10.1.0.2") == "unreachable"


@pytest.mark.parametrize(("sysctls", "verdict"), [
    ("", "unreachable"), ("sysctls: {net.ipv4.ip_forward: 1}", "reachable"),
])
def test_router_forwarding(sysctls: str, verdict: str,
                           deploy: Callable[[Topology], object]) -> None:
    result = check(deploy(parse_topology(textwrap.dedent(f"""
        netwright: 1
        name: router
        namespaces:
          a: {{routes: [{{to: default, via: 10.0.1.1}}]}}
          b: {{routes: [{{to: default, via: 10.0.2.1}}]}}
          r: {{{sysctls}}}
        interfaces:
          ea: {{kind: veth, peer: ra, namespace: a, addresses: [10.0.1.2/24]}}
          ra: {{kind: veth, peer: ea, namespace: r, addresses: [10.0.1.1/24]}}
          eb: {{kind: veth, peer: rb, namespace: b, addresses: [10.0.2.2/24]}}
          rb: {{kind: veth, peer: eb, namespace: r, addresses: [10.0.2.1/24]}}
    """))))
    assert_agrees(result)
    assert observed(result, "a", "10.0.2.2") == verdict


def test_ipv6_on_a_veth(deploy: Callable[[Topology], object]) -> None:
    result = check(deploy(parse_topology(textwrap.dedent("""
        netwright: 1
        name: six
        namespaces: {a: {}, b: {}}
        interfaces:
          ea: {kind: veth, peer: eb, namespace: a, addresses: ["fd00::1/64"]}
          eb: {kind: veth, peer: ea, namespace: b, addresses: ["fd00::2/64"]}
    """))))
    assert_agrees(result)
    assert observed(result, "a", "fd00::2") == "reachable"


@pytest.mark.kernel
def test_seed_with_real_ipvlan(uplink: Callable[..., None],
                               deploy: Callable[[Topology], object]) -> None:
    uplink("wlp2s0")
    _doc, seed = load_topology(EXAMPLES / "seed-ipvlan-l2.yaml")
    assert_agrees(check(deploy(seed), SLOW))
    _doc, fixed = load_topology(EXAMPLES / "seed-ipvlan-l2-default.yaml")
    after = check(deploy(fixed), SLOW)
    assert_agrees(after)
    assert observed(after, "net1", OUTSIDE) == "reachable"


IPVLAN_L3 = """
netwright: 1
name: l3
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


@pytest.mark.kernel
def test_ipvlan_l3_and_the_route_back(uplink: Callable[..., None],
                                      deploy: Callable[[Topology], object]) -> None:
    """kernel-facts.md's ipvlan l3 row; then the router learns the route back, which the
    model cannot know: the check must report that surprise as a mismatch."""
    uplink("wlp2s0")
    deployment = deploy(parse_topology(IPVLAN_L3))
    result = check(deployment, SLOW)
    assert_agrees(result)
    assert observed(result, "a", "10.2.0.2") == "reachable"
    assert observed(result, "a", "192.168.31.1") == "unreachable"
    assert observed(result, "a", "192.168.31.240") == "unreachable"
    routers = [line.split()[0] for line in subprocess.run(
        ["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout.splitlines()
        if line.startswith("rtr-")]
    sh(f"ip -n {routers[0]} route add 10.1.0.0/24 via 192.168.31.240")
    after = check(deployment, SLOW)
    surprise = next(p for p in after.mismatches
                    if p.source == "a" and p.target.address == "192.168.31.1")
    assert "predicted unreachable" in (surprise.mismatch_text() or "")


@pytest.mark.kernel
@pytest.mark.parametrize(("flag", "siblings"), [("private", "unreachable"),
                                                ("vepa", "unreachable")])
def test_ipvlan_l2_flags(flag: str, siblings: str, uplink: Callable[..., None],
                         deploy: Callable[[Topology], object]) -> None:
    uplink("wlp2s0")
    _doc, seed = load_topology(EXAMPLES / "seed-ipvlan-l2.yaml")
    data = seed.model_dump(by_alias=True, exclude_none=True)
    for link in data["interfaces"].values():
        link["flag"] = flag
    result = check(deploy(Topology.model_validate(data)), SLOW)
    assert_agrees(result)
    assert observed(result, "net1", "192.168.31.6") == siblings
    assert observed(result, "net1", "192.168.31.1") == "reachable"


def test_vxlan_over_a_broken_underlay(deploy: Callable[[Topology], object]) -> None:
    text = (EXAMPLES / "vxlan-overlay.yaml").read_text()
    broken = parse_topology(text.replace("    peer: underlay-a\n",
                                         "    peer: underlay-a\n    state: down\n", 1))
    result = check(deploy(broken))
    assert_agrees(result)
    assert observed(result, "hosta", "10.200.0.2") == "unreachable"


def test_forwarding_is_per_address_family(deploy: Callable[[Topology], object]) -> None:
    from .test_explain import DUAL_STACK_ROUTER

    result = check(deploy(parse_topology(DUAL_STACK_ROUTER)))
    assert_agrees(result)
    assert observed(result, "a", "10.0.2.2") == "reachable"
    assert observed(result, "a", "fd02::2") == "unreachable"


@pytest.mark.parametrize("parent_keeps_address", [True, False])
def test_the_isolation_fix_host_side_sub_interface(
        parent_keeps_address: bool, uplink: Callable[..., None],
        deploy: Callable[[Topology], object]) -> None:
    """The fix the isolation reason gives: the host talks to the children through its own
    sub-interface on the parent. It works when the host's address is there, not on the
    parent (with both, the host answers over the parent's route, which the children never
    see) — the model must know the difference."""
    uplink("eth1", "192.168.31.240/24" if parent_keeps_address else None)
    nic_addresses = "[192.168.31.240/24]" if parent_keeps_address else "[]"
    result = check(deploy(parse_topology(textwrap.dedent(f"""
        netwright: 1
        name: hostmv
        host: {{nics: {{eth1: {{addresses: {nic_addresses}}}}}}}
        namespaces: {{a: {{}}}}
        interfaces:
          mva: {{kind: macvlan, parent: eth1, mode: bridge, namespace: a,
                addresses: [192.168.31.21/24]}}
          hostmv: {{kind: macvlan, parent: eth1, mode: bridge, addresses: [192.168.31.250/24]}}
    """))))
    assert_agrees(result)
    expected = "unreachable" if parent_keeps_address else "reachable"
    assert observed(result, "a", "192.168.31.250") == expected


def test_a_route_through_the_gateway_to_the_parent_is_not_offered_as_a_fix(
        uplink: Callable[..., None], deploy: Callable[[Topology], object]) -> None:
    """The isolation fix once said "or route via the gateway". Done in the child's
    namespace, the request goes round through the gateway and arrives, but the host's reply
    to the child leaves by the parent itself (its subnet's route), and macvlan never hands it
    to the child: the fix may not send the user there, and the reply's reason says why."""
    uplink("eth1", route_outside=True)
    result = check(deploy(parse_topology(textwrap.dedent("""
        netwright: 1
        name: mvgw
        host: {nics: {eth1: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}}}
        namespaces:
          a: {routes: [{to: 192.168.31.240/32, via: 192.168.31.1}]}
          b: {}
        interfaces:
          mva: {kind: macvlan, parent: eth1, mode: bridge, namespace: a,
                addresses: [192.168.31.21/24]}
          mvb: {kind: macvlan, parent: eth1, mode: bridge, namespace: b,
                addresses: [192.168.31.22/24]}
    """))))
    assert_agrees(result)
    for source in ("a", "b"):
        pair = next(p for p in result.pairs
                    if p.source == source and p.target.address == "192.168.31.240")
        assert pair.predicted.verdict == "unreachable"
        assert "gateway" not in (pair.predicted.fix or "").split(";")[0], pair.predicted.fix
    around = next(p for p in result.pairs if p.source == "a" and p.target.role == "parent")
    assert around.predicted.reason.startswith("the request arrives but the reply cannot come")
    assert "a route through the gateway on mva's side alone does not help: the host's reply" \
        " to 192.168.31.21 leaves by eth1 itself" in (around.predicted.fix or "")


ROUTER_BUT_NO_ROUTE = """
netwright: 1
name: noroute
namespaces:
  c: {routes: [{to: default, via: 10.1.0.1}]}
  r: {sysctls: {net.ipv4.ip_forward: 1}}
  s: {S}
interfaces:
  c0: {kind: veth, namespace: c, peer: r0, addresses: [10.1.0.2/24]}
  r0: {kind: veth, namespace: r, peer: c0, addresses: [10.1.0.1/24]}
  r1: {kind: veth, namespace: r, peer: s0, addresses: [10.2.0.1/24]}
  s0: {kind: veth, namespace: s, peer: r1, addresses: [10.2.0.2/24]}
"""


def test_no_route_names_the_router_that_would_carry_it(
        deploy: Callable[[Topology], object]) -> None:
    """s has no route, and no LAN gateway is near; its fix once said "via a router that
    reaches it". Router r is on s's link, forwards and routes 10.1.0.2: the fix names it,
    and the fix, applied, makes the pair reachable."""
    result = check(deploy(parse_topology(ROUTER_BUT_NO_ROUTE.replace("{S}", "{}"))))
    assert_agrees(result)
    lost = next(p for p in result.pairs if p.source == "s" and p.target.address == "10.1.0.2")
    assert lost.predicted.disposition == "no_route"
    assert lost.predicted.fix == ("add a default route in s: 'routes: [{to: default, via:"
                                  " 10.2.0.1}]' (default via 10.2.0.1): r forwards and has a"
                                  " route to 10.1.0.2")
    fixed = check(deploy(parse_topology(ROUTER_BUT_NO_ROUTE.replace(
        "{S}", "{routes: [{to: default, via: 10.2.0.1}]}"))))
    assert_agrees(fixed)
    assert observed(fixed, "s", "10.1.0.2") == "reachable"
    assert observed(fixed, "c", "10.2.0.2") == "reachable"


def test_the_host_as_router_reads_its_forwarding(deploy: Callable[[Topology], object]) -> None:
    """run_check reads the host's forwarding per family from the kernel (never sets it);
    here the host is the test's own namespace, so setting it is safe."""
    from .test_explain import HOST_ROUTER

    sh("sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=0")
    try:
        result = check(deploy(parse_topology(HOST_ROUTER)))
    finally:
        sh("sysctl -qw net.ipv4.ip_forward=0")
    assert_agrees(result)
    assert observed(result, "a", "10.2.0.2") == "reachable"
    assert observed(result, "a", "fd12::2") == "unreachable"
    assert any("IPv4 on — the host's kernel, read for this prediction" in note
               for note in result.notes), result.notes
