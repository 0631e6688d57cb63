"""`netwright import --from multus`: Kubernetes YAML (NetworkAttachmentDefinitions and Pods)
back into a topology.

Each Pod becomes a namespace and each network its ``k8s.v1.cni.cncf.io/networks`` annotation
asks for becomes an interface built the way the reference plugin builds it: ipvlan, macvlan
and vlan children of the node's NIC (listed under ``host.nics``), or a veth pair whose host
end is a port of the bridge the bridge plugin joins. ``static`` IPAM gives the addresses and
the namespace's routes, ``dhcp`` IPAM a ``dhcp`` address, a chained ``tuning`` plugin the
namespace's sysctls and the MAC. The ``netwright.io/*`` annotations that ``export --format
multus`` writes restore the design's keys, so export → import → export is stable; YAML written
by hand imports too, with keys taken from the Kubernetes names.
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, field
from typing import Any

import yaml

from netwright.backend.export.multus import ANNOTATION_PREFIX, client_id_of, main_plugin
from netwright.backend.export.multus_yaml import NAD_API, NETWORKS_ANNOTATION
from netwright.backend.topology.fields import (
    INTERFACE_SYSCTL,
    TUNING_IFNAME,
    check_interface_name,
    interface_sysctl_key,
)
from netwright.backend.topology.problems import NetwrightError, Problem
from netwright.backend.topology.yaml_words import yaml_reason_in_words

_SUB_INTERFACES = {"ipvlan", "macvlan", "vlan"}
_COMMON_FIELDS = {"type", "name", "cniVersion", "ipam", "capabilities"}
_PLUGIN_FIELDS = {  # what the import reads of each plugin; anything else is said
    "ipvlan": {"master", "mode", "mtu"},
    "macvlan": {"master", "mode", "mtu"},
    "vlan": {"master", "vlanId", "mtu"},
    "bridge": {"bridge", "isGateway", "isDefaultGateway", "mtu"},
    "tuning": {"mac", "mtu", "sysctl"},
}
_IPAM_FIELDS = {"static": {"type", "addresses", "routes"},
                "dhcp": {"type", "provide", "daemonSocketPath"}}  # the socket: a node setting
_DEFAULT_ROUTES = {"0.0.0.0/0", "::/0"}
_DEFAULT_MASTER = "eth0"  # a node's usual default-route interface


class MultusImportError(NetwrightError):
    """The Kubernetes YAML cannot be read as Multus attachments."""


@dataclass
class _Design:
    """The topology being rebuilt, as plain data in file order."""

    name: str | None = None
    nics: dict[str, dict[str, Any]] = field(default_factory=dict)
    namespaces: dict[str, dict[str, Any]] = field(default_factory=dict)
    interfaces: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def _documents(text: str, source: str) -> list[dict[str, Any]]:
    try:
        documents = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        raise MultusImportError(_yaml_problem(exc, source).render()) from None
    items: list[dict[str, Any]] = []
    for document in documents:
        if isinstance(document, dict) and document.get("kind") == "List":
            items += [i for i in document.get("items") or [] if isinstance(i, dict)]
        elif isinstance(document, dict):
            items.append(document)
    return items


def _annotations(document: dict[str, Any]) -> dict[str, str]:
    metadata = document.get("metadata") or {}
    annotations = metadata.get("annotations") or {}
    return {str(k): str(v) for k, v in annotations.items()}


def _name(document: dict[str, Any], what: str) -> str:
    name = (document.get("metadata") or {}).get("name")
    if not isinstance(name, str) or not name:
        raise MultusImportError(f"a {what} has no metadata.name")
    return name


def _config(document: dict[str, Any], nad: str) -> dict[str, Any]:
    raw = (document.get("spec") or {}).get("config")
    if not isinstance(raw, str):
        raise MultusImportError(f"NetworkAttachmentDefinition {nad} has no spec.config")
    try:
        config = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise MultusImportError(f"NetworkAttachmentDefinition {nad}: spec.config is not JSON"
                                f" ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(config, dict) or not isinstance(main_plugin(config), dict):
        raise MultusImportError(f"NetworkAttachmentDefinition {nad}: spec.config is not a CNI"
                                " network configuration")
    return config


def _selections(value: str, pod: str) -> list[dict[str, Any]]:
    """The networks annotation: a JSON list, or Multus's short form ``a,b@net2``."""
    text = value.strip()
    if text.startswith("["):
        try:
            entries = json.loads(text)
        except json.JSONDecodeError as exc:
            raise MultusImportError(f"Pod {pod}: {NETWORKS_ANNOTATION} is not JSON"
                                    f" ({exc.msg})") from None
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise MultusImportError(f"Pod {pod}: {NETWORKS_ANNOTATION} must be a list of"
                                    " objects")
        return entries
    selections = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, interface = part.partition("@")
        entry: dict[str, Any] = {"name": name.rpartition("/")[2]}
        if interface:
            entry["interface"] = interface
        selections.append(entry)
    return selections


def _is_interface_name(text: str) -> bool:
    try:
        check_interface_name(text)
    except ValueError:
        return False
    return True


def _route(entry: dict[str, Any], ifname: str) -> dict[str, Any]:
    dst = str(entry.get("dst", ""))
    route: dict[str, Any] = {"to": "default" if dst in _DEFAULT_ROUTES else dst}
    if entry.get("gw"):
        route["via"] = str(entry["gw"])
    else:
        route["dev"] = ifname
    return route


class _Importer:
    def __init__(self, documents: list[dict[str, Any]]) -> None:
        self.nads: dict[str, dict[str, Any]] = {}
        self.pods: list[dict[str, Any]] = []
        for document in documents:
            kind = document.get("kind")
            if kind == "NetworkAttachmentDefinition" and str(
                    document.get("apiVersion", "")).startswith(NAD_API.split("/")[0]):
                self.nads[_name(document, "NetworkAttachmentDefinition")] = document
            elif kind == "Pod":
                self.pods.append(document)
        if not self.pods:
            raise MultusImportError("the file holds no Pod: nothing to import (a namespace is"
                                    " a Pod that asks for its networks)")
        self.design = _Design()

    def run(self) -> _Design:
        for pod in self.pods:
            self._pod(pod)
        return self.design

    def _pod(self, pod: dict[str, Any]) -> None:
        pod_name = _name(pod, "Pod")
        annotations = _annotations(pod)
        self._topology_name(annotations)
        namespace = annotations.get(f"{ANNOTATION_PREFIX}/namespace", pod_name)
        spec: dict[str, Any] = {}
        node = ((pod.get("spec") or {}).get("nodeSelector") or {}).get("kubernetes.io/hostname")
        if node:
            spec["node"] = str(node)
        self.design.namespaces[namespace] = spec
        selections = _selections(annotations.get(NETWORKS_ANNOTATION, ""), pod_name)
        for index, selection in enumerate(selections, start=1):
            named = {"interface": f"net{index}", **selection}  # unnamed: Multus's own name
            named["interface"] = named["interface"] or f"net{index}"
            self._attachment(namespace, spec, named, pod_name)

    def _topology_name(self, annotations: dict[str, str]) -> None:
        name = annotations.get(f"{ANNOTATION_PREFIX}/topology")
        if name and self.design.name is None:
            self.design.name = name

    def _attachment(self, namespace: str, spec: dict[str, Any], selection: dict[str, Any],
                    pod: str) -> None:
        nad_name = str(selection.get("name", ""))
        document = self.nads.get(nad_name)
        if document is None:
            raise MultusImportError(f"Pod {pod} asks for network {nad_name!r}, which no"
                                    " NetworkAttachmentDefinition in the file defines")
        annotations = _annotations(document)
        self._topology_name(annotations)
        config = _config(document, nad_name)
        plugin = main_plugin(config)
        kind = plugin.get("type")
        ifname = str(selection["interface"])
        key = self._key(annotations.get(f"{ANNOTATION_PREFIX}/interface"), nad_name, ifname)
        link: dict[str, Any]
        if kind in _SUB_INTERFACES:
            master = str(plugin.get("master") or "")
            if not master and kind == "vlan":
                raise MultusImportError(f"NetworkAttachmentDefinition {nad_name}: a vlan"
                                        " without master names no parent NIC (the vlan plugin"
                                        " requires one)")
            if not master:
                master = _DEFAULT_MASTER
                self._skip(f"{nad_name}: no master, so the {kind} plugin takes the node's"
                           f" default-route interface; imported as {master}, rename it to"
                           " the node's")
            link = self._sub_interface(str(kind), plugin, master)
        elif kind == "bridge":
            link = self._bridge_port(key, namespace, plugin, annotations)
        else:
            self._skip(f"{nad_name}: the {kind} plugin has no Netwright kind")
            return
        if ifname != key:
            link["name"] = ifname
        link["namespace"] = namespace
        self._ipam(link, spec, plugin, ifname, selection)
        if plugin.get("mtu"):
            link["mtu"] = int(plugin["mtu"])
        if selection.get("mac"):
            link["mac"] = str(selection["mac"])
        for chained in config.get("plugins", [])[1:]:
            if chained.get("type") == "tuning":
                if chained.get("mac"):
                    link["mac"] = str(chained["mac"])
                if chained.get("mtu"):
                    link["mtu"] = int(chained["mtu"])
                if chained.get("sysctl"):
                    spec.setdefault("sysctls", {}).update(
                        {_named(str(k), ifname): v for k, v in chained["sysctl"].items()})
        for chained in config.get("plugins", [plugin]):
            self._not_imported(nad_name, chained)
        self.design.interfaces[key] = link

    def _skip(self, text: str) -> None:
        """Say once what is not imported (a definition may serve many pods)."""
        if text not in self.design.skipped:
            self.design.skipped.append(text)

    def _not_imported(self, nad_name: str, plugin: dict[str, Any]) -> None:
        """Every setting of a plugin that the import does not turn into the design is said."""
        kind = str(plugin.get("type"))
        known = _PLUGIN_FIELDS.get(kind)
        if known is None:
            self._skip(f"{nad_name}: the chained {kind} plugin has no Netwright equivalent")
            return
        for name in sorted(set(plugin) - known - _COMMON_FIELDS):
            self._skip(f"{nad_name}: the {kind} plugin's {name} has no Netwright equivalent")
        ipam = plugin.get("ipam") or {}
        for name in sorted(set(ipam) - _IPAM_FIELDS.get(str(ipam.get("type")), set(ipam))):
            self._skip(f"{nad_name}: the {ipam['type']} IPAM's {name} has no Netwright"
                       " equivalent")

    def _key(self, *candidates: str | None) -> str:
        """The first candidate that is a free interface key; else the last one numbered.

        Export's ``netwright.io/interface`` names the design's key; YAML written by hand
        often has one NetworkAttachmentDefinition for many pods, each pod an interface of its
        own, so a name already taken gets a number (``net1-2``)."""
        valid = [c for c in candidates if c and _is_interface_name(c)]
        for candidate in valid:
            if candidate not in self.design.interfaces and candidate not in self.design.nics:
                return candidate
        base = valid[-1] if valid else "net"
        number = 2
        while True:
            suffix = f"-{number}"
            key = base[: 15 - len(suffix)] + suffix
            if key not in self.design.interfaces and key not in self.design.nics:
                return key
            number += 1

    def _sub_interface(self, kind: str, plugin: dict[str, Any], master: str) -> dict[str, Any]:
        if master not in self.design.interfaces:
            self.design.nics.setdefault(master, {})
        link: dict[str, Any] = {"kind": kind, "parent": master}
        if kind == "vlan":
            link["id"] = int(plugin.get("vlanId", 0))
        else:
            link["mode"] = str(plugin.get("mode") or ("l2" if kind == "ipvlan" else "bridge"))
        return link

    def _bridge_port(self, key: str, namespace: str, plugin: dict[str, Any],
                     annotations: dict[str, str]) -> dict[str, Any]:
        """The bridge plugin's veth pair: the host end a port of the (host) bridge."""
        bridge = str(plugin.get("bridge") or "cni0")
        self.design.nics.pop(bridge, None)
        self.design.interfaces.setdefault(bridge, {"kind": "bridge"})
        port = self._key(annotations.get(f"{ANNOTATION_PREFIX}/host-port"),
                         f"{bridge}-{namespace}", f"veth-{key}", "veth")
        self.design.interfaces[port] = {"kind": "veth", "peer": key, "master": bridge}
        return {"kind": "veth", "peer": port, "_bridge": bridge,
                "_gateway": bool(plugin.get("isGateway") or plugin.get("isDefaultGateway"))}

    def _ipam(self, link: dict[str, Any], spec: dict[str, Any], plugin: dict[str, Any],
              ifname: str, selection: dict[str, Any]) -> None:
        ipam = plugin.get("ipam") or {}
        bridge = link.pop("_bridge", None)
        is_gateway = link.pop("_gateway", False)
        if ipam.get("type") == "dhcp":
            provided = {o.get("option"): o.get("value") for o in ipam.get("provide") or []}
            value = provided.get("dhcp-client-identifier")
            client_id = client_id_of(str(value)) if value else None
            link["addresses"] = [{"dhcp": {"client-id": client_id}} if client_id else "dhcp"]
            return
        if ipam.get("type") != "static" and ipam:
            self._skip(f"{ifname}: {ipam.get('type')} IPAM hands out addresses the file does"
                       " not hold; imported without addresses")
            return
        entries = self._entries(plugin, selection, ifname)
        addresses = [str(e["address"]) for e in entries]
        if addresses:
            link["addresses"] = addresses
        for entry in ipam.get("routes") or []:
            spec.setdefault("routes", []).append(_route(entry, ifname))
        if bridge and is_gateway:
            gateways = [_gateway(entry) for entry in entries]
            self._bridge_gateway(bridge, [g for g in gateways if g is not None])
            if plugin.get("isDefaultGateway"):
                _default_routes(spec, gateways)

    def _entries(self, plugin: dict[str, Any], selection: dict[str, Any],
                 ifname: str) -> list[dict[str, Any]]:
        """The static addresses the plugin really gets: Multus passes the selection's ips as
        runtimeConfig to a plugin declaring the ips capability, and the static IPAM then
        replaces its own list with them (gateways and all); without the capability they
        are not passed at all."""
        listed = [e for e in (plugin.get("ipam") or {}).get("addresses") or []
                  if e.get("address")]
        ips = [str(a) for a in selection.get("ips") or []]
        if not ips:
            return listed
        if (plugin.get("capabilities") or {}).get("ips"):
            return [{"address": a} for a in ips]
        self._skip(f"{ifname}: the selection asks for ips {', '.join(ips)}, but its plugin"
                   " declares no ips capability, so Multus does not pass them")
        return listed

    def _bridge_gateway(self, bridge: str, gateways: list[str]) -> None:
        """isGateway: the bridge plugin gives the bridge the gateway with the pod's prefix."""
        addresses = self.design.interfaces[bridge].setdefault("addresses", [])
        for cidr in gateways:
            if cidr not in addresses:
                addresses.append(cidr)


def _gateway(entry: dict[str, Any]) -> str | None:
    """The bridge's address for an IPAM entry (isGateway): the entry's gateway, else the
    subnet's first address (the plugin's calcGatewayIP), with the entry's prefix."""
    try:
        interface = ipaddress.ip_interface(str(entry.get("address")))
    except ValueError:
        return None
    network = interface.network
    gateway = entry.get("gateway") or next(network.hosts(), network.network_address)
    return f"{gateway}/{network.prefixlen}"


def _default_routes(spec: dict[str, Any], gateways: list[str | None]) -> None:
    """isDefaultGateway: a default route via each family's first gateway, unless the IPAM
    already routes that family's default."""
    routes = spec.setdefault("routes", [])
    for cidr in gateways:
        if cidr is None:
            continue
        via = cidr.partition("/")[0]
        version = ipaddress.ip_address(via).version
        if not any(r["to"] == "default" and r.get("via") and ipaddress.ip_address(
                r["via"]).version == version for r in routes):
            routes.append({"to": "default", "via": via})
    if not routes:
        del spec["routes"]


def _layout(design: _Design) -> dict[str, dict[str, float]]:
    """Host objects on a top row, namespaces below: a start for the designer's own layout."""
    layout: dict[str, dict[str, float]] = {}
    top = list(design.nics) + [k for k, v in design.interfaces.items()
                               if v["kind"] == "bridge" and "namespace" not in v]
    for index, key in enumerate(top):
        layout[key] = {"x": float(index * 320), "y": 0.0}
    for index, key in enumerate(design.namespaces):
        layout[key] = {"x": float(index * 320 - 160), "y": 160.0}
    return layout


class _TopologyDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Short lists of scalars in flow style, as the shipped examples write them."""


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    flow = all(not isinstance(v, dict | list) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


def _dict(dumper: yaml.SafeDumper, value: dict[str, Any]) -> yaml.MappingNode:
    flow = 0 < len(value) <= 2 and all(not isinstance(v, dict | list) for v in value.values())
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=flow)


_TopologyDumper.add_representer(list, _list)
_TopologyDumper.add_representer(dict, _dict)


def topology_yaml(data: dict[str, Any]) -> str:
    """A topology as YAML the way the shipped examples write it (short lists in flow style)."""
    return yaml.dump(data, Dumper=_TopologyDumper, sort_keys=False, allow_unicode=True,
                     width=100)


def _yaml_problem(exc: yaml.YAMLError, source: str) -> Problem:
    """Why the parser refused the file, where, in the words ``validate`` uses for a topology
    file ("FILE:LINE:COL: error yaml-syntax: not valid YAML: a tab where …"): it said only
    "the file is not valid YAML (line 5, column 10)"."""
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    reason = yaml_reason_in_words(problem or str(exc).splitlines()[0])
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
    return Problem("error", "yaml-syntax", (), f"not valid YAML: {reason}", line, column,
                   source)


def import_multus(text: str, name: str | None = None,
                  source: str = "<multus>") -> tuple[str, list[str]]:
    """The topology file text for a Multus YAML file, and what could not be imported.
    ``source``: how a refusal names the file (its path, '<stdin>')."""
    design = _Importer(_documents(text, source)).run()
    data: dict[str, Any] = {"netwright": 1, "name": name or design.name or "imported",
                            "description": "imported from Kubernetes (Multus) YAML"}
    if design.nics:
        data["host"] = {"nics": {nic: {} for nic in design.nics}}
    data["namespaces"] = design.namespaces
    data["interfaces"] = design.interfaces
    data["layout"] = _layout(design)
    body = topology_yaml(data)
    header = "# Imported by `netwright import --from multus`.\n"
    return header + body, design.skipped


def _named(key: str, ifname: str) -> str:
    """A tuning plugin's sysctl key as the design writes it: IFNAME, which the plugin replaces
    with the name of the interface it is chained on, is that name (its dots as '/')."""
    found = INTERFACE_SYSCTL.fullmatch(key)
    if found is None or found["name"] != TUNING_IFNAME:
        return key
    return interface_sysctl_key(found["head"].rstrip("."), ifname, found["tail"].lstrip("."))
