"""Which link has which index, MAC and carrier, and the state of each IPv6 address's
duplicate address detection: the quick reads a check makes before it probes.

A check pins neighbour entries by interface index and next hop's MAC, and waits until no
IPv6 address is tentative; at N = 200 that is hundreds of dumps, so they are read straight
from the raw messages (``RtSocket.dump_raw``), never decoded by pyroute2. Read-only, like
the rest of ``backend/observe``.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

from netwright.backend.kernel import encode as enc
from netwright.backend.kernel.netlink import RtSocket
from netwright.backend.observe.state import _attrs

RTM_GETLINK, RTM_GETADDR = 18, 22
IFLA_ADDRESS, IFLA_IFNAME = 1, 3
IFA_ADDRESS, IFA_FLAGS = 1, 8
IFA_F_DADFAILED, IFA_F_TENTATIVE = 0x08, 0x40
IFF_LOWER_UP = 0x10000
_LINK = struct.Struct("=iI")  # ifinfomsg's index and flags, after the 16-byte header
_ADDR = struct.Struct("=BBBBI")  # ifaddrmsg: family, prefix length, flags, scope, index
_WANTED_LINK = frozenset({IFLA_ADDRESS, IFLA_IFNAME})
_WANTED_ADDR = frozenset({IFA_ADDRESS, IFA_FLAGS})


@dataclass(frozen=True)
class LinkAddress:
    """A link's index, hardware address (bytes, as a neighbour entry takes it) and whether
    it has carrier (IFF_LOWER_UP)."""

    index: int
    mac: bytes
    carrier: bool = False


def link_addresses(sock: RtSocket) -> dict[str, LinkAddress]:
    """Every link of the socket's namespace by kernel name."""
    found: dict[str, LinkAddress] = {}
    for raw in sock.dump_raw(RTM_GETLINK, enc.ifinfomsg()):
        index, flags = _LINK.unpack_from(raw, 20)
        attrs = _attrs(raw, 32, len(raw), _WANTED_LINK)
        name = attrs.get(IFLA_IFNAME, b"").split(b"\0", 1)[0].decode(errors="replace")
        found[name] = LinkAddress(index, attrs.get(IFLA_ADDRESS, b""),
                                  bool(flags & IFF_LOWER_UP))
    return found


def ipv6_flags(sock: RtSocket) -> list[tuple[int, str, int]]:
    """(interface index, address, IFA flags) of every IPv6 address of the namespace."""
    found = []
    for raw in sock.dump_raw(RTM_GETADDR, enc.ifaddrmsg(family=socket.AF_INET6, prefixlen=0,
                                                        index=0)):
        family, _prefix, flags, _scope, index = _ADDR.unpack_from(raw, 16)
        attrs = _attrs(raw, 24, len(raw), _WANTED_ADDR)
        if family != socket.AF_INET6 or IFA_ADDRESS not in attrs:
            continue
        if IFA_FLAGS in attrs:
            (flags,) = struct.unpack_from("=I", attrs[IFA_FLAGS])
        found.append((index, socket.inet_ntop(socket.AF_INET6, attrs[IFA_ADDRESS][:16]),
                      flags))
    return found


def tentative(sock: RtSocket) -> int:
    """How many IPv6 addresses are still in duplicate address detection (unusable) on links
    with carrier; one whose detection failed stays tentative for good, and one on a link
    without carrier until it gets carrier: neither is counted."""
    carrier = {link.index for link in link_addresses(sock).values() if link.carrier}
    return sum(1 for index, _address, flags in ipv6_flags(sock)
               if flags & IFA_F_TENTATIVE and not flags & IFA_F_DADFAILED
               and index in carrier)
