"""Predict, from the topology alone, which pairs reach each other, why, and how to fix it.

A pair is (source place, target address, role). The prediction walks an echo request the way
the kernel would — route lookup in the source, the next hop resolved over the virtual links
(``l2.Layer2``), forwarding in routers — and then walks the reply back from where the request
was accepted. Each walk ends in a Batfish-style disposition (delivered, no_route,
neighbor_unreachable, isolated …) with a sentence and, for failures, a fix. The rules follow
../shared/kernel-facts.md, which was measured on real kernels. Pure: no kernel access, so
the GUI can show predictions while the user designs.

Example::

    from netwright.backend.checks.explain import explain
    for pair in explain(topology, outside="203.0.113.114"):
        print(pair.source, pair.target.address, pair.predicted.verdict, pair.predicted.reason)
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace

from netwright.backend.checks.arpflux import ArpFlux, HostLan
from netwright.backend.checks.dad import AddressStates, Dad
from netwright.backend.checks.duplicates import Duplicates
from netwright.backend.checks.filtering import Ruleset
from netwright.backend.checks.flow import Flows, design_rulesets, has_rules
from netwright.backend.checks.host_routes import HostRoutes
from netwright.backend.checks.l2 import Layer2
from netwright.backend.checks.mtu import PathMtus, SizeJudgement
from netwright.backend.checks.network import (
    OUTSIDE,
    Device,
    HostForwarding,
    IpAddr,
    Network,
    Place,
    fast_ip,
    lan_of,
    place_label,
    place_name,
    place_owns,
)
from netwright.backend.checks.pair_classes import PairClasses
from netwright.backend.checks.results import Disposition, Pair, Prediction, Target
from netwright.backend.checks.routing import RouteEntry, Routing, Table
from netwright.backend.checks.rpfilter import ReversePath
from netwright.backend.checks.source import source_place, split_source
from netwright.backend.count_words import agreeing
from netwright.backend.dhcp.identity import shared_identity_notes
from netwright.backend.topology.model import Ipvlan, Macvlan, Topology, Vxlan, dhcp_interfaces
from netwright.backend.topology.sentence_names import interface_words
from netwright.backend.topology.validate_links import vxlan_mismatch

MAX_HOPS = 16
# A neighbour entry a packet needs: (place, out device, next hop, the device that answers
# ARP/ND for it, or None when nothing does).
Step = tuple[Place, str, str, str | None]


@dataclass(frozen=True)
class Walk:
    """Where one direction of a flow ended."""

    ok: bool
    place: Place
    disposition: Disposition
    reason: str
    fix: str | None = None
    first_hop: str = ""
    unroutable: bool = False  # the place's kernel found no route: "Network is unreachable"
    steps: tuple[Step, ...] = ()  # the neighbour entries the packet needs, hop by hop


def _fail(place: Place, disposition: Disposition, reason: str, fix: str | None,
          unroutable: bool = False) -> Walk:
    return Walk(False, place, disposition, reason, fix, "", unroutable)


class Explainer:
    """Predictions for one topology; build once, ask for many pairs."""

    def __init__(
        self, topology: Topology, outside: str | None = None,
        host_forwarding: HostForwarding = False,
        foreign: dict[Place, Ruleset] | None = None, bridge_nf: dict[int, bool] | None = None,
        *, probe_size: int | None = None, host_rp_filter: dict[str, int] | None = None,
        address_states: AddressStates | None = None,
        loopback_down: frozenset[Place] = frozenset(), forwarding_read: bool = False,
        observed: bool = False, host_lan: HostLan | None = None,
        host_routes: HostRoutes | None = None,
    ) -> None:
        """``foreign``: tables Netwright does not own, read from a kernel, by place;
        ``bridge_nf``: per IP version, whether bridged packets pass the IP hooks
        (net.bridge.bridge-nf-call-ip{,6}tables; 1 where br_netfilter is loaded);
        ``probe_size``: the packet size to judge every reachable pair at (None: each
        sender's MTU on its route; 0: no size judgement); ``host_rp_filter``: the host's
        rp_filter values by device name (``all`` included), read from a kernel;
        ``address_states``: IPv6 addresses tentative or failed in duplicate address
        detection, read from a kernel (None: the design alone, where a duplicate is a race);
        ``loopback_down``: places whose ``lo`` is down (an observed host's namespaces: a
        design's always have it up); ``forwarding_read``: ``host_forwarding`` was read from
        the host's kernel; ``observed``: ``topology`` is the live host as imported (check
        --host), no design, so the notes speak of what the kernels showed; ``host_lan``: the
        host's NICs, arp_ignore and routes to macvlan children, read from a kernel
        (``arpflux``); ``host_routes``: the host's routes read from its kernel, which route the
        host's own traffic when the design names no host gateway (None: not read, so such
        traffic is design-silent)."""
        self.probe_size = probe_size
        self.loopback_down = loopback_down
        self.dad = Dad(topology, address_states)
        self.net = Network(topology, outside, host_forwarding, self.dad.excluded(), host_routes)
        self.l2 = Layer2(self.net)
        if self.dad.without_carrier(topology, self.l2.no_carrier_reason):  # tentative for good
            self.net = Network(topology, outside, host_forwarding, self.dad.excluded(),
                               host_routes)
            self.l2 = Layer2(self.net)
        if forwarding_read:
            self.net.host_forwarding_origin = "kernel"
        self.net.observed = observed
        self.routing = Routing(self.net)
        self.mtu = PathMtus(self.net, self.l2, bridge_nf)
        self.rp = ReversePath(self.net, self.routing, host_rp_filter)
        self.flux = ArpFlux(self.net, self.routing, host_lan)
        self.flows: Flows | None = None
        self.foreign_read = foreign is not None  # a check read the kernel's other rules
        self.extra_notes: list[str] = []  # what other stages (the port probes) left out
        rulesets = design_rulesets(topology) if has_rules(topology) else {}
        for place, ruleset in (foreign or {}).items():
            merged = rulesets.setdefault(place, Ruleset())
            merged.chains.update(ruleset.chains)
            merged.sets.update(ruleset.sets)
            merged.foreign_tables += ruleset.foreign_tables
        if rulesets:
            self.flows = Flows(self, rulesets, bridge_nf)
            if bridge_nf is None and any(self.net.ports.values()):
                self.extra_notes.append(
                    "bridged traffic is assumed to pass the IP hooks too"
                    " (net.bridge.bridge-nf-call-iptables = 1, as wherever br_netfilter is"
                    " loaded, e.g. by docker); a check reads the kernel's own setting")
        self._walks: dict[tuple[Place, IpAddr], Walk] = {}
        self._reachable: dict[tuple[str, SizeJudgement | None], Prediction] = {}
        self._hops: dict[tuple[str, IpAddr | None], str] = {}
        # every neighbour entry the predicted packets need (requests and replies), gathered
        # as pairs are predicted: a big check pins them (see run.py)
        self.neighbour_steps: set[Step] = set()
        self._underlays: dict[str, str | None] = {}
        self.l2.underlay_problem = self.underlay_problem
        self.duplicates = Duplicates(self.net, self.l2)

    # -- what to probe -------------------------------------------------------------------------

    def sources(self) -> list[Place]:
        """Namespaces with a static address, then the host if the topology puts addresses on
        host-side interfaces it creates (host NICs alone do not make the host a source)."""
        places: list[Place] = [
            ns for ns in self.net.topology.namespaces if self.net.local_addresses(ns, 4)
            or self.net.local_addresses(ns, 6) or self.dad.at(ns)
        ]
        if any(d.addresses and d.kind not in ("nic", "lan") for d in self.net.by_place[None]):
            places.append(None)
        return places

    def targets(self) -> list[Target]:
        found: list[Target] = []
        for device in self.net.devices.values():
            if device.kind in ("nic", "lan"):
                continue
            for address in device.addresses:
                found.append(Target(str(address.ip), "peer", device.key, device.place,
                                    self.duplicates.label(f"{place_name(device.place)}/"
                                                          f"{device.key}", address.ip,
                                                          device.key)))
        for nic, gateway in self.net.gateways.items():
            for address in self.net.devices[nic].addresses:
                found.append(Target(str(address.ip), "parent", nic, None, self.duplicates.label(
                    f"{nic} (host NIC)", address.ip, nic)))
            found.append(Target(str(gateway.ip), "gateway", "gateway", lan_of(nic),
                                f"gateway of {nic}"))
        for nic in self.net.topology.host.nics:
            if nic not in self.net.gateways:
                for address in self.net.devices[nic].addresses:
                    found.append(Target(str(address.ip), "parent", nic, None,
                                        self.duplicates.label(f"{nic} (host NIC)",
                                                              address.ip, nic)))
        if self.net.outside is not None:
            found.append(Target(str(self.net.outside), "outside", "outside", OUTSIDE, "outside"))
        return found

    def outside_held(self) -> str:
        """Why the outside address named is no address beyond the gateway: the topology
        holds it ("" when it does not). Its pairs would be the holder's under another name,
        and the outside's own row (probing the published ports) would send from it."""
        outside = self.net.outside
        holders = self.net.owners.get(outside) if outside is not None else None
        if not holders:
            return ""
        device = holders[0]
        held = f"the gateway of {device.name}" if device.kind == "lan" else (
            f"{device.key} (host NIC)" if device.kind == "nic"
            else f"{place_name(device.place)}/{device.key}")
        return (f"--target-outside {outside} is held by {held} in the topology, which the"
                " check targets anyway: name an address beyond the gateway")

    def place_of_address(self, source: str) -> Place:
        """The place that sends from ``--from``'s ``ADDR`` or ``ADDR@NAMESPACE`` (source.py);
        a NetwrightError naming the address or namespace when none fits."""
        return source_place(source, self.net, self.dad)

    def pairs(self, source_address: str | None = None, *, by_class: bool = True) -> list[Pair]:
        """Every pair; with ``source_address``, only those from the place holding it, sent
        from that address (``check --from``) instead of the one the kernel would pick.
        ``by_class``: explain one pair per class of pairs whose prediction is provably the
        same (``pair_classes.py``); False explains every pair alone (the same result)."""
        targets = [(t, fast_ip(t.address)) for t in self.targets()]
        result = []
        chosen = fast_ip(split_source(source_address)[0]) if source_address else None
        classes = PairClasses(self) if by_class and chosen is None else None
        # per target, its version and its plain place (pair_classes.py), worked out once
        facts = [(t, a, a.version, classes.peer_of(t, a) if classes else None)
                 for t, a in targets]
        sources = [self.place_of_address(source_address)] if source_address else self.sources()
        for source in sources:
            versions = {a.version for a in self.net.local_addresses(source, 4)
                        + self.net.local_addresses(source, 6)}
            versions |= {u.ip.version for u in self.dad.at(source)}
            if chosen is not None:
                versions = {chosen.version}
            label = place_name(source)
            mine = {v: classes.by_place.get((source, v)) for v in (4, 6)} if classes else {}
            for candidate, address, version, peer in facts:
                if version not in versions:
                    continue
                target = candidate
                if target.place == source and target.role == "peer":
                    target = Target(target.address, "self", target.owner, target.place,
                                    target.label)
                own = mine.get(version) if peer is not None else None
                predicted = classes.between(source, own, peer, target, address) \
                    if classes and own is not None and peer is not None else None
                result.append(Pair.unprobed(label, target, predicted
                                            or self.predict(source, target, address, chosen)))
        return result

    def notes(self, *, any_pairs: bool = True) -> list[str]:
        """What the predictions leave out, in words. Without ``any_pairs`` the nothing-to-check
        sentence (nothing.py) already says why DHCP addresses give no pair."""
        notes = list(self.extra_notes) + self.dad.notes()
        outside = self.net.outside
        if outside is not None and any_pairs and not any(
                self.net.local_addresses(place, outside.version) for place in self.sources()):
            notes.append(f"nothing is predicted towards the outside address {outside}: no"
                         f" namespace (nor the host) has an IPv{outside.version} address to"
                         " send from")
        host = sorted(v for place, v in self.net.forwarding_asked if place is None)
        if host:
            notes.append("host forwarding: " + "; ".join(
                f"IPv{v} {'on' if self.net.forwards(None, v) else 'off'} —"
                f" {self.net.forwarding_origin(None, v)}" for v in host))
        if (host or self.flows is not None) and not self.foreign_read:
            notes.append("rules Netwright does not own (docker's, firewalld's, yours) are not"
                         " known to explain: a check of a deployment reads them from the"
                         " kernel (never changing them) and names them")
        dhcp = dhcp_interfaces(self.net.topology)
        if dhcp and any_pairs:
            notes.append(f"addresses from DHCP ({', '.join(dhcp)}) are neither predicted nor"
                         " probed: they are unknown before the lease")
        notes += shared_identity_notes(self.net.topology)
        stp = [key for key, link in self.net.topology.interfaces.items()
               if getattr(link, "stp", False)]
        if stp:
            notes.append(f"{agreeing(len(stp), 'bridge', 'bridges')} {', '.join(stp)}"
                         f" {agreeing(len(stp), 'runs', 'run')} STP: a port forwards only ~30 s"
                         " (twice the forward delay) after it comes up, so right after an apply"
                         " pairs through them fail although the design is sound")
        return notes

    # -- one pair ------------------------------------------------------------------------------

    def predict(self, source: Place, target: Target, dst: IpAddr | None = None,
                src: IpAddr | None = None) -> Prediction:
        """``src``: the address the probe is sent from (None: the one the kernel picks)."""
        dst = dst or ipaddress.ip_address(target.address)
        predicted = self._predict(source, target, dst, src)
        if self.duplicates.holders and self.net.is_local(source, dst):
            held = self.duplicates.local(source, dst, target.owner)
            if held:  # the target is another holder's: say the packet never got there
                return replace(predicted, reason=f"{predicted.reason}; {held}")
        return predicted

    def _predict(self, source: Place, target: Target, dst: IpAddr,
                 src: IpAddr | None) -> Prediction:
        if self.dad.unusable or (src is not None and self.dad.races):
            refused = self._refused_by_dad(source, dst, src)
            if refused is not None:
                return refused
        if source in self.loopback_down and self.net.is_local(source, dst):
            return Prediction("unreachable", "link_down",
                              f"{dst} is {place_owns(source)} own address, but its loopback"
                              " (lo) is down: a namespace reaches its own addresses over lo",
                              f"bring lo up in {place_label(source)} ('ip link set lo up'"
                              " there)")
        if self.flows is not None and self.net.is_local(source, dst):
            return self.flows.predict(source, dst, dst, "icmp")
        if self.net.is_local(source, dst):
            return Prediction("reachable", "accepted",
                              f"{dst} is {place_owns(source)} own address: delivered locally")
        src = src or self.source_address(source, dst)
        if self.flows is not None and src is not None:
            flow = self.flows.predict(source, src, dst, "icmp")
            if flow.disposition == "isolated":
                return self.flux.judge(source, dst, src) or flow
            if flow.verdict != "reachable":
                return flow
            # the path MTU over the hops the flow made, translations included
            there, back = (Walk(True, source, "delivered", "", steps=tuple(s for s, _ in hops))
                           for hops in self.flows.hops)
            said = [flow.reason, *self._duplicate_texts(source, dst, src, target,
                                                               forward=there, back=back)]
            return self._reachable_at(self._judge_size(source, dst, there, back),
                                      "; ".join(said))
        forward = self.walk(source, dst)
        failed = self.dad.unusable.get((target.owner, dst)) if self.dad.unusable else None
        if not forward.ok and failed is not None:
            return Prediction("unreachable", "address_unusable", failed.sentence(), failed.fix())
        if forward.disposition == "isolated" and src is not None:  # past it, by ARP flux?
            flux = self.flux.judge(source, dst, src)
            if flux is not None:
                return flux
        if not forward.ok:
            self.neighbour_steps.update(forward.steps)
            reason = forward.reason
            if forward.unroutable and forward.place == source:
                reason += ': "Network is unreachable"'  # the sender's own kernel says so
            return Prediction("unreachable", forward.disposition, reason, forward.fix)
        if src is None and dst.version == 6 and self.dad.at(source):
            return self._from_link_local(source, forward)
        if src is None:
            return Prediction("unreachable", "no_route",
                              f"{place_label(source)} has no IPv{dst.version} address to send from",
                              f"give {place_label(source)} an IPv{dst.version} address")
        replier = forward.place
        back = self.walk(replier, src)
        if not back.ok:
            self.neighbour_steps.update(forward.steps)
            disposition: Disposition = "no_route_back" if back.disposition == "no_route" \
                else back.disposition
            return Prediction("unreachable", disposition,
                              f"the request arrives but the reply cannot come back: {back.reason}",
                              back.fix)
        self.neighbour_steps.update(forward.steps)
        self.neighbour_steps.update(back.steps)
        filtered = self.rp.dropped(forward.steps, src)
        if filtered is not None:
            return Prediction("unreachable", "denied", "the request is dropped by reverse-path"
                              f" filtering: {filtered[0]}", filtered[1])
        filtered = self.rp.dropped(back.steps, dst)
        if filtered is not None:
            return Prediction("unreachable", "denied", "the request arrives but the reply is"
                              f" dropped by reverse-path filtering: {filtered[0]}", filtered[1])
        judgement = self._judge_size(source, dst, forward, back)
        duplicate = self._duplicate_texts(source, dst, src, target, forward=forward,
                                          back=back)
        if duplicate:
            return self._reachable_at(
                judgement, "; ".join([f"reachable over {forward.first_hop}", *duplicate]))
        if failed is not None:
            return self._reachable_at(
                judgement, f"reachable over {forward.first_hop}, answered by"
                f" {', '.join(failed.holders) or 'another holder'}: {failed.sentence()}")
        race = self.dad.source_race_text(source, src) if self.dad.races else None
        if race is not None and any(step[0] != source for step in forward.steps):
            return self._reachable_at(judgement, f"reachable over {forward.first_hop}; {race}")
        key = (forward.first_hop, judgement)
        shared = self._reachable.get(key)
        if shared is None:  # one object per first hop: a mesh has tens of thousands of pairs
            shared = self._reachable[key] = self._reachable_at(
                judgement, f"reachable over {forward.first_hop}")
        return shared

    def _refused_by_dad(self, source: Place, dst: IpAddr,
                        src: IpAddr | None) -> Prediction | None:
        """A packet to one's own unusable address, or sent from one, goes nowhere."""
        failed = next((u for u in self.dad.at(source) if u.ip == dst), None)
        if failed is not None:  # measured: even when another holder has it
            return Prediction("unreachable", "address_unusable",
                              f"{failed.sentence()}; a packet to it from"
                              f" {place_label(source)} goes nowhere", failed.fix())
        mine = next((u for u in self.dad.at(source) if u.ip == src), None) or (
            self.dad.sure_loss(source, src) if src is not None else None)
        if mine is not None:
            otherwise = ("its link-local address" if src is not None and src.version == 6
                         and not set(self.net.local_addresses(source, 6)) - {src}
                         else "another address")
            return Prediction("unreachable", "address_unusable", f"cannot send from {src}:"
                              f" {mine.sentence()} (\"Cannot assign requested address\");"
                              f" without a chosen source {place_label(source)} sends from"
                              f" {otherwise}", mine.fix())
        return None

    def _from_link_local(self, source: Place, forward: Walk) -> Prediction:
        """A place whose IPv6 addresses are all unusable sends from its link-local address
        (measured): enough on its own link, refused by any router ("Beyond scope of source
        address")."""
        lost = self.dad.at(source)[0]
        routers = [step[0] for step in forward.steps if step[0] != source]
        if not routers:
            self.neighbour_steps.update(forward.steps)
            return Prediction("reachable", "delivered", f"reachable over {forward.first_hop}"
                              f", sent from {place_owns(source)} link-local address because"
                              f" {lost.sentence()}", lost.fix())
        return Prediction("unreachable", "address_unusable",
                          f"{lost.sentence()}, so {place_label(source)} sends from its"
                          f" link-local address, which {place_label(routers[0])} does not"
                          " forward (\"Beyond scope of source address\")", lost.fix())

    def _duplicate_texts(self, source: Place, dst: IpAddr, src: IpAddr, target: Target, *,
                         forward: Walk, back: Walk) -> list[str]:
        """What duplicated addresses do to a reachable pair: which holder of ``dst``
        answers (or that DAD decides which), and whether the reply may go to another holder
        of ``src`` (duplicates.py)."""
        if not self.duplicates.holders:
            return []
        said = []
        reached = self.duplicates.reached(source, dst, target.owner, forward.steps,
                                          self.dad.race_text(dst))
        if reached:
            said.append(reached)
        # where DAD will leave one holder of src (the design alone), no reply goes astray
        astray = self.duplicates.reply_astray(source, src, forward.place, back.steps) \
            if self.dad.race_text(src) is None else ""
        if astray:
            said.append(astray)
        return said

    def _judge_size(self, source: Place, dst: IpAddr, forward: Walk,
                    back: Walk) -> SizeJudgement | None:
        if self.probe_size == 0:
            return None
        size = self.probe_size
        if size is None:
            route = self.routing.table(source, dst.version).lookup(dst)
            if route is None:
                return None
            size = self.mtu.of(route.dev)
        return self.mtu.judge(size, forward.steps, back.steps, dst.version)

    def _reachable_at(self, judgement: SizeJudgement | None, reason: str) -> Prediction:
        """A reachable prediction with its path MTU, and why full-size packets are dropped
        when they are."""
        if judgement is None:
            return Prediction("reachable", "delivered", reason)
        text, fix = self.mtu.describe(judgement)
        return Prediction("reachable", "delivered", f"{reason}; {text}", fix,
                          judgement.path_mtu, judgement.size,
                          "unreachable" if judgement.drop else "reachable",
                          self.mtu.send_failure(judgement))

    def source_address(self, place: Place, dst: IpAddr) -> IpAddr | None:
        """The address the kernel would send from: the route's ``src`` if it names one, else
        one on the outgoing device in the next hop's subnet, else that device's first, else
        any of the place's."""
        route = self.routing.table(place, dst.version).lookup(dst)
        if route is not None and route.src is not None:
            return route.src
        if route is not None:
            hop = route.via or dst
            mine = self.net.ips(route.dev, dst.version)
            for network, ip in mine:
                if hop in network:
                    return ip
            if mine:
                return mine[0][1]
        others = self.net.local_addresses(place, dst.version)
        return others[0] if others else None

    # -- walking -------------------------------------------------------------------------------

    def underlay_problem(self, key: str, other: str) -> str | None:
        """Why vxlan ``key`` cannot send to its ``remote`` (the namespace holding ``other``),
        or None when its underlay delivers there."""
        remote = getattr(self.net.link(key), "remote", None)
        if remote is None:
            return None  # multicast group: the underlay's multicast is not modelled
        if key not in self._underlays:
            self._underlays[key] = f"its underlay to {remote} is routed over {key} itself"
            walk = self.walk(self.net.devices[key].place, ipaddress.ip_address(remote))
            self._underlays[key] = (
                None if walk.ok else f"its underlay cannot reach the remote {remote}:"
                f" {walk.reason}")
            if walk.ok and walk.place != self.net.devices[other].place:
                return f"its remote {remote} is not in {place_label(self.net.devices[other].place)}"
        return self._underlays[key]

    def walk(self, place: Place, dst: IpAddr) -> Walk:
        """Where a packet for ``dst`` sent from ``place`` ends (remembered: in a mesh the
        reply of one pair is the request of another)."""
        key = (place, dst)
        found = self._walks.get(key)
        if found is None:
            found = self._walks[key] = self._send(place, dst, MAX_HOPS)
        return found

    def _send(self, place: Place, dst: IpAddr, ttl: int) -> Walk:
        """Route ``dst`` out of ``place`` and follow it until it is accepted or lost."""
        if ttl <= 0:
            return _fail(place, "beyond_model", f"routing loop towards {dst}",
                         "check the routes of the routers on the way")
        table = self.routing.table(place, dst.version)
        route = table.lookup(dst)
        down = self.routing.down_cause(place, dst)
        if down is not None and (route is None or down[0] > route.network.prefixlen):
            # a down interface took the route the design meant: it is the first cause, even
            # if the packet then leaves by a less specific route and fails further on
            cause = self._route_down(place, dst, down[1], route)
            if route is None:
                return cause
            onward = self._follow(place, dst, route, ttl)
            return onward if onward.ok else cause
        if route is None:
            return self._no_route(place, dst, table)
        return self._follow(place, dst, route, ttl)

    def _route_down(self, place: Place, dst: IpAddr, key: str, taken: RouteEntry | None) -> Walk:
        where, down = place_label(place), interface_words(key)
        reason = (f"{down} is down (state: down), so {where} has no route to {dst}"
                  if taken is None else f"{down} is down (state: down), so {where} lacks its"
                  f" route to {dst} and sends it by '{taken.text}' instead")
        return _fail(place, "link_down", reason, f"set 'state: up' on {key}", taken is None)

    def _follow(self, place: Place, dst: IpAddr, route: RouteEntry, ttl: int) -> Walk:
        link = self.net.link(route.dev)
        hop_text = self._hops.get((route.dev, route.via))
        if route.kernel:
            hop_text = (f"the host's own {route.text}, read from the kernel; the design does"
                        " not describe it")
        elif hop_text is None:
            hop_text = self._hops[(route.dev, route.via)] = self._describe_hop(route.dev,
                                                                                route.via)
        if isinstance(link, Ipvlan) and link.mode != "l2":
            walk = self._ipvlan_l3_out(route.dev, dst, ttl)  # no ARP/ND: no neighbour entry
            steps = walk.steps
        else:
            hop = route.via or dst
            walk, answering = self._over_link(route.dev, hop, dst, ttl)
            steps = ((place, route.dev, str(hop), answering), *walk.steps)
        if walk.ok:
            return Walk(True, walk.place, walk.disposition, walk.reason, None, hop_text, False,
                        steps)
        return replace(walk, steps=steps)

    def _over_link(self, out_dev: str, hop: IpAddr, dst: IpAddr,
                   ttl: int) -> tuple[Walk, str | None]:
        """Where the packet ends, and the device that answers ARP/ND for ``hop``."""
        place = self.net.devices[out_dev].place
        missing = self.l2.no_carrier_reason(out_dev)
        if missing:
            return _fail(place, "link_down", missing, self._up_fix(out_dev)), None
        receiver = self.resolve(out_dev, hop)
        if receiver is None:
            return self._diagnose(out_dev, hop, on_link=hop == dst), None
        return self._arrive(receiver.place, dst, ttl - 1), receiver.key

    def _ipvlan_l3_out(self, child: str, dst: IpAddr, ttl: int) -> Walk:
        """ipvlan l3/l3s: the parent switches by IP among siblings, else routes in its own
        namespace (no ARP on the children, no local delivery to the parent's addresses)."""
        link = self.net.link(child)
        assert isinstance(link, Ipvlan) and link.parent is not None
        missing = self.l2.no_carrier_reason(child)
        if missing:
            return _fail(self.net.devices[child].place, "link_down", missing,
                         self._up_fix(child))
        for sibling in self.l2.siblings(child):
            device = self.net.devices[sibling]
            if any(a.ip == dst for a in device.addresses):
                rule = self.l2.sibling_rule(child, sibling)
                if rule is not None:
                    return _fail(device.place, "isolated", *rule)
                if not device.up:
                    return _fail(device.place, "link_down", f"{sibling} is down",
                                 self._up_fix(sibling))
                return self._arrive(device.place, dst, ttl - 1)
        parent = self.net.devices[link.parent]
        if self.net.is_local(parent.place, dst):
            return self._isolation(child, link.parent, dst)
        return self._send(parent.place, dst, ttl - 1)

    def _arrive(self, place: Place, dst: IpAddr, ttl: int) -> Walk:
        if self.net.is_local(place, dst):
            return Walk(True, place, "delivered", "delivered")
        if place is not None and place.startswith("@lan:") and dst == self.net.outside:
            return Walk(True, place, "delivered", "delivered by the gateway")
        if not self.net.forwards(place, dst.version):
            key = "net.ipv4.ip_forward" if dst.version == 4 else "net.ipv6.conf.all.forwarding"
            where = place_label(place)
            if self.net.observed:  # the live host: nothing of it is Netwright's to set
                fix = (f"enable {key} on the host (Netwright does not change it)"
                       if place is None else f"enable {key} in namespace {place}")
            elif place is None:  # a design sets the host's forwarding (restored on destroy)
                fix = f"set 'forwarding: {{ipv{dst.version}: true}}' on the host (host.forwarding)"
            else:
                fix = f"set 'sysctls: {{{key}: 1}}' on namespace {place}"
            return _fail(place, "not_forwarded",
                         f"{where} receives the packet for {dst} but does not forward ({key} is"
                         f" off: {self.net.forwarding_origin(place, dst.version)})", fix)
        if (place is not None and place.startswith("@lan:")
                and self.routing.table(place, dst.version).lookup(dst) is None):
            return _fail(place, "beyond_model",
                         f"the gateway would route {dst} beyond what the topology describes",
                         None)
        return self._send(place, dst, ttl)

    def resolve(self, out_dev: str, hop: IpAddr) -> Device | None:
        """The device that answers ARP/ND for ``hop`` on ``out_dev``'s link, if any.

        IPv4 is weak-host (a namespace answers ARP for any of its addresses on any of its
        links); IPv6 neighbour discovery answers only for addresses on the receiving link.
        """
        receivers = self.l2.emit(out_dev)
        owners = self.net.owners.get(hop, [])
        for owner in owners:
            if owner.key in receivers:
                return owner
        if hop.version == 4:
            for owner in owners:
                for device in self.net.by_place.get(owner.place, []):
                    if device.key in receivers:
                        return device
        return None

    # -- explaining failures ---------------------------------------------------------------------

    def _diagnose(self, out_dev: str, hop: IpAddr, on_link: bool = False) -> Walk:
        """Why nothing answers ARP/ND for ``hop`` on ``out_dev``'s link; ``on_link``: the
        hop is the destination itself (on the sender's subnet), not a gateway."""
        place = self.net.devices[out_dev].place
        owners = self.net.owners.get(hop, [])
        if not owners and on_link:
            return _fail(place, "neighbor_unreachable",
                         f"{hop} is on {place_owns(place)} own subnet (sent straight out"
                         f" of {self.net.devices[out_dev].name}), and nothing in the topology"
                         f" holds it: its {'ARP' if hop.version == 4 else 'neighbour'}"
                         " request goes unanswered",
                         f"give {hop} to an interface on that link, or check a target that"
                         " something holds")
        if not owners:
            return _fail(place, "neighbor_unreachable",
                         f"nothing in the topology holds {hop}, the next hop from"
                         f" {place_label(place)}", "use a next hop that the topology defines")
        owner = owners[0]
        out_link, owner_link = self.net.link(out_dev), self.net.link(owner.key)
        if isinstance(owner_link, Ipvlan) and owner_link.mode != "l2":
            parent = owner_link.parent or "its parent"
            parent_ips = [str(a.ip) for a in self.net.devices[parent].addresses
                          if a.version == hop.version] if parent in self.net.devices else []
            via = parent_ips[0] if parent_ips else f"{parent}'s address"
            network = next((a.network for a in owner.addresses if a.ip == hop), hop)
            return _fail(place, "neighbor_unreachable",
                         f"{owner.key} is an ipvlan {owner_link.mode} child, which answers no"
                         f" ARP/ND: {place_label(place)} reaches {hop} only through a route via"
                         f" {parent}'s address",
                         f"in {place_label(place)} (the router), add a route to {network} via"
                         f" {via}")
        if getattr(out_link, "parent", None) == owner.key:
            return self._isolation(out_dev, owner.key, hop)
        if getattr(owner_link, "parent", None) == out_dev:
            return self._isolation(owner.key, out_dev, hop, reverse=True)
        if (out_link is not None and owner_link is not None
                and getattr(out_link, "parent", None) is not None
                and getattr(out_link, "parent", None) == getattr(owner_link, "parent", None)):
            rule = self.l2.sibling_rule(out_dev, owner.key)
            if rule is not None:
                return _fail(place, "isolated", *rule)
        between = [k for k in self.l2.path(out_dev, owner.key)[1:-1]
                   if not self.net.devices[k].up]
        if between:
            return _fail(place, "link_down",
                         f"{between[0]} is down (state: down): {hop}"
                         f" ({place_label(owner.place)}/{owner.key}) is wired to {out_dev}"
                         " through it, and frames stop there",
                         f"set 'state: up' on {between[0]}")
        missing = self.l2.no_carrier_reason(owner.key)
        if missing:
            return _fail(place, "link_down", f"{hop} is on {owner.key}, and {missing}",
                         self._up_fix(owner.key))
        if isinstance(out_link, Vxlan) and isinstance(owner_link, Vxlan):
            identity = self._vxlan_identity(out_link, out_dev, owner)
            if identity is not None:
                return _fail(place, "neighbor_unreachable",
                             f"vxlan {out_dev} carries nothing to {owner.key}: {identity[0]}",
                             identity[1])
            problem = self.underlay_problem(out_dev, owner.key)
            if problem is not None:
                return _fail(place, "neighbor_unreachable",
                             f"vxlan {out_dev} carries nothing to {owner.key}: {problem}",
                             f"make the underlay of {out_dev} reach {owner_link.local or 'the'}"
                             f" remote end in {place_label(owner.place)}")
        return _fail(place, "neighbor_unreachable",
                     f"{hop} ({place_label(owner.place)}/{owner.key}) is not on the link of"
                     f" {out_dev}: no frame from {out_dev} reaches it, so ARP/ND gets no answer",
                     f"connect {out_dev} and {owner.key} (one bridge, a veth pair, one parent),"
                     " or route through a router that both reach")

    def _vxlan_identity(self, link: Vxlan, key: str, owner: Device) -> tuple[str, str] | None:
        """A different VNI or UDP port at the end ``key``'s remote points at (a remote that
        does not point back is left to the walk: the far end learns the sender from its first
        frame, so whether it answers depends on who spoke first)."""
        other = self.net.link(owner.key)
        if link.remote is None or not isinstance(other, Vxlan) or (
                other.vni == link.vni and other.port == link.port):
            return None
        remote = ipaddress.ip_address(link.remote)
        if remote not in self.net.local_addresses(owner.place, remote.version):
            return None
        return vxlan_mismatch(self.net.topology, key, owner.key)

    def _isolation(self, child: str, parent: str, address: IpAddr, reverse: bool = False) -> Walk:
        link = self.net.link(child)
        kind = link.kind if isinstance(link, Ipvlan | Macvlan) else "sub-interface"
        place = self.net.devices[parent if reverse else child].place
        direction = (f"{parent}'s own stack cannot reach its child {child} ({address})" if reverse
                     else f"{child} cannot reach its parent {parent}'s own address {address}")
        # not "or route via the gateway": the host's reply to the child would leave by the
        # parent all the same (its subnet's route), which a design gives no other route
        fix = (f"give the host its own {kind} on {parent} and put the host address there"
               " (not on the parent)")
        if reverse:
            fix += (f"; a route through the gateway on {child}'s side alone does not help: the"
                    f" host's reply to {address} leaves by {parent} itself")
        return _fail(place, "isolated",
                     f"{kind} isolates children from their parent (the parent never receives"
                     f" its children's frames): {direction}", fix)

    def _no_route(self, place: Place, dst: IpAddr, table: Table) -> Walk:
        where = place_label(place)
        reason = f"{where} has no route to {dst}"
        silent = place is None and not self.net.gateways and not self.net.observed
        if silent and not self.net.host_routes_read:
            return _fail(place, "beyond_model",
                         f"whether the host reaches {dst} depends on the host's own routes,"
                         " which the design does not give (it names no host NIC with a"
                         " gateway); a check of the deployment reads them from the kernel",
                         "to predict it from the file, name the host's uplink NIC and its"
                         " gateway in the design")
        if not table.has_default:
            reason += (" (no default route: the design names no host gateway, and the"
                       " host's kernel, read for this check, has none)" if silent
                       else " (no default route)")
        if table.set_aside:
            reason += "; the kernel would refuse " + ", ".join(table.set_aside)
        if place is not None and place.startswith("@lan:"):
            return _fail(place, "no_route", reason.replace(where, "the gateway", 1),
                         self._router_fix(place, dst), True)
        same_link = self._same_link_other_subnet(place, dst)
        if same_link is not None:
            device, network = same_link
            return _fail(place, "no_route",
                         f"{reason}; {dst} is on the same link as {device.key} but in another"
                         f" subnet ({network}) and no router joins the subnets",
                         f"put both addresses in one subnet, or add 'to: {network}, dev:"
                         f" {device.name}' in {where} and a route back on the other side", True)
        gateway, why = self._gateway_for(place, dst.version), ""
        router = self._router_for(place, dst) if gateway is None and not table.has_default \
            else None
        if router is not None:  # no LAN's gateway here, but a router on a link that goes on
            gateway, why = router[0], (f": {place_label(router[1])} forwards and has a route"
                                       f" to {dst}")
        if gateway is not None:
            return _fail(place, "no_route", reason,
                         f"add a default route in {where}: 'routes: [{{to: default, via:"
                         f" {gateway}}}]' (default via {gateway})" + why, True)
        return _fail(place, "no_route", reason,
                     f"add a route to {dst} in {where} via a router that reaches it", True)

    def _router_for(self, place: Place, dst: IpAddr) -> tuple[IpAddr, Place] | None:
        """A router on one of ``place``'s links that would carry ``dst`` on: another place
        with an address in that link's subnet, forwarding on, and a route to ``dst`` that
        does not lead back over the same link. (The next hop a no-route fix can name.)"""
        for device in self.net.by_place.get(place, []):
            if device.kind in ("nic", "lan") or not device.up:
                continue
            receivers = self.l2.emit(device.key)
            subnets = [a.network for a in device.addresses if a.version == dst.version]
            for other in self.net.devices.values():
                if other.place == place or other.key not in receivers or \
                        other.kind in ("nic", "lan"):
                    continue
                hop = next((a.ip for a in other.addresses if any(
                    a.ip in n for n in subnets) and (other.key, a.ip) not in self.net.unusable),
                    None)
                if hop is None or not self.net.forwards(other.place, dst.version):
                    continue
                route = self.routing.table(other.place, dst.version).lookup(dst)
                if route is not None and route.dev != other.key:
                    return hop, other.place
        return None

    def _same_link_other_subnet(
        self, place: Place, dst: IpAddr
    ) -> tuple[Device, ipaddress.IPv4Network | ipaddress.IPv6Network] | None:
        for owner in self.net.owners.get(dst, []):
            for device in self.net.by_place.get(place, []):
                if device.kind in ("nic", "lan") or not device.up:
                    continue
                if owner.key in self.l2.emit(device.key):
                    network = next(a.network for a in owner.addresses if a.ip == dst)
                    return device, network
        return None

    def _gateway_for(self, place: Place, version: int) -> IpAddr | None:
        """A gateway on one of the place's links: a LAN router its frames reach."""
        for device in self.net.by_place.get(place, []):
            receivers = self.l2.emit(device.key) if device.up else frozenset()
            for nic, gateway in self.net.gateways.items():
                if gateway.version == version and lan_of(nic) in receivers and any(
                    gateway.ip in a.network for a in device.addresses
                ):
                    return gateway.ip
        return None

    def _router_fix(self, lan: str, dst: IpAddr) -> str:
        nic = lan.removeprefix("@lan:")
        for owner in self.net.owners.get(dst, []):
            link = self.net.link(owner.key)
            if isinstance(link, Ipvlan) and link.mode != "l2" and link.parent == nic:
                parent_ips = [a.ip for a in self.net.devices[nic].addresses
                              if a.version == dst.version]
                network = next(a.network for a in owner.addresses if a.ip == dst)
                via = parent_ips[0] if parent_ips else f"{nic}'s address"
                return (f"on the router (the gateway of {nic}), add a route to {network} via"
                        f" {via}: ipvlan {link.mode} children answer no ARP, so an on-link"
                        " route is not enough")
        return f"on the router (the gateway of {nic}), add a route back to {dst}"

    def _up_fix(self, key: str) -> str:
        device = self.net.devices.get(key)
        if device is not None and not device.up:
            return f"set 'state: up' on {key}"
        link = self.net.link(key)
        peer = getattr(link, "peer", None)
        if peer:
            return f"set 'state: up' on {peer}, the other end of {key}"
        parent = getattr(link, "parent", None)
        if parent:
            return f"give {parent} carrier (bring it and, for a veth, its peer up)"
        return f"bring {key} up with carrier"

    def _describe_hop(self, dev: str, via: IpAddr | None) -> str:
        device = self.net.devices[dev]
        link = self.net.link(dev)
        what = device.kind
        if device.kind == "lan":  # the wire behind a host NIC, its router the gateway
            return place_label(dev) + (f" via {via}" if via else "")
        if device.kind == "nic":
            what = "host NIC"
        if isinstance(link, Ipvlan):
            what = f"ipvlan {link.mode}"
        elif isinstance(link, Macvlan):
            what = f"macvlan {link.mode}"
        text = f"{dev} ({what})"
        return text + (f" via {via}" if via else "")


# Documentation addresses (RFC 5737, RFC 3849) that stand for "anything beyond the gateway"
# when no outside address is named; the IPv4 one is also the lab's outside address.
STAND_IN_OUTSIDE = {4: "203.0.113.114", 6: "2001:db8::114"}


def default_outside(topology: Topology) -> str | None:
    """The address to predict as "outside" when none is named: a documentation address of
    the family of the first host NIC gateway, or None when the topology has no gateway
    (then nothing lies beyond it). Used for predictions only: nothing is ever sent there."""
    for host_nic in topology.host.nics.values():
        if host_nic.gateway:
            return STAND_IN_OUTSIDE[ipaddress.ip_address(host_nic.gateway).version]
    return None


def explain(
    topology: Topology, outside: str | None = None, host_forwarding: HostForwarding = False,
    probe_size: int | None = None,
) -> list[Pair]:
    """Every (source, target, role) pair that matters, with its predicted verdict."""
    return Explainer(topology, outside, host_forwarding, probe_size=probe_size).pairs()
