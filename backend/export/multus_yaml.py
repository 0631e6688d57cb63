"""The Kubernetes YAML of a Multus export: NetworkAttachmentDefinitions, then Pods.

What the design holds and the YAML cannot carry is written as comments beside the object it
belongs to (and at the top for the node's own objects), so a reviewer sees it where it
matters; the CLI prints the same list on standard error. ``spec.config`` is pretty-printed
JSON in a literal block, as people write it by hand.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any

import yaml

from netwright.backend.export.multus import (
    ANNOTATION_PREFIX,
    POD_IMAGE,
    Attachment,
    MultusExport,
    NotCarried,
    PodPlan,
    cni_config,
    main_plugin,
)

NETWORKS_ANNOTATION = "k8s.v1.cni.cncf.io/networks"
NAD_API = "k8s.cni.cncf.io/v1"
_DHCP_COMMENT = (
    "dhcp IPAM: the CNI dhcp daemon (`dhcp daemon` from the CNI plugins) must run on every"
    " node. It sends the client identifier <container id>/<network>/<interface> unless"
    " `provide` sets dhcp-client-identifier, so ipvlan children that share their parent's MAC"
    " still get one lease each; the design's client-id, when it has one, is provided as the"
    " bytes Netwright's own client sends (a text id after a zero type byte, \\u0000)."
)

_DHCP_IPVLAN_COMMENT = (
    "ipvlan: run the node's daemon as `dhcp daemon -broadcast`. An ipvlan child has its"
    " parent's MAC, so a server's unicast reply, addressed to an IP no child holds yet, goes"
    " to the parent and the pod never gets its lease."
)

_BRIDGE_L2_COMMENT = (
    "no address, so no IPAM: the bridge plugin's ADD and DEL work, but its CHECK fails with"
    " 'no plugin name provided' (it asks an IPAM plugin whatever the config says), so a"
    " runtime that runs CHECK reports this attachment as broken although it works."
)


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (the JSON configs) as literal blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _dump(document: dict[str, Any]) -> str:
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                     allow_unicode=True, width=100)


def _comments(lines: list[str]) -> str:
    wrapped = []
    for line in lines:
        wrapped += textwrap.wrap(line, 96, subsequent_indent="  ", break_on_hyphens=False)
    return "".join(f"# {line}\n" for line in wrapped)


def _not_carried(notes: list[NotCarried]) -> list[str]:
    return [f"not carried: {note.text()}" for note in notes]


def nad_document(attachment: Attachment, topology: str,
                 k8s_namespace: str | None) -> dict[str, Any]:
    annotations = {
        f"{ANNOTATION_PREFIX}/topology": topology,
        f"{ANNOTATION_PREFIX}/interface": attachment.key,
    }
    if attachment.host_port:
        annotations[f"{ANNOTATION_PREFIX}/host-port"] = attachment.host_port
    metadata: dict[str, Any] = {"name": attachment.nad_name}
    if k8s_namespace:
        metadata["namespace"] = k8s_namespace
    metadata["annotations"] = annotations
    config = json.dumps(cni_config(attachment), indent=2) + "\n"
    return {"apiVersion": NAD_API, "kind": "NetworkAttachmentDefinition",
            "metadata": metadata, "spec": {"config": config}}


def pod_document(pod: PodPlan, topology: str, k8s_namespace: str | None,
                 image: str) -> dict[str, Any]:
    networks = json.dumps([a.selection() for a in pod.attachments], indent=2) + "\n"
    metadata: dict[str, Any] = {"name": pod.pod_name}
    if k8s_namespace:
        metadata["namespace"] = k8s_namespace
    metadata["annotations"] = {
        NETWORKS_ANNOTATION: networks,
        f"{ANNOTATION_PREFIX}/topology": topology,
        f"{ANNOTATION_PREFIX}/namespace": pod.namespace,
    }
    spec: dict[str, Any] = {}
    if pod.node:
        spec["nodeSelector"] = {"kubernetes.io/hostname": pod.node}
    spec["containers"] = [{"name": "main", "image": image}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}


def render_multus(export: MultusExport, k8s_namespace: str | None = None,
                  image: str = POD_IMAGE, made_by: str = "netwright export --format multus") -> str:
    """The whole export as multi-document YAML with the not-carried list as comments;
    ``made_by``: the command (or the designer's menu) that wrote it."""
    name = export.topology.name
    head = [
        f"Netwright design '{name}' for Kubernetes with Multus ({made_by}).",
        "One NetworkAttachmentDefinition per attachment (a reference CNI plugin with its",
        "addresses and routes), one Pod per namespace asking for its attachments by name.",
    ]
    head += export.info
    if export.host_notes:
        head += _not_carried(export.host_notes)
    parts = [_comments(head)]
    for pod in export.pods:
        for attachment in pod.attachments:
            lines = _not_carried(attachment.notes)
            plugin = main_plugin(attachment.config)
            if plugin.get("ipam", {}).get("type") == "dhcp":
                lines.append(_DHCP_COMMENT)
                if plugin["type"] == "ipvlan":
                    lines.append(_DHCP_IPVLAN_COMMENT)
            if plugin["type"] == "bridge" and "ipam" not in plugin:
                lines.append(_BRIDGE_L2_COMMENT)
            parts.append("---\n" + _comments(lines)
                         + _dump(nad_document(attachment, name, k8s_namespace)))
    for pod in export.pods:
        parts.append("---\n" + _comments(_not_carried(pod.notes))
                     + _dump(pod_document(pod, name, k8s_namespace, image)))
    return "".join(parts)
