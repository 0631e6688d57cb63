"""The host's facts that ARP flux depends on (``arpflux.HostLan``), from its observed state.

A check reads the host namespace once (``host_kernel.py``); from that reading come the
host's IPv4 addresses by device, and beside it ``arp_ignore`` and the device the host's
route to each macvlan child address leaves by (with two connected routes for one subnet,
the one added first wins, so only the kernel knows). Pure.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from netwright.backend.checks.arpflux import HostLan
from netwright.backend.topology.model import Macvlan, Topology, static_addresses

if TYPE_CHECKING:
    from netwright.backend.observe.state import NsState


def child_addresses(topology: Topology) -> list[str]:
    """The IPv4 addresses of macvlan children of the host's NICs: where replies go."""
    return [str(a.ip) for link in topology.interfaces.values()
            if isinstance(link, Macvlan) and link.parent in topology.host.nics
            for a in static_addresses(link) if a.version == 4]


def host_lan_of(state: NsState, arp_ignore: dict[str, int], reply_dev: dict[str, str]
                ) -> HostLan:
    """The host's devices with their IPv4 addresses (leased ones too) as observed, with
    ``arp_ignore`` and the reply routes' devices read beside them."""
    by_name = {name: tuple(ipaddress.IPv4Interface(a)
                           for a in sorted(link.addresses | link.leased) if ":" not in a)
               for name, link in state.links.items() if name}
    return HostLan({name: found for name, found in by_name.items() if found}, arp_ignore,
                   reply_dev)
