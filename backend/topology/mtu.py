"""The MTU each interface will have once applied, derived from the model the way the kernel
derives it.

A path drops every packet bigger than its smallest MTU, and a veth or a bridge port drops them
without a word (no ICMP error), so validation and the explanation both need the MTU the kernel
will really give each interface, not just the ones the file names. Measured on this machine's
kernel: veth, bridge and dummy start at 1500; a macvlan, ipvlan or vlan child starts at its
parent's MTU; a bridge without an MTU of its own follows the smallest of its ports; a vxlan with
an underlay ``dev`` starts at that device's MTU minus the encapsulation (50 bytes over IPv4, 70
over IPv6), one without at 1500. Host NICs are not described by the model: 1500 is assumed.
Pure: reads the model only.
"""

from __future__ import annotations

import ipaddress
from functools import cache

from netwright.backend.topology.model import Bridge, Topology, Vxlan

DEFAULT_MTU = 1500
VXLAN_OVERHEAD = {4: 50, 6: 70}  # outer IP + UDP + VXLAN + inner Ethernet header


def vxlan_family(link: Vxlan) -> int:
    """The underlay's IP version: that of ``remote``, ``group`` or ``local`` (IPv4 if none)."""
    for address in (link.remote, link.group, link.local):
        if address is not None:
            return ipaddress.ip_address(address).version
    return 4


class Mtus:
    """Effective MTUs of one topology's interfaces and host NICs, computed once each."""

    def __init__(self, topology: Topology) -> None:
        self.topology = topology
        self._ports: dict[str, list[str]] = {}
        for key, link in topology.interfaces.items():
            if link.master is not None:
                self._ports.setdefault(link.master, []).append(key)
        self.of = cache(self._of)

    def _of(self, key: str, depth: int = 0) -> int:
        link = self.topology.interfaces.get(key)
        if link is None or depth > 16:
            return DEFAULT_MTU  # a host NIC (or a loop validation reports elsewhere)
        if link.mtu:
            return link.mtu
        parent = getattr(link, "parent", None)
        if parent is not None:
            return self._of(parent, depth + 1)
        if isinstance(link, Bridge):
            ports = self._ports.get(key, [])
            return min((self._of(p, depth + 1) for p in ports), default=DEFAULT_MTU)
        if isinstance(link, Vxlan) and link.dev is not None:
            return self._of(link.dev, depth + 1) - VXLAN_OVERHEAD[vxlan_family(link)]
        return DEFAULT_MTU

    def explicit(self, key: str) -> bool:
        """Whether the file sets ``key``'s MTU itself (its ``mtu`` key is there to point at)."""
        link = self.topology.interfaces.get(key)
        return link is not None and link.mtu is not None
