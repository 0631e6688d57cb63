"""The live-host members of io.netwright.Backend1: ImportHost and StartCheckHost.

They reveal every namespace of the machine, other users' containers included, so they have
an action of their own (io.netwright.observe: active local users yes, others as
administrator); StartCheckHost probes too, so it needs io.netwright.check besides.
The backend's target decides what the "host" is: the real machine, or the lab's emulated
host (its router and outside namespaces are the LAN, not the host, and are left out). Mixed
into ``Backend1`` (interface.py) with the fixed shape of calls.exported.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from dbus_fast.annotations import DBusDict, DBusStr
from dbus_fast.service import dbus_method

from netwright.backend.service import names
from netwright.backend.service.authority import Authority
from netwright.backend.service.calls import decode_name, decode_options, exported
from netwright.backend.service.checking import CHECK_OPTIONS, check_options, run_limited
from netwright.backend.service.errors import InvalidArgumentsError
from netwright.backend.service.jobs import LIVE_HOST, Job, Jobs, Owner
from netwright.backend.service.worker import (
    CancelFlag,
    EngineWorker,
    Progress,
    thread_safe_progress,
)

IMPORT_OPTIONS = {"name": "s", "namespaces": "as", "as-design": "b"}
CHECK_HOST_OPTIONS = {**CHECK_OPTIONS, "namespaces": "as"}
LAB_LAN_NETNS = frozenset({"nwlab-router", "nwlab-outside"})
MAX_NAMESPACES = 4096


def _namespaces(wanted: list[str] | None) -> list[str] | None:
    """The namespaces a caller names, checked (None: all of them)."""
    if wanted is None:
        return None
    if len(wanted) > MAX_NAMESPACES:
        raise InvalidArgumentsError(f"at most {MAX_NAMESPACES} namespaces, not {len(wanted)}")
    return [decode_name(ns) for ns in wanted] or None


class ObserveCalls:
    """ImportHost and StartCheckHost; use what Backend1 holds (``worker``, ``authority``,
    ``jobs``, ``_owner`` and ``_authorize_again``)."""

    worker: EngineWorker
    authority: Authority
    jobs: Jobs
    _owner: Callable[[], Awaitable[Owner]]
    _authorize_again: Callable[[str], Awaitable[None]]

    @dbus_method(name="ImportHost")
    @exported(names.ACTION_OBSERVE)
    async def import_host(self, options: DBusDict) -> DBusStr:
        values = decode_options(options, IMPORT_OPTIONS)
        name = decode_name(values.get("name", "live-host"))
        wanted = _namespaces(values.get("namespaces"))
        from netwright.backend.hostimport.imports import host_import

        host = self.worker.target.host_netns
        try:
            found = await asyncio.to_thread(
                host_import, name, wanted, as_design=bool(values.get("as-design")),
                host=host, hide=LAB_LAN_NETNS if host else frozenset(),
                prefix=self.worker.target.netns_prefix)
        except LookupError as exc:
            raise InvalidArgumentsError(str(exc.args[0])) from None
        return json.dumps({"topology": found.text, "skipped": found.skipped,
                           "networkmanager": found.networkmanager, "holders": found.holders,
                           "host": found.host})

    @dbus_method(name="StartCheckHost")
    @exported(names.ACTION_OBSERVE)
    async def start_check_host(self, options: DBusDict) -> DBusStr:
        """The reachability check of the live host's namespaces as a job (see StartCheck)."""
        await self._authorize_again(names.ACTION_CHECK)
        values = decode_options(options, CHECK_HOST_OPTIONS)
        wanted = _namespaces(values.pop("namespaces", None))
        checked = check_options(self.worker, values)
        target = self.worker.target

        async def work(progress: Progress, cancel: CancelFlag) -> dict[str, Any]:
            report = thread_safe_progress(progress)

            async def check() -> dict[str, Any]:
                from netwright.backend.checks.observed import check_live_host, observe_subject

                host = target.host_netns
                result = await check_live_host(
                    lambda: observe_subject(wanted, host=host,
                                            hide=LAB_LAN_NETNS if host else frozenset(),
                                            prefix=target.netns_prefix), checked, report)
                data: dict[str, Any] = result.to_json()
                return data

            return await run_limited(self.worker, check, cancel, "check of the live host")

        job: Job = self.jobs.start(LIVE_HOST, "check", names.ACTION_CHECK, work,
                                   await self._owner(), quiet=False)
        return job.id
