"""The structural schema of Multus's NetworkAttachmentDefinition CRD and of a Pod's networks
annotation, as a Kubernetes API server would check them, plus what the reference plugins
accept in each configuration (their JSON fields at the Debian version, 1.1.1)."""

from __future__ import annotations

from typing import Any

DNS_LABEL = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"

NAD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "k8s.cni.cncf.io/v1"},
        "kind": {"const": "NetworkAttachmentDefinition"},
        "metadata": {
            "type": "object", "required": ["name"],
            "properties": {"name": {"type": "string", "pattern": DNS_LABEL},
                           "namespace": {"type": "string", "pattern": DNS_LABEL},
                           "annotations": {"type": "object",
                                           "additionalProperties": {"type": "string"}}},
        },
        "spec": {"type": "object", "properties": {"config": {"type": "string"}},
                 "additionalProperties": False},
    },
}

POD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "v1"},
        "kind": {"const": "Pod"},
        "metadata": {"type": "object", "required": ["name", "annotations"],
                     "properties": {"name": {"type": "string", "pattern": DNS_LABEL}}},
        "spec": {"type": "object", "required": ["containers"]},
    },
}

NETWORKS_SCHEMA: dict[str, Any] = {  # Multus's NetworkSelectionElement
    "type": "array",
    "items": {
        "type": "object", "required": ["name"], "additionalProperties": False,
        "properties": {"name": {"type": "string", "pattern": DNS_LABEL},
                       "namespace": {"type": "string"}, "interface": {"type": "string"},
                       "ips": {"type": "array", "items": {"type": "string"}},
                       "mac": {"type": "string"}},
    },
}

_COMMON = {"type", "ipam", "capabilities", "mtu"}
PLUGIN_FIELDS: dict[str, set[str]] = {
    "ipvlan": _COMMON | {"master", "mode"},
    "macvlan": _COMMON | {"master", "mode", "mac"},
    "vlan": _COMMON | {"master", "vlanId"},
    "bridge": _COMMON | {"bridge", "isGateway", "isDefaultGateway", "forceAddress", "ipMasq",
                         "hairpinMode", "promiscMode", "vlan", "macspoofchk", "enabledad"},
    "tuning": {"type", "sysctl", "mac", "promisc", "mtu", "allmulti", "capabilities"},
}
IPAM_FIELDS: dict[str, set[str]] = {
    "static": {"type", "addresses", "routes", "dns"},
    "dhcp": {"type", "provide", "request", "daemonSocketPath"},
}
