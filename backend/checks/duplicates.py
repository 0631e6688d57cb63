"""Addresses that several interfaces hold: which holder a probe reaches, and who gets a reply.

A check probes an address, not an interface. When two namespaces hold the same address (on
separate links; on one link validation refuses it, save IPv6 with ``nodad`` on every
holder), every target standing for one of them gets the answer of whichever holder the
packet's last hop reaches. So such a target's label names every holder ("w/we (duplicate:
y holds it too)"), and each pair says which holder answers: the one on the last hop's link, or
either of several on that link (whichever answers ARP/ND first). A sender that shares its
own address with a holder on the reply's last link may see the reply go to that other
holder. Pure: reads the explainer's network and layer 2, never a kernel.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from netwright.backend.checks.network import (
    IpAddr,
    Network,
    Place,
    fast_ip,
    place_label,
    place_name,
    place_owns,
)
from netwright.backend.count_words import agreeing

if TYPE_CHECKING:
    from netwright.backend.checks.explain import Step
    from netwright.backend.checks.l2 import Layer2


class Duplicates:
    """Every address of the design held by more than one interface, with each holder's
    label as a target names it."""

    def __init__(self, net: Network, l2: Layer2) -> None:
        self.net, self.l2 = net, l2
        self.holders: dict[IpAddr, dict[str, str]] = defaultdict(dict)  # ip -> key -> label
        for key, device in net.devices.items():
            if device.kind == "lan":
                continue  # a LAN holds its gateway: "gateway of NIC", never a duplicate
            label = f"{key} (host NIC)" if device.kind == "nic" \
                else f"{place_name(device.place)}/{key}"
            for address in device.addresses:  # also one the kernel leaves unused (DAD)
                self.holders[fast_ip(address.ip)][key] = label
        for ip in [ip for ip, found in self.holders.items() if len(found) < 2]:
            del self.holders[ip]

    def label(self, label: str, address: IpAddr, key: str) -> str:
        """``label`` of the target ``key`` holds ``address`` at, naming the other holders'
        places: "w/we (duplicate: y holds it too)". (Places, not place/key: the designer
        finds a target's interface by the last interface key its label names.)"""
        found = self.holders.get(address)
        if not found:
            return label
        mine = self.net.devices[key].place
        others = list(dict.fromkeys(
            f"another interface of {place_name(mine)}" if place == mine
            else ("the host" if place is None else place_label(place))
            for place in (self.net.devices[k].place for k in found if k != key)))
        return (f"{label} (duplicate: {' and '.join(others)}"
                f" {agreeing(len(others), 'holds', 'hold')} it too)")

    def _answering(self, steps: tuple[Step, ...], ip: IpAddr) -> list[str] | None:
        """The holders of ``ip`` that may answer ARP/ND on the link of the packet's last
        hop (its steps), or None when no step resolves ``ip`` itself."""
        last = next((s for s in reversed(steps) if s[2] == str(ip)), None)
        if last is None:
            return None
        receivers = self.l2.emit(last[1])
        found = []
        for owner in self.net.owners.get(ip, []):
            if owner.key in receivers or (ip.version == 4 and any(
                    d.key in receivers for d in self.net.by_place.get(owner.place, []))):
                found.append(owner.key)
        return found

    def reached(self, source: Place, dst: IpAddr, owner: str, steps: tuple[Step, ...],
                race: str | None = None) -> str:
        """Which holder of ``dst`` the request from ``source`` reaches ("" when fewer than
        two hold it in use: a holder that failed DAD is the DAD sentence's to explain);
        ``owner`` is the interface the target stands for, ``race`` what DAD will do where
        the holders share a link (the design alone, dad.py)."""
        found = self.holders.get(dst)
        if not found or len(self.net.owners.get(dst, ())) < 2:
            return ""
        answering = self._answering(steps, dst)
        if not answering:
            others = ", ".join(v for k, v in found.items() if k != owner)
            return f"duplicate address: {dst} is also on {others}"
        if len(answering) > 1:
            return (f"duplicate address: {' and '.join(found[k] for k in answering)} share"
                    f" {dst} on one link, " + (race or "and either may answer (whichever"
                    f" answers {'ARP' if dst.version == 4 else 'neighbour discovery'} first)"))
        answered = answering[0]
        if answered == owner:
            missed = ", ".join(v for k, v in found.items() if k != answered)
            return (f"duplicate address: {missed} holds {dst} too, but"
                    f" {place_owns(source)} packets for it reach {found[answered]}")
        return (f"answered by {found[answered]}, not {found.get(owner, owner)}: both hold"
                f" {dst}, and {place_owns(source)} packets for it reach"
                f" {found[answered]}'s link only")

    def reply_astray(self, source: Place, src: IpAddr, replier: Place,
                     steps: tuple[Step, ...]) -> str:
        """Why the reply to ``src`` may go to another holder of it ("" when it cannot): the
        holders on the reply's last link race to answer the replier's ARP/ND."""
        found = self.holders.get(src)
        if not found:
            return ""
        answering = self._answering(steps, src)
        others = [found[k] for k in answering or () if self.net.devices[k].place != source]
        if not others:
            return ""
        return (f"but {place_label(source)} shares {src} with {' and '.join(others)} on one"
                f" link: {place_owns(replier)} reply goes to whichever of them its"
                f" neighbour entry for {src} names, so it may never come back")

    def local(self, source: Place, dst: IpAddr, owner: str) -> str:
        """What a packet to ``source``'s own ``dst`` means for the target of another holder
        ``owner`` ("" when the target is the source's own)."""
        found = self.holders.get(dst)
        if not found or owner not in found or self.net.devices[owner].place == source:
            return ""
        return f"it never reaches {found[owner]}, which holds {dst} too"
