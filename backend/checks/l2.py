"""Layer 2: which devices receive the frames a device sends, by the Linux virtual-link rules.

Not a plain graph walk, because the rules are not transitive: two macvlan ``private``
children both reach the wire but not each other, and no child ever reaches its parent's own
stack (the parent never receives its children's frames; ../shared/kernel-facts.md). So the
walk has three moves, mirroring the kernel's paths:

- ``emit(d)``: frames sent by d's own stack;
- ``egress(p)``: frames a child pushes out through its parent p (p's wire, not p's stack);
- ``arrive(y)``: frames received on y from its wire (y's stack, its children, or — for a
  bridge port — the bridge and its other ports).

ipvlan ``l3``/``l3s`` children answer no ARP and are reached by routing, not here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from netwright.backend.checks.network import Network, lan_of
from netwright.backend.topology.model import Ipvlan, Macvlan, Veth, Vxlan
from netwright.backend.topology.sentence_names import interface_words


class Layer2:
    def __init__(self, network: Network) -> None:
        self.net = network
        self.emit = cache(self._emit)
        self.carrier = cache(self._carrier)
        self.no_carrier_reason = cache(self._no_carrier_reason)
        self.leaf_ports = cache(self._leaf_ports)
        # Why a vxlan's underlay cannot carry it to a peer (None when it can); set by the
        # explainer, which can walk the underlay's routes. Without it underlays are trusted.
        self.underlay_problem: Callable[[str, str], str | None] = lambda key, other: None

    # -- state -------------------------------------------------------------------------------

    def _carrier(self, key: str, _depth: int = 0) -> bool:
        """Whether ``key`` is up with carrier: a veth needs its peer up, a child its parent."""
        device = self.net.devices.get(key)
        if device is None or not device.up or _depth > 16:
            return False
        link = self.net.link(key)
        if isinstance(link, Veth):
            peer = self.net.devices.get(link.peer or "")
            return peer is not None and peer.up
        parent = getattr(link, "parent", None)
        if parent is not None:
            return self.carrier(parent, _depth + 1)
        if device.kind == "bridge":
            return any(self.carrier(p, _depth + 1) for p in self.net.ports.get(key, []))
        return True

    def _no_carrier_reason(self, key: str, _depth: int = 0) -> str | None:
        """Why ``key`` has no carrier, in words, or None if it has carrier."""
        if _depth > 16:
            return f"{interface_words(key)} is its own parent's parent (a loop)"
        device = self.net.devices.get(key)
        if device is None:
            return f"{interface_words(key)} does not exist"
        if not device.up:
            return f"{interface_words(key)} is down (state: down)"
        if self.carrier(key):
            return None
        link = self.net.link(key)
        if isinstance(link, Veth):
            peer = self.net.devices.get(link.peer or "")
            if peer is None:
                return f"veth {key} has no peer, so no carrier"
            return f"veth {key} has no carrier: its peer {peer.key} is down"
        parent = getattr(link, "parent", None)
        if parent is not None:
            inner = (self.no_carrier_reason(parent, _depth + 1)
                     or f"{interface_words(parent)} has no carrier")
            return f"{interface_words(key)} inherits its parent's carrier, and {inner}"
        if device.kind == "bridge":
            return f"bridge {key} has no port with carrier"
        return f"{interface_words(key)} has no carrier"

    # -- the three moves -----------------------------------------------------------------------

    def _emit(self, key: str) -> frozenset[str]:
        if not self.carrier(key):
            return frozenset()
        out: set[str] = set()
        self._emit_into(key, out, set())
        out.discard(key)
        return frozenset(out)

    def _emit_into(self, key: str, out: set[str], seen: set[tuple[str, str]]) -> None:
        device = self.net.devices[key]
        link = self.net.link(key)
        if device.kind == "nic":
            out.add(lan_of(key))
        elif device.kind == "lan":
            self._arrive(device.name, out, seen)
        elif isinstance(link, Veth):
            if link.peer in self.net.devices:
                self._arrive(link.peer, out, seen)
        elif device.kind == "bridge":
            for port in self.net.ports.get(key, []):
                self._egress(port, out, seen)
        elif isinstance(link, Macvlan | Ipvlan):
            if isinstance(link, Ipvlan) and link.mode != "l2":
                return
            out.update(s for s in self.siblings(key) if self.siblings_talk(key, s))
            if link.parent is not None:
                self._egress(link.parent, out, seen)
        elif isinstance(link, Vxlan):
            out.update(self.vxlan_peers(key))

    def _egress(self, key: str, out: set[str], seen: set[tuple[str, str]]) -> None:
        if ("egress", key) in seen or key not in self.net.devices or not self.carrier(key):
            return
        seen.add(("egress", key))
        device = self.net.devices[key]
        link = self.net.link(key)
        if device.kind == "nic":
            out.add(lan_of(key))
        elif isinstance(link, Veth):
            if link.peer in self.net.devices:
                self._arrive(link.peer, out, seen)
        elif device.kind == "bridge":
            for port in self.net.ports.get(key, []):
                self._egress(port, out, seen)
        elif isinstance(link, Vxlan):
            for peer in self.vxlan_peers(key):
                self._arrive(peer, out, seen)

    def _arrive(self, key: str, out: set[str], seen: set[tuple[str, str]]) -> None:
        if ("arrive", key) in seen:
            return
        seen.add(("arrive", key))
        device = self.net.devices.get(key)
        if device is None or not device.up:
            return
        link = self.net.link(key)
        master = link.master if link is not None else None
        if master is not None and master in self.net.devices:
            bridge = self.net.devices[master]
            if not bridge.up:
                return
            out.add(master)
            out.update(self.l2_children(master))
            leaves, reached = self.leaf_ports(master)
            out.update(reached - leaves[key] if key in leaves else reached)
            for port in self.net.ports.get(master, []):
                if port != key and port not in leaves:
                    self._egress(port, out, seen)
            return
        out.add(key)
        out.update(self.l2_children(key))

    def _leaf_ports(self, bridge: str) -> tuple[dict[str, frozenset[str]], frozenset[str]]:
        """The ports of ``bridge`` whose egress ends at once (a veth whose peer is on no
        bridge): what each reaches, and all of that together. An arrival on one port adds
        the others' without a walk per port: a mesh of N on one bridge made N × N steps
        (emit of each sender). The sets are disjoint (one peer each, its own children), so
        a port's own share comes off by difference; if they are not, no port is a leaf."""
        leaves: dict[str, frozenset[str]] = {}
        for port in self.net.ports.get(bridge, []):
            device = self.net.devices.get(port)
            link = self.net.link(port)
            if device is None or device.kind == "nic" or not isinstance(link, Veth) \
                    or not self.carrier(port) or link.peer not in self.net.devices:
                continue
            peer = self.net.devices[link.peer]
            peer_link = self.net.link(link.peer)
            if peer_link is not None and peer_link.master is not None \
                    and peer_link.master in self.net.devices:
                continue  # the peer is a bridge port: its arrival walks on
            leaves[port] = frozenset([link.peer, *self.l2_children(link.peer)]) if peer.up \
                else frozenset()
        reached = frozenset().union(*leaves.values())
        if len(reached) != sum(len(found) for found in leaves.values()):
            return {}, frozenset()
        return leaves, reached

    def path(self, start: str, end: str) -> list[str]:
        """The devices a frame would cross from ``start`` to ``end`` if every one were up
        (veth peers, bridge ports, parents and children), both ends included; [] if none."""
        previous: dict[str, str | None] = {start: None}
        queue = [start]
        for key in queue:
            if key == end:
                found = [key]
                while (before := previous[found[-1]]) is not None:
                    found.append(before)
                return found[::-1]
            link = self.net.link(key)
            neighbours: list[str | None] = [*self.net.ports.get(key, []),
                                            *self.net.children.get(key, [])]
            neighbours += [getattr(link, name, None) for name in ("peer", "master", "parent")]
            for other in neighbours:
                if other in self.net.devices and other not in previous:
                    previous[other] = key
                    queue.append(other)
        return []

    # -- sub-interfaces -------------------------------------------------------------------------

    def l2_children(self, key: str) -> list[str]:
        """Children that take frames off ``key``'s wire: macvlan and ipvlan l2, when up."""
        found = []
        for child in self.net.children.get(key, []):
            link = self.net.link(child)
            if not self.net.devices[child].up:
                continue
            if isinstance(link, Macvlan) or (isinstance(link, Ipvlan) and link.mode == "l2"):
                found.append(child)
        return found

    def siblings(self, key: str) -> list[str]:
        parent = getattr(self.net.link(key), "parent", None)
        if parent is None:
            return []
        return [c for c in self.net.children.get(parent, []) if c != key]

    def ipvlan_flag(self, parent: str) -> str:
        """The ipvlan flag is the parent's, set by the child created last (the kernel's rule)."""
        flag = "bridge"
        for child in self.net.children.get(parent, []):
            link = self.net.link(child)
            if isinstance(link, Ipvlan):
                flag = link.flag
        return flag

    def siblings_talk(self, a: str, b: str) -> bool:
        """Whether two children of one parent exchange frames inside the parent."""
        la, lb = self.net.link(a), self.net.link(b)
        if not (self.net.devices[a].up and self.net.devices[b].up):
            return False
        if isinstance(la, Macvlan) and isinstance(lb, Macvlan):
            return la.mode == "bridge" and lb.mode == "bridge"
        if isinstance(la, Ipvlan) and isinstance(lb, Ipvlan):
            return la.parent is not None and self.ipvlan_flag(la.parent) == "bridge"
        return False

    def sibling_rule(self, a: str, b: str) -> tuple[str, str] | None:
        """Why children a and b of one parent cannot talk, with the fix; None if they can."""
        la, lb = self.net.link(a), self.net.link(b)
        parent = getattr(la, "parent", None)
        if isinstance(la, Macvlan) and isinstance(lb, Macvlan):
            if la.mode == "bridge" and lb.mode == "bridge":
                return None
            odd = a if la.mode != "bridge" else b
            mode = la.mode if la.mode != "bridge" else lb.mode
            meaning = {
                "private": "macvlan private children never talk to each other",
                "vepa": "macvlan vepa sends every frame out to the switch, which must hairpin"
                " it back (most do not)",
                "passthru": "macvlan passthru gives the parent to one child only",
                "source": "macvlan source children accept only listed source MACs",
            }[mode]
            return (f"{a} and {b} are macvlans on {parent} and {odd} is in mode {mode}: {meaning}",
                    f"use mode bridge for every child of {parent} that must talk to its siblings")
        if isinstance(la, Ipvlan) and isinstance(lb, Ipvlan) and parent is not None:
            flag = self.ipvlan_flag(parent)
            if flag == "bridge":
                return None
            return (f"{a} and {b} are ipvlans on {parent} with flag {flag}: ipvlan {flag} children"
                    " do not talk to each other" + (" except through a hairpinning switch"
                                                     if flag == "vepa" else ""),
                    f"use flag bridge on the children of {parent}")
        return None

    def vxlan_peers(self, key: str) -> list[str]:
        """Other vxlans with the same VNI and UDP port that this one's remote or group points
        at."""
        link = self.net.link(key)
        if not isinstance(link, Vxlan):
            return []
        found = []
        for other_key, other in self.net.topology.interfaces.items():
            if other_key == key or not isinstance(other, Vxlan) or other.vni != link.vni \
                    or other.port != link.port:
                continue
            if not self.net.devices[other_key].up:
                continue
            same_group = link.group is not None and link.group == other.group
            remote_there = link.remote is not None and any(
                str(a) == link.remote
                for a in self.net.local_addresses(other.namespace, 4 if "." in link.remote else 6)
            )
            if (same_group or remote_there) and self.underlay_problem(key, other_key) is None:
                found.append(other_key)
        return found
