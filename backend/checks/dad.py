"""IPv6 duplicate address detection (DAD) in the prediction: addresses the kernel will not use.

An IPv6 address added without ``nodad`` is *tentative* until DAD finishes (about a second
after its link has carrier): it neither answers nor can be sent from. When another interface
on the segment holds it, DAD fails and the address stays, flagged ``dadfailed``, unusable for
good. Measured on this kernel: the losing namespace then sends from its link-local address,
so it still reaches its own link but a router refuses to forward for it ("Beyond scope of
source address"), and a packet to its own failed address goes nowhere; others reach the
address at the winner.

Which of two duplicates loses is a race, so the design alone says only "one of them fails";
a check of a deployment reads the flags from the kernel (``read_states``) and the
explanation uses them (``AddressStates``). Reading is the only kernel access here.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from netwright.backend.checks.network import IpAddr, Place, place_label, place_owns
from netwright.backend.topology.model import Topology, static_entries
from netwright.backend.topology.segments import segments
from netwright.backend.topology.validate_dad import Holder, dad_outcome

AddressState = Literal["tentative", "dadfailed"]
# what the kernel said, by (interface key, address text); absent means usable
AddressStates = Mapping[tuple[str, str], AddressState]


@dataclass(frozen=True)
class Unusable:
    """An address of the design that the kernel does not use, and who holds it instead."""

    key: str
    place: Place
    ip: IpAddr
    state: AddressState
    holders: tuple[str, ...]  # other interfaces with the same address, usable
    why: str = ""  # what keeps it tentative, when the design says (no carrier)

    def sentence(self) -> str:
        where = f"{place_owns(self.place)} {self.key}"
        if self.state == "tentative":
            waits = f"waits for carrier, and {self.why}" if self.why else "has not finished"
            return (f"{self.ip} on {where} is still tentative (duplicate address detection"
                    f" {waits}): it neither answers nor sends")
        held = f" ({', '.join(self.holders)} holds it)" if self.holders else ""
        return (f"{self.ip} failed duplicate address detection on {where}{held}: the kernel"
                " neither answers for it there nor sends from it")

    def fix(self) -> str:
        if self.state == "tentative":
            return (f"wait for duplicate address detection on {self.key} to finish (its link"
                    f" needs carrier), or write '{self.ip}/… nodad' in its addresses")
        return (f"give {self.key} an address of its own instead of {self.ip} (remove the"
                " duplicate), or write 'nodad' after it on every holder if each must keep it;"
                " then apply again (a failed address stays failed until it is re-added)")


class Dad:
    """What duplicate address detection does to a design's IPv6 addresses."""

    def __init__(self, topology: Topology, states: AddressStates | None) -> None:
        self.unusable: dict[tuple[str, IpAddr], Unusable] = {}
        # an IPv6 address held on one segment by several interfaces, not all with nodad:
        # its holders (interface key, address entry), for a design not read from a kernel
        self.races: dict[IpAddr, list[Holder]] = {}
        self.places: dict[str, Place] = {k: link.namespace
                                         for k, link in topology.interfaces.items()}
        holders: dict[IpAddr, list[Holder]] = defaultdict(list)
        segment = segments(topology)
        by_segment: dict[tuple[str, IpAddr], list[Holder]] = defaultdict(list)
        for key, link in topology.interfaces.items():
            for entry in static_entries(link):
                ip = entry.interface.ip
                if ip.version != 6:
                    continue
                holders[ip].append((key, entry))
                by_segment[(segment.get(key, key), ip)].append((key, entry))
        for (_segment, ip), found in by_segment.items():
            if len(found) > 1 and not all(entry.nodad for _key, entry in found):
                self.races[ip] = found
        for (key, text), state in (states or {}).items():
            ip = ipaddress.ip_address(text)
            if key not in topology.interfaces:
                continue
            others = tuple(k for k, _entry in holders.get(ip, [])
                           if k != key and (states or {}).get((k, text)) is None)
            self.unusable[(key, ip)] = Unusable(
                key, topology.interfaces[key].namespace, ip, state, others)
        self.read = states is not None

    def without_carrier(self, topology: Topology,
                        no_carrier: Callable[[str], str | None]) -> bool:
        """For a design not read from a kernel: an IPv6 address (without nodad) on an
        interface that is up without carrier stays tentative until it gets carrier
        (measured). True when such addresses were found (the network must be rebuilt)."""
        if self.read:  # the kernel said which; the design may still say why
            for place, unusable in list(self.unusable.items()):
                why = no_carrier(unusable.key) if unusable.state == "tentative" else None
                if why is not None:
                    self.unusable[place] = replace(unusable, why=why)
            return False
        found = False
        for key, link in topology.interfaces.items():
            why = no_carrier(key) if link.state == "up" else None
            if why is None:
                continue
            for entry in static_entries(link):
                if entry.interface.version == 6 and not entry.nodad:
                    self.unusable[(key, entry.interface.ip)] = Unusable(
                        key, link.namespace, entry.interface.ip, "tentative", (), why)
                    found = True
        return found

    def excluded(self) -> frozenset[tuple[str, IpAddr]]:
        """(interface key, address) pairs the network must leave out."""
        return frozenset(self.unusable)

    def at(self, place: Place) -> list[Unusable]:
        return [u for u in self.unusable.values() if u.place == place]

    def race_text(self, ip: IpAddr) -> str | None:
        """For a design not read from a kernel: what DAD will do with a duplicate."""
        found = self.races.get(ip)
        if found is None or self.read:
            return None
        return f"{dad_outcome(found[0], found[1])}; the other answers"

    def sure_loss(self, place: Place, ip: IpAddr) -> Unusable | None:
        """For a design not read from a kernel: ``ip`` at ``place`` when it is sure to fail
        duplicate address detection (another holder has nodad, it has not), as the kernel
        would flag it — what ``--from ip@place`` sends from."""
        found = self.races.get(ip)
        if found is None or self.read:
            return None
        mine = [(k, e) for k, e in found if self.places.get(k) == place]
        sure = tuple(k for k, e in found if (k, e) not in mine and e.nodad)
        if not mine or mine[0][1].nodad or not sure:
            return None
        return Unusable(mine[0][0], place, ip, "dadfailed", sure)

    def source_race_text(self, place: Place, ip: IpAddr) -> str | None:
        """For a design not read from a kernel: what losing the race means for packets that
        ``place`` sends from ``ip``."""
        found = self.races.get(ip)
        if found is None or self.read:
            return None
        mine = [(k, e) for k, e in found if self.places.get(k) == place]
        others = [(k, e) for k, e in found if (k, e) not in mine]
        if not mine or mine[0][1].nodad:
            return None  # with nodad it never loses
        sure = [k for k, e in others if e.nodad]
        lose = (f"{mine[0][0]} fails duplicate address detection for {ip} ({sure[0]} holds it"
                " with nodad), so" if sure else
                f"if {mine[0][0]} loses duplicate address detection for {ip} (a race with"
                f" {', '.join(k for k, _e in others)}),")
        return (f"{lose} {place_label(place)} sends from its link-local address: its own"
                " link still answers, a router does not")

    def notes(self) -> list[str]:
        notes = []
        for ip, found in self.races.items():
            if not self.read:
                notes.append(f"{ip} is on {' and '.join(k for k, _e in found)}, on one"
                             f" segment: {dad_outcome(found[0], found[1])}")
        for unusable in self.unusable.values():
            notes.append(unusable.sentence())
        return notes


def read_states(topology: Topology, paths: Mapping[Place, str]) -> dict[tuple[str, str],
                                                                        AddressState]:
    """The tentative and DAD-failed IPv6 addresses of the design's interfaces, from the
    kernel of each place (namespace file by place)."""
    from netwright.backend.checks.netns import route_socket
    from netwright.backend.observe.addressing import (
        IFA_F_DADFAILED,
        IFA_F_TENTATIVE,
        ipv6_flags,
        link_addresses,
    )

    keys: dict[tuple[Place, str], str] = {
        (link.namespace, topology.kernel_name(key)): key
        for key, link in topology.interfaces.items()}
    found: dict[tuple[str, str], AddressState] = {}
    for place, path in paths.items():
        sock = route_socket(path)
        try:
            names = {link.index: name for name, link in link_addresses(sock).items()}
            for index, address, flags in ipv6_flags(sock):
                key = keys.get((place, names.get(index, "")))
                if key is None or not flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED):
                    continue
                found[(key, address)] = "dadfailed" if flags & IFA_F_DADFAILED else "tentative"
        finally:
            sock.close()
    return found



def dad_to_wait_for(topology: Topology) -> bool:
    """Whether a check of the deployed design must wait for duplicate address detection.

    Not when every IPv6 address of the design is ``nodad`` and no route goes through a
    link-local gateway: only the link-local addresses the kernel made for the interfaces
    then do DAD, and nothing probed uses them (the design's addresses send the probes and
    answer them). Otherwise every tentative address counts: a design address that loses
    its DAD falls back to sending from its link-local one.
    """
    gateways = [route.via for namespace in topology.namespaces.values()
                for route in namespace.routes if route.via is not None]
    gateways += [nic.gateway for nic in topology.host.nics.values() if nic.gateway is not None]
    if any(ipaddress.ip_address(str(gateway)).is_link_local for gateway in gateways):
        return True
    return any(entry.interface.version == 6 and not entry.nodad
               for link in topology.interfaces.values() for entry in static_entries(link))
