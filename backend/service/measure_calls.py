"""The Measure member of io.netwright.Backend1: iperf3 throughput between two namespaces.

iperf3 must run inside the deployment's namespaces, which only the backend can enter (a lab's
live in its private mount namespace), so ``netwright measure`` asks here, like ``check``.
Mixed into ``Backend1`` (interface.py); the handler has the fixed shape of calls.exported:
polkit (io.netwright.check: it sends traffic, changes nothing) first, then the arguments,
then the measurement in a thread (iperf3 runs for seconds and must not hold the bus loop).
"""

from __future__ import annotations

import asyncio
import json

from dbus_fast.annotations import DBusDict, DBusStr
from dbus_fast.service import dbus_method

from netwright.backend.measure.iperf import MeasureError, MeasureOptions, measure
from netwright.backend.service import names
from netwright.backend.service.authority import Authority
from netwright.backend.service.calls import decode_name, decode_options, exported
from netwright.backend.service.errors import InvalidArgumentsError
from netwright.backend.service.worker import EngineWorker
from netwright.backend.topology.fields import check_identifier

#: D-Bus options of Measure and their signatures.
MEASURE_OPTIONS = {"seconds": "d", "udp": "b", "bitrate": "s", "port": "u"}


def _namespace_key(key: str) -> str:
    try:
        return check_identifier(key)
    except ValueError as exc:  # PydanticCustomError is one
        raise InvalidArgumentsError(f"namespace: {exc}") from None


class MeasureCalls:
    """Measure; uses the ``worker`` and ``authority`` that Backend1 holds."""

    worker: EngineWorker
    authority: Authority

    @dbus_method(name="Measure")
    @exported(names.ACTION_CHECK)
    async def measure(self, name: DBusStr, source: DBusStr, target: DBusStr,
                      options: DBusDict) -> DBusStr:
        values = decode_options(options, MEASURE_OPTIONS)
        topology = decode_name(name)
        source, target = _namespace_key(source), _namespace_key(target)
        try:
            chosen = MeasureOptions(**values)
        except MeasureError as exc:
            raise InvalidArgumentsError(str(exc)) from None
        deployment = await self.worker.with_engine(lambda e: e.deployment(topology))
        result = await asyncio.to_thread(measure, deployment, source, target, chosen)
        return json.dumps(result.to_json())
