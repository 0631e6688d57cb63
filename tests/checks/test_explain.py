"""The explanation rules, one small topology each, predicted from the model alone.

The kernel side of each rule (the observation agreeing) is in test_rules_kernel.py.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from netwright.backend.checks.explain import Explainer, explain
from netwright.backend.checks.results import Pair
from netwright.backend.topology import Topology, parse_topology

SEED = """
netwright: 1
name: seed
host: {nics: {wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}}}
namespaces: {net1: {ROUTES}, net2: {}}
interfaces:
  ipvlan1: {kind: ipvlan, parent: wlp2s0, mode: l2, namespace: net1,
            addresses: [192.168.31.5/24]}
  ipvlan2: {kind: ipvlan, parent: wlp2s0, mode: l2, namespace: net2,
            addresses: [192.168.31.6/24]}
"""


def topology(text: str, validate: bool = True) -> Topology:
    text = textwrap.dedent(text)
    if validate:
        return parse_topology(text)
    from ruamel.yaml import YAML

    return Topology.model_validate(YAML(typ="safe").load(text))


def pair(pairs: list[Pair], source: str, target: str) -> Pair:
    found = [p for p in pairs if p.source == source and p.target.address == target]
    assert len(found) == 1, f"no single pair {source} → {target}: {[p.to_json() for p in pairs]}"
    return found[0]


def macvlan_pair(mode_a: str, mode_b: str) -> Topology:
    return topology(f"""
        netwright: 1
        name: mv
        host: {{nics: {{eth1: {{addresses: [192.168.31.240/24], gateway: 192.168.31.1}}}}}}
        namespaces: {{a: {{}}, b: {{}}}}
        interfaces:
          mva: {{kind: macvlan, parent: eth1, mode: {mode_a}, namespace: a,
                addresses: [192.168.31.21/24]}}
          mvb: {{kind: macvlan, parent: eth1, mode: {mode_b}, namespace: b,
                addresses: [192.168.31.22/24]}}
    """)


def test_seed_matches_the_issue() -> None:
    pairs = explain(topology(SEED.replace("ROUTES", "")), outside="203.0.113.114")
    assert pair(pairs, "net1", "192.168.31.6").predicted.verdict == "reachable"
    assert pair(pairs, "net2", "192.168.31.5").predicted.verdict == "reachable"
    parent = pair(pairs, "net1", "192.168.31.240")
    assert parent.target.role == "parent"
    assert (parent.predicted.verdict, parent.predicted.disposition) == ("unreachable", "isolated")
    assert "own ipvlan on wlp2s0" in (parent.predicted.fix or "")
    gateway = pair(pairs, "net1", "192.168.31.1")
    assert (gateway.target.role, gateway.predicted.verdict) == ("gateway", "reachable")
    outside = pair(pairs, "net1", "203.0.113.114")
    assert outside.target.role == "outside"
    assert outside.predicted.disposition == "no_route"
    assert "no default route" in outside.predicted.reason
    assert "Network is unreachable" in outside.predicted.reason
    assert "default via 192.168.31.1" in (outside.predicted.fix or "")


def test_an_on_link_target_nobody_holds_is_said_as_such() -> None:
    """`check --target-outside` an address of the children's own subnet that nothing holds:
    the packet goes straight out, and its ARP request is what goes unanswered (not a "next
    hop", which a route's gateway is)."""
    text = """
        netwright: 1
        name: onlink
        host: {nics: {eth1: {addresses: [192.168.31.1/24]}}}
        namespaces: {net1: {routes: [{to: 10.9.0.0/16, via: 192.168.31.77}]}}
        interfaces:
          mv1: {kind: macvlan, parent: eth1, mode: bridge, namespace: net1,
                addresses: [192.168.31.11/24]}
    """
    on_link = pair(explain(topology(text), outside="192.168.31.99"), "net1", "192.168.31.99")
    assert on_link.predicted.disposition == "neighbor_unreachable"
    assert on_link.predicted.reason == (
        "192.168.31.99 is on net1's own subnet (sent straight out of mv1), and nothing in the"
        " topology holds it: its ARP request goes unanswered"), on_link.predicted.reason
    assert "give 192.168.31.99 to an interface on that link" in (on_link.predicted.fix or "")
    routed = pair(explain(topology(text), outside="10.9.1.1"), "net1", "10.9.1.1")
    assert "nothing in the topology holds 192.168.31.77, the next hop from" in \
        routed.predicted.reason, routed.predicted.reason


def test_seed_with_default_route_reaches_outside() -> None:
    text = SEED.replace("ROUTES", "routes: [{to: default, via: 192.168.31.1}]")
    pairs = explain(topology(text), outside="203.0.113.114")
    assert pair(pairs, "net1", "203.0.113.114").predicted.verdict == "reachable"
    assert pair(pairs, "net2", "203.0.113.114").predicted.disposition == "no_route"


def test_self_is_accepted_and_outside_is_only_probed_when_named() -> None:
    pairs = explain(topology(SEED.replace("ROUTES", "")))
    own = pair(pairs, "net1", "192.168.31.5")
    assert (own.target.role, own.predicted.disposition) == ("self", "accepted")
    assert not [p for p in pairs if p.target.role == "outside"]


@pytest.mark.parametrize(("mode_a", "mode_b", "verdict"), [
    ("bridge", "bridge", "reachable"),
    ("private", "private", "unreachable"),
    ("vepa", "vepa", "unreachable"),
    ("bridge", "private", "unreachable"),
])
def test_macvlan_modes_between_siblings(mode_a: str, mode_b: str, verdict: str) -> None:
    pairs = explain(macvlan_pair(mode_a, mode_b))
    sibling = pair(pairs, "a", "192.168.31.22")
    assert sibling.predicted.verdict == verdict
    if verdict == "unreachable":
        assert sibling.predicted.disposition == "isolated"
        assert "mode bridge" in (sibling.predicted.fix or "")
    # every mode reaches the gateway and none the parent (kernel-facts.md)
    assert pair(pairs, "a", "192.168.31.1").predicted.verdict == "reachable"
    assert pair(pairs, "a", "192.168.31.240").predicted.disposition == "isolated"


@pytest.mark.parametrize(("flag", "verdict"), [
    ("bridge", "reachable"), ("private", "unreachable"), ("vepa", "unreachable"),
])
def test_ipvlan_l2_flags(flag: str, verdict: str) -> None:
    text = SEED.replace("ROUTES", "").replace("mode: l2,", f"mode: l2, flag: {flag},")
    pairs = explain(topology(text))
    assert pair(pairs, "net1", "192.168.31.6").predicted.verdict == verdict
    assert pair(pairs, "net1", "192.168.31.1").predicted.verdict == "reachable"


def test_ipvlan_l3_needs_a_route_back_via_the_parent() -> None:
    pairs = explain(topology("""
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
    """))
    assert pair(pairs, "a", "10.2.0.2").predicted.verdict == "reachable"
    assert pair(pairs, "a", "192.168.31.240").predicted.disposition == "isolated"
    gateway = pair(pairs, "a", "192.168.31.1").predicted
    assert gateway.verdict == "unreachable"
    assert "10.1.0.0/24 via 192.168.31.240" in (gateway.fix or "")


def test_different_subnets_on_one_bridge() -> None:
    text = """
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
    pairs = explain(topology(text.replace("ROUTE_A", "")))
    plain = pair(pairs, "a", "10.0.1.1").predicted
    assert (plain.verdict, plain.disposition) == ("unreachable", "no_route")
    assert "same link" in plain.reason and "another subnet" in plain.reason
    one_side = explain(topology(text.replace("ROUTE_A", "routes: [{to: default, dev: ea}]")))
    half = pair(one_side, "a", "10.0.1.1").predicted
    assert (half.verdict, half.disposition) == ("unreachable", "no_route_back")


def test_link_down_and_missing_bridge_membership() -> None:
    text = """
        netwright: 1
        name: down
        namespaces: {a: {}, b: {}, c: {}}
        interfaces:
          br0: {kind: bridge}
          pa: {kind: veth, peer: ea, master: br0}
          ea: {kind: veth, peer: pa, namespace: a, addresses: [10.0.0.1/24]}
          pb: {kind: veth, peer: eb, master: br0, state: down}
          eb: {kind: veth, peer: pb, namespace: b, addresses: [10.0.0.2/24]}
          pc: {kind: veth, peer: ec}
          ec: {kind: veth, peer: pc, namespace: c, addresses: [10.0.0.3/24]}
    """
    pairs = explain(topology(text))
    down = pair(pairs, "a", "10.0.0.2").predicted
    assert down.disposition == "link_down" and "pb" in down.reason
    assert "state: up" in (down.fix or "")
    not_port = pair(pairs, "a", "10.0.0.3").predicted
    assert not_port.disposition == "neighbor_unreachable"


def test_child_of_a_veth_without_carrier() -> None:
    pairs = explain(topology("""
        netwright: 1
        name: carrier
        namespaces: {a: {}, b: {}}
        interfaces:
          up0: {kind: veth, peer: up1}
          up1: {kind: veth, peer: up0, state: down}
          mva: {kind: macvlan, parent: up0, mode: bridge, namespace: a, addresses: [10.0.0.1/24]}
          mvb: {kind: macvlan, parent: up0, mode: bridge, namespace: b, addresses: [10.0.0.2/24]}
    """))
    lost = pair(pairs, "a", "10.0.0.2").predicted
    assert lost.disposition == "link_down"
    assert "inherits its parent's carrier" in lost.reason and "up1" in lost.reason


def test_router_namespace_needs_ip_forward() -> None:
    text = """
        netwright: 1
        name: router
        namespaces:
          a: {routes: [{to: default, via: 10.0.1.1}]}
          b: {routes: [{to: default, via: 10.0.2.1}]}
          r: {SYSCTLS}
        interfaces:
          ea: {kind: veth, peer: ra, namespace: a, addresses: [10.0.1.2/24]}
          ra: {kind: veth, peer: ea, namespace: r, addresses: [10.0.1.1/24]}
          eb: {kind: veth, peer: rb, namespace: b, addresses: [10.0.2.2/24]}
          rb: {kind: veth, peer: eb, namespace: r, addresses: [10.0.2.1/24]}
    """
    off = pair(explain(topology(text.replace("SYSCTLS", ""))), "a", "10.0.2.2").predicted
    assert off.disposition == "not_forwarded" and "net.ipv4.ip_forward" in (off.fix or "")
    on_text = text.replace("SYSCTLS", "sysctls: {net.ipv4.ip_forward: 1}")
    assert pair(explain(topology(on_text)), "a", "10.0.2.2").predicted.verdict == "reachable"


def test_gateway_not_on_link_is_set_aside() -> None:
    pairs = explain(topology("""
        netwright: 1
        name: offlink
        namespaces: {a: {routes: [{to: default, via: 10.9.9.9}]}, b: {}}
        interfaces:
          ea: {kind: veth, peer: eb, namespace: a, addresses: [10.0.0.1/24]}
          eb: {kind: veth, peer: ea, namespace: b, addresses: [10.0.0.2/24]}
    """, validate=False), outside="203.0.113.114")
    lost = pair(pairs, "a", "203.0.113.114").predicted
    assert lost.disposition == "no_route" and "not on-link" in lost.reason


def test_duplicate_address_is_named() -> None:
    pairs = explain(topology("""
        netwright: 1
        name: dup
        namespaces: {a: {}, b: {}, c: {}}
        interfaces:
          br0: {kind: bridge}
          pa: {kind: veth, peer: ea, master: br0}
          ea: {kind: veth, peer: pa, namespace: a, addresses: [10.0.0.1/24]}
          pb: {kind: veth, peer: eb, master: br0}
          eb: {kind: veth, peer: pb, namespace: b, addresses: [10.0.0.2/24]}
          pc: {kind: veth, peer: ec, master: br0}
          ec: {kind: veth, peer: pc, namespace: c, addresses: [10.0.0.2/24]}
    """, validate=False))
    assert any("duplicate address" in p.predicted.reason
               for p in pairs if p.source == "a" and p.target.address == "10.0.0.2")


def test_missing_veth_peer() -> None:
    pairs = explain(topology("""
        netwright: 1
        name: nopeer
        namespaces: {a: {}}
        interfaces:
          ea: {kind: veth, namespace: a, addresses: [10.0.0.1/24]}
          host0: {kind: veth, peer: nothere, addresses: [10.0.0.2/24]}
    """, validate=False))
    lost = pair(pairs, "a", "10.0.0.2").predicted
    assert lost.disposition == "link_down" and "no peer" in lost.reason


def test_ipv6_pairs_use_ipv6_routes() -> None:
    pairs = explain(topology("""
        netwright: 1
        name: six
        namespaces: {a: {}, b: {}}
        interfaces:
          ea: {kind: veth, peer: eb, namespace: a, addresses: ["fd00::1/64"]}
          eb: {kind: veth, peer: ea, namespace: b, addresses: ["fd00::2/64", 10.0.0.2/24]}
    """))
    assert pair(pairs, "a", "fd00::2").predicted.verdict == "reachable"
    assert not [p for p in pairs if p.source == "a" and p.target.address == "10.0.0.2"]


def test_host_source_and_docker_style_bridge() -> None:
    explainer = Explainer(topology("""
        netwright: 1
        name: docker
        namespaces: {c1: {routes: [{to: default, via: 172.17.0.1}]}}
        interfaces:
          docker0: {kind: bridge, addresses: [172.17.0.1/16]}
          veth-c1: {kind: veth, peer: c1-eth0, master: docker0}
          c1-eth0: {kind: veth, name: eth0, namespace: c1, peer: veth-c1,
                    addresses: [172.17.0.2/16]}
    """))
    assert explainer.sources() == ["c1", None]
    pairs = explainer.pairs()
    assert pair(pairs, "host", "172.17.0.2").predicted.verdict == "reachable"
    assert pair(pairs, "c1", "172.17.0.1").predicted.verdict == "reachable"


def test_result_json_has_the_issue_shape() -> None:
    from netwright.backend.checks.results import CheckResult

    pairs = explain(topology(SEED.replace("ROUTES", "")))
    data = CheckResult("seed", pairs).to_json()
    first = data["pairs"][0]
    assert {"source", "target", "role", "predicted", "observed"} <= set(first)
    assert {"verdict", "reason", "fix"} <= set(first["predicted"])


def test_explanation_is_pure() -> None:
    """The GUI imports it while designing: no pyroute2, Qt or D-Bus behind it."""
    import subprocess
    import sys

    # ``pyroute2`` itself is always there as netwright.backend's deferred placeholder
    # (lazy_pyroute2: nothing of it has run); any of its modules would be a real import
    code = ("import sys, netwright.backend.checks, netwright.backend.cli.cmd_check;"
            " print(sorted(m for m in sys.modules if m.split('.')[0] in"
            " ('pyroute2', 'PySide6', 'dbus_fast', 'qasync') and m != 'pyroute2'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_vxlan_needs_its_underlay() -> None:
    text = (Path(__file__).resolve().parents[2] / "examples" / "vxlan-overlay.yaml").read_text()
    pairs = explain(parse_topology(text))
    assert pair(pairs, "hosta", "10.200.0.2").predicted.verdict == "reachable"
    broken = parse_topology(text.replace("    peer: underlay-a\n",
                                         "    peer: underlay-a\n    state: down\n", 1))
    lost = pair(explain(broken), "hosta", "10.200.0.2").predicted
    assert lost.verdict == "unreachable"
    assert "underlay" in lost.reason and "10.10.0.2" in lost.reason


# (The IPv6 default is written "::/0": the contract reports "default" via a v4 and a v6
# next hop as a duplicate route — reported to the lead.)
DUAL_STACK_ROUTER = """
netwright: 1
name: dual
namespaces:
  a: {routes: [{to: default, via: 10.0.1.1}, {to: "::/0", via: "fd01::1"}]}
  b: {routes: [{to: default, via: 10.0.2.1}, {to: "::/0", via: "fd02::1"}]}
  r: {sysctls: {net.ipv4.ip_forward: 1}}
interfaces:
  ea: {kind: veth, peer: ra, namespace: a, addresses: [10.0.1.2/24, "fd01::2/64"]}
  ra: {kind: veth, peer: ea, namespace: r, addresses: [10.0.1.1/24, "fd01::1/64"]}
  eb: {kind: veth, peer: rb, namespace: b, addresses: [10.0.2.2/24, "fd02::2/64"]}
  rb: {kind: veth, peer: eb, namespace: r, addresses: [10.0.2.1/24, "fd02::1/64"]}
"""


def test_forwarding_is_per_address_family() -> None:
    pairs = explain(parse_topology(DUAL_STACK_ROUTER))
    assert pair(pairs, "a", "10.0.2.2").predicted.verdict == "reachable"
    six = pair(pairs, "a", "fd02::2").predicted
    assert six.disposition == "not_forwarded"
    assert "net.ipv6.conf.all.forwarding" in (six.fix or "")


def test_dhcp_addresses_are_named_as_left_out() -> None:
    text = textwrap.dedent("""
        netwright: 1
        name: dh
        host: {nics: {eth1: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}}}
        namespaces: {a: {}, b: {}}
        interfaces:
          mva: {kind: macvlan, parent: eth1, mode: bridge, namespace: a, addresses: [dhcp]}
          mvb: {kind: macvlan, parent: eth1, mode: bridge, namespace: b,
                addresses: [192.168.31.22/24]}
    """)
    explainer = Explainer(parse_topology(text))
    assert {p.source for p in explainer.pairs()} == {"b"}
    assert any("DHCP (mva)" in note for note in explainer.notes())


def test_stp_bridges_are_named_in_the_notes() -> None:
    explainer = Explainer(topology("""
        netwright: 1
        name: stp
        namespaces: {a: {}}
        interfaces:
          br0: {kind: bridge, stp: true, addresses: [10.0.0.254/24]}
          pa: {kind: veth, peer: ea, master: br0}
          ea: {kind: veth, peer: pa, namespace: a, addresses: [10.0.0.1/24]}
    """))
    assert any("bridge br0 runs STP" in note for note in explainer.notes())


HOST_ROUTER = """
netwright: 1
name: hostrouter
namespaces:
  a: {routes: [{to: default, via: 10.1.0.1}, {to: "::/0", via: "fd11::1"}]}
  b: {routes: [{to: default, via: 10.2.0.1}, {to: "::/0", via: "fd12::1"}]}
interfaces:
  bra: {kind: bridge, addresses: [10.1.0.1/24, "fd11::1/64"]}
  brb: {kind: bridge, addresses: [10.2.0.1/24, "fd12::1/64"]}
  pa: {kind: veth, peer: ea, master: bra}
  ea: {kind: veth, peer: pa, namespace: a, addresses: [10.1.0.2/24, "fd11::2/64"]}
  pb: {kind: veth, peer: eb, master: brb}
  eb: {kind: veth, peer: pb, namespace: b, addresses: [10.2.0.2/24, "fd12::2/64"]}
"""


def test_the_host_as_router_forwards_per_family() -> None:
    pairs = explain(parse_topology(HOST_ROUTER), host_forwarding={4: True, 6: False})
    assert pair(pairs, "a", "10.2.0.2").predicted.verdict == "reachable"
    six = pair(pairs, "a", "fd12::2").predicted
    assert six.disposition == "not_forwarded" and "on the host" in (six.fix or "")
