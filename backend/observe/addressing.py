"""Which link has which index, MAC and carrier, the state of each IPv6 address's duplicate
address detection, and which links the kernel has not finished bringing up: the quick reads
a check makes before it probes.

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
from netwright.backend.kernel.netlink import RtSocket, find_attr
from netwright.backend.observe.state import _attrs

RTM_GETLINK, RTM_GETADDR = 18, 22
IFLA_ADDRESS, IFLA_IFNAME, IFLA_OPERSTATE = 1, 3, 16
IFA_ADDRESS, IFA_FLAGS = 1, 8
IFA_F_DADFAILED, IFA_F_TENTATIVE = 0x08, 0x40
IFF_UP, IFF_LOWER_UP = 0x1, 0x10000
# IF_OPER_NOTPRESENT, _DOWN, _LOWERLAYERDOWN: with carrier on, the link watch has not run yet
IF_OPER_NOT_YET = frozenset({1, 2, 3})
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


def carrier_unhandled(sock: RtSocket) -> list[int]:
    """Indexes of the links that are up with carrier whose carrier change the kernel has
    not handled yet. The kernel sets carrier at once (a veth's, when its peer comes up) but
    hands the change to a deferred worker (link watch), which the RTNL lock can hold up for
    seconds while namespaces are being deleted; until it runs, the transmit queue of a link
    brought up without carrier drops every frame (noop), ARP requests included.

    The operational state cannot tell (it is the one of before: unknown as created, or up
    from before a link went down and up again), so each link up with carrier is asked for
    by itself (``RtSocket.link``), which makes the kernel run its pending event there and
    then. One still "down" after that is returned: a kernel that does not run it there
    leaves the caller to wait for the worker.
    """
    found = []
    for raw in sock.dump_raw(RTM_GETLINK, enc.ifinfomsg()):
        if _operstate(raw) is not None:
            (index,) = struct.unpack_from("=i", raw, 20)
            answer = sock.link(index)
            if answer is not None and _operstate(answer) in IF_OPER_NOT_YET:
                found.append(index)
    return found


def _operstate(raw: bytes) -> int | None:
    """IFLA_OPERSTATE of a link up with carrier, else None."""
    _index, flags = _LINK.unpack_from(raw, 20)
    if flags & (IFF_UP | IFF_LOWER_UP) != IFF_UP | IFF_LOWER_UP:
        return None
    # read where it is (early in the message), not with every attribute: a check asks this
    # of every link twice
    state = find_attr(raw, 32, len(raw), IFLA_OPERSTATE)
    return state[0] if state else None
