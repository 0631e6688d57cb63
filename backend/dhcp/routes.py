"""Routes only a DHCP lease can make possible, and who installs them. Pure.

A namespace whose only IPv4 address comes from DHCP has no subnet until the lease is bound,
so ``routes: [{to: default, via: 192.168.31.1}]`` next to ``addresses: [dhcp]`` cannot be
added by the engine at apply time: the kernel answers ENETUNREACH ("Nexthop has invalid
gateway") and the whole apply would roll back. Such a route is a *lease route*: the engine
does not add it while no lease reaches its gateway; the DHCP client of the interface adds it
when its lease is bound, again at every renew, and again after the address comes back (the
kernel deletes a route through an address when the address goes). Once a lease reaches the
gateway the route is an ordinary owned route: status calls it missing if someone deletes it,
apply adds it back, a topology that drops it removes it, destroy removes it with its
namespace.

A route is a lease route when it has a ``via`` that no static address of the namespace (on
its ``dev``, if given) has on-link, the gateway is IPv4 (udhcpc leases IPv4 only), and an
interface there (its ``dev``, if given) gets an address from DHCP. Each such interface's
client tries to add it through itself; the kernel accepts it only from the interface whose
lease holds the gateway's subnet.

Example::

    for lease_route in lease_routes(topology):
        lease_route.namespace, lease_route.route.via, lease_route.interfaces
    route_arguments(route)   # "default via 192.168.31.1 metric 100": the script's `ip route`
"""

from __future__ import annotations

import ipaddress

from netwright.backend.record import record
from netwright.backend.topology.model import Route, Topology, dhcp_entries, static_addresses


@record(frozen=True)
class LeaseRoute:
    """A namespace route whose gateway only a DHCP lease can reach."""

    namespace: str
    index: int  # in the namespace's routes
    route: Route
    interfaces: tuple[str, ...]  # keys of the DHCP interfaces whose client adds it


def route_arguments(route: Route) -> str:
    """The route as ``ip route`` arguments, without ``dev``: the event script adds
    ``dev <its interface>`` itself."""
    words = [route.to]
    if route.via is not None:
        words += ["via", str(route.via)]
    if route.metric is not None:
        words += ["metric", str(route.metric)]
    if route.src is not None:
        words += ["src", route.src]
    return " ".join(words)


def _lease_interfaces(topology: Topology, route: Route,
                      in_namespace: list[str]) -> tuple[str, ...]:
    """The DHCP interfaces whose lease must carry ``route``'s gateway; () when the engine
    can add the route itself (no gateway, or one a static address has on-link) or no DHCP
    lease could ever reach it. ``in_namespace``: the keys of the route's namespace."""
    if route.via is None:
        return ()
    via = ipaddress.ip_address(route.via)
    candidates = [key for key in in_namespace
                  if route.dev is None or topology.kernel_name(key) == route.dev]
    if any(via in address.network for key in candidates
           for address in static_addresses(topology.interfaces[key])):
        return ()
    if via.version != 4:
        return ()  # validation refuses it: DHCP here leases IPv4 only
    return tuple(key for key in candidates if dhcp_entries(topology.interfaces[key]))


def lease_routes(topology: Topology) -> list[LeaseRoute]:
    """Every lease route of ``topology``, in file order."""
    keys_by_namespace: dict[str | None, list[str]] = {}
    with_dhcp: set[str | None] = set()
    for key, link in topology.interfaces.items():
        keys_by_namespace.setdefault(link.namespace, []).append(key)
        if dhcp_entries(link):
            with_dhcp.add(link.namespace)
    out = []
    for ns_key, namespace in topology.namespaces.items():
        if ns_key not in with_dhcp:
            continue
        for index, route in enumerate(namespace.routes):
            interfaces = _lease_interfaces(topology, route, keys_by_namespace[ns_key])
            if interfaces:
                out.append(LeaseRoute(ns_key, index, route, interfaces))
    return out
