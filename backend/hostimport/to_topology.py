"""The live host as a topology file: every object ``existing``, the host's own NICs as
``host.nics``, with a layout.

Keys are the kernel names where they are unique (a second ``eth0`` becomes ``<ns>-eth0`` with
``name: eth0``); anonymous namespaces are named after what holds them (the container id, else
the process name and pid). What the file format cannot express (a tun device inside a
namespace, a sub-interface whose parent lives in a third namespace) is left out and listed,
never guessed. Nothing in the file is owned by it: applying it changes nothing.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from netwright.backend.export.multus_import import topology_yaml
from netwright.backend.hostimport.leases import (
    design_addresses,
    lease_comments,
    leased_ipv4,
    observed_addresses,
)
from netwright.backend.kernel.netns import Where
from netwright.backend.observe.host import HostView, ObservedNamespace
from netwright.backend.observe.markers import parse_marker
from netwright.backend.observe.namespaces import namespace_key, natural_key, unique_keys
from netwright.backend.observe.state import FALLBACK_DEVICES, LinkState
from netwright.backend.observe.sysctls import FORWARDING
from netwright.backend.topology.fields import check_interface_name
from netwright.backend.topology.model import LINK_KINDS, SUB_INTERFACE_KINDS
from netwright.backend.topology.validate import RESERVED_NAMESPACES

_BREAKS = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")
_ENTRY = re.compile(r"^( +)(['\"]?)([^'\":]+)\2:")
_IPVLAN_MODES = {0: "l2", 1: "l3", 2: "l3s"}
_IPVLAN_FLAGS = {0: "bridge", 1: "private", 2: "vepa"}
_VLAN_PROTOCOLS = {0x8100: "802.1Q", 0x88A8: "802.1ad"}


def namespace_keys(view: HostView, prefix: str = "") -> dict[Where, str]:
    """The file key of every namespace of ``view`` but the host's and those outside it
    (``namespace_key``, made unique), by the file that opens the namespace."""
    listed = sorted((ns for ns in view.namespaces if not (ns.is_host or ns.outside)),
                    key=lambda ns: (natural_key(namespace_key(ns, prefix)), ns.inode))
    # in natural order of their keys (the file's, the layout's columns and the live view's)
    return {ns.where: key for ns, key in zip(listed, unique_keys(listed, prefix), strict=True)}


def namespace_holders(view: HostView, prefix: str = "") -> dict[str, str]:
    """What holds each anonymous namespace, by its file key ("held by sleep (pid 4242)",
    "held by container 0123456789ab"): the key alone does not say it to a reader."""
    keys = namespace_keys(view, prefix)
    held: dict[str, str] = {}
    for ns in view.namespaces:
        if ns.where not in keys or ns.name or not ns.holders:
            continue
        holder = ns.holders[0]
        held[keys[ns.where]] = (f"held by container {holder.container[:12]}" if holder.container
                                else f"held by {holder.comm} (pid {holder.pid})")
    return held


def design_key(link: LinkState) -> str | None:
    """The key a Netwright design gave ``link``, read from its owner's marker: an import of a
    deployment then reads as its design does (``vxlan-a`` and ``vxlan-b``, not ``vxlan100``
    and ``hostb-vxlan100`` for two links of one kernel name). None for a link no design made,
    or a marker whose key is no interface key (anyone may write an alias)."""
    found = parse_marker(link.alias)
    if found is None:
        return None
    try:
        return check_interface_name(found[1])
    except ValueError:
        return None


@dataclass
class _Import:
    view: HostView
    keys: dict[tuple[Where, int], str] = field(default_factory=dict)  # (where, index) → key
    ns_keys: dict[Where, str] = field(default_factory=dict)
    nics: dict[str, dict[str, Any]] = field(default_factory=dict)
    interfaces: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    as_design: bool = False
    leases: dict[str, list[str]] = field(default_factory=dict)  # key → IPv4 leases → dhcp

    def unique_key(self, name: str, ns_key: str | None) -> str:
        def free(key: str) -> bool:
            return key not in self.interfaces and key not in self.nics

        if free(name):
            return name
        if free(candidate := f"{ns_key}-{name}"[:15]):
            return candidate
        n = 2
        while not free(candidate := f"{name[:10]}-{n}"):
            n += 1
        return candidate

    def wanted(self, ns: ObservedNamespace, link: LinkState) -> bool:
        if link.name == "lo":
            return False
        if not ns.is_host and link.name in FALLBACK_DEVICES:
            return False  # made by the kernel in every namespace, not by anyone
        if link.kind in LINK_KINDS:
            return True
        if ns.is_host:
            return True  # a NIC of the host (physical, bond, tun, wireguard …)
        self.skipped.append(f"{link.name} ({link.kind or 'device'}) in {ns.label}: the file"
                            " format has no such kind inside a namespace")
        return False

    def assign(self, selected: list[ObservedNamespace]) -> list[tuple[ObservedNamespace,
                                                                     LinkState]]:
        order: list[tuple[ObservedNamespace, LinkState]] = []
        for ns in selected:
            ns_key = self.ns_keys.get(ns.where)
            for link in sorted(ns.state.links.values(), key=lambda x: x.index):
                if not self.wanted(ns, link):
                    continue
                if ns.is_host and (link.kind not in LINK_KINDS or self.leads_out(ns, link)):
                    self.nics[link.name] = {}
                    self.keys[(ns.where, link.index)] = link.name
                    order.append((ns, link))
                    continue
                key = self.unique_key(design_key(link) or link.name, ns_key)
                self.interfaces[key] = {}
                self.keys[(ns.where, link.index)] = key
                order.append((ns, link))
        return order

    def leads_out(self, ns: ObservedNamespace, link: LinkState) -> bool:
        """A link into a namespace outside the host (the lab's uplink): the host's NIC."""
        hit = self.view.remote.get((ns.where, link.index))
        return hit is not None and self.view.namespace(hit[0]).outside

    def ref(self, ns: ObservedNamespace, link: LinkState, index: int | None) -> str | None:
        """The key of the link ``link`` points at (IFLA_LINK/master/vxlan dev)."""
        if index is None:
            return None
        if link.link_netnsid is not None and index == link.link:
            hit = self.view.remote.get((ns.where, link.index))
            return self.keys.get(hit) if hit else None
        return self.keys.get((ns.where, index))

    def fill(self, ns: ObservedNamespace, link: LinkState) -> None:
        key = self.keys[(ns.where, link.index)]
        addresses = observed_addresses(link)
        if link.name in self.nics:
            nic: dict[str, Any] = {}
            if addresses:
                nic["addresses"] = addresses
            if link.mac:
                nic["mac"] = link.mac
            gateway = _gateway(ns, link.name)
            if gateway is not None:
                nic["gateway"] = gateway
            self.nics[link.name] = nic
            return
        out: dict[str, Any] = {"kind": link.kind}
        if key != link.name:
            out["name"] = link.name
        if not ns.is_host:
            out["namespace"] = self.ns_keys[ns.where]
        out["existing"] = True
        if self.as_design and leased_ipv4(link):  # applied elsewhere, it leases again
            addresses = design_addresses(link)
            self.leases[key] = leased_ipv4(link)
        if addresses:
            out["addresses"] = addresses
        out["mtu"] = link.mtu
        if link.mac:
            out["mac"] = link.mac
        if not link.up:
            out["state"] = "down"
        master = self.keys.get((ns.where, link.master)) if link.master else None
        if master is not None:
            out["master"] = master
        problem = self.kind_fields(ns, link, out)
        if problem:
            self.skipped.append(f"{link.name} ({link.kind}) in {ns.label}: {problem}")
            del self.interfaces[key]
            return
        self.interfaces[key] = out

    def kind_fields(self, ns: ObservedNamespace, link: LinkState, out: dict[str, Any]
                    ) -> str | None:
        info = link.info
        if link.kind == "veth":
            peer = self.ref(ns, link, link.link)
            if peer is None:
                return "its peer is in a namespace not imported"
            out["peer"] = peer
        elif link.kind in SUB_INTERFACE_KINDS:
            parent = self.ref(ns, link, link.link)
            if parent is None:
                return "its parent is in a namespace not imported"
            out["parent"] = parent
            if link.kind == "macvlan":
                out["mode"] = info.get("IFLA_MACVLAN_MODE", "vepa")
            elif link.kind == "ipvlan":
                out["mode"] = _IPVLAN_MODES.get(info.get("IFLA_IPVLAN_MODE", 0), "l2")
                out["flag"] = _IPVLAN_FLAGS.get(info.get("IFLA_IPVLAN_FLAGS", 0), "bridge")
            else:
                out["id"] = info.get("IFLA_VLAN_ID")
                out["protocol"] = _VLAN_PROTOCOLS.get(info.get("IFLA_VLAN_PROTOCOL", 0x8100),
                                                      "802.1Q")
        elif link.kind == "vxlan":
            out["vni"] = info.get("IFLA_VXLAN_ID", 0)
            for attr in ("IFLA_VXLAN_GROUP", "IFLA_VXLAN_GROUP6"):
                if info.get(attr):
                    multicast = _is_multicast(info[attr])
                    out["group" if multicast else "remote"] = info[attr]
            for attr in ("IFLA_VXLAN_LOCAL", "IFLA_VXLAN_LOCAL6"):
                if info.get(attr):
                    out["local"] = info[attr]
            out["port"] = info.get("IFLA_VXLAN_PORT", 4789)
            dev = self.keys.get((ns.where, info.get("IFLA_VXLAN_LINK") or -1))
            if dev is not None:
                out["dev"] = dev
        elif link.kind == "bridge":
            out["stp"] = bool(info.get("IFLA_BR_STP_STATE", 0))
            if info.get("IFLA_BR_VLAN_FILTERING"):
                out["vlan-filtering"] = True
        return None


def _gateway(ns: ObservedNamespace, nic: str) -> str | None:
    """The gateway of the host's default route over ``nic`` (IPv4 before IPv6, then the
    lowest metric): what the checks need to predict the way out."""
    found = [(":" in route.via, route.metric or 0, route.via) for route in ns.state.routes
             if route.to == "default" and route.dev == nic and route.via]
    return min(found)[2] if found else None


def _host_routes_left_out(ns: ObservedNamespace, nics: dict[str, dict[str, Any]]) -> list[str]:
    """The host's routes the file cannot hold, one sentence each: it keeps only a NIC's
    gateway (the default route over each host NIC), so any other route of the host — a
    default route over a bridge or veth, a static route to a subnet — would silently be
    missing from every prediction made on the import."""
    out = []
    for route in ns.state.routes:
        if route.to == "default" and route.via and route.dev in nics \
                and nics[route.dev].get("gateway") == route.via:
            continue
        text = " ".join(part for part in (
            route.to, f"via {route.via}" if route.via else "",
            f"dev {route.dev}" if route.dev else "") if part)
        why = (f"{route.dev} is not a host NIC" if route.to == "default" and route.dev
               and route.dev not in nics else "only a host NIC's gateway is kept")
        out.append(f"the host's route {text}: the file format has no routes of the host"
                   f" ({why}), so predictions through it are made without it")
    return out


def _host_forwarding_left_out(ns: ObservedNamespace) -> list[str]:
    """The host's forwarding, when on: a file of existing objects leaves the host's own
    settings to it (host.forwarding would make Netwright own it), so a design copied from
    it (--as-design) would not route through the host where it is applied."""
    on = [f"IPv{version}" for version, value in sorted(ns.forwarding.items()) if value]
    if not on:
        return []
    return [f"the host's {' and '.join(on)} forwarding (on): the file leaves the host's own"
            " settings alone (host.forwarding would make Netwright own it); check --host reads"
            " it from the kernel"]


def _shared_addresses_left_out(nics: dict[str, dict[str, Any]]) -> list[str]:
    """Keep an address the host holds on several NICs on one of them, one sentence for each
    NIC it is left out of. Linux lets two NICs (Wi-Fi and Ethernet to one router) hold one
    address; a file gives each address to one NIC. It stays on a NIC with a gateway (the way
    out the predictions use), else on the first by name."""
    out = []
    holder: dict[str, str] = {}
    for name in sorted(nics, key=lambda n: ("gateway" not in nics[n], natural_key(n))):
        kept = []
        for entry in nics[name].get("addresses", []):
            ip = str(ipaddress.ip_interface(entry.split()[0]).ip)
            if ip in holder:
                out.append(f"{ip} on {name}: the host holds it on {holder[ip]} too, and a file"
                           f" gives an address to one NIC only, so it is kept on {holder[ip]}")
                continue
            holder[ip] = name
            kept.append(entry)
        if kept:
            nics[name]["addresses"] = kept
        else:
            nics[name].pop("addresses", None)
    return out


def _is_multicast(address: str) -> bool:
    return ipaddress.ip_address(address).is_multicast


def _prune(interfaces: dict[str, dict[str, Any]], nics: dict[str, Any],
           skipped: list[str]) -> None:
    """Leave out what leans on something left out (a veth whose peer was skipped …)."""
    changed = True
    while changed:
        changed = False
        for key, link in list(interfaces.items()):
            gone = [f for f in ("peer", "parent", "master", "dev")
                    if f in link and link[f] not in interfaces and link[f] not in nics]
            if gone:
                skipped.append(f"{link.get('name', key)}: its {gone[0]} {link[gone[0]]} is"
                               " not imported")
                del interfaces[key]
                changed = True


def _namespace_entry(ns: ObservedNamespace, as_design: bool) -> dict[str, Any]:
    out: dict[str, Any] = {} if as_design else {"existing": True}
    routes = []
    for route in ns.state.routes:
        entry: dict[str, Any] = {"to": route.to}
        if route.via:
            entry["via"] = route.via
        if route.dev:
            entry["dev"] = route.dev
        if route.metric is not None:
            entry["metric"] = route.metric
        routes.append(entry)
    if routes:
        out["routes"] = routes
    # forwarding as observed (a new namespace's is off): a router namespace is predicted to
    # forward, and a design copied from it (--as-design) forwards where it is applied
    on = {FORWARDING[version]: 1 for version, value in ns.forwarding.items() if value}
    if on:
        out["sysctls"] = on
    return out


def _layout(namespaces: dict[str, dict[str, Any]], nics: dict[str, Any],
            interfaces: dict[str, dict[str, Any]]) -> dict[str, dict[str, float]]:
    """The host's objects in a row on top, each namespace a column below with its links."""
    layout: dict[str, dict[str, float]] = {}
    top = [k for k in nics] + [k for k, v in interfaces.items() if "namespace" not in v]
    for index, key in enumerate(top):
        layout[key] = {"x": float(index * 160), "y": 0.0}
    inside_of: dict[str, list[str]] = {}
    for key, link in interfaces.items():
        if "namespace" in link:
            inside_of.setdefault(link["namespace"], []).append(key)
    for column, ns_key in enumerate(namespaces):
        layout[ns_key] = {"x": float(column * 240), "y": 240.0}
        for row, key in enumerate(inside_of.get(ns_key, [])):
            layout[key] = {"x": float(column * 240), "y": 320.0 + row * 60}
    return layout


def host_topology(view: HostView, name: str, only: list[str] | None = None, *,
                  as_design: bool = False, prefix: str = "",
                  leases: dict[str, list[str]] | None = None
                  ) -> tuple[dict[str, Any], list[str]]:
    """The topology (as plain data) of what ``view`` saw, and what was left out (sentences).

    ``only``: namespace keys (or /run/netns names) to import besides the host; an unknown one
    is refused with the list of those that exist. ``as_design``: nothing marked existing, so
    applying the file elsewhere (an empty namespace, another machine) builds the same graph;
    an interface's DHCP lease is then ``dhcp`` (``leases.py``), and ``leases``, when given,
    receives the addresses leased, by interface key."""
    work = _Import(view, as_design=as_design)
    work.ns_keys = namespace_keys(view, prefix)
    taken = set(work.ns_keys.values())
    if only is not None:
        unknown = sorted(set(only) - taken, key=natural_key)
        if unknown:
            raise LookupError(f"no namespace {', '.join(unknown)} on this host; there are: "
                              f"{', '.join(sorted(taken, key=natural_key)) or 'none'}")
    # a namespace named as Netwright names the host or the outside would read as that in
    # every check and reason (the file would not validate): left out, and said
    reserved = {ns.where for ns in view.namespaces
                if work.ns_keys.get(ns.where) in RESERVED_NAMESPACES}
    work.skipped += [f"namespace {key}: Netwright gives that name to"
                     f" {RESERVED_NAMESPACES[key]}, so it cannot be told apart from it"
                     for where, key in work.ns_keys.items() if where in reserved]
    selected = [ns for ns in view.namespaces if ns.is_host or (
        not ns.outside and ns.where not in reserved
        and (only is None or work.ns_keys[ns.where] in only))]
    for ns, link in work.assign(selected):
        work.fill(ns, link)
    _prune(work.interfaces, work.nics, work.skipped)
    work.skipped += _host_routes_left_out(view.namespaces[0], work.nics)
    work.skipped += _host_forwarding_left_out(view.namespaces[0])
    work.skipped += _shared_addresses_left_out(work.nics)
    column = {key: n for n, key in enumerate(work.ns_keys.values())}
    # by namespace, then key: the order (and so the layout) never depends on kernel indexes
    work.interfaces = dict(sorted(work.interfaces.items(), key=lambda item: (
        column.get(item[1].get("namespace", ""), -1), natural_key(item[0]))))
    work.nics = dict(sorted(work.nics.items(), key=lambda item: natural_key(item[0])))
    if as_design:
        for entry in work.interfaces.values():
            entry.pop("existing")
    namespaces = {work.ns_keys[ns.where]: _namespace_entry(ns, as_design)
                  for ns in sorted(selected, key=lambda ns: column.get(
                      work.ns_keys.get(ns.where, ""), -1)) if not ns.is_host}
    what = "a design copied from the live host" if as_design else "the live host"
    data: dict[str, Any] = {"netwright": 1, "name": name,
                            "description": f"{what}, imported by `netwright import`"}
    if work.nics:
        data["host"] = {"nics": work.nics}
    data["namespaces"] = namespaces
    data["interfaces"] = work.interfaces
    data["layout"] = _layout(namespaces, work.nics, work.interfaces)
    if leases is not None:
        leases.update((k, v) for k, v in work.leases.items() if k in work.interfaces)
    return data, work.skipped


def host_yaml(view: HostView, name: str, only: list[str] | None = None, *,
              as_design: bool = False, prefix: str = "",
              about: Mapping[str, str] | None = None) -> tuple[str, list[str]]:
    """``host_topology`` as the file's text. ``about``: a line of information by kernel
    name of a device in the host's namespace (NetworkManager's profile of it), written as a
    comment above the device's entry: the file stays what it was, for people to read."""
    leases: dict[str, list[str]] = {}
    data, skipped = host_topology(view, name, only, as_design=as_design, prefix=prefix,
                                  leases=leases)
    header = ("# Copied from the live host by `netwright import --as-design`.\n" if as_design
              else "# Imported from the live host by `netwright import`: every object is"
              " existing.\n")
    text = lease_comments(topology_yaml(data), leases)
    return header + _commented(text, data, about or {}), skipped


def _one_line(text: str) -> str:
    """``text`` as one line of a comment: line breaks and other control characters escaped
    (``\\n``). What is said comes from others (a NetworkManager profile's name is chosen by
    whoever made the profile), and a line break in it would add lines to the file."""
    return _BREAKS.sub(lambda found: repr(found[0])[1:-1], text)


def _commented(text: str, data: dict[str, Any], about: Mapping[str, str]) -> str:
    """``text`` with ``# about[name]`` above the entry of each host device named in
    ``about`` (a NIC under host.nics, or an interface of the host's namespace)."""
    if not about:
        return text
    nics = {key: about[key] for key in data.get("host", {}).get("nics", {}) if key in about}
    links = {key: about[entry.get("name", key)]
             for key, entry in data.get("interfaces", {}).items()
             if "namespace" not in entry and entry.get("name", key) in about}
    out: list[str] = []
    section = None
    for line in text.splitlines(keepends=True):
        if line[:1].strip():
            section = line.split(":", 1)[0]
        elif line.startswith("  nics:"):
            section = "nics"
        found = _ENTRY.match(line)
        if found:
            indent, key = len(found.group(1)), found.group(3)
            said = (nics.get(key) if section == "nics" and indent == 4 else
                    links.get(key) if section == "interfaces" and indent == 2 else None)
            if said:
                out.append(f"{found.group(1)}# {_one_line(said)}\n")
        out.append(line)
    return "".join(out)
