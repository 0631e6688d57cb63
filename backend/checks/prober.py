"""Measure reachability: every echo in flight at once, from sockets opened in each namespace.

One ICMP datagram socket per (namespace, IP version) is opened by a worker thread that enters
each namespace in turn (``netns.entered``); then the asyncio loop sends every probe, reads
replies and error-queue entries as they come, waits ``timeout`` seconds, re-sends what got no
answer (``retries`` times) and reports each probe: the reply's round-trip time (kernel receive
timestamp minus send time), or the kernel's error (ENETUNREACH from sendto when there is no
route; EHOSTUNREACH when ARP fails or a router says so), or "no reply". A run of many probes
is spread over worker processes, whole sockets each (``spread.py``), so that the kernel's
work inside the senders' ``sendto`` uses every CPU.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import os
import socket
import struct
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from netwright.backend.checks import icmp
from netwright.backend.checks.netns import NamespaceError, entered, ping_group_allowed
from netwright.backend.checks.results import Observation
from netwright.backend.count_words import counted

if TYPE_CHECKING:
    from netwright.backend.checks.spread import ProbeWorkers

SO_TIMESTAMPNS = 35
SEND_SLICE = 256  # probes sent between two chances for the loop to read replies
# A run of this many probes or more is spread over worker processes (spread.py); measured
# in the README's performance section (fifth pass of issue 14 item 19)
SPREAD_FROM = 8000
MAX_PROCESSES = 8
_TIMESPEC = struct.Struct("=qq")

Progress = Callable[[int, int, str], None]


class Probe:
    """Echo ``target`` from the namespace whose file is ``netns`` (see netns.netns_path);
    ``size`` (0: a small echo) is the whole IP packet's size, sent with don't-fragment.

    The address is parsed once, here: a big mesh has tens of thousands of probes.
    """

    __slots__ = ("netns", "size", "target", "version")

    def __init__(self, netns: str, target: str, size: int = 0) -> None:
        address = ipaddress.ip_address(target)
        self.netns = netns
        self.target = str(address)  # canonical, as the kernel reports reply addresses
        self.version: int = address.version
        self.size = size

    @classmethod
    def like(cls, other: Probe, netns: str, size: int = 0) -> Probe:
        """The same target as ``other`` from ``netns``, without parsing the address again."""
        probe = cls.__new__(cls)
        probe.netns, probe.target, probe.version = netns, other.target, other.version
        probe.size = size
        return probe

    def __repr__(self) -> str:
        return f"Probe({self.netns!r}, {self.target!r})"


def open_sockets(needed: set[tuple[str, int]], bind: dict[str, str] | None = None
                 ) -> tuple[dict[tuple[str, int], socket.socket], dict[tuple[str, int], int]]:
    """Create the echo sockets, each inside its namespace (run this in a worker thread),
    bound to ``bind``'s address for that namespace where it names one. Returns the sockets
    and, by the same key, the kernel's refusal to bind one (EADDRNOTAVAIL for an address that
    failed duplicate address detection): the answer of every probe it was to send."""
    by_netns: dict[str, list[int]] = defaultdict(list)
    for netns, version in sorted(needed):
        by_netns[netns].append(version)
    opened: dict[tuple[str, int], socket.socket] = {}
    refused: dict[tuple[str, int], int] = {}
    try:
        for netns, versions in by_netns.items():
            for version in versions:
                opened[(netns, version)] = sock = _open_in(netns, version)
                address = (bind or {}).get(netns)
                if address and (":" in address) == (version == 6):
                    try:
                        sock.bind((address, 0))
                    except OSError as exc:
                        del opened[(netns, version)]
                        sock.close()
                        refused[(netns, version)] = exc.errno or errno.EADDRNOTAVAIL
    except OSError as exc:
        for sock in opened.values():
            sock.close()
        raise NamespaceError(f"cannot open an ICMP socket: {exc.strerror}") from None
    except BaseException:
        for sock in opened.values():
            sock.close()
        raise
    return opened, refused


def _open_in(netns: str, version: int, attempts: int = 3) -> socket.socket:
    """One echo socket inside ``netns``. Another check may put ping_group_range back between
    our widening it and the socket call (EACCES): then widen again and retry."""
    for attempt in range(attempts):
        try:
            with entered(netns), ping_group_allowed(os.getgid()):
                sock = icmp.open_echo_socket(version)
        except PermissionError:
            if attempt == attempts - 1:
                raise
            continue
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        return sock
    raise AssertionError("unreachable")


Key = tuple[str, int]  # (namespace file, IP version): one socket each


@dataclass
class _Run:
    """One ``run``: what was sent, what came back.

    Probes from one socket at one size in one round share one packet and one sequence
    number (``inflight``: (socket, sequence) -> target address -> probe), so a round sends
    the same bytes to each target and a reply is told apart by its address: a big mesh
    builds one packet per namespace instead of one per probe."""

    probes: list[Probe]
    results: list[Observation | None]
    attempts: list[int]
    sent: list[int]  # time.time_ns() of each probe's last send
    inflight: dict[tuple[Key, int], dict[str, int]] = field(default_factory=dict)
    sequence: dict[Key, int] = field(default_factory=lambda: defaultdict(int))
    remaining: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)


def no_reply(attempts: int) -> Observation:
    """A probe nothing answered, after ``attempts`` sends."""
    return Observation("unreachable", "no reply", attempts=attempts)


def error_observation(code: int, size: int, attempts: int) -> Observation:
    """A probe of ``size`` (0: a small echo) the kernel answered with error ``code``; a
    small echo refused for want of a neighbour entry is marked as limited by the table."""
    sized = size > 0 and code in icmp.SIZED_ERROR_TEXT
    limited = "neighbour-table" if code in icmp.NEIGHBOUR_TABLE_ERRORS and not sized else None
    return Observation("unreachable", icmp.error_text(code, sized=sized), None,
                       errno.errorcode.get(code, str(code)), attempts=attempts,
                       limited_by=limited)


def processes_for(probes: int, sockets: int) -> int:
    """How many processes a run of ``probes`` from ``sockets`` sockets is spread over: one
    per CPU this process may use, from SPREAD_FROM probes on (fewer cost more to start
    than they save), and never more than the sockets (a socket is never shared)."""
    if probes < SPREAD_FROM or sockets < 2:
        return 1
    return max(1, min(len(os.sched_getaffinity(0)), sockets, MAX_PROCESSES))


class EchoProber:
    """Concurrent ICMP echo probes. ``timeout`` is per attempt, in seconds."""

    def __init__(self, timeout: float = 1.0, retries: int = 1,
                 progress: Progress | None = None, bind: dict[str, str] | None = None, *,
                 processes: int | None = None, workers: ProbeWorkers | None = None) -> None:
        """``bind``: by namespace file, the address its probes are sent from (instead of the
        one the kernel picks per route). ``processes``: how many processes send (this one
        and worker processes); None decides by the run's size (``processes_for``).
        ``workers``: worker processes started ahead (``spread.ProbeWorkers``; the caller
        closes them); more are started as needed. ``notes`` collects what the run has to
        tell (a worker process that failed)."""
        self.timeout = timeout
        self.retries = retries
        self.progress = progress
        self.bind = bind or {}
        self.processes = processes
        self.workers = workers
        self.notes: list[str] = []

    async def run(self, probes: list[Probe]) -> list[Observation]:
        """Open the sockets the probes need, probe, close them. A big run is spread over
        worker processes, one per CPU beyond this one (``spread.py``), when ``processes``
        is None and there are enough probes to pay for starting them."""
        loop = asyncio.get_running_loop()
        needed = {(p.netns, p.version) for p in probes}
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="netwright-netns") as pool:
            sockets, refused = await loop.run_in_executor(
                pool, lambda: open_sockets(needed, self.bind))
        try:
            processes = self.processes or processes_for(len(probes), len(sockets))
            if processes > 1:
                from netwright.backend.checks.spread import run_spread

                return await run_spread(self, sockets, refused, probes, processes)
            return await self.run_on(sockets, refused, probes)
        finally:
            for sock in sockets.values():
                sock.close()

    async def run_on(self, sockets: dict[Key, socket.socket], refused: dict[Key, int],
                     probes: list[Probe], first_sequence: int = 0) -> list[Observation]:
        """Probe from sockets already open (left open): ``refused`` answers the probes of a
        key whose socket could not be bound. Sequence numbers start after
        ``first_sequence``, so replies to another run on the same sockets are not taken
        for this one's."""
        loop = asyncio.get_running_loop()
        state = _Run(probes, [None] * len(probes), [0] * len(probes), [0] * len(probes))
        state.sequence.update(dict.fromkeys(sockets, first_sequence))
        state.remaining = len(probes)
        for index, probe in enumerate(probes):
            code = refused.get((probe.netns, probe.version))
            if code is not None:  # nothing can be sent from the address asked for
                state.attempts[index] = 1
                self._finish(state, index, self._error(state, code, index))
        try:
            for key, sock in sockets.items():
                loop.add_reader(sock.fileno(), self._readable, state, key, sock)
            pending = list(range(len(probes)))
            for attempt in range(1 + self.retries):
                state.done.clear()
                await self._send_all(state, sockets, pending)
                if self.progress:
                    self.progress(len(probes) - state.remaining, len(probes),
                                  f"{counted(len(pending), 'probe')} sent, waiting for replies")
                if state.remaining:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(state.done.wait(), self.timeout)
                pending = [i for i, r in enumerate(state.results) if r is None]
                if not pending:
                    break
                if attempt < self.retries and self.progress:
                    self.progress(len(probes) - len(pending), len(probes),
                                  f"retrying {counted(len(pending), 'probe')} without a reply")
        finally:
            for sock in sockets.values():
                loop.remove_reader(sock.fileno())
        return [result or no_reply(state.attempts[index])
                for index, result in enumerate(state.results)]

    async def _send_all(self, state: _Run, sockets: dict[Key, socket.socket],
                        indices: list[int]) -> None:
        """Send every probe of ``indices`` still without an answer, a packet per socket and
        size (a target twice in one group, e.g. a duplicate address, goes in a group of its
        own, under another sequence number)."""
        groups: dict[tuple[Key, int], list[dict[str, int]]] = defaultdict(list)
        probes, results = state.probes, state.results
        for index in indices:
            if results[index] is not None:
                continue
            probe = probes[index]
            rounds = groups[((probe.netns, probe.version), probe.size)]
            for targets in rounds:
                if probe.target not in targets:
                    targets[probe.target] = index
                    break
            else:
                rounds.append({probe.target: index})
        count = 0
        attempts, sent = state.attempts, state.sent
        for ((key, size), rounds) in groups.items():
            sock = sockets[key]
            for targets in rounds:
                sequence = state.sequence[key] = (state.sequence[key] + 1) & 0xFFFF
                state.inflight[(key, sequence)] = targets
                packet = icmp.echo_request(key[1], sequence, size)
                for target, index in targets.items():
                    count += 1
                    if count % SEND_SLICE == 0:
                        await asyncio.sleep(0)  # let the loop read replies meanwhile
                        if results[index] is not None:
                            continue
                    attempts[index] += 1
                    sent[index] = time.time_ns()
                    try:
                        sock.sendto(packet, (target, 0))
                    except OSError as exc:
                        await self._send_failed(state, index, exc, sock=sock, packet=packet,
                                                target=target)

    async def _send_failed(self, state: _Run, index: int, exc: OSError, *,
                           sock: socket.socket, packet: bytes, target: str) -> None:
        """A send that failed: wait while the socket's buffer is full; send once more when
        the error was the socket's pending one (an ICMP error for an earlier probe, which
        the kernel hands to the next send instead of sending it: the error queue has it for
        its own probe); else the error is this probe's answer."""
        pending_error = True
        for _ in range(100):
            if isinstance(exc, BlockingIOError):
                await asyncio.sleep(0.001)
            elif pending_error:
                pending_error = False
            else:
                self._finish(state, index, self._error(state, exc.errno or errno.EIO, index))
                return
            try:
                state.sent[index] = time.time_ns()
                sock.sendto(packet, (target, 0))
                return
            except OSError as again:
                exc = again

    def _error(self, state: _Run, code: int, index: int) -> Observation:
        return error_observation(code, state.probes[index].size, state.attempts[index])

    def _finish(self, state: _Run, index: int, observation: Observation) -> None:
        if state.results[index] is not None:
            return
        state.results[index] = observation
        state.remaining -= 1
        if state.remaining <= 0:
            state.done.set()

    def _readable(self, state: _Run, key: Key, sock: socket.socket) -> None:
        version = key[1]
        inflight = state.inflight
        while True:
            error = icmp.read_error(sock, version)
            if error is None:
                break
            targets = inflight.get((key, -1 if error.sequence is None else error.sequence))
            index = targets.get(error.address) if targets is not None else None
            if index is not None:
                self._finish(state, index, self._error(state, error.code, index))
        reply_type = icmp.ECHO_REPLY[version]
        results, attempts, sent = state.results, state.attempts, state.sent
        recvmsg = sock.recvmsg
        while True:
            try:
                # the ICMP header is all we read: type and sequence (the rest is dropped)
                data, ancillary, _flags, address = recvmsg(8, 64)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                break
            if len(data) < 8 or data[0] != reply_type:
                continue
            targets = inflight.get((key, data[6] << 8 | data[7]))
            if targets is None:
                continue
            index = targets.get(address[0] if version == 4 else address[0].split("%")[0])
            if index is None or results[index] is not None:
                continue
            received_ns = 0
            for level, kind, payload in ancillary:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(payload) >= 16:
                    seconds, nanos = _TIMESPEC.unpack_from(payload)
                    received_ns = seconds * 1_000_000_000 + nanos
            rtt_ms = max((received_ns or time.time_ns()) - sent[index], 0) / 1e6
            results[index] = Observation.reply(rtt_ms, attempts[index])
            state.remaining -= 1
            if state.remaining <= 0:
                state.done.set()
