"""Plan the persistent part of a topology: which NetworkManager profiles to add, update, delete.

Host-level objects marked ``persist: true`` are kept by NetworkManager as keyfile profiles so
they survive reboots; everything else stays runtime (the engine creates it with pyroute2, and
NetworkManager does not manage other namespaces at all). This module decides, refuses with a
sentence what cannot be kept (no NM; an NM too old for the kind; a persistent object whose
parent or master would not exist at boot), and warns when a change would take down the
connection the host uses. ``netwright.backend.nm.transaction`` carries the plan out.

Example::

    nm = await NmClient.connect()
    plan = await plan_persist(nm, topology, netns=None)
    print(plan.render())        # + create NetworkManager profile netwright-lab-br0 ...
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from netwright.backend.nm import names
from netwright.backend.nm.client import NmClient, NmVersion
from netwright.backend.nm.errors import (
    NmCallFailed,
    NmUnavailable,
    PersistUnsupported,
    WrongNamespace,
)
from netwright.backend.nm.kernel import default_route_devices, netns_inode
from netwright.backend.nm.profile_diff import hand_edits
from netwright.backend.nm.profiles import (
    MIN_VERSION,
    PERSIST_KINDS,
    Profile,
    build_profile,
    dependencies,
    persistent_keys,
    profile_id,
    profile_uuid,
)
from netwright.backend.record import field, record
from netwright.backend.topology.model import Topology

Action = Literal["create", "modify", "delete"]


@record(frozen=True)
class OwnedProfile:
    """A profile NetworkManager has that carries this topology's marks."""

    path: str
    key: str
    id: str
    ifname: str
    digest: str
    depends_on: tuple[str, ...]  # interface names (parent, master) it is built on
    settings: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False,
                                                repr=False)  # as GetSettings gave them


@record(frozen=True)
class NmStep:
    """One profile change: ``text`` for people, the rest for the transaction."""

    action: Action
    object: str
    text: str
    ifname: str
    profile: Profile | None = field(default=None, compare=False, repr=False)
    path: str | None = None  # the existing profile (modify, delete)
    activate: bool = True

    def to_json(self) -> dict[str, str]:
        return {"action": self.action, "object": self.object, "text": self.text}


@record(frozen=True)
class PersistPlan:
    """The NetworkManager part of a plan. ``takeover`` is set when confirmation is needed."""

    topology: str
    steps: list[NmStep]
    notes: list[str] = field(default_factory=list)
    takeover: str | None = None

    @property
    def empty(self) -> bool:
        return not self.steps

    def to_json(self) -> dict[str, Any]:
        return {"topology": self.topology, "steps": [s.to_json() for s in self.steps],
                "notes": list(self.notes), "takeover": self.takeover}

    def render(self) -> str:
        marks = {"create": "+", "modify": "~", "delete": "-"}
        lines = [f"  {marks[s.action]} {s.text}" for s in self.steps]
        lines += [f"  note: {n}" for n in self.notes]
        if self.takeover:
            lines.append(f"  WARNING: {self.takeover}")
        return "\n".join(lines)


def refusals(topology: Topology, version: NmVersion | None, *, lab: bool = False) -> list[str]:
    """Why the persistent objects of ``topology`` cannot be kept here (empty: they can).

    ``version`` None means no NetworkManager answers on the system bus. ``lab``: here is the
    lab, which never has NetworkManager: "start NetworkManager" cannot be done there.
    """
    keys = persistent_keys(topology)
    out: list[str] = []
    for key in keys:
        link = topology.interfaces[key]
        if version is None and lab:
            out.append(f"{link.kind} {key} is marked persist, which needs NetworkManager to keep"
                       " it across reboots, and the lab has none (nothing in it outlives the"
                       " lab): remove 'persist: true' to try the design in the lab (Netwright"
                       " then creates it until the lab stops); only a host that runs"
                       " NetworkManager keeps it")
            continue
        if version is None:
            out.append(f"{link.kind} {key} is marked persist, which needs NetworkManager to keep"
                       " it across reboots, and NetworkManager is not running here: remove"
                       " 'persist: true' (Netwright then creates it until the next reboot) or"
                       " start NetworkManager")
            continue
        if link.kind not in PERSIST_KINDS:
            out.append(f"{link.kind} {key} cannot be kept by NetworkManager: only"
                       f" {', '.join(PERSIST_KINDS)} can be persistent")
            continue
        needed = MIN_VERSION.get(link.kind)
        if needed is not None and version < needed:
            out.append(f"{link.kind} {key} is marked persist, but NetworkManager {version} on"
                       f" this host has no {link.kind} profiles (they arrived in NetworkManager"
                       f" {needed.major}.{needed.minor}): remove 'persist: true' (Netwright then"
                       " creates it until the next reboot) or upgrade NetworkManager")
        for dep in dependencies(topology, key):
            if dep not in keys:
                out.append(f"{link.kind} {key} is marked persist but is built on {dep}, which"
                           f" is not: at boot {dep} would not exist; mark {dep} persist too")
    return out


async def owned_profiles(nm: NmClient, topology_name: str) -> dict[str, OwnedProfile]:
    """Profiles marked ``netwright.topology=<topology_name>``, by interface key."""
    owned: dict[str, OwnedProfile] = {}
    for path in await nm.connection_paths():
        try:
            settings = await nm.settings(path)
        except NmCallFailed:  # deleted while we listed: not ours to report
            continue
        data = settings.get("user", {}).get("data", {})
        conn = settings.get("connection", {})
        key = str(data.get(names.USER_DATA_KEY) or "")
        if data.get(names.USER_DATA_TOPOLOGY) != topology_name:
            key = _exported_key(topology_name, conn)
            if not key:
                continue
        depends = [str(conn.get("master", ""))]
        for section in ("macvlan", "vlan", "vxlan", "ipvlan"):
            depends.append(str(settings.get(section, {}).get("parent", "")))
        owned[key] = OwnedProfile(
            path=path, key=key, id=str(conn.get("id", "")),
            ifname=str(conn.get("interface-name", "")),
            digest=str(data.get(names.USER_DATA_DIGEST, "")),
            depends_on=tuple(d for d in depends if d),
            settings=settings,
        )
    return owned


def _exported_key(topology_name: str, conn: dict[str, Any]) -> str:
    """The key of a profile made by `export --format nmcli` (id and derived UUID, no user-data).

    Both must match: the id prefix alone could be a coincidence, the UUID cannot.
    """
    prefix = profile_id(topology_name, "")
    pid = str(conn.get("id", ""))
    key = pid.removeprefix(prefix)
    if pid.startswith(prefix) and conn.get("uuid") == profile_uuid(topology_name, key):
        return key
    return ""


async def _active_ifaces(nm: NmClient) -> dict[str, str]:
    """Interface name → path of the settings profile active (or activating) on it."""
    active: dict[str, str] = {}
    for device in await nm.devices():
        if device.active_connection == names.NO_OBJECT:
            continue
        if not names.DEVICE_STATE_PREPARE <= device.state <= names.DEVICE_STATE_ACTIVATED:
            continue  # coming up counts (a bridge without ports stays "activating")
        try:
            conn = await nm.get(device.active_connection, names.IFACE_ACTIVE, "Connection")
        except NmCallFailed:  # deactivated meanwhile
            continue
        active[device.iface] = str(conn)
    return active


async def check_namespace(nm: NmClient, netns: str | None) -> None:
    """Refuse to use an NM that manages another namespace than the target's host."""
    try:
        same = await nm.netns_inode() == netns_inode(netns)
    except OSError:  # another user namespace (the lab) cannot see NM's namespace: not ours
        same = False
    if not same:
        where = f"namespace {netns}" if netns else "this process's network namespace"
        raise WrongNamespace(
            f"the NetworkManager on this bus manages another network namespace than {where},"
            " so it cannot keep this target's objects: persist is not available here")


async def _takeover(steps: list[NmStep], netns: str | None) -> str | None:
    """The sentence to confirm when a step would take down the host's own connection."""
    if all(s.action == "create" for s in steps):
        return None
    uplinks = await asyncio.to_thread(default_route_devices, netns)
    hit = [s for s in steps if s.action != "create" and s.ifname in uplinks]
    if not hit:
        return None
    names_ = ", ".join(sorted({s.ifname for s in hit}))
    return (f"this changes {names_}, which carries the host's default route: the host may"
            " lose its connection while NetworkManager re-applies it. Confirm to go ahead;"
            " if the change cuts you off, NetworkManager restores the previous state by"
            " itself when the confirmation window ends")


async def plan_persist(nm: NmClient | None, topology: Topology, *,
                       netns: str | None = None, lab: bool = False) -> PersistPlan:
    """The profile changes that make NetworkManager keep ``topology``'s persistent objects.

    ``nm`` None (no NetworkManager) is fine when nothing is persistent; otherwise
    ``PersistUnsupported`` with the sentence to show. ``netns`` is the target's host
    namespace (None = this process's), which NetworkManager must be running in.
    """
    keys = persistent_keys(topology)
    notes: list[str] = []
    namespaced = sorted(k for k, link in topology.interfaces.items() if link.namespace)
    if keys and namespaced:
        notes.append("interfaces inside namespaces stay runtime: NetworkManager does not manage"
                     " other namespaces, so Netwright creates them again at each apply")
    version = None
    if nm is not None:
        try:
            version = await nm.version()
        except NmUnavailable:
            version = None
    if nm is None or version is None:
        problems = refusals(topology, None, lab=lab)
        if problems:
            raise PersistUnsupported(problems[0])
        return PersistPlan(topology.name, [], notes)
    problems = refusals(topology, version)
    if problems:
        raise PersistUnsupported("; ".join(problems))
    await check_namespace(nm, netns)
    owned = await owned_profiles(nm, topology.name)
    active = await _active_ifaces(nm)
    steps: list[NmStep] = []
    for key in keys:
        link = topology.interfaces[key]
        profile = build_profile(topology, key)
        ifname = topology.kernel_name(key)
        pid = profile_id(topology.name, key)
        wanted_digest = profile["user"]["data"].value[names.USER_DATA_DIGEST]
        up = link.state == "up"
        have = owned.get(key)
        if have is None:
            steps.append(NmStep("create", key, f"create NetworkManager profile {pid} for"
                                f" {link.kind} {ifname} (kept across reboots)"
                                + (" and activate it" if up else ""), ifname, profile,
                                activate=up))
        elif have.digest != wanted_digest or have.ifname != ifname:
            steps.append(NmStep("modify", key, f"update NetworkManager profile {pid} of"
                                f" {link.kind} {ifname} in place"
                                + (" and re-apply it" if up else ""), ifname, profile,
                                path=have.path, activate=up))
        elif edits := hand_edits(profile, have.settings):
            steps.append(NmStep("modify", key, f"restore NetworkManager profile {pid} of"
                                f" {link.kind} {ifname}, changed outside Netwright ("
                                + "; ".join(edits) + ")" + (" and re-apply it" if up else ""),
                                ifname, profile, path=have.path, activate=up))
        elif up and active.get(ifname) != have.path:
            steps.append(NmStep("modify", key, f"activate NetworkManager profile {pid} of"
                                f" {link.kind} {ifname} (it is not active)", ifname, profile,
                                path=have.path, activate=True))
    steps += _deletions(topology, keys, owned)
    return PersistPlan(topology.name, steps, notes, await _takeover(steps, netns))


def _deletions(topology: Topology, keys: list[str],
               owned: dict[str, OwnedProfile]) -> list[NmStep]:
    """Owned profiles the design no longer has, dependants before what they are built on."""
    gone = [p for k, p in owned.items() if k not in keys]
    ordered: list[OwnedProfile] = []
    remaining = list(gone)
    while remaining:
        leaves = [p for p in remaining
                  if not any(p.ifname in q.depends_on for q in remaining if q is not p)]
        batch = leaves or remaining  # a cycle cannot be created by NM; be safe anyway
        for p in sorted(batch, key=lambda p: p.ifname):
            ordered.append(p)
            remaining.remove(p)
    return [NmStep("delete", p.key, f"delete NetworkManager profile {p.id} and its interface"
                   f" {p.ifname}", p.ifname, path=p.path, activate=False) for p in ordered]


async def plan_forget(nm: NmClient | None, topology_name: str, *,
                      netns: str | None = None) -> PersistPlan:
    """The steps that delete every profile this topology owns (for destroy)."""
    if nm is None:
        return PersistPlan(topology_name, [])
    try:
        await nm.version()
    except NmUnavailable:
        return PersistPlan(topology_name, [])
    await check_namespace(nm, netns)
    owned = await owned_profiles(nm, topology_name)
    empty = Topology.model_validate({"netwright": 1, "name": topology_name})
    steps = _deletions(empty, [], owned)
    return PersistPlan(topology_name, steps, [], await _takeover(steps, netns))
