"""Carry out a PersistPlan as one transaction that can be undone as a whole.

The engine runs the NetworkManager part and its own pyroute2 part together: NM first on apply
(the pyroute2 objects may be ports of an NM bridge), and if either fails, both roll back. So
``begin`` returns an open ``PersistTransaction``: the caller ``commit()``s it when everything
succeeded and ``rollback()``s it otherwise.

Undo is exact: profiles created are deleted (NM removes their devices), profiles updated or
deleted are written back from the copy read before the change, and a NetworkManager checkpoint
(``CheckpointCreate`` on the devices being changed, with a rollback timeout) restores those
devices' activation. The checkpoint's timeout is also the safety net if the backend dies
mid-transaction, or if the change cut the host off and nobody can confirm: NM restores the
devices by itself (Cockpit uses the same mechanism). Devices that are only created are left
out of the checkpoint on purpose: NM's "disconnect new devices" rollback would disconnect
every device outside the checkpoint, the host's uplink included.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn

from netwright.backend.nm import kernel, names
from netwright.backend.nm.client import NmClient
from netwright.backend.nm.errors import ConfirmationRequired, NmCallFailed, NmError
from netwright.backend.nm.persist import NmStep, PersistPlan
from netwright.backend.outcomes.errors import ApplyFailed
from netwright.backend.topology.problems import NetwrightError

DEFAULT_ROLLBACK_TIMEOUT = 60
"""Seconds after which NetworkManager restores the checkpointed devices on its own."""
DEVICE_GONE_TIMEOUT = 10.0


class PersistTransaction:
    """An applied PersistPlan that is not yet final: ``commit()`` or ``rollback()`` it."""

    def __init__(self, nm: NmClient, plan: PersistPlan, netns: str | None) -> None:
        self.nm = nm
        self.plan = plan
        self.netns = netns
        self.checkpoint: str | None = None
        self.created: list[tuple[str, str]] = []  # (profile path, ifname)
        self.modified: list[tuple[str, dict[str, Any]]] = []  # (path, settings before)
        self.deleted: list[dict[str, Any]] = []  # settings before
        self.done: list[NmStep] = []
        self.finished = False

    async def commit(self) -> None:
        """Keep the changes: drop the checkpoint (and with it NM's automatic rollback)."""
        if self.finished:
            return
        self.finished = True
        if self.checkpoint is None:
            return
        try:
            await self.nm.checkpoint_destroy(self.checkpoint)
        except NmCallFailed as exc:
            raise NmError("the confirmation window ended before the change was confirmed, and"
                          " NetworkManager restored the previous state") from exc

    async def rollback(self) -> bool:
        """Undo every step done, newest first; True when everything was restored."""
        if self.finished:
            return True
        self.finished = True
        clean = True
        for path, ifname in reversed(self.created):
            clean &= await self._quietly(self.nm.delete(path))
            clean &= await self._wait_gone(ifname)
        for path, before in reversed(self.modified):
            clean &= await self._quietly(self.nm.update(path, before))
        uuids = await self._uuids() if self.deleted else set()
        for before in reversed(self.deleted):
            if str(before["connection"]["uuid"].value) not in uuids:
                clean &= await self._quietly(self.nm.add_connection(before))
        if self.checkpoint is not None:
            try:
                results = await self.nm.checkpoint_rollback(self.checkpoint)
                clean &= all(r == names.ROLLBACK_OK for r in results.values())
            except NmCallFailed:
                clean = False
        return clean

    async def _uuids(self) -> set[str]:
        found = set()
        for path in await self.nm.connection_paths():
            try:
                found.add(str((await self.nm.settings(path)).get("connection", {}).get("uuid")))
            except NmCallFailed:
                continue
        return found

    async def _quietly(self, call: Any) -> bool:
        try:
            await call
        except NetwrightError:
            return False
        return True

    async def _wait_gone(self, ifname: str) -> bool:
        deadline = time.monotonic() + DEVICE_GONE_TIMEOUT
        while await asyncio.to_thread(kernel.link_exists, self.netns, ifname):
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.05)
        return True

    # --- the steps ----------------------------------------------------------------------

    async def run(self, step: NmStep) -> str | None:
        """Carry out one step; the active connection still coming up, if any, is returned
        (``begin`` waits for all of them together: NM brings devices up in parallel)."""
        pending = None
        if step.action == "create":
            pending = await self._create(step)
        elif step.action == "modify":
            await self._modify(step)
        else:
            await self._delete(step)
        self.done.append(step)
        return pending

    async def _create(self, step: NmStep) -> str | None:
        assert step.profile is not None
        path = await self.nm.add_connection(step.profile)
        self.created.append((path, step.ifname))
        return await self.nm.activate(path) if step.activate else None

    async def _modify(self, step: NmStep) -> None:
        assert step.profile is not None and step.path is not None
        before = await self.nm.raw_settings(step.path)
        self.modified.append((step.path, before))
        await self.nm.update(step.path, step.profile)
        if not step.activate:
            return
        device = await self.nm.device_by_iface(step.ifname)
        info = await self.nm.device(device) if device else None
        if info is not None and (names.DEVICE_STATE_PREPARE <= info.state
                                 <= names.DEVICE_STATE_ACTIVATED):
            try:
                await self.nm.reapply(info.path)
                return
            except NmCallFailed:
                pass  # a change Reapply cannot make: activate again (below)
        ports = await asyncio.to_thread(kernel.ports_of, self.netns, step.ifname)
        active = await self.nm.activate(step.path)
        await self.nm.wait_activated(active, step.ifname)
        if ports:  # NM drops ports it does not manage when it re-activates a bridge
            await asyncio.to_thread(kernel.restore_ports, self.netns, step.ifname, ports)

    async def _delete(self, step: NmStep) -> None:
        assert step.path is not None
        self.deleted.append(await self.nm.raw_settings(step.path))
        await self.nm.delete(step.path)
        if not await self._wait_gone(step.ifname):
            raise NmError(f"NetworkManager deleted the profile of {step.ifname} but the"
                          f" interface is still there after {DEVICE_GONE_TIMEOUT:.0f} s")


async def _affected_devices(nm: NmClient, plan: PersistPlan) -> list[str]:
    devices = []
    for step in plan.steps:
        if step.action == "create":
            continue
        path = await nm.device_by_iface(step.ifname)
        if path is not None and path not in devices:
            devices.append(path)
    return devices


async def begin(nm: NmClient, plan: PersistPlan, *, confirmed: bool = False,
                rollback_timeout: int = DEFAULT_ROLLBACK_TIMEOUT,
                netns: str | None = None) -> PersistTransaction:
    """Apply ``plan``; on failure undo it and raise ``ApplyFailed`` naming the step.

    A plan with ``takeover`` set (it changes the device of the host's default route) needs
    ``confirmed=True``, else ``ConfirmationRequired`` is raised before anything changes.
    """
    if plan.takeover and not confirmed:
        raise ConfirmationRequired(plan.takeover)
    tx = PersistTransaction(nm, plan, netns)
    if plan.empty:
        return tx
    devices = await _affected_devices(nm, plan)
    if devices:
        tx.checkpoint = await nm.checkpoint_create(devices, rollback_timeout)
    pending: list[tuple[NmStep, str]] = []
    for step in plan.steps:
        try:
            active = await tx.run(step)
        except NetwrightError as exc:
            await _fail(tx, step, exc)
        if active is not None:
            pending.append((step, active))
    results = await asyncio.gather(
        *(nm.wait_activated(active, step.ifname, ready=_addresses_on(step, netns))
          for step, active in pending), return_exceptions=True)
    for (step, _active), result in zip(pending, results, strict=True):
        if isinstance(result, NetwrightError):
            await _fail(tx, step, result)
        if isinstance(result, BaseException):
            raise result
    return tx


def _addresses_on(step: NmStep, netns: str | None) -> Callable[[], Awaitable[bool]]:
    """A check that the profile's static addresses are on its device (then it is usable)."""
    wanted = set()
    for section in ("ipv4", "ipv6"):
        data = (step.profile or {}).get(section, {}).get("address-data")
        for entry in data.value if data is not None else []:
            wanted.add(f"{entry['address'].value}/{entry['prefix'].value}")

    async def ready() -> bool:
        if not wanted:
            return True
        present = await asyncio.to_thread(kernel.addresses_of, netns, step.ifname)
        return wanted <= {str(ipaddress.ip_interface(a)) for a in present}

    return ready


async def _fail(tx: PersistTransaction, step: NmStep, exc: NetwrightError) -> NoReturn:
    clean = await tx.rollback()
    raise ApplyFailed(step.text, str(exc), rolled_back=clean) from exc
