"""Check: the connectivity checks (backend/checks) run on a deployment, for the bus.

The checks need the deployment (real namespace names); the daemon reads it from the engine
and runs the probes in a check thread (run_check opens sockets inside namespaces and must
not hold the daemon's loop), apart from the engine's threads. A check stops within a
fraction of a second of its cancel flag (a Cancel, an Apply or Destroy of its topology, or
its time limit). In a lab the lab's outside address is probed by default.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from netwright.backend.checks.errors import CheckOptionsError
from netwright.backend.checks.run import CheckOptions, Progress, run_check
from netwright.backend.service.errors import InvalidArgumentsError
from netwright.backend.service.worker import CancelFlag, EngineWorker

#: D-Bus options of Check and their signatures.
CHECK_OPTIONS = {"outside": "s", "timeout": "d", "retries": "u", "tcp_port": "u", "probe": "b",
                 "size": "u", "source": "s"}

#: The longest a check may wait for replies: timeout × (retries + 1) must stay within it.
PROBE_BUDGET_SECONDS = 30.0
#: No check runs longer than this, whatever happens (it then ends Cancelled): the probe
#: budget plus the preparation (duplicate address detection, pinning neighbour entries).
CHECK_LIMIT_SECONDS = 60.0


def check_options(worker: EngineWorker, values: dict[str, Any]) -> CheckOptions:
    """The options a caller gave, checked (InvalidArguments when out of range)."""
    if "outside" in values and worker.target.host_netns is not None:
        from netwright.backend.lab import outside_refusal

        values = {**values, "outside_refused": outside_refusal(str(values["outside"]))}
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
    waiting = options.timeout * (options.retries + 1)
    if options.probe and waiting > PROBE_BUDGET_SECONDS:
        raise InvalidArgumentsError(
            f"a check may wait at most {PROBE_BUDGET_SECONDS:.0f} s for replies, and timeout"
            f" {options.timeout:g} s × (retries {options.retries} + 1) is {waiting:g} s:"
            " lower the timeout or the retries")
    return options


async def run_check_for_bus(
    worker: EngineWorker, name: str, options: CheckOptions, cancel: CancelFlag,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Probe and explain the deployed topology ``name``; the result as JSON data.

    ``progress`` is called from the check thread (wrap it with thread_safe_progress).
    Cancelled when ``cancel`` is set, or after CHECK_LIMIT_SECONDS.
    """
    async def check() -> dict[str, Any]:
        deployment = await worker.engine().deployment(name)
        result = await run_check(deployment, options, progress)
        data: dict[str, Any] = result.to_json()
        return data

    return await run_limited(worker, check, cancel, f"check of {name}")


async def run_limited(worker: EngineWorker, check: Callable[[], Awaitable[dict[str, Any]]],
                      cancel: CancelFlag, what: str) -> dict[str, Any]:
    """``check()`` in a check thread, cancelled when ``cancel`` is set or after
    CHECK_LIMIT_SECONDS (``what`` names it in the Cancelled error)."""
    limit = asyncio.get_running_loop().call_later(
        CHECK_LIMIT_SECONDS, cancel.request,
        f"it ran longer than netwrightd allows a check ({CHECK_LIMIT_SECONDS:.0f} s)")
    try:
        return await worker.run_check(check, cancel, what)
    finally:
        limit.cancel()
