"""The live-host member of io.netwright.Backend1: ImportHost.

It reveals every namespace of the machine, other users' containers included, so it has an
action of its own (io.netwright.observe: active local users yes, others as administrator).
The backend's target decides what the "host" is: the real machine, or the lab's emulated
host (its router and outside namespaces are the LAN, not the host, and are left out). Mixed
into ``Backend1`` (interface.py) with the fixed shape of calls.exported.
"""

from __future__ import annotations

import asyncio
import json

from dbus_fast.annotations import DBusDict, DBusStr
from dbus_fast.service import dbus_method

from netwright.backend.service import names
from netwright.backend.service.authority import Authority
from netwright.backend.service.calls import decode_name, decode_options, exported
from netwright.backend.service.errors import InvalidArgumentsError
from netwright.backend.service.worker import EngineWorker

IMPORT_OPTIONS = {"name": "s", "namespaces": "as", "as-design": "b"}
LAB_LAN_NETNS = frozenset({"nwlab-router", "nwlab-outside"})
MAX_NAMESPACES = 4096


class ObserveCalls:
    """ImportHost; uses the ``worker`` and ``authority`` that Backend1 holds."""

    worker: EngineWorker
    authority: Authority

    @dbus_method(name="ImportHost")
    @exported(names.ACTION_OBSERVE)
    async def import_host(self, options: DBusDict) -> DBusStr:
        values = decode_options(options, IMPORT_OPTIONS)
        name = decode_name(values.get("name", "live-host"))
        wanted = values.get("namespaces")
        if wanted is not None:
            if len(wanted) > MAX_NAMESPACES:
                raise InvalidArgumentsError(f"at most {MAX_NAMESPACES} namespaces, not"
                                            f" {len(wanted)}")
            wanted = [decode_name(ns) for ns in wanted]
        from netwright.backend.observe.imports import host_import

        host = self.worker.target.host_netns
        try:
            text, skipped = await asyncio.to_thread(
                host_import, name, wanted or None, as_design=bool(values.get("as-design")),
                host=host, hide=LAB_LAN_NETNS if host else frozenset(),
                prefix=self.worker.target.netns_prefix)
        except LookupError as exc:
            raise InvalidArgumentsError(str(exc.args[0])) from None
        return json.dumps({"topology": text, "skipped": skipped})
