"""The engine's handle on NetworkManager: one object per plan, apply or destroy.

The engine keeps doing everything with pyroute2 except the persistent host objects, which
NetworkManager creates from profiles. This module is the whole seam between the two, so the
engine's own code only calls it at four points:

- ``runtime_only(desired, topology)`` drops the persistent objects from what the engine
  creates itself (they appear to it like host NICs: referenced, never owned);
- ``plan()`` gives the NetworkManager steps to show before the engine's (refusing
  ``persist`` without NM, or on an NM too old for the kind, with a sentence);
- ``begin()`` applies them as an open transaction the engine commits after its own part, or
  rolls back when its own part fails (a failure in either undoes both);
- ``unmanage()`` marks the host-level runtime links the engine created as unmanaged;
- ``statuses()`` reports the persistent objects for the engine's status.

Example::

    part = await NetworkManagerPart.open(target.host_netns)
    try:
        persist = await part.plan(topology)
        tx = await part.begin(persist)
        try:
            ...  # the engine's pyroute2 part
        except BaseException:
            await tx.rollback()
            raise
        await tx.commit()
        await part.unmanage(part.runtime_host_links(topology))
    finally:
        part.close()
"""

from __future__ import annotations

import contextlib
from typing import Any

from netwright.backend.nm import names
from netwright.backend.nm.client import NmClient
from netwright.backend.nm.drift import PersistStatus, persist_statuses
from netwright.backend.nm.errors import NmError, PersistUnsupported
from netwright.backend.nm.kernel import netns_inode
from netwright.backend.nm.persist import PersistPlan, plan_forget, plan_persist
from netwright.backend.nm.profiles import persistent_keys
from netwright.backend.nm.runtime import open_networkmanager, unmanage
from netwright.backend.nm.transaction import DEFAULT_ROLLBACK_TIMEOUT, PersistTransaction, begin
from netwright.backend.outcomes.results import Step
from netwright.backend.topology.model import Topology


def runtime_only(desired: Any, topology: Topology | None) -> Any:
    """Remove ``topology``'s persistent objects from the engine's ``Desired`` (in place).

    NetworkManager owns them; the engine's objects still attach to them by name.
    """
    if topology is not None:
        for key in persistent_keys(topology):
            desired.links.pop(key, None)
    return desired


class NetworkManagerPart:
    """NetworkManager as seen from one target (``netns`` None = the engine's namespace)."""

    def __init__(self, nm: NmClient | None, netns: str | None, manages_target: bool) -> None:
        self.nm = nm
        self.netns = netns
        self.manages_target = manages_target

    @classmethod
    async def open(cls, netns: str | None, address: str | None = None) -> NetworkManagerPart:
        """Connect to the NM on the system bus, if there is one; never fails for lack of it."""
        nm = await open_networkmanager(address)
        manages = False
        if nm is not None:
            try:
                manages = await nm.netns_inode() == netns_inode(netns)
            except (NmError, OSError):
                manages = False
        return cls(nm, netns, manages)

    def close(self) -> None:
        if self.nm is not None:
            self.nm.close()
            self.nm = None

    async def plan(self, topology: Topology, *, lab: bool = False) -> PersistPlan:
        """NetworkManager's steps for ``topology`` (PersistUnsupported when it cannot);
        ``lab``: the target is the lab, whose refusal says so."""
        return await plan_persist(self.nm, topology, netns=self.netns, lab=lab)

    async def forget(self, name: str, deployed: Topology | None = None) -> PersistPlan:
        """The steps that delete every profile topology ``name`` owns.

        ``deployed`` is what was applied: if it had persistent objects and NetworkManager is
        not here to delete their profiles, ``PersistUnsupported`` says so before anything is
        changed (else the objects would come back at the next boot).
        """
        if self.nm is None or not self.manages_target:
            if deployed is not None and persistent_keys(deployed):
                raise PersistUnsupported(
                    f"topology {name} has objects NetworkManager keeps across reboots"
                    f" ({', '.join(persistent_keys(deployed))}), and NetworkManager is not"
                    " running here to delete their profiles: start NetworkManager and"
                    " destroy again")
            return PersistPlan(name, [])
        return await plan_forget(self.nm, name, netns=self.netns)

    async def begin(self, plan: PersistPlan, *, confirmed: bool = False,
                    rollback_timeout: int = DEFAULT_ROLLBACK_TIMEOUT) -> PersistTransaction:
        if self.nm is None or plan.empty:
            return _NothingToDo(plan)
        return await begin(self.nm, plan, confirmed=confirmed,
                           rollback_timeout=rollback_timeout, netns=self.netns)

    async def statuses(self, topology: Topology) -> list[PersistStatus]:
        """Present, drifted or missing, per persistent object, as NetworkManager has it."""
        return await persist_statuses(self.nm if self.manages_target else None, topology,
                                      self.netns)

    async def keep(self, checkpoint: str) -> bool:
        """End a trial by keeping its changes (destroy the checkpoint). False when the
        checkpoint is gone: NetworkManager restored the devices already, or restarted."""
        if self.nm is None:
            return False
        try:
            await self.nm.checkpoint_destroy(checkpoint)
        except NmError:
            return False
        return True

    def require_for_revert(self, name: str, *designs: Topology | None) -> None:
        """Refuse, before anything changes, a revert that needs NetworkManager (``designs``,
        the trial's and the previous one, have persistent objects) when it is not here:
        the sentence says to start it and revert again, not to drop ``persist``."""
        if self.nm is not None and self.manages_target:
            return
        kept = sorted({key for design in designs if design is not None
                       for key in persistent_keys(design)})
        if kept:
            raise PersistUnsupported(
                f"NetworkManager is not running here, so the configuration of {name} from"
                f" before the apply on trial cannot be restored ({', '.join(kept)}"
                f" {'is' if len(kept) == 1 else 'are'} NetworkManager's to restore): start"
                f" NetworkManager and run 'netwright revert {name}' again")

    async def restore(self, checkpoint: str) -> list[Step]:
        """End a trial by restoring the checkpointed devices now; a checkpoint NM already
        rolled back (or lost in a restart) needs nothing more from it. One step per device
        restored, so that a revert's report counts them (the profiles then match already)."""
        if self.nm is None:
            return []
        try:
            results = await self.nm.checkpoint_rollback(checkpoint)
        except NmError:
            return []
        restored = []
        for path, result in sorted(results.items()):
            if result != names.ROLLBACK_OK:
                continue
            with contextlib.suppress(NmError):
                ifname = (await self.nm.device(path)).iface
                restored.append(Step("modify", ifname, f"restore {ifname} as NetworkManager"
                                     " had it before the apply (its checkpoint)"))
        return restored

    @staticmethod
    def runtime_host_links(topology: Topology) -> list[str]:
        """Kernel names of the host-level links the engine itself creates for ``topology``."""
        persistent = set(persistent_keys(topology))
        return [topology.kernel_name(k) for k, link in topology.interfaces.items()
                if link.namespace is None and k not in persistent]

    async def unmanage(self, ifnames: list[str]) -> list[str]:
        """Mark the links unmanaged (best effort); the names NM managed until now.

        Without udev NM takes a new link at once and, "preparing" it, deletes the addresses
        the engine gave it meanwhile: the caller converges those links again."""
        if self.nm is None or not self.manages_target or not ifnames:
            return []
        released = []
        for name in ifnames:
            with contextlib.suppress(NmError):
                released += await unmanage(self.nm, [name])
        return released


class _NothingToDo(PersistTransaction):
    """The transaction of an empty plan (or of a host without NM): nothing to undo."""

    def __init__(self, plan: PersistPlan) -> None:
        self.plan = plan
        self.finished = True
        self.checkpoint = None

    async def commit(self) -> None:
        return None

    async def rollback(self) -> bool:
        return True


def as_steps(plan: PersistPlan) -> list[Step]:
    """The NetworkManager steps as engine ``Step``s, for the plan people read."""
    steps = []
    for index, step in enumerate(plan.steps):
        text = step.text
        if index == 0 and plan.notes:
            text += f" (note: {'; '.join(plan.notes)})"
        if plan.takeover and step.action != "create" and step.ifname in plan.takeover:
            text += f" (WARNING: {plan.takeover})"
        steps.append(Step(step.action, step.object, text))
    return steps
