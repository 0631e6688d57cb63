"""The host's own routes, read from its kernel for a check when the design does not give them.

A design describes the host's routes only through the gateways of its host NICs. One that
names no gateway says nothing of how the host reaches beyond its own subnets, yet the
host it is deployed on has routes: the lab's stand-in host its default route via the lab's
router, a laptop its Wi-Fi's. A check of a deployment reads them here, and the explanation
routes the host's own traffic by them (``Network``), saying so; the design alone can only
say that the outcome depends on them. Only routes through a gateway count: the device each
leaves by is modelled like a host NIC, with the LAN (and router) behind it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KernelRoute:
    """One route of the host's main table, as ``ip route`` shows it."""

    to: str  # "default" or a CIDR
    via: str
    dev: str
    metric: int = 0


@dataclass(frozen=True)
class HostRoutes:
    """The host's routes through a gateway, and the addresses of the devices they use."""

    routes: tuple[KernelRoute, ...]
    addresses: dict[str, tuple[str, ...]]  # device name -> its CIDRs


def read_host_routes(path: str) -> HostRoutes:
    """The routes of the namespace at ``path`` (the host's) that a daemon, a DHCP client or
    an administrator installed, with a gateway; read-only. Call it from a worker thread."""
    from netwright.backend.observe.host import PathKernel
    from netwright.backend.observe.state import observe_ns

    kernel = PathKernel()
    try:
        state = observe_ns(kernel, path, learned=True)
    finally:
        kernel.close()
    routes = tuple(KernelRoute(r.to, r.via, r.dev, r.metric or 0) for r in state.routes
                   if r.via is not None and r.dev is not None)
    used = {route.dev for route in routes}
    addresses = {name: tuple(sorted(link.addresses | link.leased))
                 for name, link in state.links.items() if name in used}
    return HostRoutes(routes, addresses)
