"""Hand-packed rtnetlink messages for the requests the engine sends in bulk.

pyroute2's generic encoder costs about 150–300 µs per message (measured here); packing the
few fixed structures and attributes an apply needs with ``struct`` costs a few µs, which is
most of the difference between a 100-namespace apply in 0.7 s and in 0.2 s. Attribute
numbers are the kernel's (include/uapi/linux/if_link.h, if_addr.h, rtnetlink.h, veth.h);
pyroute2 still decodes everything the engine reads.
"""

from __future__ import annotations

import ipaddress
import struct
from collections.abc import Iterable
from dataclasses import dataclass

_NLMSGHDR = struct.Struct("=IHHII")
_IFINFOMSG = struct.Struct("=BxHiII")
_IFADDRMSG = struct.Struct("=BBBBI")
_RTMSG = struct.Struct("=BBBBBBBBI")

IFLA_ADDRESS = 1
IFLA_IFNAME = 3
IFLA_MTU = 4
IFLA_LINK = 5
IFLA_MASTER = 10
IFLA_LINKINFO = 18
IFLA_IFALIAS = 20
IFLA_GROUP = 27
IFLA_NET_NS_FD = 28
IFLA_INFO_KIND = 1
IFLA_INFO_DATA = 2
VETH_INFO_PEER = 1
IFA_ADDRESS = 1
IFA_LOCAL = 2
IFA_BROADCAST = 4
RTA_DST = 1
RTA_OIF = 4
RTA_GATEWAY = 5
RTA_PRIORITY = 6
RTA_PREFSRC = 7
RTA_TABLE = 15

MACVLAN_MODES = {"private": 1, "vepa": 2, "bridge": 4, "passthru": 8, "source": 16}


def attr(kind: int, payload: bytes) -> bytes:
    size = 4 + len(payload)
    return struct.pack("=HH", size, kind) + payload + b"\0" * (-size % 4)


def u8(kind: int, value: int) -> bytes:
    return attr(kind, struct.pack("=B", value))


def u16(kind: int, value: int) -> bytes:
    return attr(kind, struct.pack("=H", value))


def be16(kind: int, value: int) -> bytes:
    return attr(kind, struct.pack("!H", value))


def u32(kind: int, value: int) -> bytes:
    return attr(kind, struct.pack("=I", value))


def string(kind: int, value: str) -> bytes:
    return attr(kind, value.encode() + b"\0")


def ip(kind: int, value: str) -> bytes:
    return attr(kind, ipaddress.ip_address(value).packed)


def mac(kind: int, value: str) -> bytes:
    return attr(kind, bytes(int(part, 16) for part in value.split(":")))


def nested(kind: int, parts: Iterable[bytes]) -> bytes:
    return attr(kind, b"".join(parts))


def ifinfomsg(*, index: int = 0, flags: int = 0, change: int = 0, family: int = 0) -> bytes:
    return _IFINFOMSG.pack(family, 0, index, flags, change)


def ifaddrmsg(*, family: int, prefixlen: int, index: int, scope: int = 0,
              flags: int = 0) -> bytes:
    return _IFADDRMSG.pack(family, prefixlen, flags, scope, index)


def rtmsg(*, family: int, dst_len: int, table: int, protocol: int, scope: int,
          route_type: int) -> bytes:
    return _RTMSG.pack(family, dst_len, 0, 0, table if table < 256 else 252, protocol, scope,
                       route_type, 0)


IFLA_AF_SPEC = 26
AF_INET6 = 10
IFLA_INET6_ADDR_GEN_MODE = 8
IN6_ADDR_GEN_MODE_NONE = 1


def addr_gen_mode_none() -> bytes:
    """IFLA_AF_SPEC → AF_INET6 → ADDR_GEN_MODE none: no IPv6 link-local on this link."""
    return nested(IFLA_AF_SPEC, [nested(AF_INET6, [u8(IFLA_INET6_ADDR_GEN_MODE,
                                                        IN6_ADDR_GEN_MODE_NONE)])])


_INFO_DATA: dict[str, tuple[int, str]] = {
    "IFLA_BR_STP_STATE": (5, "u32"),
    "IFLA_BR_VLAN_FILTERING": (7, "u8"),
    "IFLA_MACVLAN_MODE": (1, "macvlan"),
    "IFLA_IPVLAN_MODE": (1, "u16"),
    "IFLA_IPVLAN_FLAGS": (2, "u16"),
    "IFLA_VLAN_ID": (1, "u16"),
    "IFLA_VLAN_PROTOCOL": (5, "be16"),
    "IFLA_VXLAN_ID": (1, "u32"),
    "IFLA_VXLAN_GROUP": (2, "ip"),
    "IFLA_VXLAN_LINK": (3, "u32"),
    "IFLA_VXLAN_LOCAL": (4, "ip"),
    "IFLA_VXLAN_PORT": (15, "be16"),
    "IFLA_VXLAN_GROUP6": (16, "ip"),
    "IFLA_VXLAN_LOCAL6": (17, "ip"),
}


def info_data(items: Iterable[tuple[str, object]]) -> bytes:
    """IFLA_INFO_DATA attributes named as pyroute2 names them (the desired state's words)."""
    out = b""
    for name, value in items:
        number, kind = _INFO_DATA[name]
        if kind == "macvlan":
            out += u32(number, MACVLAN_MODES[str(value)])
        elif kind == "ip":
            out += ip(number, str(value))
        elif kind == "u8":
            out += u8(number, int(value))  # type: ignore[call-overload]
        elif kind == "u16":
            out += u16(number, int(value))  # type: ignore[call-overload]
        elif kind == "be16":
            out += be16(number, int(value))  # type: ignore[call-overload]
        else:
            out += u32(number, int(value))  # type: ignore[call-overload]
    return out


@dataclass(frozen=True)
class RawRequest:
    """A request whose body (fixed header + attributes) is already packed."""

    msg_type: int
    flags: int
    body: bytes

    def encode(self, seq: int) -> bytes:
        return _NLMSGHDR.pack(16 + len(self.body), self.msg_type, self.flags, seq, 0) + self.body
