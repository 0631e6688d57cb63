"""Classes of pairs whose prediction is provably the same: explain one pair per class.

In a big flat segment (a mesh of N namespaces on one bridge) almost every pair is a namespace
with one interface sending to another such namespace's address on the same segment over the
connected route. The explanation of such a pair — route, neighbour, delivery, the reply's
way back, the path MTU — depends on the sender's interface only, never on which peer it talks
to, so one representative pair per sending interface is explained (``Explainer.predict``) and
its prediction stands for the others; only their neighbour entries are per pair.

A place joins a class only when nothing could make a prediction depend on its own addresses:
no rules anywhere (firewall, NAT), no rp_filter anywhere, no DAD state or race, one up
interface with carrier holding exactly one address of the version (held nowhere else), a
routing table with no route as specific as or more specific than that address's connected
route (no src route), loopback up, and a segment whose interfaces all have one MTU. Every
other pair is explained alone. (A link's impairment is no part of a prediction: the check
measures it afterwards, ``impaired.py``.) ``tests/checks/test_pair_classes.py`` compares
both ways on every example and on random topologies. Pure, like the explainer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from netwright.backend.checks.network import IpAddr, Place
from netwright.backend.checks.results import Prediction, Target
from netwright.backend.topology.model import Ipvlan, Macvlan, Veth

if TYPE_CHECKING:
    from netwright.backend.checks.explain import Explainer


@dataclass(frozen=True)
class Plain:
    """A place whose pairs of one IP version may share a class: its one interface and address."""

    place: Place
    key: str
    text: str  # the address, as a Target and a neighbour step write it
    segment: int  # one number per (version, subnet, layer-2 segment): peers share it
    emits: frozenset[str]  # the interfaces its frames reach


class PairClasses:
    """Plain places of one explainer and the prediction shared by each sending interface."""

    def __init__(self, explainer: Explainer) -> None:
        self.explainer = explainer
        self.by_place: dict[tuple[Place, int], Plain] = {}
        self.by_key: dict[tuple[str, int], Plain] = {}
        self._shared: dict[tuple[str, int], Prediction] = {}
        self._segments: dict[tuple[object, ...], int] = {}
        if explainer.flows is not None or explainer.dad.unusable or explainer.dad.races \
                or explainer.rp.active:
            return  # a rule, a filter or a DAD state may single out addresses: none is plain
        for place in explainer.net.topology.namespaces:
            for version in (4, 6):
                plain = self._plain(place, version)
                if plain is not None:
                    self.by_place[(place, version)] = plain
                    self.by_key[(plain.key, version)] = plain

    def _plain(self, place: Place, version: int) -> Plain | None:
        ex = self.explainer
        net = ex.net
        devices = net.by_place.get(place, [])
        if len(devices) != 1 or place in ex.loopback_down:
            return None
        device = devices[0]
        link = net.link(device.key)
        if not isinstance(link, Veth | Macvlan | Ipvlan) or (
                isinstance(link, Ipvlan) and link.mode != "l2"):
            return None
        if not device.up or ex.l2.no_carrier_reason(device.key) is not None:
            return None
        if sum(1 for a in device.addresses if a.version == version) != 1:
            return None
        ips = net.ips(device.key, version)
        if len(ips) != 1:
            return None
        network, address = ips[0]
        if [o.key for o in net.owners.get(address, [])] != [device.key]:
            return None
        connected = 0
        for route in ex.routing.table(place, version).routes:
            if route.network == network and route.dev == device.key and route.via is None \
                    and route.src is None:
                connected += 1
            elif route.network.overlaps(network) and \
                    route.network.prefixlen >= network.prefixlen:
                return None  # a route that may take some peers elsewhere
        if connected != 1 or not ex.mtu.uniform(device.key):
            return None
        segment = (version, network, ex.mtu.segment_of(device.key))
        number = self._segments.setdefault(segment, len(self._segments))
        return Plain(place, device.key, str(address), number, ex.l2.emit(device.key))

    def peer_of(self, target: Target, address: IpAddr) -> Plain | None:
        """The plain place holding ``target``'s address, if the target is a peer there (the
        same for every source: worked out once per target by ``Explainer.pairs``)."""
        if target.role != "peer":
            return None
        peer = self.by_key.get((target.owner, address.version))
        return peer if peer is not None and peer.text == target.address else None

    def between(self, source: Place, mine: Plain, peer: Plain, target: Target,
                address: IpAddr) -> Prediction | None:
        """The class's prediction for this pair (its neighbour entries recorded), or None
        when the pair belongs to no class and must be explained alone; ``mine`` is the
        sender's plain place (``by_place``, of the address's version), ``peer`` the
        target's (``peer_of``), both worked out once by ``Explainer.pairs``."""
        if (peer.place == source or peer.segment != mine.segment
                or peer.key not in mine.emits or mine.key not in peer.emits):
            return None
        version = address.version
        shared = self._shared.get((mine.key, version))
        if shared is None:  # the representative: explained in full
            shared = self._shared[(mine.key, version)] = self.explainer.predict(
                source, target, address)
            return shared
        steps = self.explainer.neighbour_steps
        steps.add((source, mine.key, peer.text, peer.key))  # the request's ARP/ND
        steps.add((peer.place, peer.key, mine.text, mine.key))  # the reply's
        return shared
