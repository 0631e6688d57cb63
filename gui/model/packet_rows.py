"""A growing pcapng file as rows of a packet list, decoded by dpkt.

The capture dialog shows packets while netwrightd writes them. This module follows the file:
``PcapngTail`` takes the bytes appended since the last read and returns the frames of the
complete Enhanced Packet Blocks among them (block framing only, which is the file format);
``summary`` hands each frame to dpkt, a maintained dissector, for the columns Wireshark's
list shows first: source, destination, protocol and a short description.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

_SHB = 0x0A0D0D0A
_EPB = 0x00000006


@dataclass(frozen=True)
class PacketRow:
    number: int
    seconds: float  # since the first packet
    source: str
    destination: str
    protocol: str
    info: str


class PcapngTail:
    """Frames of complete packet blocks, fed the file's bytes in any pieces."""

    def __init__(self) -> None:
        self._pending = b""
        self._endian = "<"

    def feed(self, data: bytes) -> list[tuple[int, bytes]]:
        """(timestamp in the file's units, frame) for each block completed by ``data``."""
        buffer = self._pending + data
        out: list[tuple[int, bytes]] = []
        offset = 0
        while len(buffer) - offset >= 12:
            kind = struct.unpack_from("<I", buffer, offset)[0]
            if kind == _SHB:
                self._endian = "<" if buffer[offset + 8:offset + 12] == b"\x4d\x3c\x2b\x1a" \
                    else ">"
            length = struct.unpack_from(self._endian + "I", buffer, offset + 4)[0]
            if length < 12 or length % 4:
                raise ValueError("not a pcapng stream (a block length is invalid)")
            if len(buffer) - offset < length:
                break
            if struct.unpack_from(self._endian + "I", buffer, offset)[0] == _EPB:
                high, low, captured = struct.unpack_from(self._endian + "III", buffer,
                                                         offset + 12)
                start = offset + 28
                out.append(((high << 32) | low, buffer[start:start + captured]))
            offset += length
        self._pending = buffer[offset:]
        return out


def summary(frame: bytes) -> tuple[str, str, str, str]:
    """(source, destination, protocol, info) of an Ethernet frame, as dpkt decodes it."""
    import dpkt

    ethernet = dpkt.ethernet.Ethernet(frame)
    payload = ethernet.data
    if isinstance(payload, dpkt.arp.ARP):
        target = socket.inet_ntoa(payload.tpa)
        sender = socket.inet_ntoa(payload.spa)
        info = (f"Who has {target}? Tell {sender}" if payload.op == dpkt.arp.ARP_OP_REQUEST
                else f"{sender} is at {_mac(payload.sha)}")
        return sender, target, "ARP", info
    if isinstance(payload, dpkt.ip.IP | dpkt.ip6.IP6):
        family = socket.AF_INET if isinstance(payload, dpkt.ip.IP) else socket.AF_INET6
        source = socket.inet_ntop(family, payload.src)
        destination = socket.inet_ntop(family, payload.dst)
        return (source, destination, *_transport(payload.data))
    return _mac(ethernet.src), _mac(ethernet.dst), f"0x{ethernet.type:04x}", f"{len(frame)} bytes"


def _transport(segment: object) -> tuple[str, str]:
    import dpkt

    if isinstance(segment, dpkt.icmp.ICMP):
        names = {dpkt.icmp.ICMP_ECHO: "Echo (ping) request",
                 dpkt.icmp.ICMP_ECHOREPLY: "Echo (ping) reply",
                 dpkt.icmp.ICMP_UNREACH: "Destination unreachable"}
        return "ICMP", names.get(segment.type, f"type {segment.type}")
    if isinstance(segment, dpkt.icmp6.ICMP6):
        return "ICMPv6", f"type {segment.type}"
    if isinstance(segment, dpkt.tcp.TCP):
        return "TCP", f"{segment.sport} → {segment.dport}"
    if isinstance(segment, dpkt.udp.UDP):
        return "UDP", f"{segment.sport} → {segment.dport}"
    return type(segment).__name__, ""


def _mac(raw: bytes) -> str:
    return ":".join(f"{byte:02x}" for byte in raw)


def rows(frames: list[tuple[int, bytes]], first: int | None, start: int
         ) -> tuple[list[PacketRow], int | None]:
    """Rows numbered from ``start`` + 1; times in seconds since ``first`` (nanoseconds), which
    is the first frame's when None. Returns the rows and ``first``."""
    out = []
    for number, (stamp, frame) in enumerate(frames, start + 1):
        first = stamp if first is None else first
        try:
            columns = summary(frame)
        except Exception:  # a frame dpkt cannot take is shown as such, never fatal
            columns = ("", "", "?", f"{len(frame)} bytes dpkt could not decode")
        out.append(PacketRow(number, (stamp - first) / 1e9, *columns))
    return out, first
