"""A flow through the firewall and NAT hooks on its routed path: request, then reply.

The explainer's routing walk says which places and devices a packet crosses; this module
replays that path hook by hook as the kernel runs them — output (or forward) and postrouting
NAT where the packet leaves a place, the bridge family where it crosses a bridge (and, with
``bridge-nf-call-iptables``, the IPv4 forward hook of the bridge's namespace), prerouting NAT
and input where it arrives — then walks the reply back with conntrack (established where the
request passed, translations undone). The first hook that drops names the deciding rule or
policy and offers one edit as the fix; translations become sentences in the reason. Pure:
the rulesets are built from the design, plus foreign tables the caller read from a kernel.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from netwright.backend.checks import nat
from netwright.backend.checks.filtering import (
    BaseChain,
    Decision,
    Packet,
    Ruleset,
    UnreadableRuleError,
    run_hook,
)
from netwright.backend.checks.network import IpAddr, Place, place_label, place_owns
from netwright.backend.checks.results import Prediction
from netwright.backend.nft.ruleset import places_tables
from netwright.backend.topology.model import Bridge, Topology

if TYPE_CHECKING:  # the explainer builds Flows around itself
    from netwright.backend.checks.explain import Explainer

Step = tuple[Place, str, str, str | None]
EPHEMERAL_PORT = 40000  # a client's source port, as the kernel picks them (32768–60999)
MAX_SEGMENTS = 4  # a destination translated more often than this is a loop


def design_rulesets(topology: Topology) -> dict[Place, Ruleset]:
    """The rules the design puts in each place, as the engine would install them."""
    found: dict[Place, Ruleset] = {}
    for place, tables in places_tables(topology, (None, *topology.namespaces)).items():
        if tables:
            ruleset = found[place] = Ruleset()
            for table in tables:
                ruleset.add_listing(table.body(), table.texts)
    return found


def has_rules(topology: Topology) -> bool:
    spaces = [topology.host, *topology.namespaces.values()]
    return (any(s.firewall is not None or s.nat for s in spaces)
            or any(link.port_firewall is not None for link in topology.interfaces.values()))


@dataclass
class Leg:
    """One direction of a flow: where it ended, and why."""

    ok: bool
    packet: Packet
    place: Place
    reason: str = ""
    fix: str | None = None
    disposition: str = "delivered"
    accepted_by: list[str] = field(default_factory=list)
    # every hop the packet made (place, out device, next hop, receiving device) with its
    # source address as received there (after source NAT): for rp_filter and the path MTU
    hops: list[tuple[Step, IpAddr]] = field(default_factory=list)


class DeniedError(Exception):
    """A hook dropped the packet: ``leg`` says where and why."""

    def __init__(self, leg: Leg) -> None:
        self.leg = leg


class Flows:
    """Predictions with rules for one explainer (its routing and layer-2 model)."""

    def __init__(self, explainer: Explainer, rulesets: dict[Place, Ruleset],
                 bridge_nf: dict[int, bool] | None = None) -> None:
        self.ex = explainer
        self.net = explainer.net
        self.rulesets = rulesets
        self.bridge_nf = {4: True, 6: True} if bridge_nf is None else bridge_nf
        self.unsure: list[str] = []  # rules that could not be read, for the current flow
        self.delivered_at: Place | str = "nowhere"  # where the last flow's request ended
        # the hops of the last flow's request and reply (empty when it failed or stayed local)
        self.hops: tuple[list[tuple[Step, IpAddr]], list[tuple[Step, IpAddr]]] = ([], [])

    # -- the pair ------------------------------------------------------------------------------

    def predict(self, source: Place, src: IpAddr, dst: IpAddr, proto: str,
                port: int | None = None, *, label: str | None = None) -> Prediction:
        """Request and reply of one flow (``proto`` tcp, udp or icmp) through every hook;
        ``label``: how the reason names the source (its place's name by default)."""
        if proto == "icmp" and dst.version == 6:
            proto = "ipv6-icmp"
        ports = (EPHEMERAL_PORT, port) if proto in ("tcp", "udp") else (None, None)
        request = Packet(src, dst, proto, *ports)
        track = nat.Conntrack()
        self.unsure = []
        try:
            prediction = self._predict(source, request, track, label or place_label(source))
        except (KeyError, TypeError, ValueError) as exc:  # a listed rule of an odd shape
            return Prediction("unreachable", "beyond_model",
                              f"a rule the prediction cannot read decides (its JSON has an"
                              f" unexpected shape: {exc!r})", None)
        if not self.unsure:
            return prediction
        doubt = "; ".join(dict.fromkeys(self.unsure))
        return replace(prediction, reason=f"{prediction.reason} (unsure: {doubt})")

    def _predict(self, source: Place, request: Packet, track: nat.Conntrack,
                 label: str) -> Prediction:
        src, dst, proto = request.src, request.dst, request.proto
        self.hops = ([], [])
        if self.net.is_local(source, dst):
            self.delivered_at = source
            return self._local(source, request, track)
        try:
            there = self.leg(source, request, track, reply=False)
            self.delivered_at = there.place if there.ok else "nowhere"
            if not there.ok:
                return self._failed(there, reply=False)
            back_packet = Packet(there.packet.dst, there.packet.src, proto,
                                 there.packet.dport, there.packet.sport)
            back = self.leg(there.place, back_packet, track, reply=True)
        except UnreadableRuleError as exc:
            return Prediction("unreachable", "beyond_model",
                              f"a rule the prediction cannot read decides: {exc}", None)
        if not back.ok:
            return self._failed(back, reply=True)
        for leg, what in ((there, "the request is"),
                          (back, "the request arrives but the reply is")):
            filtered = self._reverse_path(leg)
            if filtered is not None:
                return Prediction("unreachable", "denied", f"{what} dropped by reverse-path"
                                  f" filtering: {filtered[0]}", filtered[1])
        self.hops = (there.hops, back.hops)
        if back.packet.src != dst or back.packet.dst != src:
            return Prediction("unreachable", "no_route_back",
                              f"the reply comes back from {back.packet.src} to"
                              f" {back.packet.dst}, not from {dst}: the translation is not"
                              " undone on its way (an asymmetric path)", None)
        reason = f"reachable over {self.ex.walk(source, dst).first_hop or 'its path'}"
        names = self._names()
        names[there.packet.dst] = place_label(there.place)  # a duplicate's: the one reached
        said = [nat.sentence(t, label, dst, names) for t in track.translations]
        if said:
            reason += "; " + "; ".join(said)
        if there.accepted_by:
            reason += "; allowed by " + there.accepted_by[-1]
        if back.accepted_by:
            reason += "; its reply by " + back.accepted_by[-1]
        return Prediction("reachable", "delivered", reason)

    def _reverse_path(self, leg: Leg) -> tuple[str, str] | None:
        """rp_filter on each hop of a leg, judged with the source as it arrived there."""
        for hop, source in leg.hops:
            filtered = self.ex.rp.dropped((hop,), source)
            if filtered is not None:
                return filtered
        return None

    def _local(self, place: Place, request: Packet, track: nat.Conntrack) -> Prediction:
        """To one's own address: output and input over lo, both ways."""
        reply = Packet(request.dst, request.src, request.proto, request.dport, request.sport)
        accepted: list[str] = []
        is_reply = False  # the reply to oneself has the request's addresses: say which died
        try:
            for packet, is_reply in ((request, False), (reply, True)):
                self._filter(place, "output", packet.at(None, "lo"), track, reply=is_reply,
                             accepted=accepted)
                self._filter(place, "input", packet.at("lo", None), track, reply=is_reply,
                             accepted=accepted)
                track.visited.add(place)
        except DeniedError as denied:
            return self._failed(denied.leg, reply=is_reply)
        except UnreadableRuleError as exc:
            return Prediction("unreachable", "beyond_model",
                              f"a rule the prediction cannot read decides: {exc}", None)
        return Prediction("reachable", "accepted",
                          f"{request.dst} is {place_owns(place)} own address: delivered"
                          " locally" + (f"; allowed by {accepted[-1]}" if accepted else ""))

    def _failed(self, leg: Leg, reply: bool) -> Prediction:
        reason = leg.reason
        disposition = leg.disposition
        if reply:
            reason = f"the request arrives but the reply cannot come back: {reason}"
            if disposition == "no_route":
                disposition = "no_route_back"
        return Prediction("unreachable", disposition, reason, leg.fix)  # type: ignore[arg-type]

    def _names(self) -> dict[IpAddr, str]:
        return {address: place_label(owners[0].place) for address, owners
                in self.net.owners.items() if owners}

    # -- one direction -------------------------------------------------------------------------

    def leg(self, place: Place, packet: Packet, track: nat.Conntrack, reply: bool) -> Leg:
        accepted: list[str] = []
        hops: list[tuple[Step, IpAddr]] = []
        try:
            found = self._leg(place, packet, track, reply, accepted, hops)
        except DeniedError as denied:
            return denied.leg
        found.hops = hops
        return found

    def _leg(self, place: Place, packet: Packet, track: nat.Conntrack, reply: bool,  # noqa: PLR0917
             accepted: list[str], hops: list[tuple[Step, IpAddr]]) -> Leg:
        in_name: str | None = None
        for _segment in range(MAX_SEGMENTS):
            # the hooks come first, hop by hop, also on a path that fails further on: a
            # router's prerouting may translate the destination to one it reaches
            walk = self.ex.walk(place, packet.dst)
            lost = None if walk.ok else Leg(False, packet, walk.place, walk.reason, walk.fix,
                                            walk.disposition)
            translated = False
            for step_place, out_dev, _hop, answering in walk.steps:
                if step_place != place:  # an ipvlan l3 hop the walk does not list
                    place, in_name = step_place, None
                out_name = self.net.devices[out_dev].name
                hook = "output" if in_name is None else "forward"
                packet = self._filter(place, hook, packet.at(in_name, out_name), track,
                                      reply=reply, accepted=accepted)
                packet = self._postrouting(place, packet, out_name, track, reply)
                track.visited.add(place)
                if answering is None:
                    break
                hops.append(((place, out_dev, _hop, answering), packet.src))
                if packet.dst.version == 6:
                    self._neighbour_discovery(place, out_dev, answering, packet, track)
                self._bridges(out_dev, answering, packet, track, reply=reply, accepted=accepted)
                place = self.net.devices[answering].place
                in_name = self.net.devices[answering].name
                before = packet.dst
                packet = self._prerouting(place, packet.at(in_name, None), track, reply)
                if packet.dst != before and not self.net.is_local(place, packet.dst):
                    translated = True
                    break  # translated elsewhere: route again from here
            else:
                return lost or self._deliver(place, packet, in_name, track, reply=reply,
                                             accepted=accepted)
            if lost is not None and not translated:
                return lost
            if self.net.is_local(place, packet.dst):
                return self._deliver(place, packet, in_name, track, reply=reply,
                                     accepted=accepted)
            if answering is None:
                return self._deliver(place, packet, in_name, track, reply=reply,
                                     accepted=accepted)
            if not self.net.forwards(place, packet.dst.version):
                return Leg(False, packet, place,
                           f"{place_label(place)} translates the destination to {packet.dst}"
                           " but does not forward", None, "not_forwarded")
        return Leg(False, packet, place, "the destination is translated again and again",
                   None, "beyond_model")

    def _deliver(self, place: Place, packet: Packet, in_name: str | None,
                 track: nat.Conntrack, *, reply: bool, accepted: list[str]) -> Leg:
        if self.net.is_local(place, packet.dst):
            packet = self._filter(place, "input", packet.at(in_name, None), track,
                                  reply=reply, accepted=accepted)
            track.visited.add(place)
        return Leg(True, packet, place, accepted_by=accepted)

    # -- hooks ---------------------------------------------------------------------------------

    def _filter(self, place: Place, hook: str, packet: Packet, track: nat.Conntrack, *,
                reply: bool = False, accepted: list[str] | None = None,
                bridge: bool = False) -> Packet:
        ruleset = self.rulesets.get(place)
        if packet.state != "invalid":  # neighbour discovery is never tracked
            packet = replace(packet, state=track.state_at(place) if reply else "new")
        if not ruleset:
            return packet
        decision = run_hook(ruleset, hook, packet, bridge=bridge, unsure=self.unsure)
        if decision.passes:
            if decision.rule is not None and accepted is not None:
                accepted.append(decision.text())
            return packet
        raise DeniedError(self._denied(place, hook, packet, decision, reply))

    def _nat(self, place: Place, hook: str, packet: Packet) -> Decision | None:
        """The translation a NAT chain of ``hook`` gives a new connection here, if any."""
        ruleset = self.rulesets.get(place)
        if not ruleset:
            return None
        decision = run_hook(ruleset, hook, packet, "nat", unsure=self.unsure)
        return decision if decision.nat is not None else None

    def _postrouting(self, place: Place, packet: Packet, out_name: str,
                     track: nat.Conntrack, reply: bool) -> Packet:
        if reply:
            return track.reply_postrouting(place, packet)
        decision = self._nat(place, "postrouting", packet)
        if decision is None:
            return packet
        device = self.net.device_by_name(place, out_name)
        address = None
        if device is not None:
            address = next((a.ip for a in device.addresses if a.version == packet.src.version),
                           None)
        packet, translation = nat.source(decision, packet, place, out_name, address)
        track.translations.append(translation)
        return packet

    def _prerouting(self, place: Place, packet: Packet, track: nat.Conntrack,
                    reply: bool) -> Packet:
        if reply:
            return track.reply_prerouting(place, packet)
        decision = self._nat(place, "prerouting", packet)
        if decision is None:
            return packet
        packet, translation = nat.destination(decision, packet, place, packet.iif)
        track.translations.append(translation)
        return packet

    def _neighbour_discovery(self, place: Place, out_dev: str, answering: str,
                             packet: Packet, track: nat.Conntrack) -> None:
        """IPv6 needs a neighbour solicitation out and an advertisement back before the
        packet moves; conntrack never tracks them (state invalid), so a chain that accepts
        only what it tracks drops them."""
        hop = packet.dst
        there = self.net.devices[answering]
        on_link = next((ip for _net, ip in self.net.ips(out_dev, 6)), None)
        sender = packet.src if self.net.is_local(place, packet.src) else on_link
        sender = sender or ipaddress.ip_address("fe80::1")
        for network, ip in self.net.ips(answering, 6):
            if network.overlaps(ipaddress.ip_network(f"{sender}/64", strict=False)):
                hop = ip
        group = ipaddress.ip_address("ff02::1:ff00:0") + (int(hop) & 0xFFFFFF)
        solicit = Packet(sender, group, "ipv6-icmp", state="invalid",
                         icmp_type="nd-neighbor-solicit")
        advert = Packet(hop, sender, "ipv6-icmp", state="invalid",
                        icmp_type="nd-neighbor-advert")
        out_name = self.net.devices[out_dev].name
        try:
            self._filter(place, "output", solicit.at(None, out_name), track)
            self._bridges(out_dev, answering, solicit, track)
            self._filter(there.place, "input", solicit.at(there.name, None), track)
            self._filter(there.place, "output", advert.at(None, there.name), track)
            self._bridges(answering, out_dev, advert, track)
            self._filter(place, "input", advert.at(out_name, None), track)
        except DeniedError as denied:
            leg = denied.leg
            leg.reason = (f"neighbour discovery for {hop} fails (no neighbour, so nothing is"
                          f" sent): {leg.reason}")
            leg.fix = (f"{leg.fix}; or accept ICMPv6 neighbour discovery before rules that"
                       " accept only tracked states" if leg.fix else leg.fix)
            raise DeniedError(leg) from None

    def _bridges(self, out_dev: str, answering: str, packet: Packet, track: nat.Conntrack, *,
                 reply: bool = False, accepted: list[str] | None = None) -> None:
        """The bridge hooks of every bridge the frame crosses between the two devices."""
        path = self.ex.l2.path(out_dev, answering)
        for index, key in enumerate(path):
            if not isinstance(self.net.link(key), Bridge):
                continue
            before = path[index - 1] if index > 0 else None
            after = path[index + 1] if index + 1 < len(path) else None
            if before is not None and self.net.link(before) is not None \
                    and getattr(self.net.link(before), "master", None) != key:
                before = None  # came down from the bridge's own stack
            if after is not None and getattr(self.net.link(after), "master", None) != key:
                after = None
            place = self.net.devices[key].place
            hook = "forward" if before and after else ("input" if before else "output")
            self._filter(place, hook, packet.at(self._name(before), self._name(after)), track,
                         reply=reply, accepted=accepted, bridge=True)
            track.visited.add(place)  # bridge conntrack (nf_conntrack_bridge) saw it
            if hook == "forward" and self.bridge_nf.get(packet.dst.version, False):
                bridge_name = self.net.devices[key].name
                try:
                    self._filter(place, "forward", packet.at(bridge_name, bridge_name), track,
                                 reply=reply, accepted=accepted)
                except DeniedError as denied:
                    key_name = "iptables" if packet.dst.version == 4 else "ip6tables"
                    denied.leg.reason += (f" (bridged traffic of {bridge_name} passes the IP"
                                          f" forward hook: net.bridge.bridge-nf-call-{key_name}"
                                          " is 1)")
                    raise
                track.visited.add(place)

    def _name(self, key: str | None) -> str | None:
        return None if key is None else self.net.devices[key].name

    # -- why, and the fix ----------------------------------------------------------------------

    def _denied(self, place: Place, hook: str, packet: Packet, decision: Decision,
                reply: bool) -> Leg:
        chain = decision.chain
        how = "refused (an ICMP error comes back)" if decision.verdict == "reject" \
            else "dropped (no answer)"
        if reply:  # from the service's port; the client's own port is any the kernel picks
            what = (f"{packet.proto} {packet.src}" + (f" port {packet.sport}" if packet.sport
                                                      else "") + f" → {packet.dst}")
        else:
            what = (f"{packet.proto} {packet.src} → {packet.dst}"
                    + (f" port {packet.dport}" if packet.dport else ""))
        reason = f"{what} is {how} by {decision.text()} in {place_label(place)}"
        fix: str | None
        if chain is not None and chain.owner is not None:
            fix = (f"table {chain.family} {chain.table} belongs to topology {chain.owner}"
                   f" (deployed by Netwright): change the design of {chain.owner} and apply it"
                   f" again, or destroy {chain.owner}; this check only reads it")
        elif chain is not None and chain.foreign:
            fix = (f"table {chain.family} {chain.table} is not Netwright's: change it where it"
                   " comes from (or remove it), Netwright only reads it")
        else:
            fix = self._fix(place, hook, packet, decision, reply)
        return Leg(False, packet, place, reason, fix, "denied")

    def _fix(self, place: Place, hook: str, packet: Packet, decision: Decision,
             reply: bool) -> str | None:
        chain = decision.chain
        if chain is None:
            return None
        where = self._file_path(place, chain)
        if reply:
            return f"set 'stateful: true' on {where} (it drops the replies of allowed requests)"
        inbound = not (chain.name == "output" or chain.name.startswith("from-"))
        parts = ["action: accept", f"proto: {'icmp' if packet.proto == 'icmp' else packet.proto}"]
        if packet.proto == "ipv6-icmp":
            parts[1] = "proto: icmpv6"
        if packet.dport is not None:
            parts.append(f"dport: {packet.dport}")
        # the outside stands for any address out there: admit the service, not that sender
        from_anywhere = packet.src == self.net.outside
        parts.append(f"from: {packet.src}" if inbound and not from_anywhere
                     else f"to: {packet.dst}")
        rule = "{" + ", ".join(parts) + "}"
        if decision.rule is not None and not decision.rule.startswith("drop (the port"):
            return f"in {where}, put {rule} before '{decision.rule}' (or narrow that rule)"
        return f"add to {where}.rules: {rule}"

    def _file_path(self, place: Place, chain: BaseChain) -> str:
        if chain.family == "bridge" and "-" in chain.name:
            direction, _, port = chain.name.partition("-")
            key = next((d.key for d in self.net.by_place.get(place, []) if d.name == port), port)
            return f"interfaces.{key}.port-firewall.{direction}-port"
        owner = "host" if place is None else f"namespaces.{place}"
        return f"{owner}.firewall.{chain.name}"
