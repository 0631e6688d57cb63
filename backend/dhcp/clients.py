"""DHCP clients for a deployed topology: one udhcpc per ``dhcp`` interface, in its namespace.

Why busybox's udhcpc and not pyroute2's asyncio client (``pyroute2.dhcp``, 0.9.7): a
deployment outlives the process that applied it (``netwright apply --local`` exits; the
daemon restarts on upgrade or crash), and its leases must be renewed all that time. udhcpc is
a process of its own per interface, started inside the interface's namespace, that keeps
renewing whatever happens to the backend; pyroute2's client lives in the caller's event loop
and would stop renewing the moment the CLI or the daemon exits. udhcpc is maintained (busybox
1.35 in Debian 12; ``busybox-static`` runs unchanged in the stock-kernel VM), sends any option
61 (``-x 0x3d:HEX``), asks for broadcast replies (``-B``, needed on ipvlan), releases on
SIGTERM (``-R``), renews on SIGUSR1, and leaves what the lease means to a script we control
(``script.py``) — so Netwright never flushes an address it did not add. No DHCP protocol code
is written here.

Layout (``<state_dir>/<target.key>/dhcp/``)::

    udhcpc-event              the event script
    <topology>/<key>.helper   the client's record: PID, start time, command line, the index
                              of the interface it serves (``processes.py``); how a restarted
                              backend finds it, and sees that its interface was re-created
    <topology>/<key>.pid      udhcpc's own pid file
    <topology>/<key>.routes   the lease routes the script adds once bound (``routes.py``)
    <topology>/<key>.lease    the lease (``lease.py``), written by the script
    <topology>/<key>.lease.event   the last event and its time
    <topology>/<key>.log      udhcpc's output

Lifecycle, driven by the engine: ``start`` after an apply (also restarts a client whose
interface, namespace or client-id changed, or whose interface was re-created — udhcpc keeps
the old interface's index and would regain the address only at its next renew —, and
stops clients of interfaces no longer ``dhcp``), ``stop`` before a destroy (releases, so the
server frees the address, and no client keeps a deleted namespace alive), ``reconcile`` when
the backend starts (stops orphans: clients of topologies not deployed, e.g. started by an
apply killed before it committed; restarts the missing clients of deployed ones).
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, Protocol

from netwright.backend.dhcp import processes
from netwright.backend.dhcp.errors import DhcpUnavailable
from netwright.backend.dhcp.identity import DhcpRequest, requests, route_list
from netwright.backend.dhcp.lease import Lease, read_event, read_lease
from netwright.backend.dhcp.script import SCRIPT_NAME, install
from netwright.backend.record import record
from netwright.backend.topology.model import Topology

PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
DISCOVER_TRIES = 4  # DISCOVERs per round, one second apart …
PAUSE_AFTER_FAILURE = 3  # … then this many seconds before the next round


class TargetLike(Protocol):
    """What the client manager needs of ``netwright.backend.engine.Target``."""

    @property
    def key(self) -> str: ...

    def netns_name(self, namespace: str | None) -> str | None: ...


ClientPhase = Literal["bound", "waiting", "no-server", "refused", "stopped"]


@record(frozen=True)
class ClientState:
    """What Status shows for one ``dhcp`` interface."""

    request: DhcpRequest
    pid: int | None
    lease: Lease | None
    last_event: str | None
    detail: str = ""

    @property
    def phase(self) -> ClientPhase:
        if self.pid is None:
            return "stopped"
        if self.last_event == "refused":
            return "refused"
        if self.lease is not None:
            return "bound"
        return "no-server" if self.last_event in ("leasefail", "nak") else "waiting"

    def to_json(self) -> dict[str, Any]:
        lease = self.lease
        return {
            "interface": self.request.key, "name": self.request.name,
            "namespace": self.request.namespace, "client_id": self.request.client_id,
            "client_id_origin": self.request.origin, "phase": self.phase, "pid": self.pid,
            "address": lease.address if lease else None,
            "server": lease.server if lease else None,
            "router": lease.router if lease else None,
            "obtained": lease.obtained if lease else None,
            "expires": lease.expires if lease else None,
            "routes": list(self.request.routes),
            "text": self.describe(),
            "request": self.request.describe(),
        }

    def describe(self) -> str:
        """One sentence for Status: the lease, or why there is none, and what the lease routes
        wait for."""
        return self._describe_lease() + self._describe_routes()

    def _describe_routes(self) -> str:
        if not self.request.routes:
            return ""
        if self.phase != "bound" or self.lease is None:
            return f"; {route_list(self.request.routes)} will follow the lease"
        network = ipaddress.ip_interface(self.lease.address).network
        outside = [r for r in self.request.routes if ipaddress.ip_address(_via(r)) not in network]
        if not outside:
            return ""
        return (f"; {route_list(tuple(outside))} cannot be added through"
                f" {self.request.name}: the gateway is outside the lease's subnet {network}, so"
                " it is never reachable there (route via an address of that subnet, or ask"
                " the DHCP server for another range)")

    def _describe_lease(self) -> str:
        if self.phase == "bound" and self.lease is not None:
            return f"{self.request.name}: DHCP lease {self.lease.describe()}"
        if self.phase == "refused":
            address, _, error = self.detail.partition(": ")
            hint = (": another interface on the same parent holds it, so the server took both"
                    " for one client (same client-id, or none and one MAC)"
                    if "in use" in error.lower() or "already assigned" in error.lower()
                    else "")
            return (f"{self.request.name}: the DHCP server leased {address}, but the kernel"
                    f" refused it ({error.strip() or 'no reason given'}){hint}")
        if self.phase == "no-server":
            return (f"{self.request.name}: no DHCP server answered yet (the client keeps"
                    " asking); is there one on this segment?")
        if self.phase == "waiting":
            return f"{self.request.name}: waiting for a DHCP lease"
        return f"{self.request.name}: no DHCP client runs (apply again to start it)"


def _via(route: str) -> str:
    """The gateway of a lease route written as ``ip route`` arguments (they all have one)."""
    words = route.split()
    return words[words.index("via") + 1]


def _udhcpc() -> list[str]:
    busybox = shutil.which("busybox", path=PATH)
    if busybox:
        return [busybox, "udhcpc"]
    udhcpc = shutil.which("udhcpc", path=PATH)
    if udhcpc:
        return [udhcpc]
    raise DhcpUnavailable(
        "DHCP addresses need busybox's udhcpc, which is not installed: install busybox-static"
        " (or busybox)")


def interface_index(netns: str | None, name: str) -> int | None:
    """The kernel index of interface ``name`` in namespace ``netns`` (None: ours); None if
    there is no such interface."""
    if netns is None:
        try:
            return socket.if_nametoindex(name)
        except OSError:
            return None
    found = subprocess.run(["ip", "-n", netns, "-o", "link", "show", "dev", name],
                           capture_output=True, text=True, check=False,
                           env={"PATH": PATH}).stdout
    head = found.split(":", 1)[0].strip()
    return int(head) if head.isdigit() else None


def _event_file(lease_file: Path) -> Path:
    return lease_file.with_name(lease_file.name + ".event")


class DhcpClients:
    """The DHCP clients of every topology deployed on one target."""

    def __init__(self, state_dir: Path, target: TargetLike) -> None:
        self.dir = Path(state_dir) / target.key / "dhcp"
        self.target = target

    # -- where things are ---------------------------------------------------------------------

    def _files(self, name: str, key: str) -> tuple[Path, Path, Path]:
        base = self.dir / name
        return base / f"{key}.pid", base / f"{key}.lease", base / f"{key}.log"

    def _record(self, name: str, key: str) -> Path:
        return self.dir / name / f"{key}{processes.RECORD_SUFFIX}"

    def _write_routes(self, name: str, request: DhcpRequest) -> None:
        """Write the lease routes the client's script adds at its next bound or renew.

        A running, bound client is not asked to renew when they change: while a lease
        reaches the gateway, the engine's plan adds or removes the route itself.
        """
        path = self.dir / name / f"{request.key}.routes"
        text = "".join(f"{route}\n" for route in request.routes)
        if not text:
            path.unlink(missing_ok=True)
            return
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)

    def _interface_index(self, request: DhcpRequest) -> int | None:
        """The index of the interface now (a re-created interface has a new one)."""
        return interface_index(self._netns(request), request.name)

    def _netns(self, request: DhcpRequest) -> str | None:
        return self.target.netns_name(request.namespace)

    def _netns_inode(self, netns: str | None) -> int | None:
        path = Path("/proc/self/ns/net") if netns is None else processes.RUN_NETNS / netns
        try:
            return os.stat(path).st_ino
        except OSError:
            return None

    def _argv(self, request: DhcpRequest, name: str, script: Path) -> tuple[str, ...]:
        pid_file = self._files(name, request.key)[0]
        argv = [*_udhcpc(), "-f", "-R", "-i", request.name, "-p", str(pid_file),
                "-s", str(script), "-t", str(DISCOVER_TRIES), "-T", "1",
                "-A", str(PAUSE_AFTER_FAILURE)]
        raw = request.client_id_raw
        if raw is not None:
            argv += ["-x", f"0x3d:{raw.hex()}"]
        if request.broadcast:
            argv.append("-B")
        return tuple(argv)

    # -- what runs ----------------------------------------------------------------------------

    def running(self, name: str | None = None) -> dict[tuple[str, str], processes.Helper]:
        """Live clients by (topology, interface key), found from their records."""
        if not self.dir.exists():
            return {}
        out: dict[tuple[str, str], processes.Helper] = {}
        topologies = [self.dir / name] if name is not None else [
            p for p in self.dir.iterdir() if p.is_dir()]
        for directory in topologies:
            for path in sorted(directory.glob(f"*{processes.RECORD_SUFFIX}")):
                helper = processes.recorded(path)
                if helper is not None:
                    key = path.name.removesuffix(processes.RECORD_SUFFIX)
                    out[(directory.name, key)] = helper
        return out

    def _still_fits(self, name: str, request: DhcpRequest, helper: processes.Helper,
                    argv: tuple[str, ...]) -> bool:
        """The running client serves the interface as ``request`` wants it: same command
        line, same namespace, and the interface is the one it started on (not re-created)."""
        if helper.argv != argv:
            return False
        if processes.netns_inode(helper.pid) != self._netns_inode(self._netns(request)):
            return False
        started_on = processes.record_notes(self._record(name, request.key)).get("ifindex")
        return started_on is None or started_on == self._interface_index(request)

    def start(self, topology: Topology) -> list[DhcpRequest]:
        """Make exactly the clients ``topology`` wants run (idempotent); returns them.

        A client whose command line or namespace no longer fits is stopped (releasing its
        lease) and started again; clients of interfaces that are no longer ``dhcp`` stop.
        """
        wanted = requests(topology)
        running = self.running(topology.name)
        if not wanted:
            processes.stop(list(running.values()))
            return []
        script = install(self.dir)
        (self.dir / topology.name).mkdir(parents=True, exist_ok=True, mode=0o700)
        keep: set[str] = set()
        to_stop: list[processes.Helper] = []
        to_start: list[tuple[DhcpRequest, tuple[str, ...]]] = []
        for request in wanted:
            argv = self._argv(request, topology.name, script)
            self._write_routes(topology.name, request)
            helper = running.get((topology.name, request.key))
            if helper is not None and self._still_fits(topology.name, request, helper, argv):
                keep.add(request.key)
                continue
            if helper is not None:
                to_stop.append(helper)
            to_start.append((request, argv))
        to_stop += [h for (_n, key), h in running.items()
                    if key not in keep and h not in to_stop]
        processes.stop(to_stop)
        env = {"PATH": PATH}
        for request, argv in to_start:
            _pid_file, lease_file, log = self._files(topology.name, request.key)
            # a stale lease file stays: the new client's first event (deconfig) removes the
            # address it records; until the client reports, ``leases`` ignores it
            _event_file(lease_file).unlink(missing_ok=True)
            processes.spawn(argv, self._netns(request),
                            env={**env, "NETWRIGHT_LEASE_FILE": str(lease_file)}, log=log,
                            record=self._record(topology.name, request.key),
                            notes={"ifindex": self._interface_index(request)})
        return wanted

    def prepare(self, name: str, topology: Topology | None) -> list[str]:
        """Before an apply (or a rollback) changes the kernel: stop the clients of ``name``
        that ``topology`` (None: nothing) will not keep as they are — interface gone, moved,
        renamed, no longer ``dhcp``, another client-id. A client must not hold a namespace
        the apply deletes. The kept ones get ``topology``'s lease routes now, before the
        plan removes a dropped one (a renew in between must not add it back). Returns the
        interface keys stopped."""
        running = self.running(name)
        keep: set[str] = set()
        if topology is not None and running:
            script = self.dir / SCRIPT_NAME
            for request in requests(topology):
                helper = running.get((name, request.key))
                if helper is not None and helper.argv == self._argv(request, name, script):
                    keep.add(request.key)
                    self._write_routes(name, request)
        stopping = {key: h for (_n, key), h in running.items() if key not in keep}
        processes.stop(list(stopping.values()))
        return sorted(stopping)

    def stop(self, name: str) -> int:
        """Stop (releasing each lease) every client of topology ``name``; forget its files.
        Returns how many clients ran."""
        running = list(self.running(name).values())
        processes.stop(running)
        shutil.rmtree(self.dir / name, ignore_errors=True)
        return len(running)

    def stop_all(self) -> int:
        """Stop every client on this target (the lab going away)."""
        running = list(self.running().values())
        processes.stop(running)
        shutil.rmtree(self.dir, ignore_errors=True)
        return len(running)

    def stop_orphans(self, deployed: Mapping[str, Topology]) -> list[tuple[str, str]]:
        """Stop every client that no deployed topology wants: of a topology not deployed (an
        apply killed before it committed), or of an interface that is no longer ``dhcp``."""
        wanted = {(name, r.key) for name, t in deployed.items() for r in requests(t)}
        orphans = {k: h for k, h in self.running().items() if k not in wanted}
        processes.stop(list(orphans.values()))
        for name in {n for n, _k in orphans} - set(deployed):
            shutil.rmtree(self.dir / name, ignore_errors=True)
        return sorted(orphans)

    def reconcile(self, deployed: Mapping[str, Topology]) -> list[tuple[str, str]]:
        """After a backend (re)start: stop orphans, then start what deployed topologies lack
        (a client killed with the machine's processes, or never started). Returns the
        orphans stopped."""
        orphans = self.stop_orphans(deployed)
        for topology in deployed.values():
            if requests(topology):
                self.start(topology)
        return orphans

    def renew(self, name: str) -> int:
        """Ask every client of ``name`` to renew now (SIGUSR1); returns how many were asked."""
        return sum(processes.signal_helper(h, signal.SIGUSR1)
                   for h in self.running(name).values())

    # -- what they got ------------------------------------------------------------------------

    def leases(self, name: str) -> dict[str, Lease]:
        """Bound leases of topology ``name`` by interface key."""
        directory = self.dir / name
        out: dict[str, Lease] = {}
        if not directory.is_dir():
            return out
        for path in directory.glob("*.lease"):
            event = read_event(_event_file(path))
            if event is None or event[0] not in ("bound", "renew"):
                continue  # left by a client that was killed; its successor has not bound yet
            lease = read_lease(path, path.stem)
            if lease is not None:
                out[lease.key] = lease
        return out

    def states(self, topology: Topology) -> list[ClientState]:
        """Per ``dhcp`` interface: the client's PID, lease and last event."""
        running = self.running(topology.name)
        leases = self.leases(topology.name)
        out = []
        for request in requests(topology):
            helper = running.get((topology.name, request.key))
            lease_file = self._files(topology.name, request.key)[1]
            event = read_event(_event_file(lease_file))
            out.append(ClientState(request, helper.pid if helper else None,
                                   leases.get(request.key) if helper else None,
                                   event[0] if event else None, event[2] if event else ""))
        return out

    async def wait_for_leases(self, topology: Topology, timeout: float,
                              keys: Iterable[str] | None = None) -> dict[str, Lease]:
        """Wait up to ``timeout`` seconds until every ``dhcp`` interface (or ``keys``) has a
        lease; returns the leases there are then (fewer if a server stays silent)."""
        wanted = set(keys) if keys is not None else {r.key for r in requests(topology)}
        deadline = time.monotonic() + timeout
        while True:
            leases = self.leases(topology.name)
            if wanted <= set(leases) or time.monotonic() >= deadline:
                return {k: v for k, v in leases.items() if k in wanted}
            await asyncio.sleep(0.05)
