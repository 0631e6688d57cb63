"""The Capture member of io.netwright.Backend1: packets of a deployed interface, as pcapng.

The caller opens the output itself (as the user) and passes the descriptor over the bus
(D-Bus type 'h'); netwrightd never opens a path of the caller's choosing, and what writes into
the descriptor is a helper process (capture.engine), so a descriptor that never takes data
stalls only that helper. The capture runs as a job of operation "capture": it ends on its
count or time limit, on Cancel (the job's own action, io.netwright.capture), and when the
caller's connection leaves the bus (as every reading job does: caller_watch.py), so an
interrupted client never leaves a capture running. Mixed into ``Backend1`` (interface.py) with
the fixed handler shape of calls.exported.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from typing import Any

from dbus_fast.annotations import DBusDict, DBusStr, DBusUnixFd
from dbus_fast.service import dbus_method

from netwright.backend.capture.engine import CaptureLimits, open_capture
from netwright.backend.capture.where import locate
from netwright.backend.kernel.descriptors import CAPTURE_NEEDS
from netwright.backend.kernel.open_files import open_files_held
from netwright.backend.service import names
from netwright.backend.service.authority import Authority
from netwright.backend.service.callers import Callers
from netwright.backend.service.calls import CALLER, decode_name, decode_options, exported
from netwright.backend.service.capture_job import close_later, start_capture_job
from netwright.backend.service.errors import InvalidArgumentsError
from netwright.backend.service.jobs import Jobs, Owner
from netwright.backend.service.worker import EngineWorker

CAPTURE_OPTIONS = {"count": "u", "seconds": "d", "filter": "s"}
#: The longest capture one call may ask for (a day); Cancel ends any capture sooner.
MAX_SECONDS = 86400.0


class CaptureCalls:
    """Capture; uses the ``worker``, ``authority``, ``jobs`` and ``callers`` of Backend1."""

    worker: EngineWorker
    authority: Authority
    jobs: Jobs
    callers: Callers

    @dbus_method(name="Capture")
    @exported(names.ACTION_CAPTURE)
    async def capture(self, name: DBusStr, interface: DBusStr, output: DBusUnixFd,
                      options: DBusDict) -> DBusStr:
        limits = decode_limits(decode_options(options, CAPTURE_OPTIONS))
        topology = decode_name(name)
        if not isinstance(output, int) or output < 0:
            raise InvalidArgumentsError(
                "no file descriptor came with the call: the client's bus connection must"
                " negotiate Unix fd passing")
        deployment = await self.worker.with_engine(lambda e: e.deployment(topology))
        netns, kernel_name = locate(deployment, interface)
        owner = await self._capture_owner()
        with contextlib.ExitStack() as opening:  # what it holds, set aside until it ends
            opening.enter_context(open_files_held(
                f"a capture on {interface} of topology {topology}", CAPTURE_NEEDS))
            sock = await asyncio.to_thread(open_capture, netns, kernel_name, limits)
            opening.callback(sock.close)
            fd = os.dup(output)  # the dispatcher closes the message's own copy when we return
            opening.callback(close_later, fd)
            job = start_capture_job(self.jobs, topology, owner, sock=sock,
                                    interface=kernel_name, fd=fd, limits=limits,
                                    held=opening.pop_all())
        return job.id

    async def _capture_owner(self) -> Owner:
        sender = CALLER.get()
        return Owner(sender, await self.callers.uid(sender))


def decode_limits(values: dict[str, Any]) -> CaptureLimits:
    """Options → limits, each bounded; a sentence for a value out of range."""
    count = values.get("count")
    seconds = values.get("seconds")
    if count is not None and count == 0:
        raise InvalidArgumentsError("count must be at least 1 packet")
    if seconds is not None and not 0 < seconds <= MAX_SECONDS:
        raise InvalidArgumentsError(
            f"seconds must be more than 0 and at most {MAX_SECONDS:.0f} (a day)")
    return CaptureLimits(count=count, seconds=seconds, filter=values.get("filter", ""))

