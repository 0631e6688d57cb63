"""Executable steps: each knows the netlink requests (or the direct action) it takes.

Ops carry only data, so a plan can be journalled as text and re-derived; the executor
(``execute``) runs them phase by phase, batching every request of a phase per namespace
socket and reading the acks afterwards.
"""

from __future__ import annotations

import errno
import ipaddress
import json
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from socket import AF_INET, AF_INET6

from pyroute2.netlink.rtnl import (
    RTM_DELADDR,
    RTM_DELLINK,
    RTM_DELROUTE,
    RTM_NEWADDR,
    RTM_NEWLINK,
    RTM_NEWROUTE,
)
from pyroute2.netlink.rtnl.ifinfmsg import IFF_UP

from netwright.backend.engine import pyroute2_fixes  # noqa: F401 (ipvlan flags)
from netwright.backend.engine.desired import LinkSpec, RouteSpec
from netwright.backend.engine.qdisc import ROOT_HANDLE, QdiscSpec, delete_request
from netwright.backend.kernel import encode as enc
from netwright.backend.kernel import netns
from netwright.backend.kernel.encode import RawRequest
from netwright.backend.kernel.netlink import CHANGE, CREATE, Encodable, Outcome
from netwright.backend.kernel.netns import Where
from netwright.backend.kernel.resolving import drop_resolving
from netwright.backend.kernel.session import Kernel
from netwright.backend.observe.state import RT_TABLE_MAIN, RTN_UNICAST, RTPROT_STATIC
from netwright.backend.record import record

# Phases, in execution order: removals first (routes, addresses, links, namespaces), then
# namespaces and their own sysctls, links by dependency level, attributes, the sysctls of one
# interface, addresses, up/down, routes, the host's sysctls. A namespace's sysctls come before
# its links and an interface's before its addresses, as in ``export --format sh``: the kernel
# reads net.ipv6.conf.*.accept_dad when an address is added or its link comes up, and
# conf.default.* when a link is created, so a later write would not count for them.
PHASE_ROUTE_DEL = 0
PHASE_NFT_DEL = 0  # our nftables tables the design no longer has
PHASE_ADDR_DEL = 1
PHASE_LINK_DEL = 2  # + level offset, children before parents
PHASE_NETNS_DEL = 9
PHASE_NETNS_NEW = 10
PHASE_NETNS_SYSCTL = 11  # a namespace's keys (net.ipv4.ip_forward, conf.default.*)
PHASE_LINK_NEW = 12  # + dependency level (at most 15)
PHASE_LINK_SET = 30
PHASE_LINK_SYSCTL = 31  # one interface's keys (net.ipv6.conf.eth0.accept_dad)
PHASE_ADDR_NEW = 32
PHASE_LINK_STATE = 33
PHASE_ROUTE_NEW = 34
PHASE_SYSCTL = 35  # the host's (forwarding), once its namespaces are built
PHASE_NFT = 36  # each table replaced in one nftables transaction

def outcome_of(error: OSError | None) -> Outcome:
    if error is None:
        return Outcome()
    if isinstance(error, FileExistsError):
        return Outcome(errno.EEXIST)
    return Outcome(error.errno or errno.EIO, str(error))


GONE = frozenset({errno.ENODEV, errno.ENOENT, errno.ESRCH, errno.EADDRNOTAVAIL})


def link_group(topology: str) -> int:
    """The link group every interface of ``topology`` is created in.

    The kernel cannot set an alias in the create message, but it does set the group: so an
    interface caught between "created" and "marked" by a crash still says whose it is.
    """
    return 0x6E770000 | (zlib.crc32(topology.encode()) & 0xFFFF)


@record(frozen=True)
class Op:
    phase: int
    where: Where

    def requests(self, kernel: Kernel) -> list[Encodable]:
        return []

    def followups(self, kernel: Kernel) -> list[tuple[Where, Encodable]]:
        """Requests that may only run once ``requests`` succeeded (e.g. marking a new link)."""
        return []

    def run(self, kernel: Kernel) -> Outcome | None:
        """Direct (non-netlink) ops do their work here; netlink ops return None."""
        return None

    tolerated: frozenset[int] = frozenset()


@record(frozen=True)
class NetnsCreate(Op):
    alias: str = ""
    ipv6: bool = True

    def sysctls(self) -> dict[str, str]:
        # without IPv6 in the topology, no link-local addresses: nothing floods the segments
        return {} if self.ipv6 else {"net.ipv6.conf.default.addr_gen_mode": "1"}

    def run(self, kernel: Kernel) -> Outcome | None:
        assert self.where is not None
        try:
            kernel.create_netns(self.where, self.alias, self.sysctls())
        except OSError as exc:
            return outcome_of(exc)
        return Outcome()


@record(frozen=True)
class NetnsDelete(Op):
    """Delete a namespace the plan saw marked as ours. ``ident``: its inode as observed,
    through a socket of the same session that keeps it alive; the name still holding that
    inode is the same namespace, so its marker need not be read again (one stat instead
    of a netlink round trip per namespace). Without it, the marker is read again."""

    alias: str = ""
    ident: int = 0
    children: tuple[str, ...] = ()  # links in it on a parent outside it (see below)
    ipv6: bool = True  # False: the topology as applied had no IPv6, not even link-local


    def run(self, kernel: Kernel) -> Outcome | None:
        assert self.where is not None
        if self.ident and kernel.netns_ino(self.where) == self.ident:
            same = netns.netns_id(self.where) == self.ident
        else:
            same = kernel.lo_alias(self.where) == self.alias
        if not same:
            return Outcome()  # gone already, or not ours any more: never delete it
        try:
            if self.ipv6:  # their packets would hold it ~3 s (a socket in it: ~0.2 ms)
                drop_resolving(kernel.socket(self.where))
            self._delete_children(kernel)
            kernel.delete_netns(self.where)
        except OSError as exc:
            return Outcome(exc.errno or errno.EIO, str(exc))
        return Outcome()

    def _delete_children(self, kernel: Kernel) -> None:
        """Delete the macvlan/ipvlan/vlan children of a parent outside the namespace first.

        Unmounting a namespace only drops a reference: the kernel frees it, and unregisters
        its interfaces, once nothing else holds it, and a probe's socket whose packets wait
        for an ARP answer holds it for the ~3 s the resolution takes. Until then such a
        child still sits on its parent's segment with the destroyed address and answers for
        it (a re-applied seed's sibling then got the old one's ARP reply, and its echo went
        unanswered). A link deleted explicitly leaves the segment before this returns.
        Veths need nothing here: the end outside is deleted by its own step or waited for.
        """
        if not self.children:
            return
        requests: list[Encodable] = [
            RawRequest(RTM_DELLINK, CHANGE, enc.ifinfomsg() + enc.string(enc.IFLA_IFNAME, name))
            for name in self.children]
        for result in kernel.socket(self.where).request(requests):
            if not result.ok and result.error not in GONE:
                raise OSError(result.error, f"delete the interfaces of namespace {self.where}:"
                              f" {os.strerror(result.error)}")


@record(frozen=True)
class LinkCreate(Op):
    spec: LinkSpec | None = None
    peer: LinkSpec | None = None  # veth: the other end, created in the same message
    group: int = 0

    def requests(self, kernel: Kernel) -> list[Encodable]:
        spec = self.spec
        assert spec is not None
        attrs = [enc.string(enc.IFLA_IFNAME, spec.name), enc.u32(enc.IFLA_GROUP, self.group)]
        if spec.mtu:
            attrs.append(enc.u32(enc.IFLA_MTU, spec.mtu))
        if spec.mac:
            attrs.append(enc.mac(enc.IFLA_ADDRESS, spec.mac))
        data = enc.info_data(spec.info)
        if spec.kind == "veth" and self.peer is not None:
            peer = [enc.string(enc.IFLA_IFNAME, self.peer.name),
                    enc.u32(enc.IFLA_GROUP, self.group)]
            if self.peer.mtu:
                peer.append(enc.u32(enc.IFLA_MTU, self.peer.mtu))
            if self.peer.mac:
                peer.append(enc.mac(enc.IFLA_ADDRESS, self.peer.mac))
            if self.peer.where != spec.where:
                peer.append(enc.u32(enc.IFLA_NET_NS_FD, kernel.netns_fd(self.peer.where)))
            data = enc.attr(enc.VETH_INFO_PEER, enc.ifinfomsg() + b"".join(peer))
        if spec.parent is not None:
            index = kernel.index(spec.parent_where, spec.parent)
            if index is None:
                raise MissingDevice(spec.parent, spec.parent_where)
            if spec.kind == "vxlan":
                data += enc.info_data([("IFLA_VXLAN_LINK", index)])
            else:
                attrs.append(enc.u32(enc.IFLA_LINK, index))
        info = [enc.string(enc.IFLA_INFO_KIND, spec.kind)]
        if data:
            info.append(enc.attr(enc.IFLA_INFO_DATA, data))
        attrs.append(enc.nested(enc.IFLA_LINKINFO, info))
        if spec.where != self.origin:
            attrs.append(enc.u32(enc.IFLA_NET_NS_FD, kernel.netns_fd(spec.where)))
        return [RawRequest(RTM_NEWLINK, CREATE, enc.ifinfomsg() + b"".join(attrs))]

    @property
    def origin(self) -> Where:
        """The namespace the create message is sent in: the parent's, if it has one."""
        assert self.spec is not None
        return self.spec.parent_where if self.spec.parent is not None else self.spec.where

    def followups(self, kernel: Kernel) -> list[tuple[Where, Encodable]]:
        out: list[tuple[Where, Encodable]] = []
        for spec in (self.spec, self.peer):
            if spec is not None:
                body = enc.ifinfomsg() + enc.string(enc.IFLA_IFNAME, spec.name) + enc.string(
                    enc.IFLA_IFALIAS, spec.alias)
                if not spec.link_local:  # before it first comes up, or it gets one anyway
                    body += enc.addr_gen_mode_none()
                out.append((spec.where, RawRequest(RTM_NEWLINK, CHANGE, body)))
        return out


@dataclass(frozen=True)
class MissingDevice(Exception):  # noqa: N818 (internal signal, translated by the executor)
    name: str
    where: Where


@record(frozen=True)
class LinkDelete(Op):
    index: int = 0
    name: str = ""
    group: int = 0  # set when every owned link of its namespace goes (see group_delete)
    owner: str = ""  # the marker prefix every member of that group must carry
    tolerated: frozenset[int] = GONE

    def requests(self, kernel: Kernel) -> list[Encodable]:
        return [RawRequest(RTM_DELLINK, CHANGE, enc.ifinfomsg(index=self.index))]


def group_delete(group: int) -> Encodable:
    """Delete every link of ``group`` in one request: the kernel unregisters them together,
    one grace period for all instead of one each (~17 ms per link otherwise)."""
    return RawRequest(RTM_DELLINK, CHANGE, enc.ifinfomsg() + enc.u32(enc.IFLA_GROUP, group))


@record(frozen=True)
class LinkSet(Op):
    """Change attributes of an existing link, found by name. ``master`` "" = no master."""

    name: str = ""
    mtu: int | None = None
    mac: str | None = None
    master: str | None = None
    up: bool | None = None

    def requests(self, kernel: Kernel) -> list[Encodable]:
        attrs = [enc.string(enc.IFLA_IFNAME, self.name)]
        if self.mtu is not None:
            attrs.append(enc.u32(enc.IFLA_MTU, self.mtu))
        if self.mac is not None:
            attrs.append(enc.mac(enc.IFLA_ADDRESS, self.mac))
        if self.master is not None:
            index = kernel.index(self.where, self.master) if self.master else 0
            if index is None:
                raise MissingDevice(self.master, self.where)
            attrs.append(enc.u32(enc.IFLA_MASTER, index))
        header = enc.ifinfomsg()
        if self.up is not None:
            header = enc.ifinfomsg(flags=IFF_UP if self.up else 0, change=IFF_UP)
        return [RawRequest(RTM_NEWLINK, CHANGE, header + b"".join(attrs))]


IFA_F_NODAD = 0x02  # the address skips IPv6 duplicate address detection


def _addr_request(kernel: Kernel, where: Where, name: str, cidr: str, *, kind: int,
                  flags: int, nodad: bool = False) -> Encodable:
    iface = ipaddress.ip_interface(cidr)
    index = kernel.index(where, name)
    if index is None:
        raise MissingDevice(name, where)
    attrs = [enc.ip(enc.IFA_ADDRESS, str(iface.ip))]
    if iface.version == 4:
        attrs.append(enc.ip(enc.IFA_LOCAL, str(iface.ip)))
        if kind == RTM_NEWADDR and iface.network.prefixlen < 31:
            attrs.append(enc.ip(enc.IFA_BROADCAST, str(iface.network.broadcast_address)))
    header = enc.ifaddrmsg(family=AF_INET if iface.version == 4 else AF_INET6,
                           prefixlen=iface.network.prefixlen, index=index,
                           flags=IFA_F_NODAD if nodad else 0)
    return RawRequest(kind, flags, header + b"".join(attrs))


@record(frozen=True)
class AddrAdd(Op):
    name: str = ""
    cidr: str = ""
    nodad: bool = False  # IFA_F_NODAD: usable at once, never tentative (``fd00::1/64 nodad``)

    def requests(self, kernel: Kernel) -> list[Encodable]:
        return [_addr_request(kernel, self.where, self.name, self.cidr, kind=RTM_NEWADDR,
                              flags=CREATE, nodad=self.nodad)]


@record(frozen=True)
class AddrDel(Op):
    name: str = ""
    cidr: str = ""
    tolerated: frozenset[int] = GONE

    def requests(self, kernel: Kernel) -> list[Encodable]:
        return [_addr_request(kernel, self.where, self.name, self.cidr, kind=RTM_DELADDR,
                              flags=CHANGE)]


def _route_request(kernel: Kernel, where: Where, route: RouteSpec, *, kind: int,
                   flags: int) -> Encodable:
    probe = route.via or (route.to if route.to != "default" else None)
    v6 = probe is not None and ":" in probe
    dst_len = 0
    attrs = [enc.u32(enc.RTA_TABLE, RT_TABLE_MAIN)]
    if route.to != "default":
        net = ipaddress.ip_network(route.to)
        dst_len = net.prefixlen
        attrs.append(enc.ip(enc.RTA_DST, str(net.network_address)))
    if route.via:
        attrs.append(enc.ip(enc.RTA_GATEWAY, route.via))
    if route.dev:
        index = kernel.index(where, route.dev)
        if index is None:
            raise MissingDevice(route.dev, where)
        attrs.append(enc.u32(enc.RTA_OIF, index))
    if route.metric is not None:
        attrs.append(enc.u32(enc.RTA_PRIORITY, route.metric))
    if route.src:
        attrs.append(enc.ip(enc.RTA_PREFSRC, route.src))
    header = enc.rtmsg(family=AF_INET6 if v6 else AF_INET, dst_len=dst_len,
                       table=RT_TABLE_MAIN, protocol=RTPROT_STATIC,
                       scope=0 if route.via else 253, route_type=RTN_UNICAST)
    return RawRequest(kind, flags, header + b"".join(attrs))


@record(frozen=True)
class RouteAdd(Op):
    route: RouteSpec | None = None

    def requests(self, kernel: Kernel) -> list[Encodable]:
        assert self.route is not None
        return [_route_request(kernel, self.where, self.route, kind=RTM_NEWROUTE, flags=CREATE)]


@record(frozen=True)
class RouteDel(Op):
    route: RouteSpec | None = None
    tolerated: frozenset[int] = GONE

    def requests(self, kernel: Kernel) -> list[Encodable]:
        assert self.route is not None
        return [_route_request(kernel, self.where, self.route, kind=RTM_DELROUTE, flags=CHANGE)]


@record(frozen=True)
class SysctlSet(Op):
    key: str = ""
    value: str = ""

    def run(self, kernel: Kernel) -> Outcome | None:
        try:
            kernel.write_sysctl(self.where, self.key, self.value)
        except OSError as exc:
            return Outcome(exc.errno or errno.EIO, str(exc))
        return Outcome()


def _nft_outcome(work: Callable[[], None], where: Where) -> Outcome:
    from netwright.backend.kernel import netns
    from netwright.backend.nft.binding import NftError, NftUnavailableError

    try:
        netns.in_netns(where, work)
    except (NftError, NftUnavailableError) as exc:
        return Outcome(errno.EINVAL, str(exc))
    except OSError as exc:
        return Outcome(exc.errno or errno.EIO, str(exc))
    return Outcome()


@record(frozen=True)
class NftReplace(Op):
    """Make our table exactly the design's, in one transaction (``commands``: JSON text)."""

    family: str = ""
    name: str = ""
    commands: str = ""
    marker: str = ""

    def run(self, kernel: Kernel) -> Outcome | None:
        from netwright.backend.nft.binding import Nft

        return _nft_outcome(lambda: Nft().run(json.loads(self.commands)), self.where)


@record(frozen=True)
class NftDelete(Op):
    """Delete our table: only if it still carries ``marker`` (read in the same thread)."""

    family: str = ""
    name: str = ""
    marker: str = ""

    def run(self, kernel: Kernel) -> Outcome | None:
        from netwright.backend.kernel import netns
        from netwright.backend.nft.binding import Nft
        from netwright.backend.nft.ruleset import listed_signature

        def work() -> None:
            nft = Nft()
            items = nft.list_table(self.family, self.name)
            if items is None or listed_signature(items)[0] != self.marker or not self.marker:
                return  # gone already, or not ours any more: never delete it
            nft.run([{"delete": {"table": {"family": self.family, "name": self.name}}}])

        if self.where is not None and not netns.exists(self.where):
            return Outcome()
        return _nft_outcome(work, self.where)


@record(frozen=True)
class QdiscSet(Op):
    """Give a link the design's impairment (replacing its root qdisc in place).

    ``clear``: the handle of the root qdisc of ours of the other kind (tbf for netem, or
    the reverse) that the plan saw: the kernel changes a qdisc's options in place but never
    its kind ("Invalid qdisc name: must match existing qdisc"), so it is deleted first, in
    the same step."""

    name: str = ""
    spec: QdiscSpec | None = None
    clear: int = 0

    def requests(self, kernel: Kernel) -> list[Encodable]:
        index = kernel.index(self.where, self.name)
        if index is None:
            raise MissingDevice(self.name, self.where)
        assert self.spec is not None
        first = [delete_request(index, self.clear)] if self.clear else []
        return [*first, self.spec.request(index)]


@record(frozen=True)
class QdiscClear(Op):
    """Remove our root qdisc, the one with ``handle`` the plan saw (gone, or another in its
    place, is left as it is): the kernel puts the default one back."""

    name: str = ""
    handle: int = ROOT_HANDLE
    tolerated: frozenset[int] = frozenset({errno.ENOENT, errno.EINVAL})

    def requests(self, kernel: Kernel) -> list[Encodable]:
        index = kernel.index(self.where, self.name)
        if index is None:
            raise MissingDevice(self.name, self.where)
        return [delete_request(index, self.handle)]


DIRECT_OPS = (NetnsCreate, NetnsDelete, SysctlSet, NftReplace, NftDelete)
PARALLEL_OPS = (NftReplace, NftDelete)  # independent per namespace and table
