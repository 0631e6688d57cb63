"""How many bytes over its MTU each device takes, as the prediction counts them (pure; the
kernel's side is test_mtu_kernel.py and mtu.py's list): a veth end receiving 4, a bridge port
4 unless br_netfilter checks it (none for don't-fragment packets; an IPv4 reply split, an
IPv6 one dropped past the MTU), the sender's own device none."""

from __future__ import annotations

import pytest

from netwright.backend.checks.explain import Explainer
from netwright.backend.checks.results import Pair
from netwright.backend.topology import parse_topology

OVER = parse_topology("""
netwright: 1
name: over
namespaces: {a: {}, b: {}, c: {}}
interfaces:
  br0: {kind: bridge}
  pa: {kind: veth, peer: ea, master: br0}
  ea: {kind: veth, peer: pa, namespace: a, name: eth0, addresses: [10.6.0.1/24, "fd06::1/64"]}
  pb: {kind: veth, peer: eb, master: br0}
  eb: {kind: veth, peer: pb, namespace: b, name: eth0, addresses: [10.6.0.2/24, "fd06::2/64"],
       mtu: 1400}
  pc: {kind: veth, peer: ec, master: br0, mtu: 1400}
  ec: {kind: veth, peer: pc, namespace: c, name: eth0, addresses: [10.6.0.3/24, "fd06::3/64"]}
""")


def sizes(size: int, nf: bool) -> dict[tuple[str, str], str | None]:
    """Every pair's full-size verdict at ``size`` bytes, bridged packets passing the IP
    hooks or not."""
    pairs = Explainer(OVER, probe_size=size, bridge_nf={4: nf, 6: nf}).pairs()
    return {(p.source, p.target.address): p.predicted.size_verdict for p in pairs
            if p.predicted.verdict == "reachable"}


def one(size: int, nf: bool, source: str, target: str) -> Pair:
    pairs = Explainer(OVER, probe_size=size, bridge_nf={4: nf, 6: nf}).pairs()
    return next(p for p in pairs if (p.source, p.target.address) == (source, target))


@pytest.mark.parametrize("address", ["10.6.0.2", "fd06::2"])
@pytest.mark.parametrize("nf", [False, True])
def test_a_veth_end_takes_4_bytes_over_its_mtu(address: str, nf: bool) -> None:
    assert [sizes(size, nf)[("a", address)] for size in (1400, 1404, 1405)] == [
        "reachable", "reachable", "unreachable"]


@pytest.mark.parametrize("address", ["10.6.0.3", "fd06::3"])
def test_a_bridge_port_takes_4_bytes_over_unless_br_netfilter_checks_it(address: str) -> None:
    assert [sizes(size, False)[("a", address)] for size in (1404, 1405)] == [
        "reachable", "unreachable"]
    assert [sizes(size, True)[("a", address)] for size in (1400, 1401)] == [
        "reachable", "unreachable"]


def test_the_senders_own_device_takes_nothing_over() -> None:
    assert [sizes(size, False)[("b", "10.6.0.1")] for size in (1400, 1401)] == [
        "reachable", "unreachable"]
    assert "cannot leave b's eth0 (MTU 1400)" in one(1401, False, "b", "10.6.0.1").predicted.reason


@pytest.mark.parametrize(("address", "nf", "passing"), [
    ("10.6.0.1", True, "reachable"),  # br_netfilter splits the IPv4 reply at pc
    ("fd06::1", True, "unreachable"),  # ... and drops the IPv6 one past pc's MTU
    ("10.6.0.1", False, "reachable"), ("fd06::1", False, "reachable")])
def test_a_reply_leaving_by_a_bridge_port(address: str, nf: bool, passing: str) -> None:
    """c's 1404-byte packets get into the bridge (pc takes 4 over as a veth end); the reply
    leaves the bridge by pc."""
    assert sizes(1404, nf)[("c", address)] == passing
    assert sizes(1405, nf)[("c", address)] == "unreachable"


def test_the_sentence_says_why_a_few_bytes_over_pass() -> None:
    into_b = one(1500, False, "a", "10.6.0.2").predicted
    assert into_b.mtu == 1404
    assert into_b.reason.endswith(
        "reachable for packets up to 1404 bytes (the kernel lets b's eth0, a veth, take 4"
        " bytes over its MTU 1400: room for a VLAN tag); 1500-byte packets are dropped at"
        " b's eth0 (MTU 1400)")
    assert into_b.fix == ("give eb the MTU of the rest of its path ('mtu: 1500'), or set"
                          " 'mtu: 1400' on the interfaces the packets start from")
    into_c = one(1404, False, "a", "10.6.0.3").predicted
    assert into_c.reason.endswith("path MTU 1404 (the kernel lets the host's pc, a bridge port,"
                                  " take 4 bytes over its MTU 1400: room for a VLAN tag)")
    assert one(1404, True, "a", "10.6.0.3").predicted.reason.endswith(
        "reachable for packets up to 1400 bytes; 1404-byte packets are dropped at the host's pc"
        " (MTU 1400)")
