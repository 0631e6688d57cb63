"""The no-default-route warning: a namespace with addresses but no way beyond its subnets.

Without a default route, anything outside a namespace's subnets is "Network is unreachable";
the warning names the route to add. It looks for somewhere to go, in this order: a host NIC's
gateway on one of the namespace's subnets (the LAN's router), then a router of the design on
one of them (a namespace that forwards, or the host where the design turns forwarding on).
Designs with nowhere to go stay quiet: an isolated lab of namespaces on their own links has
nothing beyond its subnets. Reads the model only (subnets, not links: the checks follow the
packet).
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterator, Sequence

from netwright.backend.topology.fields import (
    FORWARDING_SYSCTLS,
    forwards_in_design,
    is_default_destination,
)
from netwright.backend.topology.model import Interface, Namespace, Topology, static_addresses
from netwright.backend.topology.problems import Problem
from netwright.backend.topology.sentence_names import namespace_words, place_words

IpNet = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddr = ipaddress.IPv4Address | ipaddress.IPv6Address


class _Routers:
    """The design's routers, read once per validation: each place that forwards a family
    (namespaces in the design's order, then the host) with its own addresses. Looking them
    up for each namespace anew walked every namespace and interface per namespace (1,000
    namespaces: a million steps, ~0.4 s on every edit in the designer)."""

    def __init__(self, t: Topology, links_by_place: dict[str | None, list[Interface]]) -> None:
        places: list[tuple[str | None, object]] = [*t.namespaces.items(), (None, t.host)]
        self.by_family = {family: [(place, [a for link in links_by_place.get(place, ())
                                            for a in static_addresses(link)])
                                   for place, policy in places
                                   if forwards_in_design(policy, family)]
                          for family in FORWARDING_SYSCTLS}

    def on(self, ns: str, subnets: list[IpNet]) -> tuple[IpAddr, str, IpNet] | None:
        """A router of the design on one of ``subnets`` other than ``ns``: its address
        there, how a sentence names it, and the subnet. Namespaces first, in the design's
        order, then the host (its NICs' own addresses are left out: an ipvlan or macvlan
        child never reaches its parent's)."""
        for net in subnets:
            for place, addresses in self.by_family[f"ipv{net.version}"]:
                if place == ns:
                    continue
                for address in addresses:
                    if address.ip in net:
                        return address.ip, place_words(place), net
        return None


def _head(ns: str, subnets: list[IpNet]) -> str:
    named = namespace_words(ns)  # "namespace gateway has …", as the checks say it
    if not subnets:  # DHCP only: the lease decides which subnet, any NIC's may do
        return (f"{named} has no default route of its own: its DHCP client adds one only if"
                " the server names a router (else anything outside its subnet is 'Network"
                " is unreachable'); ")
    return (f"{named} has addresses but no default route, so anything outside its subnets"
            " is 'Network is unreachable'; ")


def warn_missing_default(t: Topology) -> Iterator[Problem]:
    """One warning per namespace with addresses and no default route that has somewhere to
    go: see the module's opening. Without a host gateway, a namespace that routes by itself
    (forwarding on, or routes of its own) is left to its designer: two routers told to
    default via each other would loop."""
    gateways = [(nic, h.gateway) for nic, h in t.host.nics.items() if h.gateway]
    links_by_place: dict[str | None, list[Interface]] = defaultdict(list)
    for link in t.interfaces.values():
        links_by_place[link.namespace].append(link)
    routers = _Routers(t, links_by_place)
    for ns, namespace in t.namespaces.items():
        links = links_by_place.get(ns, [])
        if not any(link.addresses for link in links):
            continue
        if any(is_default_destination(route.to) for route in namespace.routes):
            continue
        subnets = [a.network for link in links for a in static_addresses(link)]
        problem = (_with_gateway(routers, ns, namespace, subnets, gateways) if gateways
                   else _without_gateway(routers, ns, namespace, subnets))
        if problem is not None:
            yield problem


def _warning(ns: str, message: str) -> Problem:
    return Problem("warning", "no-default-route", ("namespaces", ns), message)


def _routes_itself(namespace: Namespace) -> bool:
    return bool(namespace.routes) or any(forwards_in_design(namespace, family)
                                         for family in FORWARDING_SYSCTLS)


def _via_router(routers: _Routers, ns: str, subnets: list[IpNet]) -> str | None:
    router = routers.on(ns, subnets)
    if router is None:
        return None
    address, named, net = router
    return (f"{_head(ns, subnets)}add 'routes: [{{to: default, via: {address}}}]' to use"
            f" {named}, which forwards and is on {net}")


def _with_gateway(routers: _Routers, ns: str, namespace: Namespace, subnets: list[IpNet],
                  gateways: Sequence[tuple[str, object]]) -> Problem | None:
    # a gateway the namespace can reach: on one of its subnets (another is refused by the
    # kernel, "Nexthop has invalid gateway"); DHCP only: any NIC's may do
    near = [(nic, gw) for nic, gw in gateways
            if any(ipaddress.ip_address(str(gw)) in net for net in subnets)] if subnets \
        else gateways
    if near:
        nic, gateway = near[0]
        return _warning(ns, f"{_head(ns, subnets)}add 'routes: [{{to: default, via:"
                            f" {gateway}}}]' to use {nic}'s gateway")
    routed = None if _routes_itself(namespace) else _via_router(routers, ns, subnets)
    return _warning(ns, routed or f"{_head(ns, subnets)}add a default route via a router on"
                                  " one of its subnets (no host NIC's gateway is on them)")


def _without_gateway(routers: _Routers, ns: str, namespace: Namespace,
                     subnets: list[IpNet]) -> Problem | None:
    if not subnets or _routes_itself(namespace):
        return None
    routed = _via_router(routers, ns, subnets)
    return None if routed is None else _warning(ns, routed)
