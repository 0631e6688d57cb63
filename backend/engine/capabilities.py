"""Which link kinds the running kernel can create, probed once per process.

A topology that needs a missing kind must fail before anything is touched, not halfway. The
probe creates one link of each kind in a throwaway namespace (a thread that unshares its
network namespace; the namespace dies with the thread), on a veth parent where the kind needs
one. ``Unknown device type`` (EOPNOTSUPP) means the kind (its module) is missing.
"""

from __future__ import annotations

import ctypes
import errno
import threading

from pyroute2.netlink.rtnl import RTM_NEWLINK
from pyroute2.netlink.rtnl.ifinfmsg import ifinfmsg

from netwright.backend.engine.desired import KIND_MODULES
from netwright.backend.kernel import netns
from netwright.backend.kernel.netlink import CREATE, Request, RtSocket
from netwright.backend.outcomes.errors import KernelUnsupported, NotRootError

_known: dict[str, bool] = {}
_lock = threading.Lock()

_DATA: dict[str, list[tuple[str, object]]] = {
    "ipvlan": [("IFLA_IPVLAN_MODE", 0)],
    "macvlan": [("IFLA_MACVLAN_MODE", "bridge")],
    "vlan": [("IFLA_VLAN_ID", 7)],
    "vxlan": [("IFLA_VXLAN_ID", 7), ("IFLA_VXLAN_PORT", 4789)],
}
_NEEDS_PARENT = {"ipvlan", "macvlan", "vlan"}


def _probe(kinds: list[str]) -> dict[str, bool]:
    def work() -> dict[str, bool]:
        if ctypes.CDLL(None, use_errno=True).unshare(netns.CLONE_NEWNET) != 0:
            code = ctypes.get_errno()
            if code in (errno.EPERM, errno.EACCES):
                # Planning probes link kinds in a scratch namespace: without CAP_SYS_ADMIN
                # nothing can be applied either, so say so before anything is touched.
                raise NotRootError(
                    "creating network namespaces needs CAP_SYS_ADMIN (and links"
                    " CAP_NET_ADMIN): run as root, through the Netwright service, or with"
                    " the lab backend (`netwright apply --lab` without --local)")
            raise OSError(code, "unshare")
        sock = RtSocket(netns.new_route_socket())
        try:
            veth = Request(ifinfmsg, RTM_NEWLINK, CREATE, {}, [
                ("IFLA_IFNAME", "nwprobe0"),
                ("IFLA_LINKINFO", {"attrs": [("IFLA_INFO_KIND", "veth"), ("IFLA_INFO_DATA", {
                    "attrs": [("VETH_INFO_PEER", {"attrs": [("IFLA_IFNAME", "nwprobe1")]})]})]}),
            ])
            has_veth = sock.request_one(veth).ok
            found = {"veth": has_veth}
            for index, kind in enumerate(k for k in kinds if k != "veth"):
                attrs: list[tuple[str, object]] = [("IFLA_IFNAME", f"nwprobe{index + 2}")]
                if kind in _NEEDS_PARENT:
                    if not has_veth:
                        found[kind] = True  # cannot tell; let the apply say
                        continue
                    attrs.append(("IFLA_LINK", _index(sock, "nwprobe0")))
                info: list[tuple[str, object]] = [("IFLA_INFO_KIND", kind)]
                if kind in _DATA:
                    info.append(("IFLA_INFO_DATA", {"attrs": _DATA[kind]}))
                attrs.append(("IFLA_LINKINFO", {"attrs": info}))
                outcome = sock.request_one(Request(ifinfmsg, RTM_NEWLINK, CREATE, {}, attrs))
                found[kind] = outcome.error not in (errno.EOPNOTSUPP, errno.ENOTSUP)
            return found
        finally:
            sock.close()

    return netns._run_in_thread(work)


def _index(sock: RtSocket, name: str) -> int:
    from pyroute2.netlink.rtnl import RTM_GETLINK

    for msg in sock.dump(ifinfmsg, RTM_GETLINK):
        if msg.get_attr("IFLA_IFNAME") == name:
            return int(msg["index"])
    return 0


def supported(kinds: list[str]) -> dict[str, bool]:
    """kind → whether this kernel can create it (cached)."""
    with _lock:
        todo = sorted({k for k in kinds if k not in _known})
        if todo:
            _known.update(_probe(todo))
        return {k: _known[k] for k in kinds}


#: What a design can use instead of a kind the kernel lacks, said with the refusal.
_INSTEAD = {"ipvlan": "or make the children macvlan (mode bridge) instead: the same LAN, each"
                      " child with a MAC of its own, which a Wi-Fi parent does not carry"}


def require(kinds: list[str]) -> None:
    """Raise KernelUnsupported for the first kind the kernel lacks, its sentence naming the
    others the design uses and the kernel lacks too: one refusal per missing module, each
    after the last was fixed, had the user load them one by one."""
    missing = [kind for kind, ok in sorted(supported(sorted(set(kinds))).items()) if not ok]
    if not missing:
        return
    first, *others = missing
    named = ", ".join(f"{kind} (module {KIND_MODULES.get(kind, kind)})" for kind in others)
    also = f"it lacks the design's {named} too" if others else ""
    raise KernelUnsupported(first, KIND_MODULES.get(first, first),
                            "; ".join(d for d in (_INSTEAD.get(first, ""), also) if d))
