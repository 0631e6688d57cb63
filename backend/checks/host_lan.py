"""Read the host's facts that ARP flux depends on (``arpflux.HostLan``) from its kernel.

Run in a thread that has entered the host's namespace (``netns.call_in``): the host's IPv4
addresses by device, ``arp_ignore``, and the device the host's route to each macvlan child
address leaves by (with two connected routes for one subnet, the one added first wins, so
only the kernel knows).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from socket import AF_INET

from netwright.backend.checks.arpflux import HostLan, IPv4If
from netwright.backend.observe.sysctls import arp_ignore_here
from netwright.backend.topology.model import Macvlan, Topology, static_addresses


def child_addresses(topology: Topology) -> list[str]:
    """The IPv4 addresses of macvlan children of the host's NICs: where replies go."""
    return [str(a.ip) for link in topology.interfaces.values()
            if isinstance(link, Macvlan) and link.parent in topology.host.nics
            for a in static_addresses(link) if a.version == 4]


def host_lan_here(children: Iterable[str]) -> HostLan:
    """The host's NICs, arp_ignore and reply routes, read in this thread's namespace."""
    # imported here, as nm.kernel does: pyroute2.iproute is slow to import
    from pyroute2.iproute import IPRoute
    from pyroute2.netlink.exceptions import NetlinkError

    with IPRoute() as ipr:
        names = {link["index"]: str(link.get("IFLA_IFNAME")) for link in ipr.get_links()}
        found: dict[str, list[IPv4If]] = {}
        for addr in ipr.get_addr(family=AF_INET):
            local = addr.get("IFA_LOCAL") or addr.get("IFA_ADDRESS")
            found.setdefault(names.get(addr["index"], ""), []).append(
                ipaddress.IPv4Interface(f"{local}/{addr['prefixlen']}"))
        reply_dev = {}
        for address in children:
            try:
                routes = ipr.route("get", dst=address)
            except NetlinkError:  # no route at all: the reply is lost either way
                continue
            oif = routes[0].get("RTA_OIF") if routes else None
            if oif in names:
                reply_dev[address] = names[oif]
    return HostLan({n: tuple(a) for n, a in found.items() if n}, arp_ignore_here(), reply_dev)
