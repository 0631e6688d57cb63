"""Which TCP and UDP ports a check probes besides the echo, and what it predicts for each.

A design with rules names ports: a rule's ``dport``, a publish entry's ``port`` and
``to-port``. Each of them is probed (a bounded number per protocol), and one port no rule
names, so that both an allowed and a refused flow of every protocol show in the matrix.
Targets in the design's namespaces get every port (the check runs a responder there, see
``responder.py``); the host's own addresses only the ports it publishes, since Netwright
never listens on the host itself. Without rules there is nothing here: the echo says all.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from typing import Literal

from netwright.backend.checks.explain import Explainer
from netwright.backend.checks.network import IpAddr, Place, lan_of
from netwright.backend.checks.results import Pair, Prediction, Service, Target
from netwright.backend.topology.firewall import Chain, Publish, port_range
from netwright.backend.topology.model import Topology

MAX_PORTS = 6  # named ports probed per protocol
UNNAMED_CANDIDATES = (9, 7, 13, 37, 5999, 49999)  # a port no rule names: the default's case
PROBED_ROLES = ("peer", "self", "parent")
MAX_SERVICE_PROBES = 4096  # beyond this a check stays with the echo (and says so)
Proto = Literal["tcp", "udp"]
PROTOS: tuple[Proto, ...] = ("tcp", "udp")
Port = tuple[Proto, int]
OUTSIDE_PORTS: tuple[Port, ...] = (("tcp", 80), ("tcp", 443), ("udp", 53))
"""What the outside answers besides the ports the rules name (when the check knows where the
outside lives, as in the lab): web and DNS, the flows masquerade usually carries."""


def _chains(topology: Topology) -> list[Chain]:
    chains: list[Chain] = []
    for spec in (topology.host, *topology.namespaces.values()):
        if spec.firewall is not None:
            chains += [c for c in (spec.firewall.input, spec.firewall.forward,
                                   spec.firewall.output) if c is not None]
    for link in topology.interfaces.values():
        if link.port_firewall is not None:
            chains += [c for c in (link.port_firewall.to_port, link.port_firewall.from_port)
                       if c is not None]
    return chains


def published(topology: Topology) -> list[Port]:
    """(proto, port) the host and namespaces publish (the outside's side of a DNAT)."""
    return [(e.publish.proto, e.publish.port)
            for spec in (topology.host, *topology.namespaces.values())
            for e in spec.nat if isinstance(e, Publish)]


def probed_ports(topology: Topology) -> list[Port]:
    """Named ports per protocol (at most MAX_PORTS), and one unnamed port per protocol."""
    return [(proto, port) for proto, port, _named in _probed(topology)]


def unnamed_ports(topology: Topology) -> list[Port]:
    """The ports of ``probed_ports`` that no rule names (tcp/9 where 9 is free): each stands
    for every port the rules leave out, so its verdict is the default policy's."""
    return [(proto, port) for proto, port, named in _probed(topology) if not named]


def _probed(topology: Topology) -> list[tuple[Proto, int, bool]]:
    """``probed_ports``, each with whether a rule or publish entry names it."""
    named: dict[str, set[int]] = defaultdict(set)
    ranges: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for chain in _chains(topology):
        for rule in chain.rules:
            if rule.proto in ("tcp", "udp") and rule.dport is not None:
                low, high = port_range(rule.dport)
                named[rule.proto].add(low)
                ranges[rule.proto].append((low, high))
    for spec in (topology.host, *topology.namespaces.values()):
        for entry in spec.nat:
            if isinstance(entry, Publish):
                publish = entry.publish
                for port in (publish.port, publish.to_port or publish.port):
                    named[publish.proto].add(port)
                    ranges[publish.proto].append((port, port))
    found: list[tuple[Proto, int, bool]] = []
    for proto in PROTOS:
        if proto not in named:
            continue
        found += [(proto, port, True) for port in sorted(named[proto])[:MAX_PORTS]]
        spare = next((p for p in UNNAMED_CANDIDATES
                      if not any(low <= p <= high for low, high in ranges[proto])), None)
        if spare is not None:
            found.append((proto, spare, False))
    return found


def unnamed_note(ports: list[Port]) -> str:
    """The one sentence that says what an unnamed probed port stands for."""
    names = " and ".join(f"{proto}/{port}" for proto, port in ports)
    what = "is a port" if len(ports) == 1 else "are ports"
    return (f"{names} {what} no rule names, probed to show what the default policy does with"
            " every port the rules leave out")


def with_services(explainer: Explainer, pairs: list[Pair],
                  outside_served: bool = False) -> list[Pair]:
    """The pairs with a predicted Service for each port that applies to their target;
    ``outside_served``: the check can run a responder where the outside address lives, so
    the outside is probed on its ports and probes the published ports from there."""
    flows = explainer.flows
    topology = explainer.net.topology
    ports = probed_ports(topology) if flows is not None else []
    if not ports or flows is None:
        return pairs
    eligible = sum(p.target.role in PROBED_ROLES for p in pairs)
    if eligible * len(ports) > MAX_SERVICE_PROBES:
        explainer.extra_notes.append(
            f"{eligible * len(ports)} TCP/UDP port probes would be needed ({eligible} pairs ×"
            f" {len(ports)} ports), more than the {MAX_SERVICE_PROBES} a check makes: only"
            " the echo is predicted and probed")
        return pairs
    host_ports = set(published(topology))
    outside_ports = list(dict.fromkeys([*ports, *OUTSIDE_PORTS]))
    result = []
    for pair in pairs:
        if pair.target.role == "outside" and outside_served:
            wanted_outside = outside_ports
        elif pair.target.role not in PROBED_ROLES:
            result.append(pair)
            continue
        else:
            wanted_outside = []
        source: Place = None if pair.source == "host" and "host" not in topology.namespaces \
            else pair.source
        dst = ipaddress.ip_address(pair.target.address)
        src = explainer.source_address(source, dst)
        wanted = wanted_outside or [p for p in ports
                                    if pair.target.place is not None or p in host_ports]
        if src is None or not wanted:
            result.append(pair)
            continue
        services = tuple(Service(proto, port, _service(explainer, source, src, dst,
                                                       (proto, port))) for proto, port in wanted)
        result.append(Pair(pair.source, pair.target, pair.predicted, pair.observed, services))
    if outside_served:
        result += from_outside(explainer)
    shown = {(s.proto, s.port) for pair in result for s in pair.services}
    unnamed = [port for port in unnamed_ports(topology) if port in shown]
    if unnamed:
        explainer.extra_notes.append(unnamed_note(unnamed))
    return result


def from_outside(explainer: Explainer) -> list[Pair]:
    """The outside connecting to the host's published ports, one pair per host NIC address
    a publish entry admits (by its ``in`` interface and ``address``)."""
    flows, outside = explainer.flows, explainer.net.outside
    topology = explainer.net.topology
    if flows is None or outside is None:
        return []
    found = []
    for nic in topology.host.nics:
        for _network, address in explainer.net.ips(nic, outside.version):
            admitted = [(e.publish.proto, e.publish.port) for e in topology.host.nat
                        if isinstance(e, Publish) and e.publish.in_ in (None, nic)
                        and e.publish.address in (None, str(address))]
            if not admitted:
                continue
            lan = lan_of(nic)
            target = Target(str(address), "parent", nic, None, f"{nic} (host NIC)")
            services = tuple(Service(proto, port, _service(explainer, lan, outside, address,
                                                           (proto, port), label="outside"))
                             for proto, port in dict.fromkeys(admitted))
            found.append(Pair("outside", target, flows.predict(lan, outside, address, "icmp",
                                                            label="outside"),
                              services=services))
    return found


def _service(explainer: Explainer, source: Place, src: IpAddr, dst: IpAddr,
             port: tuple[str, int], *, label: str | None = None) -> Prediction:
    """One port's prediction; a connection that ends on the host itself finds nothing
    listening there (the check serves no port on the host), so the kernel refuses it."""
    assert explainer.flows is not None
    proto, number = port
    predicted = explainer.flows.predict(source, src, dst, proto, number, label=label)
    if predicted.verdict == "reachable" and explainer.flows.delivered_at is None:
        untaken = _publish_untaken(explainer, source, dst, port)
        reason, fix = untaken or ("", "publish the port towards a namespace that serves it,"
                                      " or leave it to the host's own service")
        return Prediction("unreachable", "delivered",
                          f"{predicted.reason}; {reason}it ends on the host, where nothing"
                          f" listens on {proto}/{number} (the check serves no port on the"
                          " host), and the host refuses it ('Connection refused')", fix)
    return predicted


def _publish_untaken(explainer: Explainer, source: Place, dst: IpAddr,
                     port: tuple[str, int]) -> tuple[str, str] | None:
    """Why the host's publish of ``port`` did not take a connection that ended on the host
    (its reason's words and the fix), or None when the design publishes no such port. A
    publish is a prerouting DNAT: never the host's own connections, and with ``in`` only
    packets arriving on that interface (docker's published port from a container)."""
    proto, number = port
    for entry in explainer.net.topology.host.nat:
        publish = entry.publish if isinstance(entry, Publish) else None
        if publish is None or (publish.proto, publish.port) != port or \
                publish.address not in (None, str(dst)):
            continue
        to = f"{publish.to}:{publish.to_port or publish.port}"
        what = f"the host's publish of {proto}/{number} (to {to})"
        if source is None:
            return (f"{what} rewrites packets arriving from elsewhere (prerouting), never the"
                    " host's own: ", f"connect to {to} itself from the host")
        request = explainer.flows.hops[0] if explainer.flows is not None else []
        arrived = request[-1][0][3] if request else None
        device = explainer.net.devices.get(arrived) if arrived else None
        if publish.in_ and device is not None and publish.in_ not in (device.key, device.name):
            return (f"{what} takes only packets arriving on {publish.in_}, and these arrive"
                    f" on {device.name}: ",
                    f"connect to {to} itself (the publish is for what arrives on"
                    f" {publish.in_})")
    return None


def responders_needed(pairs: list[Pair]) -> set[tuple[Place, str, str, int]]:
    """(place, address, proto, port) a responder must serve: every probed service of a
    target in a namespace, and where a publish sends it (the namespace holding that address)."""
    needed: set[tuple[Place, str, str, int]] = set()
    for pair in pairs:
        for service in pair.services:
            if pair.target.place is not None:
                needed.add((pair.target.place, pair.target.address, service.proto,
                            service.port))
    return needed
