"""Sysctls of one interface: written when the kernel reads them, and found where it keeps them.

The kernel reads net.ipv6.conf.IFACE.accept_dad when an address is added and when its link
comes up; a write after that is too late for the design's own addresses. An interface name
with dots (eth0.100) is written with '/' in the dotted key (sysctl(8)'s convention), while its
directory under /proc/sys keeps the dots.
"""

from __future__ import annotations

import time
from typing import Any

from netwright.backend.engine import Engine
from tests.engine.conftest import ip_json, run, sh

# b already holds a's address (nodad: no detection of its own), so a detection run by a fails
# for good ("dadfailed") instead of passing unseen a second later
NO_DAD = """
netwright: 1
name: nodad
namespaces:
  a: {sysctls: {net.ipv6.conf.eth0.accept_dad: 0}}
  b: {}
interfaces:
  a-eth0: {kind: veth, name: eth0, namespace: a, peer: b-eth0, addresses: ["fd07::1/64"]}
  b-eth0: {kind: veth, name: eth0, namespace: b, peer: a-eth0, addresses: ["fd07::1/64 nodad"]}
"""


def _global_v6(netns: str, device: str) -> list[dict[str, Any]]:
    return [info for entry in ip_json(f"-6 addr show dev {device}", netns)
            for info in entry.get("addr_info", []) if info.get("scope") == "global"]


def _settled(netns: str, device: str, seconds: float = 5.0) -> list[dict[str, Any]]:
    """The device's global IPv6 addresses once none is still in detection."""
    deadline = time.monotonic() + seconds
    found = _global_v6(netns, device)
    while time.monotonic() < deadline and any(
            a.get("tentative") and not a.get("dadfailed") for a in found):
        time.sleep(0.1)
        found = _global_v6(netns, device)
    return found


def test_accept_dad_of_an_interface_counts_for_its_own_addresses(
        engine: Engine, topo: Any, clean_host: Any) -> None:
    plan = run(engine.plan(topo(NO_DAD)))
    texts = [s.text for s in plan.steps]
    sysctl = texts.index("set net.ipv6.conf.eth0.accept_dad = 0 in namespace a")
    assert sysctl < texts.index("add address fd07::1/64 to eth0 in namespace a")
    assert sysctl > texts.index("create veth eth0 in namespace a with peer eth0 in namespace b")
    run(engine.apply(topo(NO_DAD)))
    assert sh("ip netns exec a sysctl -n net.ipv6.conf.eth0.accept_dad").strip() == "0"
    (address,) = _settled("a", "eth0")
    assert address["local"] == "fd07::1"
    assert not address.get("dadfailed") and not address.get("tentative"), address
    assert run(engine.status("nodad")).ok
    assert run(engine.plan(topo(NO_DAD))).empty


def test_default_accept_dad_of_a_namespace_counts_for_its_links(
        engine: Engine, topo: Any, clean_host: Any) -> None:
    """conf.default is copied into a link when it is created: set before the links."""
    design = NO_DAD.replace("net.ipv6.conf.eth0.accept_dad", "net.ipv6.conf.default.accept_dad")
    run(engine.apply(topo(design)))
    assert sh("ip netns exec a sysctl -n net.ipv6.conf.eth0.accept_dad").strip() == "0"
    (address,) = _settled("a", "eth0")
    assert not address.get("dadfailed") and not address.get("tentative"), address
    assert run(engine.status("nodad")).ok


DOTTED = """
netwright: 1
name: dotted
namespaces:
  a:
    sysctls: {net.ipv4.conf.eth0/100.rp_filter: 2, net.ipv6.conf.eth0/100.accept_dad: 0,
              net.ipv4.neigh.eth0/100.gc_stale_time: 33}
  b: {}
interfaces:
  a-x: {kind: veth, name: eth0.100, namespace: a, peer: b-x, addresses: [10.8.0.1/24]}
  b-x: {kind: veth, name: eth0.100, namespace: b, peer: a-x, addresses: [10.8.0.2/24]}
"""


def test_a_dotted_interface_name_in_a_sysctl_key(
        engine: Engine, topo: Any, clean_host: Any) -> None:
    run(engine.apply(topo(DOTTED)))
    proc = "ip netns exec a cat /proc/sys/net"
    assert sh(f"{proc}/ipv4/conf/eth0.100/rp_filter").strip() == "2"
    assert sh(f"{proc}/ipv6/conf/eth0.100/accept_dad").strip() == "0"
    assert sh(f"{proc}/ipv4/neigh/eth0.100/gc_stale_time").strip() == "33"
    assert sh("ip netns exec a sysctl -n net.ipv4.conf.eth0/100.rp_filter").strip() == "2"
    assert run(engine.status("dotted")).ok, "read back where it was written: no drift"
    assert run(engine.plan(topo(DOTTED))).empty
    sh("ip netns exec a sysctl -qw net.ipv4.conf.eth0/100.rp_filter=1")
    status = run(engine.status("dotted"))
    assert not status.ok
    assert [d for o in status.objects for d in o.differences] == [
        "set net.ipv4.conf.eth0/100.rp_filter = 2 in namespace a"]
