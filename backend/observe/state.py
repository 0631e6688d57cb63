"""Read what the kernel holds in the namespaces a topology touches.

Everything is read back from the kernel (links, their kind data, addresses, routes, the
loopback marker of each namespace); nothing is taken from the state file on trust.
"""

from __future__ import annotations

import ipaddress
import struct
from collections.abc import Iterable
from socket import AF_INET, AF_INET6
from typing import Any

from pyroute2.netlink.rtnl import RTM_GETADDR, RTM_GETLINK, RTM_GETROUTE
from pyroute2.netlink.rtnl.ifinfmsg import IFF_UP

from netwright.backend.kernel import encode as enc
from netwright.backend.kernel.netlink import link_summary, nested
from netwright.backend.kernel.netns import Where
from netwright.backend.kernel.session import Kernel
from netwright.backend.observe.markers import MARKER_PREFIX, parse_marker
from netwright.backend.record import field, record

RT_TABLE_MAIN = 254
RTPROT_BOOT = 3
RTPROT_STATIC = 4
RTN_UNICAST = 1
IFA_F_NODAD, IFA_F_PERMANENT = 0x02, 0x80


@record
class LinkState:
    name: str
    index: int
    kind: str
    alias: str | None
    mtu: int
    mac: str | None
    up: bool
    master: int | None
    link: int | None  # IFLA_LINK: parent / veth peer index
    link_netnsid: int | None
    group: int = 0
    info: dict[str, Any] = field(default_factory=dict)
    addresses: set[str] = field(default_factory=set)
    leased: set[str] = field(default_factory=set)  # addresses with a lifetime (a DHCP lease)
    nodad: set[str] = field(default_factory=set)  # addresses added without DAD (IFA_F_NODAD)

    @property
    def owner(self) -> tuple[str, str] | None:
        return parse_marker(self.alias)


@record(frozen=True)
class RouteState:
    to: str
    via: str | None
    dev: str | None
    metric: int | None
    src: str | None = None


@record
class NsState:
    where: Where
    exists: bool
    links: dict[str, LinkState] = field(default_factory=dict)
    routes: list[RouteState] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)  # only filled by observe_marker
    ident: int | None = None  # the namespace's inode as observed (Kernel.netns_ino)

    @property
    def marker(self) -> str | None:
        lo = self.links.get("lo")
        return lo.alias if lo else None

    def by_index(self, index: int | None) -> LinkState | None:
        if index is None:
            return None
        for link in self.links.values():
            if link.index == index:
                return link
        return None


_SIMPLE_KINDS = {"veth", "dummy", ""}  # no kind data the planner compares


_TLV = struct.Struct("=HH")
_U32 = struct.Struct("=I")
# the top-level attributes a LinkState is made of: ADDRESS, IFNAME, MTU, LINK, MASTER,
# LINKINFO, IFALIAS, GROUP, LINK_NETNSID (a link message has about 40)
_LINK_ATTRS = frozenset({1, 3, 4, 5, 10, 18, 20, 27, 37})


def _attrs(raw: bytes, start: int, end: int,
           wanted: frozenset[int] | None = None) -> dict[int, bytes]:
    """The attributes between ``start`` and ``end`` by type (the first of each; only those
    in ``wanted`` when given, read until all of them are found)."""
    out: dict[int, bytes] = {}
    offset = start
    unpack = _TLV.unpack_from
    while offset + 4 <= end:
        size, kind = unpack(raw, offset)
        if size < 4:
            break
        kind &= 0x3FFF
        if (wanted is None or kind in wanted) and kind not in out:
            out[kind] = raw[offset + 4:offset + size]
            if wanted is not None and len(out) == len(wanted):
                break
        offset += (size + 3) & ~3
    return out


def _text(value: bytes | None) -> str | None:
    return value.split(b"\0", 1)[0].decode() if value else None


def _u32(value: bytes | None) -> int | None:
    return _U32.unpack_from(value)[0] if value and len(value) >= 4 else None


def _summary(attrs: dict[int, bytes]) -> tuple[str, str | None, int]:
    """(name, alias, group) of a link, from its attributes (``_attrs``)."""
    return _text(attrs.get(3)) or "", _text(attrs.get(20)), _u32(attrs.get(27)) or 0


def _raw_link_state(raw: bytes, attrs: dict[int, bytes] | None = None) -> LinkState | None:
    """A link read straight from its netlink message when its kind carries no data we
    compare (veth and the like): ~20× cheaper than a pyroute2 decode. None otherwise.
    ``attrs``: its top-level attributes, read already (at least ``_LINK_ATTRS``)."""
    if attrs is None:
        attrs = _attrs(raw, 32, len(raw), _LINK_ATTRS)
    info = _attrs(attrs[18], 0, len(attrs[18])) if 18 in attrs else {}
    kind = _text(info.get(1)) or ""
    if kind not in _SIMPLE_KINDS:
        return None
    (index,) = struct.unpack_from("=i", raw, 20)
    (flags,) = struct.unpack_from("=I", raw, 24)
    mac = attrs.get(1)
    netnsid = attrs.get(37)
    return LinkState(
        name=_text(attrs.get(3)) or "", index=index, kind=kind, alias=_text(attrs.get(20)),
        mtu=_u32(attrs.get(4)) or 0,
        mac=":".join(f"{b:02x}" for b in mac) if mac and len(mac) == 6 else None,
        up=bool(flags & IFF_UP), master=_u32(attrs.get(10)), link=_u32(attrs.get(5)),
        link_netnsid=struct.unpack("=i", netnsid[:4])[0] if netnsid else None,
        group=_u32(attrs.get(27)) or 0,
    )


def _link_state(msg: Any) -> LinkState:
    info = nested(msg, "IFLA_LINKINFO", "IFLA_INFO_DATA")
    data: dict[str, Any] = {}
    if info is not None and hasattr(info, "get"):
        for name, value in info.get("attrs", []):
            data[name] = value
    return LinkState(
        name=msg.get_attr("IFLA_IFNAME"),
        index=int(msg["index"]),
        kind=nested(msg, "IFLA_LINKINFO", "IFLA_INFO_KIND") or "",
        alias=msg.get_attr("IFLA_IFALIAS") or None,
        mtu=int(msg.get_attr("IFLA_MTU") or 0),
        mac=msg.get_attr("IFLA_ADDRESS"),
        up=bool(msg["flags"] & IFF_UP),
        master=msg.get_attr("IFLA_MASTER"),
        link=msg.get_attr("IFLA_LINK"),
        link_netnsid=msg.get_attr("IFLA_LINK_NETNSID"),
        group=int(msg.get_attr("IFLA_GROUP") or 0),
        info=data,
    )


def owns(topology: str, group: int, where: Where, link: tuple[str, str | None, int],
         half_made: frozenset[tuple[Where, str]] = frozenset()) -> bool:
    """Whether a link (name, alias, link group) in ``where`` is topology ``topology``'s.

    Only its marker proves it. The one exception is a link an interrupted operation of this
    topology was creating: the kernel sets the group in the create message but the alias only
    in a second one, so a crash in between leaves a link with our group and no alias. It is
    ours only when the journal recorded that create (``half_made``: (where, name) pairs); any
    other link in our group without our marker was made by someone else, and is never touched.
    """
    name, alias, link_group = link
    if alias is not None:
        return alias.startswith(f"{MARKER_PREFIX}{topology}:")
    return link_group == group and (where, name) in half_made


@record(frozen=True)
class Interest:
    """Which links of a namespace to decode: those carrying the topology's marker or link
    group (ours, or foreign ones to report), and those the topology names (its own names,
    parents, bridges). Decoding every link of a busy host with pyroute2 costs about a
    millisecond each. ``half_made``: see ``owns``."""

    topology: str
    group: int
    names: dict[Where, set[str]]
    half_made: frozenset[tuple[Where, str]] = frozenset()

    def wants(self, where: Where, name: str, alias: str | None, group: int) -> bool:
        return (name == "lo" or name in self.names.get(where, ()) or group == self.group
                or self.owns(where, name, alias, group))

    def owns(self, where: Where, name: str, alias: str | None, group: int) -> bool:
        """Marked as this topology's, or half-created by it (see ``owns``)."""
        return owns(self.topology, self.group, where, (name, alias, group), self.half_made)


def observe_ns(kernel: Kernel, where: Where, interest: Interest | None = None, *,
               links_only: bool = False, present: bool | None = None,
               learned: bool = False) -> NsState:
    """Links (with addresses) and static routes of one namespace; ``exists`` False if absent.
    ``links_only``: neither addresses nor routes (a plan towards nothing, which only deletes
    links and namespaces, reads neither). ``present``: whether it existed a moment ago
    (``Kernel.prefetch``), so it is not looked up again; None: look. ``learned``: routes a
    DHCP client, a router advertisement or a daemon installed count too (the live host's
    default route), not only static ones; the kernel's own (connected subnets) never do."""
    wanted = _LEARNED if learned else (RTPROT_BOOT, RTPROT_STATIC)
    if not (kernel.exists(where) if present is None else present):
        return NsState(where, exists=False)
    sock = kernel.socket(where)
    state = NsState(where, exists=True)
    by_index: dict[int, LinkState] = {}
    for raw in sock.dump_raw(RTM_GETLINK, enc.ifinfomsg()):
        attrs = _attrs(raw, 32, len(raw), _LINK_ATTRS)  # one pass for both uses
        if interest is not None and not interest.wants(where, *_summary(attrs)):
            continue
        link = _raw_link_state(raw, attrs) or _link_state(sock.decode(raw))
        state.links[link.name] = link
        by_index[link.index] = link
    if links_only:
        return state
    for raw in sock.dump_raw(RTM_GETADDR, enc.ifaddrmsg(family=0, prefixlen=0, index=0)):
        owner = by_index.get(struct.unpack_from("=I", raw, 20)[0])
        if owner is None:
            continue
        msg = sock.decode(raw)
        address = msg.get_attr("IFA_ADDRESS") if msg["family"] == 10 else (
            msg.get_attr("IFA_LOCAL") or msg.get_attr("IFA_ADDRESS"))
        if address is None:
            continue
        iface = ipaddress.ip_interface(f"{address}/{msg['prefixlen']}")
        if iface.version == 6 and iface.ip.is_link_local:
            continue
        flags = msg.get_attr("IFA_FLAGS") or msg["flags"]
        if not flags & IFA_F_PERMANENT:
            # a lease (DHCP, SLAAC) with a lifetime: its client owns it, not the plan; it
            # tells the plan whether a route via the lease's gateway can be added now
            owner.leased.add(str(iface))
            continue
        owner.addresses.add(str(iface))
        if flags & IFA_F_NODAD:
            owner.nodad.add(str(iface))
    route_msgs = []
    for family in (AF_INET, AF_INET6):
        fixed = enc.rtmsg(family=family, dst_len=0, table=0, protocol=0, scope=0, route_type=0)
        for raw in sock.dump_raw(RTM_GETROUTE, fixed):
            table, protocol, _scope, kind = struct.unpack_from("=BBBB", raw, 20)
            if protocol in wanted and kind == RTN_UNICAST:
                route_msgs.append(sock.decode(raw))
    for msg in route_msgs:
        table = msg.get_attr("RTA_TABLE") or msg["table"]
        if table != RT_TABLE_MAIN or msg["proto"] not in wanted:
            continue
        if msg["type"] != RTN_UNICAST:
            continue
        dst = msg.get_attr("RTA_DST")
        to = "default" if dst is None or msg["dst_len"] == 0 else f"{dst}/{msg['dst_len']}"
        oif = by_index.get(msg.get_attr("RTA_OIF") or -1)
        priority = msg.get_attr("RTA_PRIORITY")
        state.routes.append(RouteState(
            to=to, via=msg.get_attr("RTA_GATEWAY"), dev=oif.name if oif else None,
            metric=int(priority) if priority is not None else None,
            src=msg.get_attr("RTA_PREFSRC"),
        ))
    return state


# every route protocol but the kernel's own (2) and redirects (1): boot, static, ra, dhcp …
_LEARNED = frozenset(range(3, 256))


# made by the kernel in every new namespace when their modules are loaded
FALLBACK_DEVICES = frozenset({"sit0", "tunl0", "ip6tnl0", "gre0", "gretap0", "erspan0",
                              "ip_vti0", "ip6_vti0", "ip6gre0", "ip6erspan0"})


def observe_marker(kernel: Kernel, where: str, interest: Interest | None = None, *,
                   present: bool | None = None) -> NsState:
    """Whether the namespace exists, its loopback's marker, and the names of links in it that
    the topology did not create (``foreign``): enough for a namespace that is to be deleted
    as a whole, which must not take someone else's interface with it. ``present``: as for
    ``observe_ns``."""
    if not (kernel.exists(where) if present is None else present):
        return NsState(where, exists=False)
    try:
        raws = kernel.socket(where).dump_raw(RTM_GETLINK, enc.ifinfomsg())
    except OSError:
        raws = []
    alias: str | None = None
    foreign: list[str] = []
    for raw in raws:
        index, name, link_alias, group = link_summary(raw)
        if index == 1 or name == "lo":
            alias = link_alias
        elif name not in FALLBACK_DEVICES and (interest is None or not interest.owns(
                where, name, link_alias, group)):
            foreign.append(name)
    lo = LinkState(name="lo", index=1, kind="", alias=alias, mtu=0, mac=None, up=True,
                   master=None, link=None, link_netnsid=None)
    return NsState(where, exists=True, links={"lo": lo}, foreign=sorted(foreign),
                   ident=kernel.netns_ino(where))


PARALLEL_FROM = 32  # namespaces to observe from which their sockets are opened by two threads
THREADS = 2


def observe(kernel: Kernel, wheres: Iterable[Where], marker_only: Iterable[Where] = (),
            interest: Interest | None = None, *, links_only: bool = False
            ) -> dict[Where, NsState]:
    """Observe every namespace in ``wheres`` (duplicates ignored); for those also in
    ``marker_only``, only existence and owner marker (see ``observe_ns`` for
    ``links_only``).

    Every namespace is read through a socket opened inside it (``Kernel.prefetch``: one
    thread ``setns``es from one namespace to the next). That is the cheapest way the
    kernel offers: a destroy's 500 namespaces open in ~6 ms and dump their links in ~9;
    dumping them from one socket in ours by the id ours gives each (IFLA_TARGET_NETNSID)
    costs the kernel ~85 µs a namespace, 45 ms in all. The sockets keep the namespaces
    alive, so the inode a marker is read with (``Kernel.netns_ino``) stays exact."""
    light = set(marker_only)
    order = list(dict.fromkeys(wheres))
    named: list[Where] = [where for where in order if where is not None]
    found = kernel.prefetch(named, THREADS if len(named) >= PARALLEL_FROM and any(
        where not in light for where in named) else 1)

    def one(where: Where) -> NsState:
        present = found.get(where) if where is not None else True
        if where in light and where is not None:
            return observe_marker(kernel, where, interest, present=present)
        return observe_ns(kernel, where, interest, links_only=links_only, present=present)

    return {where: one(where) for where in order}
