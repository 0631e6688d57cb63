"""The topology as deployed with its leases filled in, for code that wants plain addresses.

The connectivity checks predict and probe static addresses. Once a DHCP client holds a lease,
the interface has a concrete address like any other; ``with_leases`` writes it in place of
the ``dhcp`` entry, so the checks (and anything else built on ``static_addresses``) use leased
addresses as targets without knowing about DHCP. An interface without a lease keeps its
``dhcp`` entry (and stays out of the checks, as before). Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netwright.backend.topology.model import DhcpEntry, Topology


def with_leases(topology: Topology, leases: Mapping[str, str]) -> Topology:
    """``topology`` with each leased interface's first ``dhcp`` entry replaced by its lease
    (``leases``: interface key → CIDR). The same object when nothing changes."""
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
