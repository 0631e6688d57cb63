"""Semantic validation: what the kernel would refuse, silently change, or make useless.

The model (pydantic) checks each value on its own; these rules check how values relate. Each
rule is a small function yielding Problems with a path into the model, a stable code and a
sentence that names the objects and the fix. Errors block apply; warnings describe designs
that work but surprise (the seed's "children cannot reach their parent's own IP").
"""

from __future__ import annotations

import ipaddress
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator

from netwright.backend.topology.fields import is_default_destination
from netwright.backend.topology.model import (
    SUB_INTERFACE_KINDS,
    Bridge,
    DhcpEntry,
    Interface,
    Ipvlan,
    Macvlan,
    Route,
    StaticAddress,
    Topology,
    Veth,
    Vlan,
    Vxlan,
    dhcp_entries,
    parse_static,
    static_addresses,
    static_entries,
)
from netwright.backend.topology.problems import ModelPath, Problem
from netwright.backend.topology.segments import segments
from netwright.backend.topology.sentence_names import interface_words, namespace_words
from netwright.backend.topology.validate_dad import dad_duplicate, nodad_problems
from netwright.backend.topology.validate_default_route import warn_missing_default
from netwright.backend.topology.validate_existing import existing_problems
from netwright.backend.topology.validate_impairment import impairment_problems
from netwright.backend.topology.validate_limits import bridge_port_limit_problems
from netwright.backend.topology.validate_links import link_problems
from netwright.backend.topology.validate_packets import packet_problems

IpIf = ipaddress.IPv4Interface | ipaddress.IPv6Interface


def _error(code: str, path: ModelPath, message: str) -> Problem:
    return Problem("error", code, path, message)


def _warning(code: str, path: ModelPath, message: str) -> Problem:
    return Problem("warning", code, path, message)


def _where(namespace: str | None) -> str:
    """After "in": "namespace net1" for every key, so a key that is a word the sentences use
    ("in namespace gateway") is never read as that word; "the host" for the host."""
    return f"namespace {namespace}" if namespace else "the host"


def check_references(t: Topology) -> Iterator[Problem]:
    """Every key a topology mentions must exist."""
    for key, link in t.interfaces.items():
        if link.namespace is not None and link.namespace not in t.namespaces:
            yield _error("unknown-reference", ("interfaces", key, "namespace"),
                         f"{interface_words(key)} is placed in namespace '{link.namespace}',"
                         " which the topology"
                         " does not define; add it under namespaces")
        if link.master is not None and link.master not in t.interfaces:
            yield _error("unknown-reference", ("interfaces", key, "master"),
                         f"{interface_words(key)} is a port of '{link.master}', which is not an"
                         " interface of"
                         " this topology; add the bridge under interfaces")
        if isinstance(link, Vxlan) and link.dev is not None and (
            link.dev not in t.interfaces and link.dev not in t.host.nics
        ):
            yield _error("unknown-reference", ("interfaces", key, "dev"),
                         f"{interface_words(key)} uses '{link.dev}' as its underlay, which is"
                         " neither an interface"
                         " of this topology nor a host NIC under host.nics")


def check_parents(t: Topology) -> Iterator[Problem]:
    """ipvlan, macvlan and vlan need a parent that exists, where they can use it."""
    for key, link in t.interfaces.items():
        if link.kind not in SUB_INTERFACE_KINDS:
            continue
        parent = getattr(link, "parent", None)
        if parent is None:
            yield _error("missing-parent", ("interfaces", key),
                         f"{link.kind} {key} needs a parent: the NIC it multiplexes, e.g."
                         " 'parent: wlp2s0' (list that NIC under host.nics)")
            continue
        path: ModelPath = ("interfaces", key, "parent")
        if parent == key:
            yield _error("loop", path, f"{interface_words(key)} cannot be its own parent")
            continue
        if parent not in t.interfaces and parent not in t.host.nics:
            yield _error("missing-parent", path,
                         f"the parent '{parent}' of {key} does not exist: add it under host.nics"
                         " (a NIC the host has) or under interfaces")
            continue
        parent_ns = t.namespace_of(parent)
        if parent_ns is not None and parent_ns != link.namespace:
            yield _error("parent-other-namespace", path,
                         f"{interface_words(key)} is in {_where(link.namespace)} but its parent"
                         f" {parent} is in"
                         f" {_where(parent_ns)}: a sub-interface is built on a parent in the host"
                         " or in its own namespace")
        parent_link = t.interfaces.get(parent)
        if parent_link is None or not isinstance(link, Ipvlan | Macvlan):
            continue
        if parent_link.master is not None:
            yield _error("parent-is-bridge-port", path,
                         f"{parent} is a port of bridge {parent_link.master}, and the kernel"
                         f" refuses a {link.kind} on a bridge port (EBUSY): use the bridge"
                         f" {parent_link.master}"
                         " itself as the parent, or take the port out of the bridge")
        if isinstance(parent_link, Ipvlan | Macvlan):
            yield _error("parent-wrong-kind", path,
                         f"{parent} is itself a {parent_link.kind} child; build {key} on"
                         f" {parent_link.parent} instead")


def check_ipvlan_modes(t: Topology) -> Iterator[Problem]:
    """The ipvlan mode and flag belong to the parent: the kernel switches siblings silently."""
    first: dict[str, tuple[str, str, str]] = {}
    for key, link in t.interfaces.items():
        if not isinstance(link, Ipvlan) or link.parent is None:
            continue
        if link.parent not in first:
            first[link.parent] = (key, link.mode, link.flag)
            continue
        other, mode, flag = first[link.parent]
        if link.mode == mode and link.flag != flag:
            yield _error("ipvlan-mixed-modes", ("interfaces", key, "flag"),
                         f"{interface_words(key)} asks for ipvlan flag {link.flag} but its"
                         f" sibling {other} on"
                         f" {link.parent} uses {flag}; the kernel keeps one flag per parent and"
                         f" would silently switch {other} to {link.flag}: use one flag for all"
                         f" children of {link.parent}")
        if link.mode != mode:
            yield _error("ipvlan-mixed-modes", ("interfaces", key, "mode"),
                         f"{interface_words(key)} asks for ipvlan mode {link.mode} but its"
                         f" sibling {other} on"
                         f" {link.parent} uses {mode}; the kernel keeps one mode per parent and"
                         f" would silently switch {other} to {link.mode}: use one mode for all"
                         f" children of {link.parent}")


def check_parent_sharing(t: Topology) -> Iterator[Problem]:
    """ipvlan and macvlan each claim the parent's receive handler: never both on one parent."""
    claimed: dict[str, tuple[str, str]] = {}
    for key, link in t.interfaces.items():
        if not isinstance(link, Ipvlan | Macvlan) or link.parent is None:
            continue
        other = claimed.setdefault(link.parent, (key, link.kind))
        if other[1] != link.kind:
            yield _error("parent-mixed-kinds", ("interfaces", key, "parent"),
                         f"{interface_words(key)} is a {link.kind} on {link.parent}, which"
                         " already carries"
                         f" {other[1]} {other[0]}; the kernel refuses ipvlan and macvlan on one"
                         " parent (EBUSY): use one kind for all children of a parent")


def check_macvlan_passthru(t: Topology) -> Iterator[Problem]:
    children: dict[str, list[str]] = defaultdict(list)
    for key, link in t.interfaces.items():
        if isinstance(link, Macvlan) and link.parent is not None:
            children[link.parent].append(key)
    for parent, keys in children.items():
        passthru = [k for k in keys if getattr(t.interfaces[k], "mode", "") == "passthru"]
        if passthru and len(keys) > 1:
            others = ", ".join(k for k in keys if k != passthru[0])
            yield _error("macvlan-passthru-shared", ("interfaces", passthru[0], "mode"),
                         f"macvlan passthru gives the whole of {parent} to {passthru[0]}; the"
                         f" kernel refuses other macvlans on it ({others})")


def check_veth_peers(t: Topology) -> Iterator[Problem]:
    for key, link in t.interfaces.items():
        if not isinstance(link, Veth):
            continue
        path: ModelPath = ("interfaces", key, "peer")
        if link.peer is None:
            yield _error("veth-peer-missing", ("interfaces", key),
                         f"veth {key} needs 'peer:', the key of its other end")
            continue
        peer = t.interfaces.get(link.peer)
        if peer is None:
            yield _error("veth-peer-missing", path,
                         f"the peer '{link.peer}' of veth {key} does not exist: add it under"
                         " interfaces with kind veth and peer " + key)
        elif not isinstance(peer, Veth):
            yield _error("veth-peer-missing", path,
                         f"the peer {link.peer} of veth {key} is a {peer.kind}, not a veth")
        elif peer.peer != key:
            yield _error("veth-peer-missing", path,
                         f"veth {key} names {link.peer} as its peer, but {link.peer} names"
                         f" '{peer.peer}': both ends must name each other")
        elif link.peer == key:
            yield _error("loop", path, f"veth {key} cannot be its own peer")


def check_masters(t: Topology) -> Iterator[Problem]:
    for key, link in t.interfaces.items():
        master = t.interfaces.get(link.master) if link.master else None
        if master is None:
            continue
        path: ModelPath = ("interfaces", key, "master")
        if link.master == key:
            yield _error("loop", path, f"{interface_words(key)} cannot be a port of itself")
        elif isinstance(link, Bridge):
            yield _error("loop", path,
                         f"bridge {key} cannot be a port of bridge {link.master} (the kernel"
                         " refuses bridge-in-bridge with ELOOP): join them with a veth pair")
        elif not isinstance(master, Bridge):
            yield _error("master-not-bridge", path,
                         f"{interface_words(key)} names {link.master} as its master, but"
                         f" {link.master} is a"
                         f" {master.kind}; only a bridge can have ports")
        elif master.namespace != link.namespace:
            yield _error("master-other-namespace", path,
                         f"{interface_words(key)} is in {_where(link.namespace)} but bridge"
                         f" {link.master} is in"
                         f" {_where(master.namespace)}; a port must be in its bridge's namespace")


def check_cycles(t: Topology) -> Iterator[Problem]:
    """parent/dev references must not form a cycle (a parent of its own parent)."""
    edges: dict[str, str] = {}
    for key, link in t.interfaces.items():
        target = getattr(link, "parent", None) or getattr(link, "dev", None)
        if target in t.interfaces and target != key:
            edges[key] = target
    reported: set[str] = set()
    for start in edges:
        seen = [start]
        node = edges.get(start)
        while node is not None and node not in seen:
            seen.append(node)
            node = edges.get(node)
        if node == start and start not in reported:
            reported.update(seen)
            field = "parent" if getattr(t.interfaces[start], "parent", None) else "dev"
            yield _error("loop", ("interfaces", start, field),
                         "these interfaces are each other's parent: " + " → ".join([*seen, start]))


def check_names(t: Topology) -> Iterator[Problem]:
    """Kernel names must be unique within a namespace (host NICs count in the host's)."""
    taken: dict[tuple[str | None, str], str] = {
        (None, nic): f"host NIC {nic}" for nic in t.host.nics
    }
    for key, link in t.interfaces.items():
        name = link.name or key
        slot = (link.namespace, name)
        if slot in taken:
            path: ModelPath = ("interfaces", key, "name") if link.name else ("interfaces", key)
            yield _error("duplicate-name", path,
                         f"{interface_words(key)} would be called {name} in"
                         f" {_where(link.namespace)}, where"
                         f" {taken[slot]} already has that name")
        else:
            taken[slot] = f"interface {key}"


#: Names the checks, their reasons and the designer give to places that are no namespace of
#: the design: a namespace called so would read as that place in every pair and reason.
RESERVED_NAMESPACES = {
    "host": "the host's own namespace",
    "outside": "the address beyond the gateway a check probes (--target-outside)",
}


def check_reserved_names(t: Topology) -> Iterator[Problem]:
    """A namespace may not take a name that checks and the designer already use."""
    for key in t.namespaces:
        if key in RESERVED_NAMESPACES:
            yield _error("reserved-name", ("namespaces", key),
                         f"namespace '{key}' has the name checks, reasons and the designer give"
                         f" {RESERVED_NAMESPACES[key]}, so its results would read as that;"
                         f" rename it (e.g. {key}1)")


def _addresses(t: Topology) -> Iterator[tuple[str, ModelPath, StaticAddress, str | None]]:
    """(owner, path, address, namespace) for every static address in the topology."""
    for nic, host_nic in t.host.nics.items():
        for index, address in enumerate(static_entries(host_nic)):
            yield nic, ("host", "nics", nic, "addresses", index), address, None
    for key, link in t.interfaces.items():
        for index_all, entry in enumerate(link.addresses):
            if isinstance(entry, str):
                yield (key, ("interfaces", key, "addresses", index_all),
                       parse_static(entry), link.namespace)


def check_addresses(t: Topology) -> Iterator[Problem]:
    """No address twice on one segment or in one namespace; addresses agree with the anchor.

    An IPv6 address twice on one segment, in two namespaces, is what duplicate address
    detection is for: a warning that says what DAD will do (see ``dad_duplicate``)."""
    segment = segments(t)
    seen: dict[tuple[str, ipaddress.IPv4Address | ipaddress.IPv6Address],
               tuple[str, StaticAddress]] = {}
    for owner, path, entry, namespace in _addresses(t):
        address = entry.interface
        for scope in (f"ns:{namespace}", f"seg:{segment.get(owner, owner)}"):
            first = seen.get((scope, address.ip))
            other = first[0] if first is not None else None
            if first is not None and other != owner and scope.startswith("seg:") \
                    and address.version == 6:
                yield dad_duplicate(path, first, (owner, entry))
                break
            if other is not None and other != owner:
                yield _error("duplicate-address", path,
                             f"{address.ip} is given to both {other} and {owner}, which share"
                             f" {'a namespace' if scope.startswith('ns:') else 'a segment'}:"
                             " each address must be unique")
                break
        else:
            seen[(f"ns:{namespace}", address.ip)] = (owner, entry)
            seen[(f"seg:{segment.get(owner, owner)}", address.ip)] = (owner, entry)
    yield from _off_subnet(t, segment)


def _anchors(t: Topology, segment: dict[str, str]) -> dict[str, list[tuple[str, IpIf]]]:
    """Per segment, the addresses that define its subnet: host NICs and bridges."""
    anchors: dict[str, list[tuple[str, IpIf]]] = defaultdict(list)
    for nic, host_nic in t.host.nics.items():
        anchors[segment[nic]].extend((nic, a) for a in static_addresses(host_nic))
    for key, link in t.interfaces.items():
        if isinstance(link, Bridge):
            anchors[segment[key]].extend((key, a) for a in static_addresses(link))
    return anchors


def _off_subnet(t: Topology, segment: dict[str, str]) -> Iterator[Problem]:
    anchors = _anchors(t, segment)
    for key, link in t.interfaces.items():
        if isinstance(link, Bridge):
            continue
        if isinstance(link, Ipvlan) and link.mode != "l2":
            continue  # l3/l3s children are routed, not bridged: any subnet is fine
        own = anchors.get(segment[key], [])
        for index, entry in enumerate(link.addresses):
            if not isinstance(entry, str):
                continue
            address = parse_static(entry).interface
            same_family = [(n, a) for n, a in own if a.version == address.version]
            if same_family and not any(address.ip in a.network for _, a in same_family):
                nets = ", ".join(f"{a.network} ({n})" for n, a in same_family)
                yield _error("address-off-subnet", ("interfaces", key, "addresses", index),
                             f"{entry} on {key} is outside the subnet of its segment, {nets}:"
                             " nothing on that segment could reach it; use an address in"
                             f" {same_family[0][1].network}")


def _on_link(t: Topology, namespace: str | None, dev: str | None,
             up_only: bool = False) -> list[IpIf] | None:
    """Addresses that make a next hop on-link in a namespace; None when DHCP makes it unknown.

    ``up_only``: only interfaces that are up count, as for the kernel (a down interface has
    no connected route, so a gateway behind it is not on-link).
    """
    found: list[IpIf] = []
    for key, link in t.interfaces.items():
        if link.namespace != namespace or (dev is not None and (link.name or key) != dev):
            continue
        if up_only and link.state == "down":
            continue
        if any(isinstance(a, DhcpEntry) for a in link.addresses):
            return None
        found.extend(static_addresses(link))
    return found


def _holds(addresses: list[IpIf] | None, via: ipaddress.IPv4Address | ipaddress.IPv6Address,
           ) -> bool:
    """Whether ``via`` is in one of these subnets (None, unknown before a DHCP lease: yes)."""
    return addresses is None or any(via in a.network for a in addresses)


def _route_key(route: Route) -> tuple[int, str, int | None]:
    """Routes the kernel would call the same: one family, one destination, one metric
    (``default`` and ``0.0.0.0/0`` are one destination)."""
    if route.to != "default":
        family = ipaddress.ip_network(route.to).version
    else:
        family = ipaddress.ip_address(route.via).version if route.via else 4
    return family, "default" if is_default_destination(route.to) else route.to, route.metric


def check_routes(t: Topology) -> Iterator[Problem]:
    for nic, host_nic in t.host.nics.items():
        gateway = host_nic.gateway
        nets = [a.network for a in static_addresses(host_nic)]
        if gateway and nets and not any(ipaddress.ip_address(gateway) in n for n in nets):
            yield _error("gateway-off-link", ("host", "nics", nic, "gateway"),
                         f"gateway {gateway} of {nic} is not inside its subnet"
                         f" {', '.join(map(str, nets))}: a gateway must be on-link")
    members: dict[str | None, list[tuple[str, Interface]]] = {}  # one pass, not one per ns
    for key, link in t.interfaces.items():
        members.setdefault(link.namespace, []).append((key, link))
    for ns, namespace in t.namespaces.items():
        named = namespace_words(ns)  # "in namespace gateway", never "in gateway"
        names = {link.name or key for key, link in members.get(ns, [])}
        down = {link.name or key: key for key, link in members.get(ns, [])
                if link.state == "down"}
        counts = Counter(_route_key(r) for r in namespace.routes)
        for index, route in enumerate(namespace.routes):
            path: ModelPath = ("namespaces", ns, "routes", index)
            if route.via is None and route.dev is None:
                yield _error("invalid-route", path,
                             f"route to {route.to} in {named} needs 'via' (a next hop) or 'dev'")
                continue
            if route.dev is not None and route.dev not in names:
                yield _error("unknown-reference", (*path, "dev"),
                             f"route to {route.to} in {named} uses dev {route.dev}, but {named}"
                             " has no interface with that name")
            elif route.dev is not None and route.dev in down:
                yield _error("route-link-down", (*path, "dev"),
                             f"route to {route.to} in {named} goes out {route.dev}, which is down"
                             f" (state: down): the kernel refuses a route through a device that"
                             f" is not up; set 'state: up' on {down[route.dev]}, or remove the"
                             " route")
                continue
            if route.via is not None:
                via = ipaddress.ip_address(route.via)
                if route.to != "default" and ipaddress.ip_network(route.to).version != via.version:
                    yield _error("invalid-route", (*path, "via"),
                                 f"route to {route.to} goes via {via}, an address of the other"
                                 " IP family")
                    continue
                on_link = _on_link(t, ns, route.dev)
                if on_link is not None and not any(via in a.network for a in on_link):
                    yield _error("gateway-off-link", (*path, "via"),
                                 f"next hop {via} is not on any subnet of {named}"
                                 f"{' on ' + route.dev if route.dev else ''}: the kernel refuses"
                                 " it (Nexthop has invalid gateway); use an address inside"
                                 " one of its subnets")
                elif on_link is not None and not _holds(_on_link(t, ns, route.dev, True), via):
                    holders = sorted(key for key, link in t.interfaces.items()
                                     if link.namespace == ns and link.state == "down"
                                     and any(via in a.network for a in static_addresses(link)))
                    yield _error("gateway-link-down", (*path, "via"),
                                 f"next hop {via} in {named} is on-link only through"
                                 f" {' and '.join(holders)}, which is down (state: down): a down"
                                 " interface has no connected route, so the kernel refuses the"
                                 f" route (Nexthop has invalid gateway); set 'state: up' on"
                                 f" {holders[0]}, or remove the route")
            if counts[_route_key(route)] > 1 and route.via is not None:
                first = next(i for i, r in enumerate(namespace.routes)
                             if _route_key(r) == _route_key(route))
                if first != index:
                    yield _error("duplicate-route", path,
                                 f"{named} already has a route to {route.to} with the same metric:"
                                 " give one of them a different metric")


def check_placement(t: Topology) -> Iterator[Problem]:
    for key, link in t.interfaces.items():
        if link.persist and link.namespace is not None:
            yield _error("persist-in-namespace", ("interfaces", key, "persist"),
                         f"{interface_words(key)} is in namespace {link.namespace};"
                         " NetworkManager keeps only"
                         " host-level objects across reboots, so persist applies to the host only")
        if isinstance(link, Vxlan):
            if link.remote is None and link.group is None:
                yield _error("vxlan-no-remote", ("interfaces", key),
                             f"vxlan {key} needs 'remote' (the other tunnel end) or 'group'"
                             " (a multicast address) to know where to send")
            elif link.remote is not None and link.group is not None:
                yield _error("invalid-value", ("interfaces", key, "group"),
                             f"vxlan {key} has both 'remote' and 'group'; use one")
            elif link.group is not None and not ipaddress.ip_address(link.group).is_multicast:
                yield _error("invalid-value", ("interfaces", key, "group"),
                             f"vxlan group {link.group} is not a multicast address")
    vlan_ids: dict[tuple[str, int], str] = {}
    for key, link in t.interfaces.items():
        if isinstance(link, Vlan) and link.parent is not None:
            slot = (link.parent, link.id)
            if slot in vlan_ids:
                yield _error("duplicate-vlan", ("interfaces", key, "id"),
                             f"{vlan_ids[slot]} already uses vlan id {slot[1]} on {slot[0]}")
            else:
                vlan_ids[slot] = key


def check_mtu(t: Topology) -> Iterator[Problem]:
    for key, link in t.interfaces.items():
        parent = t.interfaces.get(getattr(link, "parent", None) or "")
        if link.mtu and parent is not None and parent.mtu and link.mtu > parent.mtu:
            yield _error("mtu-above-parent", ("interfaces", key, "mtu"),
                         f"{interface_words(key)} asks for MTU {link.mtu}, above its parent"
                         f" {parent.name or getattr(link, 'parent', '')}'s"
                         f" {parent.mtu}; the kernel refuses it")


def warn_parent_isolation(t: Topology) -> Iterator[Problem]:
    """The seed's surprise: ipvlan/macvlan children never reach their parent's own IP."""
    for key, link in t.interfaces.items():
        if not isinstance(link, Ipvlan | Macvlan) or link.parent is None:
            continue
        parent = t.host.nics.get(link.parent) or t.interfaces.get(link.parent)
        if parent is None:
            continue
        parent_addrs = static_addresses(parent)
        for address in static_addresses(link):
            near = [p for p in parent_addrs
                    if p.version == address.version and address.ip in p.network]
            if near:
                yield _warning("parent-ip-unreachable", ("interfaces", key, "parent"),
                               f"{interface_words(key)} ({address.ip}) will not reach its parent"
                               f" {link.parent}'s own"
                               f" address {near[0].ip}: {link.kind} isolates children from their"
                               f" parent. If the host must talk to {key}, give the host its own"
                               f" {link.kind} on {link.parent} and put {near[0].ip} there")
                break


def warn_dhcp_client_id(t: Topology) -> Iterator[Problem]:
    for key, link in t.interfaces.items():
        if not isinstance(link, Ipvlan):
            continue
        for index, entry in enumerate(link.addresses):
            if isinstance(entry, DhcpEntry) and entry.dhcp.client_id is None:
                yield _warning("ipvlan-dhcp-no-client-id", ("interfaces", key, "addresses", index),
                               f"{interface_words(key)} shares the MAC of {link.parent} with"
                               " every sibling, and DHCP"
                               " servers tell clients apart by MAC: Netwright will send a client-id"
                               " derived from the topology and interface name; set"
                               " '{dhcp: {client-id: …}}' to choose it")


def check_dhcp(t: Topology) -> Iterator[Problem]:
    """One ``dhcp`` entry per interface, and no route that only DHCP could make reachable but
    DHCP never will.

    One DHCP client runs per interface and holds one lease: a second ``dhcp`` entry would be
    silently ignored. A route ``via`` a gateway that no static address has on-link is added
    by the DHCP client once its lease holds the gateway's subnet
    (``netwright.backend.dhcp.routes``); the client leases IPv4 only, so an IPv6 gateway there
    would never be reachable.
    """
    for key, link in t.interfaces.items():
        entries = [i for i, entry in enumerate(link.addresses) if isinstance(entry, DhcpEntry)]
        for index in entries[1:]:
            yield _error("duplicate-dhcp", ("interfaces", key, "addresses", index),
                         f"{interface_words(key)} asks DHCP for its address more than once, but"
                         " one DHCP client"
                         " runs per interface and holds one lease: keep one 'dhcp' entry (with"
                         " static addresses next to it if the interface needs more)")
    for ns, namespace in t.namespaces.items():
        for index, route in enumerate(namespace.routes):
            if route.via is None or ipaddress.ip_address(route.via).version != 6:
                continue
            on_dev = [link for key, link in t.interfaces.items() if link.namespace == ns
                      and (route.dev is None or (link.name or key) == route.dev)]
            if not any(dhcp_entries(link) for link in on_dev):
                continue  # check_routes judges it
            via = ipaddress.ip_address(route.via)
            if any(via in a.network for link in on_dev for a in static_addresses(link)):
                continue
            yield _error("gateway-off-link", ("namespaces", ns, "routes", index, "via"),
                         f"next hop {via} in {namespace_words(ns)} could only be on-link through a"
                         " DHCP lease,"
                         " and DHCP gives IPv4 addresses only: it would never be reachable;"
                         " give an interface of that namespace a static IPv6 address in its"
                         " subnet, or route via an IPv4 gateway")


RULES: tuple[Callable[[Topology], Iterator[Problem]], ...] = (
    check_references,
    check_parents,
    check_ipvlan_modes,
    check_parent_sharing,
    check_macvlan_passthru,
    check_veth_peers,
    check_masters,
    bridge_port_limit_problems,
    check_cycles,
    check_names,
    check_reserved_names,
    check_addresses,
    check_routes,
    check_dhcp,
    check_placement,
    check_mtu,
    warn_parent_isolation,
    warn_missing_default,
    warn_dhcp_client_id,
    packet_problems,
    link_problems,
    impairment_problems,
    existing_problems,
    nodad_problems,
)


def semantic_problems(topology: Topology) -> list[Problem]:
    """Every relational problem of a model that passed field validation."""
    problems: list[Problem] = []
    for rule in RULES:
        problems.extend(rule(topology))
    return problems
