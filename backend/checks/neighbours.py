"""Temporary permanent neighbour entries, so a big mesh is not limited by the ARP table.

The kernel's neighbour table holds 1,024 dynamic entries (gc_thresh3) shared by every
namespace, and that knob exists only in the initial namespace: a full mesh of more than ~32
hosts on one segment overflows it ("neighbor table overflow") and probes fail for reasons that
are the host's, not the design's. Permanent entries do not count against that limit, so for
large checks the prober installs them, for the next hops it knows the MAC of, in the
topology's own namespaces, and removes exactly the ones it added afterwards. The host's
global settings are never changed.

Plain rtnetlink over a socket opened inside each namespace (a few microseconds per entry,
sent in windows whose answers fit the socket's receive queue); no pyroute2 encoding here,
because thousands of entries must go in within milliseconds. The links (index, MAC) are
read through the observation layer (``backend/observe/addressing``) on the same socket.
Every entry is recorded before it is sent, so whatever fails, the check's way out removes
all it may have made.
"""

from __future__ import annotations

import contextlib
import errno
import socket
import struct
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, NamedTuple

from netwright.backend.checks.netns import route_socket
from netwright.backend.observe.addressing import LinkAddress, link_addresses
from netwright.backend.topology.problems import NetwrightError

if TYPE_CHECKING:
    from netwright.backend.kernel.netlink import RtSocket

RTM_NEWNEIGH, RTM_DELNEIGH = 28, 29
NLMSG_ERROR = 2
NLM_F_REQUEST = 0x1
NLM_F_EXCL, NLM_F_CREATE = 0x200, 0x400
NUD_PERMANENT = 0x80
NDA_DST, NDA_LLADDR = 1, 2
_NLMSG = struct.Struct("=IHHII")
_NDMSG = struct.Struct("=BBHiHBB")
_RTA = struct.Struct("=HH")
WINDOW = 128  # requests per send: their refusals, if all refused, fit the receive buffer
SEND_LIMIT = 1 << 16  # bytes of deletions per send (well within the socket's send buffer)
SO_RCVBUFFORCE = 33
RECEIVE_BUFFER = 1 << 20
THREADS = 2  # threads pinning when there are many namespaces
PARALLEL_FROM = 16  # namespaces with entries to pin, from which THREADS share them


def _attribute(kind: int, payload: bytes) -> bytes:
    length = _RTA.size + len(payload)
    return _RTA.pack(length, kind) + payload + b"\0" * ((4 - length % 4) % 4)


class Entry(NamedTuple):
    """A neighbour entry: in ``netns`` on link ``ifindex``, ``address`` is at ``mac``.

    A tuple, not a dataclass: a big check makes a million of them."""

    netns: str
    ifindex: int  # not ``index``: that is tuple.index, which a field must not hide
    address: str
    mac: bytes


class _Window(NamedTuple):
    """Requests sent together to add entries: their bytes, the first one's sequence number,
    and the entries, so that exactly those the kernel took can be removed again."""

    data: bytes
    first: int
    entries: list[Entry]


class RouteSocket:
    """An rtnetlink socket opened inside one namespace (open it from a worker thread): the
    observation layer reads the links through ``route``; the pins are written here, and
    each window of them is kept (``added``) until ``remove_added`` takes them out again."""

    def __init__(self, netns: str) -> None:
        self.route = route_socket(netns)  # refusals quote only the header (NETLINK_CAP_ACK)
        self.sock = self.route.sock
        # not root: RtSocket's own buffer (SO_RCVBUF) still holds a window's refusals
        with contextlib.suppress(OSError):
            self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, RECEIVE_BUFFER)
        self.seq = 0
        self.added: list[_Window] = []  # every window of additions sent (or being sent)
        self.refused: set[int] = set()  # sequence numbers of additions the kernel refused

    def close(self) -> None:
        self.sock.close()

    def links(self) -> dict[str, LinkAddress]:
        """Every link of the namespace by kernel name, with its index and MAC."""
        return link_addresses(self.route)

    def change(self, kind: int, entries: Iterable[Entry],
               done: list[Entry | None] | None = None) -> list[Entry | None]:
        """Add (RTM_NEWNEIGH, never replacing) or delete entries, a window at a time.

        Each entry is appended to ``done`` *before* its window is sent, and taken out again
        only when the kernel refuses it (an entry that existed already, EEXIST, is not ours to
        remove): whatever fails midway, ``done`` holds every entry that may exist because of
        us. No per-message acknowledgement is asked for: the kernel handles a request inside
        ``send``, so once ``send`` returns every refusal is queued, and draining the queue
        finishes the window. A window is small enough that its refusals fit the receive
        buffer (an overflowing netlink queue drops them and fails the read with ENOBUFS; the
        entries whose answer was lost then stay in ``done``, to be removed to be safe).
        Refused entries are left in ``done`` as None until the last window is answered.
        A window of additions is also kept here, with its refusals, before it is sent.
        """
        done = [] if done is None else done
        start = len(done)  # ``done`` may be long already: touch only what this call adds
        flags = NLM_F_REQUEST | (NLM_F_CREATE | NLM_F_EXCL if kind == RTM_NEWNEIGH else 0)
        # the common request (an IPv4 entry with an Ethernet address) packed here in one
        # call: a mesh of 200 makes 39,800 of them
        pack4 = _NEIGH4.pack if kind == RTM_NEWNEIGH else None
        window: list[bytes] = []
        window_entries: list[Entry] = []
        seq = self.seq
        for entry in entries:
            seq += 1
            _netns, ifindex, address, mac = entry
            if pack4 is not None and ":" not in address and len(mac) == 6:
                window.append(pack4(_NEIGH4.size, kind, flags, seq, 0, socket.AF_INET, 0, 0,
                                    ifindex, NUD_PERMANENT, 0, 0, 8, NDA_DST,
                                    socket.inet_pton(socket.AF_INET, address), 10, NDA_LLADDR,
                                    mac))
            else:
                window.append(_neighbour_message(kind, flags, seq, entry))
            window_entries.append(entry)
            if len(window) == WINDOW:
                self.seq = seq
                self._send_window(kind, window, window_entries, done)
                window, window_entries = [], []
        if window:
            self.seq = seq
            self._send_window(kind, window, window_entries, done)
        if None in done[start:]:
            done[start:] = [entry for entry in done[start:] if entry is not None]
        return done

    def remove_added(self) -> int:
        """Delete every entry this socket added and the kernel did not refuse; how many.

        The deletions go out as few datagrams as fit the socket's send buffer, with nothing
        read back: a deletion the kernel refuses is of an entry gone already. A window the
        kernel took whole, of IPv4 entries with Ethernet addresses (fixed-size requests), is
        turned into its deletions in place (the kernel's RTM_DELNEIGH reads the address and
        device, not the MAC): no request is built again per entry, which was a third of the
        removal's time at N = 200 (39,800 entries)."""
        parts: list[bytes] = []
        count = 0
        for window in self.added:
            taken = range(window.first, window.first + len(window.entries))
            if len(window.data) == _NEIGH4.size * len(window.entries) and \
                    self.refused.isdisjoint(taken):
                parts.append(_as_deletions(window.data))
                count += len(window.entries)
                continue
            for seq, entry in zip(taken, window.entries, strict=True):
                if seq not in self.refused:
                    parts.append(_neighbour_message(RTM_DELNEIGH, NLM_F_REQUEST, seq, entry))
                    count += 1
        self.added = []
        buffer = bytearray()
        for part in parts:
            if len(buffer) + len(part) > SEND_LIMIT:
                self.sock.send(buffer)
                buffer = bytearray()
            buffer += part
        if buffer:
            self.sock.send(buffer)
        return count

    def _send_window(self, kind: int, window: list[bytes], entries: list[Entry],
                     done: list[Entry | None]) -> None:
        """Record the window's entries (in ``done``, and here if they are additions), send
        it, and drain the refusals: a refused entry becomes None in ``done``."""
        first = self.seq - len(window) + 1  # the window's first sequence number
        at = len(done) - first  # a sequence number's index in ``done``, less that number
        data = b"".join(window)
        done.extend(entries)
        if kind == RTM_NEWNEIGH:
            self.added.append(_Window(data, first, entries))
        self.sock.send(data)
        while True:
            try:
                data = self.sock.recv(1 << 16, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return
            except OSError as exc:
                if exc.errno == errno.ENOBUFS:
                    continue  # some refusals were dropped: their entries stay recorded
                raise
            offset = 0
            while offset + _NLMSG.size <= len(data):
                length, answer, _flags, seq, _pid = _NLMSG.unpack_from(data, offset)
                if answer == NLMSG_ERROR and first <= seq <= self.seq:
                    code = struct.unpack_from("=i", data, offset + _NLMSG.size)[0]
                    if code != 0:  # refused: it was never made by us (or already gone)
                        done[at + seq] = None
                        self.refused.add(seq)
                offset += (length + 3) & ~3


def _as_deletions(additions: bytes) -> bytes:
    """A window of fixed-size IPv4 RTM_NEWNEIGH requests as the same requests deleting:
    each header's type becomes RTM_DELNEIGH and its flags NLM_F_REQUEST alone (two bytes at
    a stride, set in one slice assignment each)."""
    data = bytearray(additions)
    count = len(data) // _NEIGH4.size
    data[4::_NEIGH4.size] = bytes([RTM_DELNEIGH]) * count  # nlmsg_type, low byte
    data[7::_NEIGH4.size] = bytes(count)  # nlmsg_flags, high byte: no CREATE, no EXCL
    return bytes(data)


_NEIGH4 = struct.Struct("=IHHII BBHiHBB HH4s HH6sxx")  # header, ndmsg, NDA_DST, NDA_LLADDR
_DELNEIGH4 = struct.Struct("=IHHII BBHiHBB HH4s")  # header, ndmsg, NDA_DST


def _neighbour_message(kind: int, flags: int, seq: int, entry: Entry) -> bytes:
    if ":" not in entry.address:  # the common cases in one pack each: IPv4
        if kind == RTM_NEWNEIGH and len(entry.mac) == 6:  # with an Ethernet address
            return _NEIGH4.pack(_NEIGH4.size, kind, flags, seq, 0,
                                socket.AF_INET, 0, 0, entry.ifindex, NUD_PERMANENT, 0, 0,
                                8, NDA_DST, socket.inet_pton(socket.AF_INET, entry.address),
                                10, NDA_LLADDR, entry.mac)
        if kind == RTM_DELNEIGH:
            return _DELNEIGH4.pack(_DELNEIGH4.size, kind, flags, seq, 0,
                                   socket.AF_INET, 0, 0, entry.ifindex, NUD_PERMANENT, 0, 0,
                                   8, NDA_DST, socket.inet_pton(socket.AF_INET, entry.address))
    family = socket.AF_INET6 if ":" in entry.address else socket.AF_INET
    body = _NDMSG.pack(family, 0, 0, entry.ifindex, NUD_PERMANENT, 0, 0)
    body += _attribute(NDA_DST, socket.inet_pton(family, entry.address))
    if kind == RTM_NEWNEIGH:
        body += _attribute(NDA_LLADDR, entry.mac)
    return _NLMSG.pack(_NLMSG.size + len(body), kind, flags, seq, 0) + body


class NeighbourError(NetwrightError):
    """Pinning or unpinning neighbour entries failed; the sentence says where."""


class NeighbourPins:
    """Install permanent entries per namespace and remove exactly those afterwards.

    Every entry is recorded in ``added`` before the request that makes it is sent, so
    ``remove_all`` (which a check calls on every way out) removes whatever a failure midway
    left. Use from a worker thread (opening the sockets enters namespaces).
    """

    def __init__(self) -> None:
        self.sockets: dict[str, RouteSocket] = {}
        self.added: list[Entry | None] = []

    def socket_for(self, netns: str) -> RouteSocket:
        if netns not in self.sockets:
            self.sockets[netns] = RouteSocket(netns)
        return self.sockets[netns]

    def route_sockets(self) -> dict[str, RtSocket]:
        """The route socket open in each namespace, by namespace file (to read through;
        ``remove_all`` closes them)."""
        return {netns: sock.route for netns, sock in self.sockets.items()}

    def links(self, netns: str) -> dict[str, LinkAddress]:
        try:
            return self.socket_for(netns).links()
        except OSError as exc:
            raise NeighbourError(f"cannot list the links of namespace {netns}:"
                                 f" {exc.strerror}") from None

    def add(self, entries: Iterable[Entry]) -> int:
        """Pin the entries; how many the kernel took.

        Many namespaces are shared by two threads: the kernel makes each entry inside
        ``send``, in the sender's context, so two senders use two CPUs. Each thread records
        in a list of its own, and every list joins ``added`` however the threads end."""
        by_netns: dict[str, list[Entry]] = {}
        for entry in entries:
            by_netns.setdefault(entry.netns, []).append(entry)
        before = len(self.added)
        groups = list(by_netns.items())
        if len(groups) < PARALLEL_FROM:
            for netns, group in groups:
                self._add_in(netns, group, self.added)
            return len(self.added) - before - self.added[before:].count(None)
        shares = [groups[number::THREADS] for number in range(THREADS)]
        recorded: list[list[Entry | None]] = [[] for _ in shares]

        def work(number: int) -> None:
            for netns, group in shares[number]:
                self._add_in(netns, group, recorded[number])

        try:
            with ThreadPoolExecutor(max_workers=THREADS,
                                    thread_name_prefix="netwright-pin") as pool:
                running = [pool.submit(work, number) for number in range(len(shares))]
            for future in running:
                future.result()  # the first failure, once both threads have ended
        finally:
            for found in recorded:
                self.added.extend(found)
        return len(self.added) - before - self.added[before:].count(None)

    def _add_in(self, netns: str, group: list[Entry], done: list[Entry | None]) -> None:
        try:
            self.socket_for(netns).change(RTM_NEWNEIGH, group, done)
        except OSError as exc:
            raise NeighbourError(f"cannot pin neighbour entries in namespace {netns}:"
                                 f" {exc.strerror}") from None

    def remove_all(self) -> None:
        """Remove every entry added, namespace by namespace (each socket takes out what it
        added), going on past failures."""
        failed: list[str] = []
        try:
            for netns, sock in self.sockets.items():
                pending = sum(len(window.entries) for window in sock.added)
                try:
                    sock.remove_added()
                except OSError as exc:
                    failed.append(f"{pending} in {netns} ({exc.strerror})")
        finally:
            self.added = []
            for sock in self.sockets.values():
                sock.close()
            self.sockets = {}
        if failed:
            raise NeighbourError("could not remove the temporary neighbour entries: "
                                 + "; ".join(failed) + " (remove them with 'ip neigh flush nud"
                                 " permanent' in those namespaces)")
