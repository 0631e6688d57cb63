"""The path MTU of a predicted flow, and where a full-size packet would be dropped.

A check's small echo says nothing about packet size; real traffic fills the sender's MTU. The
kernel drops an oversized frame without a word at the veth that receives it and at the bridge
port that would send it (``is_skb_forwardable``: measured, 1500-byte pings with DF vanish at a
1400-byte veth end while 1400-byte ones pass; a 1400-byte macvlan child still takes 1500-byte
frames from a sibling); a router whose outgoing device is smaller drops a
don't-fragment packet and answers "fragmentation needed" (IPv6: "packet too big"). Echo replies
are sent without DF, so a replier and the routers on the way back fragment them, and only the
silent layer-2 drops count there. The explanation hands the neighbour steps of both walks (see
``explain.Step``) to ``PathMtus.judge``. Pure: the model's MTUs only (``topology.mtu``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from itertools import pairwise

from netwright.backend.checks.l2 import Layer2
from netwright.backend.checks.network import Network, place_label
from netwright.backend.topology.model import Veth, Vxlan
from netwright.backend.topology.mtu import VXLAN_OVERHEAD, Mtus, vxlan_family
from netwright.backend.topology.segments import segments

Step = tuple[object, str, str, str | None]


@dataclass(frozen=True)
class Limit:
    """One device that bounds the packet size, and how it drops what is bigger."""

    key: str
    mtu: int
    router: bool = False  # a router's outgoing device: it answers "fragmentation needed"
    sender: bool = False  # the sender's own device: its kernel refuses ("Message too long")
    reply: bool = False  # only the reply crosses it there
    handed: bool = False  # the sender's veth peer: its drop fails the send itself (ENOBUFS)
    tunnel: str | None = None  # a vxlan's underlay device: ``mtu`` is what it carries inside
    overhead: int = 0  # the encapsulation, for a tunnel's underlay (the device's MTU - mtu)


@dataclass(frozen=True)
class SizeJudgement:
    """``size``: the probe's packet size (the sender's MTU on its route); ``path_mtu``: the
    largest packet that gets there and back; ``drop``: the first device that drops ``size``."""

    size: int
    path_mtu: int
    drop: Limit | None
    version: int = 4


class PathMtus:
    """Path MTUs over one topology's network, each device path worked out once."""

    def __init__(self, net: Network, l2: Layer2) -> None:
        self.net = net
        self.l2 = l2
        self.mtus = Mtus(net.topology)
        self.checked = cache(self._checked)
        self._step_limits: dict[tuple[str, str, bool], tuple[Limit, ...]] = {}
        self._judgement = cache(SizeJudgement)  # one object per outcome, not per pair
        # a segment whose interfaces all have one MTU bounds nothing beyond the sender's own
        # device: skip its path (a mesh of N asks for N² of them)
        self._segment = segments(net.topology)
        sizes: dict[str, set[int]] = {}
        for key, segment in self._segment.items():
            sizes.setdefault(segment, set()).add(self.mtus.of(key))
        self._uniform = {segment for segment, found in sizes.items() if len(found) == 1}

    def of(self, key: str) -> int:
        return self.mtus.of(key)

    def segment_of(self, key: str) -> str | None:
        """The layer-2 segment (a representative key) of interface ``key``."""
        return self._segment.get(key)

    def uniform(self, key: str) -> bool:
        """Whether every interface on ``key``'s segment has one MTU (then a path within it
        bounds nothing beyond the sender's own device)."""
        return self._segment.get(key) in self._uniform

    def _checked(self, out_dev: str, answering: str) -> tuple[str, ...]:
        """The devices between ``out_dev`` and ``answering`` that drop an oversized frame: a
        veth end receiving from its peer, a bridge port sending. Measured: a bridge passing
        frames on or taking them to its own stack checks nothing, nor does a macvlan child
        receiving from a sibling or off its parent's wire."""
        if self._segment.get(out_dev) in self._uniform:
            return ()  # every device there has out_dev's MTU, which the caller counts
        path = self.l2.path(out_dev, answering)
        found = []
        for before, key in pairwise(path):
            link = self.net.link(key)
            if link is None:
                continue
            if (isinstance(link, Veth) and link.peer == before) or link.master == before:
                found.append(key)
        return tuple(found)

    def judge(self, size: int, forward: tuple[Step, ...],
              back: tuple[Step, ...], version: int = 4) -> SizeJudgement:
        """How a ``size``-byte don't-fragment echo fares along ``forward`` and its reply
        along ``back``."""
        lowest, drop = size, None
        seen_any = False
        for index, (_place, out_dev, _hop, answering) in enumerate(forward):
            for limit in self._limits(out_dev, answering or "", index == 0):
                lowest = limit.mtu if not seen_any else min(lowest, limit.mtu)
                seen_any = True
                if drop is None and limit.mtu < size:
                    drop = limit
        fragment = size
        for _place, out_dev, _hop, answering in back:
            fragment = min(fragment, self.mtus.of(out_dev))  # replies carry no DF: routers split
            silent = [Limit(key, self.mtus.of(key), reply=True)
                      for key in self.checked(out_dev, answering or "")]
            silent += [replace(limit, reply=True, sender=False, router=False)
                       for limit in self._tunnel(out_dev, answering or "", False)
                       if not limit.sender and not limit.router]
            for limit in silent:
                if limit.mtu < fragment:
                    lowest = min(lowest, limit.mtu)
                    if drop is None and limit.mtu < size:
                        drop = limit
        return self._judgement(size, lowest, drop, version)

    def _tunnel(self, out_dev: str, answering: str, first: bool) -> tuple[Limit, ...]:
        """What a vxlan's underlay carries of a step that leaves by vxlan ``out_dev``: its
        own underlay device less the encapsulation (the sending kernel refuses more, or a
        router answers 'fragmentation needed', as it does for any outgoing device), and each
        device on the underlay's layer-2 path to the peer's that drops oversized frames
        without a word. Measured: 1450-byte don't-fragment echoes over a 1450-byte vxlan
        whose underlay veth has MTU 1400 fail with 'Message too long' at the sender, and
        vanish coming the other way into that veth."""
        link = self.net.link(out_dev)
        if not isinstance(link, Vxlan) or link.dev is None:
            return ()
        peers = self.l2.vxlan_peers(out_dev)
        peer = answering if answering in peers else next(
            (p for p in peers if self.l2.path(p, answering)), None)
        if peer is None:
            return ()
        overhead = VXLAN_OVERHEAD[vxlan_family(link)]
        limits = [Limit(link.dev, self.mtus.of(link.dev) - overhead, router=not first,
                        sender=first, tunnel=out_dev, overhead=overhead)]
        other = getattr(self.net.link(peer), "dev", None)
        if other is not None:
            limits += [Limit(k, self.mtus.of(k) - overhead, tunnel=out_dev, overhead=overhead)
                       for k in self.checked(link.dev, other)]
        return tuple(limits)

    def _limits(self, out_dev: str, answering: str, first: bool) -> tuple[Limit, ...]:
        """The devices of one forward step that bound the size, in the packet's order."""
        tunnel = isinstance(self.net.link(out_dev), Vxlan)
        if self._segment.get(out_dev) in self._uniform and not tunnel:
            answering = ""  # only out_dev counts there
        key = (out_dev, answering, first)
        found = self._step_limits.get(key)
        if found is None:
            found = self._step_limits[key] = (
                Limit(out_dev, self.mtus.of(out_dev), router=not first, sender=first),
                *(Limit(k, self.mtus.of(k), handed=first and self._peer_of(k, out_dev))
                  for k in self.checked(out_dev, answering)),
                *(self._tunnel(out_dev, answering, first) if tunnel else ()))
        return found

    def _peer_of(self, key: str, out_dev: str) -> bool:
        link = self.net.link(key)
        return isinstance(link, Veth) and link.peer == out_dev

    def _at(self, drop: Limit) -> str:
        device = self.net.devices[drop.key]
        if drop.tunnel is not None:
            return (f"{place_label(device.place)}'s {device.name} (MTU"
                    f" {drop.mtu + drop.overhead}, a VXLAN underlay: {drop.mtu} bytes once"
                    f" VXLAN adds {drop.overhead})")
        return f"{place_label(device.place)}'s {device.name} (MTU {drop.mtu})"

    def send_failure(self, judgement: SizeJudgement) -> str | None:
        """What the sender's kernel failing the full-size send (ENOBUFS) means for this
        judgement: the veth peer that drops it, in the sentence ``describe`` uses; None when
        no such drop is predicted (the kernel's own words then stand)."""
        drop = judgement.drop
        if drop is None or not drop.handed:
            return None
        return f"{judgement.size}-byte packets are dropped at {self._at(drop)}"

    def describe(self, judgement: SizeJudgement) -> tuple[str, str | None]:
        """The sentence for a judgement and, when ``size`` is dropped, the fix."""
        drop = judgement.drop
        if drop is None:
            return f"path MTU {judgement.path_mtu}", None
        at = self._at(drop)
        text = (f"reachable for packets up to {judgement.path_mtu} bytes;"
                f" {judgement.size}-byte packets ")
        if drop.sender:
            text += f"cannot leave {at}: the sender's kernel refuses them ('Message too long')"
        elif drop.router:
            text += (f"cannot leave {at}, and don't-fragment forbids splitting them: the router"
                     " answers 'fragmentation needed'" if judgement.version == 4 else
                     f"cannot leave {at}, and IPv6 routers never split packets: the router"
                     " answers 'packet too big'")
        elif drop.reply:
            text += f"arrive, but their replies are dropped at {at}"
        else:
            text += f"are dropped at {at}"
        if drop.tunnel is not None:
            fix = (f"give {drop.tunnel} and the vxlans it talks to an MTU of"
                   f" {judgement.path_mtu}, or raise {drop.key}'s MTU to"
                   f" {judgement.size + drop.overhead}")
            return text, fix
        fix = (f"give {drop.key} the MTU of the rest of its path ('mtu: {judgement.size}'), or"
               f" set 'mtu: {judgement.path_mtu}' on the interfaces the packets start from")
        return text, fix
