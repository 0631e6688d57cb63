"""What the host's facts fill into a design: a child's address and route, a NIC's entry.

The seed's table gives each ipvlan child an address in its parent's subnet and, in its
namespace, ``default via`` the parent's gateway (its "父接口gw" column). Typing those by hand
is where the seed's mistakes came from, so the designer offers them: from the parent's facts
(``host_facts``, what the host really has) or, without them, from the parent's entry in the
design's ``host.nics``. Only what is missing is filled: an address the user typed, or a default
route the namespace already has, is never replaced.

Pure functions of a ``Snapshot`` and ``HostFacts``; the window pushes the edits as one undo
step (``FillCommand``).
"""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from netwright.gui.model.document import Edit
from netwright.gui.model.edits import position
from netwright.gui.model.host_facts import HostFacts, HostNic
from netwright.gui.model.snapshot import Snapshot

#: Children that share their parent's segment, so their parent's subnet and gateway are theirs.
#: A vlan is not one of them: its tagged frames make a segment of their own.
PREFILL_KINDS = ("ipvlan", "macvlan")
SEARCH_LIMIT = 65536  # addresses tried before a huge, crowded subnet counts as full


@dataclass(frozen=True)
class ParentNet:
    """The parent's IPv4 subnet, its own addresses in it and its gateway ("" if none)."""

    parent: str
    network: ipaddress.IPv4Network
    gateway: str
    own: frozenset[ipaddress.IPv4Address]

    def label(self) -> str:
        """``192.168.31.0/24 via 192.168.31.1``: what a fill takes from the parent."""
        return f"{self.network} via {self.gateway}" if self.gateway else str(self.network)


@dataclass(frozen=True)
class Prefill:
    """The edits that fill ``key`` from its parent; ``reason`` says why there are none."""

    key: str
    source: ParentNet | None = None
    edits: tuple[Edit, ...] = ()
    address: str = ""
    route_namespace: str = ""
    reason: str = ""

    def describe(self) -> str:
        """What the fill adds, for the History and the status bar."""
        parts = [self.address] if self.address else []
        if self.route_namespace and self.source is not None:
            parts.append(f"default via {self.source.gateway} in {self.route_namespace}")
        return " and ".join(parts)


def parent_net(snapshot: Snapshot, facts: HostFacts | None, parent: object) -> ParentNet | None:
    """The subnet to fill from: the host's facts of ``parent`` first, else its design entry."""
    if not isinstance(parent, str):
        return None
    nic = facts.nic(parent) if facts is not None else None
    entry = snapshot.nics.get(parent)
    designed = _ipv4_interfaces(entry.get("addresses") if entry else None)
    interface = nic.ipv4_interface() if nic is not None else None
    if interface is None and designed:
        interface = designed[0]
    if interface is None:
        return None
    network = interface.network
    gateway = nic.gateway_in(network) if nic is not None else ""
    design_gateway = str(entry.get("gateway") or "") if entry else ""
    if not gateway and _inside(design_gateway, network):
        gateway = design_gateway
    own = {a.ip for a in designed if a.ip in network}
    if nic is not None:
        own |= {a.ip for a in _ipv4_interfaces(list(nic.addresses)) if a.ip in network}
    return ParentNet(parent, network, gateway, frozenset(own))


def prefill_for(snapshot: Snapshot, facts: HostFacts | None, key: str) -> Prefill:
    """Fill ``key``'s missing address and its namespace's missing default route.

    The address is the lowest free host address of the parent's subnet: not the parent's own,
    not the gateway, not any address the design or the host already uses. The route is added
    only when the child's address is in that subnet (else the gateway is off-link).
    """
    link = snapshot.interfaces.get(key)
    kind = str(link.get("kind")) if link else ""
    if link is None or kind not in PREFILL_KINDS:
        return Prefill(key, reason=_kind_reason(key, kind))
    parent = link.get("parent")
    source = parent_net(snapshot, facts, parent)
    if source is None:
        return Prefill(key, reason=_no_source_reason(parent, facts))
    edits: list[Edit] = []
    address = ""
    addresses = link.get("addresses")
    if not addresses:
        free = free_address(source.network, taken_addresses(snapshot, facts) | source.own
                            | _ips([source.gateway]))
        if free is None:
            return Prefill(key, source, reason=f"no free address is left in {source.network}")
        address = str(free)
        edits.append(Edit(("interfaces", key, "addresses"), [address]))
        addresses = [address]
    namespace = snapshot.namespace_of(key)
    route = _route_edit(snapshot, namespace, source, addresses)
    if route is not None:
        edits.append(route)
    if not edits:
        return Prefill(key, source, reason=_filled_reason(key, namespace, source, addresses))
    return Prefill(key, source, tuple(edits), address, (namespace or "") if route else "")


def free_address(network: ipaddress.IPv4Network,
                 taken: set[ipaddress.IPv4Address] | frozenset[ipaddress.IPv4Address],
                 ) -> ipaddress.IPv4Interface | None:
    """The lowest host address of ``network`` not in ``taken``, with the network's prefix."""
    for candidate in itertools.islice(network.hosts(), SEARCH_LIMIT):
        if candidate not in taken:
            return ipaddress.IPv4Interface(f"{candidate}/{network.prefixlen}")
    return None


def taken_addresses(snapshot: Snapshot, facts: HostFacts | None) -> set[ipaddress.IPv4Address]:
    """Every IPv4 address the design gives anything, and every one the host's NICs have."""
    texts: list[Any] = []
    for entry in [*snapshot.interfaces.values(), *snapshot.nics.values()]:
        addresses = entry.get("addresses")
        texts.extend(addresses if isinstance(addresses, list) else [])
        texts.append(entry.get("gateway"))
    for nic in (facts.nics.values() if facts is not None else ()):
        texts.extend([*nic.addresses, *nic.gateways])
    return _ips(texts)


def host_nic_entry(nic: HostNic) -> dict[str, Any]:
    """The seed's way to reference a host NIC: its addresses and its on-link gateway."""
    entry: dict[str, Any] = {}
    addresses = nic.design_addresses()
    if addresses:
        entry["addresses"] = addresses
    interface = nic.ipv4_interface()
    gateway = nic.gateway_in(interface.network if interface is not None else None)
    if gateway:
        entry["gateway"] = gateway
    return entry


def add_nic_edits(nic: HostNic, x: float, y: float) -> list[Edit]:
    """Reference a NIC of the host in ``host.nics``, placed at (x, y)."""
    return [Edit(("host", "nics", nic.name), host_nic_entry(nic)),
            Edit(("layout", nic.name), position(x, y))]


def nic_fill_edits(snapshot: Snapshot, nic: HostNic) -> list[Edit]:
    """The host's addresses and gateway for a design NIC that has none yet (nothing else)."""
    entry = snapshot.nics.get(nic.name)
    if entry is None:
        return []
    wanted = host_nic_entry(nic)
    return [Edit(("host", "nics", nic.name, field), value) for field, value in wanted.items()
            if not entry.get(field)]


# -- helpers ------------------------------------------------------------------------------------


def _route_edit(snapshot: Snapshot, namespace: str | None, source: ParentNet,
                addresses: list[Any]) -> Edit | None:
    """``default via`` the parent's gateway, appended, when the namespace has no IPv4 one."""
    if namespace is None or not source.gateway:
        return None
    if not any(a.ip in source.network for a in _ipv4_interfaces(addresses)):
        return None
    routes = snapshot.namespaces.get(namespace, {}).get("routes")
    route = {"to": "default", "via": source.gateway}
    if routes is None:
        return Edit(("namespaces", namespace, "routes"), [route])
    if not isinstance(routes, list) or _has_ipv4_default(routes):
        return None
    return Edit(("namespaces", namespace, "routes", len(routes)), route, len(routes))


def _has_ipv4_default(routes: list[Any]) -> bool:
    for route in routes:
        if isinstance(route, dict) and route.get("to") == "default":
            via = route.get("via")
            if via is None or _ips([via]):
                return True
    return False


def _ipv4_interfaces(values: Any) -> list[ipaddress.IPv4Interface]:
    found = []
    for value in values if isinstance(values, list) else []:
        try:
            interface = ipaddress.ip_interface(str(value))
        except ValueError:
            continue
        if isinstance(interface, ipaddress.IPv4Interface):
            found.append(interface)
    return found


def _ips(values: Iterable[Any]) -> set[ipaddress.IPv4Address]:
    """The IPv4 addresses among texts like ``192.168.31.5/24`` or ``192.168.31.1``."""
    found = set()
    for value in values:
        if not isinstance(value, str) or not value:
            continue
        try:
            ip = ipaddress.ip_interface(value).ip
        except ValueError:
            continue
        if isinstance(ip, ipaddress.IPv4Address):
            found.add(ip)
    return found


def _inside(address: str, network: ipaddress.IPv4Network) -> bool:
    return any(ip in network for ip in _ips([address]))


def _kind_reason(key: str, kind: str) -> str:
    if kind == "vlan":
        return (f"{key} is a vlan: its tagged frames are a segment of their own, so its subnet"
                " and gateway are not its parent's")
    return f"only an ipvlan or macvlan child takes its parent's subnet; {key} is a {kind or '?'}"


def _no_source_reason(parent: object, facts: HostFacts | None) -> str:
    if not isinstance(parent, str) or not parent:
        return "choose a parent first"
    where = "this host's facts" if facts is not None else "host facts (no backend connected)"
    return f"{parent} has no IPv4 address, neither in {where} nor in the design"


def _filled_reason(key: str, namespace: str | None, source: ParentNet,
                   addresses: list[Any]) -> str:
    if namespace is None:
        return f"{key} already has an address (a child on the host gets no route here)"
    if not source.gateway:
        return f"{key} already has an address and {source.parent} has no gateway"
    if not any(a.ip in source.network for a in _ipv4_interfaces(addresses)):
        return (f"{key} has no address in {source.network} (DHCP, or another subnet), so"
                f" {source.gateway} is no next hop for {namespace}")
    return f"{key} already has an address and {namespace} a default route"
