"""Status of the persistent objects: is each one's profile there, as designed, and active?

The engine's own status compares the kernel with the design, but it leaves the persistent
objects to NetworkManager. So this module asks NetworkManager instead: a missing profile,
a profile someone edited by hand (``nmcli connection modify``), one that is not active, or
a device missing from the kernel is reported per object, in the same words as the plan.

The plan already notices hand edits (``profile_diff``), so a drifted profile is one the next
apply changes, and the difference reads as that step does.
"""

from __future__ import annotations

import asyncio
from typing import Literal

from netwright.backend.nm import kernel
from netwright.backend.nm.client import NmClient
from netwright.backend.nm.errors import NmError
from netwright.backend.nm.persist import plan_persist
from netwright.backend.nm.profiles import persistent_keys
from netwright.backend.record import record
from netwright.backend.topology.model import Topology

State = Literal["present", "drifted", "missing"]


@record(frozen=True)
class PersistStatus:
    """One persistent object: its state and, when drifted, what differs (sentences)."""

    key: str
    state: State
    differences: tuple[str, ...] = ()


async def persist_statuses(nm: NmClient | None, topology: Topology,
                           netns: str | None) -> list[PersistStatus]:
    """Per persistent object of ``topology``: present, drifted (why) or missing."""
    keys = persistent_keys(topology)
    if not keys:
        return []
    if nm is None:
        return [PersistStatus(k, "drifted", ("NetworkManager is not running here, so the"
                                             " profile that keeps this object across reboots"
                                             " cannot be checked",)) for k in keys]
    try:
        plan = await plan_persist(nm, topology, netns=netns)
    except NmError as exc:
        return [PersistStatus(k, "drifted", (str(exc),)) for k in keys]
    steps = {s.object: s for s in plan.steps}
    out = []
    for key in keys:
        step = steps.get(key)
        if step is not None and step.action == "create":
            out.append(PersistStatus(key, "missing", (step.text,)))
            continue
        differences = [step.text] if step is not None else []
        ifname = topology.kernel_name(key)
        if not await asyncio.to_thread(kernel.link_exists, netns, ifname):
            differences.append(f"interface {ifname} is not in the kernel (NetworkManager"
                               " has its profile but has not created it)")
        out.append(PersistStatus(key, "drifted" if differences else "present",
                                 tuple(differences)))
    return out
