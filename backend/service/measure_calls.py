"""The Measure member of io.netwright.Backend1: iperf3 throughput between two namespaces.

iperf3 must run inside the deployment's namespaces, which only the backend can enter (a lab's
live in its private mount namespace), so ``netwright measure`` asks here, like ``check``.
Mixed into ``Backend1`` (interface.py); the handler has the fixed shape of calls.exported:
polkit (io.netwright.check: it sends traffic, changes nothing) first, then the arguments,
then the measurement in a thread (iperf3 runs for seconds and must not hold the bus loop).
Both run it as a job of operation "measure" (beside changes, like a check, and cancelled by a
change of its topology or when its caller leaves the bus); StartMeasure answers with the
job's id at once: Cancel ends both iperf3 processes at once, so the designer's Cancel really
stops the traffic and frees the server's port.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from dbus_fast.annotations import DBusDict, DBusStr
from dbus_fast.service import dbus_method

from netwright.backend.measure.errors import MeasureOptionsError
from netwright.backend.measure.iperf import MeasureOptions, measure
from netwright.backend.service import names
from netwright.backend.service.authority import Authority
from netwright.backend.service.calls import decode_name, decode_options, exported
from netwright.backend.service.errors import InvalidArgumentsError
from netwright.backend.service.jobs import Job, Jobs, Owner, outcome
from netwright.backend.service.worker import CancelFlag, EngineWorker, Progress, in_own_thread
from netwright.backend.topology.fields import check_identifier

#: D-Bus options of Measure and their signatures.
MEASURE_OPTIONS = {"seconds": "d", "udp": "b", "bitrate": "s", "port": "u"}


def _namespace_key(key: str) -> str:
    try:
        return check_identifier(key)
    except ValueError as exc:  # PydanticCustomError is one
        raise InvalidArgumentsError(f"namespace: {exc}") from None


class MeasureCalls:
    """Measure and StartMeasure; use what Backend1 holds (``worker``, ``authority``,
    ``jobs``, ``_owner``)."""

    worker: EngineWorker
    authority: Authority
    jobs: Jobs
    _owner: Callable[[], Awaitable[Owner]]

    @dbus_method(name="Measure")
    @exported(names.ACTION_CHECK)
    async def measure(self, name: DBusStr, source: DBusStr, target: DBusStr,
                      options: DBusDict) -> DBusStr:
        job = await self._measure_job(name, source, target, options, quiet=True)
        return json.dumps(await outcome(job))

    @dbus_method(name="StartMeasure")
    @exported(names.ACTION_CHECK)
    async def start_measure(self, name: DBusStr, source: DBusStr, target: DBusStr,
                            options: DBusDict) -> DBusStr:
        """Measure as a job: its id at once, the result in JobFinished's data."""
        return (await self._measure_job(name, source, target, options, quiet=False)).id

    async def _measure_job(self, name: str, source: str, target: str,
                           options: dict[str, Any], *, quiet: bool) -> Job:
        """The measurement as a job of operation "measure" (``quiet``: no signals, for
        Measure, which answers with the result)."""
        topology, source, target, chosen = _decoded(name, source, target, options)
        deployment = await self.worker.with_engine(lambda e: e.deployment(topology))

        async def work(_progress: Progress, cancel: CancelFlag) -> dict[str, Any]:
            result = await in_own_thread(
                lambda: measure(deployment, source, target, chosen, cancel),
                f"measure {topology}")
            return result.to_json()

        return self.jobs.start(topology, "measure", names.ACTION_CHECK, work,
                               await self._owner(), quiet=quiet)


def _decoded(name: str, source: str, target: str, options: dict[str, Any]
             ) -> tuple[str, str, str, MeasureOptions]:
    """The arguments of Measure and StartMeasure, checked: InvalidArguments otherwise."""
    values = decode_options(options, MEASURE_OPTIONS)
    topology = decode_name(name)
    try:
        chosen = MeasureOptions(**values)
    except MeasureOptionsError as exc:
        raise InvalidArgumentsError(str(exc)) from None
    return topology, _namespace_key(source), _namespace_key(target), chosen
