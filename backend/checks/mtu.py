"""The path MTU of a predicted flow, and where a full-size packet would be dropped.

A check's small echo says nothing about packet size; real traffic fills the sender's MTU. The
kernel drops an oversized frame without a word at the veth that receives it and at the bridge
port that would send it; a router whose outgoing device is smaller drops a don't-fragment
packet and answers "fragmentation needed" (IPv6: "packet too big"). Echo replies are sent
without DF, so a replier and the routers on the way back fragment them, and only the silent
layer-2 drops count there. The explanation hands the neighbour steps of both walks (see
``explain.Step``) to ``PathMtus.judge``. Pure: the model's MTUs only (``topology.mtu``), and
whether bridged packets pass the IP hooks (``bridge_nf``).

How many bytes over its MTU each kind takes (measured on 6.18, IPv4 and IPv6, 1400-byte
devices, don't-fragment echoes of MTU+0 to MTU+5 bytes from a 1500-byte sender):

- the sender's own device: none; one byte over fails the send ("Message too long");
- a veth end receiving from its peer: 4 (``VLAN_ALLOWANCE``): ``__dev_forward_skb`` drops a
  frame only past ``is_skb_forwardable``'s ``mtu + hard_header_len + VLAN_HLEN``, room for a
  VLAN tag; MTU+4 arrives, MTU+5 vanishes;
- a bridge port sending: the same 4 (``br_dev_queue_push_xmit`` asks
  ``is_skb_forwardable``) when bridged packets skip the IP hooks
  (net.bridge.bridge-nf-call-ip{,6}tables = 0); when they pass them (1, wherever
  br_netfilter is loaded) br_netfilter's ``br_nf_dev_queue_xmit`` checks the MTU itself
  (``skb->len <= mtu``, else ``br_nf_ip_fragment``): none for don't-fragment packets (MTU+1
  vanishes), and an IPv4 reply (no DF) is fragmented (MTU+100 arrives) while an IPv6 one
  vanishes past the MTU;
- a veth end on a VXLAN underlay: the same 4 on the outer frame (a 1450-byte vxlan over a
  1400-byte underlay veth: 1354 inner bytes arrive, 1355 vanish);
- a macvlan child receiving from a sibling or off its parent's wire: no check (a 1400-byte
  child takes 1500-byte frames);
- unmeasured, so judged as before (none over the MTU, a drop): a bridge port on a VXLAN
  underlay, whose outer packets carry no DF.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from itertools import pairwise

from netwright.backend.checks.l2 import Layer2
from netwright.backend.checks.network import Network, place_owns
from netwright.backend.topology.model import Veth, Vxlan
from netwright.backend.topology.mtu import VXLAN_OVERHEAD, Mtus, vxlan_family
from netwright.backend.topology.segments import segments

Step = tuple[object, str, str, str | None]

VLAN_ALLOWANCE = 4  # bytes a veth end or bridge port takes over its MTU (VLAN_HLEN)


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
    allowance: int = 0  # bytes over ``mtu`` the kernel still takes there (a VLAN tag's room)
    port: bool = False  # a bridge port sending (else, with an allowance, a veth end receiving)

    @property
    def passes(self) -> int:
        """The largest packet this device lets through."""
        return self.mtu + self.allowance


@dataclass(frozen=True)
class SizeJudgement:
    """``size``: the probe's packet size (the sender's MTU on its route); ``path_mtu``: the
    largest packet that gets there and back; ``drop``: the first device that drops ``size``;
    ``bound``: the device that sets ``path_mtu``, when it takes more than its MTU."""

    size: int
    path_mtu: int
    drop: Limit | None
    version: int = 4
    bound: Limit | None = None


class PathMtus:
    """Path MTUs over one topology's network, each device path worked out once."""

    def __init__(self, net: Network, l2: Layer2,
                 bridge_nf: dict[int, bool] | None = None) -> None:
        """``bridge_nf``: per IP version, whether bridged packets pass the IP hooks (None:
        assumed so, as ``flow.Flows`` does; it decides a bridge port's allowance)."""
        self.net = net
        self.l2 = l2
        self.bridge_nf = {4: True, 6: True} if bridge_nf is None else bridge_nf
        self.mtus = Mtus(net.topology)
        self.checked = cache(self._checked)
        self._step_limits: dict[tuple[str, str, bool, int], tuple[Limit, ...]] = {}
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

    def _checked(self, out_dev: str, answering: str) -> tuple[tuple[str, bool], ...]:
        """The devices between ``out_dev`` and ``answering`` that drop an oversized frame,
        each with whether it is a bridge port sending (else a veth end receiving from its
        peer). Measured: a bridge passing frames on or taking them to its own stack checks
        nothing, nor does a macvlan child receiving from a sibling or off its parent's wire."""
        if self._segment.get(out_dev) in self._uniform:
            return ()  # every device there has out_dev's MTU, which the caller counts
        path = self.l2.path(out_dev, answering)
        found = []
        for before, key in pairwise(path):
            link = self.net.link(key)
            if link is None:
                continue
            if isinstance(link, Veth) and link.peer == before:
                found.append((key, False))
            elif link.master == before:
                found.append((key, True))
        return tuple(found)

    def _silent(self, key: str, port: bool, version: int, *, reply: bool = False,
                handed: bool = False, tunnel: str | None = None,
                overhead: int = 0) -> Limit | None:
        """The limit of device ``key`` that drops oversized frames without a word (see the
        module's list); None where it lets the packet through at any size (a bridge port
        under br_netfilter fragments an IPv4 reply). ``overhead``: a tunnel's encapsulation,
        which the underlay's device carries besides the packet."""
        if port and tunnel is not None:
            allowance = 0  # unmeasured: as before
        elif not port or not self.bridge_nf.get(version, False):
            allowance = VLAN_ALLOWANCE
        elif reply and version == 4:
            return None
        else:
            allowance = 0
        return Limit(key, self.mtus.of(key) - overhead, reply=reply, handed=handed,
                     tunnel=tunnel, overhead=overhead, allowance=allowance, port=port)

    def judge(self, size: int, forward: tuple[Step, ...],
              back: tuple[Step, ...], version: int = 4) -> SizeJudgement:
        """How a ``size``-byte don't-fragment echo fares along ``forward`` and its reply
        along ``back``."""
        lowest, drop, bound = size, None, None
        seen_any = False
        for index, (_place, out_dev, _hop, answering) in enumerate(forward):
            for limit in self._limits(out_dev, answering or "", index == 0, version):
                if not seen_any or limit.passes < lowest:
                    lowest, bound = limit.passes, limit
                seen_any = True
                if drop is None and limit.passes < size:
                    drop = limit
        fragment = size
        for _place, out_dev, _hop, answering in back:
            fragment = min(fragment, self.mtus.of(out_dev))  # replies carry no DF: routers split
            silent = [found for key, port in self.checked(out_dev, answering or "")
                      if (found := self._silent(key, port, version, reply=True)) is not None]
            silent += [replace(limit, reply=True, sender=False, router=False)
                       for limit in self._tunnel(out_dev, answering or "", False)
                       if not limit.sender and not limit.router]
            for limit in silent:
                if limit.passes < fragment:
                    if limit.passes < lowest:
                        lowest, bound = limit.passes, limit
                    if drop is None and limit.passes < size:
                        drop = limit
        if bound is not None and not bound.allowance:
            bound = None
        return self._judgement(size, lowest, drop, version, bound)

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
        family = vxlan_family(link)
        overhead = VXLAN_OVERHEAD[family]
        limits = [Limit(link.dev, self.mtus.of(link.dev) - overhead, router=not first,
                        sender=first, tunnel=out_dev, overhead=overhead)]
        other = getattr(self.net.link(peer), "dev", None)
        if other is not None:
            limits += [limit for key, port in self.checked(link.dev, other)
                       if (limit := self._silent(key, port, family, tunnel=out_dev,
                                                 overhead=overhead)) is not None]
        return tuple(limits)

    def _limits(self, out_dev: str, answering: str, first: bool,
                version: int) -> tuple[Limit, ...]:
        """The devices of one forward step that bound the size, in the packet's order."""
        tunnel = isinstance(self.net.link(out_dev), Vxlan)
        if self._segment.get(out_dev) in self._uniform and not tunnel:
            answering = ""  # only out_dev counts there
        key = (out_dev, answering, first, version)
        found = self._step_limits.get(key)
        if found is None:
            silent = (self._silent(k, port, version, handed=first and self._peer_of(k, out_dev))
                      for k, port in self.checked(out_dev, answering))
            found = self._step_limits[key] = (
                Limit(out_dev, self.mtus.of(out_dev), router=not first, sender=first),
                *(limit for limit in silent if limit is not None),
                *(self._tunnel(out_dev, answering, first) if tunnel else ()))
        return found

    def _peer_of(self, key: str, out_dev: str) -> bool:
        link = self.net.link(key)
        return isinstance(link, Veth) and link.peer == out_dev

    def _at(self, drop: Limit) -> str:
        device = self.net.devices[drop.key]
        if drop.tunnel is not None:
            return (f"{place_owns(device.place)} {device.name} (MTU"
                    f" {drop.mtu + drop.overhead}, a VXLAN underlay: {drop.mtu} bytes once"
                    f" VXLAN adds {drop.overhead})")
        return f"{place_owns(device.place)} {device.name} (MTU {drop.mtu})"

    def send_failure(self, judgement: SizeJudgement) -> str | None:
        """What the sender's kernel failing the full-size send (ENOBUFS) means for this
        judgement: the veth peer that drops it, in the sentence ``describe`` uses; None when
        no such drop is predicted (the kernel's own words then stand)."""
        drop = judgement.drop
        if drop is None or not drop.handed:
            return None
        return f"{judgement.size}-byte packets are dropped at {self._at(drop)}"

    def _over(self, bound: Limit | None) -> str:
        """Why packets a few bytes over ``bound``'s MTU still pass, if they do."""
        if bound is None:
            return ""
        device = self.net.devices[bound.key]
        kind = "bridge port" if bound.port else "veth"
        return (f" (the kernel lets {place_owns(device.place)} {device.name}, a {kind},"
                f" take {bound.allowance} bytes over its MTU {bound.mtu + bound.overhead}:"
                " room for a VLAN tag)")

    def describe(self, judgement: SizeJudgement) -> tuple[str, str | None]:
        """The sentence for a judgement and, when ``size`` is dropped, the fix."""
        drop, bound = judgement.drop, judgement.bound
        over = self._over(bound)
        if drop is None:
            return f"path MTU {judgement.path_mtu}{over}", None
        # the MTU to give the senders: the bound's own, not the few bytes it lets over
        fitting = judgement.path_mtu - (bound.allowance if bound is not None else 0)
        at = self._at(drop)
        text = (f"reachable for packets up to {judgement.path_mtu} bytes{over};"
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
                   f" {fitting}, or raise {drop.key}'s MTU to"
                   f" {judgement.size + drop.overhead}")
            return text, fix
        fix = (f"give {drop.key} the MTU of the rest of its path ('mtu: {judgement.size}'), or"
               f" set 'mtu: {fitting}' on the interfaces the packets start from")
        return text, fix
