""""Use another parent": the fix of a sub-interface whose parent is missing or unusable.

An ipvlan, macvlan or vlan needs a parent it can be built on: one that exists (a host NIC
listed in the design, or an interface of it), in the host or in the child's own namespace,
that is not itself an ipvlan or macvlan child, not a bridge port (ipvlan and macvlan: the
kernel answers EBUSY), and not already carrying children of the other multiplexing kind or
another ipvlan mode. This module lists the parents that pass, best first (one on the
subnet of the child's addresses, then host NICs, bridges, the rest), so the Problems dock
can offer them as one-click fixes. Pure data:
no Qt.
"""

from __future__ import annotations

import ipaddress

from netwright.gui.model.document import Edit
from netwright.gui.model.snapshot import Snapshot

PARENT_CODES = frozenset({"missing-parent", "parent-other-namespace", "parent-is-bridge-port",
                          "parent-wrong-kind"})
"""The problems whose fix is another parent."""
MAX_CHOICES = 8
_MULTIPLEXERS = ("ipvlan", "macvlan")
_CANNOT_HOST = frozenset({"ipvlan", "macvlan"})
_ORDER = {"nic": 0, "bridge": 1}


def parent_candidates(snapshot: Snapshot, key: str) -> list[str]:
    """The parents ``key`` could use instead of its own, best first (at most MAX_CHOICES)."""
    child = snapshot.interfaces.get(key, {})
    kind = snapshot.kind_of(key)
    current = child.get("parent")
    where = snapshot.namespace_of(key)
    found: list[tuple[int, str]] = [(_ORDER["nic"], nic) for nic in snapshot.nics]
    nets = _networks(snapshot.addresses_of(key))
    for other, link in snapshot.interfaces.items():
        other_kind = snapshot.kind_of(other)
        if other == key or other_kind in _CANNOT_HOST or other in snapshot.nics:
            continue
        if snapshot.namespace_of(other) not in (None, where):
            continue
        if kind in _MULTIPLEXERS and link.get("master"):
            continue  # a bridge port refuses ipvlan and macvlan children (EBUSY)
        if _descends_from(snapshot, other, key):
            continue
        found.append((_ORDER.get(other_kind, 2), other))
    ranked = sorted((rank - 10 * bool(nets & _networks(snapshot.addresses_of(name))), name)
                    for rank, name in found)
    usable = [name for _rank, name in ranked
              if name != current and _shares_well(snapshot, key, name)]
    return usable[:MAX_CHOICES]


def parent_edits(key: str, parent: str) -> tuple[Edit, ...]:
    return (Edit(("interfaces", key, "parent"), parent),)


def _networks(addresses: list[str]) -> set[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    nets = set()
    for address in addresses:
        try:
            nets.add(ipaddress.ip_interface(address).network)
        except ValueError:
            continue  # dhcp, or not an address yet
    return nets


def _shares_well(snapshot: Snapshot, key: str, parent: str) -> bool:
    """No sibling on ``parent`` of the other multiplexing kind or another ipvlan mode."""
    kind = snapshot.kind_of(key)
    if kind not in _MULTIPLEXERS:
        return True
    mode = snapshot.interfaces.get(key, {}).get("mode")
    for other, link in snapshot.interfaces.items():
        if other == key or link.get("parent") != parent:
            continue
        sibling = snapshot.kind_of(other)
        if sibling in _MULTIPLEXERS and sibling != kind:
            return False
        if kind == "ipvlan" == sibling and link.get("mode") != mode:
            return False
    return True


def _descends_from(snapshot: Snapshot, candidate: str, key: str) -> bool:
    """Whether ``candidate`` is built on ``key`` (directly or further down): a loop."""
    seen: set[str] = set()
    current: object = candidate
    while isinstance(current, str) and current in snapshot.interfaces and current not in seen:
        if current == key:
            return True
        seen.add(current)
        current = snapshot.interfaces[current].get("parent") or \
            snapshot.interfaces[current].get("dev")
    return False
