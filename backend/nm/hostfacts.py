"""Host facts for Inspect: each NIC's addresses, gateway, DNS, Wi-Fi or not, managed by NM or not.

NetworkManager knows what the kernel cannot tell: the DNS servers of each connection, whether a
NIC is Wi-Fi (by device type) and whether NM manages it. So the facts come from NM when it runs
and manages the target's host namespace, and from the kernel (pyroute2, plus resolv.conf for
DNS) otherwise. The GUI uses them to pre-fill a sub-interface's gateway and subnet from its
parent, and to warn before a macvlan is put on Wi-Fi.

Example::

    facts = await host_facts(bus)              # bus: a connected dbus-fast MessageBus, or None
    facts.nic("wlp2s0").gateway                # '192.168.31.1'
    json.dumps(facts.to_json())
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from dbus_fast.aio import MessageBus

from netwright.backend.nm.client import NmClient
from netwright.backend.nm.errors import NmError
from netwright.backend.nm.kernel import KernelNic, is_wifi, kernel_nics, netns_inode
from netwright.backend.topology.model import Macvlan, Topology

WIFI_HINT = ("Wi-Fi: a macvlan child on it gets no traffic (the access point only accepts the"
             " MAC address it associated); use ipvlan on it instead")


@dataclass
class NicFacts:
    """One NIC of the host. ``managed`` is None when NetworkManager is not running."""

    name: str
    kind: str
    mac: str
    mtu: int
    up: bool
    owner: str
    addresses: list[str] = field(default_factory=list)
    gateways: list[str] = field(default_factory=list)
    dns: list[str] = field(default_factory=list)
    wifi: bool = False
    managed: bool | None = None

    @property
    def gateway(self) -> str:
        """The NIC's default gateway, IPv4 first ("" if none): the one a sub-interface's
        IPv4 address and default route are filled from (the seed's "父接口gw")."""
        found = [g for g in self.gateways if g]
        return next((g for g in found if ":" not in g), found[0] if found else "")

    @property
    def subnets(self) -> list[str]:
        return [str(ipaddress.ip_interface(a).network) for a in self.addresses]

    @property
    def hints(self) -> list[str]:
        return [WIFI_HINT] if self.wifi else []

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "kind": self.kind, "mac": self.mac, "mtu": self.mtu,
            "up": self.up, "owner": self.owner, "addresses": list(self.addresses),
            "subnets": self.subnets, "gateways": [g for g in self.gateways if g],
            "gateway": self.gateway, "dns": list(self.dns), "wifi": self.wifi,
            "managed": self.managed, "hints": self.hints,
        }


@dataclass
class HostFacts:
    """Every NIC of the host (loopback left out), and where the facts came from."""

    source: Literal["networkmanager", "netlink"]
    nics: list[NicFacts]
    networkmanager: str | None = None  # NM's version when it was asked
    dns: list[str] = field(default_factory=list)  # host-wide (resolv.conf) when NM is absent

    def nic(self, name: str) -> NicFacts | None:
        return next((n for n in self.nics if n.name == name), None)

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "networkmanager": self.networkmanager,
                "dns": list(self.dns), "nics": [n.to_json() for n in self.nics]}


def _from_kernel(nic: KernelNic, netns: str | None) -> NicFacts:
    return NicFacts(name=nic.name, kind=nic.kind, mac=nic.mac, mtu=nic.mtu, up=nic.up,
                    owner=nic.owner, addresses=list(nic.addresses),
                    gateways=list(nic.gateways), wifi=is_wifi(nic.name, netns))


def resolv_conf_servers(netns: str | None) -> list[str]:
    """Name servers from resolv.conf (``ip netns exec`` uses /etc/netns/NAME/ first)."""
    candidates = [Path(f"/etc/netns/{netns}/resolv.conf")] if netns else []
    for path in [*candidates, Path("/etc/resolv.conf")]:
        try:
            text = path.read_text()
        except OSError:
            continue
        return [line.split()[1] for line in text.splitlines()
                if line.startswith("nameserver") and len(line.split()) > 1]
    return []


def _kernel_facts(netns: str | None) -> list[NicFacts]:
    return sorted((_from_kernel(n, netns) for n in kernel_nics(netns).values()
                   if n.kind != "loopback"), key=lambda n: n.name)


async def _enrich_from_nm(nm: NmClient, nics: list[NicFacts]) -> None:
    by_name = {n.name: n for n in nics}
    for device in await nm.devices():
        nic = by_name.get(device.iface)
        if nic is None:
            continue
        nic.managed = device.managed
        nic.wifi = nic.wifi or device.wifi
        for family, path in ((4, device.ip4_config), (6, device.ip6_config)):
            config = await nm.ip_config(path, family)
            if config.gateway and config.gateway not in nic.gateways:
                nic.gateways.insert(0, config.gateway)
            nic.dns += [d for d in config.dns if d not in nic.dns]


async def host_facts(bus: MessageBus | None = None, *, netns: str | None = None) -> HostFacts:
    """The facts of the target's host namespace (``netns`` None = this process's).

    ``bus`` is a connected system bus (None: kernel only). NetworkManager is used only when it
    runs there and manages that very namespace (a lab's emulated host is not NM's).
    """
    nics = await asyncio.to_thread(_kernel_facts, netns)
    if bus is not None:
        nm = NmClient(bus)
        try:
            if await nm.running() and await nm.netns_inode() == netns_inode(netns):
                version = str(await nm.version())
                await _enrich_from_nm(nm, nics)
                return HostFacts("networkmanager", nics, version)
        except (NmError, OSError):
            pass  # NM went away mid-way: the kernel's view is still right
    return HostFacts("netlink", nics, None, await asyncio.to_thread(resolv_conf_servers, netns))


def wifi_macvlan_warnings(topology: Topology, facts: HostFacts) -> list[str]:
    """A sentence for each macvlan built on a Wi-Fi NIC (it would get no traffic)."""
    out = []
    for key, link in topology.interfaces.items():
        if not isinstance(link, Macvlan) or link.parent is None:
            continue
        nic = facts.nic(link.parent)
        if nic is not None and nic.wifi:
            out.append(f"macvlan {key} is built on {nic.name}, a Wi-Fi NIC: the access point"
                       " only accepts the MAC address it associated, so the macvlan gets no"
                       f" traffic; use 'kind: ipvlan' (mode l2) on {nic.name} instead")
    return out


async def system_host_facts(netns: str | None = None) -> HostFacts:
    """``host_facts`` over a connection of its own to the system bus (for Inspect).

    Without a system bus, or without NetworkManager on it, the kernel's facts are returned.
    """
    from netwright.backend.nm.runtime import open_networkmanager

    nm = await open_networkmanager()
    try:
        return await host_facts(nm.bus if nm is not None else None, netns=netns)
    finally:
        if nm is not None:
            nm.close()
