"""The nftables tables a design's rules become, as libnftables JSON commands.

One table per topology and family in each place (the host or a namespace) that has rules:
``inet netwright-<topology>`` holds the filter chains (input, forward, output) and the NAT
chains (prerouting for published ports, postrouting for masquerade and SNAT); ``bridge
netwright-<topology>`` holds the bridge-port rules, one regular chain per port and direction
(``to-PORT``, ``from-PORT``) jumped to from the bridge hooks. Nothing here touches the kernel:
the engine sends ``replace_commands`` in one transaction (so a table is either the old one or
the new one, never half), and never names a table that is not ours.

Example::

    >>> from netwright.backend.topology import parse_topology
    >>> t = parse_topology("netwright: 1\\nname: d\\nhost:\\n  nat: [{masquerade: "
    ...                    "{from: 10.0.0.0/24, out: eth0}}]\\n")     # doctest: +SKIP
    >>> [s.family for s in place_tables(t, None)]                     # doctest: +SKIP
    ['inet']
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Callable, Iterable
from typing import Any

from netwright.backend.record import field, record
from netwright.backend.topology.firewall import (
    AntiSpoofing,
    Chain,
    Masquerade,
    PortFirewall,
    Publish,
    Rule,
    Snat,
    port_range,
)
from netwright.backend.topology.model import Topology

TABLE_PREFIX = "netwright-"
OWNER_CHAIN = "netwright-owner"  # a chain no hook jumps to: it only carries the marker
RULE_MARK = "nw#"  # a rule's comment: this prefix and a digest of the rule
FILTER_PRIORITY = 0
DSTNAT_PRIORITY = -100
SRCNAT_PRIORITY = 100
_L4 = {"tcp": "tcp", "udp": "udp", "icmp": "icmp", "icmpv6": "ipv6-icmp"}

Command = dict[str, Any]
Expr = list[dict[str, Any]]


def table_name(topology: str) -> str:
    """Our table's name: the topology's, behind a prefix no other tool uses."""
    return f"{TABLE_PREFIX}{topology}"


Signature = tuple[tuple[tuple[Any, ...], ...], tuple[tuple[str, str], ...]]
"""(chains as (name, type, hook, priority, policy), rules as (chain, comment)) in order."""


def rule_digest(chain: str, expr: Expr) -> str:
    """The comment that identifies a rule we wrote: a digest of its chain and expressions."""
    text = json.dumps([chain, expr], sort_keys=True, separators=(",", ":"))
    return RULE_MARK + hashlib.sha256(text.encode()).hexdigest()[:16]


def chain_key(chain: dict[str, Any]) -> tuple[Any, ...]:
    """What identifies a chain's setup, as written by us and as listed by nft."""
    return (chain["name"], chain.get("type"), chain.get("hook"), chain.get("prio"),
            chain.get("policy"))


@record
class TableSpec:
    """One table we own: its chains and rules as ``add`` commands, in order.

    ``marker`` (``netwright:<topology>:<place>``) is the comment of the only rule of the
    unhooked chain ``netwright-owner``: like a link's alias, it is what proves the table is
    ours (its name alone never does). Every rule carries ``rule_digest`` as its comment, so
    a rule changed or added by hand is seen in the listing.
    """

    family: str  # "inet" or "bridge"
    name: str
    marker: str = ""
    chains: list[Command] = field(default_factory=list)
    rules: list[Command] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # one line per rule, for plans and reasons

    def signature(self) -> Signature:
        chains = tuple(chain_key(c["add"]["chain"]) for c in self.chains)
        rules = [(r["add"]["rule"]["chain"], r["add"]["rule"]["comment"]) for r in self.rules]
        return chains, _by_chain(chains, rules)

    def _chain(self, name: str, hook: str | None = None, kind: str = "filter",
               priority: int = FILTER_PRIORITY, policy: str = "accept") -> None:
        chain: dict[str, Any] = {"family": self.family, "table": self.name, "name": name}
        if hook is not None:
            chain.update(type=kind, hook=hook, prio=priority, policy=policy)
        self.chains.append({"add": {"chain": chain}})

    def _rule(self, chain: str, expr: Expr, text: str, comment: str | None = None) -> None:
        self.rules.append({"add": {"rule": {
            "family": self.family, "table": self.name, "chain": chain, "expr": expr,
            "comment": comment or rule_digest(chain, expr)}}})
        self.texts.append(f"{chain}: {text}")

    def mark(self, marker: str) -> None:
        """Put the owner's marker in (first, so a listing shows it before anything else)."""
        self.marker = marker
        self._chain(OWNER_CHAIN)
        self._rule(OWNER_CHAIN, [{"return": None}], f"owner {marker}", marker)
        self.chains.insert(0, self.chains.pop())
        self.rules.insert(0, self.rules.pop())
        self.texts.pop()

    def body(self) -> list[Command]:
        return [*self.chains, *self.rules]


def _match(left: dict[str, Any], right: Any, op: str = "==") -> dict[str, Any]:
    return {"match": {"op": op, "left": left, "right": right}}


def _meta(key: str) -> dict[str, Any]:
    return {"meta": {"key": key}}


def _prefix(value: str) -> tuple[str, Any]:
    network = ipaddress.ip_network(value)
    family = "ip" if network.version == 4 else "ip6"
    if network.prefixlen == network.max_prefixlen:
        return family, str(network.network_address)
    return family, {"prefix": {"addr": str(network.network_address), "len": network.prefixlen}}


def _port(value: int | str) -> Any:
    low, high = port_range(value)
    return low if low == high else {"range": [low, high]}


def rule_expr(rule: Rule) -> Expr:
    """The match expressions and the verdict of one rule."""
    expr: Expr = []
    if rule.in_:
        expr.append(_match(_meta("iifname"), rule.in_))
    if rule.out:
        expr.append(_match(_meta("oifname"), rule.out))
    for field_name, value in (("saddr", rule.from_), ("daddr", rule.to)):
        if value is not None:
            family, right = _prefix(value)
            expr.append(_match({"payload": {"protocol": family, "field": field_name}}, right))
    if rule.proto:
        expr.append(_match(_meta("l4proto"), _L4[rule.proto]))
    for field_name, port in (("sport", rule.sport), ("dport", rule.dport)):
        if port is not None and rule.proto in ("tcp", "udp"):
            expr.append(_match({"payload": {"protocol": rule.proto, "field": field_name}},
                               _port(port)))
    if rule.state:
        expr.append(_match({"ct": {"key": "state"}}, list(rule.state), "in"))
    expr.append({rule.action: None})
    return expr


def rule_text(rule: Rule) -> str:
    """The rule as nft would print it, roughly: what plans and explanations quote."""
    parts = []
    if rule.in_:
        parts.append(f'iifname "{rule.in_}"')
    if rule.out:
        parts.append(f'oifname "{rule.out}"')
    for label, value in (("saddr", rule.from_), ("daddr", rule.to)):
        if value is not None:
            family = "ip" if ipaddress.ip_network(value).version == 4 else "ip6"
            parts.append(f"{family} {label} {value}")
    if rule.proto:
        parts.append(f"meta l4proto {_L4[rule.proto]}")
    for label, port in (("sport", rule.sport), ("dport", rule.dport)):
        if port is not None and rule.proto in ("tcp", "udp"):
            parts.append(f"{rule.proto} {label} {port}")
    if rule.state:
        parts.append("ct state " + ",".join(rule.state))
    parts.append(rule.action)
    return " ".join(parts)


_STATEFUL = Rule(action="accept", state=["established", "related"])


_NEIGHBOUR_DISCOVERY = ["nd-router-solicit", "nd-router-advert", "nd-neighbor-solicit",
                        "nd-neighbor-advert"]


def _chain_rules(table: TableSpec, name: str, chain: Chain, final_drop: bool) -> None:
    """A chain's rules; ``final_drop`` stands for the policy in a regular (port) chain, which
    lets ARP and IPv6 neighbour discovery through first, as OpenStack's port security does
    (a port that cannot resolve its neighbours passes nothing the rules allow)."""
    if final_drop and chain.policy == "drop":
        table._rule(name, [_match(_meta("protocol"), "arp"), {"accept": None}],
                    "meta protocol arp accept")
        table._rule(name, [_match({"payload": {"protocol": "icmpv6", "field": "type"}},
                                  {"set": list(_NEIGHBOUR_DISCOVERY)}), {"accept": None}],
                    "icmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit,"
                    " nd-neighbor-advert } accept")
    if chain.stateful:
        table._rule(name, rule_expr(_STATEFUL), rule_text(_STATEFUL))
    for rule in chain.rules:
        table._rule(name, rule_expr(rule), rule_text(rule))
    if final_drop and chain.policy == "drop":
        table._rule(name, [{"drop": None}], "drop (the port's policy)")


def _inet_table(topology: str, spec: Any) -> TableSpec | None:
    firewall = getattr(spec, "firewall", None)
    nat = getattr(spec, "nat", [])
    if firewall is None and not nat:
        return None
    table = TableSpec("inet", table_name(topology))
    if firewall is not None:
        for hook in ("input", "forward", "output"):
            chain: Chain | None = getattr(firewall, hook)
            if chain is not None:
                table._chain(hook, hook, policy=chain.policy)
                _chain_rules(table, hook, chain, final_drop=False)
    publishes = [e.publish for e in nat if isinstance(e, Publish)]
    sources = [e for e in nat if isinstance(e, Masquerade | Snat)]
    if publishes:
        table._chain("prerouting", "prerouting", "nat", DSTNAT_PRIORITY)
        for publish in publishes:
            expr: Expr = []
            text = []
            if publish.in_:
                expr.append(_match(_meta("iifname"), publish.in_))
                text.append(f'iifname "{publish.in_}"')
            family = "ip" if ipaddress.ip_address(publish.to).version == 4 else "ip6"
            if publish.address:
                expr.append(_match({"payload": {"protocol": family, "field": "daddr"}},
                                   publish.address))
                text.append(f"{family} daddr {publish.address}")
            expr.append(_match(_meta("l4proto"), publish.proto))
            expr.append(_match({"payload": {"protocol": publish.proto, "field": "dport"}},
                               publish.port))
            to_port = publish.to_port or publish.port
            expr.append({"dnat": {"family": family, "addr": publish.to, "port": to_port}})
            text.append(f"{publish.proto} dport {publish.port} dnat {family} to"
                        f" {publish.to}:{to_port}")
            table._rule("prerouting", expr, " ".join(text))
    if sources:
        table._chain("postrouting", "postrouting", "nat", SRCNAT_PRIORITY)
        for entry in sources:
            source = entry.masquerade if isinstance(entry, Masquerade) else entry.snat
            family, right = _prefix(source.from_)
            expr = [_match({"payload": {"protocol": family, "field": "saddr"}}, right),
                    _match(_meta("oifname"), source.out)]
            head = f'{family} saddr {source.from_} oifname "{source.out}"'
            if isinstance(entry, Masquerade):
                expr.append({"masquerade": None})
                table._rule("postrouting", expr, f"{head} masquerade")
            else:
                expr.append({"snat": {"family": family, "addr": entry.snat.to}})
                table._rule("postrouting", expr, f"{head} snat {family} to {entry.snat.to}")
    return table


def _anti_spoofing(table: TableSpec, chain: str, spoof: AntiSpoofing) -> None:
    """Frames from the port keep the port's MAC and addresses; DHCP discovery (from 0.0.0.0)
    and IPv6 link-local stay allowed, as OpenStack's port security does."""
    if spoof.mac:
        table._rule(chain, [_match({"payload": {"protocol": "ether", "field": "saddr"}},
                                   spoof.mac, "!="), {"drop": None}],
                    f"ether saddr != {spoof.mac} drop")
    v4 = sorted(a for a in spoof.ips if ipaddress.ip_address(a).version == 4)
    v6 = sorted(a for a in spoof.ips if ipaddress.ip_address(a).version == 6)
    if not spoof.ips:
        return
    dhcp: Expr = [_match({"payload": {"protocol": "ip", "field": "saddr"}}, "0.0.0.0"),
                  _match({"payload": {"protocol": "udp", "field": "dport"}}, 67),
                  {"return": None}]
    table._rule(chain, dhcp, "ip saddr 0.0.0.0 udp dport 67 return (DHCP discovery)")
    allowed4: Any = {"set": v4} if v4 else {"set": ["255.255.255.255"]}
    table._rule(chain, [_match({"payload": {"protocol": "ip", "field": "saddr"}}, allowed4,
                               "!="), {"drop": None}], f"ip saddr != {{{', '.join(v4)}}} drop")
    table._rule(chain, [_match({"payload": {"protocol": "arp", "field": "saddr ip"}}, allowed4,
                               "!="), {"drop": None}],
                f"arp saddr ip != {{{', '.join(v4)}}} drop")
    allowed6 = {"set": [*v6, {"prefix": {"addr": "fe80::", "len": 10}}]}
    table._rule(chain, [_match({"payload": {"protocol": "ip6", "field": "saddr"}}, allowed6,
                               "!="), {"drop": None}],
                f"ip6 saddr != {{{', '.join([*v6, 'fe80::/10'])}}} drop")


Ports = list[tuple[str, PortFirewall]]


def _bridge_table(t: Topology, ports: Ports) -> TableSpec | None:
    """The bridge-family table of one place's port firewalls (``ports``: kernel name, spec)."""
    if not ports:
        return None
    table = TableSpec("bridge", table_name(t.name))
    for hook in ("input", "forward", "output"):
        table._chain(hook, hook)
    for port, spec in ports:
        if spec.from_port is not None or spec.anti_spoofing is not None:
            name = f"from-{port}"
            table._chain(name)
            if spec.anti_spoofing is not None:
                _anti_spoofing(table, name, spec.anti_spoofing)
            if spec.from_port is not None:
                _chain_rules(table, name, spec.from_port, final_drop=True)
            for hook in ("input", "forward"):
                table._rule(hook, [_match(_meta("iifname"), port), {"jump": {"target": name}}],
                            f'iifname "{port}" jump {name}')
        if spec.to_port is not None:
            name = f"to-{port}"
            table._chain(name)
            _chain_rules(table, name, spec.to_port, final_drop=True)
            for hook in ("forward", "output"):
                table._rule(hook, [_match(_meta("oifname"), port), {"jump": {"target": name}}],
                            f'oifname "{port}" jump {name}')
    return table


def place_tables(t: Topology, namespace: str | None, marker: str = "") -> list[TableSpec]:
    """Our tables in one place (None: the host), in a stable order; empty if it has no rules.
    ``marker``: the owner's marker each table carries (see ``TableSpec``)."""
    return places_tables(t, [namespace], (lambda _place: marker) if marker else None)[namespace]


def places_tables(t: Topology, places: Iterable[str | None],
                  marker: Callable[[str | None], str] | None = None
                  ) -> dict[str | None, list[TableSpec]]:
    """``place_tables`` of many places, the interfaces read once for all of them (once per
    place made N places cost N² interface visits: 0.05 s of an apply at N = 500)."""
    ports: dict[str | None, Ports] = {}
    for key, link in t.interfaces.items():
        if link.port_firewall is not None:
            ports.setdefault(link.namespace, []).append((link.name or key, link.port_firewall))
    out: dict[str | None, list[TableSpec]] = {}
    for place in places:
        spec = t.host if place is None else t.namespaces[place]
        tables = [table for table in (_inet_table(t.name, spec),
                                      _bridge_table(t, ports.get(place, [])))
                  if table is not None]
        for table in tables:
            table.mark(marker(place) if marker else f"netwright:{t.name}:{place or 'host'}")
        out[place] = tables
    return out


def listed_signature(items: list[dict[str, Any]]) -> tuple[str | None, Signature]:
    """(the owner's marker, the signature) of a table as ``nft -j list table`` gives it."""
    chains = tuple(chain_key(i["chain"]) for i in items if "chain" in i)
    rules = [(i["rule"]["chain"], i["rule"].get("comment", "")) for i in items if "rule" in i]
    marker = next((comment for chain, comment in rules if chain == OWNER_CHAIN), None)
    return marker, (chains, _by_chain(chains, rules))


def _by_chain(chains: tuple[tuple[Any, ...], ...],
              rules: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Rules grouped by chain in chain order (as nft lists them), in order within a chain."""
    order = {chain[0]: index for index, chain in enumerate(chains)}
    return tuple(sorted(rules, key=lambda rule: order.get(rule[0], len(order))))


def replace_commands(table: TableSpec) -> list[Command]:
    """One transaction that makes the table exactly ``table``, whether it existed or not
    (``add`` then ``delete`` of the table is nftables' idiom for "flush it away")."""
    ident = {"family": table.family, "name": table.name}
    return [{"add": {"table": dict(ident)}}, {"delete": {"table": dict(ident)}},
            {"add": {"table": dict(ident)}}, *table.body()]
