"""ARP flux predicted from a design alone and from a host's kernel facts (pure; the kernel's
own answers are in test_arpflux_kernel.py)."""

from __future__ import annotations

import ipaddress

from netwright.backend.checks.arpflux import HostLan
from netwright.backend.checks.explain import Explainer
from netwright.backend.checks.results import Prediction, Target
from netwright.backend.topology import parse_topology

DESIGN = """
netwright: 1
name: flux
host:
  nics:
    eth1: {addresses: [192.168.31.241/24]}
    WIFI
namespaces: {web: {}}
interfaces:
  mv-web: {kind: macvlan, parent: eth1, mode: bridge, namespace: web,
           addresses: [192.168.31.21/24]}
"""
WIFI = "wlp2s0: {addresses: [192.168.31.240/24]}"
PARENT = Target("192.168.31.241", "parent", "eth1", None, "eth1")


def to_parent(wifi: str = "", host: HostLan | None = None) -> Prediction:
    topology = parse_topology(DESIGN.replace("WIFI", wifi))
    return Explainer(topology, host_lan=host).predict("web", PARENT)


def kernel(reply_dev: str, arp_ignore: int = 0) -> HostLan:
    nics = {"eth1": "192.168.31.241/24", "wlp2s0": "192.168.31.240/24", "lo": "127.0.0.1/8"}
    return HostLan({n: (ipaddress.IPv4Interface(a),) for n, a in nics.items()},
                   {"all": arp_ignore}, {"192.168.31.21": reply_dev})


def test_a_design_with_two_nics_on_one_lan_says_it_depends_on_the_route_order() -> None:
    alone = to_parent()
    assert alone.disposition == "isolated" and "macvlan isolates" in alone.reason
    both = to_parent(WIFI)
    assert both.verdict == "unreachable" and both.disposition == "isolated"
    assert "answered on wlp2s0, the host's other NIC on this LAN: arp_ignore is 0" in both.reason
    assert "depends on which NIC's route to 192.168.31.21 the kernel added first" in both.reason
    assert both.fix is not None and "net.ipv4.conf.wlp2s0.arp_ignore=1" in both.fix


def test_the_kernels_reply_route_decides() -> None:
    through = to_parent(host=kernel("wlp2s0"))
    assert through.verdict == "reachable" and through.reason.startswith(
        "reachable through wlp2s0: eth1's address 192.168.31.241 is answered on wlp2s0")
    lost = to_parent(host=kernel("eth1"))
    assert lost.verdict == "unreachable" and "the reply leaves by eth1" in lost.reason
    ignored = to_parent(host=kernel("wlp2s0", arp_ignore=1))  # wlp2s0 answers only its own
    assert ignored.disposition == "isolated" and "macvlan isolates" in ignored.reason
