"""Semantic validation of forwarding, NAT and firewall rules (see ``firewall.py``).

What the kernel would refuse (an interface the place does not have, ports without a protocol
that has ports, a publish to an address nobody holds) is an error; what works but surprises
(a rule no packet can reach because an earlier rule takes every packet it would match, NAT
out of an interface with no address, NAT where nothing forwards) is a warning. Every problem
has a path into the file as written (``from``, ``in``, ``to-port``, ``port-firewall``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from netwright.backend.topology.fields import FORWARDING_SYSCTLS, forwards_in_design
from netwright.backend.topology.firewall import (
    Chain,
    Firewall,
    Masquerade,
    NatEntry,
    Publish,
    Rule,
    Snat,
    port_range,
)
from netwright.backend.topology.model import (
    Bridge,
    Topology,
    dhcp_entries,
    static_addresses,
)
from netwright.backend.topology.problems import ModelPath, Problem
from netwright.backend.topology.sentence_names import interface_words


def _error(code: str, path: ModelPath, message: str) -> Problem:
    return Problem("error", code, path, message)


def _warning(code: str, path: ModelPath, message: str) -> Problem:
    return Problem("warning", code, path, message)


class _Place:
    """The host or one namespace: where its rules live and which interfaces it has."""

    def __init__(self, t: Topology, namespace: str | None,
                 links: dict[str, str] | None = None) -> None:
        self.t = t
        self.namespace = namespace
        self.base: ModelPath = ("namespaces", namespace) if namespace else ("host",)
        self.label = f"namespace {namespace}" if namespace else "the host"
        self.links = links if links is not None else {
            (link.name or key): key for key, link in t.interfaces.items()
            if link.namespace == namespace}
        self.nics = set(t.host.nics) if namespace is None else set()

    def has(self, name: str) -> bool:
        return name == "lo" or name in self.links or name in self.nics

    def names(self) -> str:
        return ", ".join(sorted({*self.links, *self.nics})) or "none"

    def addresses_of(self, name: str) -> tuple[list[str], bool]:
        """(static addresses, has dhcp) of an interface or host NIC of this place."""
        if name in self.nics:
            return [str(a) for a in static_addresses(self.t.host.nics[name])], False
        key = self.links.get(name)
        if key is None:
            return [], False
        link = self.t.interfaces[key]
        return [str(a) for a in static_addresses(link)], bool(dhcp_entries(link))

    def local_addresses(self) -> set[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        found = set()
        for name in [*self.links, *self.nics]:
            found |= {ipaddress.ip_interface(a).ip for a in self.addresses_of(name)[0]}
        return found


def _places(t: Topology) -> Iterator[tuple[_Place, object]]:
    links: dict[str | None, dict[str, str]] = {}  # one pass, not one per namespace
    for key, link in t.interfaces.items():
        links.setdefault(link.namespace, {})[link.name or key] = key
    yield _Place(t, None, links.get(None, {})), t.host
    for name, namespace in t.namespaces.items():
        yield _Place(t, name, links.get(name, {})), namespace


def _covers(a: Rule, b: Rule) -> bool:
    """True when every packet ``b`` matches is matched by ``a``."""
    def prefix(x: str | None, y: str | None) -> bool:
        if x is None:
            return True
        if y is None:
            return False
        nx, ny = ipaddress.ip_network(x), ipaddress.ip_network(y)
        return nx.version == ny.version and ny.subnet_of(nx)  # type: ignore[arg-type]

    def ports(x: int | str | None, y: int | str | None) -> bool:
        if x is None:
            return True
        if y is None:
            return False
        (xl, xh), (yl, yh) = port_range(x), port_range(y)
        return xl <= yl and yh <= xh

    return (
        (a.proto is None or a.proto == b.proto)
        and ports(a.dport, b.dport) and ports(a.sport, b.sport)
        and prefix(a.from_, b.from_) and prefix(a.to, b.to)
        and (a.in_ is None or a.in_ == b.in_) and (a.out is None or a.out == b.out)
        and (a.state is None or (b.state is not None and set(b.state) <= set(a.state)))
    )


def _describe(rule: Rule) -> str:
    parts: list[str] = [rule.action]
    for label, value in (("proto", rule.proto), ("dport", rule.dport), ("sport", rule.sport),
                         ("from", rule.from_), ("to", rule.to), ("in", rule.in_),
                         ("out", rule.out)):
        if value is not None:
            parts.append(f"{label} {value}")
    if rule.state:
        parts.append("state " + ",".join(rule.state))
    return " ".join(parts)


def _chain_problems(place: _Place, chain: Chain, path: ModelPath,
                    interfaces: bool = True) -> Iterator[Problem]:
    for index, rule in enumerate(chain.rules):
        here = (*path, "rules", index)
        if (rule.dport is not None or rule.sport is not None) and rule.proto not in ("tcp",
                                                                                      "udp"):
            field = "dport" if rule.dport is not None else "sport"
            yield _error("rule-port-without-protocol", (*here, field),
                         f"rule {index + 1} matches a port but not 'proto: tcp' or 'proto: udp';"
                         " only TCP and UDP have ports: add the protocol")
        versions = {ipaddress.ip_network(p).version for p in (rule.from_, rule.to) if p}
        if len(versions) > 1:
            yield _error("rule-mixed-families", (*here, "to"),
                         f"rule {index + 1} mixes an IPv4 and an IPv6 prefix; no packet is both")
        family = {"icmp": 4, "icmpv6": 6}.get(rule.proto or "")
        if family and versions and versions != {family}:
            yield _error("rule-mixed-families", (*here, "proto"),
                         f"rule {index + 1}: {rule.proto} is IPv{family} only, its prefix is not")
        for field, name in (("in", rule.in_), ("out", rule.out)):
            if interfaces and name is not None and not place.has(name):
                yield _error("unknown-reference", (*here, field),
                             f"rule {index + 1} names interface '{name}', which {place.label}"
                             f" does not have (it has: {place.names()})")
        for earlier_index, earlier in enumerate(chain.rules[:index]):
            if _covers(earlier, rule):
                yield _warning("rule-unreachable", here,
                               f"rule {index + 1} ({_describe(rule)}) is never reached: rule"
                               f" {earlier_index + 1} ({_describe(earlier)}) takes every packet"
                               " it would match; remove it or move it up")
                break


def _firewall_problems(place: _Place, firewall: Firewall | None) -> Iterator[Problem]:
    if firewall is None:
        return
    for hook in ("input", "forward", "output"):
        chain = getattr(firewall, hook)
        if chain is not None:
            yield from _chain_problems(place, chain, (*place.base, "firewall", hook))


def _nat_problems(place: _Place, nat: list[NatEntry]) -> Iterator[Problem]:
    t = place.t
    for index, entry in enumerate(nat):
        path: ModelPath = (*place.base, "nat", index)
        if isinstance(entry, Masquerade | Snat):
            spec = entry.masquerade if isinstance(entry, Masquerade) else entry.snat
            kind = "masquerade" if isinstance(entry, Masquerade) else "snat"
            here = (*path, kind, "out")
            if not place.has(spec.out):
                yield _error("unknown-reference", here,
                             f"{kind} out of '{spec.out}': {place.label} has no such interface"
                             f" (it has: {place.names()})")
                continue
            static, dhcp = place.addresses_of(spec.out)
            if not static and not dhcp:
                yield _warning("nat-out-no-address", here,
                               f"{kind} out of {spec.out}, which has no address in the design:"
                               " the translated packets need one to leave with")
            if isinstance(entry, Snat) and static and ipaddress.ip_address(entry.snat.to) not in {
                    ipaddress.ip_interface(a).ip for a in static}:
                yield _warning("snat-foreign-address", (*path, "snat", "to"),
                               f"SNAT to {entry.snat.to}, which is not an address of {spec.out}:"
                               " replies will not come back unless the network routes it here")
        elif isinstance(entry, Publish):
            yield from _publish_problems(place, entry, path, t)


def _publish_problems(place: _Place, entry: Publish, path: ModelPath,
                      t: Topology) -> Iterator[Problem]:
    spec = entry.publish
    here = (*path, "publish")
    if spec.in_ is not None and not place.has(spec.in_):
        yield _error("unknown-reference", (*here, "in"),
                     f"publish on '{spec.in_}': {place.label} has no such interface"
                     f" (it has: {place.names()})")
    if spec.address is not None and ipaddress.ip_address(spec.address) not in (
            place.local_addresses()):
        yield _error("publish-foreign-address", (*here, "address"),
                     f"publish on {spec.address}, which is not an address of {place.label}")
    target = ipaddress.ip_address(spec.to)
    holders = [key for key, link in t.interfaces.items()
               if any(a.ip == target for a in static_addresses(link))]
    if not holders:
        yield _error("publish-no-such-address", (*here, "to"),
                     f"publish to {spec.to}, which no interface of the design holds: give the"
                     " namespace that serves the port this address, or publish to its address")


def _forwarding_problems(place: _Place, spec: object) -> Iterator[Problem]:
    forwarding = getattr(spec, "forwarding", None)
    sysctls: dict[str, str] = getattr(spec, "sysctls", {}) or {}
    for family, key in FORWARDING_SYSCTLS.items():
        wanted = getattr(forwarding, family, None) if forwarding else None
        if wanted is None or key not in sysctls:
            continue
        if (sysctls[key] == "1") != wanted:
            yield _error("forwarding-conflict", (*place.base, "forwarding", family),
                         f"forwarding {family} is {'on' if wanted else 'off'} but sysctl {key} is"
                         f" {sysctls[key]}: keep one of them")
    nat = getattr(spec, "nat", [])
    if not nat:
        return
    if not forwards_in_design(spec, "ipv4"):
        what = "the host's own setting decides" if place.namespace is None else "it is off"
        yield _warning("nat-without-forwarding", (*place.base, "nat"),
                       f"{place.label} translates addresses but the design does not turn"
                       f" forwarding on ({what}): packets from other namespaces are not"
                       " forwarded; add 'forwarding: {ipv4: true}'")


def _port_firewall_problems(t: Topology) -> Iterator[Problem]:
    for key, link in t.interfaces.items():
        spec = link.port_firewall
        if spec is None:
            continue
        path: ModelPath = ("interfaces", key, "port-firewall")
        master = t.interfaces.get(link.master or "")
        if not isinstance(master, Bridge):
            yield _error("port-firewall-not-a-port", path,
                         f"{interface_words(key)} has port-firewall rules but is not a port of a"
                         " bridge (no"
                         " 'master:' bridge): bridge-family rules filter frames crossing a"
                         " bridge port")
            continue
        place = _Place(t, link.namespace)
        for side in ("to_port", "from_port"):
            chain = getattr(spec, side)
            if chain is not None:
                yield from _chain_problems(place, chain, (*path, side.replace("_", "-")),
                                           interfaces=False)
        if spec.anti_spoofing and spec.anti_spoofing.ips:
            yield from _spoofing_problems(t, key, spec.anti_spoofing.ips, path)


def _spoofing_problems(t: Topology, key: str, ips: list[str],
                       path: ModelPath) -> Iterator[Problem]:
    """The device behind the port (its veth peer) must own the addresses it may send from."""
    peer_key = getattr(t.interfaces[key], "peer", None) or ""
    peer = t.interfaces.get(peer_key)
    if peer is None:
        return
    own = {a.ip for a in static_addresses(peer)}
    missing = [a for a in own if str(a) not in ips]
    for address in missing:
        yield _warning("anti-spoofing-cuts-own-address", (*path, "anti-spoofing", "ips"),
                       f"{_named(peer_key, peer.name)} holds {address}, which the anti-spoofing"
                       " list of its port leaves out: everything it sends from that address is"
                       " dropped; add it")


def _named(key: str, name: str | None) -> str:
    """``c1-eth0 (eth0)`` as the designer's box says it: the kernel name alone is ambiguous
    (every container's end is eth0), the key is what the file and the canvas use."""
    return f"{interface_words(key)} ({name})" if name and name != key else key


def packet_problems(t: Topology) -> Iterator[Problem]:
    """Every forwarding, NAT and firewall problem of a topology."""
    for place, spec in _places(t):
        yield from _forwarding_problems(place, spec)
        yield from _nat_problems(place, getattr(spec, "nat", []))
        yield from _firewall_problems(place, getattr(spec, "firewall", None))
    yield from _port_firewall_problems(t)
