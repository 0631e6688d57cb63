"""The lab's DHCP server: a real dnsmasq (Debian's dnsmasq-base) in the lab router namespace.

It serves every lab LAN whose router end has an address (the emulated uplink NICs' gateway
side), so lab users can try exactly the seed's situation: ipvlan children that share one MAC
asking one server. dnsmasq identifies a client by its client identifier (option 61) when the
client sends one, and by MAC only otherwise — the behaviour of most servers, and the reason a
client-id per ipvlan child is needed. Its lease file (``expiry mac ip hostname client-id``
per line) is what the tests read: a RELEASE removes the line.

Settings, and why: ``--port=0`` (no DNS: only DHCP is wanted), ``--no-ping`` (dnsmasq would
otherwise ping each new address for ~3 s before offering it; the lab range is ours alone),
``--dhcp-authoritative`` (answer a restarted client's REQUEST at once), ``--no-daemon`` (stay
in the foreground and keep its user and group: in the unprivileged lab, setgroups is denied
and user ``nobody`` is not mapped, so dropping privileges fails with "failed to change
group-id"; it also writes no pid file — the ``--pid-file`` path still marks the process as
ours in its command line; the process is found again from its record,
``dnsmasq.helper``, see ``processes.py``), ``--conf-file=/dev/null`` (never read the machine's
/etc/dnsmasq.conf), and ``--bind-interfaces --interface=…`` (only the lab LANs). Lease time
120 s, dnsmasq's minimum.

Example::

    server = LabDhcpServer(state_dir / "lab-dhcp", "nwlab-router")
    server.start([ServedLan.for_gateway("r-wlp2s0", "192.168.31.1/24",
                                        avoid=["192.168.31.240"])])
    server.leases()   # [ServerLease(expires=…, mac=…, address=…, client_id=…), …]
    server.stop()
"""

from __future__ import annotations

import ipaddress
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from netwright.backend.dhcp import processes
from netwright.backend.dhcp.clients import PATH, DhcpClients, TargetLike
from netwright.backend.dhcp.errors import DhcpError, DhcpUnavailable

LEASE_SECONDS = 120  # dnsmasq refuses less
_STARTUP_SECONDS = 5.0


@dataclass(frozen=True)
class ServedLan:
    """One LAN the server hands addresses out on: the router's interface and the range."""

    interface: str
    gateway: str  # the router's address on that LAN, CIDR
    first: str
    last: str

    @classmethod
    def for_gateway(cls, interface: str, gateway: str,
                    avoid: Iterable[str] = ()) -> ServedLan:
        """The LAN behind ``gateway`` (CIDR) with a range that leaves out ``avoid``."""
        first, last = dhcp_range(gateway, avoid)
        return cls(interface, gateway, first, last)


def dhcp_range(gateway: str, avoid: Iterable[str] = ()) -> tuple[str, str]:
    """The longest run of free addresses in the upper half of ``gateway``'s subnet.

    The lower half is left for static addresses (topologies number their hosts from the
    bottom: the seed uses .5 and .6); the gateway and every address in ``avoid`` (the lab
    host's own NIC address, for instance) are never handed out.

    >>> dhcp_range("192.168.31.1/24", ["192.168.31.240"])
    ('192.168.31.128', '192.168.31.239')
    """
    iface = ipaddress.ip_interface(gateway)
    if iface.version != 4:
        raise DhcpError(f"the lab DHCP server serves IPv4 only, not {gateway}")
    hosts = list(iface.network.hosts())
    if len(hosts) < 4:
        raise DhcpError(f"subnet {iface.network} is too small to hand out addresses")
    taken = {iface.ip, *(ipaddress.ip_address(a.split("/")[0]) for a in avoid)}
    best: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    run: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    for address in hosts[len(hosts) // 2:]:
        if address in taken:
            run = []
            continue
        run.append(address)
        if len(run) > len(best):
            best = list(run)
    if not best:
        raise DhcpError(f"no free addresses left in the upper half of {iface.network}")
    return str(best[0]), str(best[-1])


@dataclass(frozen=True)
class ServerLease:
    """One line of dnsmasq's lease file."""

    expires: int
    mac: str
    address: str
    hostname: str | None
    client_id: str | None  # colon hex, as dnsmasq writes it


def parse_lease_file(text: str) -> list[ServerLease]:
    out = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 5 or not parts[0].isdigit():
            continue  # the DUID line of DHCPv6, or garbage
        out.append(ServerLease(int(parts[0]), parts[1].lower(), parts[2],
                               None if parts[3] == "*" else parts[3],
                               None if parts[4] == "*" else parts[4].lower()))
    return out


class LabDhcpServer:
    """One dnsmasq in ``router_netns``, its files under ``directory``."""


    def __init__(self, directory: Path, router_netns: str) -> None:
        self.dir = Path(directory)
        self.router_netns = router_netns
        self.pid_file = self.dir / "dnsmasq.pid"
        self.record = self.dir / f"dnsmasq{processes.RECORD_SUFFIX}"
        self.lease_file = self.dir / "dnsmasq.leases"
        self.log_file = self.dir / "dnsmasq.log"

    def _argv(self, lans: Sequence[ServedLan], lease_seconds: int) -> tuple[str, ...]:
        dnsmasq = shutil.which("dnsmasq", path=PATH)
        if dnsmasq is None:
            raise DhcpUnavailable("the lab's DHCP server is dnsmasq, which is not installed:"
                                  " install dnsmasq-base")
        argv = [dnsmasq, "--no-daemon", "--port=0", "--conf-file=/dev/null",
                "--no-hosts", "--no-resolv", "--no-ping", "--dhcp-authoritative",
                "--bind-interfaces", "--except-interface=lo",
                f"--pid-file={self.pid_file}", f"--dhcp-leasefile={self.lease_file}",
                "--log-dhcp", f"--log-facility={self.log_file}"]
        for lan in lans:
            netmask = ipaddress.ip_interface(lan.gateway).network.netmask
            argv += [f"--interface={lan.interface}",
                     f"--dhcp-range={lan.first},{lan.last},{netmask},{lease_seconds}s"]
        return tuple(argv)

    def running(self) -> processes.Helper | None:
        """The dnsmasq this directory's record names, if it still runs."""
        return processes.recorded(self.record)

    def start(self, lans: Sequence[ServedLan], *,
              lease_seconds: int = LEASE_SECONDS) -> processes.Helper:
        """Serve ``lans`` (idempotent: a server with other settings is restarted; its leases
        survive in the lease file). Returns once dnsmasq has bound its DHCP sockets."""
        if not lans:
            raise DhcpError("the lab DHCP server needs at least one LAN with a gateway")
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.dir = self.dir.resolve()
        self.pid_file, self.lease_file, self.log_file, self.record = (
            self.dir / p.name
            for p in (self.pid_file, self.lease_file, self.log_file, self.record))
        argv = self._argv(lans, lease_seconds)
        current = self.running()
        if current is not None and current.argv == argv and self._in_router(current):
            return current
        if current is not None:
            processes.stop([current])
        log = self.dir / "dnsmasq.out"
        log.unlink(missing_ok=True)
        self.log_file.unlink(missing_ok=True)
        pid = processes.spawn(argv, self.router_netns, env={"PATH": PATH}, log=log,
                              record=self.record).pid
        deadline = time.monotonic() + _STARTUP_SECONDS
        while time.monotonic() < deadline:
            helper = self.running()
            if helper is not None and self._ready(log, lans):
                return helper
            if processes.exited(pid):
                break
            time.sleep(0.02)
        output = (self.dir / "dnsmasq.out").read_text(errors="replace").strip()[-500:]
        raise DhcpError(f"the lab DHCP server (dnsmasq in {self.router_netns}) did not start:"
                        f" {output or 'no output'}")

    def _ready(self, out: Path, lans: Sequence[ServedLan]) -> bool:
        """dnsmasq has bound its DHCP sockets: it logs each range it serves (on stderr and in
        its log) after binding them, at the end of its start-up.

        Not "sockets bound exclusively to interface X": dnsmasq says that only when it
        serves a single interface, so a lab with two LANs waited out the whole start-up
        timeout and then believed the server had failed.
        """
        ranges = [f"IP range {lan.first} -- {lan.last}," for lan in lans]
        for path in (out, self.log_file):
            try:
                text = path.read_text(errors="replace")
            except FileNotFoundError:
                continue
            if all(line in text for line in ranges):
                return True
        return False

    def _in_router(self, helper: processes.Helper) -> bool:
        """Runs in the router namespace that exists now (a lab backend killed with its
        namespaces leaves a dnsmasq serving a namespace nobody can reach any more)."""
        try:
            router = (processes.RUN_NETNS / self.router_netns).stat().st_ino
        except OSError:
            return False
        return processes.netns_inode(helper.pid) == router

    def stop(self) -> bool:
        """Stop dnsmasq; False if it was not running. The lease file stays for inspection."""
        current = self.running()
        if current is None:
            return False
        processes.stop([current])
        return True

    def leases(self) -> list[ServerLease]:
        """The server's current leases, read from its lease file (released ones are gone)."""
        try:
            return parse_lease_file(self.lease_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []


def lab_server_dir(state_dir: Path) -> Path:
    """Where the lab's dnsmasq keeps its pid, lease and log files."""
    return Path(state_dir) / "lab-infra" / "dhcp-server"


def stop_lab_helpers(state_dir: Path, target: TargetLike) -> None:
    """Stop the lab's DHCP server and every DHCP client on the lab target.

    A lab's helpers live while its backend serves: left running they would keep the lab's
    namespaces (and, for an unprivileged lab, its whole user namespace) alive after the
    backend stops. The next backend start rebuilds the lab and restarts them.
    """
    DhcpClients(state_dir, target).stop_all()
    LabDhcpServer(lab_server_dir(state_dir), "").stop()
