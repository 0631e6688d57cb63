"""What the kernel says about the host, read with pyroute2 (works with or without NM).

Synchronous (pyroute2's IPRoute runs its own event loop): async callers use
``asyncio.to_thread``.

Used for host facts when NetworkManager is absent, and for the one fact the persistence
plan needs from the kernel itself: which devices carry the host's default routes.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from netwright.backend.kernel.netns import in_netns
from netwright.backend.observe.markers import MARKER_PREFIX
from netwright.backend.record import field, record

if TYPE_CHECKING:
    from pyroute2.iproute import IPRoute

T = TypeVar("T")


@record
class KernelNic:
    name: str
    kind: str
    mac: str
    mtu: int
    up: bool
    owner: str
    master: int
    link: int
    addresses: list[str] = field(default_factory=list)
    gateways: list[str] = field(default_factory=list)


def _with_ipr(netns: str | None, work: Callable[[IPRoute], T]) -> T:
    """``work(ipr)`` with an IPRoute in namespace ``netns`` (None: this process's).

    Not ``IPRoute(netns=...)``: pyroute2 forks a helper process for it and ends it with
    SIGTERM, and a helper that has not exited yet passes that SIGTERM into the daemon's own
    signal handling (asyncio's wakeup channel, inherited across the fork): netwrightd then
    stopped as if someone had asked it to. A thread that enters the namespace opens the socket
    there instead, as the engine does.
    """
    def run() -> T:
        # imported here: pyroute2.iproute (requests, unittest.mock …) is a sixth of every
        # engine start-up, and only these host reads use it
        from pyroute2.iproute import IPRoute

        with IPRoute() as ipr:
            return work(ipr)

    return in_netns(netns, run)


def kernel_nics(netns: str | None) -> dict[int, KernelNic]:
    """Every link of the host namespace by ifindex, with addresses and default gateways."""
    links, addresses, routes = _with_ipr(netns, lambda ipr: (
        list(ipr.get_links()), list(ipr.get_addr()),
        [*ipr.get_routes(family=2), *ipr.get_routes(family=10)]))
    nics: dict[int, KernelNic] = {}
    for link in links:
        name = str(link.get("IFLA_IFNAME") or "")
        info: Any = link.get("IFLA_LINKINFO")
        kind = info.get_attr("IFLA_INFO_KIND") if info is not None else None
        alias = str(link.get("IFLA_IFALIAS") or "")
        nics[link["index"]] = KernelNic(
            name=name, kind=kind or ("loopback" if name == "lo" else "ether"),
            mac=str(link.get("IFLA_ADDRESS") or ""), mtu=int(link.get("IFLA_MTU") or 0),
            up=bool(link["flags"] & 1),
            owner=alias.removeprefix(MARKER_PREFIX) if alias.startswith(MARKER_PREFIX) else "",
            master=int(link.get("IFLA_MASTER") or 0), link=int(link.get("IFLA_LINK") or 0),
        )
    for addr in addresses:
        nic = nics.get(addr["index"])
        local = addr.get("IFA_LOCAL") or addr.get("IFA_ADDRESS")
        if nic is not None and local and addr.get("scope", 0) != 253:  # skip link scope
            nic.addresses.append(f"{local}/{addr['prefixlen']}")
    for route in routes:
        if route["dst_len"] != 0 or route.get("RTA_TABLE", 254) != 254:
            continue
        gateway = route.get("RTA_GATEWAY")
        nic = nics.get(route.get("RTA_OIF") or -1)
        if nic is not None:
            nic.gateways.append(str(ipaddress.ip_address(gateway)) if gateway else "")
    return nics


def default_route_devices(netns: str | None) -> list[str]:
    """Names of the devices the host's default routes leave through (its connection)."""
    return sorted({n.name for n in kernel_nics(netns).values() if n.gateways})


def is_wifi(name: str, netns: str | None) -> bool:
    """A wireless NIC has /sys/class/net/NAME/wireless (only readable for our own namespace)."""
    if netns is not None:
        return False
    return os.path.isdir(f"/sys/class/net/{name}/wireless") or os.path.exists(
        f"/sys/class/net/{name}/phy80211")


def netns_inode(netns: str | None) -> int:
    """Inode of the target's host namespace: a named one, or the one we run in."""
    return os.stat(f"/run/netns/{netns}" if netns else "/proc/self/ns/net").st_ino


def ports_of(netns: str | None, bridge: str) -> list[str]:
    """Names of the links enslaved to ``bridge`` right now."""
    nics = kernel_nics(netns)
    index = next((i for i, n in nics.items() if n.name == bridge), None)
    return sorted(n.name for n in nics.values() if index is not None and n.master == index)


def restore_ports(netns: str | None, bridge: str, ports: list[str]) -> None:
    """Put ``ports`` back into ``bridge`` after NM re-activated it without them."""
    missing = set(ports) - set(ports_of(netns, bridge))

    def put_back(ipr: IPRoute) -> None:
        masters = ipr.link_lookup(ifname=bridge)
        for port in sorted(missing):
            found = ipr.link_lookup(ifname=port)
            if found and masters:
                ipr.link("set", index=found[0], master=masters[0])

    _with_ipr(netns, put_back)


def link_exists(netns: str | None, name: str) -> bool:
    return _with_ipr(netns, lambda ipr: bool(ipr.link_lookup(ifname=name)))


def addresses_of(netns: str | None, name: str) -> list[str]:
    """The addresses (CIDR) on link ``name``, link-local ones included."""
    def read(ipr: IPRoute) -> list[str]:
        found = ipr.link_lookup(ifname=name)
        if not found:
            return []
        return [f"{a.get('IFA_ADDRESS')}/{a['prefixlen']}" for a in ipr.get_addr(index=found[0])]

    return _with_ipr(netns, read)
