"""Which interfaces share a layer-2 segment, derived from the model alone.

Two ends of a veth pair, a bridge and its ports, a macvlan or ipvlan-l2 child and its parent,
vlans with one id on one parent, and vxlans with one VNI are each on one segment. Validation
uses it (addresses must agree with the segment's subnet, no duplicate address on a segment)
and so does the reachability explanation.
"""

from __future__ import annotations

from collections import defaultdict

from netwright.backend.topology.model import Ipvlan, Macvlan, Topology, Veth, Vlan, Vxlan


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        self.parent.setdefault(item, item)
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def segments(topology: Topology) -> dict[str, str]:
    """Map every interface key and host NIC name to a segment id (a representative key)."""
    uf = _UnionFind()
    known = set(topology.interfaces) | set(topology.host.nics)
    for name in known:
        uf.find(name)
    for key, link in topology.interfaces.items():
        if isinstance(link, Veth) and link.peer in known:
            uf.union(key, link.peer)
        if link.master in known:
            uf.union(key, link.master)
        if isinstance(link, Macvlan) and link.parent in known:
            uf.union(key, link.parent)
        if isinstance(link, Ipvlan) and link.mode == "l2" and link.parent in known:
            uf.union(key, link.parent)
    by_tag: dict[tuple[str, int], list[str]] = defaultdict(list)
    by_vni: dict[int, list[str]] = defaultdict(list)
    for key, link in topology.interfaces.items():
        if isinstance(link, Vlan) and link.parent in known:
            by_tag[(uf.find(link.parent), link.id)].append(key)
        if isinstance(link, Vxlan):
            by_vni[link.vni].append(key)
    for group in [*by_tag.values(), *by_vni.values()]:
        for other in group[1:]:
            uf.union(group[0], other)
    return {name: uf.find(name) for name in known}
