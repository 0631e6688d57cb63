"""Run iperf3 between two namespaces of a deployment and read its JSON report.

The server (``iperf3 -s -1``: one test, then it exits) starts in B's namespace, the client
(``iperf3 -c ADDR -J``) in A's, each through ``nsenter --net`` so nothing but the two
processes ever enters a namespace. The client starts only once the server's socket listens,
read from ``/proc/PID/net/tcp*`` (the server's own namespace), not guessed with a sleep. The
server is ended by its PID whatever happens. Each iperf3 writes a scratch file per stream
under $TMPDIR (else /tmp): both get a private directory in the first temporary directory
this process may write (tempfile's choice), so a /tmp the backend cannot write (a lab
user's, a sandbox's) is not "unable to create a new stream: Permission denied". Blocking:
the daemon calls it from its worker thread, the CLI's ``--local`` directly. Reads the
deployment; never changes the network.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Any

from netwright.backend.checks.netns import gone_words, netns_path
from netwright.backend.measure.errors import MeasureError, MeasureOptionsError
from netwright.backend.measure.result import MeasureResult
from netwright.backend.outcomes.errors import Cancelled
from netwright.backend.topology.impairment import MAX_RATE_BITS, rate_bits
from netwright.backend.topology.model import IpInterface, Topology, static_addresses
from netwright.backend.topology.problems import quote

DEFAULT_PORT = 5201
LISTEN_WAIT = 5.0  # seconds for the server's socket to appear
CANCEL_POLL = 0.1  # seconds between looks at the cancel flag while the client runs
#: iperf3's own limit (ms) on connecting to its server: a SYN nobody answers (a firewall's
#: drop, a reply that cannot come back) ends the client with "unable to connect" in seconds,
#: not after the kernel's two minutes of retries cut short by the run's limit
CONNECT_TIMEOUT_MS = 3000
UDP_DEFAULT_BPS = 1_000_000  # iperf3's -b when UDP is asked without one
TCP_LISTEN = "0A"  # the state column of /proc/net/tcp for LISTEN


@dataclass(frozen=True)
class MeasureOptions:
    """``seconds`` of traffic; ``udp`` instead of TCP; ``bitrate`` the sender's target
    (iperf3's ``-b``: for UDP its default is 1 Mbit/s); ``port`` the server listens on."""

    seconds: float = 5.0
    udp: bool = False
    bitrate: str | None = None
    port: int = DEFAULT_PORT

    def __post_init__(self) -> None:
        if not 1 <= self.seconds <= 300:
            raise MeasureOptionsError(f"--seconds {self.seconds:g} is out of range (1–300)")
        if not 1 <= self.port <= 65535:
            raise MeasureOptionsError(f"--port {self.port} is out of range (1–65535)")
        if self.bitrate is not None:
            shown = quote(self.bitrate)
            try:
                bits = rate_bits(self.bitrate)
            except (AssertionError, ValueError):
                raise MeasureOptionsError(f"--bitrate {shown} is not a rate: write it with"
                                   " its unit, e.g. 10mbit or 512kbit") from None
            if bits > MAX_RATE_BITS:
                raise MeasureOptionsError(f"--bitrate {shown} is more than 100gbit")


def _places(subject: Any) -> tuple[Topology, dict[str, str]]:
    if isinstance(subject, Topology):
        return subject, {key: key for key in subject.namespaces}
    from netwright.backend.dhcp.substitute import with_leases

    topology = with_leases(subject.topology, getattr(subject, "leases", None) or {})
    return topology, dict(subject.namespaces)


def _addresses(topology: Topology, namespace: str) -> list[IpInterface]:
    found: list[IpInterface] = []
    for link in topology.interfaces.values():
        if link.namespace == namespace:
            found.extend(a for a in static_addresses(link) if not a.ip.is_link_local)
    return found


def target_address(topology: Topology, source: str, target: str) -> str:
    """The address of ``target`` the client connects to: one on a subnet ``source`` shares
    (IPv4 first), else ``target``'s first IPv4, else its first IPv6."""
    theirs = _addresses(topology, target)
    if not theirs:
        raise MeasureError(f"namespace '{target}' has no address to measure to (give one of"
                           " its interfaces an address)")
    ours = _addresses(topology, source)
    ordered = sorted(theirs, key=lambda a: a.version)
    for address in ordered:
        if any(mine.network == address.network for mine in ours):
            return str(address.ip)
    return str(ordered[0].ip)


def configured_rate(topology: Topology, source: str) -> int | None:
    """The tightest rate limit on the interfaces of ``source`` (what shapes A → B), if any."""
    rates = [rate_bits(link.impairment.rate) for link in topology.interfaces.values()
             if link.namespace == source and link.impairment is not None
             and link.impairment.rate is not None]
    return min(rates) if rates else None


def _listening(pid: int, port: int) -> bool:
    """True once process ``pid`` itself listens on TCP ``port``. /proc/PID/net lists the
    whole namespace's sockets: another process listening there (a port in use) must not
    pass for our server, so the listening socket must be one of ``pid``'s descriptors."""
    sockets = set()
    for table in ("tcp", "tcp6"):
        try:
            with open(f"/proc/{pid}/net/{table}") as lines:
                next(lines)
                for line in lines:
                    fields = line.split()
                    if fields[3] == TCP_LISTEN and int(fields[1].rsplit(":", 1)[1], 16) == port:
                        sockets.add(f"socket:[{fields[9]}]")
        except (OSError, StopIteration):
            continue
    if not sockets:
        return False
    try:
        return any(os.readlink(fd.path) in sockets for fd in os.scandir(f"/proc/{pid}/fd"))
    except OSError:  # exited meanwhile
        return False


def _iperf3() -> str:
    found = shutil.which("iperf3")
    if found is None:
        raise MeasureError("iperf3 is not installed (apt install iperf3)")
    return found


def _raise_if_cancelled(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled(f"measurement cancelled: {getattr(cancel, 'reason', '')}"
                        .rstrip(": ")) from None


def _start_server(iperf3: str, netns: str, port: int, env: dict[str, str] | None = None,
                  cancel: threading.Event | None = None) -> subprocess.Popen[str]:
    """The server, once it listens; ended again (and Cancelled raised) when ``cancel`` is
    set meanwhile."""
    server = subprocess.Popen(
        ["nsenter", f"--net={netns}", iperf3, "-s", "-1", "-p", str(port)], env=env,
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + LISTEN_WAIT
    while not _listening(server.pid, port):
        if cancel is not None and cancel.is_set():
            _stop(server)
            _raise_if_cancelled(cancel)
        if server.poll() is not None or time.monotonic() > deadline:
            _stop(server)
            error = (server.stderr.read() if server.stderr else "").strip()
            raise MeasureError(f"the iperf3 server in {netns} did not start listening on port"
                               f" {port}: {error or 'no answer'}")
        time.sleep(0.02)
    return server


def _stop(server: subprocess.Popen[str]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=3)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def parse_report(report: dict[str, Any], udp: bool) -> dict[str, Any]:
    """The numbers of an ``iperf3 -J`` client report; a sentence if iperf3 reported an error."""
    if report.get("error"):
        raise MeasureError(f"iperf3: {report['error']}")
    end = report.get("end", {})
    if udp:
        total = end.get("sum", {})
        return {"sent_bps": float(total.get("bits_per_second", 0.0)),
                "received_bps": float(total.get("bits_per_second", 0.0))
                * (1 - float(total.get("lost_percent", 0.0)) / 100),
                "jitter_ms": float(total.get("jitter_ms", 0.0)),
                "lost_packets": int(total.get("lost_packets", 0)),
                "packets": int(total.get("packets", 0)),
                "lost_percent": float(total.get("lost_percent", 0.0))}
    sent, received = end.get("sum_sent", {}), end.get("sum_received", {})
    return {"sent_bps": float(sent.get("bits_per_second", 0.0)),
            "received_bps": float(received.get("bits_per_second", 0.0)),
            "retransmits": int(sent.get("retransmits", 0))}


def _run_client(command: list[str], limit: float, address: str,
                cancel: threading.Event | None, env: dict[str, str]) -> tuple[str, str]:
    """The client's output once it ends; ended early (and Cancelled raised) when ``cancel``
    is set, so its server is free again at once."""
    _raise_if_cancelled(cancel)
    client = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + limit
    try:
        while True:
            try:
                output = client.communicate(timeout=CANCEL_POLL)  # reads as it waits
            except subprocess.TimeoutExpired:
                _raise_if_cancelled(cancel)
                if time.monotonic() > deadline:
                    raise MeasureError(f"iperf3 to {address} did not finish in {limit:g} s"
                                       ) from None
                continue
            _raise_if_cancelled(cancel)  # what ended it too (a terminal's Ctrl+C reaches
            return output                # the whole process group): not its report
    finally:
        if client.poll() is None:
            client.kill()
            client.communicate()


def measure(subject: Any, source: str, target: str, options: MeasureOptions,
            cancel: threading.Event | None = None) -> MeasureResult:
    """Throughput from namespace ``source`` to ``target`` of a Deployment (or a Topology
    whose namespaces exist under their own keys). ``cancel`` (set from another thread)
    ends both iperf3 processes within ``CANCEL_POLL`` and raises Cancelled, also when it is
    set before they start. The CLI's ``--local`` sets it from its Ctrl+C and SIGTERM
    handlers: a KeyboardInterrupt could land inside the Popen of an iperf3 and leave it
    running, its PID never bound."""
    _raise_if_cancelled(cancel)
    topology, disk = _places(subject)
    for key in (source, target):
        if key not in disk:
            known = ", ".join(sorted(disk)) or "none"
            link = topology.interfaces.get(key)
            held = (f": it is an interface of {link.namespace}, so name {link.namespace}"
                    if link is not None and link.namespace in disk else "")
            raise MeasureOptionsError(f"'{key}' is not a namespace of {topology.name}{held}"
                                      f" (namespaces: {known})")
    if source == target:
        raise MeasureOptionsError(f"A and B are both {source}: iperf3 measures between two"
                                  " different namespaces (A sends, B receives)")
    for key in (source, target):  # nsenter said "cannot open /run/netns/lab-web" of one
        if not os.path.exists(netns_path(disk[key])):
            raise MeasureError(gone_words(topology, key, netns_path(disk[key])))
    address = target_address(topology, source, target)
    iperf3 = _iperf3()
    command = ["nsenter", f"--net={netns_path(disk[source])}", iperf3, "-c", address,
               "-p", str(options.port), "-t", f"{options.seconds:g}", "-J",
               "--connect-timeout", str(CONNECT_TIMEOUT_MS)]
    if options.udp:
        command.append("-u")
    if options.bitrate is not None:
        command += ["-b", str(rate_bits(options.bitrate))]
    if ":" in address:  # right after apply, IPv6 addresses are tentative for a second or two
        from netwright.backend.checks.run import wait_for_dad

        wait_for_dad([netns_path(disk[source]), netns_path(disk[target])])
    try:
        numbers = _run_pair(iperf3, netns_path(disk[target]), command, address, options,
                            cancel=cancel)
    except MeasureError:  # an iperf3 that the same stop ended ("interrupt - the client has
        _raise_if_cancelled(cancel)  # terminated", a server gone before it listened)
        raise
    return MeasureResult(topology=topology.name, source=source, target=target,
                         address=address, protocol="udp" if options.udp else "tcp",
                         seconds=options.seconds, configured_rate=configured_rate(
                             topology, source), requested_bps=requested_bps(options),
                         **numbers)


def _run_pair(iperf3: str, server_netns: str, command: list[str], address: str,
              options: MeasureOptions, *, cancel: threading.Event | None) -> dict[str, Any]:
    """The server, then the client; the numbers of the client's report. Both ended here."""
    with tempfile.TemporaryDirectory(prefix="netwright-iperf3-") as scratch:
        env = {**os.environ, "TMPDIR": scratch}
        server = _start_server(iperf3, server_netns, options.port, env, cancel)
        try:
            stdout, stderr = _run_client(command, options.seconds + 20, address, cancel, env)
            try:
                report = json.loads(stdout)
            except ValueError:
                raise MeasureError(f"iperf3 failed: {(stderr or stdout).strip()}") from None
            return parse_report(report, options.udp)
        finally:
            _stop(server)


def requested_bps(options: MeasureOptions) -> int | None:
    """The rate the client is asked to keep: ``--bitrate``, else UDP's default of
    1 Mbit/s (iperf3's); None for TCP without one (as fast as it goes)."""
    if options.bitrate is not None:
        return rate_bits(options.bitrate)
    return UDP_DEFAULT_BPS if options.udp else None
