"""The DHCP members of io.netwright.Backend1: a deployment's leases, renew, the lab's server.

The DHCP clients and the lab's DHCP server keep their state where the backend runs (a lab's
inside its private namespaces and state directory), so ``netwright dhcp`` asks the backend
rather than reading files itself. Mixed into ``Backend1`` (interface.py); each handler has the
fixed shape of calls.exported: polkit first, then the name, then the engine.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from dbus_fast.annotations import DBusDict, DBusStr, DBusUInt32
from dbus_fast.service import dbus_method

from netwright.backend.service import names
from netwright.backend.service.authority import Authority
from netwright.backend.service.calls import decode_name, decode_options, exported
from netwright.backend.service.errors import NoDhcpServer
from netwright.backend.service.stopping import Stopping
from netwright.backend.service.worker import EngineWorker


class DhcpCalls:
    """DhcpLeases, DhcpRenew, DhcpServerLeases; uses the ``worker``, ``authority`` and
    ``stopping`` that Backend1 holds (a renew whose polkit answer came after the stop began
    is refused: it would start DHCP work the stop no longer waits for)."""

    worker: EngineWorker
    authority: Authority
    stopping: Stopping

    @dbus_method(name="DhcpLeases")
    @exported(names.ACTION_INSPECT)
    async def dhcp_leases(self, name: DBusStr) -> DBusStr:
        topology = decode_name(name)
        states = await self.worker.with_engine(lambda e: e.dhcp_clients(topology))
        return json.dumps([state.to_json() for state in states])

    @dbus_method(name="DhcpRenew")
    @exported(names.ACTION_APPLY)
    async def dhcp_renew(self, name: DBusStr, options: DBusDict) -> DBusUInt32:
        decode_options(options, {})
        topology = decode_name(name)
        # polkit answered after the stop began: the clients are not asked (their DHCP
        # exchanges would run on while the stop ends the lab's helpers, or the daemon)
        self.stopping.refuse(f"renewing the DHCP clients of {topology}")
        return await self.worker.with_engine(lambda e: e.renew_dhcp(topology))

    @dbus_method(name="DhcpServerLeases")
    @exported(names.ACTION_INSPECT)
    async def dhcp_server_leases(self) -> DBusStr:
        if self.worker.target.host_netns is None:
            raise NoDhcpServer(
                "this backend manages the real host, where Netwright runs no DHCP server"
                " (only a lab does: netwright dhcp server --lab)")
        from netwright.backend.lab import dhcp_server_leases

        leases = dhcp_server_leases(self.worker.state_dir)
        return json.dumps([asdict(lease) for lease in leases])
