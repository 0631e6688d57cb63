"""ARP flux past macvlan's parent isolation: a host with two NICs on one LAN.

A macvlan child never reaches its parent's own address over the parent: the parent does not
receive its children's frames. But its ARP request goes out on the parent's wire, and when
another host NIC is on the same LAN (Wi-Fi and Ethernet to one router; the lab's NICs whose
subnets overlap), the host answers it there: IPv4 is weak-host, and with ``arp_ignore`` 0
(the default) Linux answers ARP for any of its addresses on any NIC (``arp_ignore`` 1 or 2
stops that only for an address the NIC does not hold itself). The echo then reaches the host
through that other NIC, and the reply leaves by the host's route to the child: if it leaves
by the other NIC, the LAN carries it to the parent's wire and the child gets it; if by the
parent, it is lost (macvlan never hands the parent's own frames to its children). With both
NICs on one subnet the route that wins is the one added first, which a design cannot know: a
check of a deployed design reads it (``HostLan.reply_dev``), an explanation says it depends.
``arp_filter`` and ``rp_filter`` change nothing beyond that (measured: each only drops what
the reply route already loses). Pure.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from netwright.backend.checks.network import IpAddr, Network, Place
from netwright.backend.checks.results import Prediction
from netwright.backend.checks.routing import Routing
from netwright.backend.topology.model import Macvlan

IPv4If = ipaddress.IPv4Interface


@dataclass(frozen=True)
class HostLan:
    """The host's kernel facts a check reads for this: every host device's IPv4 addresses by
    name, ``arp_ignore`` (``all`` and per device), and for each macvlan child address the
    device the host's route to it leaves by."""

    addresses: dict[str, tuple[IPv4If, ...]] = field(default_factory=dict)
    arp_ignore: dict[str, int] = field(default_factory=dict)
    reply_dev: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Answer:
    nic: str
    why: str  # why the host answers ARP for the address on ``nic``
    holds: bool  # the NIC holds the address itself (arp_ignore cannot stop it)


class ArpFlux:
    """Judges a macvlan child's echo to its parent's address when another host NIC may
    answer for it; ``host`` None: the design alone (its own host NICs)."""

    def __init__(self, net: Network, routing: Routing, host: HostLan | None = None) -> None:
        self.net = net
        self.routing = routing
        self.host = host

    def judge(self, source: Place, dst: IpAddr, src: IpAddr) -> Prediction | None:
        """The prediction for ``source`` (a macvlan child) pinging its parent's ``dst`` from
        ``src``; None when no other host NIC answers ARP for it (the isolation stands)."""
        found = self._child_and_parent(source, dst)
        if found is None or src.version != 4:
            return None
        child, parent = found
        answers = self._answers(parent, dst)
        if not answers:
            return None
        answer = answers[0]
        names = ", ".join(a.nic for a in answers)
        through = (f"{parent}'s address {dst} is answered on {names}, the host's other NIC on"
                   f" this LAN: {answer.why}")
        isolate = self._isolation_fix(answer, dst)
        if self.host is None:
            return Prediction(
                "unreachable", "isolated",
                f"{child} reaches its parent {parent}'s address {dst} only past macvlan's parent"
                f" isolation: {through}, so the request arrives through {answer.nic}; whether the"
                f" reply comes back depends on which NIC's route to {src} the kernel added first"
                f" (by {answer.nic}: reachable; by {parent}: lost, as macvlan never hands the"
                " parent's own frames to its children). A check of the deployed design reads it",
                f"for a sure answer, {isolate}")
        reply = self.host.reply_dev.get(str(src))
        if reply is not None and reply != parent and any(a.nic == reply for a in answers):
            return Prediction(
                "reachable", "delivered",
                f"reachable through {reply}: {through}, so the request reaches the host there"
                f" and the reply leaves by {reply} (the host's route to {src}) over the LAN to"
                f" {parent}'s wire; for the isolation macvlan teaches, {isolate}")
        leaves = f"by {reply}" if reply else "by no route"
        return Prediction(
            "unreachable", "isolated",
            f"{child} cannot reach its parent {parent}'s address {dst}: {through}, so the"
            f" request arrives, but the reply leaves {leaves} (the host's route to {src}) and"
            " macvlan never hands the parent's own frames to its children",
            f"to keep it so whichever route comes first, {isolate}; to reach the host, give"
            f" it its own macvlan on {parent} and put its address there")

    def _child_and_parent(self, source: Place, dst: IpAddr) -> tuple[str, str] | None:
        """(child, parent NIC) when ``source`` sends to ``dst`` over a bridge-mode macvlan
        (the mode measured) whose parent is a host NIC holding ``dst``."""
        if dst.version != 4 or source is None:
            return None
        route = self.routing.table(source, 4).lookup(dst)
        link = self.net.link(route.dev) if route is not None else None
        if route is None or not isinstance(link, Macvlan) or link.mode != "bridge":
            return None
        parent = self.net.devices.get(link.parent or "")
        if parent is None or parent.kind != "nic" or all(a.ip != dst for a in parent.addresses):
            return None
        return route.dev, parent.key

    def _answers(self, parent: str, dst: IpAddr) -> list[_Answer]:
        """Other host NICs on the parent's LAN (a subnet overlapping the parent's) that
        answer ARP for ``dst``, by name."""
        lan = [a.network for a in self.net.devices[parent].addresses if a.ip == dst]
        ignore = self.host.arp_ignore if self.host is not None else {}
        found = []
        for nic, addresses in sorted(self._other_nics(parent).items()):
            if not any(a.network.overlaps(net) for a in addresses for net in lan):
                continue
            if any(a.ip == dst for a in addresses):
                found.append(_Answer(nic, f"{nic} holds {dst} too", True))
                continue
            value = max(ignore.get("all", 0), ignore.get(nic, 0))
            if value == 0:
                found.append(_Answer(nic, f"arp_ignore is 0 on {nic} (the default), and then"
                                     " Linux answers ARP for any of its addresses on any NIC",
                                     False))
        return found

    def _other_nics(self, parent: str) -> dict[str, tuple[IPv4If, ...]]:
        """The host's NICs besides ``parent`` with their IPv4 addresses: as the kernel has
        them, else as the design does. Devices the design makes on the host are left out."""
        made = {d.name for d in self.net.by_place.get(None, []) if d.kind != "nic"}
        if self.host is not None:
            return {n: a for n, a in self.host.addresses.items()
                    if n not in (parent, "lo") and n not in made}
        return {d.key: tuple(a for a in d.addresses if isinstance(a, IPv4If))
                for d in self.net.by_place.get(None, []) if d.kind == "nic" and d.key != parent}

    @staticmethod
    def _isolation_fix(answer: _Answer, dst: IpAddr) -> str:
        if answer.holds:
            return (f"remove {dst} from {answer.nic} or put {answer.nic} on another subnet"
                    f" (arp_ignore cannot help: {answer.nic} holds the address itself)")
        return (f"set net.ipv4.conf.{answer.nic}.arp_ignore=1 (answer ARP only for"
                f" {answer.nic}'s own addresses), or put {answer.nic} on another subnet")
