"""IPv6 neighbour entries still being resolved, deleted so that their namespace can go at once.

A packet sent to a neighbour whose address is being resolved (ARP or neighbour discovery:
the entry is INCOMPLETE) waits in that entry, and keeps the socket that sent it; the socket
keeps its namespace. Deleting the namespace (unmounting its name) then only drops a
reference: the kernel frees it, and the veth ends outside it with it, once the resolution
has failed, up to 3 s later. A check's probe to a neighbour whose answers a rule drops
leaves such an entry, so a destroy right after a check waited that long for its veths to go.
Deleting the entry frees its packets, and the namespace goes as soon as it is deleted.

IPv6 only: neighbour discovery is ICMPv6, which a firewall's drop policy drops (an inet
input chain never sees ARP), so that is where a check leaves such entries; and an IPv6 dump
costs ~0.04 ms a namespace, where an ARP dump walks the kernel's shared ARP hash (~1 ms once
a big mesh has grown it), a second more for destroying a thousand namespaces.
"""

from __future__ import annotations

import struct

from netwright.backend.kernel import encode
from netwright.backend.kernel.encode import RawRequest
from netwright.backend.kernel.netlink import CHANGE, RtSocket, find_attr

AF_INET6 = 10
RTM_DELNEIGH = 29
RTM_GETNEIGH = 30
NDA_DST = 1
NUD_INCOMPLETE = 0x01
_NDMSG = struct.Struct("=BxxxiHBB")  # family, pad, ifindex, state, flags, type
_HEADER_SIZE = 16


def resolving(sock: RtSocket) -> list[tuple[int, int, bytes]]:
    """(family, interface index, address) of every INCOMPLETE IPv6 neighbour entry in
    ``sock``'s namespace."""
    found = []
    for raw in sock.dump_raw(RTM_GETNEIGH, _NDMSG.pack(AF_INET6, 0, 0, 0, 0)):
        family, index, state, _flags, _kind = _NDMSG.unpack_from(raw, _HEADER_SIZE)
        if state & NUD_INCOMPLETE:
            address = find_attr(raw, _HEADER_SIZE + _NDMSG.size, len(raw), NDA_DST)
            if address is not None:
                found.append((family, index, address))
    return found


def drop_resolving(sock: RtSocket) -> int:
    """Delete the INCOMPLETE IPv6 neighbour entries of ``sock``'s namespace (with the packets
    waiting in them); how many there were. One that failed or resolved meanwhile is gone
    already: the kernel's refusal to delete it again is no error here."""
    entries = resolving(sock)
    if entries:
        sock.request([RawRequest(RTM_DELNEIGH, CHANGE, _NDMSG.pack(family, index, 0, 0, 0)
                                 + encode.attr(NDA_DST, address))
                      for family, index, address in entries])
    return len(entries)
