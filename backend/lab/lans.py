"""Which emulated host NICs share a LAN, and where the lab router holds each LAN's gateway.

A real machine whose Wi-Fi and Ethernet reach the same router has both NICs on one LAN: one
gateway address, one DHCP range. The lab emulates that: NICs whose subnets overlap form one
``Lan``; a LAN of one NIC keeps the gateway on that NIC's router end (``r-<nic>``), a LAN of
several joins their router ends to one bridge (``r-lan-<hash>``) that holds each gateway once.
This module only decides; ``build.py`` turns the decision into the lab topology.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass

from netwright.backend.dhcp.lab_server import ServedLan
from netwright.backend.topology.model import HostNic

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Lan:
    """One LAN of the lab: the NICs on it and the router interface that holds its gateways."""

    nics: tuple[str, ...]
    """The emulated host NICs on this LAN, sorted by name."""
    router_interface: str
    """The router interface holding the gateway addresses: a NIC's router end or a bridge."""
    gateways: tuple[str, ...]
    """The gateway addresses (CIDR, each once) the router holds on this LAN."""

    @property
    def bridged(self) -> bool:
        """Several NICs on one LAN: their router ends are ports of ``router_interface``."""
        return len(self.nics) > 1


def router_end(nic: str) -> str:
    """The router's end of the veth that stands for ``nic``'s cable (≤ 15 bytes)."""
    name = f"r-{nic}"
    if len(name.encode()) <= 15:
        return name
    return "r-" + hashlib.sha1(nic.encode()).hexdigest()[:12]


def gateway_cidr(nic: HostNic) -> str | None:
    """``nic``'s gateway with the prefix of the NIC's address whose subnet holds it."""
    if nic.gateway is None:
        return None
    gateway = ipaddress.ip_address(nic.gateway)
    for cidr in nic.addresses:
        iface = ipaddress.ip_interface(cidr)
        if gateway in iface.network:
            return f"{gateway}/{iface.network.prefixlen}"
    return None


def _networks(nic: HostNic) -> list[IpNetwork]:
    return [ipaddress.ip_interface(str(a)).network for a in nic.addresses]


def overlap(a: HostNic, b: HostNic) -> bool:
    """Some subnet of ``a`` overlaps one of ``b``: on a real machine, one LAN."""
    return any(x.version == y.version and x.overlaps(y)
               for x in _networks(a) for y in _networks(b))


def _bridge_name(nics: dict[str, HostNic], members: list[str]) -> str:
    """Named after the LAN's lowest subnet, so it stays while NICs join and leave."""
    lowest = min((n for name in members for n in _networks(nics[name])),
                 key=lambda n: (n.version, n))
    return "r-lan-" + hashlib.sha1(str(lowest).encode()).hexdigest()[:8]


def lans(nics: dict[str, HostNic]) -> list[Lan]:
    """The LANs ``nics`` form: NICs whose subnets overlap (directly or through another
    NIC) share one, sorted by their first NIC's name.

    >>> wifi = HostNic.model_validate({"addresses": ["192.168.31.240/24"],
    ...                                "gateway": "192.168.31.1"})
    >>> [(lan.nics, lan.gateways) for lan in lans({"wlp2s0": wifi, "eth1": wifi})]
    [(('eth1', 'wlp2s0'), ('192.168.31.1/24',))]
    """
    names = sorted(nics)
    group = {name: index for index, name in enumerate(names)}
    for i, first in enumerate(names):
        for second in names[i + 1:]:
            if group[first] != group[second] and overlap(nics[first], nics[second]):
                old, new = group[second], group[first]
                group = {n: new if g == old else g for n, g in group.items()}
    out = []
    for members in sorted([name for name in names if group[name] == index]
                          for index in set(group.values())):
        gateways = tuple(dict.fromkeys(
            cidr for name in members if (cidr := gateway_cidr(nics[name])) is not None))
        interface = (router_end(members[0]) if len(members) == 1
                     else _bridge_name(nics, members))
        out.append(Lan(tuple(members), interface, gateways))
    return out


def served_lan(lan: Lan, nics: dict[str, HostNic]) -> ServedLan | None:
    """What the router's DHCP server hands out on ``lan``: one range behind its first IPv4
    gateway, leaving out every address of the LAN's NICs; None without an IPv4 gateway."""
    gateway = next((g for g in lan.gateways if ipaddress.ip_interface(g).version == 4), None)
    if gateway is None:
        return None
    avoid = [str(ipaddress.ip_interface(str(a)).ip) for name in lan.nics
             for a in nics[name].addresses]
    return ServedLan.for_gateway(lan.router_interface, gateway, avoid=avoid)
