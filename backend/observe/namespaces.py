"""Find every network namespace below the observer: named ones (/run/netns) and anonymous
ones held by processes (/proc/<pid>/ns/net), told apart by inode.

Only ``stat`` and ``readlink`` are used: no namespace is entered here, nothing is written.
A process scope (``under``: a pid) limits anonymous namespaces to that process's
descendants, so a test harness observes its own processes and never the machine's.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

RUN_NETNS = Path("/run/netns")
PROC = Path("/proc")
_CONTAINER_ID = re.compile(r"(?:^|[-/:])([0-9a-f]{64})(?:\.scope)?(?:$|/)")


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


def _parents() -> dict[int, int]:
    out: dict[int, int] = {}
    for entry in os.scandir(PROC):
        if entry.name.isdigit():
            stat = _read(PROC / entry.name / "stat")
            rest = stat.rpartition(")")[2].split()
            if len(rest) > 1:
                out[int(entry.name)] = int(rest[1])
    return out


def _descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, ppid in _parents().items():
        children.setdefault(ppid, []).append(pid)
    out, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def own_inode() -> int:
    return os.stat("/proc/self/ns/net").st_ino


def find_namespaces(under: int | None = None) -> list[NetnsFound]:
    """Every namespace but the observer's own, named ones first (by name), then anonymous ones
    (by their first holder's pid). ``under``: only processes descended from that pid."""
    mine = own_inode()
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
        if inode != mine and inode not in found and path.stat().st_dev != RUN_NETNS.stat().st_dev:
            found[inode] = NetnsFound(inode=inode, path=str(path), name=path.name)
    scope = _descendants(under) if under is not None else None
    pids = sorted(int(e.name) for e in os.scandir(PROC) if e.name.isdigit())
    for pid in pids:
        if scope is not None and pid not in scope:
            continue
        link = PROC / str(pid) / "ns" / "net"
        try:
            inode = os.stat(link).st_ino
        except OSError:
            continue  # gone, or a kernel thread
        if inode == mine:
            continue
        holder = Holder(pid, _read(PROC / str(pid) / "comm").strip() or "?", container_id(pid))
        entry = found.get(inode)
        if entry is None:
            entry = found[inode] = NetnsFound(inode=inode, path=str(link))
        entry.holders.append(holder)
    return sorted(found.values(), key=lambda n: (n.name is None, n.name or "",
                                                 n.holders[0].pid if n.holders else 0))
