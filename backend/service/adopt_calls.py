"""The Adopt member of io.netwright.Backend1: existing objects become a deployment's own.

The preview is under io.netwright.apply; adopting itself needs io.netwright.adopt besides (an
administrator, each time): once adopted, an object someone else made (a container runtime's
bridge, the host's own) is deleted by destroy, and by an apply that leaves it out, so apply
and destroy together, which site rules give freely (50-netwright-netdev.rules), must not
reach what Netwright did not create. The caller names every object; with the option
"preview" nothing is marked and the answer is the list a confirmation shows, so a client
confirms by name and then calls again. The design file is
the client's to edit (root never writes into a user's files). Mixed into ``Backend1``
(interface.py) with the fixed shape of calls.exported.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Annotated

from dbus_fast.annotations import DBusDict, DBusSignature, DBusStr
from dbus_fast.service import dbus_method

from netwright.backend.service import names
from netwright.backend.service.authority import Authority
from netwright.backend.service.calls import decode_name, decode_options, exported
from netwright.backend.service.errors import InvalidArgumentsError
from netwright.backend.service.stopping import Stopping
from netwright.backend.service.worker import EngineWorker

DBusStrList = Annotated[list[str], DBusSignature("as")]
ADOPT_OPTIONS = {"preview": "b"}
MAX_OBJECTS = 4096


class AdoptCalls:
    """Adopt; uses the ``worker``, ``authority`` and ``stopping`` that Backend1 holds (an
    adopt whose password was typed after the stop began is refused, as a job would be)."""

    worker: EngineWorker
    authority: Authority
    stopping: Stopping
    _authorize_again: Callable[[str], Awaitable[None]]

    @dbus_method(name="Adopt")
    @exported(names.ACTION_APPLY)
    async def adopt(self, name: DBusStr, objects: DBusStrList, options: DBusDict) -> DBusStr:
        values = decode_options(options, ADOPT_OPTIONS)
        topology = decode_name(name)
        if not objects or len(objects) > MAX_OBJECTS:
            raise InvalidArgumentsError(f"name between 1 and {MAX_OBJECTS} objects to adopt")
        keys = [str(key)[:64] for key in objects]
        preview = bool(values.get("preview"))
        if not preview:
            await self._authorize_again(names.ACTION_ADOPT)  # an administrator's password
            self.stopping.refuse(f"adopting {len(keys)} objects into {topology}")
        from netwright.backend.engine import adopt as adopting
        from netwright.backend.engine.store import Store

        worker = self.worker
        store = Store(worker.state_dir, worker.target)

        async def work() -> list[dict[str, str]]:
            if preview:
                items = adopting.preview(store, worker.target, topology, keys)
            else:
                items = adopting.adopt(store, worker.target, topology, keys)[1]
            return [{"key": item.key, "text": item.text,
                     "section": "namespaces" if item.namespace else "interfaces"}
                    for item in items]

        return json.dumps({"objects": await worker.run(work)})
