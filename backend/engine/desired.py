"""What the kernel should hold for a topology on a target, flattened for the planner.

The model speaks in keys (``parent: wlp2s0``, ``namespace: net1``); the kernel speaks in
names inside namespaces. This module translates once: every link with its kernel name, the
on-disk namespace it lives in (``Where``: a /run/netns name, or None for the namespace the
engine runs in), its kind-specific netlink attributes and its owner marker.
"""

from __future__ import annotations

import ipaddress

from netwright.backend.dhcp.routes import LeaseRoute, lease_routes
from netwright.backend.engine.qdisc import QdiscSpec, qdisc_spec
from netwright.backend.engine.target import Target
from netwright.backend.kernel.netns import Where
from netwright.backend.nft.ruleset import TableSpec, places_tables
from netwright.backend.observe.markers import marker
from netwright.backend.record import field, record
from netwright.backend.topology.fields import FORWARDING_SYSCTLS
from netwright.backend.topology.firewall import Forwarding
from netwright.backend.topology.model import (
    Bridge,
    Ipvlan,
    Macvlan,
    Topology,
    Veth,
    Vlan,
    Vxlan,
    static_entries,
)

IPVLAN_MODES = {"l2": 0, "l3": 1, "l3s": 2}
IPVLAN_FLAGS = {"bridge": 0, "private": 1, "vepa": 2}
VLAN_PROTOCOLS = {"802.1Q": 0x8100, "802.1ad": 0x88A8}
KIND_MODULES = {
    "bridge": "bridge", "veth": "veth", "ipvlan": "ipvlan", "macvlan": "macvlan",
    "vlan": "8021q", "vxlan": "vxlan", "dummy": "dummy",
}


@record(frozen=True)
class LinkSpec:
    """One interface as the kernel should have it."""

    key: str
    name: str
    where: Where
    kind: str
    alias: str
    mtu: int | None = None
    mac: str | None = None
    up: bool = True
    master: str | None = None  # kernel name of the bridge, same namespace
    parent: str | None = None  # kernel name of the parent/underlay
    parent_where: Where = None
    info: tuple[tuple[str, object], ...] = ()  # IFLA_INFO_DATA attributes to create with
    compare: tuple[tuple[str, object], ...] = ()  # those that must match when observed
    peer_key: str | None = None  # veth: the other end
    addresses: tuple[str, ...] = ()  # normalised CIDR strings
    nodad: frozenset[str] = frozenset()  # those added without duplicate address detection
    display: str = ""  # "in namespace net1" / "in the host"
    mode_text: str = ""  # "(l2)" for the plan's sentence
    link_local: bool = True  # False: no IPv6 link-local (the topology uses no IPv6 at all)
    qdisc: QdiscSpec | None = None  # impairment: the root qdisc the link should have

    @property
    def ident(self) -> tuple[Where, str]:
        return (self.where, self.name)


@record(frozen=True)
class RouteSpec:
    to: str  # "default" or a network
    via: str | None
    dev: str | None
    metric: int | None
    src: str | None = None  # preferred source (RTA_PREFSRC)

    def text(self) -> str:
        out = f"route {self.to}"
        if self.via:
            out += f" via {self.via}"
        if self.dev:
            out += f" dev {self.dev}"
        if self.metric is not None:
            out += f" metric {self.metric}"
        if self.src:
            out += f" src {self.src}"
        return out


@record(frozen=True)
class LeaseRouteSpec:
    """A route whose gateway only a DHCP lease reaches (``netwright.backend.dhcp.routes``):
    the engine adds it only while a lease on one of ``interfaces`` (kernel names, same
    namespace) holds the gateway's subnet; before that the DHCP client adds it when bound."""

    route: RouteSpec
    interfaces: tuple[str, ...]


@record(frozen=True)
class NamespaceSpec:
    key: str
    where: str
    alias: str
    routes: tuple[RouteSpec, ...] = ()
    lease_routes: tuple[LeaseRouteSpec, ...] = ()
    sysctls: tuple[tuple[str, str], ...] = ()
    ipv6: bool = False  # whether anything in it uses IPv6 (else link-local is suppressed)


@record
class Desired:
    """Everything a topology needs on a target. ``Desired.empty(name)`` is "nothing"."""

    name: str
    namespaces: dict[str, NamespaceSpec] = field(default_factory=dict)  # by key
    links: dict[str, LinkSpec] = field(default_factory=dict)  # by key
    host_nics: dict[str, Where] = field(default_factory=dict)  # referenced, never owned
    host_where: Where = None
    labels: dict[Where, str] = field(default_factory=dict)  # where → words for the plan
    tables: dict[Where, tuple[TableSpec, ...]] = field(default_factory=dict)  # our nftables
    host_sysctls: tuple[tuple[str, str], ...] = ()  # owned on the host; origin restored

    @classmethod
    def empty(cls, name: str, target: Target) -> Desired:
        return cls(name=name, host_where=target.host_netns)

    def wheres(self) -> set[Where]:
        return {self.host_where} | {ns.where for ns in self.namespaces.values()}

    def label(self, where: Where) -> str:
        return self.labels.get(where, "the host" if where == self.host_where else str(where))


def forwarding_sysctls(forwarding: Forwarding | None) -> dict[str, str]:
    """The sysctls a ``forwarding`` setting owns (absent families are left alone)."""
    if forwarding is None:
        return {}
    return {key: "1" if getattr(forwarding, family) else "0"
            for family, key in FORWARDING_SYSCTLS.items()
            if getattr(forwarding, family) is not None}


def desired_state(topology: Topology, target: Target) -> Desired:
    """Flatten ``topology`` for ``target``."""
    name = topology.name
    host_where = target.host_netns
    out = Desired(name=name, host_where=host_where)
    out.labels[host_where] = "the host"
    for nic in topology.host.nics:
        out.host_nics[nic] = host_where
    uses_v6: dict[Where, bool] = {}

    def where_of(ns_key: str | None) -> Where:
        return host_where if ns_key is None else target.netns_name(ns_key)

    entries = {key: static_entries(link) for key, link in topology.interfaces.items()}
    parsed = {key: [e.interface for e in found] for key, found in entries.items()}
    # no IPv6 anywhere: no link-local either, so a new port does not flood its bridge with
    # autoconfiguration (measured: 1.3 M packets for 500 ports)
    link_local = any(a.version == 6 for found in parsed.values() for a in found) or any(
        ":" in (r.via or "") or ":" in r.to for ns in topology.namespaces.values()
        for r in ns.routes)
    for key, link in topology.interfaces.items():
        if link.existing:  # someone else's: referenced by name, never created or changed
            continue
        where = where_of(link.namespace)
        addresses = tuple(str(a) for a in parsed[key])  # parsed once: ~20 µs each
        if any(a.version == 6 for a in parsed[key]):
            uses_v6[where] = True
        info: list[tuple[str, object]] = []
        compare: list[tuple[str, object]] = []
        parent = parent_where = None
        mode_text = ""
        peer_key = None
        if isinstance(link, Bridge):
            info = [("IFLA_BR_STP_STATE", int(link.stp))]
            if link.vlan_filtering:  # kernels without vlan filtering refuse even a 0 here
                info.append(("IFLA_BR_VLAN_FILTERING", 1))
            compare = list(info)
        elif isinstance(link, Veth):
            peer_key = link.peer
        elif isinstance(link, Macvlan):
            info = compare = [("IFLA_MACVLAN_MODE", link.mode)]
            mode_text = f" ({link.mode})"
        elif isinstance(link, Ipvlan):
            info = [("IFLA_IPVLAN_MODE", IPVLAN_MODES[link.mode]),
                    ("IFLA_IPVLAN_FLAGS", IPVLAN_FLAGS[link.flag])]
            compare = list(info)
            mode_text = f" ({link.mode}" + ("" if link.flag == "bridge" else f" {link.flag}") + ")"
        elif isinstance(link, Vlan):
            info = [("IFLA_VLAN_ID", link.id),
                    ("IFLA_VLAN_PROTOCOL", VLAN_PROTOCOLS[link.protocol])]
            compare = [("IFLA_VLAN_ID", link.id)]
            mode_text = f" (id {link.id})"
        elif isinstance(link, Vxlan):
            info = [("IFLA_VXLAN_ID", link.vni), ("IFLA_VXLAN_PORT", link.port)]
            peer_addr = link.remote or link.group
            if peer_addr:
                v6 = ipaddress.ip_address(peer_addr).version == 6
                info.append(("IFLA_VXLAN_GROUP6" if v6 else "IFLA_VXLAN_GROUP", peer_addr))
            if link.local:
                v6 = ipaddress.ip_address(link.local).version == 6
                info.append(("IFLA_VXLAN_LOCAL6" if v6 else "IFLA_VXLAN_LOCAL", link.local))
            compare = [("IFLA_VXLAN_ID", link.vni)]
            mode_text = f" (vni {link.vni})"
        ref = getattr(link, "parent", None) or getattr(link, "dev", None)
        if ref is not None:
            if ref in topology.interfaces:
                parent = topology.kernel_name(ref)
                parent_where = where_of(topology.interfaces[ref].namespace)
            else:
                parent, parent_where = ref, host_where
        master = topology.kernel_name(link.master) if link.master else None
        out.links[key] = LinkSpec(
            key=key, name=topology.kernel_name(key), where=where, kind=link.kind,
            alias=marker(name, key), mtu=link.mtu, mac=link.mac, up=link.state == "up",
            master=master, parent=parent, parent_where=parent_where, info=tuple(info),
            compare=tuple(compare), peer_key=peer_key, addresses=addresses,
            nodad=frozenset(str(e.interface) for e in entries[key] if e.nodad),
            display="in the host" if link.namespace is None else f"in namespace {link.namespace}",
            mode_text=mode_text, link_local=link_local, qdisc=qdisc_spec(link.impairment),
        )
    tables_of = places_tables(topology, [None, *topology.namespaces],
                              lambda place: marker(name, place or "host"))
    by_namespace: dict[str, dict[int, LeaseRoute]] = {}
    for lease_route in lease_routes(topology):
        by_namespace.setdefault(lease_route.namespace, {})[lease_route.index] = lease_route
    for key, ns in topology.namespaces.items():
        if ns.existing:
            continue
        where = target.netns_name(key)
        assert where is not None
        out.labels[where] = key
        leased = by_namespace.get(key, {})
        routes = tuple(RouteSpec(r.to, r.via, r.dev, r.metric, r.src)
                       for index, r in enumerate(ns.routes) if index not in leased)
        waiting = tuple(
            LeaseRouteSpec(RouteSpec(r.route.to, r.route.via, r.route.dev, r.route.metric,
                                     r.route.src),
                           tuple(topology.kernel_name(k) for k in r.interfaces))
            for r in leased.values())
        v6 = uses_v6.get(where, False) or any(
            ":" in (r.via or "") or ":" in r.to for r in ns.routes)
        sysctls = {k: str(v) for k, v in ns.sysctls.items()} | forwarding_sysctls(ns.forwarding)
        out.namespaces[key] = NamespaceSpec(
            key=key, where=where, alias=marker(name, key), routes=routes,
            lease_routes=waiting, sysctls=tuple(sorted(sysctls.items())), ipv6=v6,
        )
        tables = tuple(tables_of[key])
        if tables:
            out.tables[where] = tables
    host_tables = tuple(tables_of[None])
    if host_tables:
        out.tables[host_where] = host_tables
    out.host_sysctls = tuple(sorted(forwarding_sysctls(topology.host.forwarding).items()))
    return out
