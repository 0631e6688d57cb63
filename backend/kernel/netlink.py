"""A thin, batched route-netlink client on top of pyroute2's message classes.

pyroute2 encodes and decodes the messages (``ifinfmsg``, ``ifaddrmsg``, ``rtmsg``); this module
only moves them: many requests go out back to back and their acks are read afterwards, which
is what makes an apply of hundreds of objects take milliseconds per object instead of one
round trip (or one fork) each.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import socket
import struct
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pyroute2.netlink import (
    NLM_F_ACK,
    NLM_F_CREATE,
    NLM_F_DUMP,
    NLM_F_EXCL,
    NLM_F_REQUEST,
    NLMSG_DONE,
    NLMSG_ERROR,
)
from pyroute2.netlink.rtnl import RTM_GETLINK as _RTM_GETLINK
from pyroute2.netlink.rtnl import RTM_GETROUTE as _RTM_GETROUTE

from netwright.backend.kernel import encode
from netwright.backend.kernel.rtnl_marshal import RtnlMarshal

SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
WINDOW = 128  # requests in flight before reading acks (acks are 36 bytes with CAP_ACK)
SEND_BYTES = 16384  # messages are packed into datagrams of about this size

CREATE = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL
CHANGE = NLM_F_REQUEST | NLM_F_ACK


@dataclass
class Request:
    """One netlink request: message class, type, flags, header fields and attributes."""

    msg_class: type
    msg_type: int
    flags: int
    fields: dict[str, Any]
    attrs: list[tuple[str, Any]]

    def encode(self, seq: int) -> bytes:
        msg = self.msg_class()
        for key, value in self.fields.items():
            msg[key] = value
        msg["attrs"] = self.attrs
        msg["header"]["type"] = self.msg_type
        msg["header"]["flags"] = self.flags
        msg["header"]["sequence_number"] = seq
        msg.encode()
        return bytes(msg.data)


class Encodable(Protocol):
    """Anything that packs itself into one netlink message given a sequence number."""

    def encode(self, seq: int) -> bytes: ...


@dataclass(frozen=True)
class Outcome:
    """The kernel's answer to one request: errno 0 on success, plus its extended message."""

    error: int = 0
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.error == 0


class RtSocket:
    """A NETLINK_ROUTE socket (already opened in its namespace) with batched requests."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._seq = 0
        self._marshal = RtnlMarshal()
        for option in (NETLINK_CAP_ACK, NETLINK_EXT_ACK):
            with contextlib.suppress(OSError):
                sock.setsockopt(SOL_NETLINK, option, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)

    def close(self) -> None:
        self.sock.close()

    def _receive(self) -> bytes:
        """One datagram, read into this thread's reused buffer (``_receive_buffer``)."""
        view = _receive_buffer()
        return bytes(view[:self.sock.recv_into(view)])

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def request(self, requests: Sequence[Encodable]) -> list[Outcome]:
        """Send every request, read every ack; one Outcome per request, in order."""
        outcomes: list[Outcome] = []
        for start in range(0, len(requests), WINDOW):
            chunk = requests[start:start + WINDOW]
            seqs: dict[int, int] = {}
            buffer = bytearray()
            for index, req in enumerate(chunk):
                seq = self._next_seq()
                seqs[seq] = index
                buffer += req.encode(seq)
                if len(buffer) > SEND_BYTES:
                    self.sock.send(buffer)  # the kernel handles every message in a datagram
                    buffer.clear()
            if buffer:
                self.sock.send(buffer)
            results: dict[int, Outcome] = {}
            while len(results) < len(chunk):
                for seq, outcome in _parse_acks(self._receive()):
                    if seq in seqs:
                        results[seqs[seq]] = outcome
            outcomes += [results[i] for i in range(len(chunk))]
        return outcomes

    def request_one(self, req: Encodable) -> Outcome:
        return self.request([req])[0]

    def link_indexes(self) -> dict[str, int]:
        """name → ifindex of every link, parsed straight from the dump (no full decode).

        Decoding a whole ``ifinfmsg`` costs about a millisecond in pyroute2; resolving names
        only needs the index (ifinfomsg offset 4) and IFLA_IFNAME (attribute 3).
        """
        out: dict[str, int] = {}
        for raw in self.dump_raw(_RTM_GETLINK, _IFINFO_ANY):
            (index,) = struct.unpack_from("=i", raw, 20)
            name = find_attr(raw, 32, len(raw), 3)
            if name is not None:
                out[name.split(b"\0", 1)[0].decode()] = index
        return out

    def group_members(self, group: int) -> dict[str, str | None]:
        """name → alias of the links in link group ``group``."""
        return {name: alias for _i, name, alias, g in map(
            link_summary, self.dump_raw(_RTM_GETLINK, _IFINFO_ANY)) if g == group}

    def link_alias(self, index: int) -> str | None:
        """IFLA_IFALIAS of link ``index`` (None if unset or no such link), without decoding
        the whole message."""
        raw = self.link(index)
        alias = find_attr(raw, 32, len(raw), 20) if raw is not None else None
        return alias.split(b"\0", 1)[0].decode() if alias else None

    def link(self, index: int) -> bytes | None:
        """Link ``index`` asked by itself (a get, not a dump), as the raw message; None if
        there is no such link. The kernel first handles the link's pending link-watch event
        for such a get (``rtnl_getlink``), which a dump does not."""
        seq = self._next_seq()
        body = struct.pack("=BxHiII", 0, 0, index, 0, 0)
        self.sock.send(_HEADER.pack(16 + len(body), _RTM_GETLINK, NLM_F_REQUEST, seq, 0) + body)
        for kind, raw in self._replies(seq):
            return None if kind == NLMSG_ERROR else raw
        return None

    def route_oif(self, address: str) -> int | None:
        """The index of the device this namespace's route to ``address`` leaves by, as
        ``ip route get ADDRESS`` shows it (one get, no dump); None where the kernel has no
        route (it refuses the get: the network is unreachable) or the route names no device."""
        dst = ipaddress.ip_address(address)
        family = socket.AF_INET if dst.version == 4 else socket.AF_INET6
        body = encode.rtmsg(family=family, dst_len=dst.max_prefixlen, table=0, protocol=0,
                            scope=0, route_type=0) + encode.attr(encode.RTA_DST, dst.packed)
        seq = self._next_seq()
        self.sock.send(_HEADER.pack(16 + len(body), _RTM_GETROUTE, NLM_F_REQUEST, seq, 0) + body)
        for kind, raw in self._replies(seq):
            if kind == NLMSG_ERROR:
                return None
            oif = find_attr(raw, _RTMSG_END, len(raw), encode.RTA_OIF)
            return struct.unpack("=I", oif[:4])[0] if oif and len(oif) >= 4 else None
        return None

    def dump_raw(self, msg_type: int, fixed: bytes) -> list[bytes]:
        """A dump, each message as raw bytes: callers decode (``decode``) only what they need.
        A link dump leaves the counters out (``_SKIP_STATS``)."""
        if msg_type == _RTM_GETLINK:
            fixed += _SKIP_STATS
        seq = self._next_seq()
        self.sock.send(_HEADER.pack(16 + len(fixed), msg_type, NLM_F_REQUEST | NLM_F_DUMP, seq,
                                    0) + fixed)
        out: list[bytes] = []
        for kind, raw in self._replies(seq):
            if kind == NLMSG_DONE:
                break
            if kind == NLMSG_ERROR:
                (code,) = struct.unpack_from("=i", raw, 16)
                if code:
                    raise OSError(-code, "netlink dump failed")
            else:
                out.append(raw)
        return out

    def _replies(self, seq: int) -> Iterator[tuple[int, bytes]]:
        """The messages answering request ``seq``, as (type, raw bytes), as they arrive; the
        caller stops when it has its answer. Ends early on a malformed message."""
        while True:
            data = self._receive()
            offset = 0
            while offset + _HEADER.size <= len(data):
                length, kind, _flags, msg_seq, _pid = _HEADER.unpack_from(data, offset)
                if length < _HEADER.size:
                    return
                if msg_seq == seq:
                    yield kind, data[offset:offset + length]
                offset += (length + 3) & ~3

    def decode(self, raw: bytes) -> Any:
        """One raw message decoded by pyroute2."""
        return next(iter(self._marshal.parse(raw)))

    def dump(self, msg_class: type, msg_type: int, fields: dict[str, Any] | None = None,
             attrs: list[tuple[str, Any]] | None = None) -> list[Any]:
        """A dump request (all links, all addresses …): the decoded messages."""
        req = Request(msg_class, msg_type, NLM_F_REQUEST | NLM_F_DUMP, fields or {}, attrs or [])
        seq = self._next_seq()
        self.sock.send(req.encode(seq))
        out: list[Any] = []
        while True:
            for msg in self._marshal.parse(self._receive()):
                if msg["header"]["sequence_number"] != seq:
                    continue
                kind = msg["header"]["type"]
                if kind == NLMSG_DONE:
                    return out
                if kind == NLMSG_ERROR:
                    error = msg["header"].get("error")
                    if error is not None:
                        raise OSError(getattr(error, "code", errno.EIO), "netlink dump failed")
                    continue
                out.append(msg)
            # a dump may span several datagrams: keep reading


_HEADER = struct.Struct("=IHHII")  # nlmsghdr: length, type, flags, seq, pid
RECEIVE_BYTES = 1 << 20  # more than any datagram the kernel sends (a dump's are ≤ 32 KiB)
_per_thread = threading.local()


def _receive_buffer() -> memoryview:
    """This thread's receive buffer, allocated once.

    ``sock.recv(1 << 20)`` allocates a new megabyte for every datagram and gives it back
    at once; the C library then grows and trims its heap each time, and the page faults
    cost more than the kernel's own work for a small dump: 500 namespaces' link dumps took
    62 ms that way and 42 ms into a reused buffer. One buffer per thread, since the
    observation reads namespaces from two threads."""
    view: memoryview | None = getattr(_per_thread, "view", None)
    if view is None:
        view = _per_thread.view = memoryview(bytearray(RECEIVE_BYTES))
    return view
_NLM_F_ACK_TLVS = 0x200
_NLMSGERR_ATTR_MSG = 1


def _parse_acks(data: bytes) -> list[tuple[int, Outcome]]:
    """Decode NLMSG_ERROR acks by hand: pyroute2 cannot decode CAP_ACK-truncated ones."""
    out: list[tuple[int, Outcome]] = []
    offset = 0
    while offset + _HEADER.size <= len(data):
        length, kind, flags, seq, _pid = _HEADER.unpack_from(data, offset)
        if length < _HEADER.size:
            break
        if kind == NLMSG_ERROR:
            (code,) = struct.unpack_from("=i", data, offset + 16)
            text = ""
            if flags & _NLM_F_ACK_TLVS:
                tlv = offset + 20 + 16  # CAP_ACK: only the request header is echoed
                text = _ext_ack_message(data[tlv:offset + length])
            out.append((seq, Outcome(-code, text)))
        offset += (length + 3) & ~3
    return out


def link_summary(raw: bytes) -> tuple[int, str, str | None, int]:
    """(index, name, alias, group) of a raw RTM_NEWLINK message, without decoding it."""
    (index,) = struct.unpack_from("=i", raw, 20)
    name, alias, group = b"", None, 0
    offset, end = 32, len(raw)
    unpack = struct.unpack_from
    while offset + 4 <= end:  # one pass for all three (a dump of a busy host has many)
        size, kind = unpack("=HH", raw, offset)
        if size < 4:
            break
        kind &= 0x3FFF
        if kind == 3:
            name = raw[offset + 4:offset + size]
        elif kind == 20:
            alias = raw[offset + 4:offset + size]
        elif kind == 27 and size >= 8:
            (group,) = unpack("=I", raw, offset + 4)
        offset += (size + 3) & ~3
    return (index, bytes(name).split(b"\0", 1)[0].decode(),
            bytes(alias).split(b"\0", 1)[0].decode() if alias else None, group)


_RTMSG_END = 16 + 12  # nlmsghdr and rtmsg: a route's attributes start here
_IFINFO_ANY = struct.pack("=BxHiII", 0, 0, 0, 0, 0)  # an ifinfomsg that matches every link
# IFLA_EXT_MASK with RTEXT_FILTER_SKIP_STATS: no link counters in a dump (nothing here reads
# them, and the kernel sums each veth's per-CPU counters, and its peer's, for every link:
# 202 links dumped in 2.0 ms instead of 3.4)
_SKIP_STATS = struct.pack("=HHI", 8, 29, 1 << 3)


def find_attr(data: bytes, start: int, end: int, wanted: int) -> bytes | None:
    """The first attribute of type ``wanted`` between ``start`` and ``end``, read where it
    is without decoding the others; None if there is none."""
    offset = start
    while offset + 4 <= end:
        size, kind = struct.unpack_from("=HH", data, offset)
        if size < 4:
            return None
        if kind & 0x3FFF == wanted:
            return bytes(data[offset + 4:offset + size])
        offset += (size + 3) & ~3
    return None


def _ext_ack_message(tlvs: bytes) -> str:
    offset = 0
    while offset + 4 <= len(tlvs):
        size, kind = struct.unpack_from("=HH", tlvs, offset)
        if size < 4:
            break
        if kind & 0x3FFF == _NLMSGERR_ATTR_MSG:
            return tlvs[offset + 4:offset + size].split(b"\0", 1)[0].decode(errors="replace")
        offset += (size + 3) & ~3
    return ""


def attr(msg: Any, name: str, default: Any = None) -> Any:
    value = msg.get_attr(name)
    return default if value is None else value


def nested(msg: Any, *path: str) -> Any:
    """A nested attribute (``IFLA_LINKINFO`` → ``IFLA_INFO_KIND``), or None."""
    node = msg
    for name in path:
        if node is None:
            return None
        node = node.get_attr(name)
    return node


def unique(values: Iterable[int]) -> list[int]:
    return sorted(set(values))
