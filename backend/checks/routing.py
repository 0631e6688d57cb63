"""Routing tables the kernel would build from a topology, and longest-prefix lookups in them.

Per place and IP version: a connected route for every address on an up device, the routes the
namespace configures (those the kernel would refuse — a next hop not on-link, a device that is
down — are set aside with the reason, so a "no route" can say why), and on the host a default
route via each NIC's gateway, or, when the design names none, the host's own routes as a check
read them (``host_routes.py``). The LAN behind a NIC knows the NIC's subnets.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import cache

from netwright.backend.checks.network import IpAddr, Network, Place, fast_ip, lan_of

IpNet = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class RouteEntry:
    network: IpNet
    dev: str  # device key
    via: IpAddr | None
    text: str
    metric: int = 0
    src: IpAddr | None = None  # the route's preferred source (``src``)
    kernel: bool = False  # the host's own, read from its kernel: the design gives none


@dataclass(frozen=True)
class Table:
    routes: tuple[RouteEntry, ...]
    set_aside: tuple[str, ...]  # routes the kernel would not install, in words

    def lookup(self, destination: IpAddr) -> RouteEntry | None:
        best: RouteEntry | None = None
        for route in self.routes:
            if destination not in route.network:
                continue
            if (
                best is None
                or route.network.prefixlen > best.network.prefixlen
                or (route.network.prefixlen == best.network.prefixlen
                    and route.metric < best.metric)
            ):
                best = route
        return best

    @property
    def has_default(self) -> bool:
        return any(r.network.prefixlen == 0 for r in self.routes)


def _default(version: int) -> IpNet:
    return ipaddress.ip_network("0.0.0.0/0" if version == 4 else "::/0")


class Routing:
    def __init__(self, network: Network) -> None:
        self.net = network
        self.table = cache(self._table)
        self._any_down = cache(lambda place: any(
            not d.up and d.kind != "lan" for d in self.net.by_place.get(place, [])))

    def down_cause(self, place: Place, destination: IpAddr) -> tuple[int, str] | None:
        """The down interface (``state: down``) that keeps the most specific route to
        ``destination`` out of ``place``'s table, with that route's prefix length: its
        connected route, or a configured route out of it or via a gateway only it reaches."""
        if not self._any_down(place):
            return None
        best: tuple[int, str] | None = None

        def consider(prefix: int, key: str) -> None:
            nonlocal best
            if best is None or prefix > best[0]:
                best = (prefix, key)

        down = [d for d in self.net.by_place.get(place, []) if not d.up and d.kind != "lan"]
        if not down:
            return None
        up_nets = [a.network for d in self.net.by_place.get(place, []) if d.up
                   for a in d.addresses]
        for device in down:
            for address in device.addresses:
                if address.version == destination.version and destination in address.network:
                    consider(address.network.prefixlen, device.key)
        namespace = self.net.topology.namespaces.get(place) if place is not None else None
        for route in namespace.routes if namespace is not None else []:
            via = ipaddress.ip_address(route.via) if route.via else None
            network = (_default(via.version if via else 4) if route.to == "default"
                       else ipaddress.ip_network(route.to, strict=False))
            if network.version != destination.version or destination not in network:
                continue
            for device in down:
                through_dev = route.dev is not None and device.name == route.dev
                through_via = via is not None and not any(via in n for n in up_nets) and any(
                    via in a.network for a in device.addresses)
                if through_dev or through_via:
                    consider(network.prefixlen, device.key)
        return best

    def _connected(self, place: Place, version: int) -> list[RouteEntry]:
        routes = []
        for device in self.net.by_place.get(place, []):
            if not device.up or device.kind == "lan":
                continue
            for address in device.addresses:
                if address.version == version:
                    routes.append(RouteEntry(address.network, device.key, None,
                                             f"{address.network} dev {device.name}"))
        return routes

    def _table(self, place: Place, version: int) -> Table:
        if place is not None and place.startswith("@lan:"):
            nic = place.removeprefix("@lan:")
            nic_dev = self.net.devices[nic]
            routes = [RouteEntry(a.network, lan_of(nic), None, f"{a.network} on the LAN")
                      for a in nic_dev.addresses if a.version == version]
            return Table(tuple(routes), ())
        routes = self._connected(place, version)
        set_aside: list[str] = []
        if place is None:
            for nic, gateway in self.net.gateways.items():
                if gateway.version == version:
                    routes.append(RouteEntry(_default(version), nic, gateway.ip,
                                             f"default via {gateway.ip} dev {nic}", metric=100))
            routes += [RouteEntry(network, dev, via, text, metric, kernel=True)
                       for network, dev, via, metric, text in self.net.kernel_routes
                       if network.version == version]
            return Table(tuple(routes), ())
        namespace = self.net.topology.namespaces.get(place)
        connected = Table(tuple(routes), ())
        for route in namespace.routes if namespace is not None else []:
            via = ipaddress.ip_address(route.via) if route.via else None
            if route.to == "default":
                route_version = via.version if via else 4
                network = _default(route_version)
            else:
                network = ipaddress.ip_network(route.to, strict=False)
                route_version = network.version
            if route_version != version:
                continue
            text = f"{route.to}" + (f" via {via}" if via else "") + (
                f" dev {route.dev}" if route.dev else "") + (f" src {route.src}" if route.src
                                                               else "")
            dev_key: str | None = None
            if route.dev is not None:
                device = self.net.device_by_name(place, route.dev)
                if device is None or not device.up:
                    set_aside.append(f"'{text}' (device {route.dev} is missing or down)")
                    continue
                dev_key = device.key
            if via is not None:
                hop = connected.lookup(via)
                if hop is None or (dev_key is not None and hop.dev != dev_key):
                    set_aside.append(f"'{text}' ({via} is not on-link, so the kernel refuses it)")
                    continue
                dev_key = dev_key or hop.dev
            assert dev_key is not None
            routes.append(RouteEntry(network, dev_key, via, text, route.metric or 0,
                                     fast_ip(route.src) if route.src else None))
        return Table(tuple(routes), tuple(set_aside))
