"""Check: the connectivity checks (backend/checks) run on a deployment, for the bus.

The checks need the deployment (real namespace names); the daemon reads it from the engine
and runs the probes in a worker thread (run_check opens sockets inside namespaces and must
not hold the daemon's loop). In a lab the lab's outside address is probed by default.
"""

from __future__ import annotations

from typing import Any

from netwright.backend.checks.run import CheckOptions, CheckOptionsError, Progress, run_check
from netwright.backend.service.errors import InvalidArgumentsError
from netwright.backend.service.worker import EngineWorker

#: D-Bus options of Check and their signatures.
CHECK_OPTIONS = {"outside": "s", "timeout": "d", "retries": "u", "tcp_port": "u", "probe": "b",
                 "size": "u"}


async def run_check_for_bus(
    worker: EngineWorker, name: str, values: dict[str, Any], progress: Progress | None = None
) -> dict[str, Any]:
    """Probe and explain the deployed topology ``name``; the result as JSON data.

    ``progress`` is called from the worker thread (wrap it with thread_safe_progress).
    """
    if "outside" not in values and worker.target.host_netns is not None:
        from netwright.backend.lab import LAB_OUTSIDE_ADDRESS
        from netwright.backend.lab.build import outside_netns

        # the lab's outside answers TCP and UDP during the check and probes published ports
        values = {**values, "outside": LAB_OUTSIDE_ADDRESS,
                  "outside_netns": outside_netns(worker.target)}
    try:
        options = CheckOptions(**values)
    except CheckOptionsError as exc:
        raise InvalidArgumentsError(str(exc)) from None

    async def check() -> dict[str, Any]:
        deployment = await worker.engine().deployment(name)
        result = await run_check(deployment, options, progress)
        data: dict[str, Any] = result.to_json()
        return data

    return await worker.run(check)
