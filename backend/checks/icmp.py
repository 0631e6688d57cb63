"""ICMP echo over datagram ("ping") sockets: packets, replies and the kernel's errors.

A datagram ICMP socket lets the kernel pick the echo identifier and route replies back to
the socket by it, so one socket per namespace and IP version serves every target at once
(sendto each target, tell replies apart by address and sequence number). With IP_RECVERR /
IPV6_RECVERR the kernel also reports what went wrong for a probe — a host unreachable from a
failed ARP, an ICMP error from a router — on the socket's error queue.
"""

from __future__ import annotations

import errno
import socket
import struct
from dataclasses import dataclass

ECHO_REQUEST = {4: 8, 6: 128}
ECHO_REPLY = {4: 0, 6: 129}
IP_RECVERR = 11
IPV6_RECVERR = 25
IP_MTU_DISCOVER, IP_PMTUDISC_PROBE = 10, 3  # DF on every packet, the route's PMTU ignored
IPV6_MTU_DISCOVER, IPV6_PMTUDISC_PROBE = 23, 3
IP_HEADER = {4: 20, 6: 40}
SO_RCVBUFFORCE = 33
RECEIVE_BUFFER = 4 << 20
PAYLOAD = b"netwright"
_HEADER = struct.Struct("!BBHHH")
_EXTENDED_ERR = struct.Struct("=IBBBBII")

# What the kernel said, in the words people see from ping(8).
ERROR_TEXT = {
    errno.ENETUNREACH: "Network is unreachable",
    errno.EHOSTUNREACH: "Host unreachable",
    errno.ECONNREFUSED: "Connection refused",
    errno.EACCES: "Permission denied (a firewall rule?)",
    errno.EPERM: "Operation not permitted (a firewall rule?)",
    errno.EMSGSIZE: "Message too long",
    errno.EINVAL: "Invalid argument (no neighbour entry could be made: table full?)",
    errno.ENOBUFS: "No buffer space available (neighbour table full?)",
    errno.EADDRNOTAVAIL: "Cannot assign requested address (IPv6 address still tentative?)",
}
NEIGHBOUR_TABLE_ERRORS = (errno.EINVAL, errno.ENOBUFS)
# A full-size don't-fragment probe whose small echo passes: ENOBUFS is no neighbour table but
# the frame's drop by the device the sender's own hands it to (a veth peer with a smaller
# MTU drops it inside the send, which then fails with NET_XMIT_DROP)
SIZED_ERROR_TEXT = {
    errno.ENOBUFS: "No buffer space available: dropped on its way out, by the device the"
                   " sender's interface hands it to (a veth peer with a smaller MTU?)",
}


def error_text(code: int, *, sized: bool = False) -> str:
    """ping(8)'s words for ``code``; ``sized``: for a full-size don't-fragment probe."""
    import os

    if sized and code in SIZED_ERROR_TEXT:
        return SIZED_ERROR_TEXT[code]
    return ERROR_TEXT.get(code, os.strerror(code))


def open_echo_socket(version: int) -> socket.socket:
    """A non-blocking ICMP datagram socket that reports errors; call inside the namespace
    (with ``net.ipv4.ping_group_range`` admitting our group). Every packet carries
    don't-fragment and ignores a path MTU learnt earlier (PMTUDISC_PROBE), so a full-size
    probe measures the path as it is, every time."""
    if version == 4:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)
        sock.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
        sock.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_PROBE)
    else:
        sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM, socket.IPPROTO_ICMPV6)
        sock.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVERR, 1)
        sock.setsockopt(socket.IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_PROBE)
    try:
        sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, RECEIVE_BUFFER)
    except OSError:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
    sock.setblocking(False)
    return sock


def echo_request(version: int, sequence: int, size: int = 0) -> bytes:
    """Identifier and checksum 0: the kernel fills both in for datagram sockets. ``size``,
    when given, is the whole IP packet's size: the payload is padded to reach it."""
    header = _HEADER.pack(ECHO_REQUEST[version], 0, 0, 0, sequence & 0xFFFF)
    if size:
        return header + PAYLOAD.ljust(size - IP_HEADER[version] - _HEADER.size, b".")
    return header + PAYLOAD


@dataclass(frozen=True)
class Reply:
    address: str
    sequence: int


@dataclass(frozen=True)
class KernelError:
    address: str
    sequence: int | None
    code: int


def parse_reply(version: int, data: bytes, address: tuple[object, ...]) -> Reply | None:
    if len(data) < _HEADER.size:
        return None
    kind, _code, _checksum, _ident, sequence = _HEADER.unpack_from(data)
    if kind != ECHO_REPLY[version]:
        return None
    return Reply(str(address[0]).split("%")[0], sequence)


def read_error(sock: socket.socket, version: int) -> KernelError | None:
    """One entry of the socket's error queue, or None when it is empty."""
    try:
        data, ancillary, _flags, address = sock.recvmsg(512, 512, socket.MSG_ERRQUEUE)
    except BlockingIOError:
        return None
    code = 0
    for level, kind, payload in ancillary:
        if kind in (IP_RECVERR, IPV6_RECVERR) and level in (socket.IPPROTO_IP,
                                                           socket.IPPROTO_IPV6):
            code = _EXTENDED_ERR.unpack_from(payload)[0]
    sequence = _HEADER.unpack_from(data)[4] if len(data) >= _HEADER.size else None
    target = str(address[0]).split("%")[0] if address else ""
    return KernelError(target, sequence, code or errno.EHOSTUNREACH)
