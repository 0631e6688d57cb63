"""Read every namespace of the live host through the engine's own netlink reading.

The engine's ``observe_ns`` (one dump of links, addresses and routes per namespace, with the
owner's marker on each link) is reused as is; here a namespace is named by the path that
opens it (``/run/netns/x`` or ``/proc/<pid>/ns/net``), which the engine's thread-based
``setns`` accepts. Veth peers and parents in another namespace are then joined: a link's
``IFLA_LINK_NETNSID`` is resolved by asking the kernel which id the candidate namespace has
(``RTM_GETNSID`` with its descriptor), never by guessing from indexes alone.
"""

from __future__ import annotations

import contextlib
import errno
import os
import struct
from dataclasses import dataclass, field

from netwright.backend.kernel import netns
from netwright.backend.kernel.netlink import RtSocket
from netwright.backend.kernel.netns import Where
from netwright.backend.kernel.session import Kernel
from netwright.backend.observe.markers import parse_marker
from netwright.backend.observe.namespaces import Holder, NetnsFound, find_namespaces
from netwright.backend.observe.state import LinkState, NsState, observe_ns
from netwright.backend.observe.sysctls import forwarding_in
from netwright.backend.topology.problems import NetwrightError

RTM_GETNSID = 90
NETNSA_NSID = 1
NETNSA_FD = 3
_NLMSG_ERROR = 2


class PathKernel(Kernel):
    """A ``Kernel`` whose namespaces are paths (any nsfs file), opened read-only: it never
    removes a placeholder under /run/netns as the engine's ``exists`` does."""

    def exists(self, where: Where) -> bool:
        return where is None or os.path.exists(where)

    def prefetch(self, wheres: list[Where], threads: int = 1) -> dict[str, bool | None]:
        """As ``Kernel.prefetch``: True where a socket is open now, None where the
        namespace could not be entered."""
        todo = [w for w in wheres if w is not None and w not in self._sockets]
        out: dict[str, bool | None] = {}
        for name, result in netns.open_sockets(todo, threads).items():
            if isinstance(result, OSError):
                out[name] = None
            else:
                self._sockets[name] = RtSocket(result)
                out[name] = True
        return out

    def opened(self, where: Where) -> bool:
        return where in self._sockets

    def nsid(self, where: Where, other: Where) -> int | None:
        """The id namespace ``other`` has inside ``where`` (None: none assigned)."""
        try:
            fd = os.open(other or "/proc/self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return None
        try:
            sock = self.socket(where).sock
            body = struct.pack("=Bxxx", 0) + struct.pack("=HHI", 8, NETNSA_FD, fd)
            sock.send(struct.pack("=IHHII", 16 + len(body), RTM_GETNSID, 1, 1, 0) + body)
            data = sock.recv(65536)
        except OSError:
            return None
        finally:
            os.close(fd)
        _size, kind = struct.unpack_from("=IH", data, 0)
        if kind == _NLMSG_ERROR:
            return None
        offset = 20
        while offset + 4 <= len(data):
            size, attr = struct.unpack_from("=HH", data, offset)
            if size < 4:
                break
            if attr == NETNSA_NSID:
                value: int = struct.unpack_from("=i", data, offset + 4)[0]
                return value if value >= 0 else None
            offset += (size + 3) & ~3
        return None


@dataclass
class ObservedNamespace:
    """One namespace as read: ``where`` None is the observer's own (the host)."""

    where: Where
    inode: int
    name: str | None
    holders: list[Holder]
    state: NsState
    is_host: bool = False
    outside: bool = False  # not the host's (the lab's LAN): never imported
    by_index: dict[int, LinkState] = field(default_factory=dict)
    forwarding: dict[int, bool] = field(default_factory=dict)  # IP version → on

    def __post_init__(self) -> None:
        self.by_index = {link.index: link for link in self.state.links.values()}

    @property
    def owner(self) -> tuple[str, str] | None:
        """(topology, namespace key) from the loopback's marker, or None: nobody's."""
        return parse_marker(self.state.marker)

    @property
    def label(self) -> str:
        if self.is_host:
            return "the host"
        if self.name:
            return f"namespace {self.name}"
        holder = self.holders[0] if self.holders else None
        return f"the namespace of {holder.comm} (pid {holder.pid})" if holder else "a namespace"


@dataclass
class HostView:
    """Every namespace, and the cross-namespace joins (``peers``: (where, index) of a link →
    (where, index) of its veth peer or parent in another namespace)."""

    namespaces: list[ObservedNamespace]
    remote: dict[tuple[Where, int], tuple[Where, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_where = {ns.where: ns for ns in self.namespaces}

    def namespace(self, where: Where) -> ObservedNamespace:
        return self._by_where[where]

    def across(self, where: Where, link: LinkState) -> tuple[Where, LinkState] | None:
        """The link in another namespace that ``link`` points at (peer, parent)."""
        hit = self.remote.get((where, link.index))
        if hit is None:
            return None
        other = self.namespace(hit[0]).by_index.get(hit[1])
        return (hit[0], other) if other is not None else None


def _join(kernel: PathKernel, namespaces: list[ObservedNamespace]
          ) -> dict[tuple[Where, int], tuple[Where, int]]:
    """Resolve every IFLA_LINK that lives in another namespace (IFLA_LINK_NETNSID set)."""
    index_at: dict[int, list[Where]] = {}
    by_where = {ns.where: ns for ns in namespaces}
    for ns in namespaces:
        for link in ns.state.links.values():
            index_at.setdefault(link.index, []).append(ns.where)
    out: dict[tuple[Where, int], tuple[Where, int]] = {}
    cache: dict[tuple[Where, Where], int | None] = {}
    for ns in namespaces:
        for link in ns.state.links.values():
            if link.link_netnsid is None or link.link is None:
                continue
            candidates = [w for w in index_at.get(link.link, []) if w != ns.where]
            if link.kind == "veth":  # its peer points back at it
                candidates = [w for w in candidates if _points_back(by_where[w], link)]
            # the host first: most links that point elsewhere point there
            candidates.sort(key=lambda w: (w != namespaces[0].where, w or ""))
            for other in candidates:
                pair = (ns.where, other)
                if pair not in cache:
                    cache[pair] = kernel.nsid(ns.where, other)
                if cache[pair] == link.link_netnsid:
                    out[(ns.where, link.index)] = (other, link.link)
                    break
    return out


def _points_back(ns: ObservedNamespace, link: LinkState) -> bool:
    other = ns.by_index.get(link.link or -1)
    return other is not None and other.link == link.index


def observe_host(under: int | None = None, host: str | None = None,
                 hide: frozenset[str] = frozenset()) -> HostView:
    """Read the host's namespace and every other one of it (see ``find_namespaces`` for
    ``under``, ``host`` and ``hide``); a namespace that vanishes meanwhile is left out."""
    found: list[NetnsFound] = find_namespaces(under, host, hide)
    host_where = str(netns.netns_path(host)) if host else None
    kernel = PathKernel()
    try:
        paths: list[Where] = [f.path for f in found]
        if host_where:
            paths.append(host_where)
        kernel.prefetch(paths)
        host_file = host_where or "/proc/self/ns/net"
        inode = os.stat(host_file).st_ino
        forwarding = forwarding_in([f.path for f in found if kernel.opened(f.path)]
                                   + [host_file])
        namespaces = [ObservedNamespace(host_where, inode, None, [],
                                        observe_ns(kernel, host_where, learned=True),
                                        is_host=True, forwarding=forwarding.get(host_file, {}))]
        for item in found:
            with contextlib.suppress(OSError):
                if kernel.opened(item.path):
                    namespaces.append(ObservedNamespace(
                        item.path, item.inode, item.name, item.holders,
                        observe_ns(kernel, item.path), outside=item.outside,
                        forwarding=forwarding.get(item.path, {})))
        return HostView(namespaces, _join(kernel, namespaces))
    finally:
        kernel.close()


class ObserveError(NetwrightError):
    """The live host cannot be read (no permission, an unknown namespace asked for)."""


def read_host(process_tree: int | None = None, host: str | None = None,
              hide: frozenset[str] = frozenset()) -> HostView:
    """``observe_host``, its failures as sentences (ObserveError)."""
    try:
        return observe_host(process_tree, host, hide)
    except OSError as exc:
        if isinstance(exc, PermissionError) or exc.errno == errno.EPERM:
            raise ObserveError("reading other namespaces needs root: run through netwrightd"
                               " (without --local) or as root") from exc
        raise ObserveError(f"cannot read the host: {exc.strerror or exc}") from exc
