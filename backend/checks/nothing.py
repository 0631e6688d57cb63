"""Why a check found nothing to check, and what would give it something: one sentence.

A check probes from places that hold an address (explain.py ``sources``); with none, there is
no pair, and a report of zero pairs must not read as "every pair is reachable". This says
what was looked at and why none of it could be a source: no namespace at all, addresses only
from DHCP (unknown before the lease, or no lease held yet), no address anywhere, or on the
live host only loopback and the host's own NICs (which are targets, not sources).
"""

from __future__ import annotations

from netwright.backend.topology.model import Topology, dhcp_interfaces

#: Namespaces named in the sentence before "and N more".
NAMED = 6


def nothing_to_check(topology: Topology, *, observed: bool = False, leased: bool = False
                     ) -> str:
    """Why a check of ``topology`` has no pair, a clause to follow "nothing to check:".

    ``observed`` for the live host (``check --host``), ``leased`` when DHCP leases were
    filled in (a deployed check), neither for a design (``explain``)."""
    namespaces = list(topology.namespaces)
    if observed:
        looked = _names(["host", *namespaces])
        return ("no namespace of this host has an address to probe from"
                f" (looked at {looked}; loopback and the host's own NICs are targets, not"
                " sources); give an interface in a namespace an address (ip -n NAMESPACE"
                " address add ADDR dev IFACE) and check again")
    if not namespaces:
        return (f"{topology.name} has no namespace to probe from; add a"
                " namespace with an addressed interface to check who reaches whom")
    dhcp = dhcp_interfaces(topology)
    where = f"no namespace of {topology.name} ({_names(namespaces)})"
    if dhcp and leased:
        return (f"{where} holds a static address or a DHCP lease yet (DHCP"
                f" on {_names(dhcp)}); check again once the clients hold leases (netwright"
                f" dhcp leases {topology.name})")
    if dhcp:
        return (f"{where} has a static address, and addresses from DHCP"
                f" ({_names(dhcp)}) are unknown before the lease; deploy it and netwright check"
                f" {topology.name} probes the leased addresses")
    return (f"{where} has an address; give an interface in a namespace an"
            " address (addresses: [10.0.0.2/24]) to check who reaches whom")


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:NAMED])
    return shown + (f" and {len(names) - NAMED} more" if len(names) > NAMED else "")
