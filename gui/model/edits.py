"""What each designer action changes in the topology, as lists of ``Edit``s.

Pure functions of a ``Snapshot``: no Qt here, so the rules (which key a new veth pair gets,
what "wire these two ports" means for a bridge and a veth, what a delete takes with it) are
tested without a window, and the undo commands stay thin.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from netwright.backend.topology.problems import NetwrightError
from netwright.gui.model.document import DELETE, Edit
from netwright.gui.model.snapshot import SUB_INTERFACE_KINDS, Snapshot

PALETTE_KINDS = ("namespace", "nic", "bridge", "veth", "ipvlan", "macvlan", "vlan", "vxlan")
KEY_STEMS = {"namespace": "net", "nic": "eth", "bridge": "br", "veth": "veth",
             "ipvlan": "ipvlan", "macvlan": "macvlan", "vlan": "vlan", "vxlan": "vxlan"}

Relation = str  # "peer", "master", "parent", "dev"
Wire = tuple[Relation, str, str]  # (relation, from key, to key)


class EditRefusedError(NetwrightError):
    """A designer action that makes no sense here; the message says why and what works."""


def taken_keys(snapshot: Snapshot) -> set[str]:
    return {*snapshot.namespaces, *snapshot.interfaces, *snapshot.nics, *snapshot.layout}


def unique_key(taken: set[str], stem: str) -> str:
    """``stem`` followed by the smallest number not taken (``net1``, ``net2`` …)."""
    for number in itertools.count(1):
        key = f"{stem}{number}"
        if key not in taken:
            taken.add(key)
            return key
    raise AssertionError("unreachable")


def position(x: float, y: float) -> dict[str, float | int]:
    """A layout entry; whole numbers are written without '.0'."""
    return {"x": _number(x), "y": _number(y)}


def _number(value: float) -> float | int:
    rounded = round(value, 1)
    return int(rounded) if rounded == int(rounded) else rounded


VETH_SPREAD = 220.0  # a host veth pair's second end, right of the first, clear of it


def create_edits(
    snapshot: Snapshot, kind: str, namespace: str | None, x: float, y: float
) -> tuple[list[Edit], list[str]]:
    """Edits that create a palette item dropped at (x, y) into ``namespace`` (None = host).

    Returns the edits and the new keys. A veth pair is two interfaces naming each other;
    sub-interfaces take the first host NIC as their parent so the seed is two drops away.
    """
    if kind not in PALETTE_KINDS:
        raise EditRefusedError(f"'{kind}' is not something the palette can create")
    taken = taken_keys(snapshot)
    key = unique_key(taken, KEY_STEMS[kind])
    if kind == "namespace":
        return [Edit(("namespaces", key), {}), Edit(("layout", key), position(x, y))], [key]
    if kind == "nic":
        return [Edit(("host", "nics", key), {}), Edit(("layout", key), position(x, y))], [key]
    placed = [] if namespace else [Edit(("layout", key), position(x, y))]
    if kind == "veth":
        other = unique_key(taken, KEY_STEMS[kind])
        edits = [
            Edit(("interfaces", key), _interface("veth", namespace, peer=other)),
            Edit(("interfaces", other), _interface("veth", namespace, peer=key)),
            *placed,
        ]
        if not namespace:
            edits.append(Edit(("layout", other), position(x + VETH_SPREAD, y)))
        return edits, [key, other]
    fields: dict[str, Any] = {}
    parent = next(iter(snapshot.nics), None)
    if kind in SUB_INTERFACE_KINDS and parent is not None:
        fields["parent"] = parent
    if kind == "ipvlan":
        fields["mode"] = _sibling_mode(snapshot, parent) or "l2"
    if kind == "macvlan":
        fields["mode"] = "bridge"
    if kind == "vlan":
        used = {v.get("id") for v in snapshot.interfaces.values()
                if v.get("kind") == "vlan" and v.get("parent") == parent}
        fields["id"] = next(n for n in itertools.count(10, 10) if n not in used)
    if kind == "vxlan":
        used = {v.get("vni") for v in snapshot.interfaces.values() if v.get("kind") == "vxlan"}
        fields["vni"] = next(n for n in itertools.count(42) if n not in used)
    return [Edit(("interfaces", key), _interface(kind, namespace, **fields)), *placed], [key]


def _interface(kind: str, namespace: str | None, **fields: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"kind": kind, **fields}
    if namespace:
        entry["namespace"] = namespace
    return entry


def _sibling_mode(snapshot: Snapshot, parent: str | None) -> str | None:
    """The mode ipvlan siblings on ``parent`` use: the kernel keeps one mode per parent."""
    for link in snapshot.interfaces.values():
        if link.get("kind") == "ipvlan" and parent and link.get("parent") == parent:
            mode = link.get("mode")
            return str(mode) if mode else "l3"
    return None


# -- wires ------------------------------------------------------------------------------------


def wires_of(snapshot: Snapshot) -> list[Wire]:
    """Every relation the canvas draws: veth pairs once, bridge ports, parents, underlays."""
    known = {*snapshot.interfaces, *snapshot.nics}
    wires: list[Wire] = []
    for key, link in snapshot.interfaces.items():
        peer = link.get("peer")
        if link.get("kind") == "veth" and isinstance(peer, str) and peer in known:
            partner = snapshot.interfaces.get(peer, {})
            if partner.get("peer") != key or key < peer:
                wires.append(("peer", key, peer))
        for relation in ("master", "parent", "dev"):
            target = link.get(relation)
            if isinstance(target, str) and target in known and target != key:
                wires.append((relation, key, target))
    return wires


def remote_wires(snapshot: Snapshot) -> list[Wire]:
    """A vxlan's ``remote`` drawn as a wire to the interface or NIC that has that address
    (nothing when the address belongs to no one in the design)."""
    wires: list[Wire] = []
    for key, link in snapshot.interfaces.items():
        remote = link.get("remote")
        if link.get("kind") == "vxlan" and remote is not None:
            owner = snapshot.address_owner(remote)
            if owner is not None and owner != key:
                wires.append(("remote", key, owner))
    return wires


def drawn_wires(snapshot: Snapshot) -> list[Wire]:
    """What the canvas draws: every relation, and each vxlan's remote."""
    return wires_of(snapshot) + remote_wires(snapshot)


def wire_edits(snapshot: Snapshot, a: str, b: str) -> list[Edit]:
    """What "connect a to b" means for their kinds; EditRefusedError when it means nothing."""
    if a == b:
        raise EditRefusedError("drag to another port to connect two interfaces")
    kind_a, kind_b = snapshot.kind_of(a), snapshot.kind_of(b)
    if kind_a == "veth" and kind_b == "veth":
        return _pair_edits(snapshot, a, b)
    if kind_a == "bridge" and kind_b not in ("bridge", "nic"):
        return [Edit(("interfaces", b, "master"), a)]
    if kind_b == "bridge" and kind_a not in ("bridge", "nic"):
        return [Edit(("interfaces", a, "master"), b)]
    if kind_a in SUB_INTERFACE_KINDS:  # the port dragged from is the child
        return [Edit(("interfaces", a, "parent"), b)]
    if kind_b in SUB_INTERFACE_KINDS:
        return [Edit(("interfaces", b, "parent"), a)]
    if kind_a == "vxlan":
        return [Edit(("interfaces", a, "dev"), b)]
    if kind_b == "vxlan":
        return [Edit(("interfaces", b, "dev"), a)]
    raise EditRefusedError(
        f"a {kind_a} and a {kind_b} cannot be wired: connect two veth ends (a pair), a port to"
        " a bridge (membership), an ipvlan/macvlan/vlan to its parent, or a vxlan to its"
        " underlay"
    )


def _pair_edits(snapshot: Snapshot, a: str, b: str) -> list[Edit]:
    edits: list[Edit] = []
    for end in (a, b):
        old = snapshot.interfaces[end].get("peer")
        if (isinstance(old, str) and old not in (a, b) and old in snapshot.interfaces
                and snapshot.interfaces[old].get("peer") == end):
            edits.append(Edit(("interfaces", old, "peer"), DELETE))
    edits.append(Edit(("interfaces", a, "peer"), b))
    edits.append(Edit(("interfaces", b, "peer"), a))
    return edits


def unwire_edits(snapshot: Snapshot, wire: Wire) -> list[Edit]:
    relation, a, b = wire
    if relation == "master":
        return leave_bridge_edits(snapshot, a)
    edits = [Edit(("interfaces", a, relation), DELETE)]
    if relation == "peer" and snapshot.interfaces.get(b, {}).get("peer") == a:
        edits.append(Edit(("interfaces", b, "peer"), DELETE))
    return edits


# -- delete, move between namespaces, rename --------------------------------------------------


def delete_edits(snapshot: Snapshot, keys: Iterable[str], wires: Iterable[Wire] = ()) -> list[Edit]:
    """Delete items and wires. A namespace takes its interfaces; a veth end takes its peer;
    a deleted bridge releases its ports. References to a deleted parent stay, so the Problems
    dock says which children lost it."""
    doomed: set[str] = set()
    for key in keys:
        if key in snapshot.namespaces:
            doomed.add(key)
            doomed.update(snapshot.interfaces_in(key))
        elif key in snapshot.interfaces or key in snapshot.nics:
            doomed.add(key)
    for key in list(doomed):
        peer = snapshot.interfaces.get(key, {}).get("peer")
        if (snapshot.kind_of(key) == "veth" and isinstance(peer, str)
                and peer in snapshot.interfaces):
            doomed.add(peer)
    edits: list[Edit] = []
    for wire in wires:
        if wire[1] not in doomed:
            edits.extend(unwire_edits(snapshot, wire))
    for key, link in snapshot.interfaces.items():
        if key not in doomed and link.get("master") in doomed:
            edits.extend(leave_bridge_edits(snapshot, key))
    for key in sorted(doomed, key=_order(snapshot)):
        if key in snapshot.interfaces:
            edits.append(Edit(("interfaces", key), DELETE))
        elif key in snapshot.namespaces:
            edits.append(Edit(("namespaces", key), DELETE))
        elif key in snapshot.nics:
            edits.append(Edit(("host", "nics", key), DELETE))
        if key in snapshot.layout:
            edits.append(Edit(("layout", key), DELETE))
    return edits


def _order(snapshot: Snapshot) -> Any:
    every = [*snapshot.interfaces, *snapshot.namespaces, *snapshot.nics]
    order = {k: i for i, k in enumerate(every)}
    return lambda key: order.get(key, 0)


def reparent_edits(
    snapshot: Snapshot, key: str, namespace: str | None, x: float, y: float
) -> list[Edit]:
    """Move interface ``key`` into ``namespace`` (None = the host). A bridge port leaves its
    bridge when it leaves the bridge's namespace (a port must be in its bridge's namespace),
    and its port firewall with it (``leave_bridge_edits``)."""
    if key not in snapshot.interfaces:
        raise EditRefusedError(f"only interfaces move between namespaces; {key} is not one")
    if snapshot.namespace_of(key) == namespace:
        return []
    edits = [Edit(("interfaces", key, "namespace"), namespace if namespace else DELETE)]
    master = snapshot.interfaces[key].get("master")
    if isinstance(master, str) and master in snapshot.interfaces \
            and snapshot.namespace_of(master) != namespace:
        edits.extend(leave_bridge_edits(snapshot, key))
    if namespace is None:
        edits.append(Edit(("layout", key), position(x, y)))
    elif key in snapshot.layout:
        edits.append(Edit(("layout", key), DELETE))
    return edits


def leave_bridge_edits(snapshot: Snapshot, key: str) -> list[Edit]:
    """Interface ``key`` no longer a bridge port: its ``master`` goes, and its port firewall
    (to-port, from-port, anti-spoofing) with it, in the same step. The rules are the
    bridge's rules for that port; left behind, they were an error ("has port-firewall rules
    but is not a port of a bridge") on an interface that had moved on. Undo brings both."""
    edits = [Edit(("interfaces", key, "master"), DELETE)]
    if snapshot.interfaces.get(key, {}).get("port-firewall") is not None:
        edits.append(Edit(("interfaces", key, "port-firewall"), DELETE))
    return edits


def bridge_port_edits(snapshot: Snapshot, key: str, bridge: str) -> list[Edit]:
    """Interface ``key`` made a port of host-level bridge ``bridge`` (an interface dropped on
    the bridge's box): a port sits in its bridge's namespace and is drawn inside its box, so
    it leaves a namespace it was in and loses a position of its own."""
    if key not in snapshot.interfaces:
        raise EditRefusedError(f"only interfaces can be bridge ports; {key} is not one")
    if snapshot.kind_of(bridge) != "bridge" or snapshot.namespace_of(bridge) is not None:
        raise EditRefusedError(f"{bridge} is not a bridge of the host")
    if key == bridge or snapshot.kind_of(key) == "bridge":
        raise EditRefusedError(f"bridge {key} cannot be a port of bridge {bridge} (the kernel"
                               " refuses bridge-in-bridge): join them with a veth pair")
    link = snapshot.interfaces[key]
    edits: list[Edit] = []
    if snapshot.namespace_of(key) is not None:
        edits.append(Edit(("interfaces", key, "namespace"), DELETE))
    if link.get("master") != bridge:
        edits.append(Edit(("interfaces", key, "master"), bridge))
    if edits and key in snapshot.layout:
        edits.append(Edit(("layout", key), DELETE))
    return edits


def rename_edits(snapshot: Snapshot, tree_get: Any, old: str, new: str) -> list[Edit]:
    """Rename a namespace, interface or host NIC key and every reference to it.

    ``tree_get(path)`` reads the live tree so the very node (with its comments) moves to the
    new key at the same position.
    """
    if new == old:
        return []
    if new in taken_keys(snapshot):
        raise EditRefusedError(f"'{new}' is already used in this topology; choose another name")
    if old in snapshot.namespaces:
        section: tuple[str, ...] = ("namespaces",)
    elif old in snapshot.interfaces:
        section = ("interfaces",)
    elif old in snapshot.nics:
        section = ("host", "nics")
    else:
        raise EditRefusedError(f"there is no '{old}' to rename")
    keys = list(tree_get(section) or {})
    edits = [
        Edit((*section, old), DELETE),
        Edit((*section, new), tree_get((*section, old)), keys.index(old)),
    ]
    if old in snapshot.layout:
        layout_keys = list(tree_get(("layout",)) or {})
        edits += [Edit(("layout", old), DELETE),
                  Edit(("layout", new), tree_get(("layout", old)), layout_keys.index(old))]
    fields = ("namespace",) if section == ("namespaces",) else ("master", "peer", "parent", "dev")
    for key, link in snapshot.interfaces.items():
        owner = new if key == old else key
        for field in fields:
            if link.get(field) == old:
                edits.append(Edit(("interfaces", owner, field), new))
    return edits


# -- copy and paste ---------------------------------------------------------------------------


def copy_fragment(snapshot: Snapshot, keys: Iterable[str]) -> dict[str, Any]:
    """The selected namespaces (with their interfaces) and interfaces, as plain data."""
    chosen = set(keys)
    namespaces = {k: snapshot.namespaces[k] for k in chosen if k in snapshot.namespaces}
    interfaces = {k: dict(v) for k, v in snapshot.interfaces.items()
                  if k in chosen or snapshot.namespace_of(k) in namespaces}
    for link in interfaces.values():
        if link.get("kind") == "veth" and link.get("peer") not in interfaces:
            link.pop("peer", None)
    layout = {k: snapshot.layout[k] for k in [*namespaces, *interfaces] if k in snapshot.layout}
    return {"namespaces": namespaces, "interfaces": interfaces,
            "layout": {k: list(v) for k, v in layout.items()}}


def paste_edits(
    snapshot: Snapshot, fragment: dict[str, Any], dx: float = 40, dy: float = 40
) -> tuple[list[Edit], list[str]]:
    """Insert a copied fragment under fresh keys; references inside it follow the renames.

    An interface pasted with its namespace keeps its kernel name (``eth0`` stays ``eth0``
    in the copy, where nothing else has it: the namespace's firewall rules and routes name
    it so); one pasted alone loses it, since the original's place already has that name.
    """
    taken = taken_keys(snapshot)
    namespaces = fragment.get("namespaces") or {}
    interfaces = fragment.get("interfaces") or {}
    renames = {old: unique_key(taken, _stem(old)) for old in [*namespaces, *interfaces]}
    edits: list[Edit] = []
    for old, value in namespaces.items():
        edits.append(Edit(("namespaces", renames[old]), dict(value)))
    for old, value in interfaces.items():
        link = dict(value)
        pasted_with_namespace = link.get("namespace") in namespaces
        for field in ("namespace", "master", "peer", "parent", "dev"):
            if link.get(field) in renames:
                link[field] = renames[link[field]]
        if not pasted_with_namespace:
            link.pop("name", None)  # the kernel name would clash with the original's
        edits.append(Edit(("interfaces", renames[old]), link))
    for old, (x, y) in (fragment.get("layout") or {}).items():
        if old in renames:
            edits.append(Edit(("layout", renames[old]), position(x + dx, y + dy)))
    return edits, list(renames.values())


def _stem(key: str) -> str:
    return key.rstrip("0123456789") or "item"
