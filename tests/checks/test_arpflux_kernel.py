"""A macvlan child pinging its parent's address when the host has another NIC on the LAN.

The host's wlp2s0 and eth1 are wired to one bridge (the LAN, Wi-Fi and Ethernet to one
router); web is a bridge-mode macvlan child of eth1. Macvlan alone isolates web from eth1's
address, but the host answers web's ARP on wlp2s0 (it holds the address too, or arp_ignore is
0), and the reply comes back when the host's route to web leaves by wlp2s0, the route added
first. Measured in tests/tools/run-isolated; each case's observation equals its prediction.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator

import pytest

from netwright.backend.checks.results import Pair
from netwright.backend.checks.run import CheckOptions, run_check
from netwright.backend.topology import Topology, parse_topology
from tests.checks.conftest import ignore_gone, sh

pytestmark = pytest.mark.root

DESIGN = """
netwright: 1
name: flux
host: {nics: {eth1: {addresses: [PARENT/24]}}}
namespaces: {web: {}}
interfaces:
  mv-web: {kind: macvlan, parent: eth1, mode: bridge, namespace: web,
           addresses: [192.168.31.21/24]}
"""


@pytest.fixture
def two_nics() -> Iterator[Callable[[str, bool], None]]:
    """``wire(parent, wifi_first)``: wlp2s0 (192.168.31.240/24) and eth1 (``parent``/24) on
    one LAN bridge, the NIC whose address comes first holding the subnet's first route."""
    lan = f"lan-{uuid.uuid4().hex[:6]}"

    def wire(parent: str, wifi_first: bool) -> None:
        sh(f"ip netns add {lan} && ip -n {lan} link add br0 type bridge"
           f" && ip -n {lan} link set br0 up")
        for nic, port in (("wlp2s0", "pw"), ("eth1", "pe")):
            sh(f"ip link add {nic} type veth peer name {port} netns {lan}"
               f" && ip -n {lan} link set {port} master br0 up && ip link set {nic} up")
        addresses = [("wlp2s0", "192.168.31.240"), ("eth1", parent)]
        for nic, address in addresses if wifi_first else addresses[::-1]:
            sh(f"ip addr add {address}/24 dev {nic}")

    yield wire
    for nic in ("wlp2s0", "eth1"):
        ignore_gone(f"ip link del {nic}")
    ignore_gone(f"ip netns del {lan}")
    ignore_gone("sysctl -qw net.ipv4.conf.all.arp_ignore=0")


def to_parent(deployment: object, parent: str) -> Pair:
    result = asyncio.run(run_check(deployment, CheckOptions(timeout=0.3, retries=1)))
    assert result.probed and not result.mismatches, "\n".join(
        f"{p.source} → {p.target.label}: {p.mismatch_text()}" for p in result.mismatches)
    return next(p for p in result.pairs if p.source == "web" and p.target.address == parent)


# (eth1's address, wlp2s0's route first, arp_ignore, the verdict, what the reason says)
@pytest.mark.parametrize("case", [
    ("192.168.31.240", True, 0, "reachable", "wlp2s0 holds 192.168.31.240 too"),
    ("192.168.31.240", False, 0, "unreachable", "the reply leaves by eth1"),
    ("192.168.31.240", True, 1, "reachable", "arp_ignore cannot help"),
    ("192.168.31.241", True, 0, "reachable", "arp_ignore is 0 on wlp2s0"),
    ("192.168.31.241", False, 0, "unreachable", "the reply leaves by eth1"),
    ("192.168.31.241", True, 1, "unreachable", "macvlan isolates children from their parent"),
])
def test_child_reaches_its_parent_through_the_hosts_other_nic(
        case: tuple[str, bool, int, str, str], two_nics: Callable[[str, bool], None],
        deploy: Callable[[Topology], object]) -> None:
    parent, wifi_first, arp_ignore, verdict, said = case
    two_nics(parent, wifi_first)
    sh(f"sysctl -qw net.ipv4.conf.all.arp_ignore={arp_ignore}")
    pair = to_parent(deploy(parse_topology(DESIGN.replace("PARENT", parent))), parent)
    assert pair.observed is not None and pair.observed.verdict == verdict
    assert said in pair.predicted.reason, pair.predicted.reason
