"""The host's own routes, read from its kernel for a check when the design does not give them.

A design describes the host's routes only through the gateways of its host NICs. One that
names no gateway says nothing of how the host reaches beyond its own subnets, yet the
host it is deployed on has routes: the lab's stand-in host its default route via the lab's
router, a laptop its Wi-Fi's. A check of a deployment reads them (``host_kernel.py``), and
the explanation routes the host's own traffic by them (``Network``), saying so; the design
alone can only say that the outcome depends on them. Only routes through a gateway count:
the device each leaves by is modelled like a host NIC, with the LAN (and router) behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the explanation (which the designer imports) stays free of netlink
    from netwright.backend.observe.state import NsState, RouteState


@dataclass(frozen=True)
class HostRoutes:
    """The host's routes through a gateway, and the addresses of the devices they use."""

    routes: tuple[RouteState, ...]  # each with ``via`` and ``dev``
    addresses: dict[str, tuple[str, ...]]  # device name -> its CIDRs


def host_routes_of(state: NsState) -> HostRoutes:
    """The routes of the observed host namespace (read with ``learned=True``: those a
    daemon, a DHCP client or an administrator installed) that go through a gateway, with
    the addresses, leased ones too, of the devices they leave by."""
    routes = tuple(r for r in state.routes if r.via is not None and r.dev is not None)
    used = {route.dev for route in routes}
    addresses = {name: tuple(sorted(link.addresses | link.leased))
                 for name, link in state.links.items() if name in used}
    return HostRoutes(routes, addresses)
