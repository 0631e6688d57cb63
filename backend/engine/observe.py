"""Read what the kernel holds in the namespaces a topology touches.

Everything is read back from the kernel (links, their kind data, addresses, routes, the
loopback marker of each namespace); nothing is taken from the state file on trust.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from socket import AF_INET, AF_INET6
from typing import Any

from pyroute2.netlink.rtnl import RTM_GETADDR, RTM_GETLINK, RTM_GETROUTE
from pyroute2.netlink.rtnl.ifaddrmsg import ifaddrmsg
from pyroute2.netlink.rtnl.ifinfmsg import IFF_UP, ifinfmsg
from pyroute2.netlink.rtnl.rtmsg import rtmsg

from netwright.backend.engine.desired import Where, parse_marker
from netwright.backend.engine.kernel import Kernel
from netwright.backend.engine.netlink import nested

RT_TABLE_MAIN = 254
RTPROT_BOOT = 3
RTPROT_STATIC = 4
RTN_UNICAST = 1


@dataclass
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

    @property
    def owner(self) -> tuple[str, str] | None:
        return parse_marker(self.alias)


@dataclass(frozen=True)
class RouteState:
    to: str
    via: str | None
    dev: str | None
    metric: int | None


@dataclass
class NsState:
    where: Where
    exists: bool
    links: dict[str, LinkState] = field(default_factory=dict)
    routes: list[RouteState] = field(default_factory=list)

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


def observe_ns(kernel: Kernel, where: Where) -> NsState:
    """Links (with addresses) and static routes of one namespace; ``exists`` False if absent."""
    if not kernel.exists(where):
        return NsState(where, exists=False)
    sock = kernel.socket(where)
    state = NsState(where, exists=True)
    by_index: dict[int, LinkState] = {}
    for msg in sock.dump(ifinfmsg, RTM_GETLINK):
        link = _link_state(msg)
        state.links[link.name] = link
        by_index[link.index] = link
    for msg in sock.dump(ifaddrmsg, RTM_GETADDR):
        link = by_index.get(int(msg["index"]))
        address = msg.get_attr("IFA_ADDRESS") if msg["family"] == 10 else (
            msg.get_attr("IFA_LOCAL") or msg.get_attr("IFA_ADDRESS"))
        if link is None or address is None:
            continue
        iface = ipaddress.ip_interface(f"{address}/{msg['prefixlen']}")
        if iface.version == 6 and iface.ip.is_link_local:
            continue
        link.addresses.add(str(iface))
    route_msgs = [m for family in (AF_INET, AF_INET6)
                  for m in sock.dump(rtmsg, RTM_GETROUTE, {"family": family})]
    for msg in route_msgs:
        table = msg.get_attr("RTA_TABLE") or msg["table"]
        if table != RT_TABLE_MAIN or msg["proto"] not in (RTPROT_BOOT, RTPROT_STATIC):
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
        ))
    return state


def observe_marker(kernel: Kernel, where: str) -> NsState:
    """Only whether the namespace exists and its loopback's marker: enough for a namespace
    that is to be deleted as a whole (its contents go with it)."""
    if not kernel.exists(where):
        return NsState(where, exists=False)
    alias = kernel.lo_alias(where)
    lo = LinkState(name="lo", index=1, kind="", alias=alias, mtu=0, mac=None, up=True,
                   master=None, link=None, link_netnsid=None)
    return NsState(where, exists=True, links={"lo": lo})


def observe(kernel: Kernel, wheres: Iterable[Where],
            marker_only: Iterable[Where] = ()) -> dict[Where, NsState]:
    """Observe every namespace in ``wheres`` (duplicates ignored); for those also in
    ``marker_only``, only existence and owner marker."""
    light = set(marker_only)
    kernel.prefetch(list(dict.fromkeys(wheres)))
    return {where: observe_marker(kernel, where) if where in light and where is not None
            else observe_ns(kernel, where) for where in dict.fromkeys(wheres)}
