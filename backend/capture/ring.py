"""A TPACKET_V3 receive ring on a packet socket, as libpcap reads one.

With a ring the kernel writes packets into blocks of memory it shares with this process and
wakes the reader once per block (when it is full, or RETIRE_MS after its first packet), not once
per packet as ``recvmsg`` does: under a flood, the system call and the wake-up per packet were
what a Python capture spent the CPU on that the sender then lacked. The reader walks a retired
block's packet headers and hands the block back (TP_STATUS_KERNEL). Struct layouts are the
kernel's ``include/uapi/linux/if_packet.h``. The ring is set up before the socket is bound
(``configure``), so no packet goes to the ordinary queue first; its memory is fixed
(BLOCKS x BLOCK_BYTES) and given back when the mapping and the socket are closed.
"""

from __future__ import annotations

import mmap
import socket
import struct
from collections.abc import Callable

SOL_PACKET = 263
PACKET_RX_RING = 5
PACKET_VERSION = 10
TPACKET_V3 = 2
TP_STATUS_KERNEL = 0
TP_STATUS_USER = 1
#: One block holds a whole packet of the snap length (262,144 bytes) with its header.
BLOCK_BYTES = 1024 * 1024
#: 32 MiB in all, the receive buffer the socket had before the ring.
BLOCKS = 32
#: A block that is not full is handed to the reader this long after its first packet, so a
#: trickle is written promptly too.
RETIRE_MS = 5

#: struct tpacket_req3: block size, block count, frame size, frame count, retire timeout (ms),
#: private area size, feature request word.
_REQ3 = struct.Struct("=7I")
#: struct tpacket_block_desc: version, offset_to_priv, then struct tpacket_hdr_v1, whose
#: block_status, num_pkts and offset_to_first_pkt are read here.
_BLOCK_STATUS_OFFSET = 8
_BLOCK_HEAD = struct.Struct("=III")
_BLOCK_STATUS = struct.Struct("=I")
#: struct tpacket3_hdr: tp_next_offset, tp_sec, tp_nsec, tp_snaplen, tp_len, tp_status, tp_mac.
_PACKET_HEAD = struct.Struct("=IIIIIIH")


def configure(sock: socket.socket) -> None:
    """Make ``sock``'s receive queue a TPACKET_V3 ring (before it is bound)."""
    sock.setsockopt(SOL_PACKET, PACKET_VERSION, TPACKET_V3)
    # One frame per block: TPACKET_V3 packs packets of any size into a block; the frame
    # size only has to divide it.
    sock.setsockopt(SOL_PACKET, PACKET_RX_RING,
                    _REQ3.pack(BLOCK_BYTES, BLOCKS, BLOCK_BYTES, BLOCKS, RETIRE_MS, 0, 0))


class Ring:
    """The mapped ring of a socket ``configure`` set up; read its blocks in the kernel's
    order. ``close`` unmaps it (the mapping holds a duplicate of the socket's descriptor)."""

    def __init__(self, sock: socket.socket) -> None:
        self._map = mmap.mmap(sock.fileno(), BLOCK_BYTES * BLOCKS, mmap.MAP_SHARED,
                              mmap.PROT_READ | mmap.PROT_WRITE)
        self._view = memoryview(self._map)
        self._block = 0

    def ready(self) -> bool:
        """Whether the next block has been retired to us."""
        (status,) = _BLOCK_STATUS.unpack_from(self._map, self._block * BLOCK_BYTES
                                              + _BLOCK_STATUS_OFFSET)
        return bool(status & TP_STATUS_USER)

    def take(self, limit: int | None,
             encode: Callable[[int, memoryview, int], bytes]) -> list[bytes]:
        """The next block's packets (``limit`` at most; None = all), each as
        ``encode(timestamp_ns, captured bytes, original length)``; the block goes back to the
        kernel, with any packet beyond ``limit``. Call only when ``ready``."""
        start = self._block * BLOCK_BYTES
        _status, count, offset = _BLOCK_HEAD.unpack_from(self._map,
                                                         start + _BLOCK_STATUS_OFFSET)
        if limit is not None:
            count = min(count, limit)
        view = self._view
        unpack = _PACKET_HEAD.unpack_from
        encoded = []
        at = start + offset
        for _ in range(count):
            following, seconds, nanoseconds, captured, length, _flags, mac = unpack(view, at)
            data = at + mac
            encoded.append(encode(seconds * 1_000_000_000 + nanoseconds,
                                  view[data:data + captured], length))
            at += following
        _BLOCK_STATUS.pack_into(self._map, start + _BLOCK_STATUS_OFFSET, TP_STATUS_KERNEL)
        self._block = (self._block + 1) % BLOCKS
        return encoded

    def close(self) -> None:
        self._view.release()
        self._map.close()
