"""DHCP for interfaces whose address is ``dhcp``: clients, client identities, the lab server.

Public API::

    from netwright.backend.dhcp import DhcpClients, requests, shared_identities

    clients = DhcpClients(state_dir, target)      # one per engine target
    clients.start(topology)                       # after apply: one udhcpc per dhcp interface
    await clients.wait_for_leases(topology, 10)   # {key: Lease(address, server, expires …)}
    clients.states(topology)                      # for Status: pid, lease, phase, describe()
    clients.renew("seed")                         # SIGUSR1: renew now
    clients.stop("seed")                          # before destroy: release, stop
    clients.reconcile({name: topology, …})        # backend start: orphans stopped, gaps filled

    requests(topology)         # [DhcpRequest]: which client-id each interface sends, and why
    shared_identities(topology)  # groups a server will take for one client (same lease)

    from netwright.backend.dhcp.lab_server import LabDhcpServer, ServedLan  # dnsmasq in the lab

The client is busybox's udhcpc, one process per interface inside its namespace; why, and how
the processes are found again after a crash, is in ``clients.py`` and ``processes.py``.
``identity.py`` is pure (the checks and the plan import it).

Names are loaded from their module on first use (``netwright.backend.exports``), so the lab
and the service can use ``processes`` without loading the client manager.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from netwright.backend.exports import load_export

if TYPE_CHECKING:
    from netwright.backend.dhcp.clients import ClientState, DhcpClients
    from netwright.backend.dhcp.errors import DhcpError, DhcpUnavailable
    from netwright.backend.dhcp.identity import (
        DhcpRequest,
        client_id_as_written,
        client_id_bytes,
        client_id_text,
        derived_client_id,
        requests,
        shared_identities,
        shared_identity_notes,
    )
    from netwright.backend.dhcp.lease import Lease

_EXPORTS = {
    "ClientState": "clients",
    "DhcpClients": "clients",
    "DhcpError": "errors",
    "DhcpUnavailable": "errors",
    "DhcpRequest": "identity",
    "client_id_as_written": "identity",
    "client_id_bytes": "identity",
    "client_id_text": "identity",
    "derived_client_id": "identity",
    "requests": "identity",
    "shared_identities": "identity",
    "shared_identity_notes": "identity",
    "Lease": "lease",
}


def __getattr__(name: str) -> Any:
    return load_export(__name__, _EXPORTS, name)


__all__ = [
    "ClientState",
    "DhcpClients",
    "DhcpError",
    "DhcpRequest",
    "DhcpUnavailable",
    "Lease",
    "client_id_as_written",
    "client_id_bytes",
    "client_id_text",
    "derived_client_id",
    "requests",
    "shared_identities",
    "shared_identity_notes",
]
