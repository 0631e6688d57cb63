"""`netwright export --format multus`: the design as Kubernetes NetworkAttachmentDefinitions.

A pod is a network namespace, and Multus gives a pod extra interfaces configured by the
reference CNI plugins, which build exactly the seed's kinds. So a namespace becomes a Pod, and
each of its interfaces that a reference plugin can build becomes one *attachment*: a
NetworkAttachmentDefinition whose ``spec.config`` runs that plugin (ipvlan, macvlan, vlan on
the node's NIC; bridge for a veth whose host end is a port of a host bridge) with ``static``
IPAM carrying the design's addresses and routes, or ``dhcp`` IPAM. This module decides the
mapping and lists, per object, everything of the design that the plugins cannot express; it
never drops anything silently. It reads only the model (no kernel, no Kubernetes API).

Example::

    >>> from netwright.backend.topology import parse_topology
    >>> t = parse_topology(open("examples/seed-ipvlan-l2.yaml").read())  # doctest: +SKIP
    >>> [a.nad_name for a in export_multus(t).attachments]              # doctest: +SKIP
    ['seed-ipvlan1', 'seed-ipvlan2']
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from netwright.backend.clipped import clipped
from netwright.backend.dhcp.identity import client_id_bytes, client_id_text
from netwright.backend.export.k8s_names import dns_label, is_dns_label
from netwright.backend.observe.sysctls import FORWARDING
from netwright.backend.topology.fields import (
    INTERFACE_SYSCTL,
    TUNING_IFNAME,
    check_interface_name,
    sysctl_interface,
)
from netwright.backend.topology.model import (
    Bridge,
    Ipvlan,
    Macvlan,
    Route,
    Topology,
    Veth,
    Vlan,
    dhcp_entries,
    static_addresses,
    static_entries,
)
from netwright.backend.topology.problems import NetwrightError

CNI_VERSION = "0.4.0"  # CHECK exists since 0.4.0; Multus 3/4 and plugins >= 0.8 take it
POD_IMAGE = "registry.k8s.io/pause:3.9"  # holds the pod's namespace and nothing else
ANNOTATION_PREFIX = "netwright.io"
CLUSTER_INTERFACE = "eth0"  # every pod's interface on the cluster's default network
_DEFAULT = {4: "0.0.0.0/0", 6: "::/0"}
Gateway = ipaddress.IPv4Interface | ipaddress.IPv6Interface


@dataclass(frozen=True)
class NotCarried:
    """Something of the design the exported YAML does not carry, and why."""

    where: str  # a model path such as ``interfaces.vxlan-a`` or ``namespaces.c1.routes[1]``
    reason: str

    def text(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class Attachment:
    """One interface of a pod: a NetworkAttachmentDefinition and its pod annotation entry."""

    key: str  # the design's interface key
    namespace: str
    nad_name: str
    ifname: str  # the interface name inside the pod
    config: dict[str, Any]  # a CNI network configuration (one plugin or a list)
    ips: list[str] = field(default_factory=list)
    mac: str | None = None
    host_port: str | None = None  # the design's host-side veth key (bridge attachments)
    notes: list[NotCarried] = field(default_factory=list)

    def selection(self) -> dict[str, Any]:
        """The entry of ``k8s.v1.cni.cncf.io/networks`` that asks for this attachment."""
        entry: dict[str, Any] = {"name": self.nad_name, "interface": self.ifname}
        if self.ips:
            entry["ips"] = list(self.ips)
        if self.mac:
            entry["mac"] = self.mac
        return entry


@dataclass
class PodPlan:
    """One pod per namespace: its attachments in the design's interface order."""

    namespace: str
    pod_name: str
    node: str | None
    attachments: list[Attachment] = field(default_factory=list)
    notes: list[NotCarried] = field(default_factory=list)


@dataclass
class MultusExport:
    """The whole mapping; ``not_carried`` lists every object the YAML leaves out."""

    topology: Topology
    pods: list[PodPlan]
    host_notes: list[NotCarried]
    info: list[str] = field(default_factory=list)

    @property
    def attachments(self) -> list[Attachment]:
        return [a for pod in self.pods for a in pod.attachments]

    @property
    def not_carried(self) -> list[NotCarried]:
        notes = list(self.host_notes)
        for pod in self.pods:
            notes += pod.notes
            for attachment in pod.attachments:
                notes += attachment.notes
        return notes


CLI_RENAME_HINT = "rename with --nic {nic}=NAME"


class MultusMapping:
    """Walks one design and builds its attachments; one instance per export."""

    def __init__(self, topology: Topology, nic_map: dict[str, str],
                 rename_hint: str = CLI_RENAME_HINT) -> None:
        self.topology = topology
        self.nic_map = nic_map
        self.rename_hint = rename_hint  # how the reader renames {nic}: the CLI's option
        self.carried: set[str] = set()  # interface keys the plugins build
        self.bridges_used: set[str] = set()  # kernel names of host bridges the plugin joins
        self.pending: list[NotCarried] = []  # design-level notes found while mapping
        self.attachments: list[Attachment] = []  # every pod's, in the order they are made

    # -- the whole design ---------------------------------------------------------------

    def run(self) -> MultusExport:
        t = self.topology
        pods = [self._pod(ns) for ns in t.namespaces]
        host_notes = self._host_notes()
        return MultusExport(t, pods, host_notes, self.info())

    def _pod(self, namespace: str) -> PodPlan:
        t = self.topology
        spec = t.namespaces[namespace]
        pod = PodPlan(namespace, dns_label(f"{t.name}-{namespace}"), spec.node)
        used = {CLUSTER_INTERFACE}
        for key, link in t.interfaces.items():
            if link.namespace != namespace:
                continue
            attachment = self._attachment(key, used)
            if attachment is None:
                continue
            used.add(attachment.ifname)
            pod.attachments.append(attachment)
            self.attachments.append(attachment)
            self.carried.add(key)
            if attachment.host_port:
                self.carried.add(attachment.host_port)
        self._place_routes(pod, spec.routes)
        owned = spec.forwarding
        sysctls = {FORWARDING[version]: str(int(on)) for version, on in (
            (4, owned.ipv4 if owned else None), (6, owned.ipv6 if owned else None))
            if on is not None}
        sysctls.update({key: str(value) for key, value in spec.sysctls.items()})
        self._place_sysctls(pod, sysctls)
        where = f"namespaces.{namespace}"
        if spec.nat:
            pod.notes.append(NotCarried(where + ".nat", "a pod's own NAT: no reference CNI"
                                        " plugin writes it"))
        if spec.firewall is not None:
            pod.notes.append(NotCarried(where + ".firewall", "a pod's own firewall rules: no"
                                        " reference CNI plugin writes them"))
        return pod

    # -- one interface ------------------------------------------------------------------

    def _attachment(self, key: str, used: set[str]) -> Attachment | None:
        t = self.topology
        link = t.interfaces[key]
        where = f"interfaces.{key}"
        plugin: dict[str, Any]
        host_port = None
        if isinstance(link, Ipvlan | Macvlan | Vlan):
            if isinstance(link, Ipvlan | Vlan) and not (static_addresses(link)
                                                        or dhcp_entries(link)):
                article = "an" if link.kind == "ipvlan" else "a"
                self._note(where, f"{article} {link.kind} without an address: the {link.kind}"
                           " plugin"
                           " takes the pod's addresses from its IPAM and fails the pod"
                           " without one ('IPAM plugin returned missing IP config'); give"
                           f" {link.name or key} an address or dhcp to attach it")
                return None
            master = self._master(key, link.parent)
            if master is None:
                return None
            plugin = self._sub_interface_plugin(key, link, master)
        elif isinstance(link, Veth):
            found = self._bridge_port(key, link)
            if found is None:
                return None
            host_port, bridge = found
            plugin = self._bridge_plugin(key, bridge)
        else:
            self._note_pod_local(key, link.kind)
            return None
        name = link.name or key
        ifname = name
        notes: list[NotCarried] = []
        if name in used:
            ifname = _free_ifname(used | {v.name or k for k, v in t.interfaces.items()
                                          if v.namespace == link.namespace})
            notes.append(NotCarried(
                f"{where}.name",
                f"'{name}' is the pod's interface on the cluster's default network, so the"
                f" attachment is named {ifname}"))
        attachment = Attachment(
            key, link.namespace or "", dns_label(f"{t.name}-{key}"), ifname, plugin,
            host_port=host_port, notes=notes)
        self._ipam(attachment)
        self._link_options(attachment)
        for end in (key, host_port):
            if end is not None:
                attachment.notes += _filter_losses(end, t.interfaces[end])
        if host_port is not None:
            attachment.notes += _host_end_losses(host_port, t.interfaces[host_port], link)
        return attachment

    def _master(self, key: str, parent: str | None) -> str | None:
        """The node's device for a sub-interface, after ``--nic`` renaming."""
        t = self.topology
        where = f"interfaces.{key}"
        if parent is None:
            self._note(where, "a sub-interface without a parent cannot be attached")
            return None
        if parent in t.host.nics:
            return self.nic_map.get(parent, parent)
        link = t.interfaces.get(parent)
        if link is not None and link.namespace is None:
            # The parent is a host object of the design (a bridge, a vlan …): the node must
            # provide it under that name; the design's object itself is listed by _host_notes.
            return link.name or parent
        self._note(where, f"its parent {parent} is inside a namespace; a CNI plugin's master"
                   " is a device of the node")
        return None

    def _sub_interface_plugin(self, key: str, link: Ipvlan | Macvlan | Vlan,
                              master: str) -> dict[str, Any]:
        where = f"interfaces.{key}"
        if isinstance(link, Ipvlan):
            if link.flag != "bridge":
                self._note(where + ".flag", f"the ipvlan plugin has no flag setting; {link.flag}"
                           " isolation between siblings is lost (bridge behaviour)")
            return {"type": "ipvlan", "master": master, "mode": link.mode}
        if isinstance(link, Macvlan):
            if link.mode == "source":
                self._note(where + ".mode", "the macvlan plugin has no source mode;"
                           " exported as bridge")
                return {"type": "macvlan", "master": master, "mode": "bridge"}
            return {"type": "macvlan", "master": master, "mode": link.mode}
        if link.protocol != "802.1Q":
            self._note(where + ".protocol", "the vlan plugin makes 802.1Q tags only")
        return {"type": "vlan", "master": master, "vlanId": link.id}

    def _bridge_port(self, key: str, link: Veth) -> tuple[str, Bridge] | None:
        """A pod veth whose peer is a port of a host bridge is the bridge plugin's pair."""
        t = self.topology
        where = f"interfaces.{key}"
        peer = t.interfaces.get(link.peer or "")
        if peer is None or peer.namespace is not None:
            self._note(where, "a veth pair between two namespaces (pod to pod) has no"
                       " reference CNI plugin")
            return None
        bridge = t.interfaces.get(peer.master or "")
        if not isinstance(bridge, Bridge) or bridge.namespace is not None:
            self._note(where, "its host end is not a port of a host bridge; only the bridge"
                       " plugin's veth (pod ↔ node bridge) can be attached")
            return None
        return link.peer or "", bridge

    def _bridge_plugin(self, key: str, bridge: Bridge) -> dict[str, Any]:
        name = bridge.name or self._key_of(bridge)
        self.bridges_used.add(name)
        plugin: dict[str, Any] = {"type": "bridge", "bridge": name}
        if self._gateways_of(key, bridge):
            plugin["isGateway"] = True
        return plugin

    def _key_of(self, link: object) -> str:
        return next(k for k, v in self.topology.interfaces.items() if v is link)

    def _gateways_of(self, key: str, bridge: Bridge) -> list[Gateway]:
        """The bridge's own addresses in the pod's subnets (one a subnet, IPv4 and IPv6): the
        bridge plugin's gateways."""
        link = self.topology.interfaces[key]
        found: dict[Any, Gateway] = {}
        pod_nets = {a.network for a in static_addresses(link)}
        for address in static_addresses(bridge):
            if address.network in pod_nets and address.network not in found:
                found[address.network] = address
        return list(found.values())

    # -- addresses, routes, options -----------------------------------------------------

    def _ipam(self, attachment: Attachment) -> None:
        link = self.topology.interfaces[attachment.key]
        where = f"interfaces.{attachment.key}.addresses"
        plugin = main_plugin(attachment.config)
        dhcp = dhcp_entries(link)
        static = [str(a) for a in static_addresses(link)]
        nodad = [str(e.interface) for e in static_entries(link) if e.nodad]
        if nodad:
            attachment.notes.append(NotCarried(
                where, f"nodad on {', '.join(nodad)}: the CNI's IPAM has no such flag, so the"
                " pod's address goes through duplicate address detection"))
        if dhcp:
            ipam: dict[str, Any] = {"type": "dhcp"}
            if dhcp[0].client_id:
                value = provided_client_id(dhcp[0].client_id)
                if value is None:
                    attachment.notes.append(NotCarried(
                        where, f"client-id {dhcp[0].client_id}: the dhcp plugin sends a"
                        " provided value as UTF-8 text, which cannot hold these bytes; the"
                        " daemon's own <container>/<network>/<interface> is sent instead"))
                else:
                    ipam["provide"] = [{"option": "dhcp-client-identifier", "value": value}]
            plugin["ipam"] = ipam
            if static:
                attachment.notes.append(NotCarried(
                    where, f"{', '.join(static)} beside dhcp: one IPAM per attachment, so only"
                    " the lease is carried"))
            return
        if not static:
            return  # no IPAM: an interface with no address, as designed
        entries: list[dict[str, Any]] = [{"address": a} for a in static]
        if plugin["type"] == "bridge" and plugin.get("isGateway"):
            bridge = self.topology.interfaces[self._bridge_key(attachment)]
            assert isinstance(bridge, Bridge)
            gateways = self._gateways_of(attachment.key, bridge)
            for entry in entries:
                network = ipaddress.ip_interface(entry["address"]).network
                gateway = next((g for g in gateways if g.network == network), None)
                if gateway is not None:
                    entry["gateway"] = str(gateway.ip)
                    continue
                first = f"{next(network.hosts(), network.network_address)}/{network.prefixlen}"
                attachment.notes.append(NotCarried(
                    f"{where}", f"{entry['address']}: with isGateway the bridge plugin gives"
                    f" the bridge a gateway in every subnet of the pod; here {first}, the"
                    " subnet's first address, which the design does not have"))
        plugin["ipam"] = {"type": "static", "addresses": entries}
        if any("gateway" in entry for entry in entries):
            # Multus passes a selection's ips as runtimeConfig to a plugin with the ips
            # capability, and the static IPAM then replaces its addresses, gateways and all:
            # the bridge plugin would give the bridge the subnet's first address instead.
            return
        plugin["capabilities"] = {"ips": True}
        attachment.ips = static

    def _bridge_key(self, attachment: Attachment) -> str:
        port = self.topology.interfaces[attachment.host_port or ""]
        return port.master or ""

    def _link_options(self, attachment: Attachment) -> None:
        link = self.topology.interfaces[attachment.key]
        where = f"interfaces.{attachment.key}"
        plugin = main_plugin(attachment.config)
        if link.mtu is not None:
            plugin["mtu"] = link.mtu
        if link.state == "down":
            attachment.notes.append(NotCarried(
                where + ".state", "the plugins bring every attachment up; state down is lost"))
        if link.mac is not None:
            if plugin["type"] in ("macvlan", "bridge"):
                plugin.setdefault("capabilities", {})["mac"] = True
                attachment.mac = link.mac
            elif plugin["type"] == "vlan":
                _tuning(attachment)["mac"] = link.mac
            else:
                attachment.notes.append(NotCarried(
                    where + ".mac", "an ipvlan child has its parent's MAC address"))

    def _place_routes(self, pod: PodPlan, routes: list[Route]) -> None:
        """Each route goes to the attachment it leaves through: the one named by ``dev``, or
        the one whose subnet holds ``via``. The CNI result's routes carry only a
        destination and a gateway."""
        for index, route in enumerate(routes):
            where = f"namespaces.{pod.namespace}.routes[{index}]"
            target = self._route_attachment(pod, route)
            if target is None:
                pod.notes.append(NotCarried(where, _route_text(route) + ": it leaves through"
                                            " no attachment of this pod"))
                continue
            for field_name, value in (("metric", route.metric), ("src", route.src)):
                if value is not None:
                    pod.notes.append(NotCarried(
                        f"{where}.{field_name}", f"a CNI route has no {field_name}"
                        f" (CNI {CNI_VERSION}); the route is carried without {value}"))
            ipam = main_plugin(target.config).get("ipam", {})
            if ipam.get("type") != "static":
                pod.notes.append(NotCarried(where, _route_text(route) + ": its attachment"
                                            f" {target.ifname} takes its routes from DHCP"))
                continue
            gateway = _gateway_for(ipam, _destination(route))
            if route.via is None and gateway is not None:
                pod.notes.append(NotCarried(where, _route_text(route) + ": on the bridge"
                                            f" plugin's attachment {target.ifname} a route"
                                            f" without a next hop goes via its gateway"
                                            f" {gateway} (isGateway)"))
                continue
            entry: dict[str, Any] = {"dst": _destination(route)}
            if route.via is not None:
                entry["gw"] = route.via
            ipam.setdefault("routes", []).append(entry)

    def _route_attachment(self, pod: PodPlan, route: Route) -> Attachment | None:
        """The attachment a route leaves through, or None when it leaves through an interface
        that is not carried (or none)."""
        t = self.topology
        by_key = {a.key: a for a in pod.attachments}
        links = [(k, v) for k, v in t.interfaces.items() if v.namespace == pod.namespace]
        if route.dev is not None:
            key = next((k for k, v in links if (v.name or k) == route.dev), None)
            return by_key.get(key or "")
        if route.via is None:
            return None
        via = ipaddress.ip_address(route.via)
        for key, link in links:
            if any(via in a.network for a in static_addresses(link)):
                return by_key.get(key)
        for key, link in links:  # a next hop only a lease puts on-link
            if dhcp_entries(link) and via.version == 4 and key in by_key:
                return by_key[key]
        return None

    def _place_sysctls(self, pod: PodPlan, sysctls: dict[str, str]) -> None:
        """Namespace sysctls ride on the tuning plugin (which writes any ``net.*`` key inside
        the pod), chained after the pod's first attachment; a key of one interface
        (``net.ipv4.conf.mv2.rp_filter``) after that interface's own attachment, under its
        name in the pod, since its file exists only once the interface does (as IFNAME when
        that name has dots, which the plugin's keys cannot write)."""
        by_name = {(self.topology.interfaces[a.key].name or a.key): a for a in pod.attachments}
        for key, value in sysctls.items():
            where = f"namespaces.{pod.namespace}.sysctls.{key}"
            found = INTERFACE_SYSCTL.fullmatch(key)
            device = sysctl_interface(key)
            written = key
            target = pod.attachments[0] if pod.attachments else None
            if found and device is not None:
                target = by_name.get(device)
                if target is None:
                    pod.notes.append(NotCarried(where, f"{device} is no attachment of"
                                                " this pod, so no tuning plugin runs on it"))
                    continue
                # the plugin turns every dot of a key into '/', and then IFNAME into the
                # name of its attachment: the one way to name an interface with dots
                ifname = TUNING_IFNAME if "." in target.ifname else target.ifname
                written = f"{found['head']}{ifname}{found['tail']}"
            if target is None:
                pod.notes.append(NotCarried(where, "the pod has no attachment to chain the"
                                            " tuning plugin on"))
                continue
            _tuning(target).setdefault("sysctl", {})[written] = value

    # -- what is left out ---------------------------------------------------------------

    def _note(self, where: str, reason: str) -> None:
        self.pending.append(NotCarried(where, reason))

    def _note_pod_local(self, key: str, kind: str) -> None:
        self._note(f"interfaces.{key}", f"a {kind} inside a pod has no reference CNI plugin")

    def _host_notes(self) -> list[NotCarried]:
        """Objects of the host itself that no plugin builds: Multus creates nothing on a node
        beyond what the plugins make for each pod."""
        t = self.topology
        notes = list(self.pending) + self._forwarding_notes()
        for index, entry in enumerate(t.host.nat):
            kind = next(iter(entry.model_dump(exclude_none=True)), "nat")
            what = {"snat": "SNAT", "publish": "published port (DNAT)"}.get(kind, kind)
            notes.append(NotCarried(f"host.nat[{index}]", f"the node's {what}: no reference"
                                    " CNI plugin writes the design's NAT on the node"))
        if t.host.firewall is not None:
            notes.append(NotCarried("host.firewall", "the node's own firewall rules: no"
                                    " reference CNI plugin writes them"))
        for key, link in t.interfaces.items():
            if link.namespace is not None or key in self.carried:
                continue
            if isinstance(link, Bridge) and (link.name or key) in self.bridges_used:
                notes += self._bridge_losses(key, link)
                continue
            notes.append(NotCarried(f"interfaces.{key}", f"a {link.kind} of the node itself;"
                                    " no reference CNI plugin makes it"))
        return notes

    def _forwarding_notes(self) -> list[NotCarried]:
        """The node's forwarding is the node's, except that the bridge plugin with isGateway
        turns it on for each family its pods have addresses of: a design that keeps it off
        is contradicted, one that turns it on is carried."""
        notes = []
        left = False
        for version, on in self._owned_forwarding().items():
            if on is None:
                continue
            if version not in self.gateway_families():
                left = True
            elif not on:
                notes.append(NotCarried(f"host.forwarding.ipv{version}", "the bridge plugin"
                                        f" (isGateway on {', '.join(self.gateway_bridges())})"
                                        f" turns the node's IPv{version} forwarding on; the"
                                        " design keeps it off"))
        if left:
            notes.append(NotCarried("host.forwarding", "the node's own forwarding: Multus and"
                                    " the plugins leave it as the node has it"))
        return notes

    def _owned_forwarding(self) -> dict[int, bool | None]:
        owned = self.topology.host.forwarding
        return {4: owned.ipv4 if owned else None, 6: owned.ipv6 if owned else None}

    def gateway_bridges(self) -> list[str]:
        """The node bridges an attachment's isGateway gives an address (and forwarding)."""
        return sorted({main_plugin(a.config)["bridge"] for a in self._gateway_attachments()})

    def gateway_families(self) -> set[int]:
        """The IP versions the bridge plugin (isGateway) turns the node's forwarding on for."""
        return {ipaddress.ip_interface(entry["address"]).version
                for a in self._gateway_attachments()
                for entry in main_plugin(a.config).get("ipam", {}).get("addresses", [])}

    def _gateway_attachments(self) -> list[Attachment]:
        return [a for a in self.attachments if main_plugin(a.config).get("isGateway")]

    def _bridge_losses(self, key: str, bridge: Bridge) -> list[NotCarried]:
        """The bridge plugin makes the bridge on first use, with the gateway address when
        isGateway is set; anything else the design sets on it is lost."""
        where = f"interfaces.{key}"
        gateways = {str(g) for g in self.carried_pods_gateways(bridge)}
        lost = []
        if bridge.stp:
            lost.append(NotCarried(where + ".stp", "the bridge plugin never enables STP"))
        if bridge.vlan_filtering:
            lost.append(NotCarried(where + ".vlan-filtering",
                                   "the bridge plugin sets VLAN filtering only with its own"
                                   " vlan option"))
        for address in static_addresses(bridge):
            if str(address) not in gateways:
                lost.append(NotCarried(where + ".addresses", f"{address}: the bridge plugin"
                                       " gives the bridge only the pods' gateway"))
        for attribute in ("mac", "mtu"):
            if getattr(bridge, attribute) is not None:
                lost.append(NotCarried(f"{where}.{attribute}",
                                       f"the bridge plugin sets no {attribute} on the bridge"))
        if bridge.persist:
            lost.append(NotCarried(where + ".persist", "a node's persistent configuration is"
                                   " not Multus's business"))
        return lost

    def carried_pods_gateways(self, bridge: Bridge) -> list[Gateway]:
        """The bridge addresses the bridge plugin sets (isGateway) for the pods on it."""
        found = []
        for key in self.carried:
            link = self.topology.interfaces[key]
            if isinstance(link, Veth) and link.namespace is not None:
                peer = self.topology.interfaces.get(link.peer or "")
                if peer is not None and peer.master == self._key_of(bridge):
                    found += self._gateways_of(key, bridge)
        return found

    def info(self) -> list[str]:
        """What the reader of the YAML should know that is not a loss."""
        t = self.topology
        lines = []
        for nic in t.host.nics:
            mapped = self.nic_map.get(nic, nic)
            lines.append(f"node NIC: the design's {nic} is {mapped} on the nodes" if mapped != nic
                         else f"node NIC: {nic} ({self.rename_hint.format(nic=nic)})")
        for name in sorted(self.bridges_used):
            lines.append(f"node bridge: {name} is made by the bridge plugin on first use")
        owned = self._owned_forwarding()
        turned_on = [f"IPv{v}" for v in sorted(self.gateway_families()) if owned[v] is None]
        if turned_on:
            lines.append("node forwarding: the bridge plugin (isGateway) turns the node's"
                         f" {' and '.join(turned_on)} forwarding on, which the design leaves"
                         " as the host has it")
        return lines


def _filter_losses(key: str, link: Any) -> list[NotCarried]:
    """What a carried interface sets that no reference plugin applies: rules on its bridge
    port and its impairment."""
    lost = []
    if link.port_firewall is not None:
        lost.append(NotCarried(f"interfaces.{key}.port-firewall", "rules on a bridge port:"
                               " no reference CNI plugin writes them"))
    if link.impairment is not None:
        lost.append(NotCarried(f"interfaces.{key}.impairment", "no reference CNI plugin"
                               " delays, drops or shapes an attachment's packets as designed"))
    return lost


def provided_client_id(client_id: str) -> str | None:
    """The dhcp plugin's ``provide`` value that puts on the wire the option 61 bytes Netwright's
    own client sends for ``client_id`` (a text id after a zero type byte; hex as its bytes).

    The plugin sends a provided value's bytes as they are (its UTF-8), without the type byte
    it puts before its own identifier; None when the bytes are no UTF-8 text."""
    try:
        return client_id_bytes(client_id).decode("utf-8")
    except UnicodeDecodeError:
        return None


def client_id_of(value: str) -> str:
    """The design's client-id for a ``provide``d dhcp-client-identifier value: the inverse of
    ``provided_client_id``; a value without a zero type byte is kept as its bytes, in hex."""
    raw = value.encode("utf-8")
    if raw.startswith(b"\x00") and client_id_bytes(value[1:]) == raw:
        return value[1:]
    return client_id_text(raw)


def _host_end_losses(key: str, port: Any, pod_end: Any) -> list[NotCarried]:
    """The bridge plugin makes the node's end of the pair itself: a random vethXXXXXXXX name
    and MAC, the pod end's MTU, up, no address. What the design sets otherwise is lost."""
    where = f"interfaces.{key}"
    lost = []
    if port.mtu is not None and port.mtu != (pod_end.mtu or 1500):
        lost.append(NotCarried(f"{where}.mtu", f"the bridge plugin gives the node's end the"
                               f" pod end's MTU, {pod_end.mtu or 1500}, not {port.mtu}"))
    if port.mac is not None:
        lost.append(NotCarried(f"{where}.mac", "the bridge plugin gives the node's end a"
                               " random MAC address"))
    if static_addresses(port) or dhcp_entries(port):
        lost.append(NotCarried(f"{where}.addresses", "the bridge plugin gives the node's end"
                               " of the pair no address"))
    if port.state == "down":
        lost.append(NotCarried(f"{where}.state", "the bridge plugin brings the node's end"
                               " up; state down is lost"))
    if port.persist:
        lost.append(NotCarried(f"{where}.persist", "the node's end lives and dies with the"
                               " pod"))
    return lost


def main_plugin(config: dict[str, Any]) -> dict[str, Any]:
    """The plugin that makes the interface: the config itself, or the first of a list."""
    return config["plugins"][0] if "plugins" in config else config


def cni_config(attachment: Attachment) -> dict[str, Any]:
    """The complete CNI network configuration (``spec.config``) of an attachment."""
    head = {"cniVersion": CNI_VERSION, "name": attachment.nad_name}
    return {**head, **attachment.config}


def _tuning(attachment: Attachment) -> dict[str, Any]:
    """The tuning plugin chained after the attachment's plugin (made a list on first use)."""
    config = attachment.config
    if "plugins" not in config:
        attachment.config = {"plugins": [config]}
        config = attachment.config
    plugins = config["plugins"]
    for plugin in plugins:
        if plugin["type"] == "tuning":
            return plugin  # type: ignore[no-any-return]
    tuning: dict[str, Any] = {"type": "tuning"}
    plugins.append(tuning)
    return tuning


def _free_ifname(used: set[str]) -> str:
    """Multus's own naming for unnamed attachments: net1, net2, …"""
    index = 1
    while f"net{index}" in used:
        index += 1
    return f"net{index}"


def _destination(route: Route) -> str:
    if route.to != "default":
        return route.to
    version = ipaddress.ip_address(route.via).version if route.via else 4
    return _DEFAULT[version]


def _gateway_for(ipam: dict[str, Any], destination: str) -> str | None:
    """The gateway an IPAM address entry of the destination's family sets: the CNI gives it to
    every route of that family that names no next hop."""
    version = ipaddress.ip_network(destination, strict=False).version
    for entry in ipam.get("addresses", []):
        if "gateway" in entry and ipaddress.ip_address(entry["gateway"]).version == version:
            return str(entry["gateway"])
    return None


def _route_text(route: Route) -> str:
    text = f"{route.to}"
    if route.via:
        text += f" via {route.via}"
    if route.dev:
        text += f" dev {route.dev}"
    return text


class MultusOptionError(NetwrightError):
    """A node NIC name or a Kubernetes namespace the export cannot use."""


def checked_nic_map(topology: Topology, nic_map: dict[str, str]) -> dict[str, str]:
    """The design's host NIC → the nodes' name, each side checked with a sentence."""
    for design, node in nic_map.items():
        if design not in topology.host.nics:
            known = ", ".join(topology.host.nics) or "none"
            raise MultusOptionError(f"{design[:40]}: the design has no host NIC of that name"
                                    f" (its NICs: {known})")
        try:
            check_interface_name(node)
        except ValueError as exc:
            raise MultusOptionError(f"{design} on the nodes: {exc}") from None
    return dict(nic_map)


def check_k8s_namespace(name: str | None) -> None:
    """A Kubernetes namespace is a DNS-1123 label (None: the current namespace)."""
    if name and not is_dns_label(name):
        raise MultusOptionError(f"'{clipped(name, 64)}' is not a Kubernetes namespace name"
                                " (lowercase letters, digits, '-')")


def export_multus(topology: Topology, nic_map: dict[str, str] | None = None,
                  rename_hint: str = CLI_RENAME_HINT) -> MultusExport:
    """Map a design onto Multus attachments; ``nic_map`` renames host NICs for the nodes;
    ``rename_hint``: how the YAML's reader renames one (``{nic}``), in the caller's words."""
    return MultusMapping(topology, checked_nic_map(topology, nic_map or {}), rename_hint).run()
