"""NAT on a predicted path: the first packet's translation, and conntrack's undoing of it.

The kernel evaluates NAT chains for the first packet of a connection only: a ``dnat`` in
prerouting rewrites the destination (published ports), a ``masquerade`` or ``snat`` in
postrouting the source. Conntrack remembers both per namespace and applies the inverse to
the replies — the destination back at prerouting, the source back at postrouting — without
looking at a rule again. ``Conntrack`` is that memory for one predicted flow. Pure.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field, replace

from netwright.backend.checks.filtering import Decision, Packet, UnreadableRuleError
from netwright.backend.checks.network import IpAddr, Place, place_label


@dataclass(frozen=True)
class Translation:
    place: Place
    kind: str  # dnat, snat, masquerade
    before: tuple[IpAddr, int | None]
    after: tuple[IpAddr, int | None]
    device: str | None = None  # the interface the translated packet leaves or arrived on


@dataclass
class Conntrack:
    """The translations a request received, by place, and the places it passed (where a
    reply is then 'established')."""

    translations: list[Translation] = field(default_factory=list)
    visited: set[Place] = field(default_factory=set)

    def state_at(self, place: Place) -> str:
        return "established" if place in self.visited else "new"

    def reply_prerouting(self, place: Place, packet: Packet) -> Packet:
        """A reply arriving: undo the source translation the request got here."""
        for t in self.translations:
            if t.place == place and t.kind != "dnat" and packet.dst == t.after[0]:
                return replace(packet, dst=t.before[0], dport=t.before[1] or packet.dport)
        return packet

    def reply_postrouting(self, place: Place, packet: Packet) -> Packet:
        """A reply leaving: undo the destination translation the request got here."""
        for t in self.translations:
            if t.place == place and t.kind == "dnat" and packet.src == t.after[0]:
                return replace(packet, src=t.before[0], sport=t.before[1] or packet.sport)
        return packet


def destination(decision: Decision, packet: Packet, place: Place,
                device: str | None) -> tuple[Packet, Translation]:
    """Apply a prerouting ``dnat`` statement."""
    spec = decision.nat or {}
    if decision.nat_kind != "dnat" or "addr" not in spec:
        raise UnreadableRuleError(f"{decision.text()} translates in a way the prediction"
                                  " does not model")
    address = ipaddress.ip_address(spec["addr"])
    port = spec.get("port", packet.dport)
    if not isinstance(port, int | None):
        raise UnreadableRuleError(f"{decision.text()} maps ports in a way the prediction"
                                  " does not model")
    after = replace(packet, dst=address, dport=port if packet.dport is not None else None)
    return after, Translation(place, "dnat", (packet.dst, packet.dport),
                              (after.dst, after.dport), device)


def source(decision: Decision, packet: Packet, place: Place, device: str,
           device_address: IpAddr | None) -> tuple[Packet, Translation]:
    """Apply a postrouting ``masquerade`` (the leaving device's address) or ``snat``."""
    spec = decision.nat or {}
    if decision.nat_kind == "masquerade":
        if device_address is None:
            raise UnreadableRuleError(f"{decision.text()} masquerades behind {device}, which has no"
                             f" IPv{packet.src.version} address in the design")
        address = device_address
    elif decision.nat_kind == "snat" and isinstance(spec.get("addr"), str):
        address = ipaddress.ip_address(spec["addr"])
    else:
        raise UnreadableRuleError(f"{decision.text()} translates in a way the prediction"
                                  " does not model")
    after = replace(packet, src=address)
    kind = decision.nat_kind or "snat"
    return after, Translation(place, kind, (packet.src, packet.sport), (address, packet.sport),
                              device)


def sentence(t: Translation, source_label: str, dst: IpAddr, names: dict[IpAddr, str]) -> str:
    """What a translation did, in words a docker user recognises."""
    if t.kind == "dnat":
        before = f"{t.before[0]}:{t.before[1]}" if t.before[1] else str(t.before[0])
        target = names.get(t.after[0], str(t.after[0]))
        after = f"{target}:{t.after[1]}" if t.after[1] else target
        return f"{source_label} → {before} reaches {after} (published in {place_label(t.place)})"
    return (f"{source_label} → {dst} leaves {t.device} as {t.after[0]}"
            f" ({t.kind} in {place_label(t.place)})")
