"""Measure reachability: every echo in flight at once, from sockets opened in each namespace.

One ICMP datagram socket per (namespace, IP version) is opened by a worker thread that enters
each namespace in turn (``netns.entered``); then the asyncio loop sends every probe, reads
replies and error-queue entries as they come, waits ``timeout`` seconds, re-sends what got no
answer (``retries`` times) and reports each probe: the reply's round-trip time (kernel receive
timestamp minus send time), or the kernel's error (ENETUNREACH from sendto when there is no
route; EHOSTUNREACH when ARP fails or a router says so), or "no reply".
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

from netwright.backend.checks import icmp
from netwright.backend.checks.netns import NamespaceError, entered, ping_group_allowed
from netwright.backend.checks.results import Observation

SO_TIMESTAMPNS = 35
SEND_SLICE = 256  # probes sent between two chances for the loop to read replies

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
                 ) -> dict[tuple[str, int], socket.socket]:
    """Create the echo sockets, each inside its namespace (run this in a worker thread),
    bound to ``bind``'s address for that namespace where it names one."""
    by_netns: dict[str, list[int]] = defaultdict(list)
    for netns, version in sorted(needed):
        by_netns[netns].append(version)
    opened: dict[tuple[str, int], socket.socket] = {}
    try:
        for netns, versions in by_netns.items():
            for version in versions:
                opened[(netns, version)] = sock = _open_in(netns, version)
                address = (bind or {}).get(netns)
                if address and (":" in address) == (version == 6):
                    sock.bind((address, 0))
    except OSError as exc:
        for sock in opened.values():
            sock.close()
        raise NamespaceError(f"cannot open an ICMP socket: {exc.strerror}") from None
    except BaseException:
        for sock in opened.values():
            sock.close()
        raise
    return opened


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


@dataclass
class _Run:
    probes: list[Probe]
    results: list[Observation | None]
    attempts: list[int]
    inflight: dict[tuple[tuple[str, int], int], tuple[int, int]] = field(default_factory=dict)
    sequence: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))
    remaining: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)
    neighbour_errors: int = 0


class EchoProber:
    """Concurrent ICMP echo probes. ``timeout`` is per attempt, in seconds."""

    def __init__(self, timeout: float = 1.0, retries: int = 1,
                 progress: Progress | None = None, bind: dict[str, str] | None = None) -> None:
        """``bind``: by namespace file, the address its probes are sent from (instead of the
        one the kernel picks per route)."""
        self.timeout = timeout
        self.retries = retries
        self.progress = progress
        self.bind = bind or {}

    async def run(self, probes: list[Probe]) -> list[Observation]:
        loop = asyncio.get_running_loop()
        needed = {(p.netns, p.version) for p in probes}
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="netwright-netns") as pool:
            sockets = await loop.run_in_executor(pool, lambda: open_sockets(needed, self.bind))
        state = _Run(probes, [None] * len(probes), [0] * len(probes))
        state.remaining = len(probes)
        try:
            for key, sock in sockets.items():
                loop.add_reader(sock.fileno(), self._readable, state, key, sock)
            pending = list(range(len(probes)))
            for attempt in range(1 + self.retries):
                state.done.clear()
                await self._send_all(state, sockets, pending)
                if self.progress:
                    self.progress(len(probes) - state.remaining, len(probes),
                                  f"{len(pending)} probe(s) sent, waiting for replies")
                if state.remaining:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(state.done.wait(), self.timeout)
                pending = [i for i, r in enumerate(state.results) if r is None]
                if not pending:
                    break
                if attempt < self.retries and self.progress:
                    self.progress(len(probes) - len(pending), len(probes),
                                  f"retrying {len(pending)} probe(s) without a reply")
        finally:
            for sock in sockets.values():
                loop.remove_reader(sock.fileno())
                sock.close()
        return [
            result or Observation("unreachable", "no reply", attempts=state.attempts[index])
            for index, result in enumerate(state.results)
        ]

    async def _send_all(self, state: _Run, sockets: dict[tuple[str, int], socket.socket],
                        indices: list[int]) -> None:
        for count, index in enumerate(indices):
            if count and count % SEND_SLICE == 0:
                await asyncio.sleep(0)
            if state.results[index] is not None:
                continue
            probe = state.probes[index]
            key = (probe.netns, probe.version)
            sock = sockets[key]
            sequence = state.sequence[key] = (state.sequence[key] + 1) & 0xFFFF
            state.attempts[index] += 1
            packet = icmp.echo_request(probe.version, sequence, probe.size)
            pending_error = True
            for _ in range(100):
                try:
                    state.inflight[(key, sequence)] = (index, time.time_ns())
                    sock.sendto(packet, (probe.target, 0))
                    break
                except BlockingIOError:
                    await asyncio.sleep(0.001)
                except OSError as exc:
                    if pending_error:
                        # An ICMP error for an earlier probe also sets the socket's pending
                        # error, which the kernel hands to the next send instead of sending
                        # (the error queue has it for its own probe): send once more.
                        pending_error = False
                        continue
                    self._finish(state, index, self._error(state, exc.errno or errno.EIO, index))
                    break

    def _error(self, state: _Run, code: int, index: int) -> Observation:
        limited = None
        if code in icmp.NEIGHBOUR_TABLE_ERRORS:
            state.neighbour_errors += 1
            limited = "neighbour-table"
        return Observation("unreachable", icmp.error_text(code), None,
                           errno.errorcode.get(code, str(code)), attempts=state.attempts[index],
                           limited_by=limited)

    def _finish(self, state: _Run, index: int, observation: Observation) -> None:
        if state.results[index] is not None:
            return
        state.results[index] = observation
        state.remaining -= 1
        if state.remaining <= 0:
            state.done.set()

    def _readable(self, state: _Run, key: tuple[str, int], sock: socket.socket) -> None:
        version = key[1]
        while True:
            error = icmp.read_error(sock, version)
            if error is None:
                break
            entry = state.inflight.get((key, -1 if error.sequence is None else error.sequence))
            if entry is not None:
                self._finish(state, entry[0], self._error(state, error.code, entry[0]))
        while True:
            try:
                data, ancillary, _flags, address = sock.recvmsg(65536, 64)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                break
            reply = icmp.parse_reply(version, data, address)
            if reply is None:
                continue
            entry = state.inflight.get((key, reply.sequence))
            if entry is None:
                continue
            index, sent_ns = entry
            if reply.address != state.probes[index].target:
                continue
            received_ns = time.time_ns()
            for level, kind, payload in ancillary:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(payload) >= 16:
                    seconds, nanos = struct.unpack_from("=qq", payload)
                    received_ns = seconds * 1_000_000_000 + nanos
            rtt_ms = max(received_ns - sent_ns, 0) / 1e6
            self._finish(state, index, Observation("reachable", None, rtt_ms,
                                                   attempts=state.attempts[index]))
