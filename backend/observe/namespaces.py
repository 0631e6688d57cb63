"""Find every network namespace below the observer: named ones (/run/netns) and anonymous
ones held by processes (/proc/<pid>/ns/net), told apart by inode.

Only ``stat`` and reads under /proc are used: no namespace is entered here, nothing is
written. An anonymous namespace counts only when it was started from the host (see
``find_namespaces``), so a test "host" (a namespace of its own) never looks at the machine's.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

RUN_NETNS = Path("/run/netns")
PROC = Path("/proc")
_CONTAINER_ID = re.compile(r"(?:^|[-/:])([0-9a-f]{64})(?:\.scope)?(?:$|/)")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True)
class Holder:
    """A process keeping a namespace alive: its pid, name and container id (cgroup path)."""

    pid: int
    comm: str
    container: str | None = None


@dataclass
class NetnsFound:
    """One namespace: ``path`` opens it (a /run/netns mount or a process's ns/net link)."""

    inode: int
    path: str
    name: str | None = None  # the /run/netns name, if it has one
    holders: list[Holder] = field(default_factory=list)
    outside: bool = False  # hidden (the lab's LAN): read only to see which links lead out


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def container_id(pid: int) -> str | None:
    """The 64-hex container id in a process's cgroup path (docker, podman, containerd)."""
    for line in _read(PROC / str(pid) / "cgroup").splitlines():
        found = _CONTAINER_ID.search(line.rpartition(":")[2])
        if found:
            return found.group(1)
    return None


def _processes() -> dict[int, tuple[int, int]]:
    """pid → (parent pid, network namespace inode) of every process we may read."""
    out: dict[int, tuple[int, int]] = {}
    for entry in os.scandir(PROC):
        if not entry.name.isdigit():
            continue
        rest = _read(PROC / entry.name / "stat").rpartition(")")[2].split()
        try:
            inode = os.stat(PROC / entry.name / "ns" / "net").st_ino
        except OSError:
            continue  # gone, or a kernel thread
        if len(rest) > 1:
            out[int(entry.name)] = (int(rest[1]), inode)
    return out


def _descendants(root: int, processes: dict[int, tuple[int, int]]) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, (ppid, _inode) in processes.items():
        children.setdefault(ppid, []).append(pid)
    out, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def _started_from(pid: int, processes: dict[int, tuple[int, int]]) -> int | None:
    """The namespace of the nearest ancestor of ``pid`` outside ``pid``'s own namespace: where
    whoever made that namespace ran (containerd's shim, a shell calling unshare)."""
    own = processes[pid][1]
    seen: set[int] = set()
    while pid in processes and pid not in seen:
        seen.add(pid)
        ppid, inode = processes[pid]
        if inode != own:
            return inode
        pid = ppid
    return None


def own_inode() -> int:
    return os.stat("/proc/self/ns/net").st_ino


def find_namespaces(under: int | None = None, host: str | None = None,
                    hide: frozenset[str] = frozenset()) -> list[NetnsFound]:
    """Every namespace of the host but its own, named ones first (by name), then anonymous
    ones (by their first holder's pid).

    ``host``: a /run/netns name playing the host (the lab), else the observer's namespace.
    ``hide``: /run/netns names that are not the host's (the lab's router), returned with
    ``outside`` set so a link into them reads as the host's NIC. An anonymous
    namespace belongs to the host when it was started from it, or from one of its
    namespaces (its holder's nearest ancestor in another namespace runs there): a process
    that descends from elsewhere (the machine itself, when the "host" is a test namespace) is
    never looked at. ``under``: only processes descended from that pid.
    """
    mine = os.stat(RUN_NETNS / host).st_ino if host else own_inode()
    found: dict[int, NetnsFound] = {}
    try:
        names = sorted(RUN_NETNS.iterdir())
    except OSError:
        names = []
    for path in names:
        try:
            inode = os.stat(path).st_ino
        except OSError:
            continue
        if path.name == host:
            continue
        if inode != mine and inode not in found and path.stat().st_dev != RUN_NETNS.stat().st_dev:
            found[inode] = NetnsFound(inode=inode, path=str(path), name=path.name,
                                      outside=path.name in hide)
    processes = _processes()
    if under is not None and not (PROC / str(under)).exists():  # else: silently none found
        raise ProcessLookupError(errno.ESRCH, f"there is no process {under} (--process-tree)")
    scope = _descendants(under, processes) if under is not None else set(processes)
    hidden = {os.stat(RUN_NETNS / name).st_ino for name in hide
              if (RUN_NETNS / name).exists()} | ({own_inode()} if host else set())
    accepted = {mine} | {inode for inode, entry in found.items() if not entry.outside}
    holders: dict[int, list[int]] = {}
    for pid in sorted(scope & processes.keys()):
        inode = processes[pid][1]
        if inode != mine:
            holders.setdefault(inode, []).append(pid)
    changed = True
    while changed:  # a container started from a container: accepted one layer at a time
        changed = False
        for inode, pids in holders.items():
            if inode not in accepted and inode not in hidden and any(
                    _started_from(pid, processes) in accepted for pid in pids):
                accepted.add(inode)
                changed = True
    for inode, pids in holders.items():
        if inode not in accepted:
            continue
        entry = found.get(inode)
        if entry is None:
            entry = found[inode] = NetnsFound(inode=inode, path=f"/proc/{pids[0]}/ns/net")
        entry.holders = [Holder(pid, _read(PROC / str(pid) / "comm").strip() or "?",
                                container_id(pid)) for pid in pids]
    return sorted(found.values(), key=lambda n: (n.name is None, n.name or "",
                                                 n.holders[0].pid if n.holders else 0))


class Keyed(Protocol):
    """What a namespace's file key is made of (a ``NetnsFound``, an observed namespace)."""

    @property
    def name(self) -> str | None: ...
    @property
    def holders(self) -> list[Holder]: ...
    @property
    def inode(self) -> int: ...


def namespace_key(ns: Keyed, prefix: str = "") -> str:
    """A file key for a namespace: its /run/netns name (less the target's ``prefix``, as the
    lab names its namespaces ``lab-<key>``), else what holds it. ``netwright import`` writes
    it, and the engine finds an existing namespace of a design by it."""
    if ns.name:
        base = ns.name[len(prefix):] if prefix and ns.name.startswith(prefix) else ns.name
    elif ns.holders and ns.holders[0].container:
        base = ns.holders[0].container[:12]
    elif ns.holders:
        base = f"{ns.holders[0].comm}-{ns.holders[0].pid}"
    else:
        base = f"netns-{ns.inode}"
    base = _UNSAFE.sub("-", base).strip("-._") or "netns"
    return base[:64]


def natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """The order import lists names in: runs of digits by value (``sv2`` before ``sv10``),
    as people number their namespaces and containers. Ties (``sv01`` and ``sv1``) fall back
    to the plain text, so the order never depends on how the kernel listed them."""
    parts = _DIGITS.split(name)
    runs = [(1, int(part)) if index % 2 else (0, part) for index, part in enumerate(parts)]
    return (*runs, (0, name))


def unique_keys(namespaces: Sequence[Keyed], prefix: str = "") -> list[str]:
    """``namespace_key`` of each of ``namespaces``, in their order; a repeated one numbered
    ("-2", "-3" …) in the natural order of the keys, then of the namespaces' inodes, so that
    import (which lists them in natural order) and the engine (which finds a design's
    existing namespaces by these keys, in the order it finds them) number alike."""
    bases = [namespace_key(ns, prefix) for ns in namespaces]
    keys = [""] * len(bases)
    taken: set[str] = set()
    for index in sorted(range(len(bases)),
                        key=lambda i: (natural_key(bases[i]), namespaces[i].inode)):
        key = base = bases[index]
        n = 2
        while key in taken:
            key, n = f"{base[:58]}-{n}", n + 1
        taken.add(key)
        keys[index] = key
    return keys
