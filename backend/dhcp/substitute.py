"""The topology as deployed with its leases filled in, for code that wants plain addresses.

The connectivity checks predict and probe static addresses. Once a DHCP client holds a lease,
the interface has a concrete address like any other; ``with_leases`` writes it in place of
the ``dhcp`` entry, so the checks (and anything else built on ``static_addresses``) use leased
addresses as targets without knowing about DHCP. An interface without a lease keeps its
``dhcp`` entry (and stays out of the checks, as before). Pure.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from netwright.backend.topology.model import DhcpEntry, Route, Topology


def with_leases(topology: Topology, leases: Mapping[str, str],
                gateways: Mapping[str, str] | None = None) -> Topology:
    """``topology`` with each leased interface's first ``dhcp`` entry replaced by its lease
    (``leases``: interface key → CIDR), and the default routes DHCP clients added
    (``gateways``: interface key → router) in their namespaces' routes, where the design
    gives none of that version. The same object when nothing changes."""
    topology = _with_lease_routes(topology, gateways or {})
    changed: dict[str, Any] = {}
    for key, cidr in leases.items():
        link = topology.interfaces.get(key)
        if link is None:
            continue
        entries: list[Any] = []
        replaced = False
        for entry in link.addresses:
            if isinstance(entry, DhcpEntry):
                if not replaced:
                    entries.append(cidr)
                    replaced = True
                continue
            entries.append(entry)
        if replaced:
            changed[key] = link.model_copy(update={"addresses": entries})
    if not changed:
        return topology
    return topology.model_copy(update={"interfaces": {**topology.interfaces, **changed}})


def _with_lease_routes(topology: Topology, gateways: Mapping[str, str]) -> Topology:
    """The client adds ``default via ROUTER dev IFACE`` only where its namespace had no
    default route (``dhcp/script.py``): without it here, a check predicted "no default
    route" for a namespace that reaches the outside through its lease's router."""
    namespaces: dict[str, Any] = {}
    for key, router in gateways.items():
        link = topology.interfaces.get(key)
        if link is None or link.namespace is None or link.namespace not in topology.namespaces:
            continue
        namespace = namespaces.get(link.namespace, topology.namespaces[link.namespace])
        version = ipaddress.ip_address(router).version
        if any(route.to == "default" and (ipaddress.ip_address(str(route.via)).version
                                          if route.via is not None else 4) == version
               for route in namespace.routes):
            continue
        added = Route(to="default", via=router, dev=topology.kernel_name(key))
        namespaces[link.namespace] = namespace.model_copy(
            update={"routes": [*namespace.routes, added]})
    if not namespaces:
        return topology
    return topology.model_copy(update={"namespaces": {**topology.namespaces, **namespaces}})
