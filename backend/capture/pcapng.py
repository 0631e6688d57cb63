"""A pcapng writer: Section Header, one Interface Description, Enhanced Packet Blocks.

pcapng is a file format, not a dissector: writing it takes three block layouts
(https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html). Timestamps are in
nanoseconds (``if_tsresol`` = 9), the resolution of the kernel's capture ring (tp_nsec).
Blocks are written in host byte order, which the Section Header's byte-order magic announces
to readers.
"""

from __future__ import annotations

import struct

LINKTYPE_ETHERNET = 1
_SHB = 0x0A0D0D0A
_IDB = 0x00000001
_EPB = 0x00000006
_BYTE_ORDER_MAGIC = 0x1A2B3C4D
_OPT_END = 0
_OPT_COMMENT = 1
_IF_NAME = 2
_IF_TSRESOL = 9
_SHB_USERAPPL = 4
_EPB_HEAD = struct.Struct("=IIIIIII")  # type, length, interface, ts high, ts low, cap, orig


def _pad(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


def _option(code: int, value: bytes) -> bytes:
    return struct.pack("=HH", code, len(value)) + _pad(value)


def _block(kind: int, body: bytes) -> bytes:
    length = 12 + len(body)
    return struct.pack("=II", kind, length) + body + struct.pack("=I", length)


def section_header(application: str = "netwright") -> bytes:
    """The file's first block: byte order, version 1.0, section length unknown (-1)."""
    options = _option(_SHB_USERAPPL, application.encode()) + _option(_OPT_END, b"")
    return _block(_SHB, struct.pack("=IHHq", _BYTE_ORDER_MAGIC, 1, 0, -1) + options)


def interface_description(name: str, snaplen: int, comment: str = "") -> bytes:
    """Interface 0: Ethernet, its name, nanosecond timestamps."""
    options = _option(_IF_NAME, name.encode()) + _option(_IF_TSRESOL, bytes([9]))
    if comment:
        options += _option(_OPT_COMMENT, comment.encode())
    options += _option(_OPT_END, b"")
    return _block(_IDB, struct.pack("=HHI", LINKTYPE_ETHERNET, 0, snaplen) + options)


def enhanced_packet(timestamp_ns: int, data: bytes | memoryview, original_length: int) -> bytes:
    """One packet of interface 0; ``data`` may be shorter than the packet (snaplen)."""
    captured = len(data)
    padding = -captured % 4
    length = 32 + captured + padding
    head = _EPB_HEAD.pack(_EPB, length, 0, timestamp_ns >> 32, timestamp_ns & 0xFFFFFFFF,
                          captured, original_length)
    return b"".join((head, data, b"\0" * padding, struct.pack("=I", length)))
